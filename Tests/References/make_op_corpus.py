#!/usr/bin/env python3
"""Writes op_corpus.json: random small programs over Backprop's ops, with PyTorch's numbers.

Each program is data: named inputs (shape and float64 values), a list of steps (an op name,
operand registers, attributes such as an axis or a shape) and an output register. PyTorch runs
it in float64 and records

  - the output's value;
  - first order: the gradients of sum(seed * output) with respect to every input;
  - second order: the gradients with respect to every input of sum_i <vectors[i], gradient_i>,
    the first-order gradients taken with create_graph=True.

Tests/BackpropTests/OpCorpusTests.swift runs the same programs through Backprop and compares,
so `swift test` checks the corpus without Python. The script is seeded and deterministic:

    /work/peers-venv/bin/python Tests/References/make_op_corpus.py

The generator composes ops at random, tracking shapes through the real PyTorch values. It keeps
every op's operands in its domain (positive for log, sqrt and fractional powers, away from zero
for division) and away from kinks and ties (relu, abs, clamp bounds, maximum, max reductions and
max pooling), where the two libraries could legitimately differ by a rounding error's worth of
input: any step whose operands fall within MARGIN of such a point is rejected and redrawn.

The corpus grows in rounds (ROUNDS below). Each round has its own seed and number of random
programs, draws from its own ops and from every earlier round's (its own FOCUS times as often),
and ends with its hand-written programs, so adding a round leaves the programs of the earlier
rounds byte for byte unchanged. Round 1's ops are in corpus_ops.py, with how to add one;
round 2's (issue 11: batched matmul, einsum, split, statistics, sorting, index tensors and
masks) in corpus_ops_round2.py.
"""

import json
import math
import random
import sys
from pathlib import Path

import torch

sys.dont_write_bytecode = True      # no __pycache__ beside the corpus
from corpus_ops import OPS as FIRST_ROUND, count, random_shape  # noqa: E402
from corpus_ops_round2 import OPS as SECOND_ROUND  # noqa: E402

OPS = FIRST_ROUND + SECOND_ROUND
OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"

FOCUS = 4              # how much more often a round draws its own ops than earlier rounds' (a power of 2)
MIN_STEPS, MAX_STEPS = 3, 8
BOUND = 60.0           # the largest magnitude an intermediate value may reach
MAX_ELEMENTS = 96      # the largest tensor a step may produce
OUTPUT = Path(__file__).with_name("op_corpus.json")

torch.set_default_dtype(torch.float64)


# MARK: Inputs

def input_values(rng, n, domain):
    if domain == "positive":
        return [round(rng.uniform(0.3, 2.0), 6) for _ in range(n)]
    if domain == "nonzero":
        return [round(rng.choice([-1, 1]) * rng.uniform(0.3, 1.5), 6) for _ in range(n)]
    if domain == "zeros":      # exact zeros among the numbers, for products
        return [0.0 if rng.random() < 0.3 else round(rng.uniform(-1.5, 1.5), 6) for _ in range(n)]
    return [round(rng.uniform(-1.5, 1.5), 6) for _ in range(n)]


# MARK: The builder of one program

class Builder:
    """Registers hold PyTorch values; each is an input or the result of a step."""

    def __init__(self, rng):
        self.rng = rng
        self.values = []       # torch tensors, by register
        self.inputs = []       # registers that are inputs
        self.steps = []        # (op name, operand registers, attributes, result register)
        self.consumed = set()
        self.current = None

    def new_input(self, shape, domain="any"):
        values = input_values(self.rng, count(shape), domain)
        self.values.append(torch.tensor(values).reshape(shape))
        self.inputs.append(len(self.values) - 1)
        return len(self.values) - 1

    def operand(self, fits=lambda t: True, shape=None, domain="any"):
        """The latest value if it fits, else another one that fits, else a new input of `shape()`."""
        rng = self.rng
        if self.current is not None and fits(self.values[self.current]) and rng.random() < 0.85:
            return self.current
        fitting = [r for r, v in enumerate(self.values) if fits(v)]
        if fitting and rng.random() < 0.5:
            fresh = [r for r in fitting if r not in self.consumed]
            return rng.choice(fresh or fitting)
        return self.new_input(shape() if shape else random_shape(rng), domain)

    def existing(self, fits):
        """A register that fits, preferring values no step has used yet, or None."""
        fitting = [r for r, v in enumerate(self.values) if fits(v)]
        fresh = [r for r in fitting if r not in self.consumed]
        return self.rng.choice(fresh or fitting) if fitting else None

    def shape(self, r):
        return list(self.values[r].shape)

    def try_step(self, op):
        mark = (len(self.values), len(self.inputs))
        proposal = op.make(self)
        # A step that leaves the latest value unused starts a new chain: allow only some.
        if proposal is not None and (self.current is None or self.current in proposal[0] or self.rng.random() < 0.3):
            registers, attrs = proposal
            xs = [self.values[r] for r in registers]
            try:
                result = op.run(xs, attrs)
            except RuntimeError as error:
                raise RuntimeError(f"{op.name} on {[list(x.shape) for x in xs]} {attrs}: {error}")
            if acceptable(result) and (op.ok is None or op.ok(xs, attrs, result)):
                self.values.append(result)
                self.steps.append((op.name, registers, attrs, len(self.values) - 1))
                self.consumed.update(registers)
                self.current = len(self.values) - 1
                return True
        del self.values[mark[0]:]
        del self.inputs[mark[1]:]
        return False


def acceptable(t):
    return (t.numel() <= MAX_ELEMENTS and bool(torch.isfinite(t).all())
            and (t.numel() == 0 or float(t.abs().max()) <= BOUND))


# MARK: Programs

def generate(rng, uses, ops, own):
    """One program: MIN_STEPS to MAX_STEPS ops drawn so that rarely used ops come first, and
    the round's `own` ops FOCUS times as often as earlier rounds' ops."""
    b = Builder(rng)
    weights = [op.weight * (FOCUS if op in own else 1) for op in ops]
    for _ in range(rng.randint(MIN_STEPS, MAX_STEPS)):
        for _ in range(200):
            op = rng.choices(ops, weights=[w / (1 + uses[op.name]) ** 2 for op, w in zip(ops, weights)])[0]
            if b.try_step(op):
                uses[op.name] += 1
                break
        else:
            raise RuntimeError("no op applies")
    # Values that no step consumed join the output through a sum, so every gradient path is checked.
    for r in [s[3] for s in b.steps if s[3] not in b.consumed and s[3] != b.current]:
        b.values.append(b.values[r].sum())
        total = len(b.values) - 1
        b.steps.append(("sum", [r], {}, total))
        b.values.append(b.values[b.current] + b.values[total])
        b.steps.append(("add", [b.current, total], {}, len(b.values) - 1))
        b.current = len(b.values) - 1
    return finish(rng, b)


# Hand-written programs whose inputs sit exactly on kinks and ties, where the two libraries'
# conventions are what is compared: (name, inputs as (shape, values), steps as (op, registers,
# attributes), and a note when Backprop knowingly differs from PyTorch). Registers count the
# inputs first, then one per step; the last step is the output.
KINKS = [
    ("relu, abs and leakyRelu at 0", [([5], [0.0, 0.5, -0.5, 0.0, 1.25])],
     [("relu", [0], {}), ("abs", [0], {}), ("leakyRelu", [0], {"negativeSlope": 0.1}),
      ("add", [1, 2], {}), ("add", [4, 3], {}), ("multiply", [5, 0], {})], None),
    ("maximum and minimum with ties, broadcast", [([2, 2], [1.0, 2.0, 0.5, -1.0]), ([2], [1.0, -1.0])],
     [("maximum", [0, 1], {}), ("minimum", [1, 0], {}), ("multiply", [2, 3], {}), ("multiply", [4, 0], {})], None),
    ("max and min along an axis with ties", [([3, 3], [1.0, 3.0, 3.0, 2.0, 2.0, 0.0, -1.0, -1.0, -1.0])],
     [("maxAxis", [0], {"axis": 1, "keepDims": False}), ("minAxis", [0], {"axis": 0, "keepDims": True}),
      ("add", [1, 2], {}), ("multiply", [3, 3], {})], None),
    ("maxPool2d with ties, strided and overlapping",
     [([1, 1, 4, 4], [1.0, 1.0, 2.0, 0.0, 1.0, 0.0, 2.0, 2.0, 3.0, 3.0, 0.0, 0.0, 3.0, 3.0, 0.0, 0.0])],
     [("maxPool2d", [0], {"size": 2}), ("maxPool2d", [0], {"size": 2, "stride": 1}),
      ("multiply", [2, 2], {}), ("sum", [3], {}), ("multiply", [1, 4], {})], None),
    ("pow at 0 with exponents 0, 1, 2 and 3", [([3], [0.0, 0.0, 1.5])],
     [("pow", [0], {"exponent": 0.0}), ("pow", [0], {"exponent": 1.0}), ("pow", [0], {"exponent": 2.0}),
      ("pow", [0], {"exponent": 3.0}), ("add", [1, 2], {}), ("add", [5, 3], {}), ("add", [6, 4], {})], None),
    ("clamped at its bounds", [([4], [-0.5, 0.0, 0.5, 0.75])],
     [("clamped", [0], {"min": -0.5, "max": 0.5}), ("multiply", [1, 0], {})],
     None),
    ("max and min over every element with ties", [([5], [1.0, 3.0, 3.0, -2.0, -2.0])],
     [("max", [0], {}), ("min", [0], {}), ("multiply", [1, 2], {})],
     None),
]


# Round 2's hand-written programs: products over lanes with one, two and only zeros, which
# PyTorch differentiates by a separate path, and the shapes issue 11 names for matmul and einsum
# (inputs whose values are None are drawn at random).
ZEROS_AND_SHAPES = [
    ("product with one and two zeros in a lane, along both axes",
     [([3, 4], [0.0, 1.5, -0.5, 2.0, 0.0, 0.75, 0.0, -1.25, 0.5, -1.0, 1.25, 0.8])],
     [("product", [0], {"axis": 1, "keepDims": False}), ("product", [0], {"axis": 0, "keepDims": True}),
      ("sum", [1], {}), ("multiply", [2, 3], {})], None),
    ("product with a lane of zeros only, and a running sum",
     [([2, 3, 2], [0.0, 0.0, 0.0, 1.5, 0.0, -0.5, 1.25, 0.0, -0.75, 0.5, 2.0, 1.0])],
     [("product", [0], {"axis": -2, "keepDims": False}), ("cumulativeSum", [0], {"axis": 1}),
      ("product", [2], {"axis": 1, "keepDims": True}), ("sum", [1], {}), ("multiplyScalar", [3], {"scalar": 0.5}),
      ("addScalar", [5], {"scalar": 1.0}), ("multiply", [6, 4], {})], None),
    ("product of a single zero, squared", [([4], [0.0, 2.0, -1.5, 0.5])],
     [("product", [0], {"axis": 0, "keepDims": False}), ("multiply", [1, 1], {}), ("multiply", [2, 0], {})], None),
    ("matmul [2, 3, 4, 5] × [2, 3, 5, 2]", [([2, 3, 4, 5], None), ([2, 3, 5, 2], None)],
     [("matmulBatched", [0, 1], {})], None),
    ("matmul [3, 4] × [2, 1, 4, 5]", [([3, 4], None), ([2, 1, 4, 5], None)], [("matmulBatched", [0, 1], {})], None),
    ("matmul [1, 3, 4, 5] × [2, 1, 5, 2]", [([1, 3, 4, 5], None), ([2, 1, 5, 2], None)],
     [("matmulBatched", [0, 1], {})], None),
    ("matmul of vectors: [4]·[4], [3, 4]·[4], [4]·[4, 2], [2, 3, 4]·[4], [4]·[2, 4, 3]",
     [([4], None), ([4], None), ([3, 4], None), ([4, 2], None), ([2, 3, 4], None), ([2, 4, 3], None)],
     [("matmulVector", [0, 1], {}), ("matmulVector", [2, 0], {}), ("matmulVector", [1, 3], {}),
      ("matmulVector", [4, 1], {}), ("matmulVector", [0, 5], {}),
      ("sum", [7], {}), ("sum", [8], {}), ("sum", [9], {}), ("sum", [10], {}),
      ("add", [6, 11], {}), ("add", [15, 12], {}), ("add", [16, 13], {}), ("add", [17, 14], {})], None),
    ("einsum bij,bjk->bik, then ijk->ik, ij->ji, ii->i and i,i->", [([2, 3, 4], None), ([2, 4, 2], None)],
     [("einsum", [0, 1], {"equation": "bij,bjk->bik"}), ("einsum", [2], {"equation": "ijk->ik"}),
      ("einsum", [3], {"equation": "ij->ji"}), ("einsum", [4], {"equation": "ii->i"}),
      ("einsum", [5, 5], {"equation": "i,i->"})], None),
    ("einsum bhtd,bhsd->bhts and ij,j->i", [([2, 2, 3, 4], None), ([2, 2, 2, 4], None), ([4], None)],
     [("einsum", [0, 1], {"equation": "bhtd,bhsd->bhts"}), ("einsum", [0, 2], {"equation": "bhtd,d->bht"}),
      ("einsum", [3], {"equation": "bhts->ts"}), ("einsum", [4], {"equation": "bht->h"}),
      ("einsum", [5, 6], {"equation": "ij,j->i"})], None),
]


def fixed(rng, name, inputs, steps, known):
    """A hand-written program, with PyTorch's numbers."""
    b = Builder(rng)
    for shape, values in inputs:
        if values is None:
            values = input_values(rng, count(shape), "any")
        b.values.append(torch.tensor(values).reshape(shape))
        b.inputs.append(len(b.values) - 1)
    for op, args, attrs in steps:
        b.values.append(OPS_BY_NAME[op].run([b.values[r] for r in args], attrs))
        b.steps.append((op, args, attrs, len(b.values) - 1))
    b.current = len(b.values) - 1
    program = {"name": name, **finish(rng, b)}
    return {**program, "knownDifference": known} if known else program


def evaluate(program, leaves):
    registers = list(leaves)
    for step in program["steps"]:
        registers.append(OPS_BY_NAME[step["op"]].run([registers[r] for r in step["args"]], step["attrs"]))
    return registers[program["output"]]


def finish(rng, b):
    """Numbers the registers (inputs first), then records PyTorch's value and gradients."""
    order = b.inputs + [s[3] for s in b.steps]
    number = {r: i for i, r in enumerate(order)}
    program = {
        "inputs": [{"shape": list(b.values[r].shape), "values": b.values[r].reshape(-1).tolist()} for r in b.inputs],
        "steps": [{"op": name, "args": [number[r] for r in args], "attrs": attrs} for name, args, attrs, _ in b.steps],
        "output": number[b.current],
    }
    leaves = [b.values[r].clone().requires_grad_() for r in b.inputs]
    y = evaluate(program, leaves)
    seed = torch.tensor([round(rng.uniform(-1, 1), 3) for _ in range(y.numel())]).reshape(y.shape)
    vectors = [torch.tensor([round(rng.uniform(-1, 1), 3) for _ in range(x.numel())]).reshape(x.shape) for x in leaves]
    firsts = gradients(y, leaves, seed, create_graph=True)
    second_order = sum(((g * v).sum() for g, v in zip(firsts, vectors)), torch.zeros(()))
    seconds = gradients(second_order, leaves, None, create_graph=False)
    program.update({
        "seed": seed.reshape(-1).tolist(),
        "vectors": [v.reshape(-1).tolist() for v in vectors],
        "value": {"shape": list(y.shape), "values": y.detach().reshape(-1).tolist()},
        "gradients": [g.detach().reshape(-1).tolist() for g in firsts],
        "secondOrder": [g.detach().reshape(-1).tolist() for g in seconds],
    })
    return program


def gradients(y, leaves, seed, create_graph):
    """PyTorch's gradients, zeros where an input does not reach `y`."""
    if not y.requires_grad:
        return [torch.zeros_like(x) for x in leaves]
    found = torch.autograd.grad(y, leaves, grad_outputs=seed, create_graph=create_graph, allow_unused=True)
    # Adding to fresh zeros also materializes PyTorch's lazy zero tensors.
    return [torch.zeros_like(x) if g is None else torch.zeros_like(x) + g for x, g in zip(leaves, found)]


def well_conditioned(program):
    """Finite, moderate gradients, not all zero (a relu of negatives, a softmax over one element)."""
    numbers = [v for g in program["gradients"] + program["secondOrder"] for v in g]
    firsts = [v for g in program["gradients"] for v in g]
    return all(math.isfinite(v) and abs(v) < 1e4 for v in numbers) and any(v != 0 for v in firsts)


# (seed, number of random programs, the round's own ops, its hand-written programs)
ROUNDS = [
    (11_4_2025, 400, FIRST_ROUND, KINKS),
    (11_4_2026, 240, SECOND_ROUND, ZEROS_AND_SHAPES),
]


def main():
    programs = []
    for i, (seed, size, own, hand_written) in enumerate(ROUNDS):
        rng = random.Random(seed)
        ops = [op for _, _, round_ops, _ in ROUNDS[:i + 1] for op in round_ops]
        uses = {op.name: 0 for op in ops}
        made = []
        while len(made) < size:
            program = generate(rng, uses, ops, own)
            if well_conditioned(program):
                made.append(program)
        programs += made + [fixed(rng, *program) for program in hand_written]
    lines = ",\n".join(json.dumps(p, separators=(",", ":")) for p in programs)
    header = json.dumps({"generator": "Tests/References/make_op_corpus.py", "seeds": [r[0] for r in ROUNDS],
                         "torch": torch.__version__, "ops": [op.name for op in OPS]}, separators=(",", ":"))
    OUTPUT.write_text(header[:-1] + ',"programs":[\n' + lines + "\n]}\n")
    used = {}
    for p in programs:
        for s in p["steps"]:
            used[s["op"]] = used.get(s["op"], 0) + 1
    print(f"{len(programs)} programs, {len(used)} of {len(OPS)} ops, "
          f"{sum(len(p['steps']) for p in programs)} steps, {OUTPUT.stat().st_size} bytes")
    print("fewest uses:", sorted(used.items(), key=lambda kv: kv[1])[:8])
    missing = [op.name for op in OPS if op.name not in used]
    if missing:
        raise SystemExit(f"ops never used: {missing}")


if __name__ == "__main__":
    main()
