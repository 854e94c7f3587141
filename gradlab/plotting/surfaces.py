"""Three-dimensional views: a surface with a path lifted onto it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gradlab.plotting._base import (
    SURFACE_CMAP,
    Grid,
    as_float_array,
    as_grid,
    as_runs,
    axis_labels,
    color_for,
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
