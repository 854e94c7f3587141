"""Basins of attraction: which minimum each start point reaches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from gradlab.checks import check_window
from gradlab.formatting import format_number
from gradlab.plotting._base import (
    NONE_COLOR,
    as_float_array,
    color_for,
    new_axes,
)


def basin_labels(final_points: Any, minima: Any, tolerance: float = 0.05) -> np.ndarray:
    """Which minimum each final point reached: the nearest one within ``tolerance``, else -1.

    Parameters
    ----------
    final_points : array (..., dim)
        ``Trajectory.final_points`` (NaN for diverged runs), possibly on a grid of starts.
    minima : array (k, dim)
        ``Objective.minima``.
    tolerance : float
        Largest Euclidean distance that still counts as "reached".

    Returns
    -------
    ndarray of int, shape (...)
        Index into ``minima``; -1 for runs that diverged or stopped away from every minimum.

    Examples
    --------
    >>> basin_labels([[0.01, 0.0], [0.98, 1.0], [0.5, 0.5], [np.nan, np.nan]],
    ...              [[0.0, 0.0], [1.0, 1.0]], tolerance=0.1).tolist()
    [0, 1, -1, -1]
    """
    points = as_float_array(final_points, "final_points", tuple(range(1, 8)))
    centres = as_float_array(minima, "minima", 2)
    if centres.shape[0] == 0 or centres.shape[1] != points.shape[-1]:
        raise ValueError(f"minima must have shape (k, {points.shape[-1]}) with k >= 1, "
                         f"got {centres.shape}")
    if not (np.isfinite(tolerance) and tolerance > 0):
        raise ValueError(f"tolerance must be a positive number, got {tolerance!r}")
    finite = np.all(np.isfinite(points), axis=-1)
    safe = np.where(finite[..., None], points, 0.0)
    distances = np.linalg.norm(safe[..., None, :] - centres, axis=-1)
    nearest = np.argmin(distances, axis=-1)
    close = np.take_along_axis(distances, nearest[..., None], axis=-1)[..., 0] <= tolerance
    return np.where(finite & close, nearest, -1)


@dataclass(eq=False)
class BasinArtists:
    """What :func:`basin_map` drew; :meth:`update` recolours with new labels."""

    ax: Any
    image: Any  # AxesImage (labels on a grid) or None
    points: Any  # PathCollection (scattered starts) or None
    minima: Any
    legend: Any
    n_minima: int

    def update(self, labels: Any, starts: Any = None) -> None:
        """Show new labels (same layout as when drawn); scattered starts may move too."""
        labels = _check_labels(labels, self.n_minima)
        if self.image is not None:
            if labels.ndim != 2:
                raise ValueError(f"this map is an image: labels must be 2-D, got {labels.shape}")
            self.image.set_data(labels)
        else:
            if labels.ndim != 1:
                raise ValueError(f"this map is a scatter: labels must be 1-D, got {labels.shape}")
            if starts is not None:
                self.points.set_offsets(_check_starts(starts, labels.size))
            elif labels.size != len(self.points.get_offsets()):
                raise ValueError("labels has a new length: pass the matching starts too")
            self.points.set_array(labels)


def _check_labels(labels: Any, n_minima: int) -> np.ndarray:
    array = np.asarray(labels)
    if array.dtype.kind not in "iu" or array.ndim not in (1, 2):
        raise ValueError("labels must be a 1-D or 2-D integer array (basin_labels output), got "
                         f"dtype {array.dtype}, shape {array.shape}")
    if array.size and (array.min() < -1 or array.max() >= n_minima):
        raise ValueError(f"labels must lie in -1 .. {n_minima - 1} (one per minimum), got "
                         f"{array.min()} .. {array.max()}")
    return array


def _check_starts(starts: Any, count: int) -> np.ndarray:
    starts = as_float_array(starts, "starts", 2)
    if starts.shape != (count, 2):
        raise ValueError(f"starts must have shape ({count}, 2) to match labels, got "
                         f"{starts.shape}")
    return starts


def basin_map(ax: Any, labels: Any, minima: Any, *, window: Any = None, starts: Any = None,
              colors: Any = None, legend: bool = True) -> BasinArtists:
    """Colour each start point by the minimum gradient descent carried it to.

    Parameters
    ----------
    ax : matplotlib Axes or None
    labels : int array (rows, cols) or (n,)
        From :func:`basin_labels`: a grid of starts (drawn as an image over ``window``, row 0
        at the bottom) or scattered starts (drawn as small squares at ``starts``).
    minima : array (k, 2)
        Marked, and numbered in the legend.
    window : ((xlo, xhi), (ylo, yhi))
        Required for a grid of labels: the extent of the grid of starts.
    starts : array (n, 2)
        Required for scattered labels.
    colors : list of k colours, optional
        One per minimum; the Okabe–Ito palette by default. Label -1 is light grey.
    legend : bool

    Returns
    -------
    BasinArtists
    """
    centres = as_float_array(minima, "minima", 2)
    if centres.shape[0] == 0 or centres.shape[1] != 2:
        raise ValueError(f"minima must have shape (k, 2) with k >= 1, got {centres.shape}")
    k = centres.shape[0]
    grid_labels = _check_labels(labels, k)
    colors = [color_for(i) for i in range(k)] if colors is None else list(colors)
    if len(colors) != k:
        raise ValueError(f"colors must have one entry per minimum ({k}), got {len(colors)}")
    cmap = ListedColormap([NONE_COLOR, *colors])
    norm = BoundaryNorm(np.arange(-1.5, k), cmap.N)
    ax = new_axes() if ax is None else ax
    image = points = None
    if grid_labels.ndim == 2:
        if window is None:
            raise ValueError("a grid of labels needs window=((xlo, xhi), (ylo, yhi))")
        (xlo, xhi), (ylo, yhi) = check_window(window, 2)
        image = ax.imshow(grid_labels, origin="lower", extent=(xlo, xhi, ylo, yhi), cmap=cmap,
                          norm=norm, interpolation="nearest", aspect="auto", zorder=0)
    else:
        if starts is None:
            raise ValueError("scattered labels (n,) need starts=(n, 2)")
        offsets = _check_starts(starts, grid_labels.size)
        points = ax.scatter(offsets[:, 0], offsets[:, 1], c=grid_labels, cmap=cmap, norm=norm,
                            s=6, marker="s", linewidths=0, zorder=0)
        if window is not None:
            (xlo, xhi), (ylo, yhi) = check_window(window, 2)
            ax.set_xlim(xlo, xhi)
            ax.set_ylim(ylo, yhi)
    marked = ax.scatter(centres[:, 0], centres[:, 1], marker="P", s=110, facecolor=colors,
                        edgecolor="white", linewidth=1.2, zorder=3)
    handles = [Patch(facecolor=color, edgecolor="black", linewidth=0.5,
                     label=f"minimum {i} ({format_number(x)}, {format_number(y)})")
               for i, (color, (x, y)) in enumerate(zip(colors, centres, strict=True))]
    handles.append(Patch(facecolor=NONE_COLOR, edgecolor="black", linewidth=0.5,
                         label="no minimum / diverged"))
    legend_artist = ax.legend(handles=handles, fontsize=8, loc="upper right",
                              framealpha=0.9) if legend else None
    ax.set_xlabel("start x")
    ax.set_ylabel("start y")
    return BasinArtists(ax, image, points, marked, legend_artist, k)
