"""Every frame a live figure sends is whole: the picture drawn from the cached static layers
(and from the kept pixels of texts that did not change) equals a redraw of every layer from
scratch, after any sequence of control changes.

A live figure redraws only its animated artists on a move and copies the rest from a picture
of the static layers (:meth:`gradlab.widgets.base.LiveFigure._draw_frame`). If a move changed a
static artist without matplotlib noticing (an array edited in place, say), the cached layers
would be stale and the learner would see an old path under a new one. Here each widget of
each lesson is driven through random moves of every control, and after each move the frame
is compared, pixel for pixel, with a full redraw.
"""

import io

import ipywidgets
import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen; notebooks use ipympl

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from gradlab.functions import quadratic_bowl
from gradlab.optimizers import SGD
from gradlab.widgets import DescentExplorer
from gradlab.widgets.base import LiveFigure, png_bytes
from tests.test_widgets_size import LESSONS

MOVES_PER_CONTROL = 4


def _values(control):
    """Values a learner can give ``control`` (``[]`` for buttons and text boxes)."""
    options = getattr(control, "options", None)
    if options:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    if isinstance(control, ipywidgets.IntSlider):
        return sorted({int(v) for v in np.linspace(control.min, control.max, 9)})
    if isinstance(control, ipywidgets.FloatSlider | ipywidgets.FloatLogSlider):
        return list(np.linspace(control.min, control.max, 9))
    if isinstance(control, ipywidgets.Checkbox | ipywidgets.ToggleButton):
        return [True, False]
    return []


def _first_difference(shown, redrawn):
    rows, columns = np.nonzero(np.any(shown != redrawn, axis=-1))
    return f"{rows.size} pixels differ, first at (x={columns[0]}, y={rows[0]})"


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_frames_drawn_from_the_cache_equal_a_full_redraw(lesson):
    rng = np.random.default_rng(int(lesson))
    widgets = LESSONS[lesson]()
    try:
        for widget in widgets:
            name = type(widget).__name__
            widget.frame_rgba()
            for control_name, control in widget.controls.items():
                values = _values(control)
                if len(values) < 2:
                    continue
                for index in rng.integers(len(values), size=MOVES_PER_CONTROL):
                    control.value = values[index]
                    shown = widget.frame_rgba()
                    # Drawing a frame must not itself change a static artist (a tick laid
                    # out, a title moved), or every next frame is a full redraw.
                    assert not widget.figure.stale, (
                        f"{name}: drawing the frame after {control_name} = {values[index]!r} "
                        "changed a static artist")
                    # Drawn anew, static layers and every glyph; the kept text pixels stay
                    # for the next move's frame, which pastes them where nothing changed.
                    redrawn = widget.frame_rgba(full=True)
                    assert np.array_equal(shown, redrawn), (
                        f"{name}: after {control_name} = {values[index]!r}, the frame from "
                        f"the cache is not the full picture: {_first_difference(shown, redrawn)}")
    finally:
        for widget in widgets:
            widget.close()
        plt.close("all")


def test_a_move_that_changes_only_animated_artists_reuses_the_static_layers():
    explorer = DescentExplorer(quadratic_bowl(), {"SGD": SGD}, steps=20, lr=0.05)
    try:
        explorer.frame_rgba()
        before = explorer.full_frames
        explorer.set(step=5)
        explorer.frame_rgba()
        explorer.set(step=9)
        explorer.frame_rgba()
        assert explorer.full_frames == before, "a step move redrew the static layers"
    finally:
        explorer.close()


def test_a_changed_static_artist_forces_a_full_redraw():
    explorer = DescentExplorer(quadratic_bowl(), {"SGD": SGD}, steps=20, lr=0.05)
    try:
        explorer.frame_rgba()
        before = explorer.full_frames
        explorer.figure.axes[0].set_xlim(-1, 1)
        shown = explorer.frame_rgba()
        assert explorer.full_frames == before + 1
        assert np.array_equal(shown, explorer.frame_rgba(full=True))
    finally:
        explorer.close()


def test_png_bytes_decodes_to_the_frame():
    explorer = DescentExplorer(quadratic_bowl(), {"SGD": SGD}, steps=20, lr=0.05)
    try:
        frame = explorer.frame_rgba()
        decoded = np.asarray(Image.open(io.BytesIO(png_bytes(frame))).convert("RGBA"))
        assert decoded.shape == frame.shape
        assert np.array_equal(decoded[..., :3], frame[..., :3])
    finally:
        explorer.close()


def test_the_stored_picture_shows_the_message():
    # Saving skips a figure's own animated artists; the message is one and must be saved.
    explorer = DescentExplorer(quadratic_bowl(), {"SGD": SGD}, steps=20, lr=0.05)
    try:
        explorer.show_message("a message that the stored picture must show")
        with_message = explorer.static_png(dpi=60)
        explorer.show_message("")
        assert explorer.static_png(dpi=60) != with_message
    finally:
        explorer.close()


class _LineOverText(LiveFigure):
    """An unclipped animated line that sweeps across an animated text that never changes."""

    def __init__(self):
        super().__init__(figsize=(3, 2), title="line over text")
        ax = self.figure.add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        (self.line,) = ax.plot([0, 1], [0, 0], lw=6, clip_on=False, animated=True)
        self.label = ax.text(0.5, 1.08, "a text that stays", ha="center", animated=True,
                             transform=ax.transAxes)
        self.add_control("height", ipywidgets.FloatSlider(value=0, min=0, max=1.2, step=0.1))

    def _apply(self, changes):
        self.line.set_ydata([changes["height"]] * 2)


def test_kept_text_pixels_are_pasted_only_where_nothing_drew_over_them(drawn_texts):
    figure = _LineOverText()
    try:
        figure.frame_rgba()
        crossed = False
        for height in (0.2, 0.4, 1.08, 1.1, 0.3, 0.5):
            drawn_texts.clear()
            figure.set(height=height)
            shown = figure.frame_rgba()
            crosses = height > 0.9  # the thick line passes through the text's box
            drawn = [text for _artist, text in drawn_texts]
            # Drawn anew when the line is over it, and once more after (nothing was kept).
            assert ("a text that stays" in drawn) == (crosses or crossed), (height, drawn)
            assert np.array_equal(shown, figure.frame_rgba(full=True)), height
            crossed = crosses
    finally:
        figure.close()
