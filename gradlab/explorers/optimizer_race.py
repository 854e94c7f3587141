"""A race of already-run optimizers on several surfaces, revealed step by step.

The runs are computed beforehand, in the notebook, where the reader sees how every optimizer
was tuned; this figure only shows them. A ``step`` slider (and a Play button) reveals every
path up to step ``k`` on every surface at once, and the message under the figure names the
optimizer with the lowest value so far on each surface.

>>> import numpy as np
>>> from gradlab.functions import saddle
>>> steps = np.linspace(0, 1, 11)[:, None]
>>> race = RaceExplorer({"saddle": (saddle(), {
...     "slow": np.hstack([1 - 0.1 * steps, 0.1 * steps]),
...     "fast": np.hstack([1 - 0.5 * steps, steps])})})
>>> race.set(step=4).message            # fast is at (0.8, 0.4): f = 0.8² − 0.4²
'step 4: lowest f — saddle: fast 0.48'
>>> race.close()
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets
import numpy as np

from gradlab.plotting import few_ticks
from gradlab.plotting.trajectories import race
from gradlab.widgets import LiveFigure

__all__ = ["RaceExplorer"]


def _check_races(races):
    """Return ``[(title, objective, names, runs (steps + 1, n, 2), values (steps + 1, n))]``."""
    if not isinstance(races, Mapping) or not races:
        raise ValueError("races must be a non-empty dict {title: (objective, {name: points})}")
    checked, first_names = [], None
    for title, entry in races.items():
        if not (isinstance(entry, tuple | list) and len(entry) == 2):
            raise ValueError(f"races[{title!r}] must be a pair (objective, {{name: points}}), "
                             f"got {type(entry).__name__}")
        objective, trajectories = entry
        if getattr(objective, "dim", None) != 2:
            raise ValueError(f"races[{title!r}]: the objective must have two variables")
        if not isinstance(trajectories, Mapping) or not trajectories:
            raise ValueError(f"races[{title!r}]: give at least one path as {{name: points}}")
        names = [str(name) for name in trajectories]
        if first_names is None:
            first_names = names
        elif names != first_names:
            raise ValueError(f"every surface needs the same optimizers in the same order: "
                             f"{first_names} on the first, {names} on {title!r}")
        arrays = []
        for name, points in trajectories.items():
            array = np.asarray(points, dtype=float)
            if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] < 2:
                raise ValueError(f"races[{title!r}][{name!r}] must have shape (steps + 1, 2) "
                                 f"with at least one step, got {array.shape}")
            arrays.append(array)
        if len({a.shape[0] for a in arrays}) != 1:
            raise ValueError(f"races[{title!r}]: every path needs the same number of steps, got "
                             + ", ".join(f"{n}: {a.shape[0] - 1}"
                                         for n, a in zip(names, arrays, strict=True)))
        runs = np.stack(arrays, axis=1)
        with np.errstate(all="ignore"):
            values = np.asarray(objective.value(runs), dtype=float)
        checked.append((str(title), objective, names, runs, values))
    return checked


_LEGEND_COLUMNS = 4
#: Pixels: a step's marker is drawn only if no earlier step of its path fell in the same square of
#: this side (the others would sit under it, ~4 px wide). A long run that has settled stacks
#: thousands of markers on one spot; drawing them was most of a frame.
_MARKER_CELL = 1.5


def _first_in_cell(ax, points):
    """Indices of the points of one path ``(steps + 1, 2)`` that are the first to land in their
    ``_MARKER_CELL``-pixel square of ``ax``, in order (NaN points are left out)."""
    finite = np.flatnonzero(np.isfinite(points).all(axis=1))
    with np.errstate(all="ignore"):
        cells = np.floor(ax.transData.transform(points[finite]) / _MARKER_CELL)
    _, first = np.unique(cells, axis=0, return_index=True)
    return finite[np.sort(first)]


def _default_size(count, legend_rows):
    """Figure size (inches) for ``count`` panels: at most 9.3 wide, room for the legend rows."""
    panel = min(4.0, 9.3 / count)
    return (round(min(9.3, panel * count + 0.3), 2),
            round(panel * 0.9 + 0.7 + 0.22 * legend_rows + 0.25, 2))


def _leader(values, step):
    """Index of the lowest finite value among rows ``0..step`` per run (None if none finite)."""
    seen = values[: step + 1]
    best = np.where(np.isfinite(seen), seen, np.inf).min(axis=0)
    if not np.isfinite(best).any():
        return None, np.nan
    index = int(np.argmin(best))
    return index, float(best[index])


class RaceExplorer(LiveFigure):
    """Precomputed optimizer paths on one to three surfaces, side by side, with a step slider.

    Parameters
    ----------
    races : dict
        ``{panel title: (objective, {optimizer name: points (steps + 1, 2)})}``. Every panel
        names the same optimizers in the same order (they keep one colour each); panels may
        have different numbers of steps. Points after a divergence may be NaN.
    step : int, optional
        The step shown first (default: the last one, every path complete).
    legend_location : str
        ``"below"`` (default): one legend for every panel, in rows under the figure. Any
        matplotlib ``loc`` (``"lower left"``, ...) puts it inside the first panel instead; pick
        an empty corner.
    resolution : int
        Contour grid points per axis.
    figsize, dpi, png_dpi
        See :class:`gradlab.widgets.LiveFigure`. The default fits a 934-px-wide notebook
        output at ``dpi=100``: at most 9.3 inches wide, the panels side by side and narrower
        as there are more of them.

    Attributes
    ----------
    steps : int
        The longest race: the ``step`` slider runs from 0 to it.
    panels : list of RaceArtists
        One per surface (``gradlab.plotting.race``), updated in place.
    legend : matplotlib Legend
        The one legend shown: under the panels, or the first panel's.

    Notes
    -----
    A path that leaves its panel is marked with a cross where it left, without the "left at
    step k" note of :func:`gradlab.plotting.trajectory_lines`: in panels this narrow the notes of
    several escaping paths overlap.

    Each panel's title gives its number of steps; the step shown is the slider's, and the message
    says it too (a panel whose race is shorter than the slider shows its whole race, and the
    message says where it ended), so the panels carry no step counter of their own. Moving the
    slider only reveals stored points (``RaceArtists.update``) and rewrites the message; nothing
    is recomputed, so Play stays smooth.
    """

    def __init__(self, races, *, step=None, legend_location="below", resolution=100,
                 figsize=None, dpi=100, png_dpi=72):
        self._races = _check_races(races)
        if len(self._races) > 3:
            raise ValueError(f"RaceExplorer shows at most three surfaces, got {len(self._races)}")
        count = len(self._races)
        below = legend_location == "below"
        legend_rows = -(-len(self._races[0][2]) // _LEGEND_COLUMNS) if below else 0
        super().__init__(figsize=figsize or _default_size(count, legend_rows), dpi=dpi,
                         png_dpi=png_dpi,
                         title="RaceExplorer: " + ", ".join(r[0] for r in self._races))
        self.names = self._races[0][2]
        self.steps = max(r[3].shape[0] - 1 for r in self._races)
        if step is None:
            step = self.steps
        if isinstance(step, bool) or not isinstance(step, int | np.integer) or not (
                0 <= step <= self.steps):
            raise ValueError(f"step must be an integer in [0, {self.steps}], got {step!r}")

        self.panels = []
        for index, (title, objective, names, runs, _values) in enumerate(self._races):
            ax = self.figure.add_subplot(1, count, index + 1)
            trajectories = {name: runs[:, i] for i, name in enumerate(names)}
            panel = race(ax, objective, trajectories, contour_options={"resolution": resolution},
                         legend_location="upper right" if below else legend_location)
            if below or index > 0:  # one legend is enough: the colours are the same everywhere
                panel.legend.set_visible(False)
            ax.set_title(f"{title} ({runs.shape[0] - 1:,} steps)", fontsize=10)
            panel.step_text.set_visible(False)  # the slider and the message say the step
            ax.tick_params(labelsize=8)
            few_ticks(ax)  # tick text is most of a redraw's cost
            self.panels.append(panel)
        height = self.figure.get_size_inches()[1]
        # Room at the bottom, in inches: the message line, the legend rows, the x labels.
        bottom = (0.25 + 0.22 * legend_rows + 0.45) / height
        self.figure.subplots_adjust(left=0.06 if count > 1 else 0.1, right=0.99, bottom=bottom,
                                    top=0.93, wspace=0.28)
        self.legend = self.panels[0].legend
        if below:
            self.legend = self.figure.legend(
                handles=self.panels[0].paths.lines, loc="lower center", ncol=_LEGEND_COLUMNS,
                fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.25 / height),
                handlelength=1.6, columnspacing=1.2)

        # A move changes only the paths, their markers and the message: those are drawn
        # on a cached picture of the rest (contours, ticks, titles, the legend below).
        self._marked = [[_first_in_cell(panel.ax, runs[:, i]) for i in range(runs.shape[1])]
                        for panel, (_t, _o, _n, runs, _v) in zip(self.panels, self._races,
                                                                  strict=True)]
        for panel in self.panels:
            paths = panel.paths
            self.animate(*paths.lines, paths.starts, paths.ends, paths.exits, *paths.notes,
                         panel.step_text)
            if paths.collection is not None:
                self.animate(paths.collection)
            # The minimum and saddle markers sit above the paths (zorder 4): animated too, so
            # they are drawn in that order (a few markers).
            for marks in (panel.contour.minima, panel.contour.saddles) if panel.contour else ():
                if marks is not None:
                    self.animate(marks)
        if not below:
            # A legend inside a panel must stay on top of the paths it names. Its parts too:
            # drawing it resizes its frame, which would otherwise mark the panel stale.
            self.animate(*self.legend.findobj())

        self.add_control("step", ipywidgets.IntSlider(
            value=int(step), min=0, max=self.steps, description="step"))
        self.play = ipywidgets.Play(value=int(step), min=0, max=self.steps,
                                    step=max(1, self.steps // 100), interval=100,
                                    description="play")
        ipywidgets.link((self.play, "value"), (self.controls["step"], "value"))
        with np.errstate(all="ignore"):
            self._apply({"step": int(step)})
        self.redraw()

    def _control_rows(self):
        return [ipywidgets.HBox([self.play, self.controls["step"]])]

    def _apply(self, changes):
        step = int(self.controls["step"].value)
        leaders = []
        for panel, marks, (title, _objective, names, runs, values) in zip(
                self.panels, self._marked, self._races, strict=True):
            own = min(step, runs.shape[0] - 1)
            panel.update(own)
            for line, marked in zip(panel.paths.lines, marks, strict=True):
                last = len(line.get_xdata()) - 1  # the newest point (or the exit cross)
                line.set_markevery(np.append(marked[marked < last], last))
            for note in panel.paths.notes:  # the crosses mark escapes; notes would overlap
                note.set_visible(False)
            index, best = _leader(values, own)
            ended = f" (ended at step {own})" if own < step else ""
            leaders.append(f"{title}{ended}: " + ("none finite" if index is None
                                                  else f"{names[index]} {best:.3g}"))
        self.show_message(f"step {step}: lowest f — " + "; ".join(leaders))
