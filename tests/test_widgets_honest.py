"""Live figures say what they show: no stale text, no nan rows, message and figure agree.

Each test drives a widget the way a lesson does (its arguments, then ``set``) and reads the
artists, texts and message.
"""

import math

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen; notebooks use ipympl

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradlab.data import linear_regression
from gradlab.formula import parse
from gradlab.functions import Objective, parabola, quadratic_bowl, two_basin_quartic
from gradlab.optimizers import SGD
from gradlab.widgets import DescentExplorer, OneDimExplorer, OptimizerStateExplorer


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


def fit_objective():
    """Lesson 02's loss of the line fit, built as the notebook builds it."""
    data = linear_regression(np.random.default_rng(2), 8, weights=[2.0], bias=-1.0, noise=0.3)
    x, y = data.X[:, 0], data.y
    best = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0]
    m = {"xx": np.mean(x**2), "x": np.mean(x), "xy": np.mean(x * y), "y": np.mean(y),
         "yy": np.mean(y**2)}
    c = {name: f"({value:.15g})" for name, value in m.items()}
    text = (f"{c['xx']}*w^2 + 2*{c['x']}*w*b + b^2 - 2*{c['xy']}*w - 2*{c['y']}*b + "
            f"{c['yy']}")
    return Objective.from_expr(parse(text, ["w", "b"]), ["w", "b"],
                               window=((-1.0, 4.0), (-3.0, 2.0)), minima=[best],
                               name="MSE of the line")


def lesson_07_state_explorer():
    bowl = quadratic_bowl(condition_number=100.0)
    return OptimizerStateExplorer(bowl, start=np.array([-2.5, 2.0]), steps=40, lr=0.3,
                                  lr_range=(1e-3, 3.0))


def _inside(points, window):
    (xlo, xhi), (ylo, yhi) = window
    x, y = np.asarray(points[0], float), np.asarray(points[1], float)
    keep = np.isfinite(x) & np.isfinite(y)
    eps = 1e-9
    return bool(np.all((x[keep] >= xlo - eps) & (x[keep] <= xhi + eps)
                       & (y[keep] >= ylo - eps) & (y[keep] <= yhi + eps)))


# --- lesson 07: OptimizerStateExplorer ---------------------------------------------------------


def test_state_table_after_divergence_says_so_instead_of_nan():
    w = lesson_07_state_explorer()
    w.set(optimizer="SGD")  # lr 0.3 is 15x the bound 0.02: diverges at step 4
    assert int(w.trajectory.diverged_at[0]) == 4
    for step in range(0, 41):
        w.set(step=step)
        text = w.table_text()
        assert "nan" not in text, (step, text)
        if step >= 3:
            assert "diverged at step 4" in text
        else:
            assert "Δθ" in text


def test_ghost_of_a_diverged_run_stays_inside_the_map():
    w = lesson_07_state_explorer()
    w.set(optimizer="SGD")
    w.set(optimizer="Adagrad")  # the diverged SGD run becomes the newest ghost
    assert len(w.trails.ghosts[0].get_xdata()) > 1
    for ghost in w.trails.ghosts:
        assert _inside(ghost.get_data(), w.window)


def test_message_follows_the_step_slider():
    w = lesson_07_state_explorer()
    w.set(step=0)
    assert "after 40 steps" not in w.message
    assert w.message.startswith("step 0 of 40: f = ")
    assert len(w.paths.lines[0].get_xdata()) == 1
    w.set(optimizer="SGD")
    assert w.message.startswith("step 0 of 40") and "diverges at step 4" in w.message
    w.set(step=40)
    assert w.message.startswith("diverged at step 4")


# --- message and figure agree on "left the window at step k"; "diverging" before overflow -------


def _note(explorer):
    notes = [n.get_text() for n in explorer.paths.notes if n.get_visible()]
    assert len(notes) == 1, notes
    return notes[0]


@pytest.mark.parametrize("make, lr", [
    (lambda: DescentExplorer(fit_objective(), {"SGD": SGD}, start=(0.0, 0.0), steps=40, lr=0.3,
                             lr_range=(0.01, 1.5)), 0.955),
    (lambda: DescentExplorer(quadratic_bowl(condition_number=10.0, angle=math.pi / 6),
                             {"SGD": SGD}, start=np.array([-2.4, 1.6]), steps=40, lr=0.02,
                             lr_range=(0.002, 0.5)), 0.209),
])
def test_message_and_figure_name_the_same_exit_step(make, lr):
    w = make()
    w.set(lr=lr)
    note = _note(w)
    assert note.startswith("left at step ")
    step = int(note.removeprefix("left at step "))
    assert f"leaves the plotted window at step {step}" in w.message
    assert w.message.startswith("diverging")  # the loss grows at every step, still finite
    assert int(w.trajectory.diverged_at[0]) == -1
    assert "may come back" not in w.message


def test_a_converging_run_is_not_called_diverging():
    w = DescentExplorer(fit_objective(), {"SGD": SGD}, start=(0.0, 0.0), steps=40, lr=0.3,
                        lr_range=(0.01, 1.5))
    for lr in (0.3, 0.85, 0.9):
        w.set(lr=lr)
        assert w.message.startswith("after 40 steps f = "), (lr, w.message)


# --- the 1-D explorer ----------------------------------------------------------------------------


def test_no_curvature_bound_is_said_in_words_and_iterates_are_x_k():
    w = OneDimExplorer(two_basin_quartic(), start=0.5, steps=40, lr=0.02, lr_range=(0.001, 0.3))
    assert "∞" not in w.bound_label.value
    assert "no curvature bound" in w.bound_label.value
    assert "f″(x₀) = -5 ≤ 0" in w.bound_label.value
    assert w.tangent.text.get_text().startswith("x₄₀ = ")
    assert "x₄₀ = " in w.message and "x₀" not in w.message
    w.set(step=3)
    assert w.tangent.text.get_text().startswith("x₃ = ")


@pytest.mark.parametrize("lr", [0.5, 0.5 + 1e-16, 0.5 - 1e-16])
def test_an_exact_landing_on_zero_reads_zero(lr):
    w = OneDimExplorer(parabola(), start=2.5, steps=20, lr=0.05, lr_range=(0.005, 3.0))
    w.set(lr=lr)
    assert "x₂₀ = 0, f(x₂₀) = 0" in w.message, w.message
    assert "e-" not in w.message and "e-" not in w.tangent.text.get_text()


def test_a_blow_up_is_drawn_not_only_said():
    w = OneDimExplorer(parabola(), start=2.5, steps=20, lr=0.05, lr_range=(0.005, 3.0))
    w.set(lr=1.2)  # factor -1.4 a step: out of the window from step 1 on
    left, right = w.escape_texts["left"], w.escape_texts["right"]
    assert left.get_visible() and right.get_visible()
    assert "x₁ = -3.5" in left.get_text() and "x₂ = 4.9" in right.get_text()
    # The jump out of the window is drawn (cut by the frame), not dropped.
    assert abs(w.arrows.U[0]) == pytest.approx(6.0)
    w.set(lr=0.05)
    assert not left.get_visible() and not right.get_visible()


def test_state_table_columns_line_up_under_names_with_hats():
    from gradlab.widgets.state import display_width

    w = lesson_07_state_explorer()
    w.set(step=3)
    lines = w.table_text().split("\n")
    assert any(line.startswith("m̂") for line in lines)
    widths = {display_width(line) for line in lines}
    assert len(widths) == 1, lines  # every row ends in the same column
    # As drawn: names and numbers are separate texts. Each row's texts share a baseline, the
    # rows are evenly spaced, and every row's numbers end where the coordinate names end.
    w.figure.canvas.draw()
    renderer = w.figure.canvas.get_renderer()
    shown = [(label, text) for label, text in zip(w.state_names, w.state_numbers, strict=True)
             if text.get_text()]
    assert len(shown) == len(lines) - 1
    baselines = []
    for label, text in shown:
        assert label.get_va() == text.get_va() == "baseline"
        label_at = label.get_transform().transform(label.get_position())
        text_at = text.get_transform().transform(text.get_position())
        assert label_at[1] == pytest.approx(text_at[1])
        baselines.append(text_at[1])
        right = text.get_window_extent(renderer).x1
        assert right == pytest.approx(w.state_header.get_window_extent(renderer).x1, abs=1.0)
        assert label.get_window_extent(renderer).x1 < text.get_window_extent(renderer).x0
    pitches = np.diff([w.state_header.get_transform().transform((0, 0.95))[1], *baselines])
    assert np.allclose(pitches, pitches[0]) and pitches[0] < 0  # evenly spaced, downwards
