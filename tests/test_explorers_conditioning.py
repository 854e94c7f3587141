"""Tests of gradlab.explorers.conditioning, driven without a browser (Agg backend).

Expected numbers are restated by hand: eigenvalues from numpy's eigh, the gradient-descent
iterates from the closed form x_k = (I - lr A)^k x_0, the error factors |1 - lr λ|.
"""


import matplotlib

matplotlib.use("Agg")  # noqa: E402

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradlab.explorers.conditioning import ConditioningExplorer
from gradlab.quadratics import bowl_matrix


@pytest.fixture
def explorer():
    widget = ConditioningExplorer(condition_number=10.0, lr=0.1, angle=0.4, steps=25)
    yield widget
    widget.close()
    plt.close("all")


def test_eigen_directions_and_bounds_agree_with_eigh(explorer):
    for kappa in (1.0, 4.0, 63.0):
        explorer.set(condition_number=kappa)
        values, vectors = np.linalg.eigh(explorer.matrix)
        np.testing.assert_allclose(explorer.eigenvalues, values, rtol=1e-12)
        for column in range(2) if kappa > 1 else ():  # κ = 1: every direction is an eigenvector
            assert abs(abs(explorer.eigenvectors[:, column] @ vectors[:, column]) - 1) < 1e-12
        assert explorer.stability_bound == pytest.approx(2 / values[1])
        assert explorer.best_lr == pytest.approx(2 / (values[0] + values[1]))
        assert explorer.best_rate == pytest.approx((kappa - 1) / (kappa + 1))


def test_ellipses_are_level_sets_and_axes_are_eigenvectors(explorer):
    explorer.set(condition_number=25.0)
    matrix = explorer.matrix
    for line, radius in zip(explorer.ellipses, explorer.radii, strict=True):
        points = np.column_stack(line.get_data())
        values = 0.5 * np.einsum("nd,de,ne->n", points, matrix, points)
        np.testing.assert_allclose(values, 0.5 * explorer.scale * radius**2, rtol=1e-10)
    for line, lam in ((explorer.shallow_axis, explorer.eigenvalues[0]),
                      (explorer.steep_axis, explorer.eigenvalues[1])):
        direction = np.column_stack(line.get_data())[1]
        np.testing.assert_allclose(matrix @ direction, lam * direction, rtol=1e-10)


def test_path_is_the_closed_form_of_gradient_descent(explorer):
    explorer.set(lr=0.13, condition_number=7.0)
    step = np.eye(2) - 0.13 * bowl_matrix(7.0, 0.4)
    expected = [explorer.start]
    for _ in range(explorer.steps):
        expected.append(step @ expected[-1])
    np.testing.assert_allclose(explorer.trajectory.points[:, 0], np.array(expected), atol=1e-12)
    drawn = np.column_stack(explorer.paths.lines[0].get_data())
    np.testing.assert_allclose(drawn, np.array(expected), atol=1e-12)


def test_factor_curves_and_markers(explorer):
    explorer.set(lr=0.05, condition_number=12.0)
    grid = explorer.lr_grid
    np.testing.assert_allclose(explorer.shallow_factor.get_ydata(), np.abs(1 - grid))
    np.testing.assert_allclose(explorer.steep_factor.get_ydata(), np.abs(1 - 12 * grid))
    assert explorer.lr_line.get_xdata()[0] == pytest.approx(0.05)
    assert explorer.bound_line.get_xdata()[0] == pytest.approx(2 / 12)
    assert explorer.best_line.get_xdata()[0] == pytest.approx(2 / 13)
    assert explorer.factors(0.05) == pytest.approx((0.95, 0.4))


def test_divergence_is_explained_and_doubling_kappa_halves_the_bound(explorer):
    explorer.set(condition_number=10.0, lr=0.15)
    assert "slowest direction u_min" in explorer.message
    explorer.set(condition_number=20.0)
    assert explorer.stability_bound == pytest.approx(0.1)
    assert "0.15 > 2/λmax = 0.1" in explorer.message
    assert "|1 − η λmax| = 2" in explorer.message
    explorer.set(lr=2.5)
    assert explorer.trajectory.diverged_at[0] >= 0
    assert "diverged at step" in explorer.message


def test_round_bowl_at_lr_one_lands_in_one_step(explorer):
    explorer.set(condition_number=1.0, lr=1.0)
    np.testing.assert_allclose(explorer.trajectory.points[1:, 0], 0.0, atol=1e-12)
    assert "one step lands on the minimum" in explorer.message


def test_updates_add_no_artists(explorer):
    def count():
        return sum(len(ax.get_children()) for ax in explorer.figure.axes)

    explorer.figure.canvas.draw()
    before = count()
    for lr, kappa in [(0.01, 1.0), (2.9, 100.0), (0.3, 3.0), (0.001, 50.0)]:
        explorer.set(lr=lr, condition_number=kappa)
    explorer.figure.canvas.draw()
    assert count() == before


def test_extreme_values_are_clipped_with_a_message(explorer):
    explorer.set(condition_number=1000.0)
    assert explorer.controls["condition_number"].value == pytest.approx(100.0)
    assert "outside" in explorer.message
    explorer.set(lr=1e-9)
    assert explorer.controls["lr"].value == pytest.approx(1e-3)
    assert np.all(np.isfinite(explorer.trajectory.points))


@pytest.mark.parametrize("kwargs, words", [
    ({"condition_number": 0.5}, "outside"),
    ({"lr": 10.0}, "outside"),
    ({"steps": 0}, "steps"),
    ({"start": (5.0, 0.0)}, "start"),
    ({"scale": -1.0}, "scale"),
    ({"kappa_range": (0.5, 10.0)}, "kappa_range"),
])
def test_bad_arguments_raise_clear_errors(kwargs, words):
    with pytest.raises(ValueError, match=words):
        ConditioningExplorer(**kwargs)
    plt.close("all")
