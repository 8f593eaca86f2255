"""PyTorch's float64 trajectories for the BackpropNN optimizers of the same meaning.

Each `cases` entry starts a 3-element parameter at START, feeds it the 20 fixed gradients in
GRADIENTS (set by hand, one optimizer.step() each) and records the parameter after every step and
the optimizer's state for it at the end, under PyTorch's state_dict names. `arguments` holds the
Swift argument labels; Booleans are written as 0 or 1.

Each `lbfgs` entry minimises Rosenbrock's function (1 − x)² + 100(y − x²)², with x and y two
1-element parameters starting at (−1.5, 2), calling LBFGS.step(closure) STEPS_LBFGS times and
recording after each call the loss it returned, x, y, and the state's func_evals and n_iter.

Run: python Tests/References/make_optimizers_reference.py  (writes optimizers.json beside it)
"""
import json
import math
import pathlib

import torch

torch.set_default_dtype(torch.float64)
STEPS = 20
STEPS_LBFGS = 6
START = [1.0, -2.0, 0.5]
GRADIENTS = [[round(math.sin(1.3 * t + 0.7 * i) * (1 + 0.5 * i) + 0.1 * (i - 1), 6) for i in range(3)]
             for t in range(STEPS)]

cases = []


def case(name, kind, arguments, build):
    p = torch.tensor(START, requires_grad=True)
    opt = build([p])
    trajectory = []
    for g in GRADIENTS:
        p.grad = torch.tensor(g)
        opt.step()
        trajectory.append(p.detach().tolist())
    state = {key: (value.reshape(-1).tolist() if isinstance(value, torch.Tensor) else [float(value)])
             for key, value in opt.state[p].items()}
    cases.append({"name": name, "kind": kind, "arguments": arguments, "trajectory": trajectory, "state": state})


O = torch.optim
case("adam amsgrad", "adam", {"learningRate": 0.1, "weightDecay": 0.1, "amsgrad": 1},
     lambda p: O.Adam(p, lr=0.1, weight_decay=0.1, amsgrad=True))
case("adamW amsgrad", "adamW", {"learningRate": 0.1, "weightDecay": 0.1, "amsgrad": 1},
     lambda p: O.AdamW(p, lr=0.1, weight_decay=0.1, amsgrad=True))
case("nAdam defaults", "nAdam", {}, lambda p: O.NAdam(p))
case("nAdam", "nAdam", {"learningRate": 0.05, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6, "weightDecay": 0.1,
                        "momentumDecay": 0.01, "decoupledWeightDecay": 0},
     lambda p: O.NAdam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, momentum_decay=0.01))
case("nAdam decoupled", "nAdam", {"learningRate": 0.05, "weightDecay": 0.1, "decoupledWeightDecay": 1},
     lambda p: O.NAdam(p, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True))
case("rAdam defaults", "rAdam", {}, lambda p: O.RAdam(p))
case("rAdam", "rAdam", {"learningRate": 0.1, "beta1": 0.8, "beta2": 0.9, "epsilon": 1e-6, "weightDecay": 0.1,
                        "decoupledWeightDecay": 0},
     lambda p: O.RAdam(p, lr=0.1, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1))
case("rAdam decoupled", "rAdam", {"learningRate": 0.1, "beta2": 0.9, "weightDecay": 0.1, "decoupledWeightDecay": 1},
     lambda p: O.RAdam(p, lr=0.1, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True))
case("adamax defaults", "adamax", {}, lambda p: O.Adamax(p))
case("adamax", "adamax", {"learningRate": 0.1, "beta1": 0.8, "beta2": 0.9, "epsilon": 1e-3, "weightDecay": 0.1},
     lambda p: O.Adamax(p, lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1))
case("adadelta defaults", "adadelta", {}, lambda p: O.Adadelta(p))
case("adadelta", "adadelta", {"learningRate": 0.5, "rho": 0.8, "epsilon": 1e-4, "weightDecay": 0.1},
     lambda p: O.Adadelta(p, lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1))

lbfgs = []


def lbfgs_case(name, arguments, **options):
    x = torch.tensor([-1.5], requires_grad=True)
    y = torch.tensor([2.0], requires_grad=True)
    opt = O.LBFGS([x, y], **options)

    def closure():
        opt.zero_grad()
        loss = ((1 - x) ** 2 + 100 * (y - x * x) ** 2).sum()
        loss.backward()
        return loss

    steps = []
    for _ in range(STEPS_LBFGS):
        loss = opt.step(closure)
        steps.append({"loss": loss.item(), "x": x.item(), "y": y.item(),
                      "funcEvals": opt.state[x]["func_evals"], "iterations": opt.state[x]["n_iter"]})
    lbfgs.append({"name": name, "arguments": arguments, "steps": steps})


lbfgs_case("defaults", {})
lbfgs_case("strong Wolfe", {"strongWolfe": 1}, line_search_fn="strong_wolfe")
lbfgs_case("small rate", {"learningRate": 0.1}, lr=0.1)
lbfgs_case("history 3, strong Wolfe", {"historySize": 3, "strongWolfe": 1}, history_size=3, line_search_fn="strong_wolfe")
lbfgs_case("5 iterations, history 2", {"maxIterations": 5, "historySize": 2}, max_iter=5, history_size=2)
lbfgs_case("7 iterations, 9 evaluations, strong Wolfe, rate 0.5",
           {"maxIterations": 7, "maxEvaluations": 9, "learningRate": 0.5, "strongWolfe": 1},
           max_iter=7, max_eval=9, lr=0.5, line_search_fn="strong_wolfe")

out = {"steps": STEPS, "start": START, "gradients": GRADIENTS, "cases": cases, "lbfgs": lbfgs}
path = pathlib.Path(__file__).with_name("optimizers.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {len(cases)} trajectories and {len(lbfgs)} L-BFGS runs to {path}")
