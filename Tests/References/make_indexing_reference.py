"""Writes indexing.json: PyTorch's values, indices and first- and second-order gradients
for sorting and indexing along an axis, which Tests/BackpropTests/IndexingReferenceTests.swift
spells with Backprop's ops (sorted, topK, takingAlong, scatteringAdd, filling), in float64.

Run from anywhere with a Python that has torch:
    python Tests/References/make_indexing_reference.py

Each case applies one op to its inputs and squares the result, y = op(inputs)², so that
second derivatives are not all zero. It records y, the op's integer indices (for sort and
topk), the gradients of <y, cotangent> with respect to each input, and the gradients of
Σᵢ <gradientᵢ, weightᵢ> with respect to each input (as the Swift tests' `secondOrder` does).
Sorted inputs hold ties, where torch's order is defined (a stable sort); topk's order of
ties is unspecified in PyTorch, so its inputs hold none. PyTorch cannot differentiate
scatter_add with values larger than the indices, so here they have the same shape.
"""
import json
import pathlib

import torch

torch.set_default_dtype(torch.float64)
generator = torch.Generator().manual_seed(5)


def uniform(*shape):
    return -1.0 + 2.0 * torch.rand(shape, generator=generator)


def integers(high, *shape):
    return torch.randint(0, high, shape, generator=generator)


def with_ties(*shape):
    # Values on a coarse grid, so that many are equal.
    return torch.randint(-2, 3, shape, generator=generator).to(torch.float64) / 2


# name, inputs, integer constants, and the op as a function of (inputs, constants) returning
# (values, indices or None). Axis, direction, k, mask and fill value are in the name's Swift twin.
CASES = [
    ("sortedTiesLastAxis", [with_ties(3, 6)], {},
     lambda x, c: tuple(torch.sort(x[0], dim=-1, stable=True))),
    ("sortedTiesDescendingAxis0", [with_ties(5, 3)], {},
     lambda x, c: tuple(torch.sort(x[0], dim=0, descending=True, stable=True))),
    ("sortedMiddleAxis", [uniform(2, 4, 3)], {},
     lambda x, c: tuple(torch.sort(x[0], dim=-2, stable=True))),
    ("topKLastAxis", [uniform(3, 6)], {},
     lambda x, c: tuple(torch.topk(x[0], 3, dim=-1))),
    ("topKAxis0", [uniform(5, 2, 3)], {},
     lambda x, c: tuple(torch.topk(x[0], 2, dim=0))),
    ("takingAlongAxis0", [uniform(3, 4)], {"indices": integers(3, 5, 2)},
     lambda x, c: (torch.gather(x[0], 0, c["indices"]), None)),
    ("takingAlongLastAxis", [uniform(2, 3, 4)], {"indices": integers(4, 2, 2, 6)},
     lambda x, c: (torch.gather(x[0], -1, c["indices"]), None)),
    ("scatteringAddAxis1", [uniform(3, 5), uniform(3, 4)], {"indices": integers(5, 3, 4)},
     lambda x, c: (x[0].scatter_add(1, c["indices"], x[1]), None)),
    ("scatteringAddAxis0", [uniform(4, 3), uniform(6, 3)], {"indices": integers(4, 6, 3)},
     lambda x, c: (x[0].scatter_add(0, c["indices"], x[1]), None)),
    ("fillingRowMask", [uniform(3, 4)], {"mask": torch.tensor([[True], [False], [True]])},
     lambda x, c: (x[0].masked_fill(c["mask"], 0.25), None)),
    ("fillingColumnMask", [uniform(3, 4)], {"mask": torch.tensor([False, True, True, False])},
     lambda x, c: (x[0].masked_fill(c["mask"], -1.5), None)),
]


def encode(tensor):
    if tensor.dtype == torch.bool:
        tensor = tensor.to(torch.int64)
    return {"shape": list(tensor.shape), "scalars": tensor.reshape(-1).tolist()}


def make_case(name, inputs, constants, op):
    inputs = [x.clone().requires_grad_(True) for x in inputs]
    values, indices = op(inputs, constants)
    y = values ** 2
    cotangent = uniform(*y.shape)
    firsts = torch.autograd.grad((y * cotangent).sum(), inputs, create_graph=True)
    weights = [uniform(*g.shape) for g in firsts]
    total = sum((g * w).sum() for g, w in zip(firsts, weights))
    seconds = torch.autograd.grad(total, inputs, allow_unused=True)
    seconds = [torch.zeros_like(x) if s is None else s for x, s in zip(inputs, seconds)]
    case = {
        "name": name,
        "inputs": [encode(x.detach()) for x in inputs],
        "constants": {key: encode(c) for key, c in constants.items()},
        "cotangent": encode(cotangent),
        "weights": [encode(w) for w in weights],
        "value": encode(y.detach()),
        "gradients": [encode(g.detach()) for g in firsts],
        "secondGradients": [encode(s) for s in seconds],
    }
    if indices is not None:
        case["indices"] = encode(indices)
    return case


if __name__ == "__main__":
    cases = [make_case(*case) for case in CASES]
    path = pathlib.Path(__file__).with_name("indexing.json")
    header = {"generator": "Tests/References/make_indexing_reference.py", "torch": torch.__version__}
    # One case a line, so that a regenerated file diffs case by case.
    body = ",\n".join("  " + json.dumps(case) for case in cases)
    path.write_text(json.dumps(header)[:-1] + ', "cases": [\n' + body + "\n]}\n")
    print(f"wrote {len(cases)} cases to {path}")
