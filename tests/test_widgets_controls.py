"""Controls that keep their word: sliders stop on the values the lessons name, the readout is
the value used, messages and labels have a fixed place, and no slider track is too short."""

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen; notebooks use ipympl

import ipywidgets
import matplotlib.pyplot as plt
import pytest

from gradlab.widgets import ExpressionBox
from gradlab.widgets.base import (
    MIN_TRACK_PX,
    READOUT_PX,
    LogSlider,
    description_px,
    log_slider,
)
from tests.test_widgets_size import LESSONS


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


# (lesson, index of the widget in the lesson's list, control, values its text names)
NAMED = [
    ("02", 0, "lr", [0.05, 0.15, 0.19, 0.3]),
    ("02", 1, "lr", [0.02, 0.08]),
    ("02", 2, "lr", [0.3, 0.9, 0.955]),
    ("03", 0, "lr", [0.05, 0.5, 0.8, 0.95, 1.02, 2.5]),
    ("03", 1, "lr", [0.02, 0.1, 0.18, 0.209, 0.21, 0.3]),
    ("03", 2, "lr", [0.01, 0.17, 1.0]),
    ("03", 2, "condition_number", [1.0, 10.0, 11.5, 12.5, 100.0]),
    ("04", 0, "lr", [0.01]),
    ("04", 1, "lr", [0.01]),
    ("04", 2, "lr", [0.3, 1.0, 10.0]),
    ("06", 0, "lr", [0.001, 0.0015]),
    ("06", 1, "lr", [0.02]),
    ("07", 0, "lr", [0.3]),
    ("08", 0, "lr", [0.03, 10.0]),
    ("09", 0, "lr", [0.001, 0.1, 0.5, 3.0, 10.0]),
    ("09", 1, "lr", [0.1, 1.0, 3.0, 10.0]),
    ("09", 2, "lr", [0.0001, 0.03, 0.1, 0.3]),
    ("09", 3, "lr", [0.03, 0.3, 0.9]),
]


@pytest.mark.parametrize("lesson", sorted({row[0] for row in NAMED}))
def test_every_value_a_lesson_names_is_a_slider_position(lesson):
    widgets = LESSONS[lesson]()
    try:
        for _lesson, index, name, values in (row for row in NAMED if row[0] == lesson):
            control = widgets[index].controls[name]
            assert isinstance(control, LogSlider), (type(widgets[index]).__name__, name)
            positions = [value for _label, value in control.options]
            missing = [v for v in values if v not in positions]
            assert not missing, (type(widgets[index]).__name__, name, missing)
            for value in values:  # the readout is the value the run uses
                control.value = value
                assert control.value == value and float(control.label) == value
    finally:
        for widget in widgets:
            widget.close()


def test_a_dragged_log_slider_reads_what_it_uses():
    slider = log_slider("lr", 0.2, 0.01, 1.5)
    for label, value in slider.options:
        assert float(label) == value
        assert len(f"{value:.12g}".replace("0.", "").lstrip("0").replace(".", "")) <= 3
    slider.value = 0.1995  # a value between positions lands on one, as under the mouse
    assert slider.value == 0.2 and slider.label == "0.2"


# --- a fixed place for messages, whole labels, long enough tracks -------------------------------


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_messages_have_a_fixed_place_and_sliders_a_whole_label_and_a_long_track(lesson):
    widgets = LESSONS[lesson]()
    try:
        for widget in widgets:
            name = type(widget).__name__
            layout = widget.layout
            assert widget.status.layout.height, name  # a wrapping message moves nothing
            label = getattr(widget, "bound_label", None)
            if label is not None:
                assert label.layout.height, name
            for row in layout.children[:-2]:
                if isinstance(row, ipywidgets.HBox):
                    assert row.layout.flex_flow == "row wrap", name
            for control in _walk(layout):
                if not isinstance(control, ipywidgets.FloatSlider | ipywidgets.IntSlider
                                  | ipywidgets.SelectionSlider | ipywidgets.FloatLogSlider):
                    continue
                if control.description:
                    assert control.style.description_width == "initial", (name, control)
                minimum = int(control.layout.min_width.removesuffix("px"))
                track = minimum - description_px(control.description) - READOUT_PX
                assert track >= MIN_TRACK_PX, (name, control.description, track)
    finally:
        for widget in widgets:
            widget.close()


def test_the_trainer_shows_its_hidden_units_label_whole():
    (trainer, _slice) = LESSONS["08"]()
    trainer.layout  # noqa: B018 - building the layout fits the controls
    width = trainer.controls["width"]
    assert width.description == "hidden units"
    assert width.style.description_width == "initial"


def test_the_formula_box_error_stays_clear_of_the_axis():
    box = ExpressionBox("x^2*y + sin(y)", point=(1.0, 2.0))
    box.set(text="x^2*y + foo(y) + bar")  # a long error message
    assert box.message.startswith("'foo' is not allowed")
    box.figure.canvas.draw()
    renderer = box.figure.canvas.get_renderer()
    message = box._message_artist.get_window_extent(renderer)
    axis = box.ax.xaxis.get_tightbbox(renderer)
    assert message.y1 < axis.y0, (message, axis)
    assert box._message_artist.get_text().count("\n") == 1
    assert box._message_artist.get_text().endswith("…")


def test_the_formula_box_keeps_its_height_when_an_error_empties_the_table():
    box = ExpressionBox("x^2*y + sin(y)", point=(1.0, 2.0))
    assert box.comparison.value  # the table of derivatives
    box.set(point="1, nope")
    assert box.comparison.value == ""
    assert box.comparison.layout.min_height and box.latex.layout.min_height
