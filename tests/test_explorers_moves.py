"""Slider moves of the lesson explorers (lessons 01, 03, 04, 05, 06): fast, whole and honest.

Three properties, for every slider of each explorer, built as in its lesson:

- A move changes only animated artists: the static layers (contours, rate maps, ticks,
  legends, fixed titles) are copied from the cache, never redrawn (``full_frames`` stays put).
  That is what keeps a move within a few milliseconds of drawing.
- What a move shows depends only on where the controls are, not on how they got there. The
  explorers look runs up in caches filled a slider line at a time; after a walk along a
  slider, the message and the frame must equal those of a twin explorer sent to the same
  setting in one jump (so its runs come from a run of their own). The frames are compared
  pixel for pixel, so a stale title or a path left from an earlier position fails it.
- The message says what the figure shows now: the number the slider sets appears in it or in
  the titles (checked per explorer below).
"""

import math

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import ipywidgets
import numpy as np
import pytest

from gradlab.data import linear_regression
from gradlab.explorers.basins import BasinExplorer
from gradlab.explorers.conditioning import ConditioningExplorer
from gradlab.explorers.directions import DirectionExplorer, slope_reach
from gradlab.explorers.lr_decay import DecayingRateExplorer
from gradlab.explorers.momentum import MomentumExplorer
from gradlab.explorers.slopes import SliceExplorer, TangentExplorer
from gradlab.functions import Objective, himmelblau, quadratic_bowl, styblinski_tang

SLIDERS = (ipywidgets.FloatSlider, ipywidgets.IntSlider, ipywidgets.SelectionSlider)


def _curve():
    return Objective.from_text("x^3/3 - x", window=(-2, 2))


def _bowl():
    return Objective.from_text("x^2 + x*y + 2*y^2", window=(-2, 2))


def _line_data():
    data = linear_regression(np.random.default_rng(5), 200, weights=[2.0], bias=-1.0,
                             noise=0.5)
    return data.X, data.y


# The explorers as their lessons build them (lesson 04's basin map on a smaller grid).
BUILDERS = {
    "tangent": lambda: TangentExplorer(_curve(), x0=1.5, h=0.5, h_range=(1e-3, 1.0)),
    "slices": lambda: SliceExplorer(_bowl(), point=(1.0, 0.5), figsize=(9.3, 3.4)),
    "directions": lambda: DirectionExplorer(_bowl(), point=(1.0, 0.5), angle=0.0,
                                            figsize=(9.3, 3.9)),
    "conditioning": lambda: ConditioningExplorer(condition_number=10.0, lr=0.17,
                                                 angle=math.pi / 6, start=(-2.4, 1.6),
                                                 steps=30),
    "basins": lambda: BasinExplorer(styblinski_tang(), grid=30, steps=200, lr=0.01,
                                    lr_range=(1e-3, 0.1)),
    "decay": lambda: DecayingRateExplorer(*_line_data(), seed=4, start=(-2.0, 2.0),
                                          window=((-3.0, 5.0), (-4.0, 3.0)), batch_size=1,
                                          lr=0.2, decay_rate=0.02, lr_range=(1e-3, 2.0),
                                          steps=600),
    "momentum": lambda: MomentumExplorer(quadratic_bowl(condition_number=50.0),
                                         start=np.array([-2.0, 1.5]), steps=100, lr=0.02,
                                         momentum=0.9),
}


pytestmark = pytest.mark.usefixtures("close_all")  # tests/conftest.py


def _positions(control):
    """The values the slider stops at, in order."""
    options = getattr(control, "options", None)
    if options is not None:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    count = int(round((control.max - control.min) / control.step)) + 1
    return [min(control.min + control.step * k, control.max) for k in range(count)]


def _walk(control, moves):
    """Arrow-key moves from the slider's value: ``moves`` one way, then back past the start."""
    positions = _positions(control)
    here = min(range(len(positions)), key=lambda i: abs(positions[i] - control.value))
    way = 1 if here + moves < len(positions) else -1
    out = [positions[here + way * k] for k in range(1, moves + 1)]
    back = [positions[here - way * k] for k in range(1, 3) if 0 <= here - way * k < len(positions)]
    return out + out[-2::-1] + [positions[here]] + back


def _sliders(explorer):
    return {name: control for name, control in explorer.controls.items()
            if isinstance(control, SLIDERS)}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_slider_moves_redraw_only_the_animated_artists(name):
    explorer = BUILDERS[name]()
    explorer.frame_rgba()
    for control_name, control in _sliders(explorer).items():
        before = explorer.full_frames
        for value in _walk(control, 4):
            control.value = value
            explorer.frame_rgba()
        assert explorer.full_frames == before, (
            f"{type(explorer).__name__}: moving {control_name} redrew the static layers "
            f"{explorer.full_frames - before} times")
    explorer.close()


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_a_walk_along_a_slider_shows_what_one_jump_there_shows(name):
    walker, jumper = BUILDERS[name](), BUILDERS[name]()
    walker.frame_rgba()
    for control in _sliders(walker).values():
        for value in _walk(control, 3)[:3]:  # end away from the start
            control.value = value
    setting = {n: c.value for n, c in _sliders(walker).items()}
    jumper.set(**setting)
    assert walker.message == jumper.message, setting
    shown, expected = walker.frame_rgba(), jumper.frame_rgba()
    differ = np.any(shown != expected, axis=-1)
    assert not differ.any(), f"{differ.sum()} pixels differ after {setting}"
    walker.close()
    jumper.close()


def test_tangent_message_and_artists_follow_both_sliders():
    explorer = BUILDERS["tangent"]()
    explorer.set(x0=-0.5, h=0.1)
    # f = x³/3 − x: f′(−0.5) = −0.75; the central difference adds h²/3.
    assert "f′(x₀) = -0.75" in explorer.message
    assert "h = 0.1" in explorer.message and "-0.74667" in explorer.message
    assert explorer.tangent.text.get_text().startswith("x₀ = -0.5")
    explorer.close()


def test_slice_titles_quote_the_partials_at_the_point():
    explorer = BUILDERS["slices"]()
    explorer.set(x0=-1.0, y0=0.5)  # f = x² + xy + 2y²: ∂f/∂x = 2x + y, ∂f/∂y = x + 4y
    assert explorer.x_ax.get_title() == "slice y = 0.5:  ∂f/∂x = -1.5"
    assert explorer.y_ax.get_title() == "slice x = -1:  ∂f/∂y = 1"
    assert "(-1.5, 1)" in explorer.message
    explorer.close()


def test_slope_axis_height_is_a_round_step_above_the_gradient():
    assert slope_reach(3.91) == 5.0  # 1.15 × 3.91 = 4.5
    assert slope_reach(0.7) == 1.0  # 1.15 × 0.7 = 0.805, just above the step 0.8
    assert slope_reach(4.0 / 1.15) == 4.0  # exactly on a step: that step
    assert slope_reach(10.0) == 12.5
    assert slope_reach(float("inf")) == slope_reach(0.0) == 1.0


def test_direction_title_and_message_follow_the_angle():
    explorer = BUILDERS["directions"]()
    explorer.set(angle=90.0)  # at (1, 0.5): ∇f = (2.5, 3), so ∇f · (0, 1) = 3
    assert explorer.curve_ax.get_title().startswith("angle 90°:  ∇f · u = 3")
    assert "= 3; central difference along u gives 3" in explorer.message
    assert explorer.curve_ax.get_ylim() == (-5.0, 5.0)  # |∇f| = 3.9: 1.15 |∇f| = 4.5 → 5
    explorer.close()


def test_basin_title_and_message_follow_the_sliders():
    explorer = BUILDERS["basins"]()
    explorer.set(lr=0.02, momentum=0.3)
    assert explorer.ax.get_title() == "styblinski_tang: lr = 0.02, μ = 0.30, 200 steps"
    explorer.set(x0=2.0, y0=-2.0)
    assert "the path from (2, -2)" in explorer.message
    assert explorer.paths.lines[0].get_xdata()[0] == 2.0
    explorer.close()


def test_basin_lookups_equal_runs_of_their_own():
    explorer = BasinExplorer(himmelblau(), grid=12, steps=80, lr=0.01)
    twin = BasinExplorer(himmelblau(), grid=12, steps=80, lr=0.01)
    lrs = [value for _label, value in explorer.controls["lr"].options]
    here = lrs.index(0.01)
    for index in (here + 1, here + 2, here + 3, here + 2):  # the first move runs four maps
        explorer.set(lr=lrs[index])
    twin.set(lr=lrs[here + 2])
    assert np.array_equal(explorer.labels, twin.labels)
    explorer.set(x0=explorer.controls["x0"].value + 4 * explorer.controls["x0"].step)
    twin.set(x0=explorer.controls["x0"].value, y0=explorer.controls["y0"].value)
    np.testing.assert_array_equal(explorer.path.points, twin.path.points)
    explorer.close()
    twin.close()


def test_decay_titles_follow_the_sliders():
    explorer = BUILDERS["decay"]()
    explorer.set(batch=16, lr=0.1)
    assert explorer.ax.get_title() == "batch size 16 of 200: 600 steps = 48 epochs"
    # γ₆₀₀ = 0.1 / (1 + 0.02 × 599) is the rate of the last update.
    assert explorer.loss_ax.get_title() == f"γ₀ = 0.1; decayed to {0.1 / (1 + 0.02 * 599):.2g} " \
                                           "by the last step"
    explorer.close()


def test_momentum_titles_follow_the_sliders():
    explorer = BUILDERS["momentum"]()
    explorer.set(momentum=0.5)
    assert explorer.ax.get_title() == "heavy ball:\nlr = 0.02, β = 0.5"
    explorer.set(momentum=0.0)
    assert explorer.ax.get_title() == "GD:\nlr = 0.02, β = 0"
    assert explorer.path_legend.get_texts()[0].get_text() == "GD"
    explorer.close()
