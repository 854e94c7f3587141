"""The surfaces the course descends: an objective type and a catalogue of classic test functions.

An :class:`Objective` holds a sympy expression with its compiled value, gradient and Hessian,
a default view window, the known minima and saddle points, and the learning-rate stability
bound. The catalogue builds the classic surfaces from the optimization literature; any formula
a learner types becomes an objective the same way, through :meth:`Objective.from_text`.

Examples
--------
>>> from gradlab.functions import rosenbrock, Objective
>>> f = rosenbrock()
>>> f.value([1.0, 1.0])
np.float64(0.0)
>>> g = Objective.from_text("x^2 + 10*y^2")
>>> g.stability_bound()
0.1
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy

from gradlab.formula import parse, variables_of
from gradlab.symbolic import NumericFunction, to_numpy

__all__ = [
    "Objective",
    "beale",
    "booth",
    "catalogue",
    "grid_of_starts",
    "himmelblau",
    "monkey_saddle",
    "parabola",
    "quadratic_bowl",
    "rastrigin",
    "rosenbrock",
    "saddle",
    "six_hump_camel",
    "styblinski_tang",
    "two_basin_quartic",
    "wavy",
]

DEFAULT_WINDOW = (-3.0, 3.0)
"""The view window per variable when none is given."""


def _points(rows, dim: int, what: str) -> np.ndarray:
    """A read-only float array of shape (k, dim)."""
    if rows is None:
        array = np.zeros((0, dim))
    else:
        try:
            array = np.array(rows, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{what}: expected points of shape (k, {dim}), got {rows!r}") from None
        if array.ndim == 1 and array.size == dim:
            array = array.reshape(1, dim)
        if array.size == 0:
            array = array.reshape(0, dim)
        if array.ndim != 2 or array.shape[1] != dim:
            raise ValueError(f"{what}: expected shape (k, {dim}), got shape {array.shape}")
    array.flags.writeable = False
    return array


def _window(window, dim: int) -> tuple[tuple[float, float], ...]:
    if window is None:
        window = [DEFAULT_WINDOW] * dim
    try:
        array = np.array(window, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"window: expected (low, high) pairs, got {window!r}") from None
    if array.shape == (2,):
        array = np.tile(array, (dim, 1))  # one pair for every variable
    if array.shape != (dim, 2):
        raise ValueError(
            f"window: expected one (low, high) pair per variable ({dim}), got shape {array.shape}"
        )
    if not np.isfinite(array).all() or not (array[:, 0] < array[:, 1]).all():
        raise ValueError(f"window: each pair needs finite low < high, got {array.tolist()}")
    return tuple((float(low), float(high)) for low, high in array)


def _quadratic_matrix(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> np.ndarray | None:
    """The constant Hessian of a polynomial of degree at most 2, else None."""
    if not variables or not expr.is_polynomial(*variables):
        return None
    if sympy.Poly(expr, *variables).total_degree() > 2:
        return None
    matrix = np.array(sympy.hessian(expr, variables).tolist(), dtype=float)
    matrix.flags.writeable = False
    return matrix


@dataclass(frozen=True, eq=False)
class Objective:
    """A function to minimize, with what a lesson needs to know about it.

    Build one with :meth:`from_text`, :meth:`from_expr` or a catalogue factory
    (:func:`catalogue`).

    Parameters
    ----------
    name : str
        A short name.
    expr : sympy.Expr
        The formula.
    variables : tuple of sympy.Symbol
        Its variables, in the order of the points' last axis.
    window : tuple of (float, float)
        The default view: one ``(low, high)`` pair per variable.
    minima : numpy.ndarray, shape (k, dim)
        Known minima, global ones first, then local ones by increasing value.
        Empty when none is known.
    minimum_value : float
        The value at the global minimum; ``-inf`` when the function is unbounded below,
        ``nan`` when unknown.
    saddles : numpy.ndarray, shape (k, dim)
        Known saddle points (gradient zero, neither a minimum nor a maximum).
    description : str
        One line on what the surface teaches.

    Attributes
    ----------
    dim : int
        The number of variables.
    matrix : numpy.ndarray or None
        For a quadratic ``f(p) = ½ pᵀ A p + bᵀ p + c``, its constant Hessian ``A``;
        ``None`` for any other function.
    numeric : NumericFunction
        The compiled value, gradient and Hessian (see :func:`gradlab.symbolic.to_numpy`).

    Notes
    -----
    ``value``, ``gradient`` and ``hessian`` take points of shape ``(..., dim)`` and return
    ``(...)``, ``(..., dim)`` and ``(..., dim, dim)``; ``nan`` marks points where the formula
    is undefined, and ``strict=True`` raises :class:`~gradlab.errors.EvaluationError` there
    instead (see :class:`~gradlab.symbolic.NumericFunction`).
    """

    name: str
    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    window: tuple[tuple[float, float], ...]
    minima: np.ndarray
    minimum_value: float
    saddles: np.ndarray
    description: str = ""
    matrix: np.ndarray | None = field(init=False, repr=False)
    numeric: NumericFunction = field(init=False, repr=False)

    def __post_init__(self) -> None:
        variables = tuple(self.variables)
        dim = len(variables)
        if dim == 0:
            raise ValueError(f"{self.name}: an objective needs at least one variable")
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "window", _window(self.window, dim))
        object.__setattr__(self, "minima", _points(self.minima, dim, "minima"))
        object.__setattr__(self, "saddles", _points(self.saddles, dim, "saddles"))
        object.__setattr__(self, "minimum_value", float(self.minimum_value))
        object.__setattr__(self, "matrix", _quadratic_matrix(self.expr, variables))
        object.__setattr__(self, "numeric", to_numpy(self.expr, variables))

    def __repr__(self) -> str:
        names = ", ".join(s.name for s in self.variables)
        return f"Objective({self.name!r}, f({names}) = {self.expr})"

    @classmethod
    def from_expr(cls, expr: sympy.Expr, variables: Sequence[str | sympy.Symbol] | None = None,
                  *, window=None, name: str | None = None, description: str = "",
                  minima=None, minimum_value: float | None = None, saddles=None) -> Objective:
        """An objective from a sympy expression.

        Parameters
        ----------
        expr : sympy.Expr
            The formula.
        variables : sequence of str or sympy.Symbol, optional
            The variables in order; default :func:`gradlab.symbolic.variables_of` ``(expr)``.
        window : sequence of (low, high), or one (low, high) pair for all variables, optional
            Default ``(-3, 3)`` for every variable.
        name : str, optional
            Default: the formula as text.
        description : str, optional
        minima, saddles : array_like, shape (k, dim), optional
            Known minima (global first) and saddle points. Default: none.
        minimum_value : float, optional
            Default: the value at the first minimum, or ``nan`` when no minimum is given.

        Returns
        -------
        Objective
        """
        numeric = to_numpy(expr, variables)
        minima_array = _points(minima, numeric.dim, "minima")
        if minimum_value is None:
            minimum_value = (float(numeric.value(minima_array[0])) if len(minima_array)
                             else math.nan)
        return cls(name=str(expr) if name is None else name, expr=expr,
                   variables=numeric.variables, window=window, minima=minima_array,
                   minimum_value=minimum_value, saddles=saddles, description=description)

    @classmethod
    def from_text(cls, text: str, variables: Sequence[str] | None = None, *, window=None,
                  name: str | None = None, description: str = "") -> Objective:
        """An objective from formula text, read safely by :func:`gradlab.symbolic.parse`.

        Parameters
        ----------
        text : str
            The formula, e.g. ``"x^2 + 3*y^2"``.
        variables : sequence of str, optional
            The only variable names allowed, in order. Default: the names the text uses,
            in canonical order (``x, y, z`` first).
        window : sequence of (low, high), or one (low, high) pair, optional
            Default ``(-3, 3)`` for every variable.
        name : str, optional
            Default: the text.
        description : str, optional

        Returns
        -------
        Objective
            Minima and saddles are not known (empty); ``minimum_value`` is ``nan``.

        Raises
        ------
        ExpressionError
            When the text is not an allowed formula.

        Examples
        --------
        >>> f = Objective.from_text("x^2 + 3*y^2", window=(-2, 2))
        >>> f.gradient([1.0, 1.0])
        array([2., 6.])
        >>> f.window
        ((-2.0, 2.0), (-2.0, 2.0))
        """
        expr = parse(text, variables)
        order = list(variables) if variables is not None else variables_of(expr)
        return cls.from_expr(expr, order, window=window,
                             name=text.strip() if name is None else name, description=description)

    @property
    def dim(self) -> int:
        """The number of variables."""
        return len(self.variables)

    def value(self, points, *, strict: bool = False):
        """The value at points of shape ``(..., dim)``; shape ``(...)``."""
        return self.numeric.value(points, strict=strict)

    __call__ = value

    def gradient(self, points, *, strict: bool = False) -> np.ndarray:
        """The gradient at points of shape ``(..., dim)``; shape ``(..., dim)``."""
        return self.numeric.gradient(points, strict=strict)

    def hessian(self, points, *, strict: bool = False) -> np.ndarray:
        """The Hessian at points of shape ``(..., dim)``; shape ``(..., dim, dim)``."""
        return self.numeric.hessian(points, strict=strict)

    def stability_bound(self, point=None):
        """The largest stable learning rate of gradient descent near a point: ``2 / λmax``.

        Parameters
        ----------
        point : array_like, shape (dim,) or (..., dim), optional
            Where to take the Hessian. May be omitted for a quadratic, whose Hessian is
            the same everywhere.

        Returns
        -------
        float or numpy.ndarray of shape (...)
            ``2 / λmax`` with ``λmax`` the largest eigenvalue of the Hessian; ``inf`` where no
            eigenvalue is positive, ``nan`` where the Hessian is undefined. A float for a
            single point.

        Notes
        -----
        Near a point the function behaves like its quadratic model, and gradient descent with
        learning rate ``lr`` multiplies the error along each eigenvector by ``1 - lr·λ``. It
        shrinks in every direction exactly when ``lr < 2 / λmax`` (for positive ``λ``). For a
        quadratic the bound is exact everywhere; elsewhere it is local.

        Examples
        --------
        >>> quadratic_bowl(condition_number=10.0).stability_bound()
        0.2
        >>> float(rosenbrock().stability_bound([1.0, 1.0]))  # doctest: +ELLIPSIS
        0.00199...
        """
        if point is None:
            if self.matrix is None:
                raise ValueError(
                    f"stability_bound: {self.name} is not quadratic, so its Hessian changes "
                    "from point to point; pass the point, of shape (dim,) or (..., dim)"
                )
            hessians = self.matrix
        else:
            hessians = self.hessian(point)
        finite = np.isfinite(hessians).all(axis=(-2, -1))
        largest = np.linalg.eigvalsh(np.where(finite[..., None, None], hessians, 0.0))[..., -1]
        with np.errstate(divide="ignore"):
            bound = np.where(largest > 0, 2.0 / np.where(largest > 0, largest, 1.0), np.inf)
        bound = np.where(finite, bound, np.nan)
        return float(bound) if bound.ndim == 0 else bound


# ----------------------------------------------------------------------------------------------
# catalogue
# ----------------------------------------------------------------------------------------------


def _number(value: float, what: str) -> sympy.Expr:
    """An exact sympy number for a parameter: ``0.5`` becomes ``1/2``, so formulas print cleanly."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{what} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return sympy.Rational(repr(float(value)))


def _positive(value: float, what: str) -> sympy.Expr:
    number = _number(value, what)
    if number <= 0:
        raise ValueError(f"{what} must be positive, got {value!r}")
    return number


def _coordinates(dim: int) -> tuple[sympy.Symbol, ...]:
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or not 1 <= dim <= 10:
        raise ValueError(f"dim must be an integer from 1 to 10, got {dim!r}")
    if dim <= 3:
        return sympy.symbols("x y z", real=True)[:dim]
    return sympy.symbols(f"x1:{dim + 1}", real=True)


def _cubic_roots(p: float, q: float) -> np.ndarray:
    """The three real roots of t³ + p·t + q = 0 (Viète's trigonometric form), ascending."""
    radius = 2.0 * math.sqrt(-p / 3.0)
    angle = math.acos(3.0 * q / (p * radius)) / 3.0
    roots = [radius * math.cos(angle - 2.0 * math.pi * k / 3.0) for k in range(3)]
    return np.sort(roots)


_X, _Y = sympy.symbols("x y", real=True)


def parabola(a: float = 1.0) -> Objective:
    """The parabola ``f(x) = a·x²``: the first surface of the course.

    Parameters
    ----------
    a : float, default 1
        The steepness (positive). The stability bound is ``2 / f'' = 1 / a``.

    Returns
    -------
    Objective
        Minimum at ``x = 0`` with value 0; window ``(-3, 3)``.
    """
    expr = _positive(a, "a") * _X**2
    return Objective("parabola", expr, (_X,), [(-3.0, 3.0)], [[0.0]], 0.0, None,
                     "one bowl: the slope points downhill and shrinks near the bottom")


def two_basin_quartic() -> Objective:
    """The quartic ``f(x) = x⁴ - 4x² + x``: two valleys of different depth.

    Returns
    -------
    Objective
        The global minimum (left, x ≈ -1.47300) then the local one (x ≈ 1.34700); window
        ``(-2.5, 2.5)``.

    Notes
    -----
    The stationary points solve ``4x³ - 8x + 1 = 0``; their closed form comes from Viète's
    trigonometric solution of the cubic. The middle root (x ≈ 0.126) is a local maximum.
    """
    expr = _X**4 - 4 * _X**2 + _X
    low, _, high = _cubic_roots(-2.0, 0.25)
    minima = [[low], [high]]
    return Objective("two_basin_quartic", expr, (_X,), [(-2.5, 2.5)], minima,
                     low**4 - 4 * low**2 + low, None,
                     "two valleys: where you start decides which bottom you reach")


def wavy() -> Objective:
    """``f(x) = x·cos(πx)``: ripples that grow, with a local minimum in every other ripple.

    Returns
    -------
    Objective
        The minima inside the window ``(-2.5, 2.5)``, lowest first (x ≈ -2.04906, 1.09041,
        -0.27385). The function is unbounded below outside any window, so the "global"
        minimum and ``minimum_value`` refer to the window.

    Notes
    -----
    The stationary points solve ``πx·tan(πx) = 1``, which has no closed form; the minima are
    given to 17 digits (found with mpmath's ``findroot`` at 30 digits).
    """
    expr = _X * sympy.cos(sympy.pi * _X)
    minima = [[-2.0490556507433454], [1.0904082219467212], [-0.27385268680085091]]
    return Objective("wavy", expr, (_X,), [(-2.5, 2.5)], minima, -2.0247704416947074, None,
                     "many local minima: the nearest valley wins, not the deepest")


def quadratic_bowl(condition_number: float = 10.0, angle: float = 0.0,
                   scale: float = 1.0) -> Objective:
    """The quadratic ``f(p) = ½ pᵀ A p`` with a chosen condition number and tilt.

    Parameters
    ----------
    condition_number : float, default 10
        ``λmax / λmin`` of ``A`` (at least 1): how elongated the elliptic contours are.
    angle : float, default 0
        Rotation of the principal axes from the coordinate axes, in radians.
    scale : float, default 1
        The smaller eigenvalue ``λmin`` (positive).

    Returns
    -------
    Objective
        Minimum at the origin with value 0; window ``(-3, 3)²``; ``matrix`` holds ``A``.

    Notes
    -----
    ``A = R diag(scale, scale·condition_number) Rᵀ`` with ``R`` the rotation by ``angle``.
    The entries are rounded to 12 significant digits so the formula prints cleanly, which
    moves the eigenvalues by at most about ``1e-12`` relative. Gradient descent is stable for
    ``lr < 2 / (scale·condition_number)`` and its slowest direction shrinks by
    ``1 - lr·scale`` per step, which is why a large condition number makes it slow.

    Examples
    --------
    >>> bowl = quadratic_bowl(condition_number=4.0, scale=0.5)
    >>> bowl.expr
    x**2/4 + y**2
    >>> bowl.matrix
    array([[0.5, 0. ],
           [0. , 2. ]])
    """
    low = float(_positive(scale, "scale"))
    kappa = float(_number(condition_number, "condition_number"))
    if kappa < 1:
        raise ValueError(f"condition_number must be at least 1, got {condition_number!r}")
    turn = float(_number(angle, "angle"))
    c, s = math.cos(turn), math.sin(turn)
    rotation = np.array([[c, -s], [s, c]])
    matrix = rotation @ np.diag([low, low * kappa]) @ rotation.T

    def entry(v: float) -> sympy.Expr:
        return sympy.Rational(repr(float(f"{v:.12g}")))

    a11, a12, a22 = entry(matrix[0, 0]), entry((matrix[0, 1] + matrix[1, 0]) / 2), entry(
        matrix[1, 1])
    expr = (a11 * _X**2 + 2 * a12 * _X * _Y + a22 * _Y**2) / 2
    return Objective("quadratic_bowl", expr, (_X, _Y), [(-3.0, 3.0)] * 2, [[0.0, 0.0]], 0.0,
                     None, f"an elliptic bowl with condition number {kappa:g}: steep across, "
                     "shallow along")


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    """Rosenbrock's banana function ``(a - x)² + b(y - x²)²``.

    Parameters
    ----------
    a : float, default 1
        The minimum sits at ``(a, a²)``.
    b : float, default 100
        The steepness of the valley walls (positive).

    Returns
    -------
    Objective
        Minimum ``(a, a²)`` with value 0; window ``(-2, 2) × (-1, 3)``.

    References
    ----------
    H. H. Rosenbrock, "An automatic method for finding the greatest or least value of a
    function", The Computer Journal 3(3), 1960.
    """
    a_ = _number(a, "a")
    expr = (a_ - _X) ** 2 + _positive(b, "b") * (_Y - _X**2) ** 2
    return Objective("rosenbrock", expr, (_X, _Y), [(-2.0, 2.0), (-1.0, 3.0)],
                     [[float(a_), float(a_) ** 2]], 0.0, None,
                     "a long curved valley: fast across, slow along")


def himmelblau() -> Objective:
    """Himmelblau's function ``(x² + y - 11)² + (x + y² - 7)²``.

    Returns
    -------
    Objective
        Four global minima, all with value 0: ``(3, 2)``, ``(-2.805118, 3.131313)``,
        ``(-3.779310, -3.283186)``, ``(3.584428, -1.848127)``; four saddle points; window
        ``(-5, 5)²``. (A local maximum lies near ``(-0.270845, -0.923039)``.)

    Notes
    -----
    Stationary points other than ``(3, 2)`` have no simple closed form; they are given to
    17 digits (mpmath ``findroot`` at 30 digits).

    References
    ----------
    D. M. Himmelblau, *Applied Nonlinear Programming*, McGraw-Hill, 1972.
    """
    expr = (_X**2 + _Y - 11) ** 2 + (_X + _Y**2 - 7) ** 2
    minima = [
        [3.0, 2.0],
        [-2.8051180869527449, 3.1313125182505730],
        [-3.7793102533777469, -3.2831859912861694],
        [3.5844283403304917, -1.8481265269644036],
    ]
    saddles = [
        [0.086677504555396352, 2.8842547011747761],
        [3.3851541836070209, 0.073851879837749288],
        [-0.12796134673068007, -1.9537149802445764],
        [-3.0730257507643896, -0.081353044287967512],
    ]
    return Objective("himmelblau", expr, (_X, _Y), [(-5.0, 5.0)] * 2, minima, 0.0, saddles,
                     "four equally deep valleys: the start point picks the answer")


def beale() -> Objective:
    """Beale's function ``(1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²``.

    Returns
    -------
    Objective
        Minimum ``(3, 0.5)`` with value 0; saddle points ``(0, 1)`` and
        ``(0.100538, -2.644514)``; window ``(-4.5, 4.5)²``.

    References
    ----------
    E. M. L. Beale, "On an iterative method for finding a local minimum of a function of
    more than one variable", Princeton University technical report 25, 1958.
    """
    expr = ((sympy.Rational(3, 2) - _X + _X * _Y) ** 2
            + (sympy.Rational(9, 4) - _X + _X * _Y**2) ** 2
            + (sympy.Rational(21, 8) - _X + _X * _Y**3) ** 2)
    saddles = [[0.0, 1.0], [0.10053793732415836, -2.6445135850231250]]
    return Objective("beale", expr, (_X, _Y), [(-4.5, 4.5)] * 2, [[3.0, 0.5]], 0.0, saddles,
                     "flat plateaus and sharp ridges: gradients from tiny to huge")


def booth() -> Objective:
    """Booth's function ``(x + 2y - 7)² + (2x + y - 5)²``, a tilted quadratic.

    Returns
    -------
    Objective
        Minimum ``(1, 3)`` with value 0; window ``(-10, 10)²``.
    """
    expr = (_X + 2 * _Y - 7) ** 2 + (2 * _X + _Y - 5) ** 2
    return Objective("booth", expr, (_X, _Y), [(-10.0, 10.0)] * 2, [[1.0, 3.0]], 0.0, None,
                     "a tilted elliptic bowl: the gradient does not point at the minimum")


def saddle() -> Objective:
    """The saddle ``f(x, y) = x² - y²``.

    Returns
    -------
    Objective
        No minimum (unbounded below: ``minimum_value`` is ``-inf``); saddle point at the
        origin; window ``(-2, 2)²``.
    """
    expr = _X**2 - _Y**2
    return Objective("saddle", expr, (_X, _Y), [(-2.0, 2.0)] * 2, None, -math.inf,
                     [[0.0, 0.0]], "downhill one way, uphill the other: a flat spot that is "
                     "not a minimum")


def monkey_saddle() -> Objective:
    """The monkey saddle ``f(x, y) = x³ - 3xy²``.

    Returns
    -------
    Objective
        No minimum (``minimum_value`` is ``-inf``); a degenerate saddle at the origin, where
        the Hessian is zero; window ``(-2, 2)²``.
    """
    expr = _X**3 - 3 * _X * _Y**2
    return Objective("monkey_saddle", expr, (_X, _Y), [(-2.0, 2.0)] * 2, None, -math.inf,
                     [[0.0, 0.0]], "three valleys meet at a flat point where even the "
                     "curvature vanishes")


def rastrigin(dim: int = 2, amplitude: float = 10.0) -> Objective:
    """Rastrigin's function ``A·n + Σ (x_i² - A·cos(2π x_i))``.

    Parameters
    ----------
    dim : int, default 2
        Number of variables (1 to 10): ``x, y, z`` up to three, else ``x1 ... xn``.
    amplitude : float, default 10
        ``A``, the height of the ripples (positive).

    Returns
    -------
    Objective
        Global minimum at the origin with value 0; window ``(-5.12, 5.12)`` per variable.
        The many local minima and saddles near the integer lattice are not listed.

    References
    ----------
    L. A. Rastrigin, *Systems of Extremal Control*, Nauka, 1974.
    """
    symbols = _coordinates(dim)
    a = _positive(amplitude, "amplitude")
    expr = a * len(symbols) + sum(s**2 - a * sympy.cos(2 * sympy.pi * s) for s in symbols)
    return Objective("rastrigin", expr, symbols, [(-5.12, 5.12)] * len(symbols),
                     [[0.0] * len(symbols)], 0.0, None,
                     "a bowl covered in ripples: a local minimum at almost every integer point")


def six_hump_camel() -> Objective:
    """The six-hump camel function ``(4 - 2.1x² + x⁴/3)x² + xy + (-4 + 4y²)y²``.

    Returns
    -------
    Objective
        Two global minima ``(0.0898420, -0.712656)`` and its mirror, value ≈ -1.0316285;
        four local minima; seven saddle points (the origin among them); window
        ``(-3, 3) × (-2, 2)``.

    Notes
    -----
    Stationary points are given to 17 digits (mpmath ``findroot`` at 30 digits); the
    function is symmetric under ``(x, y) -> (-x, -y)``.

    References
    ----------
    L. C. W. Dixon and G. P. Szegö, "The global optimization problem: an introduction",
    in *Towards Global Optimisation 2*, North-Holland, 1978.
    """
    expr = ((4 - sympy.Rational(21, 10) * _X**2 + _X**4 / 3) * _X**2 + _X * _Y
            + (-4 + 4 * _Y**2) * _Y**2)
    minima = [
        [0.089842013100318062, -0.71265640302073963],
        [-0.089842013100318062, 0.71265640302073963],
        [-1.7036067149699808, 0.79608356867262512],
        [1.7036067149699808, -0.79608356867262512],
        [1.6071047529201972, 0.56865145488413137],
        [-1.6071047529201972, -0.56865145488413137],
    ]
    saddles = [
        [0.0, 0.0],
        [1.1092053368047864, -0.76826809250953984],
        [-1.1092053368047864, 0.76826809250953984],
        [1.6380679841897786, 0.22867406904439407],
        [-1.6380679841897786, -0.22867406904439407],
        [1.2960702671671092, 0.60508438803865850],
        [-1.2960702671671092, -0.60508438803865850],
    ]
    return Objective("six_hump_camel", expr, (_X, _Y), [(-3.0, 3.0), (-2.0, 2.0)], minima,
                     -1.0316284534898774, saddles,
                     "six valleys and seven saddles: two twin global minima")


def styblinski_tang(dim: int = 2) -> Objective:
    """The Styblinski–Tang function ``½ Σ (x_i⁴ - 16x_i² + 5x_i)``.

    Parameters
    ----------
    dim : int, default 2
        Number of variables (1 to 10): ``x, y, z`` up to three, else ``x1 ... xn``.

    Returns
    -------
    Objective
        All ``2^dim`` minima, the global one ``x_i ≈ -2.903534`` first (value
        ``≈ -39.16617·dim``); the saddle points (every coordinate at a stationary point of
        the one-variable term, at least one at its maximum ``≈ 0.156731`` and one at a
        minimum); window ``(-5, 5)`` per variable.

    Notes
    -----
    The function is a sum of one-variable quartics whose stationary points solve
    ``4t³ - 32t + 5 = 0``; these come in closed form from Viète's trigonometric solution.

    References
    ----------
    M. A. Styblinski and T.-S. Tang, "Experiments in nonconvex optimization: stochastic
    approximation with function smoothing and simulated annealing", Neural Networks 3(4), 1990.
    """
    symbols = _coordinates(dim)
    n = len(symbols)
    expr = sum(s**4 - 16 * s**2 + 5 * s for s in symbols) / 2
    low, peak, high = _cubic_roots(-8.0, 1.25)

    def term(t: float) -> float:
        return (t**4 - 16 * t**2 + 5 * t) / 2

    minima = sorted(itertools.product((low, high), repeat=n), key=lambda p: sum(map(term, p)))
    saddles = [p for p in itertools.product((low, peak, high), repeat=n)
               if peak in p and (low in p or high in p)]
    return Objective("styblinski_tang", expr, symbols, [(-5.0, 5.0)] * n, minima,
                     n * term(low), saddles or None,
                     "a quartic egg box: a valley in each corner, only one the deepest")


def catalogue() -> dict[str, Callable[..., Objective]]:
    """Every surface factory by name.

    Returns
    -------
    dict of str to callable
        Factories returning an :class:`Objective`; call them with their own parameters.

    Examples
    --------
    >>> sorted(catalogue())[:4]
    ['beale', 'booth', 'himmelblau', 'monkey_saddle']
    >>> catalogue()["quadratic_bowl"](condition_number=100.0).stability_bound()
    0.02
    """
    return {
        "parabola": parabola,
        "two_basin_quartic": two_basin_quartic,
        "wavy": wavy,
        "quadratic_bowl": quadratic_bowl,
        "rosenbrock": rosenbrock,
        "himmelblau": himmelblau,
        "beale": beale,
        "booth": booth,
        "saddle": saddle,
        "monkey_saddle": monkey_saddle,
        "rastrigin": rastrigin,
        "six_hump_camel": six_hump_camel,
        "styblinski_tang": styblinski_tang,
    }


def grid_of_starts(window, per_axis):
    """Start points at the centres of a ``per_axis × per_axis`` grid of cells over ``window``.

    Cell centres (not edges) make the grid line up with an image drawn over ``window``: run a
    descent from every start at once (e.g. over a surface's ``window``) and colour each cell by
    where its start ends, which maps the basins of attraction.

    Parameters
    ----------
    window : ((xlo, xhi), (ylo, yhi))
    per_axis : int
        Cells per axis (at least 2).

    Returns
    -------
    numpy.ndarray, shape (per_axis * per_axis, 2)
        Row-major: ``starts.reshape(per_axis, per_axis, 2)[i, j]`` is row ``i`` (y) and
        column ``j`` (x), row 0 at the bottom.

    Examples
    --------
    >>> grid_of_starts(((0, 2), (0, 2)), 2).tolist()
    [[0.5, 0.5], [1.5, 0.5], [0.5, 1.5], [1.5, 1.5]]
    """
    if isinstance(per_axis, bool) or not isinstance(per_axis, int | np.integer) or per_axis < 2:
        raise ValueError(f"per_axis must be an integer >= 2, got {per_axis!r}")
    (xlo, xhi), (ylo, yhi) = window
    xs = xlo + (np.arange(per_axis) + 0.5) * (xhi - xlo) / per_axis
    ys = ylo + (np.arange(per_axis) + 0.5) * (yhi - ylo) / per_axis
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()])
