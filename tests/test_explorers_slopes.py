"""Tests of gradlab.explorers.slopes: artists checked against closed-form derivatives."""

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import numpy as np
import pytest

from gradlab.explorers.slopes import SliceExplorer, TangentExplorer
from gradlab.functions import Objective

# close_all, cubic (f = x³/3 − x), bowl (f = x² + xy + 2y²) and artist_count are fixtures from
# tests/conftest.py.


def _line_slope(line):
    x, y = (np.asarray(a, dtype=float) for a in line.get_data())
    return (y[-1] - y[0]) / (x[-1] - x[0])


def test_tangent_and_secant_slopes_match_the_closed_forms(cubic, close_all):
    explorer = TangentExplorer(cubic, x0=0.5, h=0.25)
    for x0, h in [(0.5, 0.25), (-1.3, 0.01), (1.7, 1.0)]:
        explorer.set(x0=x0, h=h)
        x0, h = explorer.controls["x0"].value, explorer.controls["h"].value
        assert explorer.slope == pytest.approx(x0**2 - 1, abs=1e-12)  # d/dx (x³/3 − x)

        def f(t):
            return t**3 / 3 - t

        assert explorer.secant_slope == pytest.approx((f(x0 + h) - f(x0 - h)) / (2 * h),
                                                      rel=1e-10, abs=1e-12)
        # the central difference of a cubic is off by exactly h² f'''/6 = h²/3
        assert explorer.secant_slope - explorer.slope == pytest.approx(h**2 / 3, abs=1e-9)
        assert _line_slope(explorer.secant) == pytest.approx(explorer.secant_slope)
        assert _line_slope(explorer.tangent.tangent) == pytest.approx(explorer.slope)
        ends_x, ends_y = explorer.ends.get_data()
        np.testing.assert_allclose(ends_y, f(np.asarray(ends_x)), atol=1e-12)


def test_tangent_updates_move_artists_without_adding_any(cubic, close_all, artist_count):
    explorer = TangentExplorer(cubic)
    explorer.figure.canvas.draw()
    before = artist_count(explorer.figure)
    for x0 in np.linspace(-2, 2, 7):
        explorer.set(x0=float(x0), h=0.002)
    assert artist_count(explorer.figure) == before
    assert "secant slope" in explorer.message


def test_tangent_refuses_bad_arguments(cubic, bowl, close_all):
    with pytest.raises(ValueError, match="one-variable"):
        TangentExplorer(bowl)
    with pytest.raises(ValueError, match="outside the window"):
        TangentExplorer(cubic, x0=5.0)
    with pytest.raises(ValueError, match="h_range"):
        TangentExplorer(cubic, h=3.0)
    with pytest.raises(ValueError, match="0 < low < high"):
        TangentExplorer(cubic, h_range=(0.0, 1.0))


def test_tangent_slider_clips_extreme_values_and_says_so(cubic, close_all):
    explorer = TangentExplorer(cubic)
    explorer.set(x0=100.0)
    assert explorer.controls["x0"].value == 2.0
    assert "outside" in explorer.message
    assert explorer.slope == pytest.approx(3.0)


def test_slices_and_partials_match_the_closed_forms(bowl, close_all):
    explorer = SliceExplorer(bowl, point=(1.0, 1.0))
    for x0, y0 in [(1.0, 1.0), (-1.5, 0.3), (0.0, -2.0)]:
        explorer.set(x0=x0, y0=y0)
        x0, y0 = explorer.controls["x0"].value, explorer.controls["y0"].value
        np.testing.assert_allclose(explorer.partials, [2 * x0 + y0, x0 + 4 * y0], atol=1e-12)
        xs, heights = explorer.x_slice["curve"].get_data()
        np.testing.assert_allclose(heights, xs**2 + xs * y0 + 2 * y0**2, atol=1e-12)
        ys, heights = explorer.y_slice["curve"].get_data()
        np.testing.assert_allclose(heights, x0**2 + x0 * ys + 2 * ys**2, atol=1e-12)
        assert _line_slope(explorer.x_slice["tangent"]) == pytest.approx(2 * x0 + y0)
        assert _line_slope(explorer.y_slice["tangent"]) == pytest.approx(x0 + 4 * y0)
        # the black arrow is the gradient's direction; its legs are the components
        u, v = explorer.arrows.U, explorer.arrows.V
        np.testing.assert_allclose([u[2], v[2]], [u[0], v[1]])
        gradient = np.array([2 * x0 + y0, x0 + 4 * y0])
        direction = np.array([u[2], v[2]])
        np.testing.assert_allclose(direction / np.linalg.norm(direction),
                                   gradient / np.linalg.norm(gradient), atol=1e-12)
        assert explorer.x_cut.get_ydata()[0] == y0 and explorer.y_cut.get_xdata()[0] == x0


def test_slices_update_without_new_artists_and_handle_a_zero_gradient(bowl, close_all,
                                                                      artist_count):
    explorer = SliceExplorer(bowl)
    explorer.figure.canvas.draw()
    before = artist_count(explorer.figure)
    explorer.set(x0=0.0, y0=0.0)  # the minimum: gradient zero, no arrow to draw
    np.testing.assert_allclose(explorer.partials, [0.0, 0.0])
    np.testing.assert_allclose(explorer.arrows.U, 0.0)
    assert "|∇f| = 0" in explorer.message
    explorer.set(x0=-2.0, y0=2.0)
    explorer.figure.canvas.draw()
    assert artist_count(explorer.figure) == before


def test_slices_report_a_point_where_f_is_not_differentiable(close_all):
    cone = Objective.from_text("sqrt(x^2 + y^2)", window=(-1, 1))
    explorer = SliceExplorer(cone, point=(0.5, 0.5))
    explorer.set(x0=0.0, y0=0.0)
    assert "not differentiable" in explorer.message


def test_slices_refuse_bad_arguments(cubic, bowl, close_all):
    with pytest.raises(ValueError, match="two-variable"):
        SliceExplorer(cubic)
    with pytest.raises(ValueError, match="outside the window"):
        SliceExplorer(bowl, point=(0.0, 3.0))
    with pytest.raises(ValueError, match="2 finite"):
        SliceExplorer(bowl, point=(0.0, np.nan))
    with pytest.raises(ValueError, match="resolution"):
        SliceExplorer(bowl, resolution=3)
