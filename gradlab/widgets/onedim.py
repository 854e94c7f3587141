"""Gradient descent on a curve: :class:`OneDimExplorer` draws the steps on a one-variable function
and the tangent at each iterate.
"""

from __future__ import annotations

import ipywidgets
import numpy as np

from gradlab.checks import check_int, check_start
from gradlab.colors import BLUE, MESSAGE_COLORS
from gradlab.formatting import format_number
from gradlab.optimizers import SGD
from gradlab.plotting import few_ticks
from gradlab.plotting.derivatives import tangent_line
from gradlab.runner import run
from gradlab.widgets.base import (
    DOWNHILL,
    LiveFigure,
    default_start,
    log_slider,
    position_slider,
    runs_downhill,
)

__all__ = ["OneDimExplorer"]


class OneDimExplorer(LiveFigure):
    """Gradient descent on a one-variable function: the curve, the steps, the tangent.

    The iterates are drawn on the curve as points joined by arrows (one arrow per step); the
    tangent touches the curve at the iterate the ``step`` slider shows, so its slope is the
    derivative that sets the next step ``x_{k+1} = x_k − lr · f′(x_k)``.

    Controls: ``lr`` (log slider; the bound 2/f″(x₀) is shown beside it), ``x0`` (start; a
    click on the curve sets it too), ``step`` with ``play``.

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
        self.add_control("lr", log_slider("lr", lr, low, high))
        self.add_control("x0", position_slider("x0", start[0], *self.window[0]))
        self.add_control("step", ipywidgets.IntSlider(value=self.steps, min=0, max=self.steps,
                                                      description="step"))
        self.play = ipywidgets.Play(value=self.steps, min=0, max=self.steps, interval=200)
        ipywidgets.link((self.play, "value"), (self.controls["step"], "value"))
        self.bound_label = ipywidgets.HTML()
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["lr"], self.bound_label]),
                ipywidgets.HBox([c["x0"], self.play, c["step"]])]

    def _apply(self, changes):
        if set(changes) - {"step"}:
            x0 = np.array([[self.controls["x0"].value]])
            self.bound = float(self.objective.stability_bound(x0[0]))
            self.trajectory = run(self.optimizer(lr=self.controls["lr"].value),
                                  self.objective.gradient, x0, self.steps,
                                  value=self.objective.value)
            self.ax.set_title(f"gradient descent, lr = {format_number(self.controls['lr'].value)}",
                              fontsize=10)
        self._reveal(self.controls["step"].value)
        self._describe()

    def _reveal(self, step):
        xs = self.trajectory.points[: step + 1, 0, 0]
        ys = self.trajectory.values[: step + 1, 0]
        (lo, hi), = self.window
        with np.errstate(invalid="ignore"):
            shown = np.isfinite(xs) & (xs >= lo) & (xs <= hi)
        self.path.set_data(np.where(shown, xs, np.nan), np.where(shown, ys, np.nan))
        # Arrows from each shown iterate to the next; unused arrows have zero length.
        tails = np.zeros((self.steps, 2))
        vectors = np.zeros((self.steps, 2))
        both = shown[:-1] & shown[1:]
        count = both.size
        tails[:count][both] = np.column_stack([xs[:-1], ys[:-1]])[both]
        vectors[:count][both] = np.column_stack([np.diff(xs), np.diff(ys)])[both]
        self.arrows.set_offsets(tails)
        self.arrows.set_UVC(vectors[:, 0], vectors[:, 1])
        last = int(np.flatnonzero(shown)[-1]) if shown.any() else 0
        self.tangent.update(float(xs[last]) if shown.any() else self.controls["x0"].value)

    def _describe(self):
        lr, bound = self.controls["lr"].value, self.bound
        if lr > bound:
            self.bound_label.value = (
                f'<b style="color:{MESSAGE_COLORS["warning"]}">lr = {format_number(lr)} &gt; '
                f"2/f″(x₀) = {format_number(bound)}: steps overshoot</b>")
        else:
            self.bound_label.value = f"stable for lr &lt; 2/f″(x₀) = {format_number(bound)}"
        diverged_at = int(self.trajectory.diverged_at[0])
        xs = self.trajectory.points[:, 0, 0]
        (lo, hi), = self.window
        with np.errstate(invalid="ignore"):
            outside = ~((xs >= lo) & (xs <= hi))
        if diverged_at >= 0:
            if lr > bound:
                why = (f"the step overshoots because lr = {format_number(lr)} > 2/f″ = "
                       f"{format_number(bound)}")
            elif runs_downhill(self.trajectory.values[:, 0], diverged_at):
                why = DOWNHILL
            else:
                why = "the steps grew without limit; try a smaller lr"
            self.show_message(f"diverged at step {diverged_at}: {why}", "error")
        elif outside.any():
            self.show_message(f"x leaves the plotted window at step {int(np.argmax(outside))}",
                              "warning")
        else:
            x, value = xs[-1], self.trajectory.values[-1, 0]
            self.show_message(f"after {self.steps} steps x = {format_number(x, 4)}, "
                              f"f(x) = {format_number(value, 4)}")

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata))
