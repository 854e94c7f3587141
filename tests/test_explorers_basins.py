"""Tests of gradlab.explorers.basins, driven without a browser.

The expected basin labels come from a hand-written descent loop on Himmelblau's gradient, typed
here from the formula (not from the sympy-compiled objective), with PyTorch's momentum update
restated: b = mu*b + g, x = x - lr*b.
"""

import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import numpy as np
import pytest

from gradlab.explorers.basins import BasinExplorer
from gradlab.functions import grid_of_starts, himmelblau, saddle, six_hump_camel

HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118, 3.131313], [-3.779310, -3.283186],
                              [3.584428, -1.848127]])


pytestmark = pytest.mark.usefixtures("close_all")  # tests/conftest.py


def himmelblau_gradient(p):
    x, y = p[:, 0], p[:, 1]
    a, b = x**2 + y - 11, x + y**2 - 7
    return np.column_stack([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def descend(starts, lr, mu, steps):
    x = np.array(starts, dtype=float)
    b = np.zeros_like(x)
    alive = np.ones(len(x), bool)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = himmelblau_gradient(x)
            b = mu * b + g
            x = x - lr * b
            alive &= np.all(np.isfinite(x), axis=1) & np.all(np.abs(x) <= 1e6, axis=1)
    return np.where(alive[:, None], x, np.nan), alive


def nearest_labels(points, minima, tol):
    labels = np.full(len(points), -1)
    for i, p in enumerate(points):
        if np.all(np.isfinite(p)):
            d = np.linalg.norm(minima - p, axis=1)
            if d.min() <= tol:
                labels[i] = int(np.argmin(d))
    return labels


def count_artists(fig):
    return sum(len(ax.get_children()) for ax in fig.axes)


@pytest.mark.parametrize("lr, mu", [(0.01, 0.0), (0.005, 0.8), (0.02, 0.0)])
def test_map_and_bars_match_a_hand_written_descent(lr, mu):
    grid, steps, tol = 16, 150, 0.05
    explorer = BasinExplorer(himmelblau(), grid=grid, steps=steps, lr=lr, momentum=mu,
                             tolerance=tol)
    starts = grid_of_starts(((-5.0, 5.0), (-5.0, 5.0)), grid)
    final, _ = descend(starts, lr, mu, steps)
    expected = nearest_labels(final, HIMMELBLAU_MINIMA, tol).reshape(grid, grid)
    assert np.array_equal(explorer.labels, expected)
    assert np.array_equal(np.asarray(explorer.map.image.get_array()), expected)
    counts = [(expected == i).sum() for i in range(4)] + [(expected == -1).sum()]
    widths = [bar.get_width() for bar in explorer.bars]
    assert np.allclose(widths, np.array(counts) / grid**2)
    # Himmelblau's four minima are all global (value 0).
    assert explorer.global_share == pytest.approx(1 - counts[-1] / grid**2)


def test_slider_changes_add_no_artists_and_rerun_the_map():
    explorer = BasinExplorer(himmelblau(), grid=12, steps=80, lr=0.01)
    explorer.figure.canvas.draw()
    before = count_artists(explorer.figure)
    first = explorer.labels.copy()
    explorer.set(lr=0.003)
    explorer.set(momentum=0.9)
    explorer.set(x0=2.0, y0=-1.0)
    explorer.figure.canvas.draw()
    assert count_artists(explorer.figure) == before
    assert not np.array_equal(first, explorer.labels)


def test_traced_path_follows_the_hand_written_descent_and_clicks_move_it():
    explorer = BasinExplorer(himmelblau(), grid=10, steps=60, lr=0.01, momentum=0.5)
    event = SimpleNamespace(inaxes=explorer.ax, xdata=-1.0, ydata=2.5, button=1)
    explorer._on_click(event)
    assert explorer.controls["x0"].value == pytest.approx(-1.0, abs=0.03)
    start = np.array([[explorer.controls["x0"].value, explorer.controls["y0"].value]])
    final, _ = descend(start, 0.01, 0.5, 60)
    assert np.allclose(explorer.path.final_points, final, atol=1e-9)
    line = explorer.paths.lines[0]
    assert np.allclose(line.get_xdata()[0], start[0, 0])
    # A click outside the map (on the bars) changes nothing.
    explorer._on_click(SimpleNamespace(inaxes=explorer.bar_ax, xdata=0.5, ydata=0.5, button=1))
    assert explorer.controls["x0"].value == pytest.approx(start[0, 0])


def test_too_large_lr_says_starts_diverged_without_warnings():
    explorer = BasinExplorer(himmelblau(), grid=12, steps=80, lr=0.01, lr_range=(1e-3, 0.2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.set(lr=0.2)
    assert explorer.diverged > 0
    assert "diverged" in explorer.message
    assert explorer.shares[-1] == pytest.approx(np.mean(explorer.labels == -1))


def test_surface_picker_rebuilds_bars_for_the_new_minima():
    explorer = BasinExplorer(himmelblau(), grid=10, steps=50, lr=0.01,
                             surfaces={"himmelblau": himmelblau, "six_hump_camel": six_hump_camel})
    explorer.set(surface="six_hump_camel")
    assert len(explorer.bars) == 7  # six minima and "no minimum"
    assert explorer.is_global.tolist() == [True, True, False, False, False, False]
    assert explorer.labels.shape == (10, 10)
    assert explorer.controls["x0"].max == 3.0 and explorer.controls["y0"].max == 2.0


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="known minima"):
        BasinExplorer(saddle())
    with pytest.raises(ValueError, match="momentum"):
        BasinExplorer(himmelblau(), momentum=1.5)
    with pytest.raises(ValueError, match="per_axis"):
        BasinExplorer(himmelblau(), grid=1)
    with pytest.raises(ValueError, match="lr"):
        BasinExplorer(himmelblau(), lr=-1.0)


def test_next_maps_are_run_in_the_background_and_equal_a_hand_written_descent(monkeypatch):
    # A move that finds its map cached queues the next positions along the slider, so that
    # moving on is a lookup instead of a run of several maps on the spot.
    from gradlab.explorers import basins

    jobs = []
    monkeypatch.setattr(basins.BACKGROUND, "submit", lambda owner, job: jobs.append(job))
    explorer = BasinExplorer(himmelblau(), grid=10, steps=60, lr=0.01, momentum=0.5)
    assert jobs, "the neighbours of the first setting are queued"
    for job in jobs:
        job(lambda: None)
    rates = [value for _label, value in explorer.controls["lr"].options]
    here = rates.index(0.01)
    runs = 0
    original = basins.BasinExplorer._run_maps

    def counting(self, settings):
        nonlocal runs
        runs += 1
        return original(self, settings)

    monkeypatch.setattr(basins.BasinExplorer, "_run_maps", counting)
    for step in (1, 2):  # the neighbours: cached, no run on the spot
        jobs.clear()
        explorer.set(lr=rates[here + step])
        assert runs == 0
        for job in jobs:  # and each move queued what lies ahead
            job(lambda: None)
    explorer.set(lr=rates[here + 3])
    assert runs == 0  # queued by the moves before
    for lr in (rates[here + 1], rates[here + 3]):
        explorer.set(lr=lr)
        starts = explorer.starts
        final, _alive = descend(starts, lr, 0.5, 60)
        expected = nearest_labels(final, explorer.minima, explorer.tolerance)
        np.testing.assert_array_equal(explorer.labels.ravel(), expected)
