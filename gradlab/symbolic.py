"""Differentiate a formula and evaluate it, its gradient and Hessian with numpy.

:func:`partial`, :func:`gradient` and :func:`hessian` take derivatives,
:func:`derivatives_latex` and :func:`show_derivatives` display them, and :func:`to_numpy`
compiles the value, gradient and Hessian into vectorized numpy callables. Each accepts a sympy
expression or formula text, which is read safely by :func:`gradlab.formula.parse`.

Examples
--------
>>> from gradlab.symbolic import gradient, to_numpy
>>> gradient("x^2 + 3*y^2")
(2*x, 6*y)
>>> to_numpy("x^2 + 3*y^2").gradient([1.0, 2.0])
array([ 2., 12.])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from gradlab.errors import EvaluationError
from gradlab.formula import FUNCTIONS, NAME_PATTERN, as_expression, quoted, resolve_variables

__all__ = [
    "NumericFunction",
    "derivatives_latex",
    "gradient",
    "hessian",
    "partial",
    "show_derivatives",
    "to_numpy",
]


# ----------------------------------------------------------------------------------------------
# derivatives
# ----------------------------------------------------------------------------------------------


def _is_sign_derivative(node: sympy.Basic) -> bool:
    return (isinstance(node, sympy.Derivative) and isinstance(node.expr, sympy.sign)
            and len(node.variables) == 1)


def _differentiate(expr: sympy.Expr, symbol: sympy.Symbol) -> sympy.Expr:
    """``sympy.diff``, finished off for real formulas.

    When sympy cannot prove an argument real, the derivative of ``abs`` comes out with
    ``re``/``im`` parts and that of ``sign`` unevaluated. gradlab's formulas are real, so
    ``re(u) = u``, ``im(u) = 0`` and ``d sign(u) = 2·DiracDelta(u)·du``.
    """
    derivative = sympy.diff(expr, symbol)
    if not derivative.has(sympy.Derivative, sympy.re, sympy.im):
        return derivative
    derivative = derivative.replace(sympy.re, lambda u: u).replace(
        sympy.im, lambda u: sympy.Integer(0))
    return derivative.replace(
        _is_sign_derivative,
        lambda d: 2 * sympy.DiracDelta(d.expr.args[0]) * sympy.diff(d.expr.args[0],
                                                                      d.variables[0]),
    )


def partial(expr: sympy.Expr | str, variable: str | sympy.Symbol) -> sympy.Expr:
    """The partial derivative of ``expr`` with respect to one variable.

    Parameters
    ----------
    expr : sympy.Expr or str
        An expression, or formula text (read with :func:`~gradlab.formula.parse`).
    variable : str or sympy.Symbol
        The variable, matched by name (a variable the expression does not use gives 0).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> partial("x^2*y + sin(y)", "y")
    x**2 + cos(y)
    """
    expr = as_expression(expr)
    name = variable.name if isinstance(variable, sympy.Symbol) else variable
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(f"variable: {variable!r} is not a variable name or sympy Symbol")
    by_name = {s.name: s for s in expr.free_symbols if isinstance(s, sympy.Symbol)}
    return _differentiate(expr, by_name.get(name, sympy.Symbol(name, real=True)))


def gradient(expr: sympy.Expr | str,
             variables: Sequence[str | sympy.Symbol] | None = None) -> tuple[sympy.Expr, ...]:
    """The gradient: one partial derivative per variable.

    Parameters
    ----------
    expr : sympy.Expr or str
        An expression, or formula text (read with :func:`~gradlab.formula.parse`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in order. Default: :func:`~gradlab.formula.variables_of` ``(expr)``.
        Symbols left out are treated as constants (e.g. the data ``x`` in a loss of ``w`` and
        ``b``).

    Returns
    -------
    tuple of sympy.Expr

    Examples
    --------
    >>> gradient("x^2 + 3*x*y")
    (2*x + 3*y, 3*x)
    """
    expr = as_expression(expr)
    return tuple(_differentiate(expr, s) for s in resolve_variables(expr, variables))


def hessian(expr: sympy.Expr | str,
            variables: Sequence[str | sympy.Symbol] | None = None) -> sympy.Matrix:
    """The Hessian: the matrix of second partial derivatives.

    Parameters
    ----------
    expr : sympy.Expr or str
        An expression, or formula text (read with :func:`~gradlab.formula.parse`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in order. Default: :func:`~gradlab.formula.variables_of` ``(expr)``.
        Symbols left out are treated as constants.

    Returns
    -------
    sympy.Matrix
        ``H[i, j]`` is the derivative of ``expr`` by variable ``i`` then variable ``j``.

    Examples
    --------
    >>> hessian("x^2 + 3*x*y")
    Matrix([
    [2, 3],
    [3, 0]])
    """
    expr = as_expression(expr)
    symbols = resolve_variables(expr, variables)
    first = [_differentiate(expr, s) for s in symbols]
    n = len(symbols)
    entries = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            entries[i][j] = entries[j][i] = _differentiate(first[i], symbols[j])
    return sympy.Matrix(entries)


def derivatives_latex(expr: sympy.Expr | str,
                      variables: Sequence[str | sympy.Symbol] | None = None,
                      *, include_hessian: bool = True) -> str:
    r"""LaTeX for a function, its partial derivatives and (optionally) its Hessian.

    Parameters
    ----------
    expr : sympy.Expr or str
        An expression, or formula text (read with :func:`~gradlab.formula.parse`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in order. Default: :func:`~gradlab.formula.variables_of` ``(expr)``.
    include_hessian : bool, default True
        Add the Hessian matrix ``H``.

    Returns
    -------
    str
        An ``aligned`` block, one line per item, for a Markdown cell or ``IPython.display.Math``.

    Examples
    --------
    >>> print(derivatives_latex("x^2*y", include_hessian=False))
    \begin{aligned}
    f &= x^{2} y \\
    \frac{\partial f}{\partial x} &= 2 x y \\
    \frac{\partial f}{\partial y} &= x^{2}
    \end{aligned}
    """
    expr = as_expression(expr)
    symbols = resolve_variables(expr, variables)
    lines = [f"f &= {sympy.latex(expr)}"]
    one = len(symbols) == 1
    for symbol, derivative in zip(symbols, gradient(expr, symbols), strict=True):
        name = sympy.latex(symbol)
        fraction = (rf"\frac{{d f}}{{d {name}}}" if one
                    else rf"\frac{{\partial f}}{{\partial {name}}}")
        lines.append(f"{fraction} &= {sympy.latex(derivative)}")
    if include_hessian:
        label = r"\frac{d^2 f}{d " + sympy.latex(symbols[0]) + "^2}" if one else "H"
        matrix = hessian(expr, symbols)
        body = sympy.latex(matrix[0, 0]) if one else sympy.latex(matrix, mat_delim="(")
        lines.append(f"{label} &= {body}")
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def show_derivatives(expr: sympy.Expr | str,
                     variables: Sequence[str | sympy.Symbol] | None = None,
                     *, include_hessian: bool = True):
    """Display a function and its derivatives in a notebook.

    Parameters
    ----------
    expr, variables, include_hessian
        As for :func:`derivatives_latex`.

    Returns
    -------
    IPython.display.Math
        Rendered by Jupyter when it is the last value of a cell.
    """
    from IPython.display import Math  # imported here: only notebooks need IPython

    return Math(derivatives_latex(expr, variables, include_hessian=include_hessian))


# ----------------------------------------------------------------------------------------------
# numpy
# ----------------------------------------------------------------------------------------------


# The allowed functions that are sympy functions of their own (sigmoid is built from exp).
_SYMPY_FUNCTIONS = {f.sympy: f for f in FUNCTIONS.values() if isinstance(f.sympy, type)}

# Defined for all real inputs: the allowed functions marked so, and sign (the derivative of abs).
_EVERYWHERE_DEFINED = tuple(
    function for function, allowed in _SYMPY_FUNCTIONS.items() if allowed.defined_everywhere
) + (sympy.sign,)


def _defined_everywhere(expr: sympy.Expr) -> bool:
    """True when every piece is defined for all real inputs (no log, root, or division)."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow):
            base, exponent = node.args
            if not ((exponent.is_integer and exponent.is_nonnegative) or base.is_positive):
                return False
        elif isinstance(node, sympy.Function) and not isinstance(node, _EVERYWHERE_DEFINED):
            return False
    return True


class _ProductPowerPrinter(NumPyPrinter):
    """numpy code with small whole powers written as products: ``x**3`` -> ``(x*x*x)``.

    numpy's power is many times slower than repeated products (about 30x on negative bases),
    and every surface's gradient is full of cubes and squares. Printing, not rewriting the
    expression, keeps sympy's common-subexpression elimination exact.

    Each allowed function (:data:`gradlab.formula.FUNCTIONS`) is printed as a call of the numpy
    function that table gives it.
    """

    def __init__(self, settings=None):
        super().__init__(settings)
        self.known_functions.update({
            function.__name__: "numpy." + allowed.numpy.__name__
            for function, allowed in _SYMPY_FUNCTIONS.items()
        })

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer and 2 <= int(expr.exp) <= 8:
            base = self.parenthesize(expr.base, PRECEDENCE["Pow"])
            return "(" + "*".join([base] * int(expr.exp)) + ")"
        return super()._print_Pow(expr, rational=rational)


def _compile(component: sympy.Expr, symbols: tuple[sympy.Symbol, ...]) -> Callable:
    # sign(x)' = 2*DiracDelta(x) is zero everywhere it is defined as a number.
    component = component.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))
    try:
        return sympy.lambdify(symbols, component, modules="numpy", dummify=True, cse=True,
                              printer=_ProductPowerPrinter)
    except Exception as error:  # e.g. a sympy function numpy has no counterpart for
        raise ValueError(
            f"cannot evaluate {component} with numpy ({type(error).__name__}: {error})"
        ) from None


def _pole_flags(function: Callable, arguments: list[np.ndarray]) -> np.ndarray:
    """Which points divide by zero while evaluating (bisecting, so few calls are needed)."""
    count = arguments[0].shape[0]
    try:
        with np.errstate(divide="raise", over="ignore", under="ignore", invalid="ignore"):
            function(*arguments)
    except (FloatingPointError, ZeroDivisionError):
        if count == 1:
            return np.ones(1, dtype=bool)
        half = count // 2
        return np.concatenate([
            _pole_flags(function, [a[:half] for a in arguments]),
            _pole_flags(function, [a[half:] for a in arguments]),
        ])
    return np.zeros(count, dtype=bool)


def _evaluate(function: Callable, arguments: list[np.ndarray], shape: tuple[int, ...],
              out: np.ndarray) -> None:
    """Evaluate one compiled component into ``out`` (of ``shape``), NaN where undefined."""
    with np.errstate(all="ignore"):
        result = function(*arguments)
    result = np.asarray(result)
    if np.iscomplexobj(result):
        with np.errstate(all="ignore"):
            result = np.where(result.imag == 0, result.real, np.nan)
    out[...] = result  # broadcasts constant components to the points' shape
    infinite = np.isinf(out)
    if infinite.any():
        # inf from a pole (1/0, log(0)) is undefined; inf from overflow (exp(1000)) stays inf.
        flat = [np.broadcast_to(a, shape)[infinite] for a in arguments]
        poles = _pole_flags(function, flat)
        values = out[infinite]
        values[poles] = np.nan
        out[infinite] = values


class NumericFunction:
    """Vectorized numpy callables for a sympy expression, its gradient and Hessian.

    Build it with :func:`to_numpy`. Each callable compiles once (with ``sympy.lambdify``) on
    first use and is reused.

    Parameters
    ----------
    expr : sympy.Expr
        The expression.
    variables : tuple of sympy.Symbol
        The variables, in the order of the points' last axis.

    Attributes
    ----------
    expr : sympy.Expr
    variables : tuple of sympy.Symbol
    dim : int
        Number of variables, the length of the points' last axis.

    Notes
    -----
    Points have shape ``(..., dim)``. What comes back:

    - a finite float where the formula is defined;
    - ``nan`` where it is undefined: not real (log or square root of a negative number), a
      division by zero or pole (``1/0``, ``log(0)``), or ``0/0``-like forms (``0*inf``,
      ``inf - inf``, which can also arise after an overflow);
    - ``inf`` or ``-inf`` where the true value is finite but too large for float64
      (``exp(1000)``).

    The gradient and Hessian are ``nan`` wherever the value is ``nan``: the derivative of
    ``log(x)`` is ``1/x``, which numpy could compute at ``x = -1``, but ``log`` has no
    derivative where it is not defined. (Skipped, for speed, when every piece of the formula is
    defined for all real inputs.)

    No numpy warning is ever emitted. With ``strict=True`` a ``nan`` anywhere raises
    :class:`~gradlab.errors.EvaluationError` naming the first such point instead.
    """

    def __init__(self, expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> None:
        self.expr = expr
        self.variables = tuple(variables)
        self.dim = len(self.variables)
        self._value: Callable | None = None
        self._gradient: list[Callable] | None = None
        self._hessian: dict[tuple[int, int], Callable] | None = None
        self._total = _defined_everywhere(expr)

    def __repr__(self) -> str:
        names = ", ".join(s.name for s in self.variables)
        return f"NumericFunction({self.expr}, variables=({names}))"

    def _coordinates(self, points) -> tuple[list[np.ndarray], tuple[int, ...], np.ndarray]:
        try:
            array = np.asarray(points, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"points must be an array of real numbers of shape (..., {self.dim}), got "
                f"{quoted(points, 60)}"
            ) from None
        names = ", ".join(s.name for s in self.variables)
        if array.ndim == 0 or array.shape[-1] != self.dim:
            raise ValueError(
                f"points must have shape (..., {self.dim}) — one coordinate per variable "
                f"({names}) on the last axis; got shape {array.shape}"
            )
        shape = array.shape[:-1]
        return [array[..., i] for i in range(self.dim)], shape, array

    def value(self, points, *, strict: bool = False):
        """The function's value at each point.

        Parameters
        ----------
        points : array_like, shape (..., dim)
        strict : bool, default False
            Raise :class:`~gradlab.errors.EvaluationError` where the value is undefined,
            instead of returning ``nan``.

        Returns
        -------
        numpy.ndarray, shape (...)
            A numpy float for a single point.
        """
        arguments, shape, array = self._coordinates(points)
        out = self._values(arguments, shape)
        if strict:
            self._raise_if_undefined(np.isnan(out), array, "the value")
        return out[()] if out.ndim == 0 else out

    __call__ = value

    def _values(self, arguments: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
        if self._value is None:
            self._value = _compile(self.expr, self.variables)
        out = np.empty(shape)
        _evaluate(self._value, arguments, shape, out)
        return out

    def _outside_domain(self, arguments: list[np.ndarray], shape: tuple[int, ...]):
        """Where the value is undefined (None when the formula is defined everywhere)."""
        if self._total:
            return None
        return np.isnan(self._values(arguments, shape))

    def _undefined_where_value_is(self, out, arguments, shape, array, strict, what):
        """NaN in every entry of ``out`` at points where the value is undefined; with
        ``strict``, raise there instead. ``out`` has shape ``shape + (...)``."""
        outside = self._outside_domain(arguments, shape)
        if outside is not None:
            out[outside] = np.nan
        if strict:
            entries = tuple(range(len(shape), out.ndim))
            self._raise_if_undefined(np.isnan(out).any(axis=entries), array, what)
        return out

    def gradient(self, points, *, strict: bool = False) -> np.ndarray:
        """The gradient at each point.

        Parameters
        ----------
        points : array_like, shape (..., dim)
        strict : bool, default False
            Raise :class:`~gradlab.errors.EvaluationError` where a component is undefined.

        Returns
        -------
        numpy.ndarray, shape (..., dim)
            Every component has the points' shape, constant ones included.
        """
        if self._gradient is None:
            self._gradient = [_compile(c, self.variables)
                              for c in gradient(self.expr, self.variables)]
        arguments, shape, array = self._coordinates(points)
        out = np.empty(shape + (self.dim,))
        for i, function in enumerate(self._gradient):
            _evaluate(function, arguments, shape, out[..., i])
        return self._undefined_where_value_is(out, arguments, shape, array, strict, "the gradient")

    def hessian(self, points, *, strict: bool = False) -> np.ndarray:
        """The Hessian at each point.

        Parameters
        ----------
        points : array_like, shape (..., dim)
        strict : bool, default False
            Raise :class:`~gradlab.errors.EvaluationError` where an entry is undefined.

        Returns
        -------
        numpy.ndarray, shape (..., dim, dim)
            Symmetric in its last two axes.
        """
        if self._hessian is None:
            matrix = hessian(self.expr, self.variables)
            self._hessian = {(i, j): _compile(matrix[i, j], self.variables)
                             for i in range(self.dim) for j in range(i, self.dim)}
        arguments, shape, array = self._coordinates(points)
        out = np.empty(shape + (self.dim, self.dim))
        for (i, j), function in self._hessian.items():
            _evaluate(function, arguments, shape, out[..., i, j])
            if i != j:
                out[..., j, i] = out[..., i, j]
        return self._undefined_where_value_is(out, arguments, shape, array, strict, "the Hessian")

    def _raise_if_undefined(self, undefined: np.ndarray, points: np.ndarray, what: str) -> None:
        if not undefined.any():
            return
        index = tuple(np.argwhere(undefined)[0]) if undefined.ndim else ()
        point = points[index]
        where = ", ".join(f"{s.name}={c:g}" for s, c in zip(self.variables, point, strict=True))
        others = int(undefined.sum()) - 1
        more = f" (and at {others} other point{'s' if others != 1 else ''})" if others else ""
        raise EvaluationError(
            f"{what} of f = {self.expr} is undefined at ({where}){more}: log or square root of "
            "a negative number, a division by zero, or a similar domain error. Keep the points "
            "where the formula is defined."
        )


def to_numpy(expr: sympy.Expr | str,
             variables: Sequence[str | sympy.Symbol] | None = None) -> NumericFunction:
    """Compile an expression into vectorized numpy value, gradient and Hessian callables.

    Parameters
    ----------
    expr : sympy.Expr or str
        An expression, or formula text (read with :func:`~gradlab.formula.parse`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in the order of the points' last axis. Default:
        :func:`~gradlab.formula.variables_of` ``(expr)``.

    Returns
    -------
    NumericFunction
        With ``.value``, ``.gradient`` and ``.hessian`` taking points of shape ``(..., dim)``.

    Examples
    --------
    >>> import numpy as np
    >>> f = to_numpy("x^2 + y")
    >>> f.gradient(np.zeros((3, 4, 2))).shape
    (3, 4, 2)
    >>> f.hessian([1.0, 2.0])
    array([[2., 0.],
           [0., 0.]])
    >>> to_numpy("log(x)").value([[-1.0], [1.0]])
    array([nan,  0.])
    """
    expr = as_expression(expr)
    return NumericFunction(expr, resolve_variables(expr, variables, complete=True))
