"""PyTorch's float64 values and input gradients of its losses, for the BackpropNN losses of the
same meaning: each loss under each reduction, on a few shapes and edge cases. The inputs, the
weights w and the constant targets are written into the JSON, so the Swift test reads them back.

The gradient is that of Σ w · loss (w a fixed pattern shaped like the loss). PyTorch allows
"batchmean" only for kl_div; for the other losses its reference is the "sum" value divided by the
first axis of the unreduced loss (1 for a scalar), which is what BackpropNN's .batchMean means.
Gradients PyTorch gives by a hand-written rule that differs from the formula's own derivative
(binary_cross_entropy at p = 0 or 1) are written as null and not compared.

Run: python Tests/References/make_losses_reference.py  (writes losses.json beside it)
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
REDUCTIONS = ["none", "mean", "sum", "batchmean"]


def pattern(shape, scale, shift):
    """sin(scale · i + shift) over the flat positions i."""
    n = math.prod(shape)
    return torch.tensor([math.sin(scale * i + shift) for i in range(n)]).reshape(shape)


def flat(t):
    return t.detach().reshape(-1).tolist()


def case(name, loss, inputs, differentiable, reduction, parameters=None, target=None, gradient_mask=None):
    """inputs: tensors; differentiable: which of them get gradients; loss(*inputs, reduction) → tensor."""
    xs = [x.clone().requires_grad_(i in differentiable) for i, x in enumerate(inputs)]
    if reduction == "batchmean" and name != "klDivergence":
        unreduced = loss(*xs, "none")
        y = loss(*xs, "sum") / (unreduced.shape[0] if unreduced.dim() > 0 else 1)
    else:
        y = loss(*xs, reduction)
    w = pattern(list(y.shape), 0.37, 1.1)
    (y * w).sum().backward()
    gradients = []
    for i, x in enumerate(xs):
        if i not in differentiable:
            gradients.append(None)
            continue
        g = flat(x.grad)
        if gradient_mask is not None:
            keep = flat(gradient_mask[i].to(torch.float64))
            g = [v if k else None for v, k in zip(g, keep)]
        gradients.append(g)
    return {"name": name, "reduction": reduction, "parameters": parameters or {},
            "inputShapes": [list(x.shape) for x in xs], "inputs": [flat(x) for x in xs],
            "target": None if target is None else flat(target), "targetShape": None if target is None else list(target.shape),
            "outputShape": list(y.shape), "output": flat(y), "weights": flat(w), "gradients": gradients}


def main():
    cases = []
    for r in REDUCTIONS:
        # klDivergence: log-softmax inputs; targets with zeros.
        for shape in ([4, 3], [2, 3, 2]):
            x = torch.log_softmax(pattern(shape, 0.7, 0.3), dim=-1)
            t = torch.softmax(pattern(shape, 1.1, 0.5), dim=-1)
            t.reshape(-1)[::4] = 0
            cases.append(case("klDivergence", lambda a, b, red: F.kl_div(a, b, reduction=red), [x, t], [0], r))
        # smoothL1Loss: |d| = beta exactly at some elements, and beta = 0.
        for shape, beta in (([4, 3], 1.0), ([2, 3, 2], 0.5), ([4, 3], 0.0)):
            p = 1.5 * pattern(shape, 0.7, 0.3)
            e = 0.5 * pattern(shape, 1.3, 0.9)
            p.reshape(-1)[0] = e.reshape(-1)[0] + beta
            p.reshape(-1)[1] = e.reshape(-1)[1] - beta
            p.reshape(-1)[2] = e.reshape(-1)[2]
            cases.append(case("smoothL1Loss", lambda a, b, red, beta=beta: F.smooth_l1_loss(a, b, reduction=red, beta=beta),
                              [p, e], [0, 1], r, {"beta": beta}))
        # binaryCrossEntropy on probabilities, with p at 0 and 1.
        for shape in ([4, 3], [2, 3, 2]):
            p = 0.5 + 0.45 * pattern(shape, 0.7, 0.3)
            t = 0.5 + 0.5 * pattern(shape, 1.9, 0.2)
            p.reshape(-1)[:4] = torch.tensor([0.0, 1.0, 0.0, 1.0])
            t.reshape(-1)[:4] = torch.tensor([0.0, 1.0, 0.7, 0.2])
            interior = (p > 0) & (p < 1)
            cases.append(case("binaryCrossEntropy", lambda a, b, red: F.binary_cross_entropy(a, b, reduction=red),
                              [p, t], [0], r, gradient_mask=[interior, None]))
        # marginRankingLoss: no hinge exactly at 0.
        for margin in (0.0, 0.3):
            a, b = pattern([6], 0.7, 0.3), pattern([6], 1.3, 0.1)
            y = torch.tensor([1.0, -1, 1, 1, -1, -1])
            cases.append(case("marginRankingLoss", lambda u, v, red, y=y, m=margin: F.margin_ranking_loss(u, v, y, margin=m, reduction=red),
                              [a, b], [0, 1], r, {"margin": margin}, target=y))
        # cosineEmbeddingLoss on [N, D] and [D].
        for shape, y, margin in (([4, 5], torch.tensor([1.0, -1, -1, 1]), 0.1), ([5], torch.tensor(-1.0), 0.0)):
            a, b = pattern(shape, 0.7, 0.3), pattern(shape, 0.4, 1.3)
            cases.append(case("cosineEmbeddingLoss", lambda u, v, red, y=y, m=margin: F.cosine_embedding_loss(u, v, y, margin=m, reduction=red),
                              [a, b], [0, 1], r, {"margin": margin}, target=y))
        # tripletMarginLoss with p = 2, 1 and 3.
        for shape, margin, p in (([4, 5], 1.0, 2.0), ([4, 5], 0.5, 1.0), ([5], 2.0, 3.0)):
            a, pos, neg = pattern(shape, 0.7, 0.3), pattern(shape, 0.5, 0.9), pattern(shape, 1.7, 0.2)
            cases.append(case("tripletMarginLoss", lambda u, v, w, red, m=margin, p=p: F.triplet_margin_loss(u, v, w, margin=m, p=p, reduction=red),
                              [a, pos, neg], [0, 1, 2], r, {"margin": margin, "p": p}))
    path = pathlib.Path(__file__).with_name("losses.json")
    path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
