"""Which way is steepest? The directional derivative of a surface for every direction at once.

:class:`DirectionExplorer` shows, at one point of a two-variable surface, a unit direction
``u = (cos θ, sin θ)`` on the contour map and, beside it, the slope in that direction,
``D_u f = ∇f · u``, for every angle ``θ``. The curve is a cosine, ``|∇f| cos(θ − φ)``: it peaks at
the gradient's own angle ``φ`` with height ``|∇f|`` (steepest ascent), bottoms out at ``φ ± 180°``
with ``−|∇f|`` (steepest descent), and crosses zero at ``φ ± 90°``, along the contour line.

The curve is computed as the dot product ``∇f · u`` for each angle. The marker at the current
angle is an independent estimate: the central difference ``(f(p + h u) − f(p − h u)) / (2h)``
of the function itself along ``u``.

Everything a slider moves is an animated artist, drawn over cached contours and axes. The
slope axis keeps a round height (:func:`slope_reach`) that changes only when ``|∇f|`` crosses
one of its steps, so moving the point redraws the axes only now and then.

Examples
--------
>>> from gradlab.functions import Objective
>>> bowl = Objective.from_text("x^2 + x*y + 2*y^2", window=(-2, 2))
>>> explorer = DirectionExplorer(bowl, point=(1.0, 1.0), angle=0.0)
>>> round(explorer.slope, 6)               # along +x the slope is ∂f/∂x = 3
3.0
>>> round(explorer.steepest_angle, 2)      # the gradient (3, 5) points at atan2(5, 3)
59.04
>>> explorer.close()
"""

from __future__ import annotations

import ipywidgets
import numpy as np
from matplotlib.ticker import MultipleLocator, NullLocator

from gradlab.colors import BLUE, BLUISH_GREEN, VERMILLION
from gradlab.formatting import format_number
from gradlab.plotting.contours import contour_map
from gradlab.plotting.derivatives import directional_derivative
from gradlab.widgets import LiveFigure

__all__ = ["DirectionExplorer", "slope_along", "slope_reach"]

_ASCENT = VERMILLION
_DESCENT = BLUE
_CURVE = BLUISH_GREEN


def _wrap_degrees(angle):
    """An angle in degrees moved into [-180, 180)."""
    return (float(angle) + 180.0) % 360.0 - 180.0


#: Heights of the slope axis: 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten.
_REACH_STEPS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def slope_reach(magnitude):
    """The half-height of the slope axis for a gradient of size ``magnitude``.

    The smallest round number (:data:`_REACH_STEPS` times a power of ten) at or above
    ``1.15 |∇f|``, so the cosine fills most of the axis and the axis changes only when
    ``|∇f|`` crosses a step; 1 when the gradient is zero or not finite.

    >>> slope_reach(3.91), slope_reach(4.0), slope_reach(0.0)
    (5.0, 5.0, 1.0)
    """
    magnitude = float(magnitude)
    if not (np.isfinite(magnitude) and magnitude > 0):
        return 1.0
    need = 1.15 * magnitude
    power = 10.0 ** np.floor(np.log10(need))
    for step in _REACH_STEPS:
        # A hair of tolerance: 1.15 × 4.3478... = 5 must give 5, not 6.
        if step * power >= need * (1 - 1e-12):
            return float(step * power)
    return float(10 * power)


def slope_along(value, point, angle_degrees, h=1e-5):
    """Central-difference slope of ``value`` at ``point`` along the unit vector at an angle.

    ``(f(p + h u) − f(p − h u)) / (2h)`` with ``u = (cos θ, sin θ)``: the directional derivative
    estimated from function values only, with no gradient involved.

    Parameters
    ----------
    value : callable
        ``value(points (..., 2)) -> (...)``.
    point : array (2,)
    angle_degrees : float or ndarray
        Angle(s) of ``u``, counter-clockwise from the first axis.
    h : float
        Step, ``> 0``.

    Returns
    -------
    float or ndarray
        One slope per angle.

    Examples
    --------
    >>> f = lambda p: p[..., 0] ** 2 + 3 * p[..., 1]
    >>> np.round(slope_along(f, np.array([1.0, 0.0]), [0.0, 90.0, 180.0]), 6)
    array([ 2.,  3., -2.])
    """
    if not h > 0:
        raise ValueError(f"h must be positive, got {h!r}")
    point = np.asarray(point, dtype=float)
    theta = np.radians(np.asarray(angle_degrees, dtype=float))
    u = np.stack([np.cos(theta), np.sin(theta)], axis=-1)
    forward = np.asarray(value(point + h * u), dtype=float)
    backward = np.asarray(value(point - h * u), dtype=float)
    return (forward - backward) / (2 * h)


class DirectionExplorer(LiveFigure):
    """The slope of a surface in every direction at a point, with the steepest ones marked.

    Left: the contour map, the point, the gradient's direction and the chosen direction ``u``
    (:func:`gradlab.plotting.directional_derivative`). Right: ``D_u f = ∇f · u`` against the
    angle of ``u`` (degrees), the current angle marked with its central-difference slope, and
    the angles of steepest ascent (``φ``) and steepest descent (``φ ± 180°``) drawn as
    vertical lines.

    Controls: ``angle`` (degrees), ``x0``, ``y0``; a click on the map moves the point.

    Parameters
    ----------
    objective : Objective
        Two variables, with ``value``, ``gradient`` and ``window``.
    point : (float, float)
        Inside the window.
    angle : float
        Angle of ``u`` in degrees, in ``[-180, 180]``.
    h : float
        Step of the central difference at the marker.
    figsize, dpi, png_dpi
        See :class:`gradlab.widgets.LiveFigure`.

    Attributes
    ----------
    gradient : ndarray (2,)
    slope : float
        ``∇f · u`` at the current angle.
    slope_estimate : float
        The central-difference slope along ``u`` (see :func:`slope_along`).
    steepest_angle : float
        The gradient's angle ``φ`` in degrees (``nan`` where the gradient is zero).
    """

    def __init__(self, objective, *, point=(1.0, 1.0), angle=0.0, h=1e-5, figsize=(9.2, 3.9),
                 dpi=100, png_dpi=72):
        if getattr(objective, "dim", None) != 2:
            raise ValueError(f"DirectionExplorer needs a two-variable objective, got dim = "
                             f"{getattr(objective, 'dim', None)}")
        if not -180.0 <= float(angle) <= 180.0:
            raise ValueError(f"angle must be in [-180, 180] degrees, got {angle!r}")
        if not h > 0:
            raise ValueError(f"h must be positive, got {h!r}")
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"DirectionExplorer: {objective.name}")
        self.objective = objective
        self.h = float(h)
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        point = np.asarray(point, dtype=float).reshape(-1)
        if point.shape != (2,) or not np.all(np.isfinite(point)):
            raise ValueError(f"point must be two finite numbers, got {point!r}")
        for coordinate, (low, high), name in zip(point, self.window, "xy", strict=True):
            if not low <= coordinate <= high:
                raise ValueError(f"point: {name} = {coordinate:g} lies outside the window "
                                 f"[{low:g}, {high:g}]")
        self.angles = np.linspace(-180.0, 180.0, 361)
        theta = np.radians(self.angles)
        self._units = np.column_stack([np.cos(theta), np.sin(theta)])

        self.map_ax, self.curve_ax = self.figure.subplots(
            1, 2, gridspec_kw={"width_ratios": [1.0, 1.35]})
        # Room below the axes for the legends.
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.33, top=0.92, wspace=0.25)
        contour_map(self.map_ax, objective, resolution=120, mark_minima=False)
        self.map_ax.set_aspect("equal", adjustable="box")
        self.arrows = directional_derivative(self.map_ax, objective, point,
                                             np.radians(float(angle)))
        self.arrows.text.set_visible(False)  # the numbers are in the right panel's title
        # Each panel's legend sits below its axis label, outside the data area: inside it, the
        # animated arrows, curve, lines and marker (drawn after the static layers) would paint
        # over it. (A legend made animated to stay on top would cost ~12 ms a frame.)
        legend_place = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.21), "ncols": 2,
                        "fontsize": 8, "frameon": False, "borderaxespad": 0.0}
        self.map_legend = self.map_ax.legend(**legend_place)
        self.animate(self.arrows.arrows, self.arrows.projection, self.arrows.point,
                     self.arrows.text)

        ax = self.curve_ax
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        (self.curve,) = ax.plot(self.angles, np.zeros_like(self.angles), color=_CURVE,
                                linewidth=2.0, label="∇f · u", animated=True)
        self.ascent_line = ax.axvline(0.0, color=_ASCENT, linestyle="--", linewidth=1.2,
                                      label="steepest ascent (∇f)", animated=True)
        self.descent_line = ax.axvline(0.0, color=_DESCENT, linestyle="--", linewidth=1.2,
                                       label="steepest descent (−∇f)", animated=True)
        (self.marker,) = ax.plot([], [], "o", color="black", markersize=7,
                                 label="central difference along u", animated=True)
        # Styled once; a move sets only the text.
        ax.set_title("", fontsize=10)
        ax.title.set_animated(True)
        self.reach = None  # the slope axis's half-height, set by _apply
        ax.set_xlim(-180, 180)
        ax.xaxis.set_major_locator(MultipleLocator(90))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("angle of u (degrees)")
        ax.set_ylabel("slope along u")
        self.legend = ax.legend(**legend_place)

        (xlo, xhi), (ylo, yhi) = self.window
        self.add_control("angle", ipywidgets.FloatSlider(
            value=float(angle), min=-180.0, max=180.0, step=1.0, description="angle °",
            readout_format=".0f", continuous_update=True))
        self.add_control("x0", ipywidgets.FloatSlider(
            value=point[0], min=xlo, max=xhi, step=(xhi - xlo) / 400, description="x₀",
            readout_format=".3g", continuous_update=True))
        self.add_control("y0", ipywidgets.FloatSlider(
            value=point[1], min=ylo, max=yhi, step=(yhi - ylo) / 400, description="y₀",
            readout_format=".3g", continuous_update=True))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        with np.errstate(all="ignore"):
            self._apply({"angle": angle, "x0": point[0], "y0": point[1]})

    def _apply(self, changes):
        point = np.array([self.controls["x0"].value, self.controls["y0"].value], dtype=float)
        angle = float(self.controls["angle"].value)
        self.gradient = np.asarray(self.objective.gradient(point), dtype=float).reshape(2)
        magnitude = float(np.hypot(*self.gradient))
        slopes = self._units @ self.gradient  # ∇f · u for every angle
        self.curve.set_ydata(slopes)
        reach = slope_reach(magnitude)
        if reach != self.reach:  # a new limit redraws the axes: only when a step is crossed
            self.reach = reach
            self.curve_ax.set_ylim(-reach, reach)
        theta = np.radians(angle)
        self.slope = float(self.gradient @ [np.cos(theta), np.sin(theta)])
        self.slope_estimate = float(slope_along(self.objective.value, point, angle, self.h))
        self.marker.set_data([angle], [self.slope_estimate])
        self.arrows.update(point, theta)
        if not np.isfinite(magnitude):
            self.steepest_angle = float("nan")
            self._hide_steepest()
            self.show_message("f is not differentiable here; move the point", "error")
            return
        if magnitude == 0.0:
            self.steepest_angle = float("nan")
            self._hide_steepest()
            self.curve_ax.title.set_text("∇f = 0: every direction is flat here")
            self.show_message("the gradient is zero at this point (a stationary point): no "
                              "direction goes up or down to first order", "warning")
            return
        self.steepest_angle = float(np.degrees(np.arctan2(self.gradient[1], self.gradient[0])))
        descent = _wrap_degrees(self.steepest_angle + 180.0)
        self.ascent_line.set_xdata([self.steepest_angle] * 2)
        self.descent_line.set_xdata([descent] * 2)
        self.ascent_line.set_visible(True)
        self.descent_line.set_visible(True)
        self.curve_ax.title.set_text(
            f"angle {angle:.0f}°:  ∇f · u = {format_number(self.slope)}   "
            f"(|∇f| = {format_number(magnitude)} at {self.steepest_angle:.0f}°)")
        offset = _wrap_degrees(angle - self.steepest_angle)
        self.show_message(
            f"u is {abs(offset):.0f}° from the gradient: slope |∇f| cos({abs(offset):.0f}°) = "
            f"{format_number(self.slope)}; central difference along u gives "
            f"{format_number(self.slope_estimate)}")

    def _hide_steepest(self):
        self.ascent_line.set_visible(False)
        self.descent_line.set_visible(False)

    def _on_click(self, event):
        if event.inaxes is not self.map_ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata), y0=float(event.ydata))
