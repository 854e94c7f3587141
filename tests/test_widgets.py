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
from gradlab.formatting import format_number
from gradlab.widgets import LiveFigure, PredictRevealCheck, batches, descent, log_slider
from gradlab.widgets.base import LogSlider

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


def test_the_live_view_is_a_frame_view_whatever_the_notebook_backend():
    # A subprocess: switching the backend must not leak into the other tests. Under ipympl
    # (the lessons' %matplotlib widget) a live figure still draws with Agg and shows its
    # frames through its FrameView; the bundle keeps the picture for readers without a kernel.
    script = textwrap.dedent("""
        import matplotlib
        matplotlib.use("module://ipympl.backend_nbagg")
        import matplotlib.pyplot as plt
        from gradlab.functions import rosenbrock
        from gradlab.widgets import DescentExplorer, LiveFigure
        from gradlab.widgets.frame_view import FrameView
        w = LiveFigure(figsize=(2, 2), title="t")
        w.figure.add_subplot().plot([0, 1])
        assert type(w.figure.canvas).__name__ == "FigureCanvasAgg", type(w.figure.canvas)
        assert isinstance(w.layout.children[-1], FrameView)
        bundle = w._repr_mimebundle_()
        assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
        d = DescentExplorer(rosenbrock(), steps=10)
        assert d.layout.children[-1] is d.view and plt.get_fignums() == []
        d.controls["lr"].value = d.controls["lr"].value * 2
        assert d.message
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_log_slider_range_and_bad_range():
    s = log_slider("lr", 0.01, 1e-4, 1.0)
    assert (s.low, s.high, s.value, s.label) == (1e-4, 1.0, 0.01, "0.01")
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


def test_check_takes_its_answer_from_a_reveal_mapping():
    reveal = {"answer": "yes", "explanation": "The bound is 2/2 = 1 and 0.6 < 1.",
              "hints": {"no": "Compare lr with 2 / f''."}}
    check = PredictRevealCheck("Will lr = 0.6 converge?", options=["yes", "no"], reveal=reveal)
    check.controls["answer"].value = "no"
    assert check.check() is False and "Compare lr" in check.feedback.value
    typed = PredictRevealCheck("2 + 2?", reveal={"answer": 4, "explanation": "e",
                                                  "tolerance": 0.5})
    typed.controls["answer"].value = "4.4"
    assert typed.correct is True
    with pytest.raises(ValueError, match="either in reveal or as arguments"):
        PredictRevealCheck("q", options=["a", "b"], answer="a", reveal={"answer": "a",
                                                                        "explanation": "e"})
    with pytest.raises(ValueError, match="unknown keys"):
        PredictRevealCheck("q", reveal={"answer": 1, "explanation": "e", "hint": "x"})
    with pytest.raises(ValueError, match="needs an answer and an explanation"):
        PredictRevealCheck("q", reveal={"answer": 1})


def test_check_bundle_has_static_html_with_folded_answer():
    bundle = _choice_check()._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert "<details>" in bundle["text/html"] and "0.6 &lt; 1" not in bundle["text/html"]
    assert "The bound is 2/2 = 1" in bundle["text/html"]
    # The answer is inside the folded part (and on the outer div for the tests), nowhere else.
    folded = bundle["text/html"].split("<details>")[1]
    assert "<b>yes</b>" in folded and 'data-answer="yes"' in bundle["text/html"]
    number = PredictRevealCheck("2 + 2?", answer=4, explanation="four")._repr_mimebundle_()
    assert 'data-answer="4"' in number["text/html"] and "<b>4</b>" in number["text/html"]


def test_module_exports_exist():
    for name in widgets.__all__:
        assert hasattr(widgets, name), name


# --- DescentExplorer -------------------------------------------------------------------------


class _Bowl:
    """f(x, y) = (x² + 10 y²) / 2, written out here so the tests do not depend on the catalogue."""

    name = "bowl"
    dim = 2
    variables = ("x", "y")
    window = ((-2.0, 2.0), (-2.0, 2.0))
    minima = np.zeros((1, 2))
    saddles = np.zeros((0, 2))
    minimum_value = 0.0
    curvatures = np.array([1.0, 10.0])

    def value(self, points):
        points = np.asarray(points, dtype=float)
        return 0.5 * np.sum(self.curvatures * points**2, axis=-1)

    def gradient(self, points):
        return self.curvatures * np.asarray(points, dtype=float)

    def hessian(self, points):
        shape = np.shape(points)[:-1]
        return np.broadcast_to(np.diag(self.curvatures), (*shape, 2, 2))

    def stability_bound(self, point):
        return 2.0 / self.curvatures.max()


class _TiltedBowl(_Bowl):
    name = "tilted"
    window = ((-1.0, 3.0), (-1.0, 3.0))
    curvatures = np.array([2.0, 2.0])
    minimum_value = 0.0


def _plain_gd(start, lr, steps, curvatures=_Bowl.curvatures):
    points = [np.asarray(start, dtype=float)]
    for _ in range(steps):
        points.append(points[-1] - lr * curvatures * points[-1])
    return np.array(points)


def _sgd_only():
    from gradlab.optimizers import SGD

    return {"SGD": SGD}


@pytest.fixture
def explorer(close_all):
    from gradlab.optimizers import SGD, Adam

    return widgets.DescentExplorer(_Bowl(), {"SGD": SGD, "Adam": Adam}, start=(-1.5, 1.0),
                                   steps=20, lr=0.05, lr_range=(1e-3, 2.0))


def _path(explorer):
    x, y = explorer.paths.lines[0].get_data()
    return np.column_stack([x, y])


def test_descent_path_is_plain_gradient_descent(explorer):
    explorer.controls["lr"].value = 0.15
    expected = _plain_gd((-1.5, 1.0), explorer.controls["lr"].value, 20)
    np.testing.assert_allclose(_path(explorer), expected, rtol=1e-12, atol=1e-14)
    loss = explorer.loss_line.get_ydata()
    np.testing.assert_allclose(loss, 0.5 * (expected[:, 0] ** 2 + 10 * expected[:, 1] ** 2))
    assert explorer.loss_ax.get_yscale() == "log"  # f* = 0 is known: the gap on a log axis
    assert explorer.loss_ax.get_ylabel() == "f(x_k) − f*"


def test_descent_slider_moves_artists_without_new_ones_or_contouring(explorer, monkeypatch):
    calls = []
    monkeypatch.setattr(descent, "contour_map",
                        lambda *a, **k: calls.append(a) or pytest.fail("re-contoured"))
    explorer.figure.canvas.draw()
    counts = (len(explorer.ax.get_children()), len(explorer.loss_ax.get_children()),
              len(explorer.figure.get_children()))
    for name, value in [("lr", 0.3), ("x0", 0.5), ("y0", -1.0), ("step", 4),
                        ("optimizer", "Adam"), ("beta1", 0.5), ("ghosts", False),
                        ("optimizer", "SGD"), ("momentum", 0.9)]:
        explorer.controls[name].value = value
        explorer.figure.canvas.draw()
        assert (len(explorer.ax.get_children()), len(explorer.loss_ax.get_children()),
                len(explorer.figure.get_children())) == counts, name
    assert calls == []


def test_step_slider_reveals_stored_path_without_rerunning(explorer):
    trajectory = explorer.trajectory
    explorer.controls["step"].value = 3
    assert explorer.trajectory is trajectory
    np.testing.assert_allclose(_path(explorer), _plain_gd((-1.5, 1.0), 0.05, 3))
    assert explorer.loss_marker.get_xdata()[0] == 3
    explorer.play.value = 7  # the Play control drives the same slider
    assert explorer.controls["step"].value == 7
    assert len(_path(explorer)) == 8
    explorer.controls["step_button"].click()
    assert explorer.controls["step"].value == 8


def test_divergence_is_explained_in_words(explorer):
    lr = 1.0  # y is multiplied by 1 - 10 lr = -9 each step
    explorer.controls["lr"].value = lr
    y, first_out = 1.0, None
    for k in range(1, 21):
        y *= 1 - 10 * lr
        if abs(y) > 1e6:
            first_out = k
            break
    assert first_out is not None
    assert explorer.message.startswith(f"diverged at step {first_out}: the step overshoots")
    assert "lr = 1 > 2/λmax = 0.2" in explorer.message
    # The figure breaks long messages into lines; the words are the same.
    assert any(explorer.message == " ".join(t.get_text().split()) for t in explorer.figure.texts)
    assert "&gt; 2/λmax = 0.2" in explorer.bound_label.value
    assert explorer.ax.get_title() == "SGD, η = 1  (2/λmax = 0.2)"  # the course's name for lr


def test_lr_above_bound_without_divergence_warns(explorer):
    explorer.controls["lr"].value = 0.201  # |1 - 10 lr| = 1.01: slow growth, stays in view
    assert "0.201 > 2/λmax = 0.2" in explorer.message
    assert "overshoot" in explorer.bound_label.value
    explorer.controls["lr"].value = 0.25  # |1 - 2.5| = 1.5: leaves the window within 20 steps
    expected = _plain_gd((-1.5, 1.0), 0.25, 20)
    left = int(np.argmax(np.abs(expected).max(axis=1) > 2.0))
    assert f"leaves the plotted window at step {left}" in explorer.message


def test_momentum_bound_and_sliders_follow_the_optimizer(explorer):
    c = explorer.controls
    assert c["momentum"].layout.display is None and c["beta1"].layout.display == "none"
    explorer.set(momentum=0.5, lr=0.05)
    assert "2(1+β)/λmax = 0.3" in explorer.bound_label.value
    c["optimizer"].value = "Adam"
    assert c["momentum"].layout.display == "none"
    assert c["beta1"].layout.display is None and c["beta2"].layout.display is None
    assert "Adam rescales its steps" in explorer.bound_label.value


def test_adam_path_matches_the_published_update(explorer):
    explorer.set(optimizer="Adam", lr=0.1, beta1=0.8, beta2=0.99)
    b1, b2, lr, eps = explorer.controls["beta1"].value, explorer.controls["beta2"].value, \
        explorer.controls["lr"].value, 1e-8
    x = np.array([-1.5, 1.0])
    m = v = np.zeros(2)
    expected = [x]
    for t in range(1, 21):  # Kingma & Ba (2015), Algorithm 1
        g = _Bowl.curvatures * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        expected.append(x)
    np.testing.assert_allclose(_path(explorer), np.array(expected), rtol=1e-10, atol=1e-12)


def test_ghost_keeps_previous_path_and_toggles(explorer):
    before = _path(explorer)
    explorer.controls["lr"].value = 0.12
    ghost = explorer.trails.ghosts[0]
    np.testing.assert_allclose(np.column_stack(ghost.get_data()), before)
    explorer.controls["ghosts"].value = False
    assert not any(g.get_visible() for g in explorer.trails.ghosts)


def test_click_on_the_map_moves_the_start(explorer):
    from matplotlib.backend_bases import MouseEvent

    explorer.figure.canvas.draw()
    x_pixel, y_pixel = explorer.ax.transData.transform((0.5, -0.75))
    MouseEvent("button_press_event", explorer.figure.canvas, x_pixel, y_pixel, button=1)._process()
    assert explorer.controls["x0"].value == pytest.approx(0.5, abs=0.02)
    assert explorer.controls["y0"].value == pytest.approx(-0.75, abs=0.02)
    start = (explorer.controls["x0"].value, explorer.controls["y0"].value)
    np.testing.assert_allclose(_path(explorer), _plain_gd(start, 0.05, 20))
    # A click on the loss panel does nothing.
    x_pixel, y_pixel = explorer.loss_ax.transAxes.transform((0.5, 0.5))
    MouseEvent("button_press_event", explorer.figure.canvas, x_pixel, y_pixel, button=1)._process()
    assert explorer.controls["x0"].value == pytest.approx(start[0])


def test_reset_restores_defaults_and_clears_ghosts(explorer):
    explorer.set(lr=0.5, x0=1.0, optimizer="Adam", step=3)
    explorer.controls["reset"].click()
    assert explorer.controls["lr"].value == pytest.approx(0.05)
    assert explorer.controls["x0"].value == pytest.approx(-1.5)
    assert explorer.controls["optimizer"].value == "SGD"
    assert explorer.controls["step"].value == 20
    np.testing.assert_allclose(_path(explorer), _plain_gd((-1.5, 1.0), 0.05, 20))


@pytest.mark.parametrize("lr", [1e-3, 2.0])
def test_lr_extremes_give_a_clear_message(explorer, lr):
    explorer.controls["lr"].value = lr
    if lr == 2.0:
        assert explorer.message.startswith("diverged at step")
    else:
        assert explorer.message.startswith("after 20 steps f =")


def test_start_outside_window_is_clipped_with_a_note(explorer):
    explorer.set(x0=100.0)
    assert explorer.controls["x0"].value == 2.0
    assert explorer.message.startswith("x0 = 100 is outside [-2, 2]; using 2.")


def test_surface_picker_recontours_once(close_all, monkeypatch):
    from gradlab.optimizers import SGD

    calls = []
    original = descent.contour_map
    monkeypatch.setattr(descent, "contour_map",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    bowl, tilted = _Bowl(), _TiltedBowl()
    w = widgets.DescentExplorer(bowl, {"SGD": SGD}, surfaces={"bowl": bowl, "tilted": tilted},
                                lr=0.1, steps=10)
    assert len(calls) == 1
    w.controls["surface"].value = "tilted"
    assert len(calls) == 2
    assert (w.controls["x0"].min, w.controls["x0"].max) == (-1.0, 3.0)
    assert w.ax.get_xlim() == (-1.0, 3.0)
    start = (-1.0 + 0.15 * 4, 3.0 - 0.15 * 4)  # the documented fallback start
    assert (w.controls["x0"].value, w.controls["y0"].value) == pytest.approx(start)
    np.testing.assert_allclose(_path(w), _plain_gd(start, 0.1, 10, _TiltedBowl.curvatures))
    assert "2/λmax = 1" in w.bound_label.value
    w.controls["lr"].value = 0.2
    assert len(calls) == 2


def test_descent_bad_arguments(close_all):
    from gradlab.optimizers import SGD

    with pytest.raises(ValueError, match=r"lies outside the window: x must be in \[-2, 2\]"):
        widgets.DescentExplorer(_Bowl(), {"SGD": SGD}, start=(5.0, 0.0))
    with pytest.raises(ValueError, match="'Adam' is not one of"):
        widgets.DescentExplorer(_Bowl(), {"SGD": SGD}, optimizer="Adam")
    with pytest.raises(ValueError, match="steps must be an integer"):
        widgets.DescentExplorer(_Bowl(), {"SGD": SGD}, steps=0)
    with pytest.raises(ValueError, match="unknown slider"):
        widgets.DescentExplorer(_Bowl(), {"SGD": SGD}, hyperparameters={"gamma": 0.1})


def test_descent_default_lr_is_half_the_bound(close_all):
    w = widgets.DescentExplorer(_Bowl(), _sgd_only(), steps=5)
    assert w.controls["lr"].value == pytest.approx(0.1)
    assert w.stability_bound == pytest.approx(0.2)


def test_descent_bundle_shows_default_state(explorer):
    bundle = explorer._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and "image/png" in bundle
    assert bundle["text/plain"] == "DescentExplorer: bowl"


# --- OptimizerStateExplorer -------------------------------------------------------------------


def test_state_table_matches_adam_equations(close_all):
    from gradlab.optimizers import Adagrad, Adam

    w = widgets.OptimizerStateExplorer(_Bowl(), {"Adam": Adam, "Adagrad": Adagrad},
                                       start=(-1.5, 1.0), steps=12, lr=0.1)
    w.set(step=4)
    b1, b2, lr, eps = 0.9, 0.999, w.controls["lr"].value, 1e-8
    x, m, v = np.array([-1.5, 1.0]), np.zeros(2), np.zeros(2)
    for t in range(1, 6):  # updates 1..5; the panel shows update 4 -> 5
        g = _Bowl.curvatures * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        step = -lr * m_hat / (np.sqrt(v_hat) + eps)
        x_before, x = x, x + step
    rows = w.state_at(4)
    np.testing.assert_allclose(rows["g = ∇f"], _Bowl.curvatures * x_before)
    np.testing.assert_allclose(rows["m (exp_avg)"], m)
    np.testing.assert_allclose(rows["v (exp_avg_sq)"], v)
    np.testing.assert_allclose(rows["m̂"], m_hat)
    np.testing.assert_allclose(rows["v̂"], v_hat)
    np.testing.assert_allclose(rows["Δθ"], step)
    np.testing.assert_allclose(rows["−Δθ / g"], -step / (_Bowl.curvatures * x_before))
    assert "step 4 → 5 (t = 5)" in w.state_ax.get_title()
    assert "m̂" in w.table_text()
    w.controls["optimizer"].value = "Adagrad"
    text = w.table_text()
    assert "G (sum of g²)" in text and "m̂" not in text


def _state_explorer():
    from gradlab.optimizers import SGD, Adagrad, Adam, RMSprop

    return widgets.OptimizerStateExplorer(
        _Bowl(), {"Adam": Adam, "RMSprop": RMSprop, "Adagrad": Adagrad, "SGD": SGD},
        start=(-1.5, 1.0), steps=12, lr=0.1)


def test_state_explorer_shows_betas_and_bias_switch_for_adam_only(close_all):
    w = _state_explorer()
    c = w.controls
    assert {"beta1", "beta2", "bias_correction"} <= set(c)
    assert isinstance(c["bias_correction"], ipywidgets.Checkbox)
    assert c["bias_correction"].value is True
    shown = {"beta1", "beta2", "bias_correction"}
    assert all(c[name].layout.display is None for name in shown)
    layout = w.layout
    assert any(c["bias_correction"] in row.children for row in layout.children[:-2]
               if isinstance(row, ipywidgets.HBox))
    for name in ("SGD", "Adagrad", "RMSprop"):
        w.set(optimizer=name)
        assert all(c[n].layout.display == "none" for n in shown), name
    assert c["alpha"].layout.display is None  # RMSprop keeps its own control
    w.set(optimizer="Adam")
    assert all(c[name].layout.display is None for name in shown)


def test_bias_switch_changes_path_table_title_and_message_together(close_all):
    w = _state_explorer()
    lr = w.controls["lr"].value
    w.set(step=0)
    on_path = w.trajectory.points[:, 0].copy()
    rows = w.state_at(0)
    np.testing.assert_allclose(np.abs(rows["Δθ"]), lr, rtol=1e-6)  # corrected: a step of lr
    assert "bias correction on" in w.message and "without" not in w.state_ax.get_title()

    w.set(bias_correction=False)
    off_path = w.trajectory.points[:, 0]
    assert not np.allclose(off_path[1:], on_path[1:])
    b1, b2 = w.controls["beta1"].value, w.controls["beta2"].value
    first = lr * (1 - b1) / np.sqrt(1 - b2)  # closed form: g/|g| times this
    np.testing.assert_allclose(np.abs(off_path[1] - off_path[0]), first, rtol=1e-6)
    rows = w.state_at(0)
    assert "m̂" not in rows and "v̂" not in rows
    np.testing.assert_allclose(rows["m̂ = m (off)"], rows["m (exp_avg)"])
    np.testing.assert_allclose(rows["v̂ = v (off)"], rows["v (exp_avg_sq)"])
    np.testing.assert_allclose(rows["Δθ"], off_path[1] - off_path[0])
    text = w.table_text()
    assert "m̂ = m (off)" in text and "v̂ = v (off)" in text
    assert "Adam without bias correction: step 0 → 1" in w.state_ax.get_title()
    assert w.ax.get_title().endswith(", no bias correction")
    assert "bias correction off" in w.message
    assert f"up to {format_number(first / lr)} η" in w.message

    # the table at a later step is the run's own state, uncorrected
    w.set(step=5)
    x, m, v = np.array([-1.5, 1.0]), np.zeros(2), np.zeros(2)
    for _t in range(1, 7):
        g = _Bowl.curvatures * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        x_before, x = x, x - lr * m / (np.sqrt(v) + 1e-8)
    rows = w.state_at(5)
    np.testing.assert_allclose(rows["m̂ = m (off)"], m)
    np.testing.assert_allclose(rows["Δθ"], x - x_before)

    w.set(bias_correction=True, step=0)
    np.testing.assert_allclose(w.trajectory.points[:, 0], on_path)
    assert "m̂" in w.state_at(0) and "bias correction on" in w.message
    w.set(optimizer="SGD")  # no switch: no note, whatever its value
    assert "bias correction" not in w.message


# --- OneDimExplorer ---------------------------------------------------------------------------


class _Cup:
    """f(x) = 2 x², f'' = 4, so 2/f'' = 0.5."""

    name = "cup"
    dim = 1
    variables = ("x",)
    window = ((-3.0, 3.0),)
    minima = np.zeros((1, 1))
    minimum_value = 0.0

    def value(self, points):
        return 2.0 * np.asarray(points, dtype=float)[..., 0] ** 2

    def gradient(self, points):
        return 4.0 * np.asarray(points, dtype=float)

    def hessian(self, points):
        return np.full((*np.shape(points)[:-1], 1, 1), 4.0)

    def stability_bound(self, point):
        return 0.5


def test_one_dim_steps_follow_gradient_descent_and_tangent(close_all):
    w = widgets.OneDimExplorer(_Cup(), start=2.0, steps=8)
    assert w.controls["lr"].value == pytest.approx(0.1)  # a fifth of 2/f''
    w.controls["lr"].value = 0.2
    lr = w.controls["lr"].value
    xs = 2.0 * (1 - 4 * lr) ** np.arange(9)
    np.testing.assert_allclose(w.path.get_xdata(), xs)
    np.testing.assert_allclose(w.path.get_ydata(), 2 * xs**2)
    np.testing.assert_allclose(w.arrows.U, np.diff(xs))
    assert w.ax.get_title() == "gradient descent, η = 0.2"  # the course's name for lr
    w.controls["step"].value = 2
    x2 = xs[2]
    tangent_x, tangent_y = w.tangent.tangent.get_data()
    np.testing.assert_allclose(tangent_y, 2 * x2**2 + 4 * x2 * (np.asarray(tangent_x) - x2))
    np.testing.assert_allclose(w.arrows.U[2:], 0.0)  # steps not revealed yet


def test_one_dim_divergence_and_extremes(close_all):
    w = widgets.OneDimExplorer(_Cup(), start=2.0, steps=8, lr_range=(1e-3, 10.0))
    w.controls["lr"].value = 0.6  # |1 - 2.4| = 1.4: grows, leaves [-3, 3] at step 2
    assert w.message.startswith("diverging (lr = 0.6 > 2/f″(x₀) = 0.5): f keeps growing")
    assert w.message.endswith("x leaves the plotted window at step 2")
    assert "0.6 &gt; 2/f″(x₀) = 0.5" in w.bound_label.value
    w.controls["lr"].value = 10.0  # factor -39: |x| > 1e6 after 4 steps
    assert w.message.startswith("diverged at step 4: the step overshoots because lr = 10 > ")
    w.set(lr=1e-6)
    assert w.message.startswith("lr = 1e-06 is outside [0.001, 10]; using 0.001.")
    with pytest.raises(ValueError, match="one-variable objective"):
        widgets.OneDimExplorer(_Bowl())


# --- BatchSizeExplorer ------------------------------------------------------------------------


@pytest.fixture
def line_data():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 40)
    return x[:, None], 2.0 * x - 1.0 + 0.3 * rng.standard_normal(40)


def _mse_gradient(params, x, y):
    residual = params[0] * x + params[1] - y
    return np.array([2 * np.mean(residual * x), 2 * np.mean(residual)])


def test_batch_explorer_full_path_is_gradient_descent_on_mse(close_all, line_data):
    X, y = line_data
    w = widgets.BatchSizeExplorer(X, y, seed=0, batch_size=5, steps=15, start=(-1.0, 1.0))
    w.set(step=15)
    lr = w.controls["lr"].value
    expected = [np.array([-1.0, 1.0])]
    for _ in range(15):
        expected.append(expected[-1] - lr * _mse_gradient(expected[-1], X[:, 0], y))
    full_line = w.paths.lines[0]
    np.testing.assert_allclose(np.column_stack(full_line.get_data()), expected, rtol=1e-10)
    # The bound of the quadratic loss: 2 / largest eigenvalue of (2/N) AᵀA.
    design = np.column_stack([X[:, 0], np.ones(len(y))])
    assert w.stability_bound == pytest.approx(
        2 / np.linalg.eigvalsh(2 / len(y) * design.T @ design).max())


def test_batch_explorer_minibatch_path_follows_the_seeded_sampler(close_all, line_data):
    from gradlab.batches import MiniBatchSampler

    X, y = line_data
    w = widgets.BatchSizeExplorer(X, y, seed=7, batch_size=4, steps=10, start=(-1.0, 1.0))
    w.set(step=10)
    lr = w.controls["lr"].value
    sampler = MiniBatchSampler(len(y), 4, rng=np.random.default_rng(7))
    point, expected = np.array([-1.0, 1.0]), [np.array([-1.0, 1.0])]
    for _ in range(10):
        batch = sampler.next_batch()
        point = point - lr * _mse_gradient(point, X[batch, 0], y[batch])
        expected.append(point)
    np.testing.assert_allclose(np.column_stack(w.paths.lines[1].get_data()), expected,
                               rtol=1e-10)
    first = np.column_stack(w.paths.lines[1].get_data())
    w.controls["seed"].value = 8
    assert not np.allclose(np.column_stack(w.paths.lines[1].get_data()), first)
    w.controls["seed"].value = 7
    np.testing.assert_allclose(np.column_stack(w.paths.lines[1].get_data()), first)


def test_batch_cloud_shrinks_to_the_full_gradient(close_all, line_data, monkeypatch):
    X, y = line_data
    w = widgets.BatchSizeExplorer(X, y, seed=0, batch_size=1, start=(-1.0, 1.0))
    monkeypatch.setattr(batches, "contour_map", lambda *a, **k: pytest.fail("re-contoured"))
    full = _mse_gradient(np.array([-1.0, 1.0]), X[:, 0], y)
    singles = w.cloud_gradients
    # Each batch-of-one gradient is one sample's gradient.
    per_sample = np.column_stack([2 * (-X[:, 0] + 1 - y) * X[:, 0], 2 * (-X[:, 0] + 1 - y)])
    assert all(np.any(np.all(np.isclose(per_sample, g), axis=1)) for g in singles)
    w.controls["batch"].value = len(y)
    np.testing.assert_allclose(w.cloud_gradients, np.broadcast_to(full, w.cloud_gradients.shape))
    assert "no noise" in w.message
    spreads = []
    options = w.controls["batch"].options
    for size in (options[0], options[2], options[-2]):
        w.controls["batch"].value = size
        spreads.append(np.std(w.cloud_gradients - full, axis=0).sum())
    assert spreads[0] > spreads[1] > spreads[2]


def test_batch_extremes_and_bad_input(close_all, line_data):
    X, y = line_data
    w = widgets.BatchSizeExplorer(X, y, seed=0, batch_size=4, lr=0.1, lr_range=(1e-3, 50.0))
    assert (w.controls["lr"].low, w.controls["lr"].high) == (1e-3, 50.0)
    w.set(batch=0)
    assert w.controls["batch"].value == 1
    assert w.message.startswith("batch = 0 is not possible (allowed 1 to 40); using 1.")
    w.set(batch=500)
    assert w.controls["batch"].value == 40
    assert "using 40." in w.message
    top = w.controls["lr"].high
    w.set(lr=top)  # at step 0 the paths have not diverged yet: the message says it is coming
    at = min(a for a in w.diverged_at if a >= 0)
    assert at > 0 and f"diverges at step {at}" in w.message and "2/λmax" in w.message
    assert "diverged" not in w.message
    w.set(step=at)
    assert f"diverged at step {at}" in w.message and "2/λmax" in w.message
    with pytest.raises(ValueError, match="batch_size must be an integer from 1 to the 40"):
        widgets.BatchSizeExplorer(X, y, seed=0, batch_size=41)
    with pytest.raises(ValueError, match="batch_size must be an integer from 1 to the 40"):
        widgets.BatchSizeExplorer(X, y, seed=0, batch_size=0)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 1\)"):
        widgets.BatchSizeExplorer(np.ones((40, 2)), y, seed=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        widgets.BatchSizeExplorer(X, y, seed=None)


# --- ExpressionBox ----------------------------------------------------------------------------


def test_expression_box_gradient_and_finite_differences(close_all):
    w = widgets.ExpressionBox("x^2*y + sin(y)", point=(1.0, 2.0))
    # Hand derivatives: (2xy, x² + cos y).
    np.testing.assert_allclose(w.symbolic, [4.0, 1.0 + np.cos(2.0)])
    np.testing.assert_allclose(w.numeric, [4.0, 1.0 + np.cos(2.0)], atol=1e-8)
    assert r"\frac{\partial f}{\partial x} &= 2 x y" in w.latex.value
    assert "central difference" in w.comparison.value
    assert w.message.startswith("largest |symbolic − central difference| = ")
    w.set(point="0.5, -1")
    np.testing.assert_allclose(w.symbolic, [-1.0, 0.25 + np.cos(-1.0)])


def test_expression_box_keeps_working_after_bad_text(close_all):
    w = widgets.ExpressionBox("x^2 + 3*y^2", point=(1.0, 1.0))
    w.controls["text"].value = "x^^2 +"
    assert "not a well-formed formula" in w.message and "Allowed" in w.message
    assert str(w.objective.expr) == "x**2 + 3*y**2"  # the previous function stays
    w.controls["text"].value = "exp(x) * y"
    np.testing.assert_allclose(w.symbolic, [np.e, np.e])
    w.controls["point"].value = "a, b"
    assert w.message.startswith("point 'a, b': type 2 number(s)")
    w.controls["point"].value = "1, 2, 3"
    assert "has 2 variable(s)" in w.message


def test_expression_box_undefined_point_and_other_dimensions(close_all):
    w = widgets.ExpressionBox("log(x)", point=(1.0,))
    np.testing.assert_allclose(w.symbolic, [1.0])
    w.set(point="-1")
    assert "not defined at (-1)" in w.message
    w.set(text="x*y*z")
    assert w.controls["point"].value == "0, 0, 0"  # old point had the wrong length
    w.set(point="1, 2, 3")
    np.testing.assert_allclose(w.symbolic, [6.0, 3.0, 2.0])


def test_central_differences_second_order():
    def cube(p):
        return p[..., 0] ** 3

    errors = [abs(widgets.central_differences(cube, np.array([1.0]), h)[0] - 3.0)
              for h in (1e-2, 1e-3)]
    assert errors[0] == pytest.approx(1e-4, rel=1e-3)  # the error is exactly h² for x³
    assert errors[1] < errors[0] / 50


# --- every control at its extremes, and coalescing ----------------------------------------------


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "RMSprop", "Adagrad", "AdamW", "NAdam",
                                       "Adamax", "Adadelta"])
def test_every_slider_extreme_gives_a_picture_and_a_message(close_all, optimizer):
    w = widgets.DescentExplorer(_Bowl(), optimizer=optimizer, steps=15, lr=0.05)
    sliders = [name for name, c in w.controls.items()
               if (hasattr(c, "min") or isinstance(c, LogSlider))
               and c.layout.display != "none" and name != "step"]
    assert "lr" in sliders and "x0" in sliders
    for name in sliders:
        control = w.controls[name]
        ends = ((control.low, control.high) if isinstance(control, LogSlider)
                else (control.min, control.max))
        for value in ends:
            w.set(**{name: value})
            assert w.message, (name, value)
            w.figure.canvas.draw()  # no exception, and RuntimeWarnings are errors here
        w.controls["reset"].click()


def test_a_burst_of_changes_runs_the_optimizer_once(explorer, monkeypatch):
    calls = []
    original = descent.run
    monkeypatch.setattr(descent, "run", lambda *a, **k: calls.append(1) or original(*a, **k))
    with explorer.hold():
        for lr in np.geomspace(0.01, 0.1, 25):
            explorer.controls["lr"].value = lr
        explorer.controls["x0"].value = 0.5
    assert len(calls) == 1
    np.testing.assert_allclose(_path(explorer),
                               _plain_gd((0.5, 1.0), explorer.controls["lr"].value, 20))
    explorer.controls["step"].value = 5
    assert len(calls) == 1  # revealing steps never re-runs


class _Saddle(_Bowl):
    """f = (x² − y²) / 2: unbounded below along y; Hessian eigenvalues 1 and −1."""

    name = "saddle"
    curvatures = np.array([1.0, -1.0])
    minimum_value = float("nan")

    def stability_bound(self, point):
        return 2.0


def test_running_off_downhill_is_not_blamed_on_the_learning_rate(close_all):
    from gradlab.optimizers import SGD

    w = widgets.DescentExplorer(_Saddle(), {"SGD": SGD}, start=(1.0, 0.5), steps=60, lr=0.5)
    y, k = 0.5, 0
    while abs(y) <= 1e6:  # y grows by 1 + lr = 1.5 per step
        y, k = 1.5 * y, k + 1
    assert w.message.startswith(f"diverged at step {k}: f kept decreasing along the path")
    assert w.loss_ax.get_ylabel() == "f(x_k)"  # f* unknown: plain values, linear axis


def _click(widget, ax, x, y):
    from matplotlib.backend_bases import MouseEvent

    widget.figure.canvas.draw()
    x_pixel, y_pixel = ax.transData.transform((x, y))
    MouseEvent("button_press_event", widget.figure.canvas, x_pixel, y_pixel, button=1)._process()


def test_clicks_set_the_point_in_the_other_widgets(close_all, line_data):
    box = widgets.ExpressionBox("x^2 + 3*y^2", point=(1.0, 1.0))
    _click(box, box.ax, 0.5, -1.0)
    x, y = (float(v) for v in box.controls["point"].value.split(","))
    assert (x, y) == pytest.approx((0.5, -1.0), abs=0.05)
    np.testing.assert_allclose(box.symbolic, [2 * x, 6 * y])
    one = widgets.OneDimExplorer(_Cup(), start=2.0, steps=5)
    _click(one, one.ax, -1.0, 0.0)
    assert one.controls["x0"].value == pytest.approx(-1.0, abs=0.05)
    X, y_data = line_data
    batch = widgets.BatchSizeExplorer(X, y_data, seed=0, start=(0.0, 0.0))
    _click(batch, batch.ax, 1.0, -0.5)
    assert (batch.controls["w0"].value, batch.controls["b0"].value) == pytest.approx(
        (1.0, -0.5), abs=0.05)
