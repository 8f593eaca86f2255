"""PyTorch's float64 outputs, final states and gradients of nn.LSTM, nn.GRU and nn.RNN (tanh and
ReLU), two layers, bidirectional, batch_first, for BackpropNN's LSTM, GRU and RNN.

Inputs, weights and initial states are fixed formulas, so the Swift test rebuilds them without
reading random numbers: the k-th parameter of named_parameters() (PyTorch's state_dict order) is
0.5 · pattern(shape, 1.3, 0.1 + 0.2·k). The loss is Σ output · w + Σ h_n · u (+ Σ c_n · v for the
LSTM) for fixed formulas w, u, v. Dropout 0, evaluation mode.

Run: python Tests/References/make_recurrent_reference.py  (writes recurrent.json beside it)
"""
import json
import math
import pathlib

import torch

torch.set_default_dtype(torch.float64)

BATCH, TIME, INPUT, HIDDEN, LAYERS = 2, 3, 3, 4, 2


def pattern(shape, scale, shift):
    """sin(scale · i + shift) over the flat positions i: the same numbers in Swift."""
    n = math.prod(shape)
    return torch.tensor([math.sin(scale * i + shift) for i in range(n)]).reshape(shape)


def case(name, kind, layer, initial):
    layer.eval()
    with torch.no_grad():
        for k, (_, parameter) in enumerate(layer.named_parameters()):
            parameter.copy_(0.5 * pattern(parameter.shape, 1.3, 0.1 + 0.2 * k))
    x = pattern([BATCH, TIME, INPUT], 0.7, 0.3).requires_grad_()
    state_shape = [LAYERS * 2, BATCH, HIDDEN]
    h0 = (0.3 * pattern(state_shape, 0.9, 0.5)).requires_grad_()
    c0 = (0.3 * pattern(state_shape, 1.1, 0.7)).requires_grad_()
    if kind == "lstm":
        y, (h, c) = layer(x, (h0, c0)) if initial else layer(x)
    else:
        y, h = layer(x, h0) if initial else layer(x)
        c = None
    loss = (y * pattern(list(y.shape), 0.37, 1.1)).sum() + (h * pattern(state_shape, 0.53, 0.4)).sum()
    if c is not None:
        loss = loss + (c * pattern(state_shape, 0.61, 0.2)).sum()
    loss.backward()
    out = {"name": name, "kind": kind, "initialState": initial, "outputShape": list(y.shape),
           "output": y.detach().reshape(-1).tolist(), "hidden": h.detach().reshape(-1).tolist(),
           "inputGradient": x.grad.reshape(-1).tolist(),
           "parameterNames": [n for n, _ in layer.named_parameters()],
           "parameterGradients": {n: p.grad.reshape(-1).tolist() for n, p in layer.named_parameters()}}
    if c is not None:
        out["cell"] = c.detach().reshape(-1).tolist()
    if initial:
        out["initialHiddenGradient"] = h0.grad.reshape(-1).tolist()
        if c is not None:
            out["initialCellGradient"] = c0.grad.reshape(-1).tolist()
    return out


def make(kind):
    common = dict(num_layers=LAYERS, bidirectional=True, batch_first=True)
    if kind == "lstm":
        return torch.nn.LSTM(INPUT, HIDDEN, **common)
    if kind == "gru":
        return torch.nn.GRU(INPUT, HIDDEN, **common)
    return torch.nn.RNN(INPUT, HIDDEN, nonlinearity=kind[4:], **common)


def main():
    cases = [case(f"{kind}{'Initial' if initial else 'Zero'}", kind, make(kind), initial)
             for kind in ["lstm", "gru", "rnn_tanh", "rnn_relu"] for initial in [False, True]]
    path = pathlib.Path(__file__).with_name("recurrent.json")
    path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
