"""Tests for gradlab.functions: the Objective type and the catalogue of surfaces.

Reference values come from the literature (Himmelblau, Beale, six-hump camel, Styblinski–Tang),
from closed forms, or are recomputed here independently (sympy.nsolve, dense sampling,
numpy.linalg.eigvalsh); none is read back from the code under test.
"""

import math

import numpy as np
import pytest
import sympy

from gradlab.errors import ExpressionError
from gradlab.functions import (
    Objective,
    beale,
    booth,
    catalogue,
    grid_of_starts,
    himmelblau,
    monkey_saddle,
    parabola,
    quadratic_bowl,
    rastrigin,
    rosenbrock,
    saddle,
    six_hump_camel,
    styblinski_tang,
    two_basin_quartic,
    wavy,
)

NAMES = {
    "parabola", "two_basin_quartic", "wavy", "quadratic_bowl", "rosenbrock", "himmelblau",
    "beale", "booth", "saddle", "monkey_saddle", "rastrigin", "six_hump_camel",
    "styblinski_tang",
}


def all_objectives():
    return [factory() for factory in catalogue().values()]


def test_catalogue_names():
    assert set(catalogue()) == NAMES


@pytest.mark.parametrize("objective", all_objectives(), ids=lambda o: o.name)
def test_every_objective_is_well_formed(objective):
    assert objective.description and "\n" not in objective.description
    assert len(objective.window) == objective.dim
    assert all(low < high for low, high in objective.window)
    assert objective.minima.shape[1:] == (objective.dim,)
    assert objective.saddles.shape[1:] == (objective.dim,)
    lows = np.array([low for low, _ in objective.window])
    highs = np.array([high for _, high in objective.window])
    for point in np.concatenate([objective.minima, objective.saddles]):
        assert np.all((lows <= point) & (point <= highs)), (objective.name, point)


@pytest.mark.parametrize("objective", all_objectives(), ids=lambda o: o.name)
def test_gradient_matches_central_differences(objective):
    rng = np.random.default_rng(7)
    lows = np.array([low for low, _ in objective.window])
    highs = np.array([high for _, high in objective.window])
    points = rng.uniform(lows, highs, size=(20, objective.dim))
    step = 1e-6
    numeric = np.stack(
        [(objective.value(points + step * e) - objective.value(points - step * e)) / (2 * step)
         for e in np.eye(objective.dim)],
        axis=-1,
    )
    exact = objective.gradient(points)
    scale = 1.0 + np.abs(objective.value(points))[:, None]
    np.testing.assert_allclose(exact, numeric, atol=1e-6 * scale.max(), rtol=1e-5)


@pytest.mark.parametrize(
    "objective", [o for o in all_objectives() if len(o.minima)], ids=lambda o: o.name
)
def test_minima_are_stationary_with_positive_definite_hessian(objective):
    gradients = objective.gradient(objective.minima)
    scale = 1.0 + np.abs(objective.hessian(objective.minima)).max()
    np.testing.assert_allclose(gradients, 0.0, atol=1e-9 * scale)
    eigenvalues = np.linalg.eigvalsh(objective.hessian(objective.minima))
    assert np.all(eigenvalues > 0), (objective.name, eigenvalues)
    assert objective.value(objective.minima[0]) == pytest.approx(
        objective.minimum_value, abs=1e-12
    )
    values = objective.value(objective.minima)
    assert np.all(np.diff(values) >= -1e-12), "global minima must come first, then by value"


@pytest.mark.parametrize(
    "objective", [o for o in all_objectives() if len(o.saddles) and o.name != "monkey_saddle"],
    ids=lambda o: o.name,
)
def test_saddles_are_stationary_with_indefinite_hessian(objective):
    scale = 1.0 + np.abs(objective.hessian(objective.saddles)).max()
    np.testing.assert_allclose(objective.gradient(objective.saddles), 0.0, atol=1e-9 * scale)
    eigenvalues = np.linalg.eigvalsh(objective.hessian(objective.saddles))
    assert np.all(eigenvalues[:, 0] < 0) and np.all(eigenvalues[:, -1] > 0), eigenvalues


def test_monkey_saddle_is_a_degenerate_saddle():
    f = monkey_saddle()
    np.testing.assert_array_equal(f.saddles, [[0.0, 0.0]])
    np.testing.assert_array_equal(f.gradient([0.0, 0.0]), [0.0, 0.0])
    np.testing.assert_array_equal(f.hessian([0.0, 0.0]), np.zeros((2, 2)))
    # Closed form: f(t, 0) = t³ takes both signs in every neighbourhood of the origin.
    for t in [1e-3, 1e-6]:
        assert f.value([t, 0.0]) == pytest.approx(t**3)
        assert f.value([-t, 0.0]) == pytest.approx(-(t**3))
    assert f.minimum_value == -math.inf


# ----------------------------------------------------------------------------------------------
# published values
# ----------------------------------------------------------------------------------------------


def test_himmelblau_four_minima_match_published_values():
    f = himmelblau()
    published = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186],
                          [3.584428, -1.848126]])
    assert f.minima.shape == (4, 2)
    for point in published:
        assert np.min(np.abs(f.minima - point).max(axis=1)) < 1e-5
    np.testing.assert_allclose(f.value(f.minima), 0.0, atol=1e-20)
    assert f.value([3.0, 2.0]) == 0.0
    assert f.value([-0.270845, -0.923039]) == pytest.approx(181.617, abs=1e-3)  # its maximum


def test_beale_minimum():
    f = beale()
    np.testing.assert_array_equal(f.minima, [[3.0, 0.5]])
    assert f.value([3.0, 0.5]) == 0.0
    # Hand check at a second point: (1.5 - 1 + 1)^2 + (2.25 - 1 + 1)^2 + (2.625 - 1 + 1)^2
    assert f.value([1.0, 1.0]) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)


def test_booth_minimum_and_matrix():
    f = booth()
    assert f.value([1.0, 3.0]) == 0.0
    # Hessian by hand: 2[[1, 2]]ᵀ[[1, 2]] + 2[[2, 1]]ᵀ[[2, 1]] = [[10, 8], [8, 10]]
    np.testing.assert_array_equal(f.matrix, [[10.0, 8.0], [8.0, 10.0]])
    assert f.stability_bound() == pytest.approx(2 / 18)


def test_six_hump_camel_published_minima():
    f = six_hump_camel()
    for point in ([0.0898, -0.7126], [-0.0898, 0.7126]):
        nearest = f.minima[np.argmin(np.abs(f.minima - point).max(axis=1))]
        np.testing.assert_allclose(nearest, point, atol=1e-4)
        assert f.value(nearest) == pytest.approx(-1.0316, abs=1e-4)
    assert f.minimum_value == pytest.approx(-1.031628453, abs=1e-9)
    # Dense sampling of the window finds nothing lower.
    xs, ys = np.meshgrid(np.linspace(-3, 3, 1201), np.linspace(-2, 2, 801))
    assert f.value(np.stack([xs, ys], axis=-1)).min() >= f.minimum_value - 1e-12


@pytest.mark.parametrize("dim", [1, 2, 3, 5])
def test_styblinski_tang_published_minimum(dim):
    f = styblinski_tang(dim)
    np.testing.assert_allclose(f.minima[0], np.full(dim, -2.903534), atol=1e-6)
    assert f.minimum_value == pytest.approx(-39.16617 * dim, abs=1e-5 * dim)
    assert f.minima.shape == (2**dim, dim)
    # saddles: every coordinate stationary, a mix of the 1-D maximum and a minimum
    assert len(f.saddles) == 3**dim - 2**dim - 1


def test_rastrigin_and_rosenbrock_minima():
    assert rastrigin().value([0.0, 0.0]) == 0.0
    assert rastrigin(dim=4).value(np.zeros(4)) == 0.0
    assert rosenbrock().value([1.0, 1.0]) == 0.0
    f = rosenbrock(a=2.0, b=10.0)
    np.testing.assert_array_equal(f.minima, [[2.0, 4.0]])
    # gradient by hand: (-2(a - x) - 4bx(y - x²), 2b(y - x²)) at (1, 2): (-2 - 40, 20)
    np.testing.assert_allclose(f.gradient([1.0, 2.0]), [-42.0, 20.0])


def test_quartic_minima_against_nsolve_and_sampling():
    f = two_basin_quartic()
    t = sympy.Symbol("t")
    derivative = sympy.diff(t**4 - 4 * t**2 + t, t)
    for guess, point in zip([-1.5, 1.3], f.minima[:, 0], strict=True):
        root = float(sympy.nsolve(derivative, t, guess, prec=30))
        assert point == pytest.approx(root, abs=1e-12)
    grid = np.linspace(-2.5, 2.5, 1_000_001)
    values = grid**4 - 4 * grid**2 + grid
    assert f.minima[0, 0] == pytest.approx(grid[np.argmin(values)], abs=1e-5)
    assert f.minimum_value == pytest.approx(values.min(), abs=1e-9)


def test_wavy_minima_against_nsolve_and_sampling():
    f = wavy()
    t = sympy.Symbol("t")
    derivative = sympy.diff(t * sympy.cos(sympy.pi * t), t)
    for point in f.minima[:, 0]:
        root = float(sympy.nsolve(derivative, t, round(point * 2) / 2 or -0.3, prec=30))
        assert point == pytest.approx(root, abs=1e-12)
    grid = np.linspace(-2.5, 2.5, 1_000_001)
    values = grid * np.cos(np.pi * grid)
    assert f.minima[0, 0] == pytest.approx(grid[np.argmin(values)], abs=1e-5)
    assert f.minimum_value == pytest.approx(values.min(), abs=1e-9)
    # every local minimum of the sampled curve inside the window is listed
    inner = np.flatnonzero((values[1:-1] < values[:-2]) & (values[1:-1] < values[2:])) + 1
    assert sorted(grid[inner]) == pytest.approx(sorted(f.minima[:, 0]), abs=1e-5)


# ----------------------------------------------------------------------------------------------
# the quadratic bowl and the stability bound
# ----------------------------------------------------------------------------------------------


def _bowl_matrix(condition_number, angle, scale):
    c, s = math.cos(angle), math.sin(angle)
    u = np.array([c, s])  # eigenvector of the small eigenvalue
    v = np.array([-s, c])
    return scale * np.outer(u, u) + scale * condition_number * np.outer(v, v)


@pytest.mark.parametrize(
    ("condition_number", "angle", "scale"),
    [(10.0, 0.0, 1.0), (1.0, 0.3, 2.0), (100.0, math.pi / 4, 0.5), (37.5, -1.1, 3.0)],
)
def test_quadratic_bowl_stability_bound_and_condition_number(condition_number, angle, scale):
    f = quadratic_bowl(condition_number=condition_number, angle=angle, scale=scale)
    expected = _bowl_matrix(condition_number, angle, scale)
    np.testing.assert_allclose(f.matrix, expected, rtol=1e-11, atol=1e-11 * scale)
    eigenvalues = np.linalg.eigvalsh(expected)
    assert f.stability_bound() == pytest.approx(2 / eigenvalues.max(), rel=1e-10)
    rng = np.random.default_rng(11)
    point = rng.normal(size=2)
    assert f.stability_bound(point) == pytest.approx(2 / eigenvalues.max(), rel=1e-10)
    hessian_eigenvalues = np.linalg.eigvalsh(f.hessian(point))
    ratio = hessian_eigenvalues.max() / hessian_eigenvalues.min()
    assert ratio == pytest.approx(condition_number, rel=1e-9)
    # f = ½ pᵀ A p
    assert f.value(point) == pytest.approx(0.5 * point @ expected @ point, rel=1e-10)


def test_quadratic_bowl_rejects_bad_parameters():
    with pytest.raises(ValueError, match="condition_number must be at least 1"):
        quadratic_bowl(condition_number=0.5)
    with pytest.raises(ValueError, match="scale must be positive"):
        quadratic_bowl(scale=0.0)
    with pytest.raises(ValueError, match="finite"):
        quadratic_bowl(angle=math.inf)


def test_parabola_stability_bound_is_one_over_a():
    assert parabola(a=4.0).stability_bound() == pytest.approx(0.25)
    assert parabola().stability_bound([2.0]) == pytest.approx(1.0)


def test_stability_bound_vectorized_and_special_cases():
    f = rosenbrock()
    rng = np.random.default_rng(5)
    points = rng.uniform(-2, 2, size=(3, 4, 2))
    bounds = f.stability_bound(points)
    assert bounds.shape == (3, 4)
    # independent: Rosenbrock's Hessian by hand
    px, py = points[..., 0], points[..., 1]
    h = np.empty(points.shape[:-1] + (2, 2))
    h[..., 0, 0] = 2 - 400 * (py - px**2) + 800 * px**2
    h[..., 0, 1] = h[..., 1, 0] = -400 * px
    h[..., 1, 1] = 200
    np.testing.assert_allclose(bounds, 2 / np.linalg.eigvalsh(h)[..., -1], rtol=1e-10)
    assert isinstance(f.stability_bound([1.0, 1.0]), float)
    assert saddle().stability_bound() == pytest.approx(1.0)  # λmax = 2
    assert Objective.from_text("-x^2 - y^2").stability_bound([0.3, 0.1]) == math.inf
    assert math.isnan(Objective.from_text("log(x)").stability_bound([-1.0]))
    with pytest.raises(ValueError, match="pass the point"):
        rosenbrock().stability_bound()


# ----------------------------------------------------------------------------------------------
# objectives from text
# ----------------------------------------------------------------------------------------------


def test_from_text_defaults():
    f = Objective.from_text("w*x + b^2")
    assert [s.name for s in f.variables] == ["x", "b", "w"]
    assert f.window == ((-3.0, 3.0),) * 3
    assert f.minima.shape == (0, 3) and math.isnan(f.minimum_value)
    assert f.name == "w*x + b^2"
    assert f.matrix is not None  # a quadratic polynomial
    np.testing.assert_allclose(f.gradient([1.0, 2.0, 3.0]), [3.0, 4.0, 1.0])


def test_from_text_with_variables_and_window():
    f = Objective.from_text("b + w", variables=["w", "b"], window=[(-1, 1), (0, 2)], name="line")
    assert [s.name for s in f.variables] == ["w", "b"]
    assert f.window == ((-1.0, 1.0), (0.0, 2.0))
    assert f.name == "line"
    with pytest.raises(ExpressionError, match="'z'"):
        Objective.from_text("z", variables=["w", "b"])


def test_from_text_refuses_bad_windows():
    with pytest.raises(ValueError, match="one \\(low, high\\) pair per variable"):
        Objective.from_text("x + y", window=[(-1, 1)] * 3)
    with pytest.raises(ValueError, match="low < high"):
        Objective.from_text("x", window=(2, 1))


def test_from_expr_minimum_value_defaults_to_value_at_first_minimum():
    x = sympy.Symbol("x", real=True)
    f = Objective.from_expr((x - 1) ** 2 + 5, minima=[[1.0]])
    assert f.minimum_value == 5.0


def test_objective_arrays_are_read_only():
    f = himmelblau()
    with pytest.raises(ValueError):
        f.minima[0, 0] = 1.0
    with pytest.raises(AttributeError):
        f.name = "other"


# --- grid_of_starts ------------------------------------------------------------------------------


def test_grid_of_starts_are_cell_centres():
    starts = grid_of_starts(((-1.0, 1.0), (0.0, 4.0)), 4)
    assert starts.shape == (16, 2)
    assert np.allclose(np.unique(starts[:, 0]), [-0.75, -0.25, 0.25, 0.75])
    assert np.allclose(np.unique(starts[:, 1]), [0.5, 1.5, 2.5, 3.5])
    assert np.allclose(starts[1], [-0.25, 0.5])  # x varies fastest: row-major, row 0 at bottom
    with pytest.raises(ValueError, match="per_axis"):
        grid_of_starts(((0, 1), (0, 1)), 1)
