"""Tests of gradlab.widgets, driven without a browser: set a control, then inspect the artists.

Expected trajectories are restated here by hand (plain gradient descent, the Adam equations)
rather than taken from the code under test.
"""

import base64
import io
import subprocess
import sys
import textwrap

import ipywidgets
import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen; notebooks use ipympl

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradlab import widgets
from gradlab.widgets import LiveFigure, PredictRevealCheck, log_slider

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def close_all():
    """Close every figure a test created, even when it fails."""
    yield
    plt.close("all")


def _decode_png(b64):
    return mpimg.imread(io.BytesIO(base64.b64decode(b64)), format="png")


# --- LiveFigure plumbing ---------------------------------------------------------------------


class _Counter(LiveFigure):
    """A minimal subclass: one line whose height is the slider value."""

    def __init__(self):
        super().__init__(figsize=(3, 2), title="counter")
        self.ax = self.figure.add_subplot()
        (self.line,) = self.ax.plot([0, 1], [0, 0])
        self.seen = []
        self.add_control("a", ipywidgets.FloatSlider(value=0.0, min=-1.0, max=1.0))
        self.add_control("b", ipywidgets.IntSlider(value=0, min=0, max=10))

    def _apply(self, changes):
        self.seen.append(dict(changes))
        a = self.controls["a"].value
        self.line.set_ydata([a, a])
        if "b" in changes and changes["b"] == 10:
            # A control adjusted from inside an update joins the next pass, not a nested one.
            self.controls["a"].value = -1.0


def test_control_change_updates_artist_in_place(close_all):
    w = _Counter()
    n_artists = len(w.ax.get_children())
    w.controls["a"].value = 0.5
    assert np.allclose(w.line.get_ydata(), [0.5, 0.5])
    assert w.seen == [{"a": 0.5}]
    assert len(w.ax.get_children()) == n_artists


def test_set_applies_several_changes_once(close_all):
    w = _Counter()
    w.set(a=0.25, b=3)
    assert w.updates == 1
    assert w.seen == [{"a": 0.25, "b": 3}]


def test_set_clips_to_slider_range_like_a_mouse(close_all):
    w = _Counter()
    w.set(a=7.0)
    assert w.controls["a"].value == 1.0


def test_set_unknown_control_names_the_known_ones(close_all):
    w = _Counter()
    with pytest.raises(ValueError, match=r"no control 'lr'.*\['a', 'b'\]"):
        w.set(lr=0.1)


def test_change_made_during_update_is_coalesced_not_nested(close_all):
    w = _Counter()
    w.controls["b"].value = 10
    assert w.seen == [{"b": 10}, {"a": -1.0}]
    assert np.allclose(w.line.get_ydata(), [-1.0, -1.0])


def test_message_shows_in_figure_and_label(close_all):
    w = _Counter()
    w.show_message("diverged at step 7", "error")
    texts = [t.get_text() for t in w.figure.texts]
    assert "diverged at step 7" in texts
    assert "diverged at step 7" in w.status.value
    w.show_message("")
    assert w.status.value == ""
    with pytest.raises(ValueError, match="kind must be one of"):
        w.show_message("x", "loud")


def test_mimebundle_has_widget_view_png_and_text(close_all):
    w = _Counter()
    bundle = w._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert bundle[WIDGET_VIEW]["model_id"] == w.layout.model_id
    assert bundle["text/plain"] == "counter"
    image = _decode_png(bundle["image/png"])
    # 3 x 2 inches at the default 72 dpi of the stored picture.
    assert image.shape[:2] == (144, 216)


def test_agg_layout_falls_back_to_a_picture_that_follows_updates(close_all):
    w = _Counter()
    layout = w.layout
    image = layout.children[-1]
    assert isinstance(image, ipywidgets.Image)
    before = bytes(image.value)
    w.controls["a"].value = 1.0
    assert bytes(image.value) != before


def test_ipympl_canvas_is_the_view_and_the_bundle_still_has_a_png():
    # A subprocess: switching the backend must not leak into the other tests.
    script = textwrap.dedent("""
        import matplotlib
        matplotlib.use("module://ipympl.backend_nbagg")
        import ipywidgets
        from gradlab.widgets import LiveFigure
        w = LiveFigure(figsize=(2, 2), title="t")
        w.figure.add_subplot().plot([0, 1])
        assert isinstance(w.figure.canvas, ipywidgets.DOMWidget), type(w.figure.canvas)
        assert w.layout.children[-1] is w.figure.canvas
        bundle = w._repr_mimebundle_()
        assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_log_slider_range_and_bad_range():
    s = log_slider("lr", 0.01, 1e-4, 1.0)
    assert (s.min, s.max, s.base) == (-4.0, 0.0, 10)
    s.value = 5.0  # beyond the top: clipped like a mouse drag
    assert s.value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="need 0 < low < high"):
        log_slider("lr", 0.1, 0.0, 1.0)
    with pytest.raises(ValueError, match="outside"):
        log_slider("lr", 2.0, 0.1, 1.0)


# --- PredictRevealCheck -------------------------------------------------------------------------


def _choice_check():
    return PredictRevealCheck(
        "Will lr = 0.6 converge on f(x) = x^2?", options=["yes", "no", "it oscillates forever"],
        answer="yes", explanation="The bound is 2/2 = 1 and 0.6 < 1.",
        hints={"no": "Compare lr with 2 / f''."},
    )


def test_check_explanation_hidden_until_answered():
    check = _choice_check()
    assert check.explanation_box.layout.display == "none"
    check.controls["check"].click()  # nothing picked yet
    assert "Pick one" in check.feedback.value
    assert check.explanation_box.layout.display == "none"
    assert check.correct is None


def test_check_wrong_then_right():
    check = _choice_check()
    check.controls["answer"].value = "no"
    check.controls["check"].click()
    assert check.correct is False
    assert "Not quite" in check.feedback.value and "Compare lr" in check.feedback.value
    assert check.explanation_box.layout.display is None
    check.controls["answer"].value = "yes"
    check.controls["check"].click()
    assert check.correct is True
    assert "Right" in check.feedback.value


@pytest.mark.parametrize(("typed", "correct", "phrase"), [
    ("1", True, "Right"),
    (" 1.0004 ", True, "Right"),
    ("0.5", False, "too small"),
    ("3", False, "too large"),
    ("one", None, "is not a number"),
    ("", None, "Type a number"),
    ("inf", None, "not a finite number"),
])
def test_numeric_check(typed, correct, phrase):
    check = PredictRevealCheck("Largest stable lr for x^2?", answer=1.0,
                               explanation="2 / f'' = 1.")
    check.controls["answer"].value = typed
    assert check.check() is correct
    assert phrase in check.feedback.value
    assert (check.explanation_box.layout.display is None) == (correct is not None)


def test_check_bad_arguments():
    with pytest.raises(ValueError, match="not one of the options"):
        PredictRevealCheck("q", options=["a", "b"], answer="c", explanation="e")
    with pytest.raises(ValueError, match="must be a number"):
        PredictRevealCheck("q", answer="c", explanation="e")
    with pytest.raises(ValueError, match="at least two"):
        PredictRevealCheck("q", options=["a"], answer="a", explanation="e")


def test_check_bundle_has_static_html_with_folded_answer():
    bundle = _choice_check()._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert "<details>" in bundle["text/html"] and "0.6 &lt; 1" not in bundle["text/html"]
    assert "The bound is 2/2 = 1" in bundle["text/html"]


def test_module_exports_exist():
    for name in widgets.__all__:
        assert hasattr(widgets, name), name
