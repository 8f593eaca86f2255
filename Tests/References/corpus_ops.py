"""The op table of the PyTorch corpus's first round: one entry per op, with how to draw its
operands, and the helpers every round's table uses.

make_op_corpus.py composes these ops into random programs; see its notes for the corpus and
its rounds. The first round's programs stay byte for byte as they are: new ops join the latest
round's table (corpus_ops_round2.py), or a new round (a table, and an entry in ROUNDS).

HOW TO ADD AN OP: append one `Op(...)` to OPS at the end of the latest round's table, with
  - `name`: the name both sides use (the Swift table `corpusOps` in
    Tests/BackpropTests/OpCorpus.swift must get an entry with the same name);
  - `make(b)`: picks operands through the Builder (`b.operand(...)` for the latest value or a
    fitting one, `b.existing(fits)` for any fitting value, `b.new_input(shape, domain)` for a
    fresh input) and returns `(registers, attributes)`, or None when the op cannot apply;
  - `run(xs, attrs)`: the op in PyTorch, on a list of tensors;
  - `ok(xs, attrs, result)` (optional): False rejects the draw (domain, kinks, ties);
  - `weight` (optional, 1 by default): ops are drawn with probability proportional to
    weight / (1 + uses so far)², so one of weight 4 ends up used about twice as often.
Attributes are JSON values (int, float, bool, string, list of ints, or an index tensor or a mask
as corpus_ops_round2.py describes) under a name the Swift entry reads with `a.int("axis")`,
`a.double("scalar")`, `a.ints("shape")`, `a.intTensor("indices")` and so on. Then regenerate the
corpus (`/work/peers-venv/bin/python Tests/References/make_op_corpus.py`) and run
`swift test --filter OpCorpus`, which checks that both tables name the same ops.
"""

import math

import torch
import torch.nn.functional as F

MARGIN = 1e-3          # the distance kept from kinks (relu, abs, clamp) and ties (max, maximum)


# MARK: Shapes and inputs

def count(shape):
    return math.prod(shape)


def random_shape(rng, ranks=(0, 1, 1, 2, 2, 2, 3, 3, 4), limit=36):
    while True:
        shape = [rng.randint(1, 4) for _ in range(rng.choice(ranks))]
        if count(shape) <= limit:
            return shape


def broadcast_partner(rng, shape):
    """A shape that broadcasts with `shape`: axes dropped, set to 1, stretched from 1, or added."""
    mode = rng.random()
    if mode < 0.12:
        return []
    if mode < 0.3:
        return list(shape)
    drop = rng.randint(0, len(shape))
    partner = []
    for size in shape[drop:]:
        if rng.random() < 0.35:
            partner.append(1)
        elif size == 1 and rng.random() < 0.5:
            partner.append(rng.randint(2, 3))   # stretches the other operand
        else:
            partner.append(size)
    if drop == 0 and len(shape) < 4 and rng.random() < 0.15:
        partner.insert(0, rng.randint(2, 3))    # a new leading axis
    return partner


def broadcasts(a, b):
    try:
        torch.broadcast_shapes(tuple(a), tuple(b))
        return True
    except RuntimeError:
        return False


def reduced_shape(rng, shape):
    """A shape that broadcasts to `shape`: what `sum(toShape:)` may reduce to."""
    drop = rng.randint(0, len(shape))
    return [1 if rng.random() < 0.5 else size for size in shape[drop:]]


def random_factorization(rng, n):
    sizes = []
    while n > 1:
        divisors = [d for d in range(2, n + 1) if n % d == 0]
        d = rng.choice(divisors)
        sizes.append(d)
        n //= d
    for _ in range(rng.choice([0, 0, 1])):
        sizes.insert(rng.randint(0, len(sizes)), 1)
    rng.shuffle(sizes)
    if sizes and rng.random() < 0.3:
        sizes[rng.randrange(len(sizes))] = -1
    return sizes


# MARK: Checks on operands

def away_from(x, point):
    return bool(((x - point).abs() > MARGIN).all())


def gap_along(x, axis):
    """True when the largest element along `axis` beats the runner-up by more than MARGIN."""
    if x.dim() == 0 or x.shape[axis] < 2:
        return True
    top = torch.topk(x, 2, dim=axis).values
    return bool((top.select(axis, 0) - top.select(axis, 1) > MARGIN).all())


def windows(x, size, stride):
    n, c, h, w = x.shape
    return F.unfold(x.reshape(n * c, 1, h, w), size, stride=stride)   # [n·c, size², L]


# MARK: Generic makers

def unary(fits=lambda t: True, domain="any", ranks=None):
    """One operand that `fits`; a new one has one of `ranks`, and values in `domain`."""
    def make(b):
        shape = (lambda: random_shape(b.rng, ranks=ranks)) if ranks else None
        return [b.operand(fits, shape=shape, domain=domain)], {}
    return make


def binary(rhs_domain="any"):
    def make(b):
        a = b.operand()
        shape = b.shape(a)
        other = None
        if b.rng.random() < 0.35:
            other = b.existing(lambda t: broadcasts(t.shape, shape))
        if other is None:
            other = b.new_input(broadcast_partner(b.rng, shape), rhs_domain)
        if rhs_domain == "any" and b.rng.random() < 0.5:
            return [other, a], {}
        return [a, other], {}
    return make


def scalar_op(nonzero=False, operand=(lambda t: True, "any")):
    def make(b):
        c = round(b.rng.uniform(-2, 2), 3)
        if nonzero and abs(c) < 0.3:
            c = math.copysign(0.5, c)
        return [b.operand(operand[0], domain=operand[1])], {"scalar": c}
    return make


def with_axis(min_rank=1, keep_dims=True):
    def make(b):
        r = b.operand(lambda t: t.dim() >= min_rank, shape=lambda: random_shape(b.rng, ranks=(1, 2, 2, 3, 3, 4)))
        rank = len(b.shape(r))
        attrs = {"axis": b.rng.randint(-rank, rank - 1)}
        if keep_dims:
            attrs["keepDims"] = b.rng.random() < 0.4
        return [r], attrs
    return make


def positive(t):
    return bool((t > 0.1).all())


def nonzero(t):
    return bool((t.abs() > 0.1).all())


# MARK: Makers of structured ops

def make_pow(b):
    exponent = b.rng.choice([0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5, -1.5])
    if exponent == int(exponent) and exponent >= 0:
        return [b.operand()], {"exponent": float(exponent)}
    fits, domain = (nonzero, "nonzero") if exponent == int(exponent) else (positive, "positive")
    return [b.operand(fits, domain=domain)], {"exponent": float(exponent)}


def make_clamped(b):
    low = round(b.rng.uniform(-1.2, 0.5), 3)
    return [b.operand()], {"min": low, "max": round(low + b.rng.uniform(0.2, 1.5), 3)}


def make_reshaped(b):
    r = b.operand()
    return [r], {"shape": random_factorization(b.rng, count(b.shape(r)))}


def make_permuted(b):
    r = b.operand(lambda t: t.dim() >= 2, shape=lambda: random_shape(b.rng, ranks=(2, 3, 3, 4)))
    rank = len(b.shape(r))
    permutation = list(range(rank))
    b.rng.shuffle(permutation)
    return [r], {"permutation": [p - rank if b.rng.random() < 0.25 else p for p in permutation]}


def make_broadcast(b):
    r = b.operand(lambda t: t.dim() <= 3)
    shape = b.shape(r)
    target = [b.rng.randint(2, 3) if size == 1 and b.rng.random() < 0.7 else size for size in shape]
    if len(target) < 4 and (target == shape or b.rng.random() < 0.4):
        target.insert(0, b.rng.randint(2, 3))
    return [r], {"shape": target}


def make_sum_to_shape(b):
    r = b.operand()
    return [r], {"shape": reduced_shape(b.rng, b.shape(r))}


def make_expanding_dims(b):
    r = b.operand(lambda t: t.dim() <= 3)
    rank = len(b.shape(r))
    return [r], {"axis": b.rng.randint(-rank - 1, rank)}


def make_squeezed(b):
    r = b.operand(lambda t: 1 in t.shape, shape=lambda: [1] + random_shape(b.rng, ranks=(0, 1, 2, 3)))
    shape = b.shape(r)
    if b.rng.random() < 0.3:
        return [r], {}          # every size-1 axis
    axis = b.rng.choice([i for i, size in enumerate(shape) if size == 1])
    return [r], {"axis": axis - len(shape) if b.rng.random() < 0.4 else axis}


def make_slicing(b):
    r = b.operand(lambda t: t.dim() >= 1 and max(t.shape) >= 2, shape=lambda: random_shape(b.rng, ranks=(1, 2, 3)))
    shape = b.shape(r)
    axis = b.rng.choice([i for i, size in enumerate(shape) if size >= 2] or [0])
    start = b.rng.randint(0, shape[axis] - 1)
    end = b.rng.randint(start + 1, shape[axis])
    return [r], {"start": start, "end": end, "axis": axis - len(shape) if b.rng.random() < 0.3 else axis}


def make_concatenated(b):
    r = b.operand(lambda t: t.dim() >= 1, shape=lambda: random_shape(b.rng, ranks=(1, 2, 3)))
    shape = b.shape(r)
    axis = b.rng.randrange(len(shape))
    parts = [r]
    for _ in range(b.rng.randint(1, 2)):
        if b.rng.random() < 0.3:
            parts.append(r)
        else:
            other = list(shape)
            other[axis] = b.rng.randint(1, 3)
            parts.append(b.new_input(other))
    b.rng.shuffle(parts)
    return parts, {"axis": axis - len(shape) if b.rng.random() < 0.3 else axis}


def make_stacked(b):
    r = b.operand(lambda t: t.dim() <= 3)
    shape = b.shape(r)
    parts = [r] + [r if b.rng.random() < 0.3 else b.new_input(shape) for _ in range(b.rng.randint(1, 2))]
    b.rng.shuffle(parts)
    return parts, {"axis": b.rng.randint(-len(shape) - 1, len(shape))}


def make_gathering(b):
    r = b.operand(lambda t: t.dim() >= 1, shape=lambda: random_shape(b.rng, ranks=(1, 2, 3)))
    shape = b.shape(r)
    axis = b.rng.randrange(len(shape))
    indices = [b.rng.randrange(shape[axis]) for _ in range(b.rng.randint(1, 4))]
    return [r], {"indices": indices, "axis": axis - len(shape) if b.rng.random() < 0.3 else axis}


def make_picking(b):
    r = b.operand(lambda t: t.dim() >= 1, shape=lambda: random_shape(b.rng, ranks=(1, 2, 2, 3)))
    shape = b.shape(r)
    axis = b.rng.randrange(len(shape))
    others = count(shape) // shape[axis]
    indices = [b.rng.randrange(shape[axis]) for _ in range(others)]
    return [r], {"indices": indices, "axis": axis - len(shape) if b.rng.random() < 0.4 else axis}


def make_matmul(b):
    rng = b.rng
    r = b.operand(lambda t: t.dim() in (2, 3), shape=lambda: random_shape(rng, ranks=(2, 3)))
    shape = b.shape(r)
    n = rng.randint(1, 4)
    if len(shape) == 2 and rng.random() < 0.4:          # the latest value on the right: [m, k] · r
        left = b.existing(lambda t: t.dim() == 2 and t.shape[1] == shape[0]) if rng.random() < 0.3 else None
        return [left if left is not None else b.new_input([n, shape[0]]), r], {}
    if len(shape) == 3 and rng.random() < 0.5:          # one matrix for every batch entry
        right = [shape[2], n]
    else:
        right = shape[:-2] + [shape[-1], n]
    other = b.existing(lambda t: list(t.shape[:-1]) == right[:-1]) if rng.random() < 0.3 else None
    return [r, other if other is not None else b.new_input(right)], {}


def make_linear(b):
    rng = b.rng
    r = b.operand(lambda t: t.dim() >= 1, shape=lambda: random_shape(rng, ranks=(1, 2, 2, 3)))
    shape = b.shape(r)
    out = rng.randint(1, 4)
    registers = [r, b.new_input([out, shape[-1]])]
    bias = rng.choice(["none", "vector", "vector", "row", "scalar"])
    if bias == "row" and len(shape) >= 2:
        registers.append(b.new_input([1, out]))         # broadcasts: not the fused kernel
    elif bias in ("vector", "row"):
        registers.append(b.new_input([out]))
    elif bias == "scalar":
        registers.append(b.new_input([]))
    activation = rng.choice(["none", "relu", "tanh"])
    return registers, ({} if activation == "none" else {"activation": activation})


def image_shape(rng):
    return [rng.randint(1, 2), rng.randint(1, 3), rng.randint(2, 5), rng.randint(2, 5)]


def make_conv2d(b):
    rng = b.rng
    r = b.operand(lambda t: t.dim() == 4 and t.shape[1] <= 3, shape=lambda: image_shape(rng))
    n, c, h, w = b.shape(r)
    padding, stride = rng.choice([0, 1]), rng.choice([1, 2])
    kh, kw = rng.randint(1, min(3, h + 2 * padding)), rng.randint(1, min(3, w + 2 * padding))
    return [r, b.new_input([rng.randint(1, 3), c, kh, kw])], {"stride": stride, "padding": padding}


def make_pool(b):
    rng = b.rng
    r = b.operand(lambda t: t.dim() == 4 and min(t.shape[2:]) >= 2, shape=lambda: image_shape(rng))
    size = rng.randint(1, min(3, *b.shape(r)[2:]))
    attrs = {"size": size}
    if rng.random() < 0.5:
        attrs["stride"] = rng.randint(1, 2)
    return [r], attrs


# MARK: PyTorch's side of the ops that need more than one call

def run_picking(xs, a):
    x = xs[0]
    axis = a["axis"] % x.dim()
    shape = list(x.shape)
    del shape[axis]
    indices = torch.tensor(a["indices"], dtype=torch.long).reshape(shape).unsqueeze(axis)
    return torch.gather(x, axis, indices).squeeze(axis)


def run_sum_to_shape(xs, a):
    x, target = xs[0], a["shape"]
    x = x.sum(dim=tuple(range(x.dim() - len(target)))) if x.dim() > len(target) else x
    axes = tuple(i for i, size in enumerate(target) if size == 1 and x.shape[i] != 1)
    return x.sum(dim=axes, keepdim=True) if axes else x


def run_linear(xs, a):
    x, weight = xs[0], xs[1]
    y = x @ weight.T
    if len(xs) == 3:
        y = y + xs[2]
    return {"relu": torch.relu, "tanh": torch.tanh}.get(a.get("activation"), lambda t: t)(y)


def ok_linear(xs, a, result):
    if a.get("activation") != "relu":
        return True
    y = xs[0] @ xs[1].T
    return away_from(y + xs[2] if len(xs) == 3 else y, 0)


def ok_max_pool(xs, a, result):
    found = windows(xs[0], a["size"], a.get("stride", a["size"]))
    return gap_along(found, 1)


# MARK: The op table: one entry per op, named as in Backprop

class Op:
    def __init__(self, name, make, run, ok=None, weight=1.0):
        self.name, self.make, self.run, self.ok, self.weight = name, make, run, ok, weight


OPS = [
    # Arithmetic, broadcasting, and with a scalar on either side.
    Op("add", binary(), lambda x, a: x[0] + x[1]),
    Op("subtract", binary(), lambda x, a: x[0] - x[1]),
    Op("multiply", binary(), lambda x, a: x[0] * x[1]),
    Op("divide", binary("nonzero"), lambda x, a: x[0] / x[1], lambda x, a, y: nonzero(x[1])),
    Op("negate", unary(), lambda x, a: -x[0]),
    Op("addScalar", scalar_op(), lambda x, a: x[0] + a["scalar"]),               # x + c
    Op("scalarAdd", scalar_op(), lambda x, a: a["scalar"] + x[0]),               # c + x
    Op("subtractScalar", scalar_op(), lambda x, a: x[0] - a["scalar"]),          # x - c
    Op("scalarSubtract", scalar_op(), lambda x, a: a["scalar"] - x[0]),          # c - x
    Op("multiplyScalar", scalar_op(), lambda x, a: x[0] * a["scalar"]),          # x * c
    Op("scalarMultiply", scalar_op(), lambda x, a: a["scalar"] * x[0]),          # c * x
    Op("divideScalar", scalar_op(nonzero=True), lambda x, a: x[0] / a["scalar"]),  # x / c
    Op("scalarDivide", scalar_op(operand=(nonzero, "nonzero")), lambda x, a: a["scalar"] / x[0]),  # c / x
    # Elementwise.
    Op("exp", unary(lambda t: bool((t < 3).all())), lambda x, a: torch.exp(x[0])),
    Op("log", unary(positive, "positive"), lambda x, a: torch.log(x[0])),
    Op("sqrt", unary(positive, "positive"), lambda x, a: torch.sqrt(x[0])),
    Op("pow", make_pow, lambda x, a: torch.pow(x[0], a["exponent"])),
    Op("abs", unary(), lambda x, a: torch.abs(x[0]), lambda x, a, y: away_from(x[0], 0)),
    Op("sin", unary(), lambda x, a: torch.sin(x[0])),
    Op("cos", unary(), lambda x, a: torch.cos(x[0])),
    Op("tanh", unary(), lambda x, a: torch.tanh(x[0])),
    Op("sigmoid", unary(), lambda x, a: torch.sigmoid(x[0])),
    Op("softplus", unary(), lambda x, a: F.softplus(x[0])),
    Op("erf", unary(), lambda x, a: torch.erf(x[0])),
    Op("gelu", unary(), lambda x, a: F.gelu(x[0])),
    Op("relu", unary(), lambda x, a: torch.relu(x[0]), lambda x, a, y: away_from(x[0], 0)),
    Op("leakyRelu", lambda b: ([b.operand()], {"negativeSlope": b.rng.choice([0.01, 0.1, 0.3])}),
       lambda x, a: F.leaky_relu(x[0], a["negativeSlope"]), lambda x, a, y: away_from(x[0], 0)),
    Op("clamped", make_clamped, lambda x, a: torch.clamp(x[0], a["min"], a["max"]),
       lambda x, a, y: away_from(x[0], a["min"]) and away_from(x[0], a["max"])),
    Op("maximum", binary(), lambda x, a: torch.maximum(x[0], x[1]), lambda x, a, y: away_from(x[0], x[1])),
    Op("minimum", binary(), lambda x, a: torch.minimum(x[0], x[1]), lambda x, a, y: away_from(x[0], x[1])),
    # Reductions, over everything or along an axis.
    Op("sum", unary(), lambda x, a: x[0].sum()),
    Op("sumAxis", with_axis(), lambda x, a: x[0].sum(dim=a["axis"], keepdim=a["keepDims"])),
    Op("sumToShape", make_sum_to_shape, run_sum_to_shape),
    Op("mean", unary(), lambda x, a: x[0].mean()),
    Op("meanAxis", with_axis(), lambda x, a: x[0].mean(dim=a["axis"], keepdim=a["keepDims"])),
    Op("max", unary(), lambda x, a: x[0].max(), lambda x, a, y: gap_along(x[0].reshape(-1), 0)),
    # max(dim), not amax: on a tie both give the gradient to one element, the first.
    Op("maxAxis", with_axis(), lambda x, a: torch.max(x[0], dim=a["axis"], keepdim=a["keepDims"]).values,
       lambda x, a, y: gap_along(x[0], a["axis"])),
    Op("min", unary(), lambda x, a: x[0].min(), lambda x, a, y: gap_along(-x[0].reshape(-1), 0)),
    Op("minAxis", with_axis(), lambda x, a: torch.min(x[0], dim=a["axis"], keepdim=a["keepDims"]).values,
       lambda x, a, y: gap_along(-x[0], a["axis"])),
    Op("logSumExp", unary(), lambda x, a: torch.logsumexp(x[0].reshape(-1), 0)),
    Op("logSumExpAxis", with_axis(), lambda x, a: torch.logsumexp(x[0], dim=a["axis"], keepdim=a["keepDims"])),
    Op("softmax", with_axis(keep_dims=False), lambda x, a: torch.softmax(x[0], dim=a["axis"])),
    Op("logSoftmax", with_axis(keep_dims=False), lambda x, a: torch.log_softmax(x[0], dim=a["axis"])),
    # Shapes and indexing.
    Op("reshaped", make_reshaped, lambda x, a: x[0].reshape(a["shape"])),
    Op("permuted", make_permuted, lambda x, a: x[0].permute(a["permutation"])),
    Op("transposed", unary(lambda t: t.dim() >= 2, ranks=(2, 3, 4)), lambda x, a: x[0].transpose(-2, -1)),
    Op("broadcast", make_broadcast, lambda x, a: x[0].expand(a["shape"])),
    Op("expandingDims", make_expanding_dims, lambda x, a: x[0].unsqueeze(a["axis"])),
    Op("squeezed", make_squeezed, lambda x, a: x[0].squeeze(a["axis"]) if "axis" in a else x[0].squeeze()),
    Op("slicing", make_slicing, lambda x, a: x[0].narrow(a["axis"], a["start"], a["end"] - a["start"])),
    Op("concatenated", make_concatenated, lambda x, a: torch.cat(x, dim=a["axis"])),
    Op("stacked", make_stacked, lambda x, a: torch.stack(x, dim=a["axis"])),
    Op("gathering", make_gathering,
       lambda x, a: torch.index_select(x[0], a["axis"], torch.tensor(a["indices"], dtype=torch.long))),
    Op("picking", make_picking, run_picking),
    Op("detached", unary(), lambda x, a: x[0].detach(), weight=0.2),   # cuts off every gradient before it
    # Linear algebra and windows.
    # These have the most paths (shapes, strides, fused kernels): drawn about twice as often.
    Op("matmul", make_matmul, lambda x, a: torch.matmul(x[0], x[1]), weight=4),
    Op("linear", make_linear, run_linear, ok_linear, weight=4),
    Op("conv2d", make_conv2d, lambda x, a: F.conv2d(x[0], x[1], stride=a["stride"], padding=a["padding"]), weight=4),
    Op("avgPool2d", make_pool, lambda x, a: F.avg_pool2d(x[0], a["size"], a.get("stride", a["size"]))),
    Op("maxPool2d", make_pool, lambda x, a: F.max_pool2d(x[0], a["size"], a.get("stride", a["size"])),
       ok_max_pool),
]
