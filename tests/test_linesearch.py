"""Tests for gradlab.linesearch, checked against closed forms and hand-restated formulas."""

import doctest
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gradlab.linesearch
from gradlab.functions import quadratic_bowl
from gradlab.linesearch import (
    DescentRecord,
    ExactDescentRecord,
    backtracking_line_search,
    descend_with_backtracking,
    descend_with_exact_line_search,
    exact_line_search_step,
)
from gradlab.runner import Trajectory
from tests.step_problems import Counter, parabola, quadratic, rotated_quadratic

# backtracking_line_search
# ---------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    curvature=st.floats(0.01, 100.0),
    x0=st.floats(-10.0, 10.0).filter(lambda x: abs(x) > 1e-3),
    initial_step=st.floats(1e-3, 100.0),
    shrink=st.floats(0.1, 0.9),
    c=st.floats(1e-4, 0.9),
)
def test_backtracking_accepts_the_largest_trial_within_the_armijo_bound(
    curvature, x0, initial_step, shrink, c
):
    # On f = a/2 x² along d = -a x: f(x + t d) = f(x)(1 - a t)², and the Armijo condition
    # (1 - a t)² <= 1 - 2 c a t simplifies to t <= 2 (1 - c) / a.
    bound = 2.0 * (1.0 - c) / curvature
    value, gradient = parabola(curvature)
    record = backtracking_line_search(
        value,
        gradient,
        np.array([x0]),
        initial_step=initial_step,
        shrink=shrink,
        c=c,
        max_trials=10_000,
    )
    expected_trials = [initial_step]
    while expected_trials[-1] > bound:
        expected_trials.append(expected_trials[-1] * shrink)
    # Stay away from rounding ties at the bound.
    assume(all(abs(t / bound - 1.0) > 1e-9 for t in expected_trials))
    assert record.satisfied
    np.testing.assert_allclose(record.trial_steps, expected_trials, rtol=1e-12)
    assert record.step == pytest.approx(expected_trials[-1], rel=1e-12)
    assert record.step <= bound
    assert record.point[0] == pytest.approx(x0 - record.step * curvature * x0, rel=1e-12)
    np.testing.assert_allclose(
        record.trial_values,
        0.5 * curvature * x0**2 * (1.0 - curvature * np.array(expected_trials)) ** 2,
        rtol=1e-9,
        atol=1e-12 * curvature * x0**2,  # 1 - a t may cancel to rounding level
    )
    assert record.value_evaluations == len(expected_trials) + 1
    assert record.gradient_evaluations == 1
    assert record.slope == pytest.approx(-((curvature * x0) ** 2), rel=1e-12)


def test_backtracking_record_of_a_two_dimensional_search():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    value, gradient = quadratic(A, b)
    x = np.array([2.0, 1.5])
    g = A @ x - b
    record = backtracking_line_search(value, gradient, x, initial_step=4.0, shrink=0.3, c=0.25)

    def f(point):
        return 0.5 * point @ A @ point - b @ point

    # Every rejected trial violates the Armijo inequality, the accepted one meets it.
    for t in record.trial_steps[:-1]:
        assert f(x - t * g) > f(x) - 0.25 * t * g @ g
    t = record.trial_steps[-1]
    assert f(x - t * g) <= f(x) - 0.25 * t * g @ g
    np.testing.assert_allclose(record.trial_steps, 4.0 * 0.3 ** np.arange(len(record.trial_steps)))
    np.testing.assert_allclose(record.trial_values, [f(x - s * g) for s in record.trial_steps])
    np.testing.assert_allclose(record.point, x - record.step * g)
    np.testing.assert_allclose(record.direction, -g)
    assert record.value == pytest.approx(f(record.point))
    assert record.value_at_point == pytest.approx(f(x))
    assert record.c == 0.25


def test_backtracking_along_a_given_direction():
    A = np.diag([1.0, 4.0])
    value, gradient = quadratic(A, np.zeros(2))
    x = np.array([1.0, 1.0])
    d = np.array([-1.0, 0.0])  # descent: ∇f·d = -1
    record = backtracking_line_search(value, gradient, x, d, initial_step=8.0)
    # f(x + t d) = (1 - t)²/2 + 2; Armijo: (1-t)²/2 <= 1/2 - c t  <=>  t <= 2 (1 - c).
    assert record.step == 1.0
    np.testing.assert_allclose(record.point, [0.0, 1.0])


def test_backtracking_batch_matches_row_by_row():
    A = np.array([[5.0, 2.0], [2.0, 1.0]])
    value, gradient = quadratic(A, np.array([0.5, 0.0]))
    rows = np.array([[1.0, 2.0], [-3.0, 0.5], [0.1, 0.1], [0.0, 0.0], [10.0, -7.0]])
    batch = backtracking_line_search(value, gradient, rows, initial_step=2.0, shrink=0.6)
    assert batch.trial_steps.shape[1] == len(rows)
    for i, row in enumerate(rows):
        alone = backtracking_line_search(value, gradient, row, initial_step=2.0, shrink=0.6)
        assert batch.step[i] == alone.step
        np.testing.assert_array_equal(batch.point[i], alone.point)
        assert batch.value_evaluations[i] == alone.value_evaluations
        used = alone.trial_steps.size
        np.testing.assert_array_equal(batch.trial_steps[:used, i], alone.trial_steps)
        assert np.all(np.isnan(batch.trial_steps[used:, i]))


def test_backtracking_counts_each_evaluation():
    value, gradient = (Counter(f) for f in parabola(10.0))
    record = backtracking_line_search(value, gradient, np.array([1.0]), initial_step=1.0)
    # Trials 1, 0.5, 0.25, 0.125 (the first <= 2(1-c)/10); plus f(x).
    assert value.rows == record.value_evaluations == 5
    assert gradient.rows == record.gradient_evaluations == 1


def test_backtracking_zero_gradient_is_a_stationary_point():
    value, gradient = parabola(2.0)
    record = backtracking_line_search(value, gradient, np.array([0.0]))
    assert record.step == 0.0 and record.satisfied
    assert record.trial_steps.size == 0
    np.testing.assert_array_equal(record.point, [0.0])


def test_backtracking_gives_up_after_max_trials_without_moving():
    value, gradient = parabola(1.0)
    record = backtracking_line_search(
        value, gradient, np.array([1.0]), initial_step=100.0, shrink=0.5, max_trials=3
    )
    assert not record.satisfied
    assert record.step == 0.0
    np.testing.assert_array_equal(record.point, [1.0])
    np.testing.assert_allclose(record.trial_steps, [100.0, 50.0, 25.0])


def test_backtracking_retreats_from_where_f_is_undefined_without_warnings():
    # f(x) = x - log x has its minimum at x = 1; a long step from x = 4 lands at x < 0.
    def value(points):
        return points[:, 0] - np.log(points[:, 0])

    def gradient(points):
        return 1.0 - 1.0 / points

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = backtracking_line_search(value, gradient, np.array([4.0]), initial_step=16.0)
    assert np.isnan(record.trial_values[0])  # x = 4 - 16 · 0.75 < 0
    assert record.point[0] > 0 and record.value < value(np.array([[4.0]]))[0]


def test_backtracking_with_overflowing_trials_emits_no_warning():
    def value(points):
        return np.exp(points[:, 0]) + np.exp(-points[:, 0])

    def gradient(points):
        return np.exp(points) - np.exp(-points)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = backtracking_line_search(value, gradient, np.array([3.0]), initial_step=1e6)
    assert record.satisfied and np.isinf(record.trial_values[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shrink": 1.0}, "shrink must lie strictly between 0 and 1, got 1.0"),
        ({"shrink": 0}, "shrink must lie strictly between 0 and 1, got 0"),
        ({"c": 1.5}, "c must lie strictly between 0 and 1, got 1.5"),
        ({"c": -0.1}, "c must lie strictly between 0 and 1"),
        ({"initial_step": -1.0}, "initial_step must be a finite number > 0, got -1.0"),
        ({"initial_step": math.inf}, "initial_step must be a finite number > 0"),
        ({"max_trials": 0}, "max_trials must be an integer >= 1, got 0"),
    ],
)
def test_backtracking_rejects_bad_settings(kwargs, message):
    value, gradient = parabola(1.0)
    with pytest.raises(ValueError, match=message):
        backtracking_line_search(value, gradient, np.array([1.0]), **kwargs)


def test_backtracking_rejects_wrong_types():
    value, gradient = parabola(1.0)
    with pytest.raises(TypeError, match="max_trials must be an integer"):
        backtracking_line_search(value, gradient, np.array([1.0]), max_trials=2.5)
    with pytest.raises(TypeError, match="shrink must be a real number"):
        backtracking_line_search(value, gradient, np.array([1.0]), shrink="half")


def test_backtracking_rejects_a_direction_that_does_not_descend():
    value, gradient = parabola(1.0)
    with pytest.raises(ValueError, match=r"not a descent direction.*row 0.*= 2\.0"):
        backtracking_line_search(value, gradient, np.array([1.0]), np.array([2.0]))
    with pytest.raises(ValueError, match=r"not a descent direction.*row 1 .*= 0\.0"):
        backtracking_line_search(
            value, gradient, np.array([[1.0], [0.0]]), np.array([[-1.0], [1.0]])
        )


def test_backtracking_rejects_bad_shapes_and_points():
    value, gradient = quadratic(np.eye(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"direction must have the shape of point \(2,\)"):
        backtracking_line_search(value, gradient, np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"point must have shape \(dim,\) or \(n, dim\)"):
        backtracking_line_search(value, gradient, np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="point must be finite"):
        backtracking_line_search(value, gradient, np.array([np.nan, 1.0]))
    with pytest.raises(ValueError, match=r"value\(points\) must return shape \(1,\)"):
        backtracking_line_search(lambda p: p, gradient, np.ones(2))
    with pytest.raises(ValueError, match=r"gradient\(points\) must return shape \(1, 2\)"):
        backtracking_line_search(value, lambda p: p[:, 0], np.ones(2))
    with pytest.raises(ValueError, match=r"gradient_at_point must have the shape of point"):
        backtracking_line_search(value, gradient, np.ones(2), gradient_at_point=np.ones(3))
    with pytest.raises(ValueError, match=r"value_at_point must hold one value per row \(1\)"):
        backtracking_line_search(value, gradient, np.ones(2), value_at_point=[1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# descend_with_backtracking
# ---------------------------------------------------------------------------------------------


def test_descent_with_backtracking_on_a_parabola_follows_the_closed_form():
    # a = 3, c = 1e-4: the Armijo bound 2(1-c)/3 ≈ 0.667 admits t = 0.5 (from 1, halving), so
    # every step maps x to (1 - 3/2) x = -x/2.
    value, gradient = parabola(3.0)
    record = descend_with_backtracking(value, gradient, np.array([2.0]), steps=6)
    np.testing.assert_allclose(record.points[:, 0, 0], 2.0 * (-0.5) ** np.arange(7))
    np.testing.assert_allclose(record.step_sizes[:, 0], 0.5)
    np.testing.assert_array_equal(record.trials[:, 0], 2)
    np.testing.assert_array_equal(record.value_evaluations[:, 0], 1 + 2 * np.arange(7))
    np.testing.assert_array_equal(record.gradient_evaluations[:, 0], np.arange(7))
    assert record.stopped_at[0] == -1
    np.testing.assert_allclose(record.final_values, 1.5 * (2.0 * 0.5**6) ** 2)


def test_descent_with_backtracking_decreases_and_counts_honestly():
    A, _ = rotated_quadratic([1.0, 25.0], 0.4)
    b = np.array([1.0, 2.0])
    value, gradient = (Counter(f) for f in quadratic(A, b))
    starts = np.array([[3.0, -2.0], [0.0, 4.0], [-5.0, -5.0]])
    record = descend_with_backtracking(value, gradient, starts, steps=400, c=0.1)
    assert record.points.shape == (401, 3, 2) and record.values.shape == (401, 3)
    f_star = -0.5 * b @ np.linalg.solve(A, b)
    for k in range(400):
        x, g = record.points[k], record.points[k] @ A - b
        t = record.step_sizes[k]
        # Armijo with d = -g, restated: f(x_{k+1}) <= f(x_k) - c t |g|².
        assert np.all(record.values[k + 1] <= record.values[k] - 0.1 * t * np.sum(g * g, axis=1))
        np.testing.assert_allclose(record.points[k + 1], x - t[:, None] * g)
    assert np.all(record.final_values - f_star < 1e-6 * (record.values[0] - f_star))
    assert value.rows == record.value_evaluations[-1].sum()
    assert gradient.rows == record.gradient_evaluations[-1].sum()


def test_descent_with_backtracking_stops_a_row_at_a_stationary_point():
    value, gradient = (Counter(f) for f in quadratic(np.eye(2), np.zeros(2)))
    # Unit curvature and t0 = 1: the first step lands exactly on the minimum.
    record = descend_with_backtracking(value, gradient, np.array([[1.0, 2.0]]), steps=5)
    assert record.stopped_at[0] == 1
    np.testing.assert_array_equal(record.points[2:], 0.0)
    assert np.all(np.isnan(record.step_sizes[1:]))
    assert gradient.rows == 2 and record.gradient_evaluations[-1, 0] == 2


def test_descent_with_backtracking_validates_its_arguments():
    value, gradient = parabola(1.0)
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        descend_with_backtracking(value, gradient, np.array([1.0]), steps=0)
    with pytest.raises(ValueError, match="shrink must lie strictly between 0 and 1"):
        descend_with_backtracking(value, gradient, np.array([1.0]), steps=3, shrink=2.0)
    with pytest.raises(ValueError, match="start must be finite"):
        descend_with_backtracking(value, gradient, np.array([np.inf]), steps=3)


# ---------------------------------------------------------------------------------------------
# Exact line search on a quadratic
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    log_kappa=st.floats(0.0, 3.0),
    angle=st.floats(0.0, np.pi),
    x=st.tuples(st.floats(-5, 5), st.floats(-5, 5)),
    d=st.tuples(st.floats(-5, 5), st.floats(-5, 5)),
)
def test_exact_step_minimises_f_along_the_line(log_kappa, angle, x, d):
    A, _ = rotated_quadratic([1.0, 10.0**log_kappa], angle)
    b = np.array([0.3, -0.7])
    x, d = np.array(x), np.array(d)
    assume(np.linalg.norm(d) > 1e-2)
    t_star = exact_line_search_step(A, b, x, d)
    # A dense scan of φ(t) = f(x + t d) around t*: nothing on it is lower than φ(t*).
    width = 1.0 + abs(t_star)
    ts = t_star + np.linspace(-width, width, 20001)
    line = x + ts[:, None] * d
    phi = 0.5 * np.einsum("kd,de,ke->k", line, A, line) - line @ b
    phi_star = 0.5 * (x + t_star * d) @ A @ (x + t_star * d) - b @ (x + t_star * d)
    assert phi_star <= phi.min() + 1e-12 * (1 + abs(phi.min()))
    assert abs(ts[np.argmin(phi)] - t_star) <= 2 * width / 20000


def test_exact_step_for_steepest_descent_is_gtg_over_gtag():
    A = np.array([[4.0, 1.0], [1.0, 3.0]])
    b = np.array([1.0, 2.0])
    points = np.array([[1.0, 1.0], [-2.0, 0.5]])
    steps = exact_line_search_step(A, b, points)
    for point, step in zip(points, steps, strict=True):
        g = A @ point - b
        assert step == pytest.approx((g @ g) / (g @ A @ g))
    assert exact_line_search_step(A, b, np.linalg.solve(A, b)) == 0.0


def test_exact_descent_zig_zags_at_right_angles():
    A, _ = rotated_quadratic([1.0, 20.0], 0.7)
    b = np.array([2.0, -1.0])
    record = descend_with_exact_line_search(A, b, np.array([[4.0, 3.0], [-1.0, 5.0]]), steps=12)
    g = record.gradients
    np.testing.assert_allclose(g, record.points @ A - b)
    inner = np.sum(g[1:] * g[:-1], axis=-1)
    scale = np.linalg.norm(g[1:], axis=-1) * np.linalg.norm(g[:-1], axis=-1)
    # g = Ax - b carries an absolute rounding error of about 1e-15 · (|A x| + |b|), which
    # dominates once the iterate is close to x*.
    rounding = 1e-12 * (np.linalg.norm(g[1:], axis=-1) + np.linalg.norm(g[:-1], axis=-1))
    assert np.all(np.abs(inner) <= 1e-10 * scale + rounding)
    assert np.all(record.values[1:] <= record.values[:-1] + 1e-12 * np.abs(record.values[:-1]))
    np.testing.assert_allclose(record.minimizer, np.linalg.solve(A, b))
    assert record.minimum_value == pytest.approx(
        0.5 * record.minimizer @ A @ record.minimizer - b @ record.minimizer
    )


@pytest.mark.parametrize("kappa", [2.0, 10.0, 100.0])
def test_exact_descent_from_the_worst_start_shrinks_by_the_kantorovich_factor(kappa):
    lam_min, lam_max = 0.5, 0.5 * kappa
    A, Q = rotated_quadratic([lam_min, lam_max], 0.3)
    b = np.array([1.0, -2.0])
    x_star = np.linalg.solve(A, b)
    # Worst start: error (1/λmin) u_min + (1/λmax) u_max, so the gradient is u_min + u_max.
    start = x_star + Q[:, 0] / lam_min + Q[:, 1] / lam_max
    record = descend_with_exact_line_search(A, b, start, steps=8)
    gaps = record.values[:, 0] - record.minimum_value
    expected = ((kappa - 1) / (kappa + 1)) ** 2
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], expected, rtol=1e-8)
    assert record.condition_number == pytest.approx(kappa)
    assert record.rate_bound == pytest.approx(expected)
    # Each step is 2/(λmin + λmax): the worst start keeps the two eigen-components equal.
    np.testing.assert_allclose(record.step_sizes, 2 / (lam_min + lam_max))


def test_exact_descent_from_any_start_beats_the_bound():
    rng = np.random.default_rng(7)
    A, _ = rotated_quadratic([1.0, 30.0], 1.1)
    b = np.zeros(2)
    record = descend_with_exact_line_search(A, b, rng.normal(size=(50, 2)), steps=5)
    gaps = record.values - record.minimum_value
    assert np.all(gaps[1:] <= record.rate_bound * gaps[:-1] * (1 + 1e-10))


def test_exact_descent_with_kappa_one_finishes_in_one_step():
    record = descend_with_exact_line_search(2 * np.eye(3), np.ones(3), np.zeros(3), steps=3)
    np.testing.assert_allclose(record.points[1:, 0], 0.5)
    np.testing.assert_array_equal(record.step_sizes[1:], 0.0)


@pytest.mark.parametrize(
    ("A", "b", "message"),
    [
        ([[1.0, 2.0], [0.0, 1.0]], [0, 0], "A must be symmetric"),
        ([[1.0, 0.0], [0.0, -1.0]], [0, 0], "A must be positive definite.*-1.0"),
        ([[1.0, 0.0, 0.0]], [0], r"A must be a square \(dim, dim\) matrix, got shape \(1, 3\)"),
        ([[1.0, 0.0], [0.0, 1.0]], [0, 0, 0], r"b must have shape \(2,\) to match A"),
        ([[np.nan, 0.0], [0.0, 1.0]], [0, 0], "A and b must be finite"),
    ],
)
def test_exact_descent_rejects_bad_quadratics(A, b, message):
    with pytest.raises(ValueError, match=message):
        descend_with_exact_line_search(A, b, np.zeros(len(b)), steps=2)


def test_exact_line_search_rejects_mismatched_points():
    with pytest.raises(ValueError, match="start must have last axis of length 2"):
        descend_with_exact_line_search(np.eye(2), np.zeros(2), np.zeros(3), steps=2)
    with pytest.raises(ValueError, match="point must have last axis of length 2"):
        exact_line_search_step(np.eye(2), np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        descend_with_exact_line_search(np.eye(2), np.zeros(2), np.zeros(2), steps=-1)


def test_descents_are_trajectories_whose_lrs_are_the_steps_chosen():
    value, gradient = parabola(3.0)
    backtracking = descend_with_backtracking(value, gradient, np.array([2.0]), steps=6)
    exact = descend_with_exact_line_search(np.diag([1.0, 4.0]), np.zeros(2), [1.0, 1.0], steps=4)
    for record, kind in ((backtracking, DescentRecord), (exact, ExactDescentRecord)):
        assert isinstance(record, Trajectory) and isinstance(record, kind)
        assert record.step_sizes is record.lrs
        assert record.has_values and not record.diverged.any()
        np.testing.assert_array_equal(record.final_points, record.points[-1])
    np.testing.assert_array_equal(backtracking.steps_to_reach(0.01), [5])  # f = 6 / 4**k


# ---------------------------------------------------------------------------------------------
# With the catalogue's quadratic bowl (gradlab.functions)
# ---------------------------------------------------------------------------------------------


def test_line_searches_on_the_catalogue_bowl_agree_with_its_eigenvalues():
    bowl = quadratic_bowl(condition_number=8.0, angle=0.6, scale=0.5)
    start = np.array([2.0, -1.5])

    exact = descend_with_exact_line_search(bowl.matrix, np.zeros(2), start, steps=20)
    np.testing.assert_allclose(exact.values, bowl.value(exact.points), rtol=1e-9, atol=1e-300)
    assert exact.condition_number == pytest.approx(8.0, rel=1e-9)

    backtracking = descend_with_backtracking(bowl.value, bowl.gradient, start, 200)
    assert backtracking.final_values[0] < 1e-8 * bowl.value(start[None])[0]


def test_the_docstring_examples_run():
    failures, tried = doctest.testmod(gradlab.linesearch, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 4 and failures == 0
