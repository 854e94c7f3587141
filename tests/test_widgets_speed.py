"""A slider move of the explorers in gradlab.widgets redraws only what it moves and looks its
run up instead of descending, and the run it looks up is exactly the run of the settings shown.

A live figure draws its frame from a cached picture of its static layers plus the artists
marked animated (:meth:`gradlab.widgets.base.LiveFigure._draw_frame`); ``full_frames`` counts
the frames that had to redraw everything. The explorers are built as their lessons build them
(``tests/test_widgets_size.py``). The runs are checked against :func:`gradlab.runner.run`
called directly with the optimizer of each setting.
"""

import functools

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen; notebooks use ipympl

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradlab.batches import MiniBatchSampler, stochastic_gradient
from gradlab.functions import parabola, quadratic_bowl
from gradlab.optimizers import SGD, Adam
from gradlab.runner import run
from gradlab.widgets import (
    BatchSizeExplorer,
    DescentExplorer,
    ExpressionBox,
    OneDimExplorer,
    OptimizerStateExplorer,
    batches,
    descent,
    onedim,
)
from gradlab.widgets.sweeps import slider_positions
from tests.test_widgets_size import LESSONS

KINDS = (DescentExplorer, OneDimExplorer, BatchSizeExplorer, ExpressionBox)


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


def _sliders(widget):
    """Names of the sliders a learner can move (shown, enabled, with positions)."""
    return [name for name, control in widget.controls.items()
            if slider_positions(control) is not None and control.layout.display != "none"
            and not control.disabled]


def _path(widget, name, moves=4):
    """Positions of slider ``name``: ``moves`` steps away from its value, back, and home."""
    control = widget.controls[name]
    positions = slider_positions(control)
    start = int(np.argmin(np.abs(positions - control.value)))
    step = 1 if start + moves < len(positions) else -1
    path = [start + step * k for k in range(1, moves + 1)]
    kind = int if isinstance(control.value, int) else float
    return [kind(positions[i]) for i in path + path[-2::-1] + [start]]


def _walk(widget, name, moves=4):
    """Move slider ``name`` along :func:`_path`; yield after each move."""
    for value in _path(widget, name, moves):
        widget.controls[name].value = value
        yield value


@pytest.mark.parametrize("lesson", ["00", "01", "02", "03", "04", "05", "06", "07"])
def test_a_slider_move_redraws_only_the_moving_artists(lesson):
    """Every move of every slider reuses the static layers, except a move that changes the
    limits of a loss axis (then, and only then, the whole frame is redrawn)."""
    widgets = [w for w in LESSONS[lesson]() if isinstance(w, KINDS)]
    assert widgets
    for widget in widgets:
        loss_ax = getattr(widget, "loss_ax", None)
        for name in _sliders(widget):
            widget.frame_rgba()
            for value in _path(widget, name):
                before = widget.full_frames
                limits = None if loss_ax is None else loss_ax.get_ylim()
                widget.controls[name].value = value
                widget.frame_rgba()
                rescaled = loss_ax is not None and loss_ax.get_ylim() != limits
                assert widget.full_frames - before == int(rescaled), (
                    f"{type(widget).__name__}: {name} = {value} redrew the static layers")


def test_only_a_new_loss_range_redraws_the_whole_descent_figure():
    explorer = DescentExplorer(quadratic_bowl(condition_number=10.0), {"SGD": SGD}, steps=40,
                               lr=0.02, lr_range=(0.002, 0.5), start=(-2.4, 1.6))
    explorer.frame_rgba()
    positions = slider_positions(explorer.controls["lr"])
    full, rescaled = 0, 0
    for value in positions[::7]:
        limits = explorer.loss_ax.get_ylim()
        before = explorer.full_frames
        explorer.set(lr=float(value))
        explorer.frame_rgba()
        changed = explorer.loss_ax.get_ylim() != limits
        assert explorer.full_frames - before == int(changed), value
        full += explorer.full_frames - before
        rescaled += changed
        # Whatever the history, the axis holds the curve with a factor 2 to spare.
        loss = explorer.loss_line.get_ydata()
        loss = loss[np.isfinite(loss)]
        low, high = explorer.loss_ax.get_ylim()
        assert low <= loss.min() / 2 and high >= 2 * loss.max(), value
    assert 0 < rescaled < len(positions[::7]) / 2  # the limits do move, but seldom


def _sgd_run(objective, start, steps, **hyperparameters):
    return run(SGD(**hyperparameters), objective.gradient, np.array([start], dtype=float),
               steps, value=objective.value)


def test_a_descent_slider_move_is_a_lookup_of_exactly_that_run(monkeypatch):
    bowl = quadratic_bowl(condition_number=10.0)
    explorer = DescentExplorer(bowl, {"SGD": SGD}, start=(-2.4, 1.6), steps=40, lr=0.02,
                               lr_range=(0.002, 0.5), hyperparameters={"momentum": 0.5})
    calls = []
    original = descent.run
    monkeypatch.setattr(descent, "run", lambda *a, **k: calls.append(1) or original(*a, **k))
    for name in ("lr", "x0", "y0", "momentum"):
        calls.clear()
        for _value in _walk(explorer, name):
            c = explorer.controls
            expected = _sgd_run(bowl, (c["x0"].value, c["y0"].value), 40, lr=c["lr"].value,
                                momentum=c["momentum"].value)
            np.testing.assert_array_equal(explorer.trajectory.points, expected.points)
            np.testing.assert_array_equal(explorer.trajectory.values, expected.values)
        # lr was swept when the explorer was built; each other slider once, at its first move.
        assert len(calls) == (0 if name == "lr" else 1), name
    explorer.set(step=7)
    assert len(calls) == 1  # the step slider never runs


def test_a_value_off_the_slider_grid_runs_exactly_that_value():
    bowl = quadratic_bowl(condition_number=10.0)
    explorer = DescentExplorer(bowl, {"SGD": SGD}, start=(-2.4, 1.6), steps=40, lr=0.02,
                               lr_range=(0.002, 0.5))
    x0 = 0.51234567  # between two positions of the slider
    assert np.min(np.abs(slider_positions(explorer.controls["x0"]) - x0)) > 1e-4
    explorer.set(x0=x0)
    assert explorer.trajectory.points[0, 0, 0] == x0
    np.testing.assert_array_equal(explorer.trajectory.points,
                                  _sgd_run(bowl, (x0, 1.6), 40, lr=0.02).points)
    explorer.set(x0=float(slider_positions(explorer.controls["x0"])[10]))  # back on the grid
    np.testing.assert_array_equal(
        explorer.trajectory.points,
        _sgd_run(bowl, (explorer.controls["x0"].value, 1.6), 40, lr=0.02).points)


def test_an_optimizer_that_refuses_some_positions_runs_each_setting_alone():
    bowl = quadratic_bowl(condition_number=10.0)
    explorer = DescentExplorer(bowl, {"Nesterov": functools.partial(SGD, nesterov=True)},
                               start=(-2.4, 1.6), steps=30, lr=0.02, lr_range=(0.002, 0.5),
                               hyperparameters={"momentum": 0.9})
    explorer.set(momentum=0.8)  # the sweep would hold momentum 0, which Nesterov refuses
    expected = run(SGD(lr=0.02, momentum=0.8, nesterov=True), bowl.gradient,
                   np.array([[-2.4, 1.6]]), 30, value=bowl.value)
    np.testing.assert_array_equal(explorer.trajectory.points, expected.points)
    explorer.set(momentum=0.0)
    assert "nesterov=True requires momentum > 0" in explorer.message


class _OwnSGD:
    """A learner's optimizer: plain gradient descent, scalar lr only."""

    def __init__(self, lr):
        if np.ndim(lr) != 0:
            raise TypeError("lr must be a number")
        self.lr = lr

    def init(self, params):
        return None

    def update(self, grad, state, params, lr=None):
        return params - self.lr * grad, state


def test_an_optimizer_of_ones_own_still_runs_on_every_move():
    bowl = quadratic_bowl(condition_number=10.0)
    explorer = DescentExplorer(bowl, {"mine": _OwnSGD}, start=(-2.4, 1.6), steps=30,
                               lr=0.02, lr_range=(0.002, 0.5))
    for _value in _walk(explorer, "lr"):
        expected = _sgd_run(bowl, (-2.4, 1.6), 30, lr=explorer.controls["lr"].value)
        np.testing.assert_allclose(explorer.trajectory.points, expected.points, rtol=1e-12)


def test_the_state_table_keeps_no_buffer_for_momentum_zero():
    explorer = OptimizerStateExplorer(quadratic_bowl(condition_number=100.0), {"SGD": SGD},
                                      start=(-2.5, 2.0), steps=40, lr=0.002)
    explorer.set(step=3)
    assert "b (buffer)" not in explorer.table_text()  # momentum 0: PyTorch keeps no buffer
    explorer.set(momentum=0.5)
    assert "b (buffer)" in explorer.table_text()
    explorer.set(momentum=0.0)
    assert "b (buffer)" not in explorer.table_text()


def test_a_one_dim_slider_move_is_a_lookup_of_exactly_that_run(monkeypatch):
    curve = parabola()
    explorer = OneDimExplorer(curve, start=2.5, steps=20, lr=0.05, lr_range=(0.005, 3.0))
    calls = []
    original = onedim.run
    monkeypatch.setattr(onedim, "run", lambda *a, **k: calls.append(1) or original(*a, **k))
    for name in ("lr", "x0"):
        calls.clear()
        for _value in _walk(explorer, name):
            expected = run(SGD(lr=explorer.controls["lr"].value), curve.gradient,
                           np.array([[explorer.controls["x0"].value]]), 20, value=curve.value)
            np.testing.assert_array_equal(explorer.trajectory.points, expected.points)
        assert len(calls) == (0 if name == "lr" else 1), name


def test_a_batch_slider_move_is_a_lookup_of_exactly_those_paths(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 60)
    X, y = x[:, None], 2.0 * x - 1.0 + 0.3 * rng.standard_normal(60)
    explorer = BatchSizeExplorer(X, y, seed=2, batch_size=6, lr=0.1, steps=20,
                                 start=(-1.0, 1.0))
    calls = []
    original = batches.run
    monkeypatch.setattr(batches, "run", lambda *a, **k: calls.append(1) or original(*a, **k))
    model = explorer.model
    for name in ("lr", "w0", "b0", "batch"):
        calls.clear()
        for _value in _walk(explorer, name, moves=3):
            c = explorer.controls
            start = np.array([[c["w0"].value, c["b0"].value]])
            sampler = MiniBatchSampler(60, int(c["batch"].value),
                                       rng=np.random.default_rng(2))
            noisy = run(SGD(lr=c["lr"].value), stochastic_gradient(model, X, y, sampler),
                        start, 20)
            full = run(SGD(lr=c["lr"].value), lambda p: model.gradient(p, X, y), start, 20)
            np.testing.assert_array_equal(explorer.runs[:, 1], noisy.points[:, 0])
            np.testing.assert_array_equal(explorer.runs[:, 0], full.points[:, 0])
        # A sweep of lr or the start is two runs (full and mini-batch paths); of the batch
        # size, one full-batch run and a mini-batch run per size.
        sizes = len(c["batch"].options)
        assert len(calls) == {"lr": 0, "batch": 1 + sizes}.get(name, 2), name
    # The cloud: the batches' gradients, read off the model at the point shown.
    explorer.set(step=5)
    point = explorer.runs[5, 1]
    grads = explorer.cloud_gradients
    rng = np.random.default_rng([2, 1])
    for grad in grads:
        batch = rng.choice(60, int(explorer.controls["batch"].value), replace=False)
        np.testing.assert_allclose(grad, model.gradient(point, X[batch], y[batch]),
                                   rtol=1e-9, atol=1e-12)


def _lesson_widgets():
    return [w for lesson in ("00", "02", "05", "07") for w in LESSONS[lesson]()
            if isinstance(w, DescentExplorer | OneDimExplorer | BatchSizeExplorer)]


def test_each_message_describes_the_step_shown():
    for widget in _lesson_widgets():
        steps = widget.steps
        for step in (0, 1, steps // 2):
            widget.set(step=step)
            text = widget.message
            if isinstance(widget, BatchSizeExplorer):
                assert f"at step {step} " in text or "no noise" in text, text
            else:
                assert text.startswith(f"step {step} of {steps}: "), text
            assert f"after {steps} steps" not in text, text
        widget.set(step=steps)
        if not isinstance(widget, BatchSizeExplorer):
            assert not widget.message.startswith("step "), widget.message


def test_a_divergence_is_told_from_the_step_it_happens_on():
    bowl = quadratic_bowl(condition_number=10.0)
    explorer = DescentExplorer(bowl, {"SGD": SGD}, start=(-2.4, 1.6), steps=40, lr=0.3,
                               lr_range=(0.002, 0.5))
    at = int(explorer.trajectory.diverged_at[0])
    assert 0 < at < 40
    explorer.set(step=at - 1)
    assert f"the run diverges at step {at}" in explorer.message
    assert "diverged" not in explorer.message
    explorer.set(step=at)
    assert explorer.message.startswith(f"step {at} of 40: the run diverged at step {at}")
    curve = parabola()
    one = OneDimExplorer(curve, start=2.5, steps=20, lr=1.5, lr_range=(0.005, 3.0))
    at = int(one.trajectory.diverged_at[0])
    one.set(step=at - 1)
    assert f"diverges at step {at}" in one.message and "diverged" not in one.message


def test_the_optimizer_state_explorer_redraws_only_the_table_numbers_on_a_step():
    explorer = OptimizerStateExplorer(quadratic_bowl(condition_number=100.0),
                                      start=(-2.5, 2.0), steps=40, lr=0.3)
    explorer.frame_rgba()
    before = explorer.full_frames
    for step in range(8):
        explorer.set(step=step)
        explorer.frame_rgba()
        assert f"step {step} → {step + 1}" in explorer.state_ax.get_title()
    assert explorer.full_frames == before
    explorer.set(optimizer="SGD")  # other rows: the static row names change
    explorer.frame_rgba()
    assert explorer.full_frames == before + 1
    assert "m̂" not in explorer.table_text()


def test_adam_sweeps_of_its_betas_give_its_runs():
    bowl = quadratic_bowl(condition_number=100.0)
    explorer = DescentExplorer(bowl, {"Adam": Adam}, start=(-2.5, 2.0), steps=30, lr=0.1)
    for name in ("beta1", "beta2"):
        for _value in _walk(explorer, name, moves=2):
            c = explorer.controls
            expected = run(Adam(lr=c["lr"].value, betas=(c["beta1"].value, c["beta2"].value)),
                           bowl.gradient, np.array([[-2.5, 2.0]]), 30, value=bowl.value)
            # β^t of one β per row is numpy's vectorized power, which may round the last bit
            # differently from the scalar power of a single run.
            np.testing.assert_allclose(explorer.trajectory.points, expected.points,
                                       rtol=1e-13, atol=1e-15)
