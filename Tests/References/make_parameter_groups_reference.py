"""PyTorch's float64 trajectories for optimizers and schedules over two parameter groups.

The problem: a linear map with a per-output scale, pred = (x·Wᵀ + b)·s, and the loss
½·Σ(pred − y)², with x [4, 3], y [4, 2], W [2, 3], b [2] and s [2] built by the sine
pattern of Support.swift's `sinePattern` (sin(scale·i + shift) over the flat positions).
W is the "weights" group; b and s (a bias and a norm-like scale) are the other group.
Each `optimizers` entry takes 20 steps, each on the gradient of the loss at the current
parameters, and records W, b and s flattened after every step. `defaults` holds the Swift
argument labels of the optimizer's defaults, `groups` each group's settings (Swift labels).

Each `schedules` entry drives an SGD optimizer whose two groups start at lr 0.1 and 0.01, and
records both groups' rates right after the schedule is built and after each of 20 steps.

Run: python Tests/References/make_parameter_groups_reference.py  (writes parameter_groups.json beside it)
"""
import json
import math
import pathlib

import torch
from torch.optim import lr_scheduler as S

torch.set_default_dtype(torch.float64)
STEPS = 20
O = torch.optim


def sine(shape, scale, shift):
    n = math.prod(shape)
    return torch.tensor([math.sin(scale * i + shift) for i in range(n)]).reshape(shape)


X = sine([4, 3], 0.7, 0.1)
Y = sine([4, 2], 1.1, 0.3)


def start():
    return (sine([2, 3], 0.5, 0.2).requires_grad_(), sine([2], 0.9, 0.4).requires_grad_(),
            (1 + 0.1 * sine([2], 1.3, 0.0)).requires_grad_())


def loss(w, b, s):
    return 0.5 * (((X @ w.T + b) * s - Y) ** 2).sum()


TORCH_NAMES = {"learningRate": "lr", "weightDecay": "weight_decay", "momentum": "momentum",
               "dampening": "dampening", "alpha": "alpha", "epsilon": "eps"}


def torch_options(settings):
    options = {TORCH_NAMES[k]: v for k, v in settings.items() if k not in ("beta1", "beta2")}
    if "beta1" in settings:
        options["betas"] = (settings["beta1"], settings["beta2"])
    return options


optimizers = []


def case(name, kind, constructor, defaults, first, second):
    w, b, s = start()
    groups = [dict(params=[w], **torch_options(first)), dict(params=[b, s], **torch_options(second))]
    opt = constructor(groups, **torch_options(defaults))
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss(w, b, s).backward()
        opt.step()
        trajectory.append(torch.cat([w.detach().reshape(-1), b.detach(), s.detach()]).tolist())
    optimizers.append({"name": name, "kind": kind, "defaults": defaults, "groups": [first, second],
                       "trajectory": trajectory})


# The standard recipe: decay on weights, none on biases and norms, each with its own rate.
case("adamW decay on weights only", "adamW", O.AdamW, {"learningRate": 1e-3},
     {"learningRate": 1e-2, "weightDecay": 0.01}, {"learningRate": 5e-3, "weightDecay": 0.0})
case("sgd momentum per group", "sgd", O.SGD, {"learningRate": 0.05, "momentum": 0.8, "dampening": 0.1},
     {"momentum": 0.9, "weightDecay": 0.01}, {"learningRate": 0.02})
case("rmsprop momentum on one group", "rmsProp", O.RMSprop, {"learningRate": 0.01},
     {"learningRate": 0.02, "momentum": 0.5}, {"weightDecay": 0.1})
case("adam betas per group", "adam", O.Adam, {"learningRate": 0.01},
     {"learningRate": 0.05, "beta1": 0.8, "beta2": 0.99}, {"weightDecay": 0.1})

schedules = []
BASES = [0.1, 0.01]


def schedule_case(name, build):
    opt = O.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": BASES[0]},
                 {"params": [torch.zeros(1, requires_grad=True)], "lr": BASES[1]}], lr=0.5)
    scheduler = build(opt)
    rates = [[g["lr"] for g in opt.param_groups]]
    for _ in range(STEPS):
        opt.step()
        scheduler.step()
        rates.append([g["lr"] for g in opt.param_groups])
    schedules.append({"name": name, "rates": rates})


def warmup_then_cosine(o):
    warmup = S.LinearLR(o, start_factor=0.1, total_iters=5)
    cosine = S.CosineAnnealingLR(o, T_max=15, eta_min=0.001)
    return S.SequentialLR(o, [warmup, cosine], milestones=[5])


schedule_case("warmup then cosine", warmup_then_cosine)
schedule_case("one cycle", lambda o: S.OneCycleLR(o, max_lr=[0.4, 0.04], total_steps=20, cycle_momentum=False))
schedule_case("step", lambda o: S.StepLR(o, step_size=3, gamma=0.5))

out = {"bases": BASES, "optimizers": optimizers, "schedules": schedules}
path = pathlib.Path(__file__).with_name("parameter_groups.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
