"""Tests of gradlab.explorers.directions: the slope in every direction against closed forms."""

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import numpy as np
import pytest

from gradlab.explorers.directions import DirectionExplorer, slope_along
from gradlab.functions import Objective

# close_all, bowl (f = x² + xy + 2y²) and artist_count are fixtures from tests/conftest.py.


def test_slope_along_matches_the_dot_product_with_the_gradient():
    def f(p):
        return np.sin(p[..., 0]) * p[..., 1] ** 2

    point = np.array([0.4, -1.2])
    gradient = np.array([np.cos(0.4) * 1.44, 2 * np.sin(0.4) * -1.2])  # by hand
    angles = np.array([-135.0, -30.0, 0.0, 60.0, 90.0, 180.0])
    theta = np.radians(angles)
    expected = gradient[0] * np.cos(theta) + gradient[1] * np.sin(theta)
    np.testing.assert_allclose(slope_along(f, point, angles), expected, atol=1e-8)
    with pytest.raises(ValueError, match="h must be positive"):
        slope_along(f, point, 0.0, h=0.0)


def test_curve_is_a_cosine_peaking_at_the_gradient(bowl, close_all):
    explorer = DirectionExplorer(bowl, point=(1.0, 1.0), angle=0.0)
    for x0, y0, angle in [(1.0, 1.0, 0.0), (-1.2, 0.5, 75.0), (0.3, -1.9, -170.0)]:
        explorer.set(x0=x0, y0=y0, angle=angle)
        x0, y0 = explorer.controls["x0"].value, explorer.controls["y0"].value
        gx, gy = 2 * x0 + y0, x0 + 4 * y0
        magnitude, phi = np.hypot(gx, gy), np.arctan2(gy, gx)
        angles, slopes = (np.asarray(a) for a in explorer.curve.get_data())
        np.testing.assert_allclose(slopes, magnitude * np.cos(np.radians(angles) - phi),
                                   atol=1e-12)
        assert explorer.steepest_angle == pytest.approx(np.degrees(phi))
        assert explorer.ascent_line.get_xdata()[0] == pytest.approx(np.degrees(phi))
        descent = explorer.descent_line.get_xdata()[0]
        assert -180 <= descent < 180
        assert np.cos(np.radians(descent) - phi) == pytest.approx(-1.0)
        assert explorer.slope == pytest.approx(magnitude * np.cos(np.radians(angle) - phi))
        assert explorer.slope_estimate == pytest.approx(explorer.slope, abs=1e-6)
        assert explorer.marker.get_xdata()[0] == angle


def test_along_a_contour_the_slope_is_zero(bowl, close_all):
    explorer = DirectionExplorer(bowl, point=(1.0, 1.0))
    explorer.set(angle=round(explorer.steepest_angle + 90.0))
    # 1° off the contour direction: slope ≈ |∇f| sin(1°) at most
    assert abs(explorer.slope) <= np.hypot(3, 5) * np.sin(np.radians(1.0)) + 1e-12


def test_zero_gradient_hides_the_steepest_lines_and_says_why(bowl, close_all, artist_count):
    explorer = DirectionExplorer(bowl)
    explorer.figure.canvas.draw()
    before = artist_count(explorer.figure)
    explorer.set(x0=0.0, y0=0.0)
    assert np.isnan(explorer.steepest_angle)
    assert not explorer.ascent_line.get_visible()
    assert "gradient is zero" in explorer.message
    explorer.set(x0=1.0, y0=-1.0, angle=45.0)
    assert explorer.ascent_line.get_visible()
    explorer.figure.canvas.draw()
    assert artist_count(explorer.figure) == before


def test_refuses_bad_arguments(bowl, close_all):
    line = Objective.from_text("x^2", window=(-1, 1))
    with pytest.raises(ValueError, match="two-variable"):
        DirectionExplorer(line)
    with pytest.raises(ValueError, match="angle"):
        DirectionExplorer(bowl, angle=400.0)
    with pytest.raises(ValueError, match="outside the window"):
        DirectionExplorer(bowl, point=(5.0, 0.0))
    with pytest.raises(ValueError, match="h must be positive"):
        DirectionExplorer(bowl, h=-1.0)
