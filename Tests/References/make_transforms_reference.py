"""Writes transforms.json: PyTorch's torch.func values for the functions that
Tests/BackpropTests/TransformsTests.swift defines the same way, in float64.

Run from anywhere with a Python that has torch:
    python Tests/References/make_transforms_reference.py

Each case names a function that both libraries spell with the same primitives,
its constants, a point, a tangent and a cotangent (and, for functions that return
one element, a vector for the Hessian-vector product), and records f(x), the vjp
of the cotangent, the jvp of the tangent, the Jacobian and, for scalar functions,
the gradient, the Hessian and the Hessian-vector product.
"""
import json
import pathlib

import torch
from torch.func import grad, hessian, jacfwd, jacrev, jvp, vjp

torch.set_default_dtype(torch.float64)
generator = torch.Generator().manual_seed(11)


def uniform(*shape, low=-1.0, high=1.0):
    return low + (high - low) * torch.rand(shape, generator=generator)


# Each function takes the point and a dict of constants, and uses only ops that
# Backprop has: matmul on 2-d operands, elementwise maths, broadcasting, slicing,
# sums, logsumexp and softmax.
def tanh_network(x, c):
    hidden = torch.tanh(c["W"] @ x.reshape(3, 1) + c["b"].reshape(4, 1))
    return (hidden ** 2).sum()


def log_sum_exp_quadratic(x, c):
    return torch.logsumexp((x * c["A"]).reshape(-1), dim=0) + 0.5 * (x ** 2).sum()


def rosenbrock(x, c):
    head, tail = x[0:3], x[1:4]
    return (100 * (tail - head * head) ** 2 + (1 - head) ** 2).sum()


def softmax_of_sine(x, c):
    return torch.softmax(torch.sin(x) * x, dim=-1)


def broadcast_mix(x, c):
    return torch.tanh(c["B"] * x) + torch.exp(x) / (1 + x * x)


def matrix_square(x, c):
    return x @ x + torch.log(1 + x * x) * c["C"]


CASES = [
    ("tanhNetwork", tanh_network, [3], {"W": [4, 3], "b": [4]}),
    ("logSumExpQuadratic", log_sum_exp_quadratic, [2, 3], {"A": [2, 3]}),
    ("rosenbrock", rosenbrock, [4], {}),
    ("softmaxOfSine", softmax_of_sine, [2, 3], {}),
    ("broadcastMix", broadcast_mix, [3], {"B": [2, 3]}),
    ("matrixSquare", matrix_square, [2, 2], {"C": [2, 2]}),
]


def encode(tensor):
    return {"shape": list(tensor.shape), "scalars": tensor.reshape(-1).tolist()}


def make_case(name, function, shape, constant_shapes):
    constants = {key: uniform(*size) for key, size in constant_shapes.items()}
    f = lambda x: function(x, constants)
    x, tangent = uniform(*shape), uniform(*shape)
    value = f(x)
    cotangent = uniform(*value.shape)
    _, pullback = vjp(f, x)
    _, forward = jvp(f, (x,), (tangent,))
    reverse_jacobian, forward_jacobian = jacrev(f)(x), jacfwd(f)(x)
    assert torch.allclose(reverse_jacobian, forward_jacobian, rtol=1e-12, atol=1e-12), name
    case = {
        "name": name,
        "constants": {key: encode(c) for key, c in constants.items()},
        "point": encode(x),
        "tangent": encode(tangent),
        "cotangent": encode(cotangent),
        "value": encode(value),
        "vjp": encode(pullback(cotangent)[0]),
        "jvp": encode(forward),
        "jacobian": encode(reverse_jacobian),
    }
    if value.numel() == 1:
        vector = uniform(*shape)
        case["vector"] = encode(vector)
        case["gradient"] = encode(grad(f)(x))
        case["hessian"] = encode(hessian(f)(x))
        case["hvp"] = encode(jvp(grad(f), (x,), (vector,))[1])
    return case


if __name__ == "__main__":
    cases = [make_case(*case) for case in CASES]
    path = pathlib.Path(__file__).with_name("transforms.json")
    header = {"generator": "Tests/References/make_transforms_reference.py", "torch": torch.__version__}
    # One case a line, so that a regenerated file diffs case by case.
    body = ",\n".join("  " + json.dumps(case) for case in cases)
    path.write_text(json.dumps(header)[:-1] + ', "cases": [\n' + body + "\n]}\n")
    print(f"wrote {len(cases)} cases to {path}")
