"""Tests for gradlab.symbolic: derivatives and the numpy compile."""

import time
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gradlab.errors import EvaluationError
from gradlab.formula import parse
from gradlab.symbolic import (
    NumericFunction,
    derivatives_latex,
    gradient,
    hessian,
    partial,
    show_derivatives,
    to_numpy,
)

x, y, w, b, x1, theta = sympy.symbols("x y w b x1 theta", real=True)


# ----------------------------------------------------------------------------------------------
# derivatives
# ----------------------------------------------------------------------------------------------


def test_partial_gradient_hessian_match_hand_derivatives():
    f = parse("x^2*y + sin(x*y)")
    # d/dx: 2xy + y cos(xy);  d/dy: x^2 + x cos(xy)
    gx = 2 * x * y + y * sympy.cos(x * y)
    gy = x**2 + x * sympy.cos(x * y)
    assert sympy.simplify(partial(f, "x") - gx) == 0
    assert sympy.simplify(partial(f, y) - gy) == 0
    assert all(sympy.simplify(a - e) == 0 for a, e in zip(gradient(f), (gx, gy), strict=True))
    # d2/dx2: 2y - y^2 sin(xy);  d2/dxdy: 2x + cos(xy) - xy sin(xy);  d2/dy2: -x^2 sin(xy)
    expected = sympy.Matrix([
        [2 * y - y**2 * sympy.sin(x * y), 2 * x + sympy.cos(x * y) - x * y * sympy.sin(x * y)],
        [2 * x + sympy.cos(x * y) - x * y * sympy.sin(x * y), -(x**2) * sympy.sin(x * y)],
    ])
    assert sympy.simplify(hessian(f) - expected) == sympy.zeros(2, 2)


def test_derivatives_of_abs_of_an_unprovably_real_argument_are_finished():
    f = parse("abs(sin(x/(2 + cos(x))))^3")
    second = hessian(f)[0, 0]
    assert not second.has(sympy.Derivative, sympy.re, sympy.im)
    # at x = 0.5 compare with sympy's own derivative of the smooth branch (sin(...) > 0 there)
    smooth = sympy.sin(x / (2 + sympy.cos(x))) ** 3
    expected = sympy.diff(smooth, x, 2).subs(x, sympy.Rational(1, 2))
    assert float(second.subs(x, sympy.Rational(1, 2))) == pytest.approx(float(expected))


def test_logistic_loss_gradient_in_chosen_order():
    f = parse("log(1 + exp(-w*x - b))")
    s = 1 / (1 + sympy.exp(w * x + b))  # sigmoid(-(w x + b))
    gw, gb = gradient(f, ["w", "b"])
    assert sympy.simplify(gw - (-x * s)) == 0
    assert sympy.simplify(gb - (-s)) == 0


def test_partial_of_absent_variable_is_zero_and_text_is_accepted():
    assert partial("x^3", "y") == 0
    assert gradient("x^3 + y") == (3 * x**2, 1)


def test_to_numpy_refuses_variable_list_missing_a_symbol():
    assert gradient(parse("x*y"), ["x"]) == (y,)  # y is a constant here
    with pytest.raises(ValueError, match="also depends on"):
        to_numpy(parse("x + y"), ["x"])


def test_derivatives_latex_and_display():
    latex = derivatives_latex("x^2*y")
    assert r"\frac{\partial f}{\partial x} &= 2 x y" in latex
    assert r"\frac{\partial f}{\partial y} &= x^{2}" in latex
    assert r"H &= \left(\begin{matrix}2 y & 2 x\\2 x & 0\end{matrix}\right)" in latex
    one = derivatives_latex("x^3")
    assert r"\frac{d f}{d x} &= 3 x^{2}" in one and r"\frac{d^2 f}{d x^2} &= 6 x" in one
    assert show_derivatives("x^2*y").data.strip() == latex.strip()


# ----------------------------------------------------------------------------------------------
# numpy: shapes, speed
# ----------------------------------------------------------------------------------------------


def _grid(rows, cols, dim, rng):
    return rng.uniform(-2, 2, size=(rows, cols, dim))


def test_gradient_broadcasts_constant_components():
    rng = np.random.default_rng(0)
    points = _grid(500, 500, 2, rng)
    g = to_numpy("x**2 + y").gradient(points)
    assert g.shape == (500, 500, 2)
    np.testing.assert_allclose(g[..., 0], 2 * points[..., 0])
    np.testing.assert_array_equal(g[..., 1], np.ones((500, 500)))


def test_constant_function_has_full_shapes():
    rng = np.random.default_rng(1)
    points = _grid(7, 5, 2, rng)
    f = to_numpy(parse("3"), ["x", "y"])
    np.testing.assert_array_equal(f.value(points), np.full((7, 5), 3.0))
    np.testing.assert_array_equal(f.gradient(points), np.zeros((7, 5, 2)))
    np.testing.assert_array_equal(f.hessian(points), np.zeros((7, 5, 2, 2)))


def test_hessian_shape_and_symmetry():
    rng = np.random.default_rng(2)
    points = rng.normal(size=(4, 6, 3))
    f = to_numpy("x*y*z + x^2 + sin(y)")
    h = f.hessian(points)
    assert h.shape == (4, 6, 3, 3)
    np.testing.assert_array_equal(h, np.swapaxes(h, -1, -2))
    # d2/dxdy = z, d2/dx2 = 2, d2/dy2 = -sin(y)
    np.testing.assert_allclose(h[..., 0, 1], points[..., 2])
    np.testing.assert_allclose(h[..., 0, 0], 2.0)
    np.testing.assert_allclose(h[..., 1, 1], -np.sin(points[..., 1]))


def test_single_point_and_one_variable_shapes():
    f = to_numpy("x^2 + 3*y")
    assert isinstance(f.value([1.0, 2.0]), float)
    assert f.value([1.0, 2.0]) == 7.0
    assert f.gradient([1.0, 2.0]).shape == (2,)
    g = to_numpy("x^3")
    assert g.value(np.zeros((10, 1))).shape == (10,)
    assert g.hessian(np.zeros((10, 1))).shape == (10, 1, 1)


def test_points_with_wrong_last_axis_are_refused_clearly():
    f = to_numpy("x + y")
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\).*got shape \(5, 3\)"):
        f.value(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="real numbers"):
        f.value("abc")


def test_gradient_on_a_500_by_500_grid_takes_milliseconds():
    rng = np.random.default_rng(3)
    points = _grid(500, 500, 2, rng)
    f = to_numpy("sin(x)*exp(-y**2) + x^2*y")
    f.gradient(points)  # compile once
    best = min(_timed(f.gradient, points) for _ in range(3))
    assert best < 0.1, f"gradient on 500x500 took {best * 1e3:.1f} ms"


def _timed(function, argument):
    start = time.perf_counter()
    function(argument)
    return time.perf_counter() - start


def test_compiled_callables_are_cached():
    f = to_numpy("x^2 + y^2")
    f.gradient([1.0, 1.0])
    compiled = f._gradient
    f.gradient([2.0, 2.0])
    assert f._gradient is compiled
    assert isinstance(f, NumericFunction) and f.dim == 2


# ----------------------------------------------------------------------------------------------
# numpy: undefined values
# ----------------------------------------------------------------------------------------------


def test_undefined_values_are_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning at all fails the test
        log = to_numpy("log(x)")
        np.testing.assert_array_equal(log.value([[-1.0], [1.0]]), [np.nan, 0.0])
        assert np.isnan(log.value([0.0]))  # log(0) is a pole, not -inf
        inverse = to_numpy("1/x")
        assert np.isnan(inverse.value([0.0]))
        assert np.isnan(inverse.gradient([0.0])[0])
        assert inverse.value([2.0]) == 0.5
        assert np.isnan(to_numpy("sqrt(x)").value([-4.0]))
        assert np.isnan(to_numpy("exp(1/x)").value([0.0]))


def test_derivatives_are_undefined_where_the_function_is():
    # d/dx log(x) = 1/x exists as a number at x = -1, but log has no derivative there.
    f = to_numpy("log(x) + y^2")
    assert np.isnan(f.gradient([-1.0, 2.0])).all()
    assert np.isnan(f.hessian([-1.0, 2.0])).all()
    np.testing.assert_allclose(f.gradient([2.0, 3.0]), [0.5, 6.0])
    np.testing.assert_allclose(f.hessian([2.0, 3.0]), [[-0.25, 0.0], [0.0, 2.0]])


def test_overflow_stays_infinite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = to_numpy("exp(x)").value([[1000.0], [0.0]])
    assert values[0] == np.inf and values[1] == 1.0


def test_pole_among_overflows_is_found():
    points = np.array([[800.0], [0.0], [900.0], [1.0]])
    values = to_numpy("exp(x) + 1/x").value(points)
    assert values[0] == np.inf and np.isnan(values[1]) and values[2] == np.inf
    assert values[3] == pytest.approx(np.e + 1)


def test_strict_raises_and_names_the_point():
    f = to_numpy("log(x) + y")
    with pytest.raises(EvaluationError, match=r"x=-1, y=3"):
        f.value([[1.0, 2.0], [-1.0, 3.0]], strict=True)
    with pytest.raises(EvaluationError, match=r"gradient.*x=0, y=5"):
        to_numpy("1/x + y").gradient([[0.0, 5.0]], strict=True)
    with pytest.raises(EvaluationError, match=r"Hessian.*x=-2"):
        to_numpy("sqrt(x)").hessian([[-2.0]], strict=True)
    assert f.value([1.0, 2.0], strict=True) == 2.0


# ----------------------------------------------------------------------------------------------
# property tests: derivatives against central finite differences
# ----------------------------------------------------------------------------------------------

_LEAVES = st.sampled_from(["x", "y", "x", "y", "2", "0.5", "3", "pi"])
_UNARY = ["sin({})", "cos({})", "tanh({})", "arctan({})", "sigmoid({})", "exp({}/4)",
          "log(1 + ({})^2)", "sqrt(2 + sin({}))", "abs({})^3", "-({})"]
_BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (2 + cos({}))"]


def _formula(depth):
    if depth == 0:
        return _LEAVES
    smaller = _formula(depth - 1)
    return st.one_of(
        _LEAVES,
        st.builds(lambda f, a: f.format(a), st.sampled_from(_UNARY), smaller),
        st.builds(lambda f, a, c: f.format(a, c), st.sampled_from(_BINARY), smaller, smaller),
        st.builds(lambda a, n: f"({a})^{n}", smaller, st.sampled_from([2, 3])),
    )


_POINT = st.tuples(st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))


@settings(max_examples=80, deadline=None)
@given(_formula(3), _POINT)
def test_gradient_matches_central_differences(text, point):
    f = to_numpy(parse(text), ["x", "y"])
    p = np.array(point)
    def central(step):
        shifts = np.eye(2) * step
        return np.array([(f.value(p + s) - f.value(p - s)) / (2 * step) for s in shifts])

    # Richardson's extrapolation cancels the h^2 error term of central differences, which
    # steep cubics (e.g. (54 x)^3) would otherwise push past the tolerance.
    step = 1e-3
    numeric = (4 * central(step / 2) - central(step)) / 3
    exact = f.gradient(p)
    scale = 1.0 + np.abs(exact).max() + abs(f.value(p))
    np.testing.assert_allclose(exact, numeric, atol=1e-5 * scale, err_msg=text)


@settings(max_examples=60, deadline=None)
@given(_formula(3), _POINT)
@example("abs(sin((x) / (2 + cos(x))))^3", (0.0, 0.0))
@example("abs(x)^3", (0.0, 0.0))
def test_hessian_matches_central_differences_of_the_gradient(text, point):
    f = to_numpy(parse(text), ["x", "y"])
    p = np.array(point)
    step = 1e-5
    shifts = np.eye(2) * step
    numeric = np.stack([(f.gradient(p + s) - f.gradient(p - s)) / (2 * step) for s in shifts])
    exact = f.hessian(p)
    scale = 1.0 + np.abs(exact).max() + np.abs(f.gradient(p)).max()
    # abs(u)^3 has a jump in its third derivative, which costs central differences O(step).
    np.testing.assert_allclose(exact, numeric, atol=1e-4 * scale, err_msg=text)
