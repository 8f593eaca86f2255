"""PyTorch's float64 outputs and gradients of nn.MultiheadAttention, nn.TransformerEncoderLayer and
nn.TransformerDecoderLayer (batch_first, dropout 0), plus the sinusoidal positional encoding and
rotary embeddings computed directly, for the BackpropNN layers and functions of the same purpose.

Every parameter is set by its state_dict key to 0.5 · sin(1.3 · i + shift(key)) (plus 1 for norm
weights), shift(key) = (Σ code points of key mod 97) / 97, so the Swift test rebuilds it from the key.
Inputs are sine patterns too; the loss is Σ out · sin(0.37 i + 1.1) (+ Σ weights · sin(0.23 i + 0.5)
when attention weights are returned).

Run: python Tests/References/make_attention_reference.py  (writes attention.json beside it)
"""
import json
import math
import pathlib

import torch

torch.set_default_dtype(torch.float64)
E, H = 4, 2


def pattern(shape, scale, shift):
    """sin(scale · i + shift) over the flat positions i: the same numbers in Swift."""
    n = math.prod(shape)
    return torch.tensor([math.sin(scale * i + shift) for i in range(n)]).reshape(shape)


def set_weights(module):
    with torch.no_grad():
        for key, p in module.named_parameters():
            shift = (sum(ord(c) for c in key) % 97) / 97
            p.copy_(0.5 * pattern(p.shape, 1.3, shift) + (1 if "norm" in key and key.endswith("weight") else 0))


def flat(t):
    return t.detach().reshape(-1).tolist()


def mask_json(kind, tensor=None):
    if tensor is None:
        return {"kind": kind, "shape": [], "values": []}
    return {"kind": kind, "shape": list(tensor.shape), "values": [float(v) for v in tensor.reshape(-1).tolist()]}


def finish(name, kind, config, module, inputs, output, masks, weights=None):
    loss = (output * pattern(list(output.shape), 0.37, 1.1)).sum()
    if weights is not None:
        loss = loss + (weights * pattern(list(weights.shape), 0.23, 0.5)).sum()
    loss.backward()
    gradients = {key: flat(p.grad) for key, p in module.named_parameters()} if module is not None else {}
    for key, x in inputs.items():
        gradients["input." + key] = flat(x.grad)
    case = {"name": name, "kind": kind, "config": config, "masks": masks,
            "inputs": {key: {"shape": list(x.shape), "values": flat(x)} for key, x in inputs.items()},
            "outputShape": list(output.shape), "output": flat(output), "gradients": gradients}
    if weights is not None:
        case["weightsShape"], case["weights"] = list(weights.shape), flat(weights)
    return case


def source(shape, scale=0.7, shift=0.3):
    return pattern(shape, scale, shift).requires_grad_()


cases = []
causal = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
padding = torch.tensor([[False, False, True], [False, False, False]])


def attention(name, masks, query_shape, key_shape, mask=None, key_padding_mask=None, average=True):
    mha = torch.nn.MultiheadAttention(E, H, batch_first=True)
    set_weights(mha)
    q = source(query_shape)
    inputs = {"query": q}
    if key_shape == query_shape:
        k = v = q
    else:
        k, v = source(key_shape, 0.5, 0.2), source(key_shape, 0.9, 0.4)
        inputs.update(key=k, value=v)
    out, w = mha(q, k, v, attn_mask=mask, key_padding_mask=key_padding_mask, need_weights=True,
                 average_attn_weights=average)
    cases.append(finish(name, "attention", {"averageWeights": average}, mha, inputs, out, masks, w))


additive = 0.8 * pattern([3, 3], 1.7, 0.4)
attention("additive mask", {"mask": mask_json("additive", additive)}, [2, 3, 4], [2, 3, 4], mask=additive)
attention("boolean mask, per-head weights", {"mask": mask_json("boolean", causal)}, [2, 3, 4], [2, 3, 4],
          mask=causal, average=False)
attention("key padding mask", {"keyPaddingMask": mask_json("boolean", padding)}, [2, 3, 4], [2, 3, 4],
          key_padding_mask=padding)
perhead = 0.6 * pattern([2 * H, 3, 5], 0.9, 0.7)
memory_padding = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
attention("cross-attention, 3 queries over 5 keys", {"mask": mask_json("additive", perhead),
          "keyPaddingMask": mask_json("boolean", memory_padding)}, [2, 3, 4], [2, 5, 4],
          mask=perhead, key_padding_mask=memory_padding, average=False)


def encoder(name, norm_first, activation, mask=None, mask_entry=None):
    layer = torch.nn.TransformerEncoderLayer(E, H, dim_feedforward=6, dropout=0.0, activation=activation,
                                             batch_first=True, norm_first=norm_first)
    set_weights(layer)
    x = source([2, 3, 4])
    out = layer(x, src_mask=mask, src_key_padding_mask=padding)
    masks = {"keyPaddingMask": mask_json("boolean", padding)}
    if mask_entry:
        masks["mask"] = mask_entry
    cases.append(finish(name, "encoder", {"normFirst": norm_first, "activation": activation}, layer, {"query": x}, out, masks))


encoder("encoder layer, post-norm", False, "relu")
encoder("encoder layer, pre-norm", True, "relu")
encoder("encoder layer, pre-norm, gelu, causal", True, "gelu", causal, mask_json("causal"))


def decoder(name, norm_first):
    layer = torch.nn.TransformerDecoderLayer(E, H, dim_feedforward=6, dropout=0.0, batch_first=True,
                                             norm_first=norm_first)
    set_weights(layer)
    target, memory = source([2, 3, 4]), source([2, 5, 4], 0.5, 0.2)
    out = layer(target, memory, tgt_mask=causal, memory_mask=additive.repeat(1, 2)[:, :5],
                tgt_key_padding_mask=padding, memory_key_padding_mask=memory_padding)
    masks = {"targetMask": mask_json("causal"), "memoryMask": mask_json("additive", additive.repeat(1, 2)[:, :5]),
             "targetKeyPaddingMask": mask_json("boolean", padding),
             "memoryKeyPaddingMask": mask_json("boolean", memory_padding)}
    cases.append(finish(name, "decoder", {"normFirst": norm_first, "activation": "relu"}, layer,
                        {"query": target, "memory": memory}, out, masks))


decoder("decoder layer, post-norm", False)
decoder("decoder layer, pre-norm", True)

# Sinusoidal encoding, straight from the paper's formula.
length, size = 7, 6
position = torch.arange(length).unsqueeze(1).double()
frequency = torch.pow(10000.0, -torch.arange(0, size, 2).double() / size)
sinusoidal = torch.zeros(length, size)
sinusoidal[:, 0::2] = torch.sin(position * frequency)
sinusoidal[:, 1::2] = torch.cos(position * frequency)


def rope(x, offset):
    """Interleaved pairs as complex numbers, rotated by e^{i p θ_k}, θ_k = 10000^(-2k/d)."""
    d = x.shape[-1]
    theta = torch.pow(10000.0, -torch.arange(0, d, 2).double() / d)
    angles = (torch.arange(x.shape[-2]).double() + offset).unsqueeze(1) * theta
    pairs = torch.view_as_complex(x.reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(pairs * torch.polar(torch.ones_like(angles), angles)).reshape(x.shape)


x = source([2, 2, 5, 6])
out = rope(x, 3)
cases.append(finish("rotary embedding, offset 3", "rope", {"offset": 3}, None, {"query": x}, out, {}))

path = pathlib.Path(__file__).with_name("attention.json")
path.write_text(json.dumps({"sinusoidal": {"shape": [length, size], "values": flat(sinusoidal)}, "cases": cases}) + "\n")
print(f"wrote {len(cases)} cases to {path}")
