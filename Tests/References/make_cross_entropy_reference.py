"""PyTorch's float64 values and logits gradients of cross_entropy, for BackpropNN's crossEntropy:
class-index labels on [N, C] and [N, C, d1, d2] logits, with and without class weights, with an
ignored label (-100, or the class 1), label smoothing 0 and 0.1, under each reduction; and probability targets, the same
way. The logits, labels or targets, class weights and the gradient pattern g are written into the
JSON, so the Swift test reads them back.

The gradient is that of Σ g · loss (g a fixed pattern shaped like the loss). PyTorch has no
"batchmean" for cross_entropy; BackpropNN's .batchMean is tested separately.

Run: python Tests/References/make_cross_entropy_reference.py  (writes cross_entropy.json beside it)
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
REDUCTIONS = ["none", "mean", "sum"]
IGNORE = -100


def pattern(shape, scale, shift):
    """sin(scale · i + shift) over the flat positions i."""
    n = math.prod(shape)
    return torch.tensor([math.sin(scale * i + shift) for i in range(n)]).reshape(shape)


def flat(t):
    return t.detach().reshape(-1).tolist()


def case(logits, reduction, labels=None, targets=None, weights=None, ignore_index=None, smoothing=0.0):
    x = logits.clone().requires_grad_(True)
    target = labels if labels is not None else targets
    y = F.cross_entropy(x, target, weight=weights, ignore_index=IGNORE if ignore_index is None else ignore_index,
                        label_smoothing=smoothing, reduction=reduction)
    g = pattern(list(y.shape), 0.37, 1.1)
    (y * g).sum().backward()
    return {"reduction": reduction, "logitsShape": list(x.shape), "logits": flat(x),
            "labels": None if labels is None else labels.reshape(-1).tolist(),
            "targets": None if targets is None else flat(targets),
            "weights": None if weights is None else flat(weights), "ignoreIndex": ignore_index,
            "labelSmoothing": smoothing, "outputShape": list(y.shape), "output": flat(y),
            "gradientPattern": flat(g), "gradient": flat(x.grad)}


def main():
    cases = []
    classes = 4
    weights = torch.tensor([0.5, 2.0, 1.0, 0.25])
    for shape in ([5, classes], [2, classes, 3, 2]):
        logits = 2 * pattern(shape, 0.7, 0.3)
        label_shape = [shape[0]] + shape[2:]
        n = math.prod(label_shape)
        labels = torch.tensor([(3 * i + 1) % classes for i in range(n)]).reshape(label_shape)
        ignored = labels.clone()
        ignored.reshape(-1)[1::3] = IGNORE
        targets = torch.softmax(pattern(shape, 1.3, 0.5) * 2, dim=1)
        for r in REDUCTIONS:
            for smoothing in (0.0, 0.1):
                for w in (None, weights):
                    cases.append(case(logits, r, labels=labels, weights=w, smoothing=smoothing))
                    cases.append(case(logits, r, labels=ignored, weights=w, ignore_index=IGNORE, smoothing=smoothing))
                    cases.append(case(logits, r, targets=targets, weights=w, smoothing=smoothing))
            # An ignored label that is also a class index.
            cases.append(case(logits, r, labels=labels, weights=weights, ignore_index=1, smoothing=smoothing))
    path = pathlib.Path(__file__).with_name("cross_entropy.json")
    path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
