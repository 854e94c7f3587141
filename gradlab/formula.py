"""Read a formula a learner types into a sympy expression, safely.

:func:`parse` turns text such as ``x^2 + 3*y^2`` into a sympy expression without ever handing
the text to ``eval``: Python's :mod:`ast` of the text is walked against a whitelist and the sympy
expression is built node by node. :data:`FUNCTIONS` is that whitelist's table of functions, each
with its sympy and its numpy meaning; :func:`variables_of` lists an expression's variables in
gradlab's canonical order. Differentiating and evaluating with numpy is :mod:`gradlab.symbolic`.

Examples
--------
>>> from gradlab.formula import parse, variables_of
>>> f = parse("x^2 + 3*y^2")
>>> f
x**2 + 3*y**2
>>> variables_of(f)
(x, y)
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

from gradlab.errors import ExpressionError

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "MAX_NODES",
    "MAX_VARIABLES",
    "NAME_PATTERN",
    "AllowedFunction",
    "as_expression",
    "natural_key",
    "parse",
    "quoted",
    "resolve_variables",
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

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
"""What a variable name looks like: an ASCII letter, then letters, digits or ``_``."""
_MAX_NAME_LENGTH = 30


@dataclass(frozen=True)
class AllowedFunction:
    """One function a formula may call (with one argument), in its two meanings.

    Attributes
    ----------
    sympy : callable
        Builds the sympy expression from the argument's expression (:func:`parse`).
    numpy : callable
        The numpy function with the same meaning, for floats and arrays: it approximates
        constant pieces while parsing, and names the numpy function compiled code calls
        (:func:`gradlab.symbolic.to_numpy`).
    defined_everywhere : bool
        Whether the function is defined (and finite) for every real argument.
    """

    sympy: Callable[[sympy.Expr], sympy.Expr]
    numpy: Callable
    defined_everywhere: bool


def _sigmoid(argument: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-argument))


def _numpy_sigmoid(argument):
    return 1 / (1 + np.exp(-argument))


FUNCTIONS: dict[str, AllowedFunction] = {
    "sin": AllowedFunction(sympy.sin, np.sin, defined_everywhere=True),
    "cos": AllowedFunction(sympy.cos, np.cos, defined_everywhere=True),
    "tan": AllowedFunction(sympy.tan, np.tan, defined_everywhere=False),
    "exp": AllowedFunction(sympy.exp, np.exp, defined_everywhere=True),
    "log": AllowedFunction(sympy.log, np.log, defined_everywhere=False),
    "ln": AllowedFunction(sympy.log, np.log, defined_everywhere=False),
    "sqrt": AllowedFunction(sympy.sqrt, np.sqrt, defined_everywhere=False),
    "abs": AllowedFunction(sympy.Abs, np.abs, defined_everywhere=True),
    "tanh": AllowedFunction(sympy.tanh, np.tanh, defined_everywhere=True),
    "sinh": AllowedFunction(sympy.sinh, np.sinh, defined_everywhere=True),
    "cosh": AllowedFunction(sympy.cosh, np.cosh, defined_everywhere=True),
    "arctan": AllowedFunction(sympy.atan, np.arctan, defined_everywhere=True),
    "atan": AllowedFunction(sympy.atan, np.arctan, defined_everywhere=True),
    "sigmoid": AllowedFunction(_sigmoid, _numpy_sigmoid, defined_everywhere=True),
}
"""Every function a formula may call, by the name typed: ``ln`` and ``atan`` are aliases of
``log`` and ``arctan``, and ``sigmoid(t)`` means ``1/(1 + exp(-t))``."""

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}
"""The named constants a formula may use."""

_ALLOWED = (
    "Allowed: numbers, variables (names like x, y, w, b, x1, theta), + - * / ^ **, "
    "parentheses, the constants pi and e, and the functions "
    + ", ".join(FUNCTIONS)
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
            f"{quoted(text)} is too deeply nested or too large to read. {_ALLOWED}"
        ) from None
    except Exception as error:  # the last guard: nothing but ExpressionError leaves parse
        raise ExpressionError(
            f"{quoted(text)} could not be read as a formula ({type(error).__name__}). {_ALLOWED}"
        ) from None


def quoted(text: object, limit: int = 40) -> str:
    """``text`` (or the repr of a non-text value) in quotes, cut to ``limit`` characters."""
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
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise ExpressionError(
                f"variables: {quoted(name)} is not a valid variable name; a name starts with a "
                "letter, followed by letters, digits or '_'."
            )
        if name in FUNCTIONS or name in CONSTANTS:
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
            f"{quoted(shown)} is not a well-formed formula ({reason}).{hint} {_ALLOWED}"
        ) from None
    except (ValueError, OverflowError) as error:  # e.g. null characters in the text
        raise ExpressionError(
            f"{quoted(shown)} could not be read as a formula ({error}). {_ALLOWED}"
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
        return quoted(segment.replace("**", "^") if self.caret else segment)

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
                node, f"attribute access (the '.' after {quoted(owner)[1:-1]!r}) is not part "
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
        if name in CONSTANTS:
            constant = CONSTANTS[name]
            return constant, float(constant)
        if name in FUNCTIONS:
            raise self.refuse(node, f"{name!r} is a function; write it with an argument, "
                              f"as in {name}(x)")
        if not NAME_PATTERN.match(name) or len(name) > _MAX_NAME_LENGTH:
            raise self.refuse(
                node, "a variable name starts with an ASCII letter, followed by letters, digits "
                f"or '_' (at most {_MAX_NAME_LENGTH} characters)"
            )
        if self.allowed_names is not None and name not in self.allowed_names:
            allowed = ", ".join(sorted(self.allowed_names, key=natural_key)) or "(none)"
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
        if name not in FUNCTIONS:
            raise self.refuse(node.func, f"{name!r} is not one of the known functions")
        if node.keywords:
            raise self.refuse(node, "keyword arguments (name=value) are not part of a formula")
        if len(node.args) != 1:
            raise self.refuse(node, f"{name} takes exactly one argument, not {len(node.args)}")
        argument, approx = self.visit(node.args[0])
        result = FUNCTIONS[name].sympy(argument)
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


def _approximate_call(name: str, argument: float) -> float:
    with np.errstate(all="ignore"):
        return float(FUNCTIONS[name].numpy(np.float64(argument)))


# ----------------------------------------------------------------------------------------------
# variables
# ----------------------------------------------------------------------------------------------


def natural_key(name: str) -> tuple:
    """Sort key for variable names: digit runs compare as numbers, so x2 comes before x10."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", name)
        if part
    )


def _canonical_key(symbol: sympy.Symbol) -> tuple:
    leading = {"x": 0, "y": 1, "z": 2}
    return (leading.get(symbol.name, 3), natural_key(symbol.name))


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
    expr = as_expression(expr)
    symbols = [s for s in expr.free_symbols if isinstance(s, sympy.Symbol)]
    return tuple(sorted(symbols, key=_canonical_key))


def as_expression(expr: sympy.Expr | str) -> sympy.Expr:
    """A sympy expression as is, formula text read with :func:`parse`, a plain number sympified.

    Raises
    ------
    ExpressionError
        For text :func:`parse` refuses.
    TypeError
        For anything else.
    """
    if isinstance(expr, str):
        return parse(expr)
    if isinstance(expr, int | float):
        return sympy.sympify(expr)  # a plain number, not text
    if not isinstance(expr, sympy.Expr):
        raise TypeError(
            f"expected a sympy expression or formula text, got {type(expr).__name__}"
        )
    return expr


def resolve_variables(expr: sympy.Expr, variables: Sequence[str | sympy.Symbol] | None,
                      *, complete: bool = False) -> tuple[sympy.Symbol, ...]:
    """Symbols for the requested variables, matched to the expression's symbols by name.

    With ``complete`` every symbol of the expression must be among them (to evaluate it).
    Without ``variables``, :func:`variables_of` ``(expr)``. A name the expression does not use
    becomes a new real symbol.

    Raises
    ------
    ValueError
        For a value that is not a variable name or symbol, repeated names, or (with
        ``complete``) a variable of the expression left out.
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
        elif isinstance(variable, str) and NAME_PATTERN.match(variable):
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
            f"variables: the expression also depends on {sorted(missing, key=natural_key)}, "
            f"which is not among {[s.name for s in resolved]}"
        )
    return tuple(resolved)

