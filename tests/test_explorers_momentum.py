"""Tests of gradlab.explorers.momentum against independent computations.

The oracles: numpy's eigenvalues of the 2×2 iteration matrix written out by hand here, the
optimizer runs of gradlab.optimizers.SGD (which follows torch.optim.SGD), and Polyak's closed form.
"""

import functools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab.explorers.momentum import (
    MomentumExplorer,
    RavineExplorer,
    behaviour,
    component_rate,
    critical_lrs,
    iteration_matrix,
    optimal_heavy_ball,
    rate_map,
    stable_lr_limit,
)
from gradlab.functions import quadratic_bowl, rosenbrock
from gradlab.optimizers import SGD
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


@pytest.fixture
def explorer():
    widget = MomentumExplorer(quadratic_bowl(condition_number=20.0, angle=0.3),
                              start=[-2.0, 1.0], steps=60, lr=0.02, momentum=0.8)
    yield widget
    widget.close()


def _artist_count(widget):
    return sum(len(ax.get_children()) for ax in widget.figure.axes)


def test_explorer_draws_the_runs_and_rates(explorer):
    bowl = explorer.objective
    lam, vectors = np.linalg.eigh(bowl.matrix)
    for lr, beta, nesterov in [(0.05, 0.5, False), (0.03, 0.9, True), (0.01, 0.0, False)]:
        explorer.set(lr=lr, momentum=beta, nesterov=nesterov)
        lr = explorer.controls["lr"].value  # the slider snaps to its grid
        optimizer = SGD(lr=lr, momentum=beta, nesterov=nesterov and beta > 0)
        points = run(optimizer, lambda p: p @ bowl.matrix, np.array([[-2.0, 1.0]]), 60).points
        expected = np.abs(points[:, 0] @ vectors)
        for i in range(2):
            np.testing.assert_allclose(explorer.comp_lines[i].get_ydata(), expected[:, i],
                                       rtol=1e-9, atol=1e-12)
            assert explorer.rates[i] == pytest.approx(
                np.abs(np.linalg.eigvals(hand_matrix(lam[i], lr, beta, nesterov))).max())
        assert explorer.marker.get_data()[0][0] == pytest.approx(lr)
        assert explorer.marker.get_data()[1][0] == pytest.approx(beta)
        assert explorer.meshes[nesterov].get_visible()
        assert not explorer.meshes[not nesterov].get_visible()


def test_explorer_adds_no_artists_per_update(explorer):
    explorer.figure.canvas.draw()
    before = _artist_count(explorer)
    for value in (0.001, 0.05, 0.2, 0.01):
        explorer.set(lr=value, nesterov=value > 0.04)
        explorer.figure.canvas.draw()
    assert _artist_count(explorer) == before


def test_explorer_says_why_a_run_diverges(explorer):
    explorer.set(lr=0.19, momentum=0.2)
    assert explorer.rate > 1
    assert "beyond 2(1+β)/λmax" in explorer.message
    explorer.set(momentum=0.0)
    assert "beyond 2/λmax" in explorer.message
    explorer.set(lr=0.05, momentum=0.6, nesterov=True)
    assert "2(1+β)/((1+2β)λmax)" in explorer.message
    explorer.set(lr=0.02, momentum=0.5, nesterov=False)
    assert "error ÷10 every" in explorer.message
    assert explorer.set(lr=50.0).message.startswith("lr = 50 is outside")


def test_explorer_click_on_the_map(explorer):
    class Click:
        inaxes, xdata, ydata, button = explorer.map_ax, 0.03, 0.4, 1

    explorer._on_click(Click)
    assert explorer.controls["lr"].value == pytest.approx(0.03, rel=0.03)
    assert explorer.controls["momentum"].value == pytest.approx(0.4, abs=0.005)


def test_explorer_best_point_matches_polyak(explorer):
    lam = np.linalg.eigvalsh(explorer.objective.matrix)
    lr, beta, rate = optimal_heavy_ball(*lam)
    best_lr, best_beta, best_rate = explorer.best[False]
    # the grid has 180 cells per axis, and the rate has a sharp V at the optimum
    assert best_rate == pytest.approx(rate, abs=0.01)
    assert best_beta == pytest.approx(beta, abs=0.03)
    assert best_lr == pytest.approx(lr, rel=0.08)


@pytest.mark.parametrize("bad, message", [
    ({"objective": rosenbrock()}, "two-variable quadratic"),
    ({"start": [9.0, 0.0]}, "inside the window"),
    ({"steps": 0}, "steps must be an integer"),
    ({"momentum": 1.0}, "momentum must be in"),
    ({"lr": 5.0}, "lr_range"),
])
def test_explorer_refuses_bad_arguments(bad, message):
    arguments = {"objective": quadratic_bowl(), "start": [1.0, 1.0]} | bad
    objective = arguments.pop("objective")
    with pytest.raises(ValueError, match=message):
        MomentumExplorer(objective, **arguments)


def test_ravine_explorer_quotes_the_nesterov_bound():
    bowl = quadratic_bowl(condition_number=10.0)
    widget = RavineExplorer(
        bowl, {"heavy ball": SGD, "Nesterov": functools.partial(SGD, nesterov=True)},
        start=[1.0, 1.0], steps=200, lr=0.05, hyperparameters={"momentum": 0.5})
    try:
        assert "2(1+β)/λmax = 0.3" in widget.bound_label.value
        widget.set(optimizer="Nesterov")
        assert "2(1+β)/((1+2β)λmax) = 0.15" in widget.bound_label.value
        widget.set(lr=0.2)  # between the two limits: Nesterov diverges
        assert widget.trajectory.diverged[0]
        assert "0.15" in widget.message
    finally:
        widget.close()
