#!/usr/bin/env python3
"""PyTorch (eager, CPU) on Backprop's benchmark workloads.

Times the workloads that Backprop's `backprop-bench` runs, with the same
synthetic data, timing harness and output format (README.md beside this file
summarises them and says how to install and run the peers).

    python torch_bench.py [--threads N] [--workload NAME[,NAME...]|all]
                          [--min-time S] [--check]

stdout: one JSON object per result, keys framework, workload, threads,
metric, value, unit, reps. stderr: diagnostics, each line starting with "# ".
"""

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

FRAMEWORK = "torch"
WORKLOADS = ["gemm-128", "gemm-512", "gemm-1024", "mlp-train", "small-mlp-train",
             "scalar-chain", "conv-train", "mlp-train-memory"]

np = None      # imported in main(), after the thread variables are set
torch = None


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


def labels(seed, count, classes):
    """Integers in [0, classes): ((z >> 40) * classes) >> 24."""
    z = splitmix64(seed, count) >> np.uint64(40)
    return ((z * np.uint64(classes)) >> np.uint64(24)).astype(np.int64)


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


def time_it(label, fn, min_time, sample_time=0.01, min_samples=3):
    """Warms `fn` up, then times samples of `inner` calls; returns (median s per call, reps)."""
    t0 = time.perf_counter()
    fn()                           # lazy initialisation: timed alone, never a sample
    first = time.perf_counter() - t0
    warm, start = [], time.perf_counter()
    while not (len(warm) >= 2 and time.perf_counter() - start >= 0.5) \
            and time.perf_counter() - start < 2.0:   # 3 calls and 0.5 s, or 2 s
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    per_call = statistics.median(warm)
    inner = max(1, round(sample_time / per_call))

    meter, samples, measured = Meter(), [], 0.0
    while measured < min_time or len(samples) < min_samples:
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        elapsed = time.perf_counter() - t0
        measured += elapsed
        samples.append(elapsed / inner)
    q1, _, q3 = statistics.quantiles(samples, n=4)
    median = statistics.median(samples)
    ms = lambda s: f"{s * 1e3:.4g}"
    note(f"{label}: first call {ms(first)} ms, warm-up {1 + len(warm)} calls; "
         f"{len(samples)} samples x {inner}; ms min {ms(min(samples))} p25 {ms(q1)} "
         f"median {ms(median)} p75 {ms(q3)} max {ms(max(samples))}; {meter.summary()}")
    return median, len(samples) * inner


# ---------------------------------------------------------------- workloads

def load_parameters(model):
    """W1, b1, W2, b2, ... from seeds 11, 12, 13, ...: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    seed = 11
    with torch.no_grad():
        for layer in model:
            if not hasattr(layer, "weight"):
                continue
            bound = 1.0 / math.sqrt(layer.weight[0].numel())   # fan_in: in, or in_channels * kh * kw
            for param in (layer.weight, layer.bias):
                param.copy_(torch.from_numpy(uniform(seed, tuple(param.shape), -bound, bound)))
                seed += 1


def make_training(name):
    """Model, batch, loss and SGD for a training workload; returns step() -> loss tensor."""
    nn, F = torch.nn, torch.nn.functional
    if name == "mlp-train":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                              nn.Linear(256, 10))
        x = torch.from_numpy(uniform(1, (64, 784), 0.0, 1.0))
        target = torch.from_numpy(labels(2, 64, 10))
        loss_fn, lr = F.cross_entropy, 0.01
    elif name == "small-mlp-train":
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                              nn.Linear(16, 1))
        x = torch.from_numpy(uniform(1, (32, 2), -1.0, 1.0))
        target = (x[:, 0] * x[:, 1]).reshape(32, 1)          # float32 product
        loss_fn, lr = F.mse_loss, 0.05
    elif name == "conv-train":
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
                              nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
                              nn.Flatten(), nn.Linear(1568, 10))
        x = torch.from_numpy(uniform(1, (32, 1, 28, 28), 0.0, 1.0))
        target = torch.from_numpy(labels(2, 32, 10))
        loss_fn, lr = F.cross_entropy, 0.01
    else:
        raise ValueError(name)
    load_parameters(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)   # defaults: no momentum, no decay

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), target)
        loss.backward()
        optimizer.step()
        return loss
    return step


def make_scalar_chain():
    """x = tanh(x * w + b), 2,500 times from x0, then backward; returns step() -> (x, leaves)."""
    leaves = [torch.tensor(v, dtype=torch.float32, requires_grad=True) for v in (0.5, 0.9, 0.1)]
    x0, w, b = leaves

    def step():
        for leaf in leaves:
            leaf.grad = None
        x = x0
        for _ in range(2500):
            x = torch.tanh(x * w + b)
        x.backward()
        return x, leaves
    return step


def run_gemm(name, args):
    n = int(name.split("-")[1])
    a = torch.from_numpy(uniform(1, (n, n), -1.0, 1.0))
    b = torch.from_numpy(uniform(2, (n, n), -1.0, 1.0))
    c = torch.empty(n, n)
    gemm = lambda: torch.mm(a, b, out=c)
    if args.check:
        gemm()
        emit(name, args.threads, "c_sum", c.double().sum().item(), "", 1)
        return
    median, reps = time_it(name, gemm, args.min_time)
    emit(name, args.threads, "median_time", median * 1e3, "ms", reps)
    emit(name, args.threads, "gflops", 2 * n ** 3 / median / 1e9, "GFLOPS", reps)


def run_training(name, args):
    step = make_training(name)
    if args.check:
        losses = [step().item() for _ in range(11)]
        emit(name, args.threads, "loss_step_1", losses[0], "", 1)
        emit(name, args.threads, "loss_step_11", losses[10], "", 11)
        return
    median, reps = time_it(name, step, args.min_time)
    emit(name, args.threads, "median_time", median * 1e3, "ms", reps)
    emit(name, args.threads, "steps_per_s", 1 / median, "steps/s", reps)


def run_scalar_chain(args):
    name, step = "scalar-chain", make_scalar_chain()
    if args.check:
        x, (x0, w, b) = step()
        for metric, value in (("x_final", x), ("grad_x0", x0.grad), ("grad_w", w.grad),
                              ("grad_b", b.grad)):
            emit(name, args.threads, metric, value.item(), "", 1)
        return
    median, reps = time_it(name, step, args.min_time)
    emit(name, args.threads, "median_time", median * 1e3, "ms", reps)
    emit(name, args.threads, "us_per_op", median * 1e6 / 10_000, "us/op", reps)


def vmrss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024       # kB -> MiB
    raise RuntimeError("no VmRSS in /proc/self/status")


def memory_child(threads):
    """In a fresh process, right after the imports: 1,000 mlp-train steps, no warm-up."""
    name, after_imports = "mlp-train-memory", vmrss_mib()
    step = make_training("mlp-train")
    start = time.perf_counter()
    for i in range(1, 1001):
        step()
        if i == 100:
            at_100 = vmrss_mib()
    at_1000 = vmrss_mib()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux
    note(f"{name}: 1,000 steps in {time.perf_counter() - start:.2f} s")
    emit(name, threads, "rss_after_imports", after_imports, "MiB", 0)
    emit(name, threads, "rss_step_100", at_100, "MiB", 100)
    emit(name, threads, "rss_step_1000", at_1000, "MiB", 1000)
    emit(name, threads, "peak_rss", peak, "MiB", 1000)
    emit(name, threads, "peak_rss_above_imports", peak - after_imports, "MiB", 1000)


def run_memory(args):
    if args.check:
        note("mlp-train-memory: no check values, skipped")
        return 0
    if not os.path.exists("/proc/self/status"):
        note("mlp-train-memory: needs /proc/self/status (Linux), skipped")
        return 0
    command = [sys.executable, os.path.abspath(__file__), "--threads", str(args.threads),
               "--memory-child"]
    status = subprocess.run(command).returncode
    if status != 0:
        note(f"mlp-train-memory: child process failed with status {status}")
    return status


# ---------------------------------------------------------------- command line

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="thread count (default 2)")
    parser.add_argument("--workload", default="all",
                        help="a name, a comma-separated list, or 'all' (default): "
                             + ", ".join(WORKLOADS))
    parser.add_argument("--min-time", type=float, default=1.0,
                        help="least measured seconds per timing (default 1.0)")
    parser.add_argument("--check", action="store_true",
                        help="print check values (sums, losses, gradients) instead of timings")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    args.names = WORKLOADS if args.workload == "all" else args.workload.split(",")
    unknown = [name for name in args.names if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)} (known: {', '.join(WORKLOADS)})")
    return args


def main(argv=None):
    global np, torch
    args = parse_args(argv)
    # The OpenMP, MKL and OpenBLAS pools read these once, when the libraries load.
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    import numpy
    import torch as torch_module
    np, torch = numpy, torch_module
    torch.set_num_threads(args.threads)
    if args.memory_child:
        memory_child(args.threads)
        return 0

    note(f"torch {torch.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}, "
         f"{os.cpu_count()} cpus")
    note(f"threads {args.threads}: torch.get_num_threads() = {torch.get_num_threads()}, "
         f"OMP/MKL/OPENBLAS_NUM_THREADS = {args.threads}; MKL {torch.backends.mkl.is_available()}, "
         f"oneDNN {torch.backends.mkldnn.is_available()}, "
         f"cpu capability {torch.backends.cpu.get_cpu_capability()}")
    status = 0
    for name in args.names:
        sys.stdout.flush()
        if name.startswith("gemm-"):
            run_gemm(name, args)
        elif name == "scalar-chain":
            run_scalar_chain(args)
        elif name == "mlp-train-memory":
            status = run_memory(args) or status
        else:
            run_training(name, args)
    return status


if __name__ == "__main__":
    sys.exit(main())
