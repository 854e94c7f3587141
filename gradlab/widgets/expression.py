"""Type a function, see its derivatives, check them numerically: :class:`ExpressionBox` and the
:func:`central_differences` it compares the symbolic gradient with.
"""

from __future__ import annotations

import ipywidgets
import numpy as np

from gradlab.colors import BLUE, VERMILLION
from gradlab.functions import Objective
from gradlab.plotting import few_ticks
from gradlab.plotting.contours import contour_map
from gradlab.symbolic import derivatives_latex
from gradlab.widgets.base import LiveFigure, log_slider

__all__ = ["ExpressionBox", "central_differences"]


def _parse_point(text, dim):
    """``"1, -2"`` → array (dim,), or ``ValueError`` saying what to type."""
    pieces = [p for p in str(text).replace(";", ",").replace("(", "").replace(")", "")
              .split(",") if p.strip()]
    try:
        values = np.array([float(p.replace("−", "-")) for p in pieces])
    except ValueError:
        raise ValueError(f"point {text!r}: type {dim} number(s) separated by commas, "
                         f"e.g. {', '.join(['1.0'] * dim)}") from None
    if values.shape != (dim,) or not np.all(np.isfinite(values)):
        raise ValueError(f"point {text!r}: the function has {dim} variable(s), so type {dim} "
                         f"finite number(s) separated by commas")
    return values


def central_differences(value, point, step):
    """Central-difference estimate of the gradient of ``value`` at ``point``.

    ``∂f/∂x_i ≈ (f(p + h e_i) − f(p − h e_i)) / (2h)``, error ``O(h²)``.

    Parameters
    ----------
    value : callable
        ``value(points (..., dim)) -> (...)``.
    point : array (dim,)
    step : float
        ``h > 0``.

    Returns
    -------
    ndarray (dim,)

    Examples
    --------
    >>> central_differences(lambda p: p[..., 0] ** 3, np.array([2.0]), 1e-3).round(6)
    array([12.000001])
    """
    point = np.asarray(point, dtype=float)
    shifts = step * np.eye(point.size)
    return (value(point + shifts) - value(point - shifts)) / (2 * step)


class ExpressionBox(LiveFigure):
    """Type a function; see its partial derivatives, gradient and Hessian, and check the
    symbolic gradient against central finite differences at a point.

    Controls: ``text`` (the formula; Enter submits), ``point`` (comma-separated coordinates;
    a click on the picture sets it for one or two variables), ``h`` (finite-difference step).
    A formula the parser refuses shows its :class:`gradlab.errors.ExpressionError` message
    and the previous function stays.

    Parameters
    ----------
    text : str
        The initial formula, e.g. ``"x^2 + 3*x*y"``.
    point : sequence of float, optional
        Where to compare (default: the middle of the window).
    window : (low, high), optional
        The plotted range of every variable (``Objective.from_text``'s default when omitted).
    resolution : int
        Grid points per axis of the picture.
    figsize, dpi, png_dpi
        See :class:`LiveFigure`.

    Attributes
    ----------
    objective : Objective
    latex : ipywidgets.HTMLMath
        The derivatives, typeset.
    comparison : ipywidgets.HTML
        Symbolic gradient, central differences and their difference, per variable.
    symbolic, numeric : ndarray
        The two gradients at the current point.
    """

    def __init__(self, text, *, point=None, window=None, resolution=80, figsize=(4.5, 3.6),
                 dpi=100, png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi, title=f"ExpressionBox: {text}")
        self._message_lines = 2
        self._window_argument = window
        self.resolution = resolution
        self.objective = self._objective_from(text)  # bad initial text raises, like any argument
        self.ax = self.figure.add_subplot()
        # Room below the x-axis for its ticks, its label and two lines of message.
        self.figure.subplots_adjust(left=0.16, right=0.96, bottom=0.3, top=0.9)
        # Minimum heights: an error empties the table, and the figure must not jump up.
        self.latex = ipywidgets.HTMLMath(layout=ipywidgets.Layout(min_height="4.5em"))
        self.comparison = ipywidgets.HTML(layout=ipywidgets.Layout(min_height="6.5em"))
        self.add_control("text", ipywidgets.Text(value=text, description="f =",
                                                 continuous_update=False))
        start = (np.mean(self.objective.window, axis=1) if point is None
                 else np.asarray(point, dtype=float))
        self.add_control("point", ipywidgets.Text(
            value=", ".join(f"{v:g}" for v in start), description="at point",
            continuous_update=False))
        self.add_control("h", log_slider("h", 1e-5, 1e-9, 1e-1))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self._draw_function()
        with np.errstate(all="ignore"):
            self._apply({"point": self.controls["point"].value})

    def _objective_from(self, text):
        kwargs = {} if self._window_argument is None else {"window": self._window_argument}
        return Objective.from_text(text, **kwargs)

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["text"]]), ipywidgets.HBox([c["point"], c["h"]]),
                self.latex, self.comparison]

    def _draw_function(self):
        """Picture of the function (a new function means a new picture: redraw the axes)."""
        objective = self.objective
        self.latex.value = "$$" + derivatives_latex(objective.expr, objective.variables) + "$$"
        self.ax.clear()
        self.marker = None
        if objective.dim == 2:
            contour_map(self.ax, objective, resolution=self.resolution, mark_minima=False)
        elif objective.dim == 1:
            (lo, hi), = objective.window
            xs = np.linspace(lo, hi, 4 * self.resolution)
            self.ax.plot(xs, objective.value(xs[:, None]), color=BLUE)
            self.ax.set_xlabel(str(objective.variables[0]))
        else:
            self.ax.text(0.5, 0.5, f"no picture for {objective.dim} variables",
                         ha="center", va="center", transform=self.ax.transAxes)
            self.ax.set_axis_off()
            return
        few_ticks(self.ax)
        # The point moves on a click or a new point; drawn over the cached picture.
        (self.marker,) = self.ax.plot([], [], "o", color=VERMILLION, markersize=8,
                                      markeredgecolor="white", zorder=6, animated=True)
        self.ax.set_title(f"f = {self.controls['text'].value}", fontsize=9)

    def _apply(self, changes):
        if "text" in changes:
            try:
                objective = self._objective_from(changes["text"])
            except ValueError as error:  # ExpressionError is a ValueError
                self.show_message(str(error), "error")
                self.comparison.value = ""
                return
            self.objective = objective
            self.title = f"ExpressionBox: {changes['text']}"
            self._draw_function()
            if _point_or_none(self.controls["point"].value, objective.dim) is None:
                centre = np.mean(objective.window, axis=1)
                with self._quietly("point"):
                    self.controls["point"].value = ", ".join(f"{v:g}" for v in centre)
        try:
            point = _parse_point(self.controls["point"].value, self.objective.dim)
        except ValueError as error:
            self.show_message(str(error), "error")
            self.comparison.value = ""
            return
        self._compare(point)

    def _compare(self, point):
        h = self.controls["h"].value
        self.symbolic = np.asarray(self.objective.gradient(point), dtype=float)
        self.numeric = central_differences(self.objective.value, point, h)
        if self.marker is not None:
            self.marker.set_data([point[0]], [point[1] if self.objective.dim == 2
                                              else float(self.objective.value(point))])
        if not (np.all(np.isfinite(self.symbolic)) and np.all(np.isfinite(self.numeric))):
            self.comparison.value = ""
            self.show_message(f"f or its gradient is not defined at "
                              f"({', '.join(f'{v:g}' for v in point)}) or next to it "
                              f"(within h = {h:.1e}); pick another point", "error")
            return
        rows = "".join(
            f"<tr><td>∂f/∂{v}</td><td>{s:.10g}</td><td>{n:.10g}</td><td>{abs(s - n):.2e}</td></tr>"
            for v, s, n in zip(self.objective.variables, self.symbolic, self.numeric, strict=True))
        self.comparison.value = (
            "<table><tr><th></th><th>symbolic</th><th>central difference</th>"
            f"<th>|difference|</th></tr>{rows}</table>")
        worst = float(np.max(np.abs(self.symbolic - self.numeric)))
        self.show_message(f"largest |symbolic − central difference| = {worst:.1e} with "
                          f"h = {h:.0e}")

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None or self.objective.dim > 2:
            return
        coordinates = [event.xdata] if self.objective.dim == 1 else [event.xdata, event.ydata]
        self.set(point=", ".join(f"{v:.4g}" for v in coordinates))


def _point_or_none(text, dim):
    try:
        return _parse_point(text, dim)
    except ValueError:
        return None
