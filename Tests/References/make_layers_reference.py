"""PyTorch's float64 outputs and gradients of nn.Conv1d, nn.MaxPool1d, nn.AdaptiveAvgPool2d and
nn.InstanceNorm2d, for the BackpropNN layers of the same names. Inputs, weights and biases are
fixed formulas, so the Swift test rebuilds them without reading random numbers; the loss is
Σ y · w for a fixed formula w.

Run: python Tests/References/make_layers_reference.py  (writes layers.json beside it)
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


def case(name, kind, config, layer, shape):
    x = pattern(shape, 0.7, 0.3).requires_grad_()
    weight, bias = getattr(layer, "weight", None), getattr(layer, "bias", None)
    with torch.no_grad():
        if weight is not None:
            weight.copy_(0.5 * pattern(weight.shape, 1.3, 0.1) + (1 if kind == "instanceNorm2d" else 0))
        if bias is not None:
            bias.copy_(0.25 * pattern(bias.shape, 1.9, 0.2))
    y = layer(x)
    (y * pattern(list(y.shape), 0.37, 1.1)).sum().backward()
    out = {"name": name, "kind": kind, "config": config, "shape": shape, "outputShape": list(y.shape),
           "output": y.detach().reshape(-1).tolist(), "inputGradient": x.grad.reshape(-1).tolist()}
    if weight is not None:
        out["weightGradient"] = weight.grad.reshape(-1).tolist()
    if bias is not None:
        out["biasGradient"] = bias.grad.reshape(-1).tolist()
    return out


def conv1d(name, shape, **config):
    c = {"inputChannels": 0, "outputChannels": 0, "kernelSize": 0, "stride": 1, "padding": 0, "dilation": 1,
         "groups": 1, "bias": True, **config}
    layer = torch.nn.Conv1d(c["inputChannels"], c["outputChannels"], c["kernelSize"], stride=c["stride"],
                            padding=c["padding"], dilation=c["dilation"], groups=c["groups"], bias=c["bias"])
    return case(name, "conv1d", c, layer, shape)


def max_pool1d(name, shape, **config):
    c = {"kernelSize": 0, "stride": config.get("kernelSize"), "padding": 0, "dilation": 1, **config}
    layer = torch.nn.MaxPool1d(c["kernelSize"], stride=c["stride"], padding=c["padding"], dilation=c["dilation"])
    return case(name, "maxPool1d", c, layer, shape)


def adaptive_avg_pool2d(name, shape, height, width):
    return case(name, "adaptiveAvgPool2d", {"outputHeight": height, "outputWidth": width},
                torch.nn.AdaptiveAvgPool2d((height, width)), shape)


def instance_norm2d(name, shape, epsilon=1e-5, affine=False):
    layer = torch.nn.InstanceNorm2d(shape[-3], eps=epsilon, affine=affine)
    return case(name, "instanceNorm2d", {"epsilon": epsilon, "affine": affine}, layer, shape)


def main():
    cases = [
        conv1d("conv1d", [2, 3, 7], inputChannels=3, outputChannels=4, kernelSize=3),
        conv1d("conv1dStridePaddingDilationGroups", [2, 4, 9], inputChannels=4, outputChannels=6, kernelSize=3,
               stride=2, padding=2, dilation=2, groups=2),
        conv1d("conv1dDepthwiseNoBias", [1, 3, 5], inputChannels=3, outputChannels=3, kernelSize=2, groups=3, bias=False),
        conv1d("conv1dUnbatched", [3, 6], inputChannels=3, outputChannels=2, kernelSize=2, padding=1),
        max_pool1d("maxPool1d", [2, 3, 10], kernelSize=3),
        max_pool1d("maxPool1dStridePadding", [2, 2, 9], kernelSize=4, stride=2, padding=2),
        max_pool1d("maxPool1dDilationUnbatched", [2, 8], kernelSize=3, stride=1, padding=1, dilation=2),
        adaptive_avg_pool2d("adaptiveAvgPool2d7to3and5to2", [2, 3, 7, 5], 3, 2),
        adaptive_avg_pool2d("adaptiveAvgPool2dSquare", [1, 2, 6, 6], 4, 4),
        adaptive_avg_pool2d("adaptiveAvgPool2dUpsamplingUnbatched", [2, 3, 4], 5, 3),
        instance_norm2d("instanceNorm2d", [2, 3, 4, 5]),
        instance_norm2d("instanceNorm2dAffine", [2, 3, 3, 4], epsilon=1e-3, affine=True),
        instance_norm2d("instanceNorm2dUnbatched", [2, 3, 3]),
    ]
    path = pathlib.Path(__file__).with_name("layers.json")
    path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
