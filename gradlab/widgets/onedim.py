"""Gradient descent on a curve: :class:`OneDimExplorer` draws the steps on a one-variable function
and the tangent at each iterate.
"""

from __future__ import annotations

import ipywidgets
import numpy as np

from gradlab.checks import check_int, check_start
from gradlab.colors import BLUE, MESSAGE_COLORS
from gradlab.formatting import format_number
from gradlab.optimizers import SGD, Optimizer
from gradlab.plotting import few_ticks
from gradlab.plotting.derivatives import tangent_line
from gradlab.runner import run
from gradlab.widgets.base import (
    DOWNHILL,
    ROUND_OFF,
    LiveFigure,
    default_start,
    exact_number,
    left_window_at,
    log_slider,
    loss_grows,
    message_layout,
    partial_run_message,
    position_slider,
    runs_downhill,
)
from gradlab.widgets.sweeps import SweepCache, trajectory_row

__all__ = ["OneDimExplorer"]

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def iterate_name(step):
    """``x₀``, ``x₁``, ... ``x₁₂``: the name of the iterate after ``step`` steps."""
    return "x" + str(int(step)).translate(_SUBSCRIPTS)


def _escape_lines(steps, xs, scale, side):
    """Lines listing the iterates beyond one edge: the first two and the last."""
    entries = [f"{iterate_name(k)} = {exact_number(xs[k], scale)}" for k in steps]
    if len(entries) > 3:
        entries = [*entries[:2], "⋮", entries[-1]]
    arrow = "◀ " if side == "left" else ""
    tail = "" if side == "left" else " ▶"
    return f"{arrow}beyond the {side} edge{tail}\n" + "\n".join(entries)


class OneDimExplorer(LiveFigure):
    """Gradient descent on a one-variable function: the curve, the steps, the tangent.

    The iterates are drawn on the curve as points joined by arrows (one arrow per step); the
    tangent touches the curve at the iterate the ``step`` slider shows, so its slope is the
    derivative that sets the next step ``x_{k+1} = x_k − lr · f′(x_k)``.

    Controls: ``lr`` (log slider; the bound 2/f″(x₀) at the start x₀ is shown beside it),
    ``x0`` (start; a click on the curve sets it too), ``step`` with ``play``. Iterates that
    jump out of the window are listed at its edges (``x₅ = −12.4``), and the step that carries
    the path out is drawn as far as the frame, so a blow-up shows as well as a message.

    Parameters
    ----------
    objective : Objective
        One variable (``dim == 1``): ``value``, ``gradient``, ``window``, ``stability_bound``.
    start : float, optional
        Default: ``objective.start`` if present, else 15 % in from the left of the window.
    steps : int
    lr : float, optional
        Default: a fifth of 2/f″ at the start when finite, else 1 % of the window width.
    lr_range : (float, float), optional
        Default ``(lr / 1000, lr * 100)``.
    optimizer : callable, optional
        ``optimizer(lr=...)`` returning an optimizer; default plain :class:`gradlab.optimizers.SGD`.
    figsize, dpi, png_dpi
        See :class:`LiveFigure`.
    """

    def __init__(self, objective, *, start=None, steps=20, lr=None, lr_range=None,
                 optimizer=None, figsize=(7.0, 4.0), dpi=100, png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"OneDimExplorer: {getattr(objective, 'name', 'curve')}")
        if getattr(objective, "dim", 1) != 1:
            raise ValueError(f"OneDimExplorer needs a one-variable objective, got dim = "
                             f"{objective.dim} (use DescentExplorer for two variables)")
        self.steps = check_int("steps", steps)
        self.optimizer = SGD if optimizer is None else optimizer
        self.objective = objective
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        start = check_start(default_start(objective) if start is None else start,
                            self.window)
        bound = float(objective.stability_bound(start))
        width = self.window[0][1] - self.window[0][0]
        if lr is None:
            # A fifth of the bound: visibly gradual (half of it would land on a parabola's
            # minimum in one step).
            lr = 0.2 * bound if np.isfinite(bound) else 0.01 * width
        lr = float(lr)
        low, high = (lr / 1e3, lr * 1e2) if lr_range is None else map(float, lr_range)

        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.1, right=0.97, bottom=0.2, top=0.9)
        self.tangent = tangent_line(self.ax, objective, None, float(start[0]))
        few_ticks(self.ax)
        (self.path,) = self.ax.plot([], [], linestyle="none", marker="o", markersize=4,
                                    color=BLUE, zorder=4)
        self.arrows = self.ax.quiver(np.zeros(self.steps), np.zeros(self.steps),
                                     np.zeros(self.steps), np.zeros(self.steps),
                                     angles="xy", scale_units="xy", scale=1.0, width=0.004,
                                     minlength=0, color=BLUE, zorder=4)
        # Iterates beyond the window: the jump out is drawn to the frame, the values listed.
        # Low in the corners (the legend sits bottom right), under the path's own markers.
        self.escape_texts = {
            side: self.ax.text(x, y, "", transform=self.ax.transAxes, ha=side, va="bottom",
                               fontsize=8, color=BLUE, zorder=3.5,
                               bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
            for side, x, y in (("left", 0.02, 0.03), ("right", 0.98, 0.2))}
        self.ax.set_title("", fontsize=10)
        # What a move changes is drawn over a cached picture of the curve, axes and legend.
        self.animate(self.ax.title, self.tangent.tangent, self.tangent.point, self.tangent.text,
                     self.path, self.arrows, *self.escape_texts.values())
        self._sweeps = SweepCache()
        # Three significant digits around the bound: "just above 2/f″" is a position.
        near = [bound] if np.isfinite(bound) else []
        self.add_control("lr", log_slider("lr", lr, low, high, near=near))
        self.add_control("x0", position_slider("x0", start[0], *self.window[0]))
        self.add_control("step", ipywidgets.IntSlider(value=self.steps, min=0, max=self.steps,
                                                      description="step"))
        self.play = ipywidgets.Play(value=self.steps, min=0, max=self.steps, interval=200)
        ipywidgets.link((self.play, "value"), (self.controls["step"], "value"))
        self.bound_label = ipywidgets.HTML(layout=message_layout())
        self.bound_label.layout.flex = "1 1 240px"
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["lr"], self.bound_label]),
                ipywidgets.HBox([c["x0"], self.play, c["step"]])]

    def _apply(self, changes):
        if set(changes) - {"step"}:
            x0 = np.array([self.controls["x0"].value])
            self.bound = float(self.objective.stability_bound(x0))
            self.trajectory = self._lookup(set(changes) - {"step"})
            # The course calls the learning rate η; the slider keeps the name lr.
            # set_text, not set_title: set_title also touches the static side titles.
            self.ax.title.set_text(
                f"gradient descent, η = {format_number(self.controls['lr'].value)}")
        self._reveal(self.controls["step"].value)
        self._describe()

    def _lookup(self, moved):
        """The run of the current lr and x0: looked up in the runs of every position of the
        slider that moved, computed at its first move (lr when both moved)."""
        settings = {"lr": self.controls["lr"].value, "x0": self.controls["x0"].value}
        name = "x0" if moved == {"x0"} else "lr"
        return trajectory_row(*self._sweeps.get(settings, name, self.controls[name],
                                                self._run_rows))

    def _run_rows(self, name, values):
        """One run per value of slider ``name`` (the other as now); a single run if None."""
        lr = self.controls["lr"].value
        start = np.array([[self.controls["x0"].value]])
        if name == "lr":
            lr = values
            start = np.repeat(start, len(values), axis=0)
        elif name == "x0":
            start = np.asarray(values, dtype=float)[:, None]
        optimizer = self.optimizer(lr=lr)
        if name is not None and not isinstance(optimizer, Optimizer):
            raise TypeError("only gradlab's optimizers are known to take one value per row")
        return run(optimizer, self.objective.gradient, start, self.steps,
                   value=self.objective.value)

    def _reveal(self, step):
        xs = self.trajectory.points[: step + 1, 0, 0]
        ys = self.trajectory.values[: step + 1, 0]
        (lo, hi), = self.window
        width = hi - lo
        # Round-off of an exact landing (lr · f″ = 1 on a parabola) is drawn and named as 0.
        xs = np.where(np.abs(xs) < ROUND_OFF * width, 0.0, xs)
        finite = np.isfinite(xs) & np.isfinite(ys)
        with np.errstate(invalid="ignore"):
            shown = finite & (xs >= lo) & (xs <= hi)
        self.path.set_data(np.where(shown, xs, np.nan), np.where(shown, ys, np.nan))
        # Arrows from each shown iterate to the next; a jump out of the window is drawn too
        # (the axes cut it at the frame). Unused arrows have zero length.
        tails = np.zeros((self.steps, 2))
        vectors = np.zeros((self.steps, 2))
        both = shown[:-1] & finite[1:]
        count = both.size
        tails[:count][both] = np.column_stack([xs[:-1], ys[:-1]])[both]
        vectors[:count][both] = np.column_stack([np.diff(xs), np.diff(ys)])[both]
        self.arrows.set_offsets(tails)
        self.arrows.set_UVC(vectors[:, 0], vectors[:, 1])
        for side, beyond in (("left", finite & (xs < lo)), ("right", finite & (xs > hi))):
            steps = np.flatnonzero(beyond)
            self.escape_texts[side].set_text(
                _escape_lines(steps, xs, width, side) if steps.size else "")
            self.escape_texts[side].set_visible(bool(steps.size))
        last = int(np.flatnonzero(shown)[-1]) if shown.any() else 0
        x_last = float(xs[last]) if shown.any() else self.controls["x0"].value
        self.tangent.update(x_last, iterate_name(last))

    def _describe(self):
        lr, bound = self.controls["lr"].value, self.bound
        x0 = np.array([self.controls["x0"].value])
        if not np.isfinite(bound):
            curvature = float(np.asarray(self.objective.hessian(x0)).reshape(-1)[0])
            self.bound_label.value = (
                f"no curvature bound at the start: f″(x₀) = {format_number(curvature)} ≤ 0, "
                "the curve bends down there")
        elif lr > bound:
            self.bound_label.value = (
                f'<b style="color:{MESSAGE_COLORS["warning"]}">lr = {format_number(lr)} &gt; '
                f"2/f″(x₀) = {format_number(bound)}: steps overshoot</b>")
        else:
            self.bound_label.value = (f"stable for lr &lt; 2/f″(x₀) = {format_number(bound)} "
                                      "at the start x₀")
        trajectory = self.trajectory
        (lo, hi), = self.window
        width = hi - lo
        values = trajectory.values[:, 0]
        scale = abs(float(values[0])) if np.isfinite(values[0]) else 1.0
        diverged_at = int(trajectory.diverged_at[0])
        step = int(min(max(self.controls["step"].value, 0), self.steps))
        xs = trajectory.points[:, 0, 0]
        if step < self.steps:
            name = iterate_name(step)
            where = (f"{name} = {exact_number(xs[step], width, 4)}, "
                     f"f({name}) = {exact_number(values[step], scale, 4)}")
            left, _back = left_window_at(trajectory.points[: step + 1, 0], self.window)
            self.show_message(*partial_run_message(step, self.steps, where, diverged_at, left,
                                                   mover="x"))
            return
        if diverged_at >= 0:
            if lr > bound:
                why = (f"the step overshoots because lr = {format_number(lr)} > 2/f″(x₀) = "
                       f"{format_number(bound)}")
            elif runs_downhill(values, diverged_at):
                why = DOWNHILL
            else:
                why = "the steps grew without limit; try a smaller lr"
            self.show_message(f"diverged at step {diverged_at}: {why}", "error")
            return
        left, came_back = left_window_at(trajectory.points[:, 0], self.window)
        where = "" if left < 0 else f"; x leaves the plotted window at step {left}"
        last = iterate_name(self.steps)
        if loss_grows(values):
            why = "" if lr <= bound else (f" (lr = {format_number(lr)} > 2/f″(x₀) = "
                                          f"{format_number(bound)})")
            self.show_message(
                f"diverging{why}: f keeps growing, from {format_number(values[0], 4)} at step 0 "
                f"to {format_number(values[-1], 4)} at step {self.steps}{where}", "error")
        elif left >= 0:
            self.show_message(f"x leaves the plotted window at step {left} and is still "
                              f"outside after {self.steps} steps ({last} = "
                              f"{format_number(xs[-1], 4)})", "warning")
        else:
            note = ("" if came_back < 0 else
                    f"x goes outside the plotted window at step {came_back} and comes back; ")
            self.show_message(f"{note}after {self.steps} steps {last} = "
                              f"{exact_number(xs[-1], width, 4)}, f({last}) = "
                              f"{exact_number(values[-1], scale, 4)}",
                              "warning" if note else "info")

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata))
