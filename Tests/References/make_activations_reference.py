"""PyTorch's float64 values, gradients and second derivatives of the activations of
Backprop's Composite/Activations.swift, on inputs that include 0 and the kinks.

Run: python Tests/References/make_activations_reference.py  (writes activations.json beside it)
"""
import json
import pathlib

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
POINTS = [-30.0, -3.0, -1.5, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 1.5, 3.0, 30.0]
# Weights for the first-order sum Σ w·f(x) and the second-order sum Σ v·∂/∂x.
W = [0.5 - 0.1 * i for i in range(len(POINTS))]
V = [0.3 + 0.07 * i for i in range(len(POINTS))]

FUNCTIONS = {
    "silu": F.silu,
    "elu": lambda x: F.elu(x, alpha=1.0),
    "eluAlpha": lambda x: F.elu(x, alpha=0.7),
    "mish": F.mish,
    "hardtanh": lambda x: F.hardtanh(x, -1.0, 1.0),
    "hardtanhNarrow": lambda x: F.hardtanh(x, -0.5, 1.5),
    "gelu": F.gelu,
    "geluTanh": lambda x: F.gelu(x, approximate="tanh"),
}


def case(name, f):
    x = torch.tensor(POINTS, requires_grad=True)
    y = f(x)
    (first,) = torch.autograd.grad((y * torch.tensor(W)).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad((first * torch.tensor(V)).sum(), x, allow_unused=True)
    second = torch.zeros_like(x) if second is None else second
    return {"name": name, "value": y.tolist(), "gradient": first.tolist(), "secondOrder": second.tolist()}


def main():
    out = {"torch": torch.__version__, "points": POINTS, "w": W, "v": V,
           "cases": [case(name, f) for name, f in FUNCTIONS.items()]}
    path = pathlib.Path(__file__).with_name("activations.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path} ({len(out['cases'])} cases)")


if __name__ == "__main__":
    main()
