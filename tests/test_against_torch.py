"""gradlab's optimizers and schedules against torch.optim itself, when PyTorch is installed.

PyTorch is not a CI dependency: without it this module is skipped. The comparisons run in
float64 (PyTorch keeps some scalar state, such as NAdam's ``mu_product``, in the default
dtype, so the default is switched to float64 for the duration of each test).
"""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from gradlab import optimizers  # noqa: E402
from gradlab.runner import run  # noqa: E402
from gradlab.schedules import (  # noqa: E402
    cosine_annealing,
    exponential_decay,
    inverse_time_decay,
    step_decay,
    warmup_cosine,
)

STEPS = 25


@pytest.fixture(autouse=True)
def float64_default():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def gradient(points):
    """A curved, anisotropic gradient field: f = x^2 + 0.075 x^4 + 5 y^2 - y."""
    x, y = points[..., 0], points[..., 1]
    return np.stack([2 * x + 0.3 * x**3, 10 * y - 1.0], axis=-1)


def grid(**options):
    """Every combination of the listed option values, as keyword dicts."""
    names = list(options)
    return [dict(zip(names, values, strict=True))
            for values in itertools.product(*options.values())]


COMBINATIONS = (
    [("SGD", kw) for kw in grid(lr=[0.05], momentum=[0.0, 0.9], dampening=[0.0, 0.4],
                                weight_decay=[0.0, 0.1])]
    + [("SGD", dict(lr=0.05, momentum=m, nesterov=True, weight_decay=wd))
       for m in (0.5, 0.9) for wd in (0.0, 0.1)]
    + [("Adagrad", kw) for kw in grid(lr=[0.3], lr_decay=[0.0, 0.1], weight_decay=[0.0, 0.1],
                                      initial_accumulator_value=[0.0, 0.5], eps=[1e-10, 1e-3])]
    + [("RMSprop", kw) for kw in grid(lr=[0.01], alpha=[0.99, 0.8], weight_decay=[0.0, 0.1],
                                      momentum=[0.0, 0.7], centered=[False, True])]
    + [(name, kw) for name in ("Adam", "AdamW")
       for kw in grid(lr=[0.1], betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0.0, 0.2],
                      amsgrad=[False, True])]
    + [("Adadelta", kw) for kw in grid(lr=[1.0, 0.5], rho=[0.9, 0.5], weight_decay=[0.0, 0.1])]
    + [("Adamax", kw) for kw in grid(lr=[0.1], betas=[(0.9, 0.999), (0.5, 0.9)],
                                     weight_decay=[0.0, 0.1])]
    + [("NAdam", kw) for kw in grid(lr=[0.1], betas=[(0.9, 0.999), (0.5, 0.9)],
                                    weight_decay=[0.0, 0.1], momentum_decay=[4e-3, 0.1],
                                    decoupled_weight_decay=[False, True])]
)


def torch_trajectory(name, kwargs, start, steps, scheduler=None):
    param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, name)([param], **kwargs)
    sched = scheduler(opt) if scheduler else None
    points = [param.detach().numpy().copy()]
    for _ in range(steps):
        param.grad = torch.tensor(gradient(param.detach().numpy()))
        opt.step()
        if sched:
            sched.step()
        points.append(param.detach().numpy().copy())
    return np.array(points)


@pytest.mark.parametrize(("name", "kwargs"), COMBINATIONS,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(COMBINATIONS)])
def test_every_option_matches_torch_step_by_step(name, kwargs):
    start = np.array([1.3, -0.7])
    expected = torch_trajectory(name, kwargs, start, STEPS)
    record = run(getattr(optimizers, name)(**kwargs), gradient, start, STEPS)
    np.testing.assert_allclose(record.points[:, 0], expected, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta",
                                  "Adamax", "NAdam"])
def test_torch_defaults_give_the_same_steps(name):
    start = np.array([0.4, 2.0])
    expected = torch_trajectory(name, {}, start, STEPS)
    record = run(getattr(optimizers, name)(), gradient, start, STEPS)
    np.testing.assert_allclose(record.points[:, 0], expected, rtol=1e-10, atol=1e-13)


def test_a_sweep_of_rates_matches_one_torch_optimizer_per_rate():
    lrs = np.geomspace(1e-3, 0.5, 7)
    starts = np.random.default_rng(0).uniform(-2, 2, size=(7, 2))
    record = run(optimizers.Adam(lr=lrs, amsgrad=True), gradient, starts, STEPS)
    for i, lr in enumerate(lrs):
        expected = torch_trajectory("Adam", dict(lr=lr, amsgrad=True), starts[i], STEPS)
        np.testing.assert_allclose(record.points[:, i], expected, rtol=1e-10, atol=1e-13)


SCHEDULES = [
    (step_decay(4, 0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 4, gamma=0.5)),
    (exponential_decay(0.9), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)),
    (inverse_time_decay(0.3),
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.3 * t))),
    (cosine_annealing(STEPS, eta_min=0.002),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS, eta_min=0.002)),
    (warmup_cosine(5, STEPS, eta_min=0.002, warmup_start_factor=0.25),
     lambda o: torch.optim.lr_scheduler.SequentialLR(o, [
         torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=5),
         torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS - 5, eta_min=0.002)],
         milestones=[5])),
]


@pytest.mark.parametrize(("schedule", "scheduler"), SCHEDULES, ids=lambda s: getattr(s, "name",
                                                                                     ""))
def test_schedules_match_torch_lr_scheduler(schedule, scheduler):
    param = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([param], lr=0.1)
    sched = scheduler(opt)
    for t in range(STEPS + 1):
        assert schedule(t, 0.1) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-10, abs=1e-15)
        opt.step()
        sched.step()


@pytest.mark.parametrize("name", ["Adam", "AdamW", "NAdam", "SGD"])
def test_a_scheduled_run_matches_torch_with_its_scheduler(name):
    kwargs = dict(lr=0.1, weight_decay=0.1)
    start = np.array([1.3, -0.7])
    expected = torch_trajectory(
        name, kwargs, start, STEPS,
        scheduler=lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS))
    record = run(getattr(optimizers, name)(**kwargs), gradient, start, STEPS,
                 schedule=cosine_annealing(STEPS))
    np.testing.assert_allclose(record.points[:, 0], expected, rtol=1e-10, atol=1e-13)
