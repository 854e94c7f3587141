"""Three-dimensional views: a surface with a path lifted onto it, and a tangent plane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from mpl_toolkits.mplot3d.art3d import Poly3DCollection

from gradlab.plotting._base import (
    SURFACE_CMAP,
    Grid,
    as_float_array,
    as_grid,
    as_runs,
    axis_labels,
    color_for,
    format_number,
    is_objective,
    new_axes,
    window_exits,
)


def _check_3d(ax: Any) -> Any:
    if ax is None:
        return new_axes(projection="3d")
    if getattr(ax, "name", "") != "3d":
        raise ValueError("this plot needs a 3-D axes: fig.add_subplot(projection='3d')")
    return ax


@dataclass(eq=False)
class SurfaceArtists:
    """What :func:`surface_3d` drew; :meth:`update` lifts a new path onto the fixed surface."""

    ax: Any
    grid: Grid
    surface: Any
    path: Any  # Line3D
    start: Any  # Line3D (one marker)
    end: Any  # Line3D (one marker)
    lift: float
    objective: Any

    def update(self, points: Any, values: Any = None) -> None:
        """Show a new path ``(steps + 1, 2)``; heights from the objective unless ``values``."""
        runs = as_runs(points)
        if runs.shape[1] != 1:
            raise ValueError(f"surface_3d shows one path (steps + 1, 2), got {np.shape(points)}")
        exits = window_exits(runs, self.grid.window)
        path = runs[:, 0]
        if exits.escaped[0]:
            # Beyond the window there is no surface to lie on: stop at the last inside point.
            path = path[: max(int(exits.last_inside[0]) + 1, 0)]
        if values is None:
            if self.objective is None:
                raise ValueError("pass values= (the surface was drawn from a grid)")
            heights = np.asarray(self.objective.value(path), dtype=float).reshape(-1)
        else:
            heights = as_float_array(values, "values", 1)
            if heights.size != runs.shape[0]:
                raise ValueError(f"values must have one entry per point ({runs.shape[0]}), "
                                 f"got {heights.size}")
            heights = heights[: len(path)]
        z = heights + self.lift
        self.path.set_data_3d(path[:, 0], path[:, 1], z)
        self.start.set_data_3d(path[:1, 0], path[:1, 1], z[:1])
        self.end.set_data_3d(path[-1:, 0], path[-1:, 1], z[-1:])


def surface_3d(ax: Any, source: Any, points: Any = None, *, window: Any = None,
               resolution: int = 40, cmap: str = SURFACE_CMAP, alpha: float = 0.75,
               lift_fraction: float = 0.01, color: str | None = None) -> SurfaceArtists:
    """Draw a two-variable surface in 3-D with an optimizer's path lying on it.

    The path is lifted to ``f(path) + lift_fraction * (zmax - zmin)`` so it is not hidden in
    the surface. The axes draws artists in the order added (``computed_zorder`` off for this
    axes only), so the path stays in front of the surface from any viewing angle.

    Parameters
    ----------
    ax : 3-D Axes or None
        ``fig.add_subplot(projection="3d")``; ``None`` makes one.
    source : Objective or (x, y, z)
    points : array (steps + 1, 2), optional
        A path to show; :meth:`SurfaceArtists.update` changes it later.
    window : ((xlo, xhi), (ylo, yhi)), optional
        Defaults to the objective's window.
    resolution : int
        Grid points per axis (40 keeps redraws fast).
    cmap : str
    alpha : float
        Surface opacity.
    lift_fraction : float
        Height of the path above the surface, as a fraction of the surface's height range.
    color : str, optional
        Path colour.

    Returns
    -------
    SurfaceArtists
    """
    ax = _check_3d(ax)
    grid = as_grid(source, window, resolution)
    xx, yy = np.meshgrid(grid.x, grid.y)
    z = np.ma.masked_invalid(grid.z)
    surface = ax.plot_surface(xx, yy, z, cmap=cmap, alpha=alpha, linewidth=0,
                              antialiased=False, rcount=resolution, ccount=resolution)
    ax.computed_zorder = False
    finite = grid.z[np.isfinite(grid.z)]
    lift = lift_fraction * float(np.ptp(finite)) if finite.size else 0.0
    color = color or color_for(0)
    (path,) = ax.plot([], [], [], color=color, linewidth=2.0, marker="o", markersize=2.5)
    (start,) = ax.plot([], [], [], linestyle="none", marker="o", markersize=7, color=color,
                       markeredgecolor="white")
    (end,) = ax.plot([], [], [], linestyle="none", marker="*", markersize=12, color=color,
                     markeredgecolor="black", markeredgewidth=0.6)
    labels = axis_labels(source, 2)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_zlabel(f"f({labels[0]}, {labels[1]})")
    ax.set_xlim(*grid.window[0])
    ax.set_ylim(*grid.window[1])
    artists = SurfaceArtists(ax, grid, surface, path, start, end, lift,
                             source if is_objective(source) else None)
    if points is not None:
        artists.update(points)
    return artists


@dataclass(eq=False)
class TangentPlaneArtists:
    """What :func:`tangent_plane` drew; :meth:`update` moves the plane to a new point."""

    ax: Any
    plane: Any  # Poly3DCollection with one quadrilateral
    point: Any  # Line3D
    text: Any
    objective: Any
    half_width: float
    vertices: np.ndarray | None = None  # (4, 3) corners of the plane as last drawn

    def update(self, point: Any) -> None:
        """Move the tangent plane to ``point`` (shape (2,))."""
        point = as_float_array(point, "point", 1)
        if point.shape != (2,) or not np.all(np.isfinite(point)):
            raise ValueError(f"point must be two finite numbers, got {point!r}")
        value = float(np.asarray(self.objective.value(point)))
        slope_x, slope_y = np.asarray(self.objective.gradient(point), dtype=float)
        h = self.half_width
        corners = point + np.array([[-h, -h], [h, -h], [h, h], [-h, h]])
        heights = value + (corners - point) @ np.array([slope_x, slope_y])
        self.vertices = np.column_stack([corners, heights])
        self.plane.set_verts([self.vertices])
        self.point.set_data_3d([point[0]], [point[1]], [value])
        self.text.set_text(
            f"z = {format_number(value)} + {format_number(slope_x)}·(x − {format_number(point[0])})"
            f" + {format_number(slope_y)}·(y − {format_number(point[1])})")


def tangent_plane(ax: Any, objective: Any, point: Any, *, half_width: float | None = None,
                  color: str | None = None, alpha: float = 0.55) -> TangentPlaneArtists:
    """Draw the plane touching a two-variable surface at ``point``, with its equation.

    The plane is ``z = f(p) + ∂f/∂x (x − p_x) + ∂f/∂y (y − p_y)``, drawn over a square of
    half-width ``half_width`` around ``p``. Draw the surface first with :func:`surface_3d`.

    Parameters
    ----------
    ax : 3-D Axes or None
    objective : Objective
        Needs ``value``, ``gradient`` and ``window``.
    point : array (2,)
    half_width : float, optional
        Defaults to 15 % of the window's smaller side.
    color : str, optional
    alpha : float

    Returns
    -------
    TangentPlaneArtists
    """
    if not (is_objective(objective) and hasattr(objective, "gradient")):
        raise TypeError("tangent_plane needs an objective with .value, .gradient and .window")
    ax = _check_3d(ax)
    if half_width is None:
        (xlo, xhi), (ylo, yhi) = objective.window
        half_width = 0.15 * min(xhi - xlo, yhi - ylo)
    if not half_width > 0:
        raise ValueError(f"half_width must be positive, got {half_width!r}")
    color = color or color_for(1)
    plane = Poly3DCollection([np.zeros((4, 3))], facecolor=color, edgecolor="black",
                             linewidth=0.6, alpha=alpha)
    ax.add_collection3d(plane)
    ax.computed_zorder = False
    (marker,) = ax.plot([], [], [], linestyle="none", marker="o", markersize=7,
                        color=color_for(0), markeredgecolor="white")
    text = ax.text2D(0.02, 0.98, "", transform=ax.transAxes, fontsize=9, va="top")
    artists = TangentPlaneArtists(ax, plane, marker, text, objective, float(half_width))
    artists.update(point)
    return artists
