"""Contour maps of a two-variable surface and the gradient field drawn over them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.colors import BoundaryNorm, LogNorm, Normalize

from gradlab.checks import check_int, check_window
from gradlab.plotting._base import (
    SURFACE_CMAP,
    Grid,
    as_grid,
    axis_labels,
    is_objective,
    new_axes,
    uses_log_scale,
)


def contour_levels(z: np.ndarray, levels: int = 20, log_levels: bool | str = "auto") -> np.ndarray:
    """Contour levels for the values ``z``: evenly spaced, or log-spaced above the minimum.

    Log spacing puts levels at ``zmin`` and ``zmin + geomspace(d_low, zmax - zmin)``, so a
    narrow valley (Rosenbrock) keeps as many contours as its steep walls. ``"auto"`` chooses
    log spacing when the heights above the minimum span more than two decades between their
    5th percentile and their maximum.

    Parameters
    ----------
    z : ndarray
        Function values; NaN (undefined points) are ignored.
    levels : int
        Number of levels.
    log_levels : bool or "auto"

    Returns
    -------
    ndarray, shape (levels,)
        Increasing levels.

    Examples
    --------
    >>> contour_levels(np.array([0.0, 1.0, 2.0]), levels=3, log_levels=False)
    array([0., 1., 2.])
    """
    levels = check_int("levels", levels, minimum=2)
    if log_levels not in (True, False, "auto"):
        raise ValueError(f"log_levels must be True, False or 'auto', got {log_levels!r}")
    finite = np.asarray(z, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise ValueError("the surface has no finite values in the window")
    low, high = float(finite.min()), float(finite.max())
    if high <= low:
        return np.linspace(low - 1.0, low + 1.0, levels)
    heights = finite - low
    floor = float(np.percentile(heights, 5))
    floor = floor if floor > 0 else float(heights[heights > 0].min())
    use_log = (high - low) / floor > 100.0 if log_levels == "auto" else log_levels
    if not use_log:
        return np.linspace(low, high, levels)
    # The minimum itself is the first level, so the lowest band has no hole.
    return np.concatenate([[low], low + np.geomspace(floor, high - low, levels - 1)])


@dataclass(eq=False)
class ContourArtists:
    """What :func:`contour_map` drew.

    The contour sets are the fixed background; trajectories and arrows on top are updated.
    To show a different surface, call :meth:`remove` and draw again.
    """

    ax: Any
    grid: Grid
    levels: np.ndarray
    filled: Any  # QuadContourSet or None
    lines: Any  # QuadContourSet or None
    minima: Any  # PathCollection or None
    saddles: Any  # PathCollection or None
    colorbar: Any  # Colorbar or None

    def remove(self) -> None:
        """Take every artist of this map off the axes."""
        for artist in (self.filled, self.lines, self.minima, self.saddles):
            if artist is not None:
                artist.remove()
        if self.colorbar is not None:
            self.colorbar.remove()


def contour_map(ax: Any, source: Any, *, window: Any = None, resolution: int = 200,
                levels: int = 20, log_levels: bool | str = "auto", filled: bool = True,
                lines: bool = True, cmap: str = SURFACE_CMAP, alpha: float = 0.75,
                mark_minima: bool = True,
                colorbar: bool = False, minima: Any = None, saddles: Any = None) -> ContourArtists:
    """Draw contours of a two-variable surface, with its minima and saddle points marked.

    Parameters
    ----------
    ax : matplotlib Axes or None
        Where to draw; ``None`` makes a new figure.
    source : Objective or (x, y, z)
        An objective (evaluated on a grid over ``window``) or a ready grid with
        ``z.shape == (len(y), len(x))``.
    window : ((xlo, xhi), (ylo, yhi)), optional
        Defaults to ``source.window`` (or the grid's extent).
    resolution : int
        Grid points per axis when ``source`` is an objective.
    levels : int
        Number of contour levels.
    log_levels : bool or "auto"
        Log-spaced levels above the minimum (see :func:`contour_levels`).
    filled, lines : bool
        Draw filled contours, thin contour lines, or both.
    cmap : str
        Colour map of the filled contours.
    alpha : float
        Opacity of the filled contours; below 1 the background is lighter, so paths drawn
        on top keep their contrast.
    mark_minima : bool
        Mark ``source.minima`` (plus signs) and ``source.saddles`` (hollow squares).
    colorbar : bool
        Add a colour bar (it takes room from ``ax``).
    minima, saddles : array (k, 2), optional
        Points to mark instead of the objective's own (needed for a plain grid).

    Returns
    -------
    ContourArtists

    Examples
    --------
    >>> grid = (np.linspace(-1, 1, 30), np.linspace(-1, 1, 30),
    ...         np.add.outer(np.linspace(-1, 1, 30) ** 2, np.linspace(-1, 1, 30) ** 2))
    >>> artists = contour_map(None, grid, minima=[[0.0, 0.0]])
    >>> artists.ax.get_xlabel()
    'x'
    """
    ax = new_axes() if ax is None else ax
    grid = as_grid(source, window, resolution)
    level_values = contour_levels(grid.z, levels, log_levels)
    if not (filled or lines):
        raise ValueError("contour_map needs filled=True or lines=True (or both)")
    filled_set = line_set = None
    if filled:
        # A boundary norm colours band i with colour i/levels, so log-spaced levels still use
        # the whole colour map evenly.
        filled_set = ax.contourf(grid.x, grid.y, grid.z, levels=level_values, cmap=cmap,
                                 norm=BoundaryNorm(level_values, ncolors=256), alpha=alpha,
                                 zorder=0)
    if lines:
        line_set = ax.contour(grid.x, grid.y, grid.z, levels=level_values,
                              colors="white" if filled else "0.35",
                              linewidths=0.5, alpha=0.6 if filled else 0.8, zorder=1)
    marked_minima = _points_to_mark(source, "minima", minima)
    marked_saddles = _points_to_mark(source, "saddles", saddles)
    minima_artist = saddles_artist = None
    if mark_minima and marked_minima is not None:
        minima_artist = ax.scatter(marked_minima[:, 0], marked_minima[:, 1], marker="P", s=90,
                                   facecolor="white", edgecolor="black", linewidth=1.0,
                                   zorder=4, label="minimum")
    if mark_minima and marked_saddles is not None:
        saddles_artist = ax.scatter(marked_saddles[:, 0], marked_saddles[:, 1], marker="s",
                                    s=45, facecolor="none", edgecolor="black", linewidth=1.2,
                                    zorder=4, label="saddle point")
    (xlo, xhi), (ylo, yhi) = grid.window
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(ylo, yhi)
    xlabel, ylabel = axis_labels(source, 2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    bar = None
    if colorbar and filled_set is not None:
        bar = ax.figure.colorbar(filled_set, ax=ax, label=getattr(source, "name", None) or "f")
    return ContourArtists(ax, grid, level_values, filled_set, line_set, minima_artist,
                          saddles_artist, bar)


def _points_to_mark(source: Any, attribute: str, given: Any) -> np.ndarray | None:
    points = given if given is not None else getattr(source, attribute, None)
    if points is None:
        return None
    array = np.asarray(points, dtype=float).reshape(-1, 2) if np.size(points) else None
    if array is None or array.size == 0:
        return None
    return array


@dataclass(eq=False)
class GradientFieldArtists:
    """The quiver of :func:`gradient_field`; :meth:`update` recomputes arrows in place."""

    ax: Any
    quiver: Any
    positions: np.ndarray  # (m, 2) arrow tails
    arrow_length: float
    normalize: bool
    objective: Any
    descent: bool

    def update(self, objective: Any = None, *, descent: bool | None = None) -> None:
        """Recompute the arrows at the same positions.

        Parameters
        ----------
        objective : Objective, optional
            A new surface (e.g. after a slider changed a parameter); defaults to the last one.
        descent : bool, optional
            Show ``-∇f`` (the direction gradient descent moves) instead of ``∇f``.
        """
        if objective is not None:
            self.objective = objective
        if descent is not None:
            self.descent = bool(descent)
        u, v, magnitude = _arrows(self.objective, self.positions, self.arrow_length,
                                  self.normalize, self.descent)
        self.quiver.set_UVC(u, v, magnitude)
        self.quiver.set_norm(_magnitude_norm(magnitude))


def gradient_field(ax: Any, objective: Any, *, window: Any = None, resolution: int = 15,
                   normalize: bool = True, descent: bool = False, cmap: str = "plasma",
                   colorbar: bool = False) -> GradientFieldArtists:
    """Draw the gradient of a two-variable surface as arrows on a grid.

    With ``normalize=True`` (the default) every arrow has the same length and its colour gives
    the gradient's magnitude. Magnitudes differ by orders of magnitude across most surfaces
    (Rosenbrock's walls vs. its valley), so length-scaled arrows would show a few huge arrows and
    many invisible ones; equal arrows keep every direction readable, and the colour (on a log
    scale when magnitudes span more than two decades) keeps the size information.
    ``normalize=False`` scales arrows so the longest spans one grid cell.

    Parameters
    ----------
    ax : matplotlib Axes or None
    objective : Objective
        Two-variable; needs ``gradient(points) -> (..., 2)`` and ``window``.
    window : ((xlo, xhi), (ylo, yhi)), optional
        Defaults to ``objective.window``.
    resolution : int
        Arrows per axis.
    normalize : bool
        Equal-length arrows coloured by magnitude (see above).
    descent : bool
        Draw ``-∇f`` instead of ``∇f``.
    cmap : str
        Colour map of the magnitudes.
    colorbar : bool
        Add a colour bar of ``|∇f|`` (it takes room from ``ax``).

    Returns
    -------
    GradientFieldArtists
    """
    if not (is_objective(objective) and hasattr(objective, "gradient")):
        raise TypeError("gradient_field needs an objective with .gradient and .window, "
                        f"got {type(objective).__name__}")
    ax = new_axes() if ax is None else ax
    window = check_window(objective.window if window is None else window, 2)
    resolution = check_int("resolution", resolution, minimum=2)
    # Arrows sit at cell centres so none pokes out of the window.
    cells_x = np.linspace(*window[0], resolution + 1)
    cells_y = np.linspace(*window[1], resolution + 1)
    xx, yy = np.meshgrid((cells_x[:-1] + cells_x[1:]) / 2, (cells_y[:-1] + cells_y[1:]) / 2)
    positions = np.column_stack([xx.ravel(), yy.ravel()])
    cell = min(cells_x[1] - cells_x[0], cells_y[1] - cells_y[0])
    arrow_length = 0.8 * cell
    u, v, magnitude = _arrows(objective, positions, arrow_length, normalize, descent)
    quiver = ax.quiver(positions[:, 0], positions[:, 1], u, v, magnitude, cmap=cmap,
                       norm=_magnitude_norm(magnitude), angles="xy", scale_units="xy",
                       scale=1.0, pivot="mid", width=0.004, zorder=2)
    if colorbar:
        ax.figure.colorbar(quiver, ax=ax, label="|∇f|")
    if not ax.get_xlabel():
        xlabel, ylabel = axis_labels(objective, 2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_xlim(*window[0])
        ax.set_ylim(*window[1])
    return GradientFieldArtists(ax, quiver, positions, arrow_length, normalize, objective,
                                descent)


def _arrows(objective: Any, positions: np.ndarray, arrow_length: float, normalize: bool,
            descent: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    grads = np.asarray(objective.gradient(positions), dtype=float)
    if grads.shape != positions.shape:
        raise ValueError(f"objective.gradient returned shape {grads.shape} for points of "
                         f"shape {positions.shape}")
    if descent:
        grads = -grads
    magnitude = np.linalg.norm(grads, axis=-1)
    finite = np.isfinite(magnitude)
    if normalize:
        scale = np.zeros_like(magnitude)
        np.divide(arrow_length, magnitude, out=scale, where=finite & (magnitude > 0))
    else:
        largest = magnitude[finite].max() if finite.any() else 0.0
        scale = np.full_like(magnitude, arrow_length / largest if largest > 0 else 0.0)
        scale[~finite] = 0.0
    u = np.where(finite, grads[:, 0] * scale, 0.0)
    v = np.where(finite, grads[:, 1] * scale, 0.0)
    return u, v, np.where(finite, magnitude, np.nan)


def _magnitude_norm(magnitude: np.ndarray) -> Normalize:
    finite = magnitude[np.isfinite(magnitude)]
    # An arrow that lands next to a stationary point (|grad f| ~ 1e-15) must not stretch the
    # colour scale over fifteen decades: such arrows take the lowest colour (clip) instead.
    positive = finite[finite > 1e-6 * finite.max()] if finite.size else finite
    if positive.size and uses_log_scale(positive):
        return LogNorm(positive.min(), positive.max(), clip=True)
    if finite.size == 0 or finite.max() <= finite.min():
        return Normalize(0.0, 1.0 if finite.size == 0 else max(float(finite.max()), 1.0))
    return Normalize(float(finite.min()), float(finite.max()))
