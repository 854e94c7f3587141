"""Lesson 04's plateau explorer: a linear loss axis that zooms to fit each run, and slider moves
that never redraw the static layers.

The loss axis of a DescentExplorer on a surface without a known minimum is linear and fitted
to each run (the lesson has the learner read how small the change on the plateau is from its
labels). Its numbers are animated texts over fixed tick marks, so a new range changes no
static artist. Checked here: no move of any slider redraws the whole figure, and the numbers
at the ticks say where the curve is, to the last digit of the run.
"""

import re

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import numpy as np
import pytest

from gradlab.functions import Objective
from gradlab.optimizers import SGD, Adam
from gradlab.widgets import DescentExplorer
from gradlab.widgets.descent import LOSS_TICKS, linear_ticks
from gradlab.widgets.sweeps import slider_positions

pytestmark = pytest.mark.usefixtures("close_all")

PLATEAU = "(1/(1 + exp(-(w + b))) - 1)^2 + (1/(1 + exp(-(b - w))))^2"


@pytest.fixture
def plateau_explorer():
    """As lesson 04 builds it (notebooks/04_explore_loss_surfaces.ipynb, section 4)."""
    plateau = Objective.from_text(PLATEAU, variables=["w", "b"], window=[(-10, 6), (-6, 6)],
                                  name="sigmoid unit")
    explorer = DescentExplorer(plateau, {"SGD": SGD, "Adam": Adam}, start=(-8.0, 0.0), lr=1.0,
                               lr_range=(0.01, 30.0), steps=200)
    yield explorer
    explorer.close()


def _number(text):
    return float(text.replace("−", "-"))


def _tick_values(explorer):
    """The numbers the tick texts show, with the offset above the axis applied."""
    offset = explorer.loss_offset_text.get_text().replace("−", "-")
    match = re.fullmatch(r"(?:1e(-?\d+))?([+-][\d.e+-]+)?", offset)
    assert match, f"unreadable offset {offset!r}"
    scale = 10.0 ** int(match[1]) if match[1] else 1.0
    shift = float(match[2]) if match[2] else 0.0
    return np.array([_number(t.get_text()) * scale + shift for t in explorer.loss_tick_texts])


def _check_the_numbers_tell_where_the_curve_is(explorer):
    ax = explorer.loss_ax
    assert ax.get_yscale() == "linear" and ax.get_ylim() == (0.0, 1.0)
    assert all(t.get_visible() for t in explorer.loss_tick_texts)
    ticks = _tick_values(explorer)
    step = np.diff(ticks)
    assert np.allclose(step, step[0], rtol=1e-6, atol=0), ticks
    height = step[0] * (len(ticks) - 1) / (LOSS_TICKS[-1] - LOSS_TICKS[0])
    bottom = ticks[0] - LOSS_TICKS[0] * height
    values = explorer.trajectory.values[:, 0]
    shown = bottom + height * explorer.loss_line.get_ydata()
    finite = np.isfinite(values)
    np.testing.assert_allclose(shown[finite], values[finite], rtol=0, atol=1e-9 * height)
    # Zoomed to fit: the curve inside the axis, filling at least a third of it.
    y = explorer.loss_line.get_ydata()[finite]
    assert y.min() >= 0 and y.max() <= 1
    assert y.max() - y.min() >= 1 / 3 or np.ptp(values[finite]) == 0


def test_the_plateau_axis_is_zoomed_to_fit_with_an_offset(plateau_explorer):
    plateau_explorer.frame_rgba()
    _check_the_numbers_tell_where_the_curve_is(plateau_explorer)
    # 200 steps of SGD at lr = 1 from (-8, 0) change the loss by 5e-4: the offset says 1.99.
    assert plateau_explorer.loss_offset_text.get_text() == "+1.99"


def test_no_slider_move_redraws_the_static_layers(plateau_explorer):
    explorer = plateau_explorer
    rng = np.random.default_rng(4)
    for optimizer in ("SGD", "Adam"):
        explorer.set(optimizer=optimizer)
        explorer.frame_rgba()
        before = explorer.full_frames
        names = ["lr", "x0", "y0", "step"] + (["beta1", "beta2"] if optimizer == "Adam" else [])
        for name in names:
            control = explorer.controls[name]
            positions = slider_positions(control)
            for value in rng.choice(positions, size=8):
                value = int(value) if name == "step" else float(value)
                if name == "lr":
                    value = min(positions, key=lambda p, v=value: abs(p - v))
                explorer.set(**{name: value})
                explorer.frame_rgba()
                assert explorer.full_frames == before, (
                    f"{optimizer}: {name} = {value} redrew the static layers")
                _check_the_numbers_tell_where_the_curve_is(explorer)


def test_a_surface_with_a_known_minimum_keeps_the_log_axis_and_its_labels():
    from gradlab.functions import catalogue

    surfaces = {name: factory() for name, factory in catalogue().items()}
    surfaces = {name: s for name, s in surfaces.items() if s.dim == 2}
    explorer = DescentExplorer(surfaces["himmelblau"], {"SGD": SGD}, surfaces=surfaces,
                               lr=0.01, lr_range=(1e-4, 0.1), steps=50)
    try:
        explorer.frame_rgba()
        assert explorer.loss_ax.get_yscale() == "log"
        assert not any(t.get_visible() for t in explorer.loss_tick_texts)
        labels = [t.get_text() for t in explorer.loss_ax.get_yticklabels()]
        assert any(labels), "the log axis lost matplotlib's own tick labels"
    finally:
        explorer.close()


@pytest.mark.parametrize(("low", "high"), [(0.0, 2.0), (1.99817, 1.99866), (-3e-7, 5e-7),
                                           (101.2, 103.9), (7.0, 7.0), (0.998, 0.99801)])
def test_linear_ticks_hold_the_values_on_round_steps(low, high):
    first, step = linear_ticks(low, high)
    bottom, top = first - step / 2, first + 4.5 * step
    assert bottom < low and top > high
    mantissa = step / 10.0 ** np.floor(np.log10(step))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5))
    assert np.isclose(first / step, round(first / step))
    if high > low:
        assert (high - low) / (top - bottom) >= 0.3
