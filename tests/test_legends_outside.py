"""No animated artist can paint over a legend of lesson 01's direction explorer or lesson 06's
momentum explorer.

A live figure draws its animated artists (paths, curves, markers) after the cached static
layers (``LiveFigure._draw_frame``), so a static legend inside an axes' data area ends up under
whatever moves across it. These explorers keep their legends below the axes instead: checked
with matplotlib's own extents, after drawing, before and after random moves of every control.
"""

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import ipywidgets
import numpy as np
import pytest
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

from gradlab.explorers.directions import DirectionExplorer
from gradlab.explorers.momentum import MomentumExplorer
from gradlab.functions import Objective, quadratic_bowl

pytestmark = pytest.mark.usefixtures("close_all")


def _direction():
    bowl = Objective.from_text("x^2 + x*y + 2*y^2", window=(-2, 2))
    return DirectionExplorer(bowl, point=(1.0, 0.5), angle=0.0, figsize=(9.3, 3.9))  # lesson 01


def _momentum():
    return MomentumExplorer(quadratic_bowl(condition_number=50.0), start=np.array([-2.0, 1.5]),
                            steps=100, lr=0.02, momentum=0.9)  # lesson 06


EXPLORERS = {"direction (lesson 01)": _direction, "momentum (lesson 06)": _momentum}


def _legends(figure):
    return [legend for legend in figure.findobj(Legend) if legend.get_visible()]


def _clipped_extent(artist, renderer):
    """Where ``artist`` can paint: its window extent cut to its clip box (None if nowhere)."""
    try:
        box = artist.get_window_extent(renderer)
    except (NotImplementedError, TypeError, AttributeError):
        return None
    clip = artist.get_clip_box() if artist.get_clip_on() else None
    if clip is not None:
        box = Bbox.intersection(box, clip)
    if box is None or not np.all(np.isfinite(box.bounds)) or box.width <= 0 or box.height <= 0:
        return None
    return box


def _positions(control):
    options = getattr(control, "options", None)
    if options:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    if isinstance(control, ipywidgets.FloatSlider):
        return list(np.linspace(control.min, control.max, 9))
    if isinstance(control, ipywidgets.Checkbox):
        return [True, False]
    return []


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_legends_lie_outside_every_data_area_and_clear_of_the_axis_texts(name):
    explorer = EXPLORERS[name]()
    figure = explorer.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    legends = _legends(figure)
    assert legends, "no legend to check"
    whole = figure.bbox
    for legend in legends:
        box = legend.get_window_extent(renderer)
        assert whole.x0 <= box.x0 and box.x1 <= whole.x1 and whole.y0 <= box.y0 \
            and box.y1 <= whole.y1, f"{name}: a legend runs off the canvas: {box}"
        for ax in figure.axes:
            assert not box.overlaps(ax.bbox), (
                f"{name}: legend {[t.get_text() for t in legend.get_texts()]} overlaps the "
                f"data area of {ax.get_xlabel() or ax.get_ylabel()!r}")
            texts = [ax.xaxis.label, *ax.get_xticklabels()]
            for text in texts:
                if text.get_visible() and text.get_text():
                    assert not box.overlaps(text.get_window_extent(renderer)), (
                        f"{name}: a legend covers {text.get_text()!r}")
        message = explorer._message_artist  # shown in the stored picture
        explorer.show_message("a message of two lines, as long as the explorers' longest ones "
                              "are, " * 3)
        figure.canvas.draw()
        assert not box.overlaps(message.get_window_extent(renderer)), (
            f"{name}: the message line runs over a legend")


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_no_animated_artist_reaches_a_legend_after_any_move(name):
    explorer = EXPLORERS[name]()
    rng = np.random.default_rng(6)
    figure = explorer.figure
    try:
        explorer.frame_rgba()
        for control_name, control in explorer.controls.items():
            values = _positions(control)
            for index in rng.integers(len(values), size=4) if len(values) > 1 else ():
                control.value = values[index]
                explorer.frame_rgba()
                renderer = figure.canvas.get_renderer()
                boxes = [legend.get_window_extent(renderer) for legend in _legends(figure)]
                for artist in figure.findobj(lambda a: a.get_animated() and a.get_visible()):
                    if artist is explorer._message_artist:
                        continue
                    extent = _clipped_extent(artist, renderer)
                    assert extent is None or not any(extent.overlaps(b) for b in boxes), (
                        f"{name}: after {control_name} = {values[index]!r}, the animated "
                        f"{type(artist).__name__} {artist.get_label()!r} reaches a legend")
    finally:
        explorer.close()
