"""Shared pieces of :mod:`gradlab.plotting`: palette order, grids, window geometry, ticks."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from gradlab.checks import check_int, check_window
from gradlab.colors import (
    BLACK,
    BLUE,
    BLUISH_GREEN,
    LIGHT_GREY,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
)

#: The order :func:`color_for` hands the Okabe–Ito colours (:data:`OKABE_ITO`) out in: strong
#: colours first, yellow (hard to see on white) last.
LINE_COLORS = (VERMILLION, BLUE, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW)

#: Colour for "no minimum reached" / "diverged" in basin maps.
NONE_COLOR = LIGHT_GREY

#: The default colour map for surfaces: perceptually uniform and colour-blind safe.
SURFACE_CMAP = "viridis"


def color_for(index: int) -> str:
    """Colour number ``index`` of the line palette, cycling after eight.

    Parameters
    ----------
    index : int
        Position of the curve or run (0 for the first).

    Returns
    -------
    str
        A hex colour from the Okabe–Ito palette.

    Examples
    --------
    >>> from gradlab.colors import VERMILLION
    >>> color_for(0) == color_for(8) == VERMILLION
    True
    """
    if isinstance(index, bool) or not isinstance(index, int | np.integer):
        raise TypeError(f"color_for: index must be an integer, got {index!r}")
    return LINE_COLORS[int(index) % len(LINE_COLORS)]


class Grid(NamedTuple):
    """Function values on a rectangular grid: ``z[i, j] = f(x[j], y[i])``."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray

    @property
    def window(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return ((float(self.x[0]), float(self.x[-1])), (float(self.y[0]), float(self.y[-1])))


def is_objective(source: Any) -> bool:
    """True when ``source`` looks like a :class:`gradlab.functions.Objective` (duck-typed)."""
    return hasattr(source, "value") and hasattr(source, "window")


def as_float_array(value: Any, name: str, ndim: int | tuple[int, ...]) -> np.ndarray:
    """``value`` as a float array with one of the allowed numbers of axes, or a clear error."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, "
                         f"got {type(value).__name__}") from None
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if array.ndim not in allowed:
        raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} axes, "
                         f"got shape {array.shape}")
    return array


def as_runs(points: Any, name: str = "points", dim: int = 2) -> np.ndarray:
    """Trajectory points as ``(steps + 1, n, dim)``; one run may come as ``(steps + 1, dim)``."""
    array = as_float_array(points, name, (2, 3))
    if array.ndim == 2:
        array = array[:, None, :]
    if array.shape[-1] != dim or array.shape[0] < 1 or array.shape[1] < 1:
        raise ValueError(f"{name} must have shape (steps + 1, n, {dim}) or (steps + 1, {dim}), "
                         f"got {np.shape(points)}")
    return array


def axis_labels(source: Any, dim: int) -> tuple[str, ...]:
    """Axis labels from an objective's variables, else ``x``, ``y``."""
    names = getattr(source, "variables", None)
    if names is not None and len(names) == dim:
        return tuple(str(v) for v in names)
    return ("x", "y", "z")[:dim] if dim <= 3 else tuple(f"x{i + 1}" for i in range(dim))


def evaluate_grid(objective: Any, window: Any = None, resolution: int = 200) -> Grid:
    """Values of a two-variable ``objective`` on a ``resolution`` x ``resolution`` grid.

    Parameters
    ----------
    objective : Objective
        Anything with ``value(points (..., 2)) -> (...)`` and a ``window``.
    window : ((xlo, xhi), (ylo, yhi)), optional
        Defaults to ``objective.window``.
    resolution : int
        Grid points per axis.

    Returns
    -------
    Grid
        ``x (resolution,)``, ``y (resolution,)``, ``z (resolution, resolution)``.
    """
    if not is_objective(objective):
        raise TypeError("objective must have .value(points) and .window, "
                        f"got {type(objective).__name__}")
    window = check_window(objective.window if window is None else window, 2)
    resolution = check_int("resolution", resolution, minimum=2)
    x = np.linspace(*window[0], resolution)
    y = np.linspace(*window[1], resolution)
    xx, yy = np.meshgrid(x, y)
    z = np.asarray(objective.value(np.stack([xx, yy], axis=-1)), dtype=float)
    if z.shape != xx.shape:
        raise ValueError(f"objective.value returned shape {z.shape} for a grid of {xx.shape}")
    return Grid(x, y, z)


def as_grid(source: Any, window: Any = None, resolution: int = 200) -> Grid:
    """An objective (evaluated on a grid) or a ready ``(x, y, z)`` triple, as a :class:`Grid`."""
    if is_objective(source):
        return evaluate_grid(source, window, resolution)
    try:
        x, y, z = source
    except (TypeError, ValueError):
        raise TypeError("source must be an objective (with .value and .window) or a grid "
                        f"(x, y, z), got {type(source).__name__}") from None
    x = as_float_array(x, "grid x", 1)
    y = as_float_array(y, "grid y", 1)
    z = as_float_array(z, "grid z", 2)
    if z.shape != (y.size, x.size):
        raise ValueError(f"grid z must have shape (len(y), len(x)) = {(y.size, x.size)}, "
                         f"got {z.shape}")
    return Grid(x, y, z)


def uses_log_scale(values: Any, decades: float = 2.0) -> bool:
    """Whether ``values`` read better on a log axis.

    True when every finite value is >= 0 and the positive ones span more than ``decades``
    powers of ten (zeros are allowed: a loss that reached its minimum exactly).

    Examples
    --------
    >>> uses_log_scale([1.0, 0.5, 1e-3]), uses_log_scale([1.0, 0.5, 0.1])
    (True, False)
    >>> uses_log_scale([1.0, -1e-6, 1e-5])
    False
    """
    array = np.asarray(values, dtype=float)
    finite = array[np.isfinite(array)]
    positive = finite[finite > 0]
    if positive.size < 2 or np.any(finite < 0):
        return False
    return bool(np.log10(positive.max() / positive.min()) > decades)


def inside_window(points: np.ndarray, window: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Boolean ``(...)``: the point is finite and inside the (closed) window."""
    lows = np.array([lo for lo, _ in window])
    highs = np.array([hi for _, hi in window])
    with np.errstate(invalid="ignore"):
        return np.all((points >= lows) & (points <= highs), axis=-1)


def clip_segment_to_window(start: np.ndarray, end: np.ndarray,
                           window: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Where segments from ``start`` (inside) to ``end`` (outside) cross the window edge.

    Parameters
    ----------
    start, end : ndarray, shape (m, dim)
        Finite points; each ``start`` inside the window, each ``end`` outside.

    Returns
    -------
    ndarray, shape (m, dim)
        ``start + t (end - start)`` with the smallest ``t`` in ``[0, 1]`` on the boundary.
    """
    lows = np.array([lo for lo, _ in window])
    highs = np.array([hi for _, hi in window])
    delta = end - start
    t = np.full(start.shape, np.inf)
    above, below = end > highs, end < lows
    np.divide(highs - start, delta, out=t, where=above)
    np.divide(lows - start, delta, out=t, where=below)
    t_exit = np.clip(np.min(t, axis=-1), 0.0, 1.0)
    crossing = start + t_exit[:, None] * delta
    # Land exactly on the edge despite rounding.
    return np.clip(crossing, lows, highs)


class WindowExits(NamedTuple):
    """How a batch of runs relates to a view window (see :func:`window_exits`)."""

    escaped: np.ndarray  # (n,) bool: final point non-finite or outside the window
    last_inside: np.ndarray  # (n,) int: last step inside before escaping (-1: never inside)
    exit_points: np.ndarray  # (n, dim): where the run left (NaN when it did not escape)
    blew_up: np.ndarray  # (n,) bool: the run went non-finite straight from inside the window


def window_exits(runs: np.ndarray, window: tuple[tuple[float, float], ...]) -> WindowExits:
    """Find, for each run, where it left the window for good.

    A run *escaped* when its final point is non-finite (diverged) or outside the window. Its
    exit is on the segment from its last point inside the window to the next one, clipped to
    the window edge; when that next point is non-finite the exit is the last inside point.

    Parameters
    ----------
    runs : ndarray, shape (steps + 1, n, dim)
    window : sequence of (low, high)

    Returns
    -------
    WindowExits
    """
    steps_plus_one, n, dim = runs.shape
    inside = inside_window(runs, window)
    escaped = ~inside[-1]
    ever_inside = inside.any(axis=0)
    last_inside = np.where(ever_inside,
                           steps_plus_one - 1 - np.argmax(inside[::-1], axis=0), -1)
    exits = np.full((n, dim), np.nan)
    blew_up = np.zeros(n, dtype=bool)
    candidates = np.flatnonzero(escaped & ever_inside)
    if candidates.size:
        last = last_inside[candidates]
        start = runs[last, candidates]
        nxt = runs[last + 1, candidates]
        finite_next = np.all(np.isfinite(nxt), axis=-1)
        exits[candidates] = start
        if finite_next.any():
            exits[candidates[finite_next]] = clip_segment_to_window(
                start[finite_next], nxt[finite_next], window)
        blew_up[candidates[~finite_next]] = True
    return WindowExits(escaped, last_inside, exits, blew_up)


def few_ticks(*axes, steps=None):
    """At most about five labelled ticks per axis of each of ``axes``, and no minor ticks.

    Tick text is most of the cost of a redraw, and a live figure needs no finer scale. A log
    axis gets plain labels (``1e-05``: mathtext powers of ten cost ~10 ms a draw). ``steps``
    are the "nice" tick spacings of a linear axis (matplotlib's
    :class:`~matplotlib.ticker.MaxNLocator`); ``None`` keeps matplotlib's default list.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> ax.set_xlim(-2, 2)
    (-2.0, 2.0)
    >>> few_ticks(ax, steps=[1, 2, 2.5, 5, 10])
    >>> ax.get_xticks().tolist()
    [-2.0, -1.0, 0.0, 1.0, 2.0]
    """
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_locator(LogLocator(numticks=5))
                axis.set_major_formatter(FuncFormatter(_plain_tick))
            else:
                axis.set_major_locator(MaxNLocator(5, steps=steps))
            axis.set_minor_locator(NullLocator())


def _plain_tick(value, _position=None):
    return f"{value:g}"


def new_axes(projection: str | None = None, figsize: tuple[float, float] = (6.4, 4.8)):
    """A fresh figure with one axes (pyplot-managed, so notebooks display it)."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize)
    return fig.add_subplot(projection=projection)
