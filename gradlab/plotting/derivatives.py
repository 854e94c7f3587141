"""Derivatives made visible: the tangent line of a curve, a directional derivative on a map."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradlab.checks import check_int, check_window
from gradlab.formatting import format_number
from gradlab.plotting._base import (
    as_float_array,
    color_for,
    is_objective,
    new_axes,
)


def _curve_functions(f: Any, df: Any) -> tuple[Callable, Callable, Any]:
    """``f`` and ``df`` as functions of a 1-D array of x values, plus a default window."""
    if is_objective(f):
        if getattr(f, "dim", 1) != 1:
            raise ValueError(f"tangent_line needs a one-variable objective, got dim={f.dim}")
        objective = f
        return (lambda x: np.asarray(objective.value(x[..., None]), dtype=float),
                lambda x: np.asarray(objective.gradient(x[..., None]), dtype=float)[..., 0],
                objective.window)
    if not callable(f) or not callable(df):
        raise TypeError("tangent_line needs callables f(x) and df(x), or a one-variable "
                        "objective as f (then df=None)")
    return (lambda x: np.asarray(f(x), dtype=float), lambda x: np.asarray(df(x), dtype=float),
            None)


@dataclass(eq=False)
class TangentLineArtists:
    """What :func:`tangent_line` drew; :meth:`update` moves the touching point."""

    ax: Any
    curve: Any
    tangent: Any
    point: Any
    text: Any
    f: Callable
    df: Callable
    window: tuple

    def update(self, x0: float, name: str = "x₀") -> None:
        """Move the tangent to touch the curve at ``x0``; ``name`` is how the text calls it
        (``"x₃"`` for the iterate of step 3)."""
        x0 = float(x0)
        if not np.isfinite(x0):
            raise ValueError(f"x0 must be finite, got {x0!r}")
        value = float(self.f(np.array([x0]))[0])
        slope = float(self.df(np.array([x0]))[0])
        ends = np.array(self.window[0])
        self.tangent.set_data(ends, value + slope * (ends - x0))
        self.point.set_data([x0], [value])
        self.text.set_text(f"{name} = {format_number(x0)}   f({name}) = {format_number(value)}   "
                           f"slope f′({name}) = {format_number(slope)}")


def tangent_line(ax: Any, f: Any, df: Any, x0: float, *, window: Any = None,
                 resolution: int = 400) -> TangentLineArtists:
    """Draw a curve ``y = f(x)`` and its tangent line at ``x0``, with the slope written out.

    Parameters
    ----------
    ax : matplotlib Axes or None
    f : callable or one-variable Objective
        ``f(x)`` for a 1-D array ``x``; an objective may stand in for both ``f`` and ``df``.
    df : callable or None
        The derivative ``f'(x)``; ``None`` when ``f`` is an objective.
    x0 : float
        Where the tangent touches.
    window : ((xlo, xhi),), optional
        The x range; required for plain callables, defaults to the objective's window.
    resolution : int
        Points on the curve.

    Returns
    -------
    TangentLineArtists

    Examples
    --------
    >>> artists = tangent_line(None, np.square, lambda x: 2 * x, 1.0, window=((-2, 2),))
    >>> artists.tangent.get_ydata().tolist()  # y = 1 + 2 (x - 1) at x = -2 and x = 2
    [-5.0, 3.0]
    """
    f_x, df_x, default_window = _curve_functions(f, df)
    if window is None:
        if default_window is None:
            raise ValueError("tangent_line needs window=((xlo, xhi),) for plain callables")
        window = default_window
    window = check_window(window, 1)
    resolution = check_int("resolution", resolution, minimum=2)
    ax = new_axes() if ax is None else ax
    x = np.linspace(*window[0], resolution)
    y = f_x(x)
    (curve,) = ax.plot(x, y, color=color_for(1), linewidth=2.0, label="f(x)")
    finite = y[np.isfinite(y)]
    if finite.size:
        low, high = float(finite.min()), float(finite.max())
        pad = 0.08 * (high - low) if high > low else 1.0
        ax.set_ylim(low - pad, high + pad)
    ax.set_xlim(*window[0])
    (tangent,) = ax.plot([], [], color=color_for(0), linewidth=1.6, linestyle="--",
                         label="tangent line", scalex=False, scaley=False)
    (point,) = ax.plot([], [], linestyle="none", marker="o", markersize=8, color=color_for(0),
                       markeredgecolor="white", scalex=False, scaley=False)
    text = ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=9,
                   bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
    name = getattr(f, "variables", None)
    ax.set_xlabel(str(name[0]) if name else "x")
    ax.set_ylabel("f(x)")
    ax.legend(loc="lower right", fontsize=9)
    artists = TangentLineArtists(ax, curve, tangent, point, text, f_x, df_x, window)
    artists.update(x0)
    return artists


@dataclass(eq=False)
class DirectionalDerivativeArtists:
    """What :func:`directional_derivative` drew; :meth:`update` takes a new point or angle."""

    ax: Any
    arrows: Any  # Quiver: [gradient direction, u]
    projection: Any  # Line2D: dashed drop from the gradient arrow's tip onto u
    point: Any  # Line2D marker
    text: Any
    objective: Any
    arrow_length: float
    where: np.ndarray
    angle: float

    def update(self, point: Any = None, angle: float | None = None) -> None:
        """Move to ``point`` (2,) and/or turn the direction to ``angle`` (radians)."""
        if point is not None:
            point = as_float_array(point, "point", 1)
            if point.shape != (2,) or not np.all(np.isfinite(point)):
                raise ValueError(f"point must be two finite numbers, got {point!r}")
            self.where = point
        if angle is not None:
            if not np.isfinite(angle):
                raise ValueError(f"angle must be finite (radians), got {angle!r}")
            self.angle = float(angle)
        p = self.where
        gradient = np.asarray(self.objective.gradient(p), dtype=float).reshape(2)
        u = np.array([np.cos(self.angle), np.sin(self.angle)])
        derivative = float(gradient @ u)
        magnitude = float(np.linalg.norm(gradient))
        # Both arrows get the same drawn length; the numbers carry the magnitudes.
        direction = gradient / magnitude if magnitude > 0 else np.zeros(2)
        length = self.arrow_length
        self.arrows.set_offsets(np.array([p, p]))
        self.arrows.set_UVC(np.array([direction[0], u[0]]) * length,
                            np.array([direction[1], u[1]]) * length)
        tip = p + length * direction
        foot = p + length * float(direction @ u) * u
        self.projection.set_data([tip[0], foot[0]], [tip[1], foot[1]])
        self.point.set_data([p[0]], [p[1]])
        self.text.set_text(
            f"u = ({format_number(u[0])}, {format_number(u[1])})   "
            f"|∇f| = {format_number(magnitude)}\n"
            f"∇f·u = {format_number(derivative)}   "
            f"(angle {format_number(np.degrees(self.angle))}°)")


def directional_derivative(ax: Any, objective: Any, point: Any, angle: float, *,
                           arrow_length: float | None = None) -> DirectionalDerivativeArtists:
    """Show the directional derivative ``∇f·u`` at ``point`` for the unit vector at ``angle``.

    Two arrows of equal drawn length start at the point: the gradient's direction and the unit
    direction ``u = (cos angle, sin angle)``. A dashed line drops from the gradient arrow's tip
    onto ``u``: where it lands is ``cos θ`` of the way along ``u``, and
    ``∇f·u = |∇f| cos θ`` is written out. Draw it over a :func:`contour_map`.

    Parameters
    ----------
    ax : matplotlib Axes or None
    objective : Objective
        Two-variable, with ``gradient`` and ``window``.
    point : array (2,)
    angle : float
        Direction of ``u`` in radians, counter-clockwise from the x axis.
    arrow_length : float, optional
        Drawn arrow length in data units; defaults to 20 % of the window's smaller side.

    Returns
    -------
    DirectionalDerivativeArtists
    """
    if not (is_objective(objective) and hasattr(objective, "gradient")):
        raise TypeError("directional_derivative needs an objective with .gradient and .window")
    ax = new_axes() if ax is None else ax
    window = check_window(objective.window, 2, "objective.window")
    if arrow_length is None:
        arrow_length = 0.2 * min(hi - lo for lo, hi in window)
    if not arrow_length > 0:
        raise ValueError(f"arrow_length must be positive, got {arrow_length!r}")
    if not ax.has_data():
        ax.set_xlim(*window[0])
        ax.set_ylim(*window[1])
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    arrows = ax.quiver([0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0],
                       color=[color_for(0), color_for(1)], angles="xy", scale_units="xy",
                       scale=1.0, width=0.008, zorder=5)
    ax.plot([], [], color=color_for(0), linewidth=3, label="∇f direction")
    ax.plot([], [], color=color_for(1), linewidth=3, label="u")
    (projection,) = ax.plot([], [], color="0.2", linestyle=":", linewidth=1.2, zorder=4)
    (marker,) = ax.plot([], [], linestyle="none", marker="o", markersize=6, color="black",
                        zorder=6)
    text = ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=9,
                   bbox={"facecolor": "white", "alpha": 0.85, "linewidth": 0}, zorder=7)
    ax.legend(loc="lower right", fontsize=9)
    artists = DirectionalDerivativeArtists(ax, arrows, projection, marker, text, objective,
                                           float(arrow_length), np.zeros(2), float(angle))
    artists.update(point, angle)
    return artists
