"""Schedules against torch.optim.lr_scheduler's closed forms, restated here with ``math``."""

import math

import numpy as np
import pytest

from gradlab.optimizers import SGD
from gradlab.runner import run
from gradlab.schedules import (
    cosine_annealing,
    exponential_decay,
    inverse_time_decay,
    step_decay,
    warmup_cosine,
)

STEPS = range(0, 60)


def test_step_decay_is_steplr():
    schedule = step_decay(step_size=7, gamma=0.3)
    for t in STEPS:
        assert schedule(t, 0.2) == pytest.approx(0.2 * 0.3 ** (t // 7), rel=1e-14)


def test_step_decay_default_gamma_is_a_tenth():
    assert step_decay(5)(5, 1.0) == pytest.approx(0.1)


def test_exponential_decay_is_exponentiallr():
    schedule = exponential_decay(0.95)
    for t in STEPS:
        assert schedule(t, 0.5) == pytest.approx(0.5 * 0.95**t, rel=1e-14)


def test_inverse_time_decay():
    schedule = inverse_time_decay(0.25)
    for t in STEPS:
        assert schedule(t, 0.5) == pytest.approx(0.5 / (1 + 0.25 * t), rel=1e-14)


def test_cosine_annealing_is_cosineannealinglr_closed_form():
    schedule = cosine_annealing(total_steps=40, eta_min=0.01)
    for t in STEPS:
        expected = 0.01 + (0.3 - 0.01) * (1 + math.cos(math.pi * t / 40)) / 2
        assert schedule(t, 0.3) == pytest.approx(expected, rel=1e-13, abs=1e-16)
    assert schedule(0, 0.3) == pytest.approx(0.3)
    assert schedule(40, 0.3) == pytest.approx(0.01)


def test_warmup_cosine_rises_linearly_then_follows_a_cosine():
    warmup, total, start, eta_min, base = 10, 50, 0.2, 0.001, 0.4
    schedule = warmup_cosine(warmup, total, eta_min=eta_min, warmup_start_factor=start)
    for t in range(total + 1):
        if t < warmup:
            expected = base * (start + (1 - start) * t / warmup)
        else:
            progress = (t - warmup) / (total - warmup)
            expected = eta_min + (base - eta_min) * (1 + math.cos(math.pi * progress)) / 2
        assert schedule(t, base) == pytest.approx(expected, rel=1e-13, abs=1e-16)
    assert schedule(0, base) == pytest.approx(start * base)
    assert schedule(warmup, base) == pytest.approx(base)
    assert schedule(total, base) == pytest.approx(eta_min)


def test_warmup_cosine_defaults_to_linearlr_start_factor_and_allows_no_warmup():
    assert warmup_cosine(4, 20)(0, 0.9) == pytest.approx(0.3)
    plain = warmup_cosine(0, 20, eta_min=0.1)
    reference = cosine_annealing(20, eta_min=0.1)
    for t in range(21):
        assert plain(t, 0.9) == pytest.approx(reference(t, 0.9))


SCHEDULES = [step_decay(3, 0.5), exponential_decay(0.9), inverse_time_decay(0.1),
             cosine_annealing(30, 0.001), warmup_cosine(5, 30)]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: s.name)
def test_vectorized_over_steps_and_base_rates(schedule):
    base = np.array([0.1, 0.5, 2.0])
    steps = np.arange(12)
    table = schedule(steps[:, None], base)
    assert table.shape == (12, 3)
    for k in steps:
        for i, b in enumerate(base):
            assert table[k, i] == pytest.approx(schedule(int(k), float(b)), rel=1e-14)
    assert schedule(steps, 0.1).shape == (12,)
    assert schedule(4, base).shape == (3,)
    assert isinstance(schedule(4, 0.1), float)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: step_decay(0), "step_size must be >= 1, got 0"),
        (lambda: step_decay(2.5), "step_size must be an integer"),
        (lambda: step_decay(3, gamma=0.0), "gamma must be > 0 and <= 1, got 0.0"),
        (lambda: exponential_decay(1.5), "gamma must be > 0 and <= 1"),
        (lambda: exponential_decay("slow"), "gamma must be a number"),
        (lambda: inverse_time_decay(-1.0), "decay_rate must be >= 0"),
        (lambda: cosine_annealing(0), "total_steps must be >= 1"),
        (lambda: cosine_annealing(10, eta_min=-0.1), "eta_min must be >= 0"),
        (lambda: warmup_cosine(10, 10), "warmup_steps must be < total_steps"),
        (lambda: warmup_cosine(2, 10, warmup_start_factor=0.0), "warmup_start_factor must be"),
        (lambda: cosine_annealing(float("nan")), "total_steps must be an integer"),
    ],
)
def test_bad_arguments_are_refused_clearly(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("step", [-1, 2.5])
def test_bad_steps_are_refused(step):
    with pytest.raises(ValueError, match="step must be a whole number >= 0"):
        exponential_decay(0.9)(step, 0.1)


def test_repr_names_the_schedule_and_its_arguments():
    assert repr(step_decay(3, 0.5)) == "step_decay(step_size=3, gamma=0.5)"


def test_a_schedule_sets_each_step_of_gradient_descent():
    # Constant gradient 1: each SGD step moves the point by exactly -lr_k.
    base, gamma = 0.2, 0.5
    record = run(SGD(lr=base), lambda x: np.ones_like(x), np.zeros((1, 1)), 9,
                 schedule=step_decay(3, gamma))
    expected_lrs = [base * gamma ** (k // 3) for k in range(9)]
    np.testing.assert_allclose(record.lrs[:, 0], expected_lrs, rtol=1e-14)
    moves = np.diff(record.points[:, 0, 0])
    np.testing.assert_allclose(moves, [-lr for lr in expected_lrs], rtol=1e-12)


def test_a_schedule_scales_per_row_base_rates():
    base = np.array([0.1, 0.4])
    record = run(SGD(lr=base), lambda x: np.ones_like(x), np.zeros((2, 1)), 6,
                 schedule=exponential_decay(0.5))
    for k in range(6):
        np.testing.assert_allclose(record.lrs[k], base * 0.5**k, rtol=1e-14)
    np.testing.assert_allclose(record.points[-1, :, 0], -base * sum(0.5**k for k in range(6)))
