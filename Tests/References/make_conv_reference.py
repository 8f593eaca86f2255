"""PyTorch's float64 outputs and gradients of nn.Conv2d, nn.ConvTranspose2d, nn.MaxPool2d and
nn.AvgPool2d with rectangular kernels, per-axis stride, padding and dilation, groups and
padded pooling, for the BackpropNN layers of the same names. Inputs, weights and biases are
fixed formulas (sin(scale · i + shift) over the flat positions), so the Swift test rebuilds
them without reading random numbers; the loss is Σ y · w for a fixed formula w.

Run: python Tests/References/make_conv_reference.py  (writes conv.json beside it)
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


def pair(size):
    return list(size) if isinstance(size, tuple) else [size, size]


def case(name, kind, config, layer, shape):
    x = pattern(shape, 0.7, 0.3).requires_grad_()
    weight, bias = getattr(layer, "weight", None), getattr(layer, "bias", None)
    with torch.no_grad():
        if weight is not None:
            weight.copy_(0.5 * pattern(weight.shape, 1.3, 0.1))
        if bias is not None:
            bias.copy_(0.25 * pattern(bias.shape, 1.9, 0.2))
    y = layer(x)
    (y * pattern(list(y.shape), 0.37, 1.1)).sum().backward()
    out = {"name": name, "kind": kind, "config": config, "shape": shape, "outputShape": list(y.shape),
           "output": y.detach().reshape(-1).tolist(), "inputGradient": x.grad.reshape(-1).tolist()}
    if weight is not None:
        out["weightShape"] = list(weight.shape)
        out["weightGradient"] = weight.grad.reshape(-1).tolist()
    if bias is not None:
        out["biasGradient"] = bias.grad.reshape(-1).tolist()
    return out


def conv2d(name, shape, inputChannels, outputChannels, kernelSize, stride=1, padding=0, dilation=1, groups=1,
           bias=True):
    layer = torch.nn.Conv2d(inputChannels, outputChannels, kernelSize, stride=stride, padding=padding,
                            dilation=dilation, groups=groups, bias=bias)
    config = {"inputChannels": inputChannels, "outputChannels": outputChannels, "kernelSize": pair(kernelSize),
              "stride": pair(stride), "padding": pair(padding), "dilation": pair(dilation), "groups": groups,
              "bias": bias}
    return case(name, "conv2d", config, layer, shape)


def conv_transpose2d(name, shape, inputChannels, outputChannels, kernelSize, stride=1, padding=0, outputPadding=0,
                     dilation=1, groups=1, bias=True):
    layer = torch.nn.ConvTranspose2d(inputChannels, outputChannels, kernelSize, stride=stride, padding=padding,
                                     output_padding=outputPadding, groups=groups, bias=bias, dilation=dilation)
    config = {"inputChannels": inputChannels, "outputChannels": outputChannels, "kernelSize": pair(kernelSize),
              "stride": pair(stride), "padding": pair(padding), "outputPadding": pair(outputPadding),
              "dilation": pair(dilation), "groups": groups, "bias": bias}
    return case(name, "convTranspose2d", config, layer, shape)


def pool2d(name, kind, shape, kernelSize, stride, padding):
    module = torch.nn.MaxPool2d if kind == "maxPool2d" else torch.nn.AvgPool2d  # AvgPool2d: count_include_pad=True
    layer = module(kernelSize, stride=stride, padding=padding)
    config = {"kernelSize": pair(kernelSize), "stride": pair(stride), "padding": pair(padding)}
    return case(name, kind, config, layer, shape)


def main():
    cases = [
        conv2d("conv2dRectangularStridePaddingDilation", [2, 3, 7, 8], 3, 4, (3, 2), stride=(2, 1), padding=(1, 2),
               dilation=(2, 1)),
        conv2d("conv2dGroups", [2, 4, 6, 5], 4, 6, (2, 3), stride=(1, 2), padding=(1, 0), dilation=(1, 2), groups=2),
        conv2d("conv2dDepthwiseNoBias", [1, 3, 5, 6], 3, 6, 3, padding=1, groups=3, bias=False),
        conv2d("conv2dSquareUnbatched", [2, 5, 4], 2, 3, 2, stride=2, padding=1),
        conv_transpose2d("convTranspose2dStride2Padding1OutputPadding1", [2, 3, 4, 5], 3, 2, 3, stride=2, padding=1,
                         outputPadding=1),
        conv_transpose2d("convTranspose2dRectangularGroupsDilation", [1, 4, 3, 4], 4, 6, (2, 3), stride=(2, 1),
                         padding=(0, 1), outputPadding=(1, 0), dilation=(1, 2), groups=2),
        conv_transpose2d("convTranspose2dOutputPaddingBelowDilationNoBias", [1, 2, 3, 3], 2, 2, 2, outputPadding=1,
                         dilation=2, bias=False),
        pool2d("maxPool2dPadding", "maxPool2d", [2, 2, 7, 6], 3, 2, 1),
        pool2d("maxPool2dOverlappingPadding", "maxPool2d", [1, 2, 4, 5], 2, 1, 1),
        pool2d("avgPool2dPadding", "avgPool2d", [2, 2, 7, 6], 3, 2, 1),
    ]
    path = pathlib.Path(__file__).with_name("conv.json")
    path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
