"""Tests of gradlab.explorers.momentum, driven without a browser.

The oracles: numpy's eigenvalues of the 2×2 iteration matrix written out by hand (in
tests/test_quadratics.py), the optimizer runs of gradlab.optimizers.SGD (which follows
torch.optim.SGD), and Polyak's closed form.
"""

import functools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from gradlab.explorers.momentum import MomentumExplorer
from gradlab.functions import quadratic_bowl, rosenbrock
from gradlab.optimizers import SGD
from gradlab.quadratics import optimal_heavy_ball
from gradlab.runner import run
from gradlab.widgets import DescentExplorer
from tests.test_quadratics import hand_matrix


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


def test_lesson_06_ravine_explorer_quotes_the_nesterov_bound():
    # Lesson 06 shows its ravine with DescentExplorer, which quotes Nesterov's narrower bound.
    bowl = quadratic_bowl(condition_number=10.0)
    widget = DescentExplorer(
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
