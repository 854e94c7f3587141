"""Controls that keep their word: sliders stop on the values the lessons name, the readout is
the value used, messages and labels have a fixed place, and no slider track is too short."""

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen; notebooks use ipympl

import matplotlib.pyplot as plt
import pytest

from gradlab.widgets.base import LogSlider, log_slider
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
