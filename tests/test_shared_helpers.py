"""The helpers several modules share: argument checks, the number formatter, ticks, colours."""

import ast
import doctest
import pathlib
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import gradlab  # noqa: E402
from gradlab import checks, colors, formatting  # noqa: E402
from gradlab.checks import (  # noqa: E402
    as_rows,
    check_int,
    check_nonnegative,
    check_positive,
    check_rng,
    check_start,
    check_window,
)
from gradlab.formatting import format_number  # noqa: E402
from gradlab.plotting import OKABE_ITO, few_ticks  # noqa: E402

PACKAGE = pathlib.Path(gradlab.__file__).parent


# --- checks ----------------------------------------------------------------------------------

def test_check_rng():
    rng = np.random.default_rng(0)
    assert check_rng(rng) is rng
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator \(e.g. "
                                        r"numpy.random.default_rng\(0\)\), got int$"):
        check_rng(0)


def test_check_int():
    assert check_int("n", 3) == 3 and type(check_int("n", np.int64(3))) is int
    assert check_int("seed", 0, minimum=0) == 0
    with pytest.raises(ValueError, match=r"^steps must be an integer >= 1, got 0$"):
        check_int("steps", 0)
    with pytest.raises(ValueError, match=r"^n_classes must be an integer >= 2, got 1$"):
        check_int("n_classes", 1, minimum=2)
    for bad in (2.0, 2.5, True, "3", None):
        message = rf"^n must be an integer >= 1, got {re.escape(repr(bad))}$"
        with pytest.raises(TypeError, match=message):
            check_int("n", bad)


def test_check_positive_and_nonnegative():
    assert check_positive("lr", 0.5) == 0.5 and check_positive("lr", 2) == 2.0
    assert check_nonnegative("noise", 0) == 0.0
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got 0$"):
        check_positive("lr", 0)
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got inf$"):
        check_positive("lr", float("inf"))
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0, got nan$"):
        check_positive("lr", float("nan"))
    with pytest.raises(TypeError, match=r"^lr must be a finite number > 0, got '0.1'$"):
        check_positive("lr", "0.1")
    with pytest.raises(TypeError, match=r"^lr must be a finite number > 0, got True$"):
        check_positive("lr", True)
    with pytest.raises(ValueError, match=r"^noise must be a finite number >= 0, got -1$"):
        check_nonnegative("noise", -1)
    with pytest.raises(TypeError, match=r"^noise must be a finite number >= 0, got None$"):
        check_nonnegative("noise", None)


def test_check_window():
    assert check_window(((-1, 1), (0, 2)), 2) == ((-1.0, 1.0), (0.0, 2.0))
    with pytest.raises(ValueError, match=r"^window must be 2 pair\(s\) \(low, high\), got "):
        check_window((-1, 1), 2)
    with pytest.raises(ValueError, match=r"^view must be 1 pair\(s\) \(low, high\), got 'a'$"):
        check_window("a", 1, "view")
    with pytest.raises(ValueError, match=r"^window needs finite pairs with low < high, got "):
        check_window(((1, -1), (0, 2)), 2)
    with pytest.raises(ValueError, match="finite pairs"):
        check_window(((0, np.inf),), 1)


def test_check_start():
    window = ((-2.0, 2.0), (-1.0, 1.0))
    point = check_start((0.5, 1), window)
    assert point.dtype == float and point.tolist() == [0.5, 1.0]
    with pytest.raises(ValueError, match=r"^start \(3.0, 0.0\) lies outside the window: "
                                         r"x must be in \[-2, 2\]$"):
        check_start((3, 0), window)
    with pytest.raises(ValueError, match=r"^point \(0.0, -5.0\) lies outside the window: "
                                         r"y must be in \[-1, 1\]$"):
        check_start((0, -5), window, name="point")
    with pytest.raises(ValueError, match=r"^start must be 2 finite number\(s\), got \[1.0\]$"):
        check_start([1.0], window)
    with pytest.raises(ValueError, match=r"^start must be 2 finite number\(s\), got \[1.0, nan\]$"):
        check_start([1.0, np.nan], window)
    with pytest.raises(ValueError, match=r"^start must be 2 finite number\(s\), got 'ab'$"):
        check_start("ab", window)


def test_as_rows():
    rows, single = as_rows("start", [1.0, 2.0])
    assert rows.tolist() == [[1.0, 2.0]] and single
    rows, single = as_rows("start", [[1, 2], [3, 4]])
    assert rows.shape == (2, 2) and not single
    with pytest.raises(TypeError, match=r"^start must be an array of numbers, got 'ab'$"):
        as_rows("start", "ab")
    with pytest.raises(ValueError, match=r"^start must have shape \(dim,\) or \(n, dim\) with "
                                         r"n, dim >= 1, got shape \(1, 1, 1\)$"):
        as_rows("start", [[[1.0]]])
    with pytest.raises(ValueError, match=r"^point must be finite, got \[1.0, inf\]$"):
        as_rows("point", [1.0, np.inf])


# --- the number formatter --------------------------------------------------------------------

@pytest.mark.parametrize(("value", "digits", "text"), [
    (float("inf"), 3, "∞"),
    (-float("inf"), 3, "-∞"),
    (np.inf, 5, "∞"),
    (float("nan"), 3, "nan"),
    (np.float32("nan"), 3, "nan"),
    (0.0, 3, "0"),
    (-0.0, 3, "0"),
    (0, 3, "0"),
    (12345.0, 3, "1.23e+04"),
    (1e300, 3, "1e+300"),
    (-98765.4321, 2, "-9.9e+04"),
    (0.0123456, 3, "0.0123"),
    (1.234e-12, 3, "1.23e-12"),
    (-2.5e-7, 4, "-2.5e-07"),
    (2 / 3, 5, "0.66667"),
    (np.float64(0.1), 3, "0.1"),
    (3, 3, "3"),
])
def test_format_number(value, digits, text):
    assert format_number(value, digits) == text


def test_format_number_agrees_with_g_format_on_finite_numbers():
    values = np.random.default_rng(0).standard_normal(200) * 10.0 ** np.arange(-100, 100)
    for value in values:
        assert format_number(value) == f"{value:.3g}"


# --- ticks -----------------------------------------------------------------------------------

def test_few_ticks_linear_and_log():
    ax = Figure().add_subplot()
    ax.set_xlim(-2, 2)
    ax.set_ylim(1e-6, 1.0)
    ax.set_yscale("log")
    few_ticks(ax)
    assert len(ax.get_xticks()) <= 7
    assert len(ax.xaxis.get_minor_locator().tick_values(-2, 2)) == 0
    labels = [ax.yaxis.get_major_formatter()(v) for v in (1e-5, 1.0)]
    assert labels == ["1e-05", "1"]  # plain labels, no mathtext
    coarse = Figure().add_subplot()
    coarse.set_xlim(-2, 2)
    few_ticks(coarse, steps=[1, 2, 2.5, 5, 10])
    assert coarse.get_xticks().tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]


# --- colours ---------------------------------------------------------------------------------

def test_palette_names():
    assert colors.OKABE_ITO is OKABE_ITO and len(set(OKABE_ITO)) == 8
    assert colors.OKABE_ITO == ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442",
                                "#0072B2", "#D55E00", "#CC79A7")
    assert (colors.BLUE, colors.VERMILLION) == ("#0072B2", "#D55E00")
    assert set(colors.MESSAGE_COLORS) == {"info", "warning", "error"}
    for name in colors.__all__:
        value = getattr(colors, name)
        for colour in (value.values() if isinstance(value, dict)
                       else value if isinstance(value, tuple) else [value]):
            assert matplotlib.colors.is_color_like(colour), name


# --- the layering ----------------------------------------------------------------------------

@pytest.mark.parametrize("module", [checks, colors, formatting])
def test_bottom_modules_import_nothing_from_gradlab(module):
    tree = ast.parse(pathlib.Path(module.__file__).read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names]
    assert not [name for name in imported if name and name.startswith("gradlab")]


@pytest.mark.parametrize("module", [checks, colors, formatting])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0
