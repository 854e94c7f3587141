"""The runner: shapes, divergence, reproducible stochastic runs, recorded state.

Expected numbers come from closed forms: gradient descent on f(x) = x^2 with rate lr gives
x_k = (1 - 2 lr)^k x_0.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab.optimizers import SGD, Adam, NAdam, RMSprop
from gradlab.runner import Trajectory, run


def parabola_gradient(points):
    return 2 * points


def parabola_value(points):
    return (points**2).sum(axis=1)


def first_step_beyond(factor, x0, bound):
    """First k with |factor^k x0| > bound, counted with plain floats."""
    k, x = 0, x0
    while abs(x) <= bound:
        k, x = k + 1, x * factor
    return k


def test_gradient_descent_on_a_parabola_follows_the_closed_form():
    lrs = np.array([0.1, 0.3, 0.45])
    record = run(SGD(lr=lrs), parabola_gradient, np.full((3, 1), 2.0), 20,
                 value=parabola_value)
    assert record.points.shape == (21, 3, 1)
    assert record.values.shape == (21, 3)
    assert record.lrs.shape == (20, 3)
    for i, lr in enumerate(lrs):
        expected = [2.0 * (1 - 2 * lr) ** k for k in range(21)]
        np.testing.assert_allclose(record.points[:, i, 0], expected, rtol=1e-12)
        np.testing.assert_allclose(record.values[:, i], np.square(expected), rtol=1e-12)
        np.testing.assert_array_equal(record.lrs[:, i], lr)
    assert not record.diverged.any()
    np.testing.assert_array_equal(record.diverged_at, [-1, -1, -1])
    np.testing.assert_array_equal(record.final_points, record.points[-1])
    np.testing.assert_array_equal(record.final_values, record.values[-1])


def test_learning_rate_above_one_diverges_at_the_predicted_step():
    # |1 - 2 lr| > 1 for lr > 1: the point grows geometrically and leaves [-bound, bound].
    lrs = np.array([0.2, 1.1, 1.5])
    bound = 1e3
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # any warning at all fails the test
        record = run(SGD(lr=lrs), parabola_gradient, np.ones((3, 1)), 100,
                     value=parabola_value, bound=bound)
    k_slow = first_step_beyond(1 - 2 * 1.1, 1.0, bound)
    k_fast = first_step_beyond(1 - 2 * 1.5, 1.0, bound)
    np.testing.assert_array_equal(record.diverged_at, [-1, k_slow, k_fast])
    np.testing.assert_array_equal(record.diverged, [False, True, True])
    for i, k in ((1, k_slow), (2, k_fast)):
        factor = 1 - 2 * lrs[i]
        np.testing.assert_allclose(record.points[:k, i, 0], [factor**j for j in range(k)])
        assert np.isnan(record.points[k:, i]).all()
        assert np.isnan(record.values[k:, i]).all()
        assert np.isfinite(record.values[:k, i]).all()
    assert np.isnan(record.final_points[1:]).all()
    # the healthy row is untouched by its neighbours
    np.testing.assert_allclose(record.points[:, 0, 0], [0.6**k for k in range(101)])


def test_overflow_to_infinity_is_caught_without_warnings():
    # With no bound, lr = 10 makes x grow by 19x a step until it overflows to inf.
    record = run(SGD(lr=10.0), parabola_gradient, np.ones((1, 1)), 400,
                 value=parabola_value, bound=np.inf)
    k = record.diverged_at[0]
    assert k > 0
    assert np.isfinite(record.points[:k]).all() and np.isnan(record.points[k:]).all()
    # the value overflows first: x^2 is inf once |x| > ~1.3e154
    assert abs(record.points[k - 1, 0, 0]) * 19 > 1e154


def test_non_finite_gradient_stops_the_row_at_that_point():
    def gradient(points):           # d/dx of 2 sqrt(x): NaN (with a numpy warning) for x < 0
        return 1 / np.sqrt(points)

    start = np.array([[40.0], [0.3]])
    record = run(SGD(lr=1.0), gradient, start, 10)
    # row 1: 0.3 - 1/sqrt(0.3) < 0, so the second point is where the gradient is NaN
    assert record.diverged_at.tolist() == [-1, 1]
    assert record.points[0, 1, 0] == 0.3
    assert np.isnan(record.points[1:, 1]).all()
    x = 40.0
    for k in range(11):
        assert record.points[k, 0, 0] == pytest.approx(x)
        x = x - 1 / math.sqrt(x)


def test_non_finite_value_counts_as_divergence():
    record = run(SGD(lr=0.1), parabola_gradient, np.array([[1.0], [-1.0]]), 5,
                 value=lambda p: np.log(p[:, 0]))
    assert record.diverged_at.tolist() == [-1, 0]


def test_bad_start_points_diverge_at_step_zero():
    start = np.array([[np.nan, 1.0], [2e6, 0.0], [1.0, 1.0]])
    record = run(Adam(lr=0.1), parabola_gradient, start, 5)
    assert record.diverged_at.tolist() == [0, 0, -1]
    assert np.isnan(record.points[:, :2]).all()
    assert np.isfinite(record.points[:, 2]).all()


@settings(max_examples=40, deadline=None)
@given(lr=st.lists(st.floats(0.01, 2.0), min_size=1, max_size=6),
       x0=st.floats(-5, 5), momentum=st.floats(0.0, 0.9))
def test_diverging_rows_leave_the_others_as_if_run_alone(lr, x0, momentum):
    lr = np.array(lr)
    start = np.full((lr.size, 2), x0)
    batch = run(SGD(lr=lr, momentum=momentum), parabola_gradient, start, 60, bound=1e4)
    for i in range(lr.size):
        alone = run(SGD(lr=lr[i], momentum=momentum), parabola_gradient, start[i], 60, bound=1e4)
        np.testing.assert_array_equal(batch.points[:, i], alone.points[:, 0])
        assert batch.diverged_at[i] == alone.diverged_at[0]


def test_single_start_point_gives_one_trajectory():
    record = run(Adam(lr=0.1), parabola_gradient, [1.0, -2.0], 3)
    assert record.points.shape == (4, 1, 2)
    np.testing.assert_array_equal(record.points[0, 0], [1.0, -2.0])


def test_zero_steps_records_only_the_start():
    record = run(Adam(), parabola_gradient, np.ones((2, 3)), 0, value=parabola_value)
    assert record.points.shape == (1, 2, 3)
    assert record.lrs.shape == (0, 2)
    np.testing.assert_array_equal(record.values[0], [3.0, 3.0])


def test_stochastic_gradient_with_a_seeded_generator_is_reproducible():
    seen = []

    def noisy(points, rng):
        seen.append(rng)
        return 2 * points + rng.normal(size=points.shape)

    start = np.ones((4, 2))
    first = run(SGD(lr=0.1), noisy, start, 30, rng=np.random.default_rng(3))
    second = run(SGD(lr=0.1), noisy, start, 30, rng=np.random.default_rng(3))
    other = run(SGD(lr=0.1), noisy, start, 30, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(first.points, second.points)
    assert not np.array_equal(first.points, other.points)
    assert len({id(r) for r in seen[:30]}) == 1          # one generator, threaded through
    # the first step is x0 - lr (2 x0 + z) with z the generator's first normals
    z = np.random.default_rng(3).normal(size=(4, 2))
    np.testing.assert_allclose(first.points[1], start - 0.1 * (2 * start + z))


def test_record_state_keeps_every_field_at_every_step():
    opt = Adam(lr=0.1, amsgrad=True)
    record = run(opt, parabola_gradient, np.ones((3, 2)), 5, record_state=True)
    assert set(record.states) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert record.states["step"].shape == (6, 3)
    for name in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        assert record.states[name].shape == (6, 3, 2)
        np.testing.assert_array_equal(record.states[name][0], 0.0)
    np.testing.assert_array_equal(record.states["step"], np.arange(6)[:, None] * np.ones(3))
    # replaying the update from the recorded state gives the recorded next point
    for k in range(5):
        state = opt.State(*(record.states[f][k] for f in opt.State._fields))
        point, _ = opt.update(2 * record.points[k], state, record.points[k])
        np.testing.assert_allclose(point, record.points[k + 1], rtol=1e-14)


def test_record_state_skips_unused_fields_and_blanks_diverged_rows():
    record = run(RMSprop(lr=np.array([0.01, 5.0])), lambda p: 2 * p**3, np.ones((2, 1)), 30,
                 bound=20.0, record_state=True)
    assert set(record.states) == {"step", "square_avg"}
    k = record.diverged_at[1]
    assert k > 0 and record.diverged_at[0] == -1
    assert np.isnan(record.states["square_avg"][k:, 1]).all()
    assert np.isfinite(record.states["square_avg"][:k, 1]).all()
    assert record.states["step"][-1, 0] == 30


def test_no_states_unless_asked():
    assert run(SGD(), parabola_gradient, np.ones((1, 1)), 2).states is None


def test_steps_to_reach_matches_the_closed_form():
    lrs = np.array([0.05, 0.25, 1.2])
    record = run(SGD(lr=lrs), parabola_gradient, np.ones((3, 1)), 200, value=parabola_value)
    threshold = 1e-8
    expected = []
    for lr in lrs:
        k = next((k for k in range(201) if (1 - 2 * lr) ** (2 * k) <= threshold), -1)
        expected.append(k)
    assert expected[0] > 0 and expected[2] == -1
    np.testing.assert_array_equal(record.steps_to_reach(threshold), expected)
    np.testing.assert_array_equal(record.steps_to_reach(10.0), [0, 0, 0])


def test_steps_to_reach_counts_a_value_equal_to_the_threshold():
    # lr = 0.25 halves x each step, so the values 0.25^k are exact in binary floating point
    record = run(SGD(lr=0.25), parabola_gradient, np.ones((1, 1)), 10, value=parabola_value)
    assert record.steps_to_reach(0.25**3).tolist() == [3]


def test_gradient_never_sees_a_bad_point_and_parked_rows_stay_put():
    seen = []

    def gradient(points):
        seen.append(points.copy())
        return 2 * points

    # Heavy ball on x^2 is unstable for lr > 2 (1 + momentum) / 2 = 1.9. Momentum would keep
    # moving a row fed zero gradients, unless it is parked.
    lrs = np.array([0.1, 2.5])
    record = run(SGD(lr=lrs, momentum=0.9), gradient, np.array([[0.5], [1.5]]), 40, bound=8.0)
    k = record.diverged_at[1]
    assert 0 < k < 40 and record.diverged_at[0] == -1
    calls = np.array(seen)
    assert np.isfinite(calls).all() and (np.abs(calls) <= 8.0).all()
    last_good = record.points[k - 1, 1]
    np.testing.assert_array_equal(calls[k:, 1], np.broadcast_to(last_good, calls[k:, 1].shape))


def test_steps_to_reach_needs_values():
    record = run(SGD(), parabola_gradient, np.ones((1, 1)), 2)
    assert np.isnan(record.values).all()
    with pytest.raises(ValueError, match="pass value="):
        record.steps_to_reach(0.1)


def test_a_schedule_overrides_the_rate_of_adaptive_methods_too():
    def halving(step, base_lr):
        return base_lr * 0.5**step

    plain = run(NAdam(lr=0.1), parabola_gradient, np.ones((1, 2)), 4, record_state=True)
    scheduled = run(NAdam(lr=0.1), parabola_gradient, np.ones((1, 2)), 4, schedule=halving)
    np.testing.assert_allclose(scheduled.lrs[:, 0], [0.1, 0.05, 0.025, 0.0125])
    np.testing.assert_array_equal(scheduled.points[1], plain.points[1])  # step 0: same rate
    assert not np.allclose(scheduled.points[2], plain.points[2])


def test_repr_is_short():
    record = run(SGD(lr=np.array([0.1, 2.0])), parabola_gradient, np.ones((2, 1)), 50)
    assert repr(record) == "Trajectory(steps=50, n=2, dim=1, diverged=1)"
    assert isinstance(record, Trajectory)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(start=np.ones((2, 2, 2))), r"start must have shape \(n, dim\)"),
        (dict(start="here"), "start must be an array of numbers"),
        (dict(start=np.ones((0, 2))), r"start must have shape \(n, dim\)"),
        (dict(steps=-1), "steps must be a whole number >= 0, got -1"),
        (dict(steps=2.5), "steps must be a whole number"),
        (dict(bound=0.0), "bound must be a positive number"),
        (dict(gradient=lambda p: p[:, 0]), r"gradient\(points\) must return .* shape \(2, 2\)"),
        (dict(value=lambda p: p), r"value\(points\) must return .* shape \(2,\)"),
        (dict(optimizer=Adam(lr=np.ones(3))), "hyperparameters for 3 trajectories"),
    ],
)
def test_bad_arguments_are_refused_clearly(kwargs, message):
    arguments = dict(optimizer=SGD(), gradient=parabola_gradient, start=np.ones((2, 2)),
                     steps=3)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        run(**arguments)


def test_a_bad_rng_is_refused_clearly():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        run(SGD(), parabola_gradient, np.ones((2, 2)), 3, rng=42)
