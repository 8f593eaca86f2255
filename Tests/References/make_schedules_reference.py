"""PyTorch's float64 learning rates for the BackpropNN schedules of the same meaning: for each
schedule, the rate right after it is built (step 0) and after each of 20 calls to step(), on an
SGD optimizer at lr 0.1. Each case also records its arguments, so the Swift test builds the same
schedule from the JSON.

Cases cover PyTorch's defaults, chosen arguments, SequentialLR (LinearLR warm-up, then
CosineAnnealingLR, both built on the same optimizer before SequentialLR, as PyTorch's
documentation shows), and ReduceLROnPlateau fed the fixed metric sequence written beside it.

Run: python Tests/References/make_schedules_reference.py  (writes schedules.json beside it)
"""
import json
import math
import pathlib

import torch
from torch.optim import lr_scheduler as S

torch.set_default_dtype(torch.float64)
STEPS = 20
BASE = 0.1


def optimizer():
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE)


def trajectory(opt, scheduler, metrics=None):
    rates = [opt.param_groups[0]["lr"]]
    for t in range(STEPS):
        opt.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[t])
        rates.append(opt.param_groups[0]["lr"])
    return rates


cases = []


def case(name, kind, arguments, build, metrics=None):
    opt = optimizer()
    cases.append({"name": name, "kind": kind, "arguments": arguments,
                  "metrics": metrics, "rates": trajectory(opt, build(opt), metrics)})


case("stepLR", "step", {"stepSize": 3, "gamma": 0.5}, lambda o: S.StepLR(o, 3, gamma=0.5))
case("multiStepLR", "multiStep", {"milestones": [2, 5, 5, 11], "gamma": 0.3},
     lambda o: S.MultiStepLR(o, [2, 5, 5, 11], gamma=0.3))
case("multiStepLR default gamma", "multiStep", {"milestones": [4, 9]}, lambda o: S.MultiStepLR(o, [4, 9]))
case("exponentialLR", "exponential", {"gamma": 0.85}, lambda o: S.ExponentialLR(o, 0.85))
case("cosineAnnealingLR", "cosine", {"maximumSteps": 8, "minimumLearningRate": 0.005},
     lambda o: S.CosineAnnealingLR(o, 8, eta_min=0.005))
case("linearWarmup", "linear", {"warmupSteps": 6, "startFactor": 0.2},
     lambda o: S.LinearLR(o, start_factor=0.2, total_iters=6))
case("linearWarmup defaults", "linear", {}, lambda o: S.LinearLR(o))
case("polynomialLR defaults", "polynomial", {}, lambda o: S.PolynomialLR(o))
case("polynomialLR", "polynomial", {"totalSteps": 12, "power": 2.5},
     lambda o: S.PolynomialLR(o, total_iters=12, power=2.5))
case("oneCycleLR defaults", "oneCycle", {"maximumLearningRate": 1.0, "totalSteps": 20},
     lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20, cycle_momentum=False))
case("oneCycleLR linear", "oneCycle",
     {"maximumLearningRate": 0.5, "totalSteps": 24, "startFraction": 0.25, "linear": 1,
      "divisionFactor": 10, "finalDivisionFactor": 100},
     lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=24, pct_start=0.25, anneal_strategy="linear",
                            div_factor=10, final_div_factor=100, cycle_momentum=False))


def warmup_then_cosine(o):
    warmup = S.LinearLR(o, start_factor=0.1, total_iters=5)
    cosine = S.CosineAnnealingLR(o, T_max=15, eta_min=0.001)
    return S.SequentialLR(o, [warmup, cosine], milestones=[5])


case("sequentialLR warmup then cosine", "warmupCosine", {"milestone": 5}, warmup_then_cosine)


def three_stages(o):
    first = S.ExponentialLR(o, 0.9)
    second = S.StepLR(o, 2, gamma=0.5)
    third = S.PolynomialLR(o, total_iters=4, power=2)
    return S.SequentialLR(o, [first, second, third], milestones=[4, 11])


case("sequentialLR three stages", "threeStages", {}, three_stages)

plateau_metrics = [1.0, 0.9, 0.8, 0.8, 0.79995, 0.81, 0.85, 0.7, 0.75, 0.75,
                   0.74, 0.76, 0.77, 0.78, 0.69, 0.7, 0.71, 0.72, 0.73, 0.74]
case("reduceLROnPlateau", "plateau", {"patience": 2, "factor": 0.5, "cooldown": 1, "minimumLearningRate": 0.01},
     lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1, min_lr=0.01), plateau_metrics)
case("reduceLROnPlateau max abs", "plateau",
     {"patience": 1, "factor": 0.3, "maximize": 1, "absoluteThreshold": 0.05},
     lambda o: S.ReduceLROnPlateau(o, mode="max", patience=1, factor=0.3, threshold=0.05, threshold_mode="abs"),
     [0.1, 0.2, 0.3, 0.32, 0.33, 0.4, 0.41, 0.42, 0.43, 0.5,
      0.52, 0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.7, 0.71, 0.72])
long_metrics = [1.0] * STEPS
case("reduceLROnPlateau defaults", "plateau", {}, lambda o: S.ReduceLROnPlateau(o), long_metrics)

path = pathlib.Path(__file__).with_name("schedules.json")
path.write_text(json.dumps({"torch": torch.__version__, "steps": STEPS, "baseLearningRate": BASE,
                            "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {path}")
