#!/usr/bin/env python3
"""micrograd 0.1.0 (scalar, pure Python) on Backprop's benchmark workloads.

Runs small-mlp-train and scalar-chain; the other workloads are skipped with a
note on stderr. Same synthetic data, timing harness and output format as
Backprop's `backprop-bench` (README.md beside this file summarises them).

    python micrograd_bench.py [--threads N] [--workload NAME[,NAME...]|all]
                              [--min-time S] [--check]

Every timing is done twice: with Python's cyclic garbage collector on, as
users run micrograd (steps_per_s, us_per_op), and with it paused during the
timed calls and run between samples (*_no_gc: micrograd's own cost).
--threads is only recorded: micrograd is single-threaded.
"""

import argparse
import gc
import importlib.metadata
import json
import math
import os
import statistics
import sys
import time

import numpy as np
from micrograd.engine import Value
from micrograd.nn import Module

FRAMEWORK = "micrograd"
WORKLOADS = ["gemm-128", "gemm-512", "gemm-1024", "mlp-train", "small-mlp-train",
             "scalar-chain", "conv-train", "mlp-train-memory"]
SUPPORTED = {"small-mlp-train", "scalar-chain"}


# ---------------------------------------------------------------- output

def emit(workload, threads, metric, value, unit, reps):
    """Prints one result line; the value is rounded to 6 significant digits."""
    record = {"framework": FRAMEWORK, "workload": workload, "threads": threads,
              "metric": metric, "value": float(f"{value:.6g}"), "unit": unit,
              "reps": int(reps)}
    print(json.dumps(record), flush=True)


def note(text):
    print(f"# {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- synthetic data

def splitmix64(seed, count):
    """The first `count` outputs of SplitMix64 from `seed` (uint64 arithmetic wraps mod 2^64)."""
    state = np.uint64(seed) + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = (state ^ (state >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform(seed, shape, low, high):
    """float32 array, row-major: low + (high - low) * u in double, rounded once; u = 24 bits / 2^24."""
    u = (splitmix64(seed, math.prod(shape)) >> np.uint64(40)).astype(np.float64) / 2.0 ** 24
    return (low + (high - low) * u).astype(np.float32).reshape(shape)


# ---------------------------------------------------------------- timing

def cpu_counters():
    """(busy, steal, total) jiffies of the whole machine from /proc/stat, or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq, steal, sum(fields)


class Meter:
    """Wall time, this process's CPU time and the machine's CPU counters over an interval."""

    def __init__(self):
        self.wall, self.cpu, self.machine = time.perf_counter(), time.process_time(), cpu_counters()

    def summary(self):
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        text = f"cpu {cpu / wall:.2f} cores"
        now = cpu_counters()
        if self.machine and now:
            hz = os.sysconf("SC_CLK_TCK")
            busy, steal, total = (b - a for a, b in zip(self.machine, now))
            others = max(0.0, busy / hz - cpu) / wall
            text += f", others {others:.2f} cores, steal {100 * steal / max(total, 1):.1f}%"
        return text


def time_it(label, fn, min_time, sample_time=0.25, min_samples=5, pause_gc=False):
    """Warms `fn` up, then times samples of `inner` calls; returns (median s per call, reps).

    With pause_gc the cyclic collector is off during each timed run of calls and
    collects between them, untimed.
    """
    def timed(calls):
        if pause_gc:
            gc.disable()
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - t0
        if pause_gc:
            gc.enable()
            gc.collect()
        return elapsed

    first = timed(1)               # lazy initialisation: timed alone, never a sample
    warm, start = [], time.perf_counter()
    while not (len(warm) >= 2 and time.perf_counter() - start >= 0.5) \
            and time.perf_counter() - start < 2.0:   # 3 calls and 0.5 s, or 2 s
        warm.append(timed(1))
    per_call = statistics.median(warm)
    inner = max(1, round(sample_time / per_call))

    meter, samples, measured = Meter(), [], 0.0
    while measured < min_time or len(samples) < min_samples:
        elapsed = timed(inner)
        measured += elapsed
        samples.append(elapsed / inner)
    q1, _, q3 = statistics.quantiles(samples, n=4)
    median = statistics.median(samples)
    ms = lambda s: f"{s * 1e3:.4g}"
    note(f"{label}{' (gc paused)' if pause_gc else ''}: first call {ms(first)} ms, "
         f"warm-up {1 + len(warm)} calls; {len(samples)} samples x {inner}; ms min "
         f"{ms(min(samples))} p25 {ms(q1)} median {ms(median)} p75 {ms(q3)} max "
         f"{ms(max(samples))}; {meter.summary()}")
    return median, len(samples) * inner


# ---------------------------------------------------------------- workloads

def tanh(self):
    """tanh as one node, written like micrograd's Value.relu (which 0.1.0 has, tanh it lacks)."""
    t = math.tanh(self.data)
    out = Value(t, (self,), 'tanh')

    def _backward():
        self.grad += (1 - t ** 2) * out.grad
    out._backward = _backward

    return out


Value.tanh = tanh


class Neuron(Module):
    """micrograd's nn.Neuron with given weights and tanh as the non-linearity."""

    def __init__(self, w, b, nonlin):
        self.w = [Value(float(v)) for v in w]
        self.b = Value(float(b))
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer(Module):
    """micrograd's nn.Layer: weight [out, in] gives neuron j the row W[j]."""

    def __init__(self, weight, bias, nonlin):
        self.neurons = [Neuron(w, b, nonlin) for w, b in zip(weight, bias)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    """micrograd's nn.MLP; parameters W1, b1, W2, ... from seeds 11, 12, 13, ..."""

    def __init__(self, sizes):
        self.layers = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
            bound = 1.0 / math.sqrt(fan_in)
            weight = uniform(11 + 2 * i, (fan_out, fan_in), -bound, bound)
            bias = uniform(12 + 2 * i, (fan_out,), -bound, bound)
            self.layers.append(Layer(weight, bias, nonlin=i != len(sizes) - 2))

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def make_small_mlp():
    """2 -> 16 -> 16 -> 1 with tanh, MSE against x0 * x1, SGD 0.05; returns step() -> loss."""
    model = MLP([2, 16, 16, 1])
    x = uniform(1, (32, 2), -1.0, 1.0)
    inputs = [[float(a), float(b)] for a, b in x]
    targets = [float(a * b) for a, b in x]               # float32 product, as the others
    scale = 1.0 / len(inputs)

    def step():
        rows = [list(map(Value, row)) for row in inputs]
        predictions = list(map(model, rows))
        loss = sum((p - t) ** 2 for p, t in zip(predictions, targets)) * scale
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        return loss
    return step


def make_scalar_chain():
    """x = tanh(x * w + b), 2,500 times from x0, then backward; returns step() -> (x, leaves)."""
    leaves = [Value(0.5), Value(0.9), Value(0.1)]
    x0, w, b = leaves

    def step():
        for leaf in leaves:
            leaf.grad = 0
        x = x0
        for _ in range(2500):
            x = (x * w + b).tanh()
        x.backward()
        return x, leaves
    return step


def run_small_mlp(args):
    name = "small-mlp-train"
    if args.check:
        step = make_small_mlp()
        losses = [step().data for _ in range(11)]
        emit(name, args.threads, "loss_step_1", losses[0], "", 1)
        emit(name, args.threads, "loss_step_11", losses[10], "", 11)
        return
    for suffix, pause_gc in (("", False), ("_no_gc", True)):
        median, reps = time_it(name, make_small_mlp(), args.min_time, pause_gc=pause_gc)
        emit(name, args.threads, "median_time" + suffix, median * 1e3, "ms", reps)
        emit(name, args.threads, "steps_per_s" + suffix, 1 / median, "steps/s", reps)


def run_scalar_chain(args):
    name = "scalar-chain"
    if args.check:
        x, (x0, w, b) = make_scalar_chain()()
        for metric, value in (("x_final", x.data), ("grad_x0", x0.grad), ("grad_w", w.grad),
                              ("grad_b", b.grad)):
            emit(name, args.threads, metric, value, "", 1)
        return
    for suffix, pause_gc in (("", False), ("_no_gc", True)):
        median, reps = time_it(name, make_scalar_chain(), args.min_time, pause_gc=pause_gc)
        emit(name, args.threads, "median_time" + suffix, median * 1e3, "ms", reps)
        emit(name, args.threads, "us_per_op" + suffix, median * 1e6 / 10_000, "us/op", reps)


# ---------------------------------------------------------------- command line

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2,
                        help="thread count, only recorded (default 2)")
    parser.add_argument("--workload", default="all",
                        help="a name, a comma-separated list, or 'all' (default): "
                             + ", ".join(WORKLOADS))
    parser.add_argument("--min-time", type=float, default=1.0,
                        help="least measured seconds per timing (default 1.0)")
    parser.add_argument("--check", action="store_true",
                        help="print check values (losses, gradients) instead of timings")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    args.names = WORKLOADS if args.workload == "all" else args.workload.split(",")
    unknown = [name for name in args.names if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)} (known: {', '.join(WORKLOADS)})")
    return args


def main(argv=None):
    args = parse_args(argv)
    # backward() sorts the graph recursively: the scalar chain is 7,500 nodes deep.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    note(f"micrograd {importlib.metadata.version('micrograd')}, numpy {np.__version__}, "
         f"python {sys.version.split()[0]}; float64 scalars, pure Python")
    note(f"threads {args.threads}: recorded only (micrograd is single-threaded); "
         f"gc thresholds {gc.get_threshold()}")
    for name in args.names:
        if name not in SUPPORTED:
            note(f"{name}: not run by micrograd (scalar, pure Python), skipped")
        elif name == "small-mlp-train":
            run_small_mlp(args)
        else:
            run_scalar_chain(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
