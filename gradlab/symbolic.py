"""Read a formula a learner types, differentiate it, and evaluate it with numpy.

:func:`parse` turns text such as ``x^2 + 3*y^2`` into a sympy expression without ever handing
the text to ``eval``: Python's :mod:`ast` of the text is walked against a whitelist and the sympy
expression is built node by node. :func:`partial`, :func:`gradient` and :func:`hessian` take
derivatives, :func:`derivatives_latex` and :func:`show_derivatives` display them, and
:func:`to_numpy` compiles the value, gradient and Hessian into vectorized numpy callables.

Examples
--------
>>> from gradlab.symbolic import parse, gradient, to_numpy
>>> f = parse("x^2 + 3*y^2")
>>> gradient(f)
(2*x, 6*y)
>>> to_numpy(f).gradient([1.0, 2.0])
array([ 2., 12.])
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from gradlab.errors import EvaluationError, ExpressionError

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "MAX_NODES",
    "MAX_VARIABLES",
    "NumericFunction",
    "derivatives_latex",
    "gradient",
    "hessian",
    "parse",
    "partial",
    "show_derivatives",
    "to_numpy",
    "variables_of",
]

MAX_LENGTH = 500
"""Longest text :func:`parse` reads, in characters."""
MAX_NODES = 200
"""Most pieces (numbers, names, operations, calls) a formula may have."""
MAX_DEPTH = 40
"""Deepest nesting of operations a formula may have."""
MAX_LITERAL = 1e6
"""Largest number that may be typed literally."""
MAX_EXPONENT = 100
"""Largest constant exponent, in absolute value."""
MAX_VARIABLES = 20
"""Most distinct variables a formula may use."""

# A constant power whose result would have more decimal digits than this is refused.
_MAX_RESULT_DIGITS = 300
# Exact rationals built while parsing stay below this many bits (about 300 digits).
_MAX_RATIONAL_BITS = 1000

_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_MAX_NAME_LENGTH = 30


def _sigmoid(argument: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-argument))


# Each allowed function name and how to build it in sympy. One argument each.
_FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "tanh": sympy.tanh,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "arctan": sympy.atan,
    "atan": sympy.atan,
    "sigmoid": _sigmoid,
}
_CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}

_ALLOWED = (
    "Allowed: numbers, variables (names like x, y, w, b, x1, theta), + - * / ^ **, "
    "parentheses, the constants pi and e, and the functions "
    + ", ".join(_FUNCTIONS)
    + "."
)

_OPERATORS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Not: "not",
    ast.UAdd: "+",
    ast.USub: "-",
}

# Why a kind of Python syntax has no place in a formula.
_REFUSED_SYNTAX: dict[type, str] = {
    ast.Subscript: "indexing with [...] is not part of a formula",
    ast.Lambda: "lambda functions are not part of a formula",
    ast.ListComp: "comprehensions are not part of a formula",
    ast.SetComp: "comprehensions are not part of a formula",
    ast.DictComp: "comprehensions are not part of a formula",
    ast.GeneratorExp: "comprehensions are not part of a formula",
    ast.List: "lists are not part of a formula",
    ast.Tuple: "tuples (values separated by commas) are not part of a formula",
    ast.Set: "sets are not part of a formula",
    ast.Dict: "dictionaries are not part of a formula",
    ast.Compare: "comparisons (<, >, ==, ...) are not part of a formula",
    ast.BoolOp: "'and' / 'or' are not part of a formula",
    ast.IfExp: "'if ... else' is not part of a formula",
    ast.NamedExpr: "assignments (:=) are not part of a formula",
    ast.JoinedStr: "text in quotes is not part of a formula",
    ast.Starred: "'*' unpacking is not part of a formula",
    ast.Await: "'await' is not part of a formula",
    ast.Yield: "'yield' is not part of a formula",
    ast.YieldFrom: "'yield' is not part of a formula",
    ast.Slice: "slices are not part of a formula",
}


# ----------------------------------------------------------------------------------------------
# parse
# ----------------------------------------------------------------------------------------------


def parse(text: str, variables: Iterable[str | sympy.Symbol] | None = None) -> sympy.Expr:
    """Turn the text of a formula into a sympy expression, safely.

    The text is read with Python's :mod:`ast` and each node is checked against a whitelist
    before the sympy expression is built from it by hand; the text never reaches ``eval``,
    ``exec``, ``sympify`` or ``parse_expr``. Anything refused raises
    :class:`~gradlab.errors.ExpressionError` naming the offending piece, and no other exception
    leaves this function, whatever the text.

    Parameters
    ----------
    text : str
        The formula. ``^`` and ``**`` both mean a power (``^`` is *not* Python's xor).
        Allowed: numbers, variable names (a letter, then letters, digits or ``_``, e.g.
        ``x``, ``y``, ``w``, ``b``, ``x1``, ``theta``), ``+ - * /``, parentheses, the
        constants ``pi`` and ``e``, and the one-argument functions ``sin cos tan exp log``
        (natural; ``ln`` is an alias), ``sqrt abs tanh sinh cosh arctan`` (``atan`` is an
        alias) and ``sigmoid``, a convenience meaning ``1/(1 + exp(-t))``.
    variables : iterable of str or sympy.Symbol, optional
        The only variable names allowed. When omitted, any valid name is a variable.

    Returns
    -------
    sympy.Expr
        The expression. Variables are real sympy symbols (``Symbol(name, real=True)``);
        numbers typed as decimals become exact rationals (``0.5`` is ``1/2``).

    Raises
    ------
    ExpressionError
        When the text is not an allowed formula, is too large (more than
        :data:`MAX_LENGTH` characters, :data:`MAX_NODES` pieces, nesting deeper than
        :data:`MAX_DEPTH`, more than :data:`MAX_VARIABLES` variables), holds a literal larger
        than :data:`MAX_LITERAL`, a constant exponent larger than :data:`MAX_EXPONENT`, a
        constant power too large to compute, or is undefined or not real as written
        (``1/0``, ``log(0)``, ``sqrt(-1)``).

    Examples
    --------
    >>> parse("x^2 + 3*y^2")
    x**2 + 3*y**2
    >>> parse("log(1 + exp(-w*x - b))")
    log(exp(-b - w*x) + 1)
    >>> parse("0.5*theta**2 + e")
    theta**2/2 + E
    >>> parse("os.system('ls')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    gradlab.errors.ExpressionError: 'os.system' is not allowed: attribute access (the '.' after 'os') is not part of a formula. Allowed: ...

    Notes
    -----
    Numeric powers are checked before sympy computes them, so ``9**9**9**9`` is refused at
    once (its innermost exponent already exceeds :data:`MAX_EXPONENT`). Unicode minus and
    multiplication signs (``−``, ``×``, ``·``) are read as ``-`` and ``*``.
    """  # noqa: E501
    try:
        allowed_names = _allowed_variable_names(variables)
        # Quote refused pieces in the learner's own notation when '^' was read as '**'.
        caret = isinstance(text, str) and "^" in text and "**" not in text
        return _Builder(_prepare(text), allowed_names, caret=caret, typed=text).build()
    except ExpressionError:
        raise
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"{_quote(text)} is too deeply nested or too large to read. {_ALLOWED}"
        ) from None
    except Exception as error:  # the last guard: nothing but ExpressionError leaves parse
        raise ExpressionError(
            f"{_quote(text)} could not be read as a formula ({type(error).__name__}). {_ALLOWED}"
        ) from None


def _quote(text: object, limit: int = 40) -> str:
    shown = str(text) if isinstance(text, str) else repr(text)
    if len(shown) > limit:
        shown = shown[: limit - 3] + "..."
    return repr(shown)


def _allowed_variable_names(variables: Iterable[str | sympy.Symbol] | None) -> set[str] | None:
    if variables is None:
        return None
    if isinstance(variables, str | sympy.Symbol):
        variables = [variables]
    names = set()
    for variable in variables:
        name = variable.name if isinstance(variable, sympy.Symbol) else variable
        if not isinstance(name, str) or not _NAME_PATTERN.match(name):
            raise ExpressionError(
                f"variables: {_quote(name)} is not a valid variable name; a name starts with a "
                "letter, followed by letters, digits or '_'."
            )
        if name in _FUNCTIONS or name in _CONSTANTS:
            raise ExpressionError(
                f"variables: {name!r} is the name of a function or constant and cannot be a "
                "variable."
            )
        names.add(name)
    return names


def _prepare(text: object) -> str:
    if not isinstance(text, str):
        raise ExpressionError(
            f"a formula must be text (str), not {type(text).__name__}. {_ALLOWED}"
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed."
        )
    if not text.strip():
        raise ExpressionError(f"the formula is empty. {_ALLOWED}")
    # In a formula '^' is a power; Python would read it as xor with the wrong precedence.
    return (
        text.replace("^", "**")
        .replace("\N{MINUS SIGN}", "-")
        .replace("\N{MULTIPLICATION SIGN}", "*")
        .replace("\N{MIDDLE DOT}", "*")
    )


# A number or closing bracket directly before a name or bracket: "2x", "3(x+1)", "(x)(y)".
_IMPLICIT_PRODUCT = re.compile(r"(?:\d|\))\s*[A-Za-z_(]")


def _read_tree(text: str, typed: str | None = None) -> ast.expr:
    """Parse ``text`` (already with ``^`` as ``**``); messages quote ``typed``, as typed."""
    shown = text if typed is None else typed
    try:
        with warnings.catch_warnings():
            # Python warns about odd literals ("1if", "'\\d'"); the learner gets our message.
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        reason = error.msg if isinstance(error.msg, str) else "syntax error"
        hint = ""
        if isinstance(shown, str) and _IMPLICIT_PRODUCT.search(shown):
            hint = " Write every product with '*', e.g. 2*x or 3*(x + 1)."
        raise ExpressionError(
            f"{_quote(shown)} is not a well-formed formula ({reason}).{hint} {_ALLOWED}"
        ) from None
    except (ValueError, OverflowError) as error:  # e.g. null characters in the text
        raise ExpressionError(
            f"{_quote(shown)} could not be read as a formula ({error}). {_ALLOWED}"
        ) from None
    return tree.body


def _check_size(root: ast.expr) -> None:
    count = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(
                f"the formula has more than {MAX_NODES} pieces (numbers, names, operations); "
                "please shorten it."
            )
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"the formula is nested more than {MAX_DEPTH} levels deep; please simplify it."
            )
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr | ast.keyword | ast.comprehension):
                # A long sum or product (a + b + c + ...) is a left chain in the tree; it is
                # long, not deep, so it does not count as nesting.
                chained = child is getattr(node, "left", None) and _same_family(node, child)
                stack.append((child, depth if chained else depth + 1))


def _same_family(parent: ast.AST, child: ast.AST) -> bool:
    families = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))
    if not (isinstance(parent, ast.BinOp) and isinstance(child, ast.BinOp)):
        return False
    return any(isinstance(parent.op, f) and isinstance(child.op, f) for f in families)


class _Builder:
    """Walk a checked syntax tree and build the sympy expression by hand."""

    def __init__(self, text: str, allowed_names: set[str] | None, *, caret: bool,
                 typed: str | None = None) -> None:
        self.text = text
        self.typed = text if typed is None else typed  # what the learner typed, for messages
        self.allowed_names = allowed_names
        self.caret = caret
        self.symbols: dict[str, sympy.Symbol] = {}

    def build(self) -> sympy.Expr:
        root = _read_tree(self.text, self.typed)
        _check_size(root)
        expr, _ = self.visit(root)
        return expr

    # Each visit returns the sympy expression and, for constant pieces, a float approximation
    # (None when the piece depends on a variable). The approximation bounds exponents without
    # asking sympy to evaluate anything large.

    def piece(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text.strip(), node)
        if segment is None:
            segment = type(node).__name__
        return _quote(segment.replace("**", "^") if self.caret else segment)

    def refuse(self, node: ast.AST, why: str) -> ExpressionError:
        return ExpressionError(f"{self.piece(node)} is not allowed: {why}. {_ALLOWED}")

    def visit(self, node: ast.AST) -> tuple[sympy.Expr, float | None]:
        if isinstance(node, ast.Constant):
            return self.visit_constant(node)
        if isinstance(node, ast.Name):
            return self.visit_name(node)
        if isinstance(node, ast.UnaryOp):
            return self.visit_unary(node)
        if isinstance(node, ast.BinOp):
            return self.visit_binary(node)
        if isinstance(node, ast.Call):
            return self.visit_call(node)
        if isinstance(node, ast.Attribute):
            owner = ast.get_source_segment(self.text.strip(), node.value) or "..."
            raise self.refuse(
                node, f"attribute access (the '.' after {_quote(owner)[1:-1]!r}) is not part "
                "of a formula"
            )
        if isinstance(node, ast.FormattedValue):
            raise self.refuse(node, "text in quotes is not part of a formula")
        why = _REFUSED_SYNTAX.get(type(node), f"{type(node).__name__} is not part of a formula")
        raise self.refuse(node, why)

    def visit_constant(self, node: ast.Constant) -> tuple[sympy.Expr, float | None]:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.refuse(node, f"{value!r} is not a number")
        if isinstance(value, str | bytes):
            raise self.refuse(node, "text in quotes is not part of a formula")
        if isinstance(value, complex):
            raise self.refuse(node, "complex numbers are not allowed; formulas are real")
        if isinstance(value, int):
            if abs(value) > MAX_LITERAL:
                raise self.refuse(node, f"numbers larger than {MAX_LITERAL:g} are not allowed")
            return sympy.Integer(value), float(value)
        if isinstance(value, float):
            if not math.isfinite(value) or abs(value) > MAX_LITERAL:
                raise self.refuse(node, f"numbers larger than {MAX_LITERAL:g} are not allowed")
            if value != 0 and abs(value) < 1e-15:
                raise self.refuse(node, "numbers smaller than 1e-15 are not allowed")
            exact = Fraction(repr(value))  # the decimal the learner typed, exactly
            return sympy.Rational(exact.numerator, exact.denominator), value
        raise self.refuse(node, f"{type(value).__name__} is not a number")

    def visit_name(self, node: ast.Name) -> tuple[sympy.Expr, float | None]:
        name = node.id
        if name in _CONSTANTS:
            constant = _CONSTANTS[name]
            return constant, float(constant)
        if name in _FUNCTIONS:
            raise self.refuse(node, f"{name!r} is a function; write it with an argument, "
                              f"as in {name}(x)")
        if not _NAME_PATTERN.match(name) or len(name) > _MAX_NAME_LENGTH:
            raise self.refuse(
                node, "a variable name starts with an ASCII letter, followed by letters, digits "
                f"or '_' (at most {_MAX_NAME_LENGTH} characters)"
            )
        if self.allowed_names is not None and name not in self.allowed_names:
            allowed = ", ".join(sorted(self.allowed_names, key=_natural_key)) or "(none)"
            raise ExpressionError(
                f"{name!r} is not one of the variables of this formula; allowed variables: "
                f"{allowed}."
            )
        if name not in self.symbols:
            if len(self.symbols) >= MAX_VARIABLES:
                raise self.refuse(node, f"a formula may use at most {MAX_VARIABLES} variables")
            self.symbols[name] = sympy.Symbol(name, real=True)
        return self.symbols[name], None

    def visit_unary(self, node: ast.UnaryOp) -> tuple[sympy.Expr, float | None]:
        if not isinstance(node.op, ast.UAdd | ast.USub):
            raise self.refuse(node, f"the operator {_OPERATORS.get(type(node.op), '?')!r} "
                              "is not part of a formula")
        operand, approx = self.visit(node.operand)
        if isinstance(node.op, ast.UAdd):
            return operand, approx
        return self.checked(node, -operand), None if approx is None else -approx

    def visit_binary(self, node: ast.BinOp) -> tuple[sympy.Expr, float | None]:
        operator = type(node.op)
        if operator not in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow):
            raise self.refuse(node, f"the operator {_OPERATORS.get(operator, '?')!r} is not "
                              "part of a formula")
        left, left_approx = self.visit(node.left)
        right, right_approx = self.visit(node.right)
        if operator is ast.Pow:
            self.check_power(node, left, left_approx, right, right_approx)
        result = {
            ast.Add: lambda: left + right,
            ast.Sub: lambda: left - right,
            ast.Mult: lambda: left * right,
            ast.Div: lambda: left / right,
            ast.Pow: lambda: left**right,
        }[operator]()
        approx = None
        if left_approx is not None and right_approx is not None:
            approx = _approximate(operator, left_approx, right_approx)
        return self.checked(node, result), approx

    def check_power(self, node: ast.BinOp, base: sympy.Expr, base_approx: float | None,
                    exponent: sympy.Expr, exponent_approx: float | None) -> None:
        if exponent_approx is None:
            return  # a variable exponent stays symbolic; sympy computes nothing large
        if not math.isfinite(exponent_approx) or abs(exponent_approx) > MAX_EXPONENT:
            raise self.refuse(
                node.right, f"constant exponents larger than {MAX_EXPONENT} in absolute value "
                "are not allowed"
            )
        if base_approx is None or base_approx == 0 or not math.isfinite(base_approx):
            return
        digits = abs(exponent_approx * math.log10(abs(base_approx)))
        if digits > _MAX_RESULT_DIGITS:
            raise self.refuse(
                node, f"this power has about {digits:.0f} digits; constant powers are limited "
                f"to {_MAX_RESULT_DIGITS} digits"
            )

    def visit_call(self, node: ast.Call) -> tuple[sympy.Expr, float | None]:
        if not isinstance(node.func, ast.Name):
            # Attribute access, subscripts and the like are refused while visiting them; a
            # plain value before a bracket, as in "3(x + 1)", is a product written without '*'.
            self.visit(node.func)
            raise self.refuse(
                node, "a value directly before '(' is not a product here: write every product "
                "with '*', e.g. 3*(x + 1)"
            )
        name = node.func.id
        if name not in _FUNCTIONS:
            raise self.refuse(node.func, f"{name!r} is not one of the known functions")
        if node.keywords:
            raise self.refuse(node, "keyword arguments (name=value) are not part of a formula")
        if len(node.args) != 1:
            raise self.refuse(node, f"{name} takes exactly one argument, not {len(node.args)}")
        argument, approx = self.visit(node.args[0])
        result = _FUNCTIONS[name](argument)
        return self.checked(node, result), None if approx is None else _approximate_call(
            name, approx
        )

    def checked(self, node: ast.AST, result: sympy.Expr) -> sympy.Expr:
        if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise ExpressionError(
                f"{self.piece(node)} is undefined as written (a division by zero, log(0), or "
                "similar)."
            )
        if result.has(sympy.I) or (not result.free_symbols and result.is_extended_real is False):
            raise ExpressionError(
                f"{self.piece(node)} is not a real number as written (e.g. the square root or "
                "log of a negative number); formulas in gradlab are real-valued."
            )
        if isinstance(result, sympy.Rational) and max(
            abs(result.p).bit_length(), result.q.bit_length()
        ) > _MAX_RATIONAL_BITS:
            raise ExpressionError(
                f"{self.piece(node)} gives a number with more than {_MAX_RESULT_DIGITS} digits; "
                "please use smaller numbers."
            )
        return result


def _approximate(operator: type, left: float, right: float) -> float:
    """A float for a constant piece: inf or nan when it overflows, never an exception."""
    with np.errstate(all="ignore"):
        a, b = np.float64(left), np.float64(right)
        if operator is ast.Add:
            return float(a + b)
        if operator is ast.Sub:
            return float(a - b)
        if operator is ast.Mult:
            return float(a * b)
        if operator is ast.Div:
            return float(a / b) if b != 0 else math.nan
        return float(np.power(a, b))


_NUMPY_FUNCTIONS: dict[str, Callable[[np.float64], np.float64]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "ln": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "arctan": np.arctan,
    "atan": np.arctan,
    "sigmoid": lambda t: 1 / (1 + np.exp(-t)),
}


def _approximate_call(name: str, argument: float) -> float:
    with np.errstate(all="ignore"):
        return float(_NUMPY_FUNCTIONS[name](np.float64(argument)))


# ----------------------------------------------------------------------------------------------
# variables and derivatives
# ----------------------------------------------------------------------------------------------


def _natural_key(name: str) -> tuple:
    """Sort key: digit runs compare as numbers, so x2 comes before x10."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", name)
        if part
    )


def _canonical_key(symbol: sympy.Symbol) -> tuple:
    leading = {"x": 0, "y": 1, "z": 2}
    return (leading.get(symbol.name, 3), _natural_key(symbol.name))


def variables_of(expr: sympy.Expr | str) -> tuple[sympy.Symbol, ...]:
    """The variables of an expression, in gradlab's canonical order.

    Parameters
    ----------
    expr : sympy.Expr or str
        An expression, or formula text (read with :func:`parse`).

    Returns
    -------
    tuple of sympy.Symbol
        ``x``, ``y``, ``z`` first (those present), then the other names in natural order:
        letters alphabetically, digit runs numerically.

    Examples
    --------
    >>> variables_of(parse("w*x + b"))
    (x, b, w)
    >>> variables_of(parse("x10 + x2 + x1"))
    (x1, x2, x10)
    """
    expr = _as_expr(expr)
    symbols = [s for s in expr.free_symbols if isinstance(s, sympy.Symbol)]
    return tuple(sorted(symbols, key=_canonical_key))


def _as_expr(expr: sympy.Expr | str) -> sympy.Expr:
    if isinstance(expr, str):
        return parse(expr)
    if isinstance(expr, int | float):
        return sympy.sympify(expr)  # a plain number, not text
    if not isinstance(expr, sympy.Expr):
        raise TypeError(
            f"expected a sympy expression or formula text, got {type(expr).__name__}"
        )
    return expr


def _resolve_variables(expr: sympy.Expr, variables: Sequence[str | sympy.Symbol] | None,
                       *, complete: bool = False) -> tuple[sympy.Symbol, ...]:
    """Symbols for the requested variables, matched to the expression's symbols by name.

    With ``complete`` every symbol of the expression must be among them (to evaluate it).
    """
    if variables is None:
        return variables_of(expr)
    if isinstance(variables, str | sympy.Symbol):
        variables = [variables]
    by_name = {s.name: s for s in expr.free_symbols if isinstance(s, sympy.Symbol)}
    resolved = []
    for variable in variables:
        if isinstance(variable, sympy.Symbol):
            name = variable.name
        elif isinstance(variable, str) and _NAME_PATTERN.match(variable):
            name = variable
        else:
            raise ValueError(
                f"variables: {variable!r} is not a variable name or sympy Symbol"
            )
        resolved.append(by_name.get(name, sympy.Symbol(name, real=True)))
    if len({s.name for s in resolved}) != len(resolved):
        raise ValueError(f"variables: names repeat in {[s.name for s in resolved]}")
    missing = set(by_name) - {s.name for s in resolved}
    if complete and missing:
        raise ValueError(
            f"variables: the expression also depends on {sorted(missing, key=_natural_key)}, "
            f"which is not among {[s.name for s in resolved]}"
        )
    return tuple(resolved)


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
        An expression, or formula text (read with :func:`parse`).
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
    expr = _as_expr(expr)
    name = variable.name if isinstance(variable, sympy.Symbol) else variable
    if not isinstance(name, str) or not _NAME_PATTERN.match(name):
        raise ValueError(f"variable: {variable!r} is not a variable name or sympy Symbol")
    by_name = {s.name: s for s in expr.free_symbols if isinstance(s, sympy.Symbol)}
    return _differentiate(expr, by_name.get(name, sympy.Symbol(name, real=True)))


def gradient(expr: sympy.Expr | str,
             variables: Sequence[str | sympy.Symbol] | None = None) -> tuple[sympy.Expr, ...]:
    """The gradient: one partial derivative per variable.

    Parameters
    ----------
    expr : sympy.Expr or str
        An expression, or formula text (read with :func:`parse`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in order. Default: :func:`variables_of` ``(expr)``. Symbols left out
        are treated as constants (e.g. the data ``x`` in a loss of ``w`` and ``b``).

    Returns
    -------
    tuple of sympy.Expr

    Examples
    --------
    >>> gradient("x^2 + 3*x*y")
    (2*x + 3*y, 3*x)
    """
    expr = _as_expr(expr)
    return tuple(_differentiate(expr, s) for s in _resolve_variables(expr, variables))


def hessian(expr: sympy.Expr | str,
            variables: Sequence[str | sympy.Symbol] | None = None) -> sympy.Matrix:
    """The Hessian: the matrix of second partial derivatives.

    Parameters
    ----------
    expr : sympy.Expr or str
        An expression, or formula text (read with :func:`parse`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in order. Default: :func:`variables_of` ``(expr)``. Symbols left out
        are treated as constants.

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
    expr = _as_expr(expr)
    symbols = _resolve_variables(expr, variables)
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
        An expression, or formula text (read with :func:`parse`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in order. Default: :func:`variables_of` ``(expr)``.
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
    expr = _as_expr(expr)
    symbols = _resolve_variables(expr, variables)
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


_EVERYWHERE_DEFINED = (sympy.sin, sympy.cos, sympy.exp, sympy.tanh, sympy.sinh, sympy.cosh,
                       sympy.atan, sympy.Abs, sympy.sign)


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
    """

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
                f"{_quote(points, 60)}"
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
        An expression, or formula text (read with :func:`parse`).
    variables : sequence of str or sympy.Symbol, optional
        The variables, in the order of the points' last axis. Default:
        :func:`variables_of` ``(expr)``.

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
    expr = _as_expr(expr)
    return NumericFunction(expr, _resolve_variables(expr, variables, complete=True))
