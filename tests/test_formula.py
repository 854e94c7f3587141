"""Tests for gradlab.formula: what the safe formula reader accepts, refuses, and how it says so."""

import time

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab.errors import ExpressionError
from gradlab.formula import FUNCTIONS, MAX_LENGTH, parse, variables_of

x, y, w, b, x1, theta = sympy.symbols("x y w b x1 theta", real=True)

# ----------------------------------------------------------------------------------------------
# parse: what is accepted
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x^2 + 3*y^2", x**2 + 3 * y**2),
        ("x**2 + 3*y**2", x**2 + 3 * y**2),
        ("sin(x)*exp(-y**2)", sympy.sin(x) * sympy.exp(-(y**2))),
        ("log(1 + exp(-w*x - b))", sympy.log(1 + sympy.exp(-w * x - b))),
        ("arctan(x) + atan(y)", sympy.atan(x) + sympy.atan(y)),
        ("sqrt(x) + abs(y)", sympy.sqrt(x) + sympy.Abs(y)),
        ("tanh(x) + sinh(y) + cosh(x) + tan(y) + cos(x)",
         sympy.tanh(x) + sympy.sinh(y) + sympy.cosh(x) + sympy.tan(y) + sympy.cos(x)),
        ("ln(x)", sympy.log(x)),
        ("sigmoid(w*x)", 1 / (1 + sympy.exp(-w * x))),
        ("e^x + pi", sympy.exp(x) + sympy.pi),
        ("0.5*theta^2 + x1", theta**2 / 2 + x1),
        ("2^10", sympy.Integer(1024)),
        ("x^-1", 1 / x),
        ("x**-1", 1 / x),
        ("-x + +y", y - x),
        ("x^2^3", x**8),  # right-associative, as in mathematics
        ("((x))", x),
        ("1e-3 * x", x / 1000),
        ("x \N{MINUS SIGN} 1", x - 1),
        ("2^100", sympy.Integer(2) ** 100),
    ],
)
def test_parse_accepts_formulas(text, expected):
    assert sympy.simplify(parse(text) - expected) == 0


def test_caret_means_power_with_power_precedence():
    # Python's '^' is xor and binds more loosely than '+'; in a formula it is a power.
    assert parse("x^2 + 1") == x**2 + 1
    assert parse("2*x^2") == 2 * x**2


def test_e_and_pi_are_constants_and_variables_are_real():
    expr = parse("e*pi*x")
    assert expr.free_symbols == {x}
    assert expr / x == sympy.E * sympy.pi
    assert all(s.is_real for s in parse("w*x + b").free_symbols)


def test_variables_argument_restricts_names():
    assert parse("x + y", variables=["x", "y"]) == x + y
    with pytest.raises(ExpressionError, match=r"'z'.*allowed variables: x, y"):
        parse("x + z", variables=["x", "y"])


# ----------------------------------------------------------------------------------------------
# parse: what is refused, and how the refusal reads
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "piece", "reason"),
    [
        ("os.system('ls')", "'os.system'", "attribute access"),
        ("().__class__", "__class__", "attribute access"),
        ("__import__('os')", "'__import__'", "not one of the known functions"),
        ("lambda: 1", "lambda", "lambda"),
        ("[x for x in y]", "[x for x in y]", "comprehension"),
        ("'s'", "'s'", "quotes"),
        ("sin(x=1)", "sin(x=1)", "keyword"),
        ("x[0]", "x[0]", "indexing"),
        ("x % 2", "x % 2", "'%'"),
        ("x // 2", "x // 2", "'//'"),
        ("~x", "~x", "'~'"),
        ("x if y else 1", "x if y else 1", "if"),
        ("x < y", "x < y", "comparison"),
        ("x and y", "x and y", "'and'"),
        ("foo(x)", "'foo'", "not one of the known functions"),
        ("sin(x, y)", "sin(x, y)", "exactly one argument"),
        ("sin", "'sin'", "is a function"),
        ("(x, y)", "(x, y)", "tuple"),
        ("{1: 2}", "{1: 2}", "dictionar"),
        ("(x := 1)", "x := 1", ":="),
        ("True", "True", "not a number"),
        ("None", "None", "not a number"),
        ("1j", "1j", "complex"),
        ("1e999", "1e999", "larger than"),
        ("10000000", "10000000", "larger than"),
        ("x**300", "'300'", "exponent"),
        ("2**x**1000", "1000", "exponent"),
        ("1/0", "'1/0'", "undefined"),
        ("log(0)", "log(0)", "undefined"),
        ("sqrt(-1)", "sqrt(-1)", "not a real number"),
        ("log(-2)*x", "log(-2)", "not a real number"),
        ("_x + 1", "'_x'", "variable name"),
        ("f'{x}'", "f'{x}'", "quotes"),
        ("x y", "'x y'", "well-formed"),
        ("", "empty", "empty"),
    ],
)
def test_parse_refuses_and_names_the_piece(text, piece, reason):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    message = str(caught.value)
    assert piece in message
    assert reason in message
    assert isinstance(caught.value, ValueError)


def test_refusal_lists_what_is_allowed():
    with pytest.raises(ExpressionError, match=r"Allowed: numbers, variables.*sin, cos"):
        parse("os.system('rm -rf /')")


def test_refusal_quotes_the_learners_notation():
    with pytest.raises(ExpressionError, match=r"^'9\^9' is not allowed"):
        parse("9^9^9^9")
    with pytest.raises(ExpressionError, match=r"^'9\*\*9' is not allowed"):
        parse("9**9**9**9")


@pytest.mark.parametrize("text", ["9**9**9**9", "9^9^9^9", "(9**99)**99", "2**(2**(2**(2**7)))",
                                  "(1000000*1000000)**60", "e**(e**(e**10))"])
def test_huge_powers_are_refused_fast(text):
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match="exponent|digits"):
        parse(text)
    assert time.perf_counter() - start < 0.5


def test_size_limits():
    with pytest.raises(ExpressionError, match=f"at most {MAX_LENGTH}"):
        parse("x+" * 300 + "x")
    with pytest.raises(ExpressionError, match="pieces"):
        parse("+".join(["x"] * 150))
    # a long sum is long, not deep: 60 terms pass
    assert parse("+".join(f"x{i}^2" for i in range(15)) + "+x" * 45).free_symbols
    with pytest.raises(ExpressionError):
        parse("(" * 300 + "x" + ")" * 300)
    with pytest.raises(ExpressionError, match="nested"):
        parse("sin(" * 60 + "x" + ")" * 60)
    with pytest.raises(ExpressionError, match="at most 20 variables"):
        parse("+".join(f"v{i}" for i in range(21)))


@pytest.mark.parametrize("bad", [None, 3, b"x", ["x"]])
def test_parse_refuses_non_text(bad):
    with pytest.raises(ExpressionError, match="must be text"):
        parse(bad)


# The tokens of a hostile or confused user: Python tricks, odd numbers, unicode.
_TOKENS = [
    "x", "y", "w", "b", "theta", "e", "pi", "0", "1", "9", "2.5", "1e999", "1e-400",
    "99999999999999999999", "1_0", "0x1F", "1j", "**", "^", "*", "/", "+", "-", "%", "//",
    "(", ")", "[", "]", "{", "}", ",", ":", ".", "=", "==", "<", "~", "@", "!", "\\",
    "sin", "exp", "log", "sqrt", "sigmoid", "abs", "__import__", "__class__", "().__class__",
    "__builtins__", "lambda", "for", "in", "if", "else", "not", "and", "yield", "await",
    "'s'", '"os"', "f'{x}'", "f(x=1)", "sin(x=1)", "[x for x in y]", "*x", ":=", "x**-1",
    "9**9**9**9", "exp(exp(exp(99)))", " ", "\n", "\t", "\x00", "θ", "é", "²", "\N{MINUS SIGN}",
    "\N{MULTIPLICATION SIGN}", "\u200b", "\ud800", "𝑥", "ｘ", "#", ";", "\\n",
]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parse_raises_only_expression_error_on_any_text(text):
    try:
        parse(text)
    except ExpressionError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=25).map("".join))
def test_parse_raises_only_expression_error_on_python_like_tokens(text):
    start = time.perf_counter()
    try:
        result = parse(text)
    except ExpressionError:
        pass
    else:
        assert isinstance(result, sympy.Expr)
    assert time.perf_counter() - start < 2.0


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 600), st.sampled_from(["(", "-", "sin(", "exp(", "+"]))
def test_parse_survives_deep_nesting(depth, opener):
    closer = ")" if opener.endswith("(") else ""
    text = opener * depth + "x" + closer * depth
    try:
        parse(text)
    except ExpressionError:
        pass


# ----------------------------------------------------------------------------------------------
# variables_of
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("w*x + b", ["x", "b", "w"]),
        ("x10 + x2 + x1", ["x1", "x2", "x10"]),
        ("z + y + x + a", ["x", "y", "z", "a"]),
        ("theta + alpha2 + alpha10", ["alpha2", "alpha10", "theta"]),
    ],
)
def test_variables_of_is_canonical(text, names):
    assert [s.name for s in variables_of(parse(text))] == names


def test_syntax_errors_quote_the_formula_as_the_learner_typed_it():
    with pytest.raises(ExpressionError) as caught:
        parse("x^^2")
    assert "'x^^2'" in str(caught.value) and "**" not in str(caught.value).split(".")[0]


def test_a_missing_multiplication_sign_gets_a_hint():
    with pytest.raises(ExpressionError, match=r"Write every product with '\*'"):
        parse("2x + y")
    with pytest.raises(ExpressionError) as caught:
        parse("x + + ")
    assert "Write every product" not in str(caught.value)


@pytest.mark.parametrize("text", ["3(x + 1)", "(x + 1)(y - 1)", "x^2(y)", "sin(x)(y)"])
def test_a_value_before_a_bracket_is_refused_not_silently_dropped(text):
    with pytest.raises(ExpressionError, match=r"write every product\s+with '\*'"):
        parse(text)

# ----------------------------------------------------------------------------------------------
# the table of allowed functions
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_allowed_function_means_the_same_in_sympy_and_numpy(name):
    function = FUNCTIONS[name]
    t = sympy.Symbol("t", real=True)
    for point in (0.3, 1.7, 2.5):
        symbolic = float(function.sympy(t).subs(t, sympy.Float(point, 30)).evalf(30))
        assert function.numpy(np.float64(point)) == pytest.approx(symbolic, rel=1e-14)
    assert parse(f"{name}(x)") == function.sympy(sympy.Symbol("x", real=True))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_defined_everywhere_means_finite_and_real_for_every_real_argument(name):
    function = FUNCTIONS[name]
    value = function.sympy(sympy.Symbol("t", real=True))
    assert function.defined_everywhere == bool(value.is_finite and value.is_real)
