"""Several optimizers run side by side (runner.run_side_by_side, runner.steps_to_reach): the same
numbers as one run() per optimizer, bit for bit, and closed forms where there are some."""

import math
import tracemalloc
from functools import partial

import numpy as np
import pytest

from gradlab.functions import beale, rosenbrock
from gradlab.optimizers import SGD, Adagrad, Adam, AdamW, NAdam, RMSprop
from gradlab.runner import run, run_side_by_side, steps_to_reach

LRS = np.geomspace(1e-4, 30.0, 12)  # small rates crawl, large ones diverge
STARTS = np.array([[-1.5, 2.0], [0.0, -0.5], [1.5, 2.8]])
ROWS = np.repeat(STARTS, len(LRS), axis=0)
MAKERS = {
    "SGD": SGD,
    "SGD + momentum": partial(SGD, momentum=0.9),
    "Nesterov": partial(SGD, momentum=0.9, nesterov=True),
    "Adagrad": Adagrad,
    "RMSprop": partial(RMSprop, centered=True, momentum=0.5),
    "Adam": Adam,
    "AMSGrad": partial(Adam, amsgrad=True),
    "AdamW": AdamW,
    "NAdam": NAdam,
}


def optimizers():
    return {name: make(lr=np.tile(LRS, len(STARTS))) for name, make in MAKERS.items()}


@pytest.mark.parametrize("surface", [rosenbrock(), beale()], ids=lambda s: s.name)
def test_side_by_side_gives_each_optimizer_the_numbers_of_its_own_run(surface):
    together = run_side_by_side(optimizers(), surface.gradient, ROWS, 150, value=surface.value)
    assert list(together) == list(MAKERS)
    diverged = 0
    for name, optimizer in optimizers().items():
        alone = run(optimizer, surface.gradient, ROWS, 150, value=surface.value)
        mine = together[name]
        np.testing.assert_array_equal(mine.points, alone.points)  # NaN where both are NaN
        np.testing.assert_array_equal(mine.values, alone.values)
        np.testing.assert_array_equal(mine.diverged_at, alone.diverged_at)
        np.testing.assert_array_equal(mine.lrs, alone.lrs)
        diverged += mine.diverged.sum()
    assert diverged > 0  # the comparison covered parked rows too


@pytest.mark.parametrize("surface", [rosenbrock(), beale()], ids=lambda s: s.name)
def test_steps_to_reach_is_what_each_run_records(surface):
    target = 1e-2
    reached = steps_to_reach(optimizers(), surface.gradient, ROWS, 400, value=surface.value,
                             target=target)
    arrived = 0
    for name, optimizer in optimizers().items():
        alone = run(optimizer, surface.gradient, ROWS, 400, value=surface.value)
        np.testing.assert_array_equal(reached[name], alone.steps_to_reach(target))
        assert reached[name].dtype.kind == "i"
        arrived += (reached[name] >= 0).sum()
    assert 0 < arrived < len(MAKERS) * len(ROWS)  # some arrive, some do not


def test_steps_to_reach_follows_the_closed_form_of_gradient_descent_on_a_parabola():
    # x_k = (1 - 2 lr)^k x0 on f = x²; counted with plain floats, step by step.
    lrs = np.array([0.01, 0.1, 0.3, 0.5, 0.9, 1.05])
    starts = np.array([[1.0], [-3.0]])
    rows = np.repeat(starts, len(lrs), axis=0)
    target, steps = 1e-6, 500
    reached = steps_to_reach({"gd": SGD(lr=np.tile(lrs, 2)), "slow": SGD(lr=0.001)},
                             lambda p: 2 * p, rows, steps, value=lambda p: p[:, 0] ** 2,
                             target=target)
    expected = []
    for x0 in starts[:, 0]:
        for lr in lrs:
            x = x0
            for k in range(steps + 1):
                if x * x <= target:
                    expected.append(k)
                    break
                x = x - lr * 2 * x
            else:
                expected.append(-1)
    assert reached["gd"].tolist() == expected
    # From x0 = 1: the first k with (1 - 2 lr)^(2k) <= target, k = ceil(ln target / 2 ln|1 - 2 lr|)
    closed = [math.ceil(math.log(target) / (2 * math.log(abs(1 - 2 * lr)))) for lr in lrs[:3]]
    assert expected[:4] == closed + [1] and expected[5] == -1  # lr = 1.05 grows: never
    assert reached["slow"].tolist() == [-1] * len(rows)


def test_a_row_whose_gradient_fails_where_it_arrives_has_not_arrived():
    # f = x² with a gradient that is NaN close to 0: a step landing there makes the row
    # diverge at that step, and run() counts its value there as NaN, so neither arrives.
    def gradient(points):
        return np.where(np.abs(points) < 0.01, np.nan, 2 * points)

    def value(points):
        return points[:, 0] ** 2

    start = np.array([[1.0], [1.0], [1.0]])
    lrs = np.array([0.5, 0.25, 0.1])   # 0.5 lands on 0 in one step; the others approach
    reached = steps_to_reach({"gd": SGD(lr=lrs)}, gradient, start, 60, value=value,
                             target=1e-3)["gd"]
    alone = run(SGD(lr=lrs), gradient, start, 60, value=value)
    assert alone.diverged_at[0] == 1
    np.testing.assert_array_equal(reached, alone.steps_to_reach(1e-3))
    assert reached[0] == -1 and reached[1] == 5   # 0.5^k ≤ 0.0316 from k = 5 (x ≥ 0.01 then)


def test_steps_to_reach_keeps_no_path():
    n, steps = 200, 20_000      # a path would be 20001 × 200 × 8 bytes = 32 MB
    tracemalloc.start()
    try:
        steps_to_reach({"gd": SGD(lr=np.full(n, 1e-6))}, lambda p: 2 * p, np.ones((n, 1)),
                       steps, value=lambda p: p[:, 0] ** 2, target=1e-9)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_a_run_without_schedule_stores_its_rate_once():
    record = run(Adam(lr=np.array([0.1, 0.2])), lambda p: 2 * p, np.ones((2, 1)), 1000)
    assert record.lrs.shape == (1000, 2)
    np.testing.assert_array_equal(record.lrs[-1], [0.1, 0.2])
    assert record.lrs.strides[0] == 0  # one row of rates, viewed 1000 times
    assert math.isclose(float(record.lrs[500, 1]), 0.2)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="optimizers must be a non-empty dict"):
        run_side_by_side({}, lambda p: p, [[1.0]], 3)
    with pytest.raises(ValueError, match="optimizers must be a non-empty dict"):
        steps_to_reach(SGD(lr=0.1), lambda p: p, [[1.0]], 3, value=lambda p: p[:, 0],
                       target=0.0)
    with pytest.raises(ValueError, match="needs value="):
        steps_to_reach({"gd": SGD(lr=0.1)}, lambda p: p, [[1.0]], 3, value=None, target=0.0)
    with pytest.raises(ValueError, match="steps must be a whole number"):
        run_side_by_side({"gd": SGD(lr=0.1)}, lambda p: p, [[1.0]], -1)
    with pytest.raises(ValueError, match="3 trajectories"):
        run_side_by_side({"gd": SGD(lr=np.ones(3))}, lambda p: p, [[1.0], [2.0]], 3)
