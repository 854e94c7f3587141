"""The PyTorch oracle: the cases gradlab is checked on against ``torch.optim``, and its answers.

Two tests use this module:

* ``tests/test_torch_fixture.py`` always runs (CI has no PyTorch). It compares gradlab with
  ``tests/fixtures/torch_trajectories.npz``, the float64 trajectories and learning rates that
  ``torch.optim`` produced for every case below.
* ``tests/test_against_torch.py`` runs where PyTorch is installed. It compares gradlab with
  ``torch.optim`` live, and checks that the fixture is still what PyTorch gives.

To regenerate the fixture after changing a case (from the repository root, in an environment
with PyTorch and gradlab; any venv works, e.g. ``python3 -m venv /tmp/torchvenv &&
/tmp/torchvenv/bin/pip install torch numpy pytest hypothesis && /tmp/torchvenv/bin/pip install
-e .``)::

    /tmp/torchvenv/bin/python -m tests.torch_oracle

then re-check it with ``/tmp/torchvenv/bin/python -m pytest -o addopts="" -q
tests/test_against_torch.py tests/test_torch_fixture.py``.

Nothing here imports PyTorch at import time, so the fixture test runs without it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import pathlib
import platform
from dataclasses import asdict, dataclass

import numpy as np

from gradlab import optimizers
from gradlab.runner import run
from gradlab.schedules import (
    cosine_annealing,
    exponential_decay,
    inverse_time_decay,
    step_decay,
    warmup_cosine,
)

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "torch_trajectories.npz"
STEPS = 25
# The tolerance of every comparison with PyTorch, live or against the fixture.
RTOL, ATOL = 1e-10, 1e-13
LR_RTOL, LR_ATOL = 1e-10, 1e-15


def gradient(points):
    """A curved, anisotropic gradient field: f = x^2 + 0.075 x^4 + 5 y^2 - y."""
    x, y = points[..., 0], points[..., 1]
    return np.stack([2 * x + 0.3 * x**3, 10 * y - 1.0], axis=-1)


def _grid(**options):
    """Every combination of the listed option values, as keyword dicts."""
    names = list(options)
    return [dict(zip(names, values, strict=True))
            for values in itertools.product(*options.values())]


# --------------------------------------------------------------------------- schedules

def _torch_schedulers():
    """``{name: factory}``: the torch.optim.lr_scheduler matching each of :data:`SCHEDULES`."""
    import torch

    lr_scheduler = torch.optim.lr_scheduler
    return {
        "step_decay": lambda o: lr_scheduler.StepLR(o, 4, gamma=0.5),
        "exponential_decay": lambda o: lr_scheduler.ExponentialLR(o, 0.9),
        "inverse_time_decay": lambda o: lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.3 * t)),
        "cosine_annealing": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=STEPS,
                                                                     eta_min=0.002),
        "warmup_cosine": lambda o: lr_scheduler.SequentialLR(o, [
            lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=5),
            lr_scheduler.CosineAnnealingLR(o, T_max=STEPS - 5, eta_min=0.002)],
            milestones=[5]),
        "cosine_to_zero": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=STEPS),
    }


SCHEDULES = {
    "step_decay": step_decay(4, 0.5),
    "exponential_decay": exponential_decay(0.9),
    "inverse_time_decay": inverse_time_decay(0.3),
    "cosine_annealing": cosine_annealing(STEPS, eta_min=0.002),
    "warmup_cosine": warmup_cosine(5, STEPS, eta_min=0.002, warmup_start_factor=0.25),
    "cosine_to_zero": cosine_annealing(STEPS),
}
# The schedules whose learning rates are compared on their own (SGD, lr 0.1).
SCHEDULE_CASES = ["step_decay", "exponential_decay", "inverse_time_decay", "cosine_annealing",
                  "warmup_cosine"]
SCHEDULE_BASE_LR = 0.1


# --------------------------------------------------------------------------- trajectory cases


@dataclass(frozen=True)
class Case:
    """One run: ``optimizer`` with ``kwargs`` (torch.optim's names) from each of ``starts``.

    ``lrs`` gives one learning rate per start (a sweep: one gradlab run, one torch optimizer per
    row); ``schedule`` names an entry of :data:`SCHEDULES`, stepped once per optimizer step.
    """

    id: str
    optimizer: str
    kwargs: dict
    starts: tuple
    lrs: tuple | None = None
    schedule: str | None = None

    def gradlab_optimizer(self):
        kwargs = {k: tuple(v) if k == "betas" else v for k, v in self.kwargs.items()}
        if self.lrs is not None:
            kwargs["lr"] = np.array(self.lrs)
        return getattr(optimizers, self.optimizer)(**kwargs)

    def gradlab_points(self):
        """gradlab's trajectory, ``(STEPS + 1, len(starts), 2)``."""
        schedule = SCHEDULES[self.schedule] if self.schedule else None
        record = run(self.gradlab_optimizer(), gradient, np.array(self.starts), STEPS,
                     schedule=schedule)
        return record.points

    def torch_points(self):
        """torch.optim's trajectory, ``(STEPS + 1, len(starts), 2)``; needs PyTorch."""
        rows = []
        for i, start in enumerate(self.starts):
            kwargs = dict(self.kwargs)
            if self.lrs is not None:
                kwargs["lr"] = self.lrs[i]
            scheduler = _torch_schedulers()[self.schedule] if self.schedule else None
            rows.append(torch_trajectory(self.optimizer, kwargs, np.array(start), scheduler))
        return np.stack(rows, axis=1)


def _cases():
    start = (1.3, -0.7)
    combinations = (
        [("SGD", kw) for kw in _grid(lr=[0.05], momentum=[0.0, 0.9], dampening=[0.0, 0.4],
                                     weight_decay=[0.0, 0.1])]
        + [("SGD", dict(lr=0.05, momentum=m, nesterov=True, weight_decay=wd))
           for m in (0.5, 0.9) for wd in (0.0, 0.1)]
        + [("Adagrad", kw) for kw in _grid(lr=[0.3], lr_decay=[0.0, 0.1],
                                           weight_decay=[0.0, 0.1],
                                           initial_accumulator_value=[0.0, 0.5],
                                           eps=[1e-10, 1e-3])]
        + [("RMSprop", kw) for kw in _grid(lr=[0.01], alpha=[0.99, 0.8],
                                           weight_decay=[0.0, 0.1], momentum=[0.0, 0.7],
                                           centered=[False, True])]
        + [(name, kw) for name in ("Adam", "AdamW")
           for kw in _grid(lr=[0.1], betas=[(0.9, 0.999), (0.5, 0.9)],
                           weight_decay=[0.0, 0.2], amsgrad=[False, True])]
        + [("Adadelta", kw) for kw in _grid(lr=[1.0, 0.5], rho=[0.9, 0.5],
                                            weight_decay=[0.0, 0.1])]
        + [("Adamax", kw) for kw in _grid(lr=[0.1], betas=[(0.9, 0.999), (0.5, 0.9)],
                                          weight_decay=[0.0, 0.1])]
        + [("NAdam", kw) for kw in _grid(lr=[0.1], betas=[(0.9, 0.999), (0.5, 0.9)],
                                         weight_decay=[0.0, 0.1], momentum_decay=[4e-3, 0.1],
                                         decoupled_weight_decay=[False, True])]
    )
    cases = [Case(f"option-{name}-{i}", name, kw, (start,))
             for i, (name, kw) in enumerate(combinations)]
    cases += [Case(f"defaults-{name}", name, {}, ((0.4, 2.0),))
              for name in ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "Adamax",
                           "NAdam")]
    sweep_starts = np.random.default_rng(0).uniform(-2, 2, size=(7, 2))
    cases.append(Case("sweep-Adam-amsgrad", "Adam", {"amsgrad": True},
                      tuple(tuple(float(v) for v in row) for row in sweep_starts),
                      lrs=tuple(float(lr) for lr in np.geomspace(1e-3, 0.5, 7))))
    cases += [Case(f"scheduled-{name}", name, dict(lr=0.1, weight_decay=0.1), (start,),
                   schedule="cosine_to_zero")
              for name in ("Adam", "AdamW", "NAdam", "SGD")]
    return cases


CASES = _cases()


# --------------------------------------------------------------------------- PyTorch itself


@contextlib.contextmanager
def float64_default():
    """Make float64 torch's default dtype (NAdam keeps ``mu_product`` in it), then restore."""
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def torch_trajectory(name, kwargs, start, scheduler=None):
    """``(STEPS + 1, 2)`` points of one ``torch.optim`` optimizer from ``start``."""
    import torch

    param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    kwargs = {k: tuple(v) if k == "betas" else v for k, v in kwargs.items()}
    opt = getattr(torch.optim, name)([param], **kwargs)
    sched = scheduler(opt) if scheduler else None
    points = [param.detach().numpy().copy()]
    for _ in range(STEPS):
        param.grad = torch.tensor(gradient(param.detach().numpy()))
        opt.step()
        if sched:
            sched.step()
        points.append(param.detach().numpy().copy())
    return np.array(points)


def torch_schedule_lrs(name):
    """``(STEPS + 1,)`` learning rates torch's scheduler gives SGD (lr 0.1), read before each
    step."""
    import torch

    param = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([param], lr=SCHEDULE_BASE_LR)
    sched = _torch_schedulers()[name](opt)
    lrs = []
    for _ in range(STEPS + 1):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(lrs)


def torch_answers():
    """Everything the fixture holds, freshly computed with PyTorch: ``{key: array}``."""
    with float64_default():
        answers = {f"points/{case.id}": case.torch_points() for case in CASES}
        answers |= {f"lrs/{name}": torch_schedule_lrs(name) for name in SCHEDULE_CASES}
    return answers


def describe():
    """The fixture's header: how it was made and which cases it holds (JSON text)."""
    import torch

    return json.dumps({
        "made_by": "python -m tests.torch_oracle (from the repository root)",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "dtype": "float64",
        "steps": STEPS,
        "gradient": "f = x^2 + 0.075 x^4 + 5 y^2 - y (tests/torch_oracle.py: gradient)",
        "cases": [asdict(case) for case in CASES],
        "schedules": {name: repr(schedule) for name, schedule in SCHEDULES.items()},
        "schedule_cases": SCHEDULE_CASES,
    }, indent=1)


def load_fixture():
    """The stored answers ``{key: array}`` and the header (a dict)."""
    with np.load(FIXTURE, allow_pickle=False) as stored:
        answers = {key: stored[key] for key in stored.files if key != "header"}
        header = json.loads(str(stored["header"]))
    return answers, header


def write_fixture(path=FIXTURE):
    """Run every case in PyTorch and store the answers (compressed) at ``path``."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, header=np.array(describe()), **torch_answers())
    return path


if __name__ == "__main__":
    written = write_fixture()
    print(f"wrote {written} ({written.stat().st_size} bytes, {len(CASES)} trajectory cases, "
          f"{len(SCHEDULE_CASES)} schedules)")
