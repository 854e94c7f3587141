"""Tests of gradlab.quadratics against independent computations.

The oracles: numpy's eigenvalues of the 2×2 iteration matrix written out by hand here, the
optimizer runs of gradlab.optimizers.SGD (which follows torch.optim.SGD), Polyak's closed form,
and the catalogue's quadratic bowl (its Hessian by sympy).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab.functions import quadratic_bowl
from gradlab.optimizers import SGD
from gradlab.quadratics import (
    behaviour,
    bowl_matrix,
    component_rate,
    critical_lrs,
    iteration_matrix,
    optimal_heavy_ball,
    rate_map,
    stable_lr_limit,
    steps_per_tenfold,
)
from gradlab.runner import run


def hand_matrix(lam, lr, beta, nesterov):
    """The recurrence of each method restated from its update equations."""
    u = lr * lam
    if nesterov:  # e+ = (1+β)(1-u) e - β(1-u) e-
        return np.array([[(1 + beta) * (1 - u), -beta * (1 - u)], [1.0, 0.0]])
    return np.array([[1 + beta - u, -beta], [1.0, 0.0]])  # Polyak: e+ = e - u e + β(e - e-)


@settings(max_examples=150, deadline=None)
@given(lam=st.floats(0.1, 100), u=st.floats(0.0, 5.0), beta=st.floats(0.0, 0.99),
       nesterov=st.booleans())
def test_rate_is_the_spectral_radius_of_the_hand_written_matrix(lam, u, beta, nesterov):
    lr = u / lam
    expected = np.abs(np.linalg.eigvals(hand_matrix(lam, lr, beta, nesterov))).max()
    assert float(component_rate(lam, lr, beta, nesterov)) == pytest.approx(expected, abs=1e-6)
    np.testing.assert_allclose(iteration_matrix(lam, lr, beta, nesterov),
                               hand_matrix(lam, lr, beta, nesterov), atol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_the_recurrence_reproduces_sgd_runs(nesterov):
    lam, lr, beta = 3.0, 0.2, 0.7
    record = run(SGD(lr=lr, momentum=beta, nesterov=nesterov), lambda p: lam * p,
                 np.array([[1.0]]), 30)
    x = record.points[:, 0, 0]
    matrix = iteration_matrix(lam, lr, beta, nesterov)
    state = np.array([x[1], x[0]])  # from step 1 on, the two-term recurrence holds
    for k in range(2, 31):
        state = matrix @ state
        assert state[0] == pytest.approx(x[k], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_stable_limit_separates_converging_from_diverging_runs(nesterov, beta):
    lam = 4.0
    limit = float(stable_lr_limit(lam, beta, nesterov))
    lrs = np.array([0.98 * limit, 1.02 * limit])
    optimizer = (SGD(lr=lrs, momentum=beta, nesterov=True) if nesterov and beta > 0
                 else SGD(lr=lrs, momentum=beta))
    record = run(optimizer, lambda p: lam * p, np.ones((2, 1)), 4000)
    assert record.diverged.tolist() == [False, True]
    assert float(component_rate(lam, limit, beta, nesterov)) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("nesterov", [False, True])
def test_components_ring_exactly_between_the_critical_learning_rates(nesterov):
    lam, beta = 2.0, 0.6
    low, high = (float(v) for v in critical_lrs(lam, beta, nesterov))
    for lr, rings in [(0.9 * low, False), (1.1 * low, True), (0.9 * high, True),
                      (1.1 * high, False)]:
        roots = np.linalg.eigvals(hand_matrix(lam, lr, beta, nesterov))
        assert (np.abs(roots.imag).max() > 1e-9) == rings
        assert (behaviour(lam, lr, beta, nesterov) == "rings") == rings


def test_behaviour_words():
    assert behaviour(1.0, 0.5, 0.0) == "creeps"
    assert behaviour(1.0, 1.5, 0.0) == "flips"
    assert behaviour(1.0, 2.5, 0.0) == "diverges"
    assert behaviour(1.0, 1.0, 0.25) == "rings"


def test_rate_map_is_the_worst_component():
    lrs, momenta = np.geomspace(1e-3, 1.0, 7), np.linspace(0, 0.95, 5)
    curvatures = [0.5, 3.0, 9.0]
    grid = rate_map(curvatures, lrs, momenta)
    assert grid.shape == (5, 7)
    for i, beta in enumerate(momenta):
        for j, lr in enumerate(lrs):
            expected = max(np.abs(np.linalg.eigvals(hand_matrix(lam, lr, beta, False))).max()
                           for lam in curvatures)
            assert grid[i, j] == pytest.approx(expected, abs=1e-6)
    with pytest.raises(ValueError, match="curvatures must be positive"):
        rate_map([0.0, 1.0], lrs, momenta)


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_polyak_optimum_is_the_grid_minimum(kappa):
    lr, beta, rate = optimal_heavy_ball(1.0, kappa)
    lrs, momenta = np.geomspace(lr / 3, lr * 3, 601), np.linspace(0, 0.99, 601)
    grid = rate_map([1.0, kappa], lrs, momenta)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    assert grid.min() == pytest.approx(rate, abs=3e-3)
    assert momenta[i] == pytest.approx(beta, abs=0.01)
    assert lrs[j] == pytest.approx(lr, rel=0.03)
    assert rate == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    with pytest.raises(ValueError, match="smallest"):
        optimal_heavy_ball(2.0, 1.0)


def test_steps_per_tenfold_shrink_the_error_tenfold():
    rates = np.array([0.2, 0.9, 0.99])
    steps = steps_per_tenfold(rates)
    np.testing.assert_allclose(rates**steps, 0.1, rtol=1e-12)
    assert steps_per_tenfold(1.0) == np.inf and steps_per_tenfold(0.0) == 0.0


# --- bowl_matrix ---------------------------------------------------------------------------------


def test_bowl_matrix_matches_the_catalogue_bowl():
    for kappa, angle in [(1.0, 0.0), (10.0, 0.4), (37.5, -1.1)]:
        expected = quadratic_bowl(condition_number=kappa, angle=angle).hessian(np.zeros(2))
        np.testing.assert_allclose(bowl_matrix(kappa, angle), expected, atol=1e-10)


def test_bowl_matrix_refuses_bad_values():
    with pytest.raises(ValueError, match="condition_number"):
        bowl_matrix(0.5)
    with pytest.raises(ValueError, match="angle"):
        bowl_matrix(2.0, angle=math.inf)
