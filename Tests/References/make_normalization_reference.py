"""PyTorch's float64 outputs and gradients of nn.RMSNorm and nn.GroupNorm, for the
BackpropNN layers of the same names. Inputs, weights and biases are fixed formulas, so the
Swift test rebuilds them without reading random numbers.

Run: python Tests/References/make_normalization_reference.py  (writes normalization.json beside it)
"""
import json
import math
import pathlib

import torch

torch.set_default_dtype(torch.float64)


def pattern(shape, scale, shift):
    """sin(scale · i + shift) over the flat positions i: the same numbers in Swift."""
    n = math.prod(shape)
    return torch.tensor([math.sin(scale * i + shift) for i in range(n)]).reshape(shape)


def case(name, layer, shape, eps):
    x = pattern(shape, 0.7, 0.3).requires_grad_()
    with torch.no_grad():
        layer.weight.copy_(1 + 0.5 * pattern(layer.weight.shape, 1.3, 0.1))
        if getattr(layer, "bias", None) is not None:
            layer.bias.copy_(0.25 * pattern(layer.bias.shape, 0.9, 0.2))
    y = layer(x)
    w = pattern(list(y.shape), 0.37, 1.1)
    (y * w).sum().backward()
    out = {"name": name, "shape": shape, "epsilon": eps, "output": y.detach().reshape(-1).tolist(),
           "inputGradient": x.grad.reshape(-1).tolist(), "weightGradient": layer.weight.grad.reshape(-1).tolist()}
    if getattr(layer, "bias", None) is not None:
        out["biasGradient"] = layer.bias.grad.reshape(-1).tolist()
    return out


def main():
    cases = [
        case("rmsNorm", torch.nn.RMSNorm(6, eps=1e-6), [2, 3, 6], 1e-6),
        case("rmsNormDefaultEpsilon", torch.nn.RMSNorm(4), [3, 4], None),
        case("groupNorm", torch.nn.GroupNorm(2, 4, eps=1e-5), [2, 4, 3, 2], 1e-5),
        case("groupNormOneGroupPerChannel", torch.nn.GroupNorm(3, 3, eps=1e-3), [2, 3, 5], 1e-3),
    ]
    path = pathlib.Path(__file__).with_name("normalization.json")
    path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
