"""The op table of the corpus's second round: the ops of issue 11 (batched and vector matmul,
einsum, split and chunk, multi-axis and statistical reductions, running sums, padding, sorting,
gather and scatter by index tensors, and masks).

Entries follow corpus_ops.py's pattern (see HOW TO ADD AN OP there). Two kinds of constant data
appear among the attributes, and the Swift interpreter builds typed tensors from them:

  - an index tensor, `{"shape": [...], "ints": [...]}`, read with `a.intTensor(name)`;
  - a mask, `{"shape": [...], "bools": [...]}`, read with `a.boolTensor(name)`.

A mask is either such stored data (attribute "mask") or a comparison of the step's last operand
with a constant (attributes "comparison" and "threshold"), which the generator keeps MARGIN away
from the threshold. Comparisons give no gradient: the operand is only read.
"""

import torch
import torch.nn.functional as F

from corpus_ops import (MARGIN, Op, away_from, broadcast_partner, broadcasts, count, random_shape,
                        reduced_shape)


# MARK: Helpers

def signed(rng, axis, rank, chance=0.3):
    """`axis`, counted from the end with probability `chance`."""
    return axis - rank if rng.random() < chance else axis


def int_data(shape, values):
    return {"shape": list(shape), "ints": list(values)}


def int_tensor(data):
    return torch.tensor(data["ints"], dtype=torch.long).reshape(data["shape"])


def bool_tensor(data):
    return torch.tensor(data["bools"], dtype=torch.bool).reshape(data["shape"])


def broadcasts_into(shape, target):
    """True when `shape` broadcasts to `target` without changing it."""
    return broadcasts(shape, target) and list(torch.broadcast_shapes(tuple(shape), tuple(target))) == list(target)


def distinct_along(x, axis):
    """True when no two elements of a lane along `axis` lie within MARGIN of each other (no ties)."""
    if x.dim() == 0 or x.shape[axis] < 2:
        return True
    ordered = torch.sort(x, dim=axis).values
    return bool((ordered.diff(dim=axis) > MARGIN).all())


# MARK: Masks

COMPARISONS = {"isGreater": torch.gt, "isLess": torch.lt, "isGreaterOrEqual": torch.ge, "isLessOrEqual": torch.le}


def make_mask(b, registers, target, into):
    """Attributes of a mask for `target`, appending its source register when it is a comparison.

    With `into`, the mask broadcasts to `target` unchanged (masked_fill); otherwise it only
    broadcasts with it, and may stretch the result (where).
    """
    rng = b.rng
    fits = (lambda t: broadcasts_into(list(t.shape), target)) if into else (lambda t: broadcasts(t.shape, target))
    if rng.random() < 0.4:
        shape = reduced_shape(rng, target) if into else broadcast_partner(rng, target)
        return {"mask": {"shape": shape, "bools": [rng.random() < 0.5 for _ in range(count(shape))]}}
    if rng.random() < 0.5 and fits(b.values[registers[0]]):
        source = registers[0]                    # the operand compared with a constant: a relu-like pattern
    else:
        source = b.existing(fits) if rng.random() < 0.5 else None
        if source is None:
            source = b.new_input(reduced_shape(rng, target) if into else broadcast_partner(rng, target))
    registers.append(source)
    return {"comparison": rng.choice(sorted(COMPARISONS)), "threshold": round(rng.uniform(-1, 1), 3)}


def mask_of(xs, a):
    if "mask" in a:
        return bool_tensor(a["mask"])
    return COMPARISONS[a["comparison"]](xs[-1].detach(), a["threshold"])


def ok_mask(xs, a, result):
    return "mask" in a or away_from(xs[-1], a["threshold"])


# MARK: Linear algebra

def make_matmul_vector(b):
    """A product with a 1-d operand: vector·vector, matrix·vector, vector·matrix, batched or not."""
    rng = b.rng
    r = b.operand(lambda t: 1 <= t.dim() <= 3, shape=lambda: random_shape(rng, ranks=(1, 1, 2, 3)))
    shape = b.shape(r)
    if len(shape) == 1:
        k = shape[0]
        if rng.random() < 0.35:
            other = b.existing(lambda t: list(t.shape) == [k]) if rng.random() < 0.4 else None
            return [r, other if other is not None else b.new_input([k])], {}
        batch = [rng.randint(1, 3)] if rng.random() < 0.3 else []
        if rng.random() < 0.5:
            return [r, b.new_input(batch + [k, rng.randint(1, 4)])], {}
        return [b.new_input(batch + [rng.randint(1, 4), k]), r], {}
    if rng.random() < 0.5:
        return [r, b.new_input([shape[-1]])], {}
    return [b.new_input([shape[-2]]), r], {}


def make_matmul_batched(b):
    """N-d operands whose batch axes broadcast: [2, 3, 4, 5]·[2, 3, 5, 2], [3, 4]·[2, 1, 4, 5]."""
    rng = b.rng
    r = b.operand(lambda t: 2 <= t.dim() <= 4, shape=lambda: random_shape(rng, ranks=(2, 3, 3, 4)))
    shape = b.shape(r)
    batch, (rows, columns) = shape[:-2], shape[-2:]
    # Products the 2-d and 3-d `matmul` op already covers become ones with a new, stretched batch.
    if not batch:
        partner_batch = [rng.randint(2, 3)] + ([1] if rng.random() < 0.5 else [])
    else:
        partner_batch = broadcast_partner(rng, batch)
        if len(batch) == 1 and partner_batch in ([], batch):
            partner_batch = [rng.randint(2, 3), rng.choice([1, batch[0]])]
    n = rng.randint(1, 4)
    if rng.random() < 0.5:
        partner = partner_batch + [columns, n]
        registers = [r, b.new_input(partner)]
    else:
        partner = partner_batch + [n, rows]
        registers = [b.new_input(partner), r]
    return (registers, {}) if count(partner) <= 96 else None


EINSUM_EQUATIONS = ["bij,bjk->bik", "ij->ji", "bhtd,bhsd->bhts", "i,i->", "ii->i", "ij,j->i", "ijk->ik", "ii->",
                    "ij,kj->ik", "bi,bj->bij", "ij,jk->", "iij->ji", "bij->b", "i,j->ij", "ij,ij->i", "bij,bkj->bki"]


def make_einsum(b):
    """One of the equations above, or a random one over the latest value: diagonals, sums,
    contractions, batch indices and outer products, with the output in any order."""
    rng = b.rng
    if rng.random() < 0.4:
        inputs, output = rng.choice(EINSUM_EQUATIONS).split("->")
        terms = inputs.split(",")
        letters = sorted(set(inputs))
        sizes = {letter: rng.randint(1, 3 if len(letters) > 3 else 4) for letter in letters}
        first = terms[0]

        def fits(t):
            return t.dim() == len(first) and all(
                t.shape[i] == t.shape[j] for i in range(len(first)) for j in range(i) if first[i] == first[j])
        r = b.operand(fits, shape=lambda: [sizes[letter] for letter in first])
        sizes.update(zip(first, b.shape(r)))
        registers = [r] + [b.new_input([sizes[letter] for letter in term]) for term in terms[1:]]
        return registers, {"equation": f"{inputs}->{output}"}
    r = b.operand(lambda t: 1 <= t.dim() <= 4, shape=lambda: random_shape(rng, ranks=(1, 2, 2, 3, 3, 4)))
    fresh = iter("abcdefgh")
    sizes, first = {}, []
    for size in b.shape(r):
        same = [letter for letter in dict.fromkeys(first) if sizes[letter] == size]
        if same and rng.random() < 0.3:
            first.append(rng.choice(same))           # a repeated index: the diagonal
        else:
            first.append(next(fresh))
            sizes[first[-1]] = size
    terms, registers = [first], [r]
    if rng.random() < 0.65:
        second = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.65:
                second.append(rng.choice(list(dict.fromkeys(first))))
            else:
                second.append(next(fresh))
                sizes[second[-1]] = rng.randint(1, 4)
        shape = [sizes[letter] for letter in second]
        other = b.existing(lambda t: list(t.shape) == shape) if rng.random() < 0.3 else None
        registers.append(other if other is not None else b.new_input(shape))
        terms.append(second)
    output = [letter for letter in dict.fromkeys(sum(terms, [])) if rng.random() < 0.6]
    if rng.random() < 0.5:
        rng.shuffle(output)
    return registers, {"equation": ",".join("".join(t) for t in terms) + "->" + "".join(output)}


# MARK: Splitting and padding

def pieces_of(rng, sizes):
    """The pieces a step keeps: one (the next value), or several, reordered or repeated, to concatenate."""
    usable = [i for i, size in enumerate(sizes) if size > 0]
    if len(usable) == 1 or rng.random() < 0.5:
        return [rng.choice(usable)]
    return [rng.choice(usable) for _ in range(rng.randint(2, 3))]


def splittable(b):
    rng = b.rng
    r = b.operand(lambda t: t.dim() >= 1 and max(t.shape) >= 2, shape=lambda: random_shape(rng, ranks=(1, 2, 3)))
    shape = b.shape(r)
    axis = rng.choice([i for i, size in enumerate(shape) if size >= 2] or [0])
    return r, shape, axis


def make_split(b):
    rng = b.rng
    r, shape, axis = splittable(b)
    sizes, left = [], shape[axis]
    while left > 0:
        sizes.append(rng.randint(1, left))
        left -= sizes[-1]
    if rng.random() < 0.15:
        sizes.insert(rng.randint(0, len(sizes)), 0)      # an empty piece
    return [r], {"sizes": sizes, "axis": signed(rng, axis, len(shape)), "pieces": pieces_of(rng, sizes)}


def make_chunked(b):
    rng = b.rng
    r, shape, axis = splittable(b)
    chunks = rng.randint(1, 4)
    sizes = [piece.shape[axis] for piece in torch.chunk(b.values[r], chunks, dim=axis)]
    return [r], {"count": chunks, "axis": signed(rng, axis, len(shape)), "pieces": pieces_of(rng, sizes)}


def run_pieces(parts, a):
    chosen = [parts[i] for i in a["pieces"]]
    return chosen[0] if len(chosen) == 1 else torch.cat(chosen, dim=a["axis"])


def make_padded(b):
    rng = b.rng
    r = b.operand(lambda t: 1 <= t.dim() <= 3, shape=lambda: random_shape(rng, ranks=(1, 2, 2, 3)))
    rank = len(b.shape(r))
    leading = rng.randint(1, rank)
    attrs = {"padding": [rng.randint(0, 2) for _ in range(2 * leading)]}
    if rng.random() < 0.6:
        attrs["value"] = rng.choice([0.0, round(rng.uniform(-1.5, 1.5), 3)])
    return [r], attrs


def run_padded(xs, a):
    """Backprop pads leading axes, one (before, after) pair each; F.pad takes pairs from the last axis back."""
    x, flat = xs[0], a["padding"]
    pairs = [flat[i:i + 2] for i in range(0, len(flat), 2)]
    pairs += [[0, 0]] * (x.dim() - len(pairs))
    return F.pad(x, [size for pair in reversed(pairs) for size in pair], value=a.get("value", 0.0))


# MARK: Reductions

def make_axes(b):
    rng = b.rng
    r = b.operand(lambda t: t.dim() >= 1, shape=lambda: random_shape(rng, ranks=(1, 2, 2, 3, 3, 4)))
    rank = len(b.shape(r))
    axes = rng.sample(range(rank), rng.randint(1, rank))     # never empty: PyTorch would sum everything
    return [r], {"axes": [signed(rng, axis, rank) for axis in axes], "keepDims": rng.random() < 0.4}


def make_statistic(b):
    rng = b.rng
    r = b.operand(lambda t: t.dim() >= 1 and max(t.shape) >= 2, shape=lambda: random_shape(rng, ranks=(1, 2, 2, 3)))
    shape = b.shape(r)
    axis = rng.choice([i for i, size in enumerate(shape) if size >= 2] or [0])
    unbiased = shape[axis] >= 2 and rng.random() < 0.7      # n = 1 with unbiased is NaN in both
    return [r], {"axis": signed(rng, axis, len(shape)), "unbiased": unbiased, "keepDims": rng.random() < 0.4}


def run_variance(xs, a):
    return torch.var(xs[0], dim=a["axis"], correction=int(a["unbiased"]), keepdim=a["keepDims"])


def ok_standard_deviation(xs, a, result):
    return bool((result > 0.05).all())       # away from the infinite gradient of a constant lane


def make_product(b):
    """Along an axis; a new operand often holds exact zeros, sometimes two in a lane."""
    rng = b.rng
    shape = random_shape(rng, ranks=(1, 2, 2, 3))
    if rng.random() < 0.4:
        r = b.new_input(shape, "zeros")
    else:
        r = b.operand(lambda t: t.dim() >= 1, shape=lambda: shape)
    rank = len(b.shape(r))
    return [r], {"axis": rng.randint(-rank, rank - 1), "keepDims": rng.random() < 0.4}


def make_cumulative_sum(b):
    rng = b.rng
    r = b.operand(lambda t: t.dim() >= 1, shape=lambda: random_shape(rng, ranks=(1, 2, 2, 3)))
    rank = len(b.shape(r))
    return [r], {"axis": rng.randint(-rank, rank - 1)}


# MARK: Sorting and indexing

def make_sorting(with_k, gather):
    """A sort or top-k along an axis of an operand without ties; with `gather`, its indices
    pick from a second operand (the same one, or another of the same shape) by takingAlong."""
    def make(b):
        rng = b.rng
        r = b.operand(lambda t: t.dim() >= 1, shape=lambda: random_shape(rng, ranks=(1, 2, 2, 3)))
        shape = b.shape(r)
        axis = rng.randrange(len(shape))
        attrs = {"axis": signed(rng, axis, len(shape))}
        if with_k:
            attrs["k"] = rng.randint(1, shape[axis])
        else:
            attrs["descending"] = rng.random() < 0.5
        if not gather:
            return [r], attrs
        if rng.random() < 0.4:
            return [r, r], attrs
        other = b.existing(lambda t: list(t.shape) == shape) if rng.random() < 0.4 else None
        return [r, other if other is not None else b.new_input(shape)], attrs
    return make


def run_sorting(xs, a):
    if "k" in a:
        return torch.topk(xs[0], a["k"], dim=a["axis"])
    return torch.sort(xs[0], dim=a["axis"], descending=a["descending"], stable=True)


def ok_sorting(xs, a, result):
    return distinct_along(xs[0], a["axis"])


def operand_with_indices(b):
    """An operand of rank 1 to 3, an axis of it, and random in-range indices along that axis
    (repeats included) of the same rank: what gather and scatter_add take."""
    rng = b.rng
    r = b.operand(lambda t: t.dim() >= 1, shape=lambda: random_shape(rng, ranks=(1, 2, 2, 3)))
    shape = b.shape(r)
    axis = rng.randrange(len(shape))
    index_shape = [rng.randint(1, 4) if d == axis else rng.randint(1, size) for d, size in enumerate(shape)]
    indices = int_data(index_shape, [rng.randrange(shape[axis]) for _ in range(count(index_shape))])
    return rng, r, shape, axis, index_shape, indices


def make_taking_along(b):
    rng, r, shape, axis, index_shape, indices = operand_with_indices(b)
    return [r], {"axis": signed(rng, axis, len(shape)), "indices": indices}


def make_scattering_add(b):
    """Random indices in range, repeats included; `values` may be larger than the indices, or
    the operand itself."""
    rng, r, shape, axis, index_shape, indices = operand_with_indices(b)
    if rng.random() < 0.2 and all(i <= s for i, s in zip(index_shape, shape)):
        values = r
    else:
        values_shape = [size + (rng.randint(0, 1) if rng.random() < 0.3 else 0) for size in index_shape]
        values = b.new_input(values_shape)
    return [r, values], {"axis": signed(rng, axis, len(shape)), "indices": indices}


def run_scattering_add(xs, a):
    """torch.scatter_add; `values` cut to the indices' shape first, since PyTorch's backward
    fails on a larger `src` (it returns a gradient of the indices' shape). The elements cut
    off are not used either way, and their gradient is 0."""
    indices = int_tensor(a["indices"])
    used = xs[1][tuple(slice(0, size) for size in indices.shape)]
    return xs[0].scatter_add(a["axis"], indices, used)


def make_filling(b):
    rng = b.rng
    registers = [b.operand()]
    attrs = make_mask(b, registers, b.shape(registers[0]), into=True)
    attrs["value"] = 0.0 if rng.random() < 0.3 else round(rng.uniform(-2, 2), 3)
    return registers, attrs


def make_which(b):
    rng = b.rng
    a = b.operand()
    shape = b.shape(a)
    other = b.existing(lambda t: broadcasts(t.shape, shape)) if rng.random() < 0.35 else None
    if other is None:
        other = b.new_input(broadcast_partner(rng, shape))
    registers = [a, other] if rng.random() < 0.5 else [other, a]
    target = list(torch.broadcast_shapes(tuple(shape), tuple(b.shape(other))))
    return registers, make_mask(b, registers, target, into=False)


# MARK: The table

OPS = [
    # Linear algebra with torch.matmul's semantics beyond 2-d and 3-d, and einsum.
    Op("matmulVector", make_matmul_vector, lambda x, a: torch.matmul(x[0], x[1]), weight=2),
    Op("matmulBatched", make_matmul_batched, lambda x, a: torch.matmul(x[0], x[1]), weight=2),
    Op("einsum", make_einsum, lambda x, a: torch.einsum(a["equation"], *x), weight=4),
    # Splitting and padding.
    Op("split", make_split, lambda x, a: run_pieces(torch.split(x[0], a["sizes"], dim=a["axis"]), a)),
    Op("chunked", make_chunked, lambda x, a: run_pieces(torch.chunk(x[0], a["count"], dim=a["axis"]), a)),
    Op("padded", make_padded, run_padded),
    # Reductions over several axes, statistics and running sums.
    Op("sumAxes", make_axes, lambda x, a: x[0].sum(dim=a["axes"], keepdim=a["keepDims"])),
    Op("meanAxes", make_axes, lambda x, a: x[0].mean(dim=a["axes"], keepdim=a["keepDims"])),
    Op("variance", make_statistic, run_variance),
    Op("standardDeviation", make_statistic, lambda x, a: torch.sqrt(run_variance(x, a)), ok_standard_deviation),
    Op("product", make_product, lambda x, a: torch.prod(x[0], dim=a["axis"], keepdim=a["keepDims"]), weight=2),
    Op("cumulativeSum", make_cumulative_sum, lambda x, a: torch.cumsum(x[0], dim=a["axis"])),
    # Sorting, and gathering by its indices (Tensor<Int>).
    Op("sorted", make_sorting(False, False), lambda x, a: run_sorting(x, a).values, ok_sorting),
    Op("topK", make_sorting(True, False), lambda x, a: run_sorting(x, a).values, ok_sorting),
    Op("takingAlongSorted", make_sorting(False, True),
       lambda x, a: torch.gather(x[1], a["axis"], run_sorting(x, a).indices), ok_sorting),
    Op("takingAlongTopK", make_sorting(True, True),
       lambda x, a: torch.gather(x[1], a["axis"], run_sorting(x, a).indices), ok_sorting),
    # Index tensors and masks.
    Op("takingAlong", make_taking_along, lambda x, a: torch.gather(x[0], a["axis"], int_tensor(a["indices"]))),
    Op("scatteringAdd", make_scattering_add, run_scattering_add, weight=2),
    Op("filling", make_filling, lambda x, a: x[0].masked_fill(mask_of(x, a), a["value"]), ok_mask),
    Op("which", make_which, lambda x, a: torch.where(mask_of(x, a), x[0], x[1]), ok_mask),
]
