"""Tests for gradlab.lr_search, checked against closed forms and hand-restated formulas."""

import doctest
import functools
import math
import warnings

import numpy as np
import pytest

import gradlab.lr_search
from gradlab.functions import quadratic_bowl
from gradlab.lr_search import grid_search_lr, lr_range_test, random_search_lr
from gradlab.optimizers import SGD, Adam
from tests.step_problems import Counter, parabola, quadratic, rotated_quadratic

# ---------------------------------------------------------------------------------------------
# Grid and random search over the learning rate
# ---------------------------------------------------------------------------------------------

LAM_MIN, LAM_MAX = 1.0, 10.0


def bowl():
    """f = 1/2 xᵀAx with eigenvalues 1 and 10, rotated; its Q for closed forms."""
    A, Q = rotated_quadratic([LAM_MIN, LAM_MAX], 0.5)
    value, gradient = quadratic(A, np.zeros(2))
    return A, Q, value, gradient


def gd_final_value_closed_form(Q, start, lr, steps):
    """f(x_T) for gradient descent on the bowl: each eigen-component scales by (1 - lr λ)^T."""
    coordinates = Q.T @ start
    lams = np.array([LAM_MIN, LAM_MAX])
    return 0.5 * np.sum(lams * (coordinates * (1.0 - lr * lams) ** steps) ** 2)


def test_grid_search_finds_the_optimal_constant_step_of_gradient_descent():
    A, Q, value, gradient = bowl()
    start = np.array([1.0, 1.0])
    lrs = np.linspace(0.01, 0.25, 481)
    search = grid_search_lr(SGD, gradient, value, start, lrs, steps=200)
    optimal = 2.0 / (LAM_MIN + LAM_MAX)
    assert search.best_lr == pytest.approx(optimal, rel=0.01)
    assert search.best_value == search.final_values[search.best_index]
    assert search.best_lr == lrs[search.best_index]
    assert search.trajectory.points.shape == (201, 481, 2)
    # Every run that did not diverge ends where the closed form says.
    for i in np.flatnonzero(~search.diverged)[::20]:
        expected = gd_final_value_closed_form(Q, start, lrs[i], 200)
        assert search.final_values[i] == pytest.approx(expected, rel=1e-6, abs=1e-300)
    assert np.all(np.isnan(search.final_values[search.diverged]))


def test_grid_search_divergence_starts_exactly_beyond_two_over_lambda_max():
    _, _, value, gradient = bowl()
    edge = 2.0 / LAM_MAX
    factors = np.array([0.3, 0.9, 0.99, 0.999, 1.0, 1.05, 1.1, 1.5, 3.0])
    search = grid_search_lr(SGD, gradient, value, np.array([0.3, -2.0]), edge * factors, 500)
    # |1 - lr λmax| > 1 beyond the edge; (1.1)^500 passes the 1e6 bound, 1.0 oscillates.
    np.testing.assert_array_equal(search.diverged, factors > 1.0)


def test_grid_search_counts_gradient_evaluations():
    _, _, value, gradient = bowl()
    counter = Counter(gradient)
    search = grid_search_lr(SGD, counter, value, np.ones(2), [0.01, 0.1, 0.5], steps=30)
    assert search.gradient_evaluations == counter.rows
    assert 0 < search.gradient_evaluations <= 3 * 30


def test_grid_search_keeps_the_callers_order_and_skips_diverged_candidates():
    _, Q, value, gradient = bowl()
    start = np.array([0.7, -0.2])
    lrs = [0.5, 0.02, 1.0, 0.15, 0.08]  # 0.5 and 1.0 lie beyond 2/λmax = 0.2
    search = grid_search_lr(SGD, gradient, value, start, lrs, 60)
    np.testing.assert_array_equal(search.diverged, [True, False, True, False, False])
    closed = [gd_final_value_closed_form(Q, start, lr, 60) for lr in lrs]
    expected = min((closed[i], i) for i in (1, 3, 4))[1]
    assert search.best_index == expected and search.best_lr == lrs[expected]


def test_grid_search_when_every_candidate_diverges():
    _, _, value, gradient = bowl()
    search = grid_search_lr(SGD, gradient, value, np.ones(2), [1.0, 2.0], steps=100)
    assert search.diverged.all() and search.best_index is None
    assert math.isnan(search.best_lr) and math.isnan(search.best_value)


def test_grid_search_accepts_other_optimizers_and_settings():
    _, _, value, gradient = bowl()
    lrs = np.geomspace(1e-3, 1.0, 7)
    with_momentum = grid_search_lr(
        functools.partial(SGD, momentum=0.9), gradient, value, np.ones(2), lrs, steps=100
    )
    adam = grid_search_lr(Adam, gradient, value, np.ones(2), lrs, steps=100)
    # Adam row i is a separate Adam(lr=lrs[i]) run: rerun one row by hand through the optimizer.
    i = 3
    optimizer, x = Adam(lr=lrs[i]), np.ones((1, 2))
    state = optimizer.init(x)
    for _ in range(100):
        x, state = optimizer.update(gradient(x), state, x)
    assert adam.final_values[i] == pytest.approx(value(x)[0], rel=1e-12)
    assert np.isfinite(with_momentum.best_value)


def test_grid_search_with_a_stochastic_gradient_is_reproducible():
    _, _, value, gradient = bowl()

    def noisy(points, rng):
        return gradient(points) + rng.normal(scale=0.5, size=points.shape)

    lrs = np.geomspace(1e-3, 0.3, 9)
    runs = [
        grid_search_lr(SGD, noisy, value, np.ones(2), lrs, 50, rng=np.random.default_rng(seed))
        for seed in (3, 3, 4)
    ]
    np.testing.assert_array_equal(runs[0].final_values, runs[1].final_values)
    assert not np.array_equal(runs[0].final_values, runs[2].final_values)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lrs": [0.1, -0.2]}, ValueError, r"lrs must hold finite learning rates > 0, got -0.2"),
        ({"lrs": []}, ValueError, r"lrs must be a non-empty 1-D array, got shape \(0,\)"),
        ({"lrs": [[0.1]]}, ValueError, r"lrs must be a non-empty 1-D array, got shape \(1, 1\)"),
        ({"lrs": [np.nan]}, ValueError, "lrs must hold finite learning rates"),
        ({"start": np.ones((2, 2))}, ValueError, r"start must be one point of shape \(dim,\)"),
        ({"steps": 0}, ValueError, "steps must be an integer >= 1, got 0"),
        ({"make_optimizer": 0.1}, TypeError, "make_optimizer must be an optimizer class"),
        ({"make_optimizer": lambda lr: lr}, TypeError, "must return an optimizer with init"),
        ({"bound": -1.0}, ValueError, "bound must be a finite number > 0"),
    ],
)
def test_grid_search_rejects_bad_arguments(kwargs, error, message):
    _, _, value, gradient = bowl()
    arguments = {
        "make_optimizer": SGD,
        "gradient": gradient,
        "value": value,
        "start": np.ones(2),
        "lrs": [0.1],
        "steps": 5,
    } | kwargs
    with pytest.raises(error, match=message):
        grid_search_lr(**arguments)


def test_random_search_draws_log_uniform_reproducible_candidates():
    _, _, value, gradient = bowl()

    def search(seed, trials):
        return random_search_lr(
            SGD,
            gradient,
            value,
            np.ones(2),
            1e-4,
            1e-1,
            trials,
            5,
            rng=np.random.default_rng(seed),
        )

    first, again, other = search(0, 3000), search(0, 3000), search(1, 3000)
    np.testing.assert_array_equal(first.lrs, again.lrs)
    assert not np.array_equal(first.lrs, other.lrs)
    assert np.all(np.diff(first.lrs) >= 0)
    assert first.lrs.min() >= 1e-4 * (1 - 1e-12) and first.lrs.max() <= 1e-1 * (1 + 1e-12)
    # Log-uniform: each of the three decades gets about a third of the draws
    # (binomial standard deviation ≈ 26 out of 1000).
    per_decade = np.histogram(np.log10(first.lrs), bins=[-4, -3, -2, -1])[0]
    assert np.all(np.abs(per_decade - 1000) < 120)


def test_random_search_finds_the_optimal_step_and_agrees_with_the_grid():
    _, _, value, gradient = bowl()
    start = np.array([1.0, 1.0])
    search = random_search_lr(
        SGD, gradient, value, start, 0.01, 0.3, 400, 200, rng=np.random.default_rng(11)
    )
    assert search.best_lr == pytest.approx(2.0 / (LAM_MIN + LAM_MAX), rel=0.02)
    grid = grid_search_lr(SGD, gradient, value, start, search.lrs, 200)
    np.testing.assert_array_equal(grid.final_values, search.final_values)
    assert search.gradient_evaluations == grid.gradient_evaluations


def test_random_search_rejects_bad_arguments():
    _, _, value, gradient = bowl()
    arguments = (SGD, gradient, value, np.ones(2))
    with pytest.raises(ValueError, match="low must be smaller than high, got low=0.5, high=0.1"):
        random_search_lr(*arguments, 0.5, 0.1, 10, 5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="low must be a finite number > 0, got 0.0"):
        random_search_lr(*arguments, 0.0, 0.1, 10, 5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="trials must be an integer >= 1, got 0"):
        random_search_lr(*arguments, 0.01, 0.1, 0, 5, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        random_search_lr(*arguments, 0.01, 0.1, 10, 5, rng=42)


# ---------------------------------------------------------------------------------------------
# The learning-rate range test
# ---------------------------------------------------------------------------------------------


def smoothed_by_hand(losses, beta):
    average, out = 0.0, []
    for t, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta ** (t + 1)))
    return np.array(out)


def test_range_test_loss_rises_exactly_past_the_stability_bound():
    curvature = 4.0
    edge = 2.0 / curvature
    value, gradient = parabola(curvature)
    test = lr_range_test(SGD, gradient, value, np.array([1.5]), 1e-4, 50.0, steps=200)
    T = 200
    expected_lrs = 1e-4 * (50.0 / 1e-4) ** (np.arange(T) / (T - 1))
    m = test.lrs.size
    np.testing.assert_allclose(test.lrs, expected_lrs[:m], rtol=1e-12)
    np.testing.assert_allclose(test.trajectory.lrs[:m, 0], test.lrs, rtol=1e-12)
    # GD on a x²/2: L_t = L_{t-1} (1 - lr_t a)², with L_{-1} = a · 1.5² / 2.
    before = np.concatenate([[0.5 * curvature * 1.5**2], test.losses[:-1]])
    finite = np.isfinite(test.losses)
    np.testing.assert_allclose(
        test.losses[finite] / before[finite],
        (1 - test.lrs[finite] * curvature) ** 2,
        rtol=1e-6,
    )
    rising = np.diff(np.concatenate([before[:1], test.losses])) > 0
    np.testing.assert_array_equal(rising[finite], test.lrs[finite] > edge)
    # It stops only after crossing the bound, and the suggestions lie below it.
    assert test.stopped_at is not None and test.lrs[test.stopped_at] > edge
    assert test.lrs[0] < test.suggested_lr < edge
    assert test.suggested_lr == test.lr_steepest
    assert test.lr_min_over_10 < edge


def test_range_test_smoothing_and_stop_follow_the_formulas():
    value, gradient = parabola(1.0)
    test = lr_range_test(
        SGD, gradient, value, np.array([2.0]), 1e-3, 20.0, 150, smoothing=0.9, stop_factor=3.0
    )
    np.testing.assert_allclose(test.smoothed_losses, smoothed_by_hand(test.losses, 0.9))
    stop = test.stopped_at
    assert stop == test.lrs.size - 1
    best_so_far = np.minimum.accumulate(test.smoothed_losses)
    assert not np.isfinite(test.smoothed_losses[stop]) or (
        test.smoothed_losses[stop] > 3.0 * best_so_far[stop]
    )
    assert np.all(test.smoothed_losses[:stop] <= 3.0 * best_so_far[:stop])
    # The steepest point of the smoothed curve against log lr, computed independently.
    healthy = slice(0, stop)
    log_lr = np.log(test.lrs[healthy])
    smooth = test.smoothed_losses[healthy]
    centred = (smooth[2:] - smooth[:-2]) / (log_lr[2:] - log_lr[:-2])
    assert test.lr_steepest == test.lrs[1 + np.argmin(centred)]
    assert test.lr_min_over_10 == pytest.approx(test.lrs[np.argmin(smooth)] / 10)


@pytest.mark.parametrize(("smoothing", "stop_factor"), [(0.98, 4.0), (0.9, 1.5), (0.5, 10.0)])
def test_range_test_stops_where_the_rule_restated_by_hand_stops(smoothing, stop_factor):
    # The loss changes by (lr - 1)² per step: at most ×4 beyond 2/a = 2, so the smoothed loss
    # crosses the threshold gradually and an off-by-a-factor rule would stop elsewhere.
    value, gradient = parabola(1.0)
    test = lr_range_test(
        SGD,
        gradient,
        value,
        np.array([1.0]),
        1.5,
        3.0,
        200,
        smoothing=smoothing,
        stop_factor=stop_factor,
        bound=1e300,
    )
    raw = test.trajectory.values[1:, 0]  # the whole run, past the stop
    smooth = smoothed_by_hand(raw, smoothing)
    best = np.minimum.accumulate(smooth)
    assert np.any(smooth > stop_factor * best)
    expected_stop = int(np.argmax(smooth > stop_factor * best))
    assert test.stopped_at == expected_stop
    np.testing.assert_allclose(test.smoothed_losses, smooth[: expected_stop + 1])


def test_range_test_without_smoothing_uses_the_raw_losses():
    value, gradient = parabola(1.0)
    test = lr_range_test(SGD, gradient, value, np.array([1.0]), 1e-3, 0.5, 40, smoothing=0.0)
    np.testing.assert_array_equal(test.smoothed_losses, test.losses)
    assert test.stopped_at is None and test.lrs.size == 40  # 0.5 < 2/a: it never blows up


def test_range_test_averages_a_batch_of_start_points():
    value, gradient = parabola(2.0)
    starts = np.array([[1.0], [-3.0], [0.5]])
    test = lr_range_test(SGD, gradient, value, starts, 1e-3, 0.5, 30)
    np.testing.assert_allclose(test.losses, test.trajectory.values[1:].mean(axis=1))


def test_range_test_with_a_stochastic_gradient_is_reproducible():
    value, gradient = parabola(4.0)

    def noisy(points, rng):
        return gradient(points) + rng.normal(scale=0.3, size=points.shape)

    def one(seed):
        return lr_range_test(
            SGD, noisy, value, np.array([1.0]), 1e-4, 10.0, 120, rng=np.random.default_rng(seed)
        )

    first, again, other = one(5), one(5), one(6)
    np.testing.assert_array_equal(first.losses, again.losses)
    assert first.suggested_lr == again.suggested_lr and first.stopped_at == again.stopped_at
    m = min(first.losses.size, other.losses.size)
    assert not np.array_equal(first.losses[:m], other.losses[:m])
    assert first.lrs[first.stopped_at] > 0.5 and first.suggested_lr < 0.5


def test_range_test_with_adam_runs_without_warnings():
    value, gradient = parabola(4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        test = lr_range_test(Adam, gradient, value, np.array([3.0]), 1e-4, 1e3, 300)
    assert np.isfinite(test.suggested_lr)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lr_min": 1.0, "lr_max": 0.1}, ValueError, "lr_min must be smaller than lr_max"),
        ({"lr_min": -1.0}, ValueError, "lr_min must be a finite number > 0, got -1.0"),
        ({"steps": 1}, ValueError, "steps must be an integer >= 2, got 1"),
        ({"smoothing": 1.0}, ValueError, "smoothing must satisfy 0 <= smoothing < 1, got 1.0"),
        ({"smoothing": "no"}, TypeError, "smoothing must be a real number"),
        ({"stop_factor": 1.0}, ValueError, "stop_factor must be > 1, got 1.0"),
        ({"start": [[[1.0]]]}, ValueError, "start must have shape"),
    ],
)
def test_range_test_rejects_bad_arguments(kwargs, error, message):
    value, gradient = parabola(1.0)
    arguments = {
        "make_optimizer": SGD,
        "gradient": gradient,
        "value": value,
        "start": np.array([1.0]),
        "lr_min": 1e-3,
        "lr_max": 1.0,
        "steps": 10,
    } | kwargs
    with pytest.raises(error, match=message):
        lr_range_test(**arguments)


def test_a_search_reads_final_values_and_divergence_off_its_trajectory():
    _, _, value, gradient = bowl()
    search = grid_search_lr(SGD, gradient, value, np.array([1.0, 1.0]), [0.05, 0.5], 20)
    np.testing.assert_array_equal(search.final_values, search.trajectory.final_values)
    np.testing.assert_array_equal(search.diverged, [False, True])
    assert np.isnan(search.final_values[1])


# ---------------------------------------------------------------------------------------------
# With the catalogue's quadratic bowl (gradlab.functions)
# ---------------------------------------------------------------------------------------------


def test_every_search_on_the_catalogue_bowl_agrees_with_its_eigenvalues():
    bowl = quadratic_bowl(condition_number=8.0, angle=0.6, scale=0.5)
    lam_min, lam_max = np.linalg.eigvalsh(bowl.matrix)
    start = np.array([2.0, -1.5])
    edge = 2.0 / lam_max
    assert bowl.stability_bound(np.zeros(2)) == pytest.approx(edge)

    grid = grid_search_lr(
        SGD, bowl.gradient, bowl.value, start, np.linspace(0.02, 1.2 * edge, 300), 300
    )
    assert grid.best_lr == pytest.approx(2.0 / (lam_min + lam_max), rel=0.02)
    assert not grid.diverged[grid.lrs < edge].any()

    test = lr_range_test(SGD, bowl.gradient, bowl.value, start, 1e-3, 10.0, 200)
    assert test.suggested_lr < edge < test.lrs[test.stopped_at]


def test_the_docstring_examples_run():
    failures, tried = doctest.testmod(gradlab.lr_search, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 3 and failures == 0
