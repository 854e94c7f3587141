"""Slopes made visible: the tangent of a curve, and the two slices of a surface through a point.

:class:`TangentExplorer` shows a curve, its tangent at ``x0`` and the secant through
``x0 − h`` and ``x0 + h``, whose slope is the central difference: as ``h`` shrinks the secant
turns into the tangent. :class:`SliceExplorer` cuts a two-variable surface along ``y = y0`` and
``x = x0``; the slopes of the two slice curves at the point are the partial derivatives, and
together they make the gradient vector drawn on the map.

Both follow :class:`gradlab.widgets.LiveFigure`: the figure is built once and ``_apply`` moves
existing artists. Everything a slider moves is an animated artist, so a move redraws only
those over the cached curve, contours and axes.

Examples
--------
>>> from gradlab.functions import Objective
>>> bowl = Objective.from_text("x^2 + x*y + 2*y^2", window=(-2, 2))
>>> explorer = SliceExplorer(bowl, point=(1.0, 1.0))
>>> explorer.partials.tolist()          # (2x + y, x + 4y) at (1, 1)
[3.0, 5.0]
>>> explorer.close()
"""

from __future__ import annotations

import numpy as np

from gradlab.checks import check_start
from gradlab.colors import BLACK, BLUE, BLUISH_GREEN, VERMILLION
from gradlab.formatting import format_number
from gradlab.plotting import few_ticks
from gradlab.plotting.contours import contour_map
from gradlab.plotting.derivatives import tangent_line
from gradlab.widgets import LiveFigure, log_slider
from gradlab.widgets.base import position_slider

__all__ = ["SliceExplorer", "TangentExplorer"]

_X_COLOUR = VERMILLION  # vermillion: everything about the slice along x (y fixed)
_Y_COLOUR = BLUE  # blue: everything about the slice along y (x fixed)
_GRADIENT_COLOUR = BLACK
_SECANT_COLOUR = BLUISH_GREEN  # bluish green: the secant of the central difference


# Tick spacings of the slope figures: whole steps, halves and quarters (no 0.8 or 1.5 steps).
_TICK_STEPS = [1, 2, 2.5, 5, 10]


class TangentExplorer(LiveFigure):
    """A curve, its tangent at ``x0``, and the secant whose slope is the central difference.

    The tangent's slope is the derivative ``f′(x0)`` (from the objective's symbolic
    gradient). The secant joins ``(x0 − h, f(x0 − h))`` and ``(x0 + h, f(x0 + h))``; its slope
    ``(f(x0 + h) − f(x0 − h)) / (2h)`` is the central difference. Controls: ``x0`` and ``h``
    (log slider); a click on the curve sets ``x0``.

    Parameters
    ----------
    objective : Objective
        One variable (``dim == 1``), with ``value``, ``gradient`` and ``window``.
    x0 : float
        Where the tangent touches; inside the window.
    h : float
        Half-width of the secant, in ``[h_range[0], h_range[1]]``.
    h_range : (float, float)
        Range of the ``h`` slider.
    figsize, dpi, png_dpi
        See :class:`gradlab.widgets.LiveFigure`.

    Attributes
    ----------
    slope : float
        ``f′(x0)``.
    secant_slope : float
        The central difference with the current ``h``.
    """

    def __init__(self, objective, *, x0=1.0, h=0.5, h_range=(1e-3, 1.5), figsize=(8.0, 3.8),
                 dpi=100, png_dpi=72):
        if getattr(objective, "dim", None) != 1:
            raise ValueError(f"TangentExplorer needs a one-variable objective, got dim = "
                             f"{getattr(objective, 'dim', None)}")
        low, high = map(float, h_range)
        if not 0 < low < high:
            raise ValueError(f"h_range must be (low, high) with 0 < low < high, got {h_range!r}")
        if not low <= h <= high:
            raise ValueError(f"h = {h!r} lies outside h_range [{low:g}, {high:g}]")
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"TangentExplorer: {objective.name}")
        self.objective = objective
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        x0 = float(check_start([x0], self.window, name="x0")[0])
        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.1, right=0.7, bottom=0.22, top=0.95)
        self.tangent = tangent_line(self.ax, objective, None, x0)
        (self.secant,) = self.ax.plot([], [], color=_SECANT_COLOUR, linewidth=1.4,
                                      label="secant through x₀ ± h", scalex=False,
                                      scaley=False)
        (self.ends,) = self.ax.plot([], [], linestyle="none", marker="s", markersize=5,
                                    color=_SECANT_COLOUR, scalex=False, scaley=False)
        # What a move changes; the curve, axes and legend stay in the cached background.
        self.animate(self.tangent.tangent, self.tangent.point, self.tangent.text, self.secant,
                     self.ends)
        # Beside the axes, so it never hides the curve.
        self.ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9,
                       borderaxespad=0.0)
        few_ticks(self.ax, steps=_TICK_STEPS)
        self.add_control("x0", position_slider("x₀", x0, *self.window[0]))
        self.add_control("h", log_slider("h", h, low, high))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        with np.errstate(all="ignore"):
            self._apply({"x0": x0})

    def _apply(self, changes):
        x0 = float(self.controls["x0"].value)
        h = float(self.controls["h"].value)
        self.tangent.update(x0)
        self.slope = float(np.asarray(self.objective.gradient([x0])).reshape(-1)[0])
        sides = np.array([[x0 - h], [x0 + h]])
        heights = np.asarray(self.objective.value(sides), dtype=float)
        self.secant_slope = float((heights[1] - heights[0]) / (2 * h))
        # Draw the secant across the whole window so its tilt is easy to compare.
        (low, high), = self.window
        middle = float(heights.mean())
        ends = np.array([low, high])
        self.secant.set_data(ends, middle + self.secant_slope * (ends - x0))
        self.ends.set_data(sides[:, 0], heights)
        gap = abs(self.secant_slope - self.slope)
        self.show_message(f"tangent slope f′(x₀) = {format_number(self.slope, 5)}   secant slope "
                          f"(central difference, h = {format_number(h, 2)}) = "
                          f"{format_number(self.secant_slope, 5)}   gap {gap:.1e}")

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata))


class SliceExplorer(LiveFigure):
    """A surface cut along ``y = y0`` and ``x = x0``: two slice curves, their slopes, the gradient.

    Left: the contour map with the two cutting lines and, at the point, the gradient arrow built
    from its two components (the x part along the horizontal cut, the y part along the vertical
    one). Middle: the slice ``x ↦ f(x, y0)`` with its tangent, slope ``∂f/∂x``. Right: the slice
    ``y ↦ f(x0, y)`` with its tangent, slope ``∂f/∂y``. Both slice panels share one height
    range, fixed for the whole window, so moving a cut shows the slice rise and fall.

    Controls: ``x0``, ``y0``; a click on the map sets both.

    Parameters
    ----------
    objective : Objective
        Two variables, with ``value``, ``gradient`` and ``window``.
    point : (float, float)
        The starting point, inside the window.
    resolution : int
        Grid points per axis of the contour map and of each slice.
    figsize, dpi, png_dpi
        See :class:`gradlab.widgets.LiveFigure`.

    Attributes
    ----------
    partials : ndarray (2,)
        ``(∂f/∂x, ∂f/∂y)`` at the point (the objective's symbolic gradient).
    """

    def __init__(self, objective, *, point=(1.0, 1.0), resolution=120, figsize=(9.2, 3.6),
                 dpi=100, png_dpi=72):
        if getattr(objective, "dim", None) != 2:
            raise ValueError(f"SliceExplorer needs a two-variable objective, got dim = "
                             f"{getattr(objective, 'dim', None)}")
        if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 10:
            raise ValueError(f"resolution must be an integer >= 10, got {resolution!r}")
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"SliceExplorer: {objective.name}")
        self.objective = objective
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        point = check_start(point, self.window, name="point")
        (xlo, xhi), (ylo, yhi) = self.window
        self.xs = np.linspace(xlo, xhi, resolution)
        self.ys = np.linspace(ylo, yhi, resolution)
        names = [str(v) for v in objective.variables]
        self.names = names

        self.map_ax, self.x_ax, self.y_ax = self.figure.subplots(1, 3)
        self.figure.subplots_adjust(left=0.06, right=0.98, bottom=0.24, top=0.88, wspace=0.32)
        background = contour_map(self.map_ax, objective, resolution=resolution,
                                 mark_minima=False)
        finite = background.grid.z[np.isfinite(background.grid.z)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        pad = 0.06 * (high - low) if high > low else 1.0
        self.map_ax.set_aspect("equal", adjustable="box")
        self.map_ax.set_title("map: the two cuts", fontsize=10)
        (self.x_cut,) = self.map_ax.plot([], [], color=_X_COLOUR, linewidth=2.0, animated=True)
        (self.y_cut,) = self.map_ax.plot([], [], color=_Y_COLOUR, linewidth=2.0, animated=True)
        # Arrows: the x component, the y component (from the x component's tip), the gradient.
        self.arrow_length = 0.3 * min(xhi - xlo, yhi - ylo)
        self.arrows = self.map_ax.quiver(
            np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3),
            color=[_X_COLOUR, _Y_COLOUR, _GRADIENT_COLOUR], angles="xy", scale_units="xy",
            scale=1.0, width=0.012, zorder=5, animated=True)
        (self.marker,) = self.map_ax.plot([], [], "o", color="white", markeredgecolor="black",
                                          markersize=7, zorder=6, animated=True)

        self.x_slice = self._slice_axes(self.x_ax, self.xs, names[0], _X_COLOUR,
                                        (low - pad, high + pad))
        self.y_slice = self._slice_axes(self.y_ax, self.ys, names[1], _Y_COLOUR,
                                        (low - pad, high + pad))
        few_ticks(self.map_ax, self.x_ax, self.y_ax, steps=_TICK_STEPS)
        self.add_control("x0", position_slider(f"{names[0]}₀", point[0], xlo, xhi))
        self.add_control("y0", position_slider(f"{names[1]}₀", point[1], ylo, yhi))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        with np.errstate(all="ignore"):
            self._apply({"x0": point[0], "y0": point[1]})

    @staticmethod
    def _slice_axes(ax, grid, name, colour, limits):
        # The slice, its tangent, the point and the title (which quotes the slope) all move.
        (curve,) = ax.plot(grid, np.zeros_like(grid), color=colour, linewidth=2.0,
                           animated=True)
        (tangent,) = ax.plot([], [], color="black", linestyle="--", linewidth=1.3,
                             scalex=False, scaley=False, animated=True)
        (marker,) = ax.plot([], [], "o", color=colour, markeredgecolor="white", markersize=8,
                            animated=True)
        # Styled once; a move sets only its text (set_title would touch the static side titles).
        ax.set_title("", fontsize=10, color=colour)
        ax.title.set_animated(True)
        ax.set_xlim(grid[0], grid[-1])
        ax.set_ylim(*limits)
        ax.set_xlabel(name)
        return {"ax": ax, "curve": curve, "tangent": tangent, "marker": marker}

    def _apply(self, changes):
        x0, y0 = float(self.controls["x0"].value), float(self.controls["y0"].value)
        point = np.array([x0, y0])
        value = float(self.objective.value(point))
        self.partials = np.asarray(self.objective.gradient(point), dtype=float).reshape(2)
        slope_x, slope_y = self.partials
        along_x = np.column_stack([self.xs, np.full_like(self.xs, y0)])
        along_y = np.column_stack([np.full_like(self.ys, x0), self.ys])
        self._update_slice(self.x_slice, self.xs, self.objective.value(along_x), x0, value,
                           slope_x)
        self._update_slice(self.y_slice, self.ys, self.objective.value(along_y), y0, value,
                           slope_y)
        nx, ny = self.names
        self.x_ax.title.set_text(f"slice {ny} = {format_number(y0)}:  ∂f/∂{nx} = "
                                 f"{format_number(slope_x)}")
        self.y_ax.title.set_text(f"slice {nx} = {format_number(x0)}:  ∂f/∂{ny} = "
                                 f"{format_number(slope_y)}")
        (xlo, xhi), (ylo, yhi) = self.window
        self.x_cut.set_data([xlo, xhi], [y0, y0])
        self.y_cut.set_data([x0, x0], [ylo, yhi])
        self.marker.set_data([x0], [y0])
        magnitude = float(np.hypot(slope_x, slope_y))
        # Drawn length is fixed; the components keep their proportions.
        scale = self.arrow_length / magnitude if magnitude > 0 and np.isfinite(magnitude) else 0.0
        u = np.array([slope_x * scale, 0.0, slope_x * scale])
        v = np.array([0.0, slope_y * scale, slope_y * scale])
        self.arrows.set_offsets(np.array([point, point + [slope_x * scale, 0.0], point]))
        self.arrows.set_UVC(u, v)
        if not np.isfinite(magnitude):
            self.show_message(f"f is not differentiable at ({format_number(x0)}, "
                              f"{format_number(y0)}); move the point", "error")
            return
        self.show_message(
            f"∇f({format_number(x0)}, {format_number(y0)}) = (∂f/∂{nx}, ∂f/∂{ny}) = "
            f"({format_number(slope_x)}, {format_number(slope_y)}),  |∇f| = "
            f"{format_number(magnitude)}   (black arrow: the gradient's direction; its two "
            "coloured legs are the partial derivatives)")

    @staticmethod
    def _update_slice(parts, grid, heights, at, value, slope):
        parts["curve"].set_ydata(heights)
        ends = np.array([grid[0], grid[-1]])
        parts["tangent"].set_data(ends, value + slope * (ends - at))
        parts["marker"].set_data([at], [value])

    def _on_click(self, event):
        if event.inaxes is not self.map_ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata), y0=float(event.ydata))
