"""Optimizer paths on a contour map: one or many runs, a race of optimizers, ghost trails."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from gradlab.checks import check_int, check_window
from gradlab.plotting._base import (
    as_runs,
    color_for,
    new_axes,
    window_exits,
)
from gradlab.plotting.contours import ContourArtists, contour_map

#: Above this many runs, paths go into one LineCollection without per-step markers.
MANY_RUNS = 12


def _escape_note(step: int, blew_up: bool) -> str:
    return f"diverged at step {step}" if blew_up else f"left at step {step}"


@dataclass(eq=False)
class TrajectoryArtists:
    """What :func:`trajectory_lines` drew; :meth:`update` moves the data, never adds artists.

    Attributes
    ----------
    lines : list of Line2D
        One line (path and step markers) per run, when there are at most ``MANY_RUNS`` runs.
    collection : LineCollection or None
        All paths in one collection otherwise.
    starts, ends, exits : PathCollection
        Start points (circles), end points of runs still in the window (stars), and where runs
        left the window or diverged (crosses).
    notes : list of Annotation
        A fixed pool of "left at step k" labels for the first escaped runs.
    window : ((xlo, xhi), (ylo, yhi))
    """

    ax: Any
    lines: list
    collection: Any
    starts: Any
    ends: Any
    exits: Any
    notes: list
    window: tuple
    colors: list
    n_runs: int
    points: np.ndarray = field(repr=False)

    def update(self, points: Any) -> None:
        """Show new paths ``(steps + 1, n, 2)`` (or ``(steps + 1, 2)``) for the same ``n`` runs."""
        runs = as_runs(points)
        if runs.shape[1] != self.n_runs:
            raise ValueError(f"update got {runs.shape[1]} runs; these artists were drawn for "
                             f"{self.n_runs} (draw again to change the number of runs)")
        self.points = runs
        exits = window_exits(runs, self.window)
        paths = _visible_paths(runs, exits)
        if self.collection is not None:
            self.collection.set_segments(paths)
        else:
            for line, path in zip(self.lines, paths, strict=True):
                line.set_data(path[:, 0], path[:, 1])
        colors = np.array(self.colors, dtype=object)
        self.starts.set_offsets(runs[0])
        stayed = ~exits.escaped
        self.ends.set_offsets(runs[-1][stayed].reshape(-1, 2))
        self.ends.set_facecolor(list(colors[stayed]))
        left = exits.escaped & (exits.last_inside >= 0)
        self.exits.set_offsets(exits.exit_points[left].reshape(-1, 2))
        self.exits.set_color(list(colors[left]))
        self._update_notes(exits, np.flatnonzero(left))

    def _update_notes(self, exits: Any, escaped_runs: np.ndarray) -> None:
        (xlo, xhi), (ylo, yhi) = self.window
        centre = ((xlo + xhi) / 2, (ylo + yhi) / 2)
        for note_index, note in enumerate(self.notes):
            if note_index >= escaped_runs.size:
                note.set_visible(False)
                continue
            run = escaped_runs[note_index]
            x, y = exits.exit_points[run]
            note.xy = (x, y)
            # Put the text on the window side of the cross so it stays readable.
            note.set_position((-6 if x > centre[0] else 6, -8 if y > centre[1] else 8))
            note.set_horizontalalignment("right" if x > centre[0] else "left")
            note.set_verticalalignment("top" if y > centre[1] else "bottom")
            note.set_text(_escape_note(int(exits.last_inside[run]) + 1, bool(exits.blew_up[run])))
            note.set_visible(True)


def path_in_window(points: Any, window: Any) -> np.ndarray:
    """One run's path as :func:`trajectory_lines` draws it: cut where it left ``window``.

    A path that escaped ends at the window edge (or at its last point inside when it blew
    up), so a line drawn through it never streaks across the view to points far outside.

    Examples
    --------
    >>> path_in_window([[0.0, 0.0], [0.5, 0.0], [3.0, 0.0]], ((-1, 1), (-1, 1))).tolist()
    [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]]
    """
    runs = as_runs(points)
    if runs.shape[1] != 1:
        raise ValueError(f"path_in_window takes one run (steps + 1, 2), got {np.shape(points)}")
    window = check_window(window, 2)
    return _visible_paths(runs, window_exits(runs, window))[0]


def _visible_paths(runs: np.ndarray, exits: Any) -> list[np.ndarray]:
    """Each run's path as drawn: up to its exit from the window when it escaped."""
    paths = []
    for run in range(runs.shape[1]):
        if exits.escaped[run] and exits.last_inside[run] >= 0:
            last = exits.last_inside[run]
            path = np.vstack([runs[: last + 1, run], exits.exit_points[run][None]])
        else:
            path = runs[:, run]
        paths.append(path)
    return paths


def trajectory_lines(ax: Any, points: Any, *, window: Any = None, colors: Any = None,
                     labels: Sequence[str] | None = None, markers: bool = True,
                     linewidth: float = 1.6, max_notes: int = 3,
                     collection_color: str | None = None) -> TrajectoryArtists:
    """Draw one or many optimizer paths, with start, end and escapes marked.

    Each run is one line with a small marker per step, a circle at its start and a star at its
    end. A run whose last point is outside ``window`` or not finite (it diverged) is drawn up to
    the point where it left the window for good — its last segment clipped at the window edge —
    and marked there with a cross and a note "left at step k" (or "diverged at step k" when it
    went non-finite inside the window). More than ``MANY_RUNS`` runs are drawn as one
    LineCollection without step markers, which stays fast for thousands of runs.

    Parameters
    ----------
    ax : matplotlib Axes or None
    points : array, shape (steps + 1, n, 2) or (steps + 1, 2)
        ``Trajectory.points`` (NaN after divergence is fine).
    window : ((xlo, xhi), (ylo, yhi)), optional
        The view; defaults to the axes' current limits when it already shows something
        (e.g. a :func:`contour_map`), else to the extent of the finite points.
        The axes limits are set to it.
    colors : list of colours, optional
        One per run; defaults to the Okabe–Ito palette (one colour for a collection).
    labels : list of str, optional
        Legend labels, one per run (ignored for a collection).
    markers : bool
        A marker at every step.
    linewidth : float
    max_notes : int
        How many escaped runs get a text note (the crosses mark all of them).
    collection_color : str, optional
        Colour of all paths when they are drawn as a collection.

    Returns
    -------
    TrajectoryArtists

    Examples
    --------
    >>> path = np.array([[0.0, 0.0], [0.5, 0.2], [2.0, 0.8]])
    >>> artists = trajectory_lines(None, path, window=((-1, 1), (-1, 1)))
    >>> artists.exits.get_offsets().tolist()  # left through the right edge at x = 1
    [[1.0, 0.4]]
    """
    runs = as_runs(points)
    n_runs = runs.shape[1]
    max_notes = check_int("max_notes", max_notes, minimum=0)
    ax = new_axes() if ax is None else ax
    window = _resolve_window(ax, runs, window)
    if labels is not None and len(labels) != n_runs:
        raise ValueError(f"labels must have one entry per run ({n_runs}), got {len(labels)}")
    many = n_runs > MANY_RUNS
    if colors is None:
        colors = ([collection_color or color_for(0)] * n_runs if many
                  else [color_for(i) for i in range(n_runs)])
    elif len(colors) != n_runs:
        raise ValueError(f"colors must have one entry per run ({n_runs}), got {len(colors)}")
    colors = list(colors)
    lines, collection = [], None
    if many:
        collection = LineCollection([], colors=colors, linewidths=0.8 * linewidth, alpha=0.6,
                                    zorder=3)
        ax.add_collection(collection, autolim=False)
    else:
        for run in range(n_runs):
            line = Line2D([], [], color=colors[run], linewidth=linewidth,
                          marker="o" if markers else None, markersize=3.0, zorder=3,
                          label=None if labels is None else labels[run])
            ax.add_line(line)
            lines.append(line)
    marker_size = 18 if many else 55
    starts = ax.scatter(runs[0, :, 0], runs[0, :, 1], s=marker_size, marker="o",
                        facecolor=colors, edgecolor="white", linewidth=0.8, zorder=5)
    ends = ax.scatter([], [], s=2.4 * marker_size, marker="*", edgecolor="black",
                      linewidth=0.6, zorder=5)
    # Not clipped: the cross sits on the window edge and must show whole.
    exits = ax.scatter([], [], s=1.3 * marker_size, marker="x", linewidth=2.0, zorder=6,
                       clip_on=False)
    notes = [ax.annotate("", xy=(0.0, 0.0), xytext=(6, 6), textcoords="offset points",
                         fontsize=8, annotation_clip=False, visible=False, zorder=6)
             for _ in range(max_notes)]
    ax.set_xlim(*window[0])
    ax.set_ylim(*window[1])
    artists = TrajectoryArtists(ax, lines, collection, starts, ends, exits, notes, window,
                                colors, n_runs, runs)
    artists.update(runs)
    return artists


def _resolve_window(ax: Any, runs: np.ndarray, window: Any) -> tuple:
    if window is not None:
        return check_window(window, 2)
    if ax.has_data():
        return check_window((ax.get_xlim(), ax.get_ylim()), 2)
    finite = runs[np.all(np.isfinite(runs), axis=-1)]
    if finite.size == 0:
        raise ValueError("points has no finite point; pass window=")
    low, high = finite.min(axis=0), finite.max(axis=0)
    margin = np.maximum(0.05 * (high - low), 0.5 * (high - low == 0))
    return check_window(np.column_stack([low - margin, high + margin]), 2)


@dataclass(eq=False)
class RaceArtists:
    """What :func:`race` drew; :meth:`update` reveals steps or shows new paths."""

    ax: Any
    contour: ContourArtists | None
    paths: TrajectoryArtists
    step_text: Any
    legend: Any
    names: list
    runs: np.ndarray = field(repr=False)

    @property
    def steps(self) -> int:
        return self.runs.shape[0] - 1

    def update(self, step: int | None = None, trajectories: Mapping[str, Any] | None = None
               ) -> None:
        """Show the paths up to ``step`` (all steps when ``None``); new paths if given."""
        if trajectories is not None:
            names, runs = _stack_named(trajectories)
            if names != self.names:
                raise ValueError(f"update needs the same optimizers {self.names}, got {names}")
            self.runs = runs
        if step is None:
            step = self.steps
        if isinstance(step, bool) or not isinstance(step, int | np.integer) or not (
                0 <= step <= self.steps):
            raise ValueError(f"step must be an integer in [0, {self.steps}], got {step!r}")
        self.paths.update(self.runs[: step + 1])
        self.step_text.set_text(f"step {step} / {self.steps}")


def _stack_named(trajectories: Mapping[str, Any]) -> tuple[list[str], np.ndarray]:
    if not isinstance(trajectories, Mapping) or not trajectories:
        raise ValueError("trajectories must be a non-empty dict {name: points (steps + 1, 2)}")
    names = [str(name) for name in trajectories]
    arrays = [as_runs(points, f"trajectories[{name!r}]") for name, points in trajectories.items()]
    lengths = {a.shape[0] for a in arrays}
    if len(lengths) != 1 or any(a.shape[1] != 1 for a in arrays):
        raise ValueError("every trajectory must be one run with the same number of steps, got "
                         + ", ".join(f"{n}: {np.shape(p)}" for n, p in trajectories.items()))
    return names, np.concatenate(arrays, axis=1)


def race(ax: Any, objective: Any, trajectories: Mapping[str, Any], *, step: int | None = None,
         window: Any = None, contour_options: Mapping[str, Any] | None = None,
         legend_location: str = "upper right") -> RaceArtists:
    """Draw several optimizers' paths on one surface, with a legend and a step counter.

    Parameters
    ----------
    ax : matplotlib Axes or None
    objective : Objective or None
        The surface under the race (drawn with :func:`contour_map`); ``None`` draws on what the
        axes already shows.
    trajectories : dict
        ``{name: points (steps + 1, 2)}``, every run the same length.
    step : int, optional
        Reveal the paths up to this step (for a Play button); all of them by default.
    window : ((xlo, xhi), (ylo, yhi)), optional
        Defaults to ``objective.window``.
    contour_options : dict, optional
        Keyword arguments for :func:`contour_map`.
    legend_location : str

    Returns
    -------
    RaceArtists
    """
    names, runs = _stack_named(trajectories)
    ax = new_axes() if ax is None else ax
    contour = None
    if objective is not None:
        contour = contour_map(ax, objective, window=window, **dict(contour_options or {}))
        window = contour.grid.window
    paths = trajectory_lines(ax, runs, window=window, labels=names)
    step_text = ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top",
                        fontsize=9, bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
    legend = ax.legend(handles=paths.lines, loc=legend_location, fontsize=9, framealpha=0.9)
    artists = RaceArtists(ax, contour, paths, step_text, legend, names, runs)
    artists.update(step)
    return artists


@dataclass(eq=False)
class GhostTrails:
    """A trail plus faded copies of the last few trails (see :func:`ghost_trails`)."""

    ax: Any
    current: Line2D
    ghosts: list  # Line2D, newest first
    count: int = 0  # how many ghosts show something

    def push(self, points: Any) -> None:
        """Show ``points`` as the current trail; the previous one becomes the newest ghost."""
        runs = as_runs(points)
        if runs.shape[1] != 1:
            raise ValueError(f"push takes one run (steps + 1, 2), got shape {np.shape(points)}")
        path = runs[:, 0]
        if self.ghosts and len(self.current.get_xdata()):
            # Shift the data down the fixed pool, oldest ghost dropped.
            for newer, older in zip(self.ghosts[-2::-1], self.ghosts[:0:-1], strict=True):
                older.set_data(*newer.get_data())
            self.ghosts[0].set_data(*self.current.get_data())
            self.count = min(self.count + 1, len(self.ghosts))
        self.current.set_data(path[:, 0], path[:, 1])

    def clear(self) -> None:
        """Empty the current trail and every ghost."""
        for line in (self.current, *self.ghosts):
            line.set_data([], [])
        self.count = 0


def ghost_trails(ax: Any, max_ghosts: int = 5, *, color: str | None = None,
                 fade: float = 0.55, linewidth: float = 1.6) -> GhostTrails:
    """Prepare a trail whose earlier versions stay visible as fading ghosts.

    Each :meth:`GhostTrails.push` (e.g. from a learning-rate slider) draws the new path and
    turns the previous one into a ghost; ghost ``i`` (0 = newest) has opacity
    ``0.8 * fade ** i``. The ``max_ghosts + 1`` lines are made once and reused.

    Parameters
    ----------
    ax : matplotlib Axes or None
    max_ghosts : int
        How many earlier trails stay visible.
    color : str, optional
        Defaults to the first palette colour.
    fade : float
        Opacity ratio between successive ghosts, in (0, 1).
    linewidth : float

    Returns
    -------
    GhostTrails

    Examples
    --------
    >>> trails = ghost_trails(None, max_ghosts=2)
    >>> for shift in range(4):
    ...     trails.push(np.array([[0.0, 0.0], [1.0, shift]]))
    >>> len(trails.ax.lines), trails.count
    (3, 2)
    """
    max_ghosts = check_int("max_ghosts", max_ghosts, minimum=0)
    if not 0.0 < fade < 1.0:
        raise ValueError(f"fade must be in (0, 1), got {fade!r}")
    ax = new_axes() if ax is None else ax
    color = color or color_for(0)
    ghosts = []
    for index in range(max_ghosts):
        ghost = Line2D([], [], color=color, linewidth=0.8 * linewidth,
                       alpha=0.8 * fade**index, zorder=2.5)
        ax.add_line(ghost)
        ghosts.append(ghost)
    current = Line2D([], [], color=color, linewidth=linewidth, marker="o", markersize=3.0,
                     zorder=3)
    ax.add_line(current)
    return GhostTrails(ax, current, ghosts)
