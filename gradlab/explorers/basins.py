r"""Basins of attraction: colour thousands of start points by the minimum they reach.

Gradient descent with momentum (plain descent when ``momentum = 0``),

.. math::

    b_{k+1} = \mu\, b_k + \nabla f(x_k), \qquad x_{k+1} = x_k - \eta\, b_{k+1},

with learning rate :math:`\eta` and momentum :math:`\mu` (PyTorch's ``SGD``), is run from every
cell centre of a grid of start points in one vectorized run. Each start gets the label of the
known minimum within ``tolerance`` of where it stopped (-1 when none: it diverged, stopped on a
saddle, or had not arrived yet). The map shows the labels; bars beside it show the share of
starts per minimum, so "does gradient descent find the global minimum?" gets a number.

A move is mostly a lookup. A map that is not cached yet is run together with the maps of the
next few positions of the same slider (one run, settings stacked as rows, about twice the cost
of one map for four), and the traced path rides along as one more row per setting. A move of
``x0`` or ``y0`` runs the paths from every position of that slider at once (one row each), so
the next moves along it are lookups. Everything a move changes is an animated artist (the map
image, the path, the bars, the title), drawn over the cached axes.

Examples
--------
>>> import matplotlib
>>> from gradlab.functions import himmelblau
>>> explorer = BasinExplorer(himmelblau(), grid=20, steps=100, lr=0.01)
>>> explorer.labels.shape
(20, 20)
>>> round(float(explorer.shares.sum()), 6)
1.0
>>> explorer.close()
"""

from __future__ import annotations

from collections import OrderedDict

import ipywidgets
import numpy as np

from gradlab.explorers.status import BACKGROUND, WorksAhead
from gradlab.functions import grid_of_starts
from gradlab.optimizers import SGD
from gradlab.plotting import NONE_COLOR, color_for, few_ticks
from gradlab.plotting.basins import basin_labels, basin_map
from gradlab.plotting.trajectories import trajectory_lines
from gradlab.runner import Trajectory, run
from gradlab.widgets import LiveFigure, log_slider

__all__ = ["BasinExplorer"]

# Maps kept per (surface, lr, momentum), so moving a slider back redraws at once (30 kB each).
_CACHED_MAPS = 256
# Traced paths kept per (surface, lr, momentum, start position), about 6 kB each: five lines
# of one start slider.
_CACHED_PATHS = 2048
# A map that is not cached is run with the maps of the next positions along the moved slider:
# one run of 4 maps costs about 2 of one (the per-step overhead is shared).
_MAPS_PER_RUN = 4


def _check_objective(objective):
    if getattr(objective, "dim", None) != 2:
        raise ValueError(f"BasinExplorer needs a two-variable objective, got dim = "
                         f"{getattr(objective, 'dim', None)}")
    minima = np.asarray(getattr(objective, "minima", np.zeros((0, 2))), dtype=float)
    if minima.ndim != 2 or minima.shape[0] == 0:
        raise ValueError(f"BasinExplorer needs an objective with known minima to colour by; "
                         f"{getattr(objective, 'name', 'this objective')} lists none")
    return minima


def _is_global(objective, minima):
    """Which listed minima are global: their value equals the best one (to 1e-9 relative)."""
    values = np.asarray(objective.value(minima), dtype=float)
    best = float(np.min(values))
    return np.abs(values - best) <= 1e-9 * max(1.0, abs(best))


def _remember(cache, key, value, size):
    """Put ``value`` in the OrderedDict ``cache`` as its newest entry; drop the oldest beyond
    ``size``."""
    cache[key] = value
    cache.move_to_end(key)
    if len(cache) > size:
        cache.popitem(last=False)


def _row(record, row, values=None):
    """Row ``row`` of a run as a Trajectory of its own (``values`` replace the record's).

    Copies, so that a cached path does not keep the whole run (thousands of rows) alive.
    """
    values = record.values[:, row:row + 1] if values is None else values
    return Trajectory(points=record.points[:, row:row + 1].copy(), values=values.copy(),
                      lrs=record.lrs[:, row:row + 1].copy(),
                      diverged_at=record.diverged_at[row:row + 1].copy(), has_values=True)


class BasinExplorer(WorksAhead, LiveFigure):
    """A basin-of-attraction map with learning-rate and momentum sliders, and one traced path.

    Controls: ``lr`` (log slider), ``momentum`` (0 is plain gradient descent), ``x0``/``y0``
    (the start of the traced path; a click on the map sets it), and ``surface`` when
    ``surfaces`` are given.

    Parameters
    ----------
    objective : Objective
        Two variables, with known ``minima`` (each gets a colour).
    surfaces : mapping of str to Objective or zero-argument factory, optional
        Offer a surface picker. ``objective`` should be one of them.
    grid : int
        Start points per axis; the map has ``grid²`` starts (at 60, a map not run yet costs
        a few tens of milliseconds).
    steps : int
        Updates per start.
    lr : float, optional
        Initial learning rate; default 40 % of the smallest stability bound ``2/λmax`` at the
        minima (so every minimum is stable).
    lr_range : (float, float), optional
        Slider range; default ``(lr / 30, lr * 10)``, which includes rates too large for the
        steepest minimum.
    momentum : float
        Initial momentum ``μ`` in ``[0, 0.99]``.
    start : (float, float), optional
        Start of the traced path; default the window's centre.
    tolerance : float
        Distance from a minimum that counts as having reached it.
    figsize, dpi, png_dpi
        See :class:`~gradlab.widgets.LiveFigure`.

    Attributes
    ----------
    starts : (grid², 2) array
    labels : (grid, grid) int array
        Index of the minimum each start reached, -1 for none (row 0 at the bottom).
    shares : (k + 1,) array
        Fraction of starts per minimum, then the fraction that reached none.
    global_share : float
        Fraction of starts that reached a global minimum.
    path : Trajectory
        The run from ``(x0, y0)``.
    """

    def __init__(self, objective, *, surfaces=None, grid=60, steps=200, lr=None, lr_range=None,
                 momentum=0.0, start=None, tolerance=0.05, figsize=(9.2, 4.4), dpi=100,
                 png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"BasinExplorer: {getattr(objective, 'name', 'surface')}")
        _check_objective(objective)
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
            raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
        if not (np.isfinite(tolerance) and tolerance > 0):
            raise ValueError(f"tolerance must be a positive number, got {tolerance!r}")
        if not 0.0 <= momentum <= 0.99:
            raise ValueError(f"momentum must lie in [0, 0.99], got {momentum!r}")
        grid_of_starts(objective.window, grid)  # checks grid
        self.grid, self.steps, self.tolerance = int(grid), int(steps), float(tolerance)
        self._surfaces = dict(surfaces or {})
        self._cache = {}
        self._maps = OrderedDict()
        self._paths = OrderedDict()
        if lr is None:
            lr = 0.4 * float(np.min(objective.stability_bound(objective.minima)))
        lr = float(lr)
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a positive number, got {lr!r}")
        low, high = (lr / 30, lr * 10) if lr_range is None else map(float, lr_range)

        layout = self.figure.add_gridspec(1, 2, width_ratios=(1.5, 1), left=0.08, right=0.97,
                                          bottom=0.2, top=0.9, wspace=0.45)
        self.ax = self.figure.add_subplot(layout[0])
        self.bar_ax = self.figure.add_subplot(layout[1])
        few_ticks(self.ax)  # tick text is most of a redraw's cost
        # Styled once; a move sets only the text (set_title would touch the static titles).
        self.ax.set_title("", fontsize=10)
        self.ax.title.set_animated(True)

        self.add_control("lr", log_slider("lr", lr, low, high))
        self.add_control("momentum", ipywidgets.FloatSlider(
            value=float(momentum), min=0.0, max=0.99, step=0.01, description="momentum μ",
            readout_format=".2f"))
        self.add_control("x0", ipywidgets.FloatSlider(description="x0", readout_format=".3g"))
        self.add_control("y0", ipywidgets.FloatSlider(description="y0", readout_format=".3g"))
        if self._surfaces:
            name = next((n for n, s in self._surfaces.items() if s is objective),
                        getattr(objective, "name", None))
            if name not in self._surfaces:
                raise ValueError(f"objective {name!r} is not one of the surfaces "
                                 f"{list(self._surfaces)}")
            self._cache[name] = objective
            self.add_control("surface", ipywidgets.Dropdown(
                options=list(self._surfaces), value=name, description="surface"))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)

        self.map = None
        self.paths = None
        self._last_setting = (lr, float(momentum))  # which way a slider last moved
        self._install(objective, start)
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})
        self.redraw()
        self._queue_maps(self._neighbours())

    # -- building (once per surface)
    def _install(self, objective, start=None):
        """Draw the map, bars and path artists for ``objective`` (a surface change only)."""
        self.objective = objective
        self.minima = _check_objective(objective)
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        self.is_global = _is_global(objective, self.minima)
        self.starts = grid_of_starts(self.window, self.grid)
        k = len(self.minima)
        if self.map is not None:
            for artist in (self.map.image, self.map.minima):
                artist.remove()
        self.map = basin_map(self.ax, np.full((self.grid, self.grid), -1), self.minima,
                             window=self.window, legend=False)
        # The map changes with lr and μ; the minima must stay drawn over it.
        self.animate(self.map.image, self.map.minima)
        self.ax.set_aspect("auto")
        (xlo, xhi), (ylo, yhi) = self.window
        centre = (0.5 * (xlo + xhi), 0.5 * (ylo + yhi)) if start is None else start
        if self.paths is None:
            self.paths = trajectory_lines(self.ax, np.array([centre, centre]),
                                          window=self.window, colors=["black"])
            self.animate(*self.paths.lines, self.paths.starts, self.paths.ends,
                         self.paths.exits, *self.paths.notes)
        self.paths.window = self.window
        self.ax.set_xlim(xlo, xhi)
        self.ax.set_ylim(ylo, yhi)

        # Bars: one per minimum (its map colour), then "none". Rebuilt only here.
        self.bar_ax.clear()
        colours = [color_for(i) for i in range(k)] + [NONE_COLOR]
        names = [f"{i}{' (global)' if self.is_global[i] else ''}" for i in range(k)]
        names.append("no minimum")
        positions = np.arange(k + 1)[::-1]
        self.bars = self.bar_ax.barh(positions, np.zeros(k + 1), color=colours,
                                     edgecolor="black", linewidth=0.5)
        self.bar_ax.set_yticks(positions, names, fontsize=8)
        self.bar_ax.set_xlim(0, 1)
        self.bar_ax.set_xlabel("share of start points")
        self.bar_ax.set_title("which minimum each start reaches", fontsize=10)
        self.bar_texts = [self.bar_ax.text(0.02, y, "", va="center", fontsize=8)
                          for y in positions]
        self.animate(*self.bars, *self.bar_texts)

        with self._quietly("x0", "y0"):
            for name, (lo, hi), value in zip(("x0", "y0"), self.window, centre, strict=True):
                control = self.controls[name]
                control.min, control.max = min(control.min, lo), max(control.max, hi)
                control.value = float(value)
                control.min, control.max = lo, hi
                control.step = (hi - lo) / 400

    # -- reacting to changes
    def _apply(self, changes):
        if "surface" in changes:
            name = changes["surface"]
            if name not in self._cache:
                source = self._surfaces[name]
                self._cache[name] = source if hasattr(source, "value") else source()
            self._install(self._cache[name])
        path = None
        moved = {"lr", "momentum", "surface"} & set(changes)
        if moved:
            path = self._show_map(moved)
        self._show_path(path, {"x0", "y0"} & set(changes))
        self._describe()

    def _setting(self):
        """``(lr, μ)`` of the sliders now."""
        return float(self.controls["lr"].value), float(self.controls["momentum"].value)

    def _surface_key(self):
        return id(self.objective)

    @staticmethod
    def _index(control, value=None):
        """The position of a FloatSlider's value on its grid of steps, or None when the value
        is not on it (set from code or by a click, not by the slider)."""
        value = control.value if value is None else value
        index = round((value - control.min) / control.step)
        on_grid = abs(control.min + index * control.step - value) <= 1e-9 * (
            control.max - control.min)
        return index if on_grid else None

    def _momentum_key(self, mu):
        index = self._index(self.controls["momentum"], mu)
        return ("position", index) if index is not None else ("value", mu)

    def _map_key(self, lr, mu):
        return self._surface_key(), lr, self._momentum_key(mu)

    def _start_key(self):
        """The traced path's start as slider positions (None when off the sliders' grid)."""
        ix, iy = (self._index(self.controls[name]) for name in ("x0", "y0"))
        return None if ix is None or iy is None else (ix, iy)

    def _path_key(self, lr, mu, start_key):
        return None if start_key is None else (*self._map_key(lr, mu), start_key)

    def _ahead(self, moved):
        """The settings to run now: the current one, then the next positions of the slider
        that moved, in the direction it moved, whose maps are not cached yet."""
        lr, mu = self._setting()
        ahead = []
        if moved == {"lr"}:
            values = [value for _label, value in self.controls["lr"].options]
            here, step = values.index(lr), 1 if lr >= self._last_setting[0] else -1
            ahead = [(values[i], mu) for i in range(here + step, here + _MAPS_PER_RUN * step, step)
                     if 0 <= i < len(values)]
        elif moved == {"momentum"} and self._index(self.controls["momentum"]) is not None:
            control = self.controls["momentum"]
            here, step = self._index(control), 1 if mu >= self._last_setting[1] else -1
            last = round((control.max - control.min) / control.step)
            ahead = [(lr, min(control.min + i * control.step, control.max))
                     for i in range(here + step, here + _MAPS_PER_RUN * step, step)
                     if 0 <= i <= last]
        return [(lr, mu)] + [pair for pair in ahead if self._map_key(*pair) not in self._maps]

    def _show_map(self, moved):
        """Label every start (from the cache when this setting was seen before).

        Returns the traced path when it rode along in a fresh map run, else None.
        """
        lr, mu = self._setting()
        key = self._map_key(lr, mu)
        path = None
        ahead = self._ahead(moved)  # before _last_setting changes: it tells the direction
        if key in self._maps:
            self._maps.move_to_end(key)
            self._queue_maps(ahead[1:])  # keep the next positions ready
        else:
            path = self._run_maps(ahead)
        self._last_setting = (lr, mu)
        labels, diverged = self._maps[key]
        self.labels = labels.reshape(self.grid, self.grid)
        self.diverged = diverged
        counts = np.bincount(labels + 1, minlength=len(self.minima) + 1)
        # Bars list the minima first and "none" last.
        self.shares = np.concatenate([counts[1:], counts[:1]]) / labels.size
        self.global_share = float(self.shares[:-1][self.is_global].sum())
        self.map.update(self.labels)
        for bar, text, share in zip(self.bars, self.bar_texts, self.shares, strict=True):
            bar.set_width(share)
            text.set_x(share + 0.02)
            text.set_text(f"{100 * share:.1f} %")
        return path

    def _neighbours(self, reach=2):
        """Settings ``reach`` positions either way of the lr and the momentum slider."""
        lr, mu = self._setting()
        values = [value for _label, value in self.controls["lr"].options]
        here = values.index(lr) if lr in values else None
        found = [] if here is None else [
            (values[i], mu) for d in range(1, reach + 1) for i in (here + d, here - d)
            if 0 <= i < len(values)]
        control, index = self.controls["momentum"], self._index(self.controls["momentum"])
        if index is not None:
            last = round((control.max - control.min) / control.step)
            found += [(lr, min(control.min + i * control.step, control.max))
                      for d in range(1, reach + 1) for i in (index + d, index - d)
                      if 0 <= i <= last]
        return found

    def _queue_maps(self, settings):
        """Run the maps of ``settings`` in the background worker (in a kernel, between moves),
        one map a job, so that moving on finds them cached instead of running them then.

        Everything a map depends on is taken now: the surface may change before it runs.
        """
        BACKGROUND.cancel(self)
        objective, starts, minima = self.objective, self.starts, self.minima
        for lr, mu in settings:
            key = self._map_key(lr, mu)
            if key in self._maps:
                continue

            def job(pause, lr=lr, mu=mu, key=key):
                pause()
                if key in self._maps:
                    return
                record = run(SGD(lr=lr, momentum=mu), objective.gradient, starts, self.steps)
                labels = basin_labels(record.final_points, minima, self.tolerance)
                _remember(self._maps, key, (labels, int(record.diverged.sum())), _CACHED_MAPS)

            BACKGROUND.submit(self, job)

    def _run_maps(self, settings):
        """Run the maps of ``settings`` [(lr, μ), ...] as one run, settings stacked as blocks
        of rows, each block ending with the traced path from the current start; cache them.

        Returns the first setting's path (None when it needs a run of its own)."""
        count, cells = len(settings), len(self.starts)
        rows = cells + 1
        lrs = np.repeat([lr for lr, _mu in settings], rows)
        mus = np.repeat([mu for _lr, mu in settings], rows)
        starts = np.tile(np.concatenate([self.starts, self._start()]), (count, 1))
        record = run(SGD(lr=lrs, momentum=mus), self.objective.gradient, starts, self.steps)
        final = record.final_points.reshape(count, rows, 2)
        diverged = record.diverged.reshape(count, rows)
        start_key = self._start_key()
        first = None
        for index, (lr, mu) in enumerate(settings):
            labels = basin_labels(final[index, :cells], self.minima, self.tolerance)
            _remember(self._maps, self._map_key(lr, mu),
                      (labels, int(diverged[index, :cells].sum())), _CACHED_MAPS)
            path = self._path_from(record, (index + 1) * rows - 1)
            key = self._path_key(lr, mu, start_key)
            if path is not None and key is not None:
                _remember(self._paths, key, path, _CACHED_PATHS)
            first = path if index == 0 else first
        return first

    def _path_from(self, record, row):
        """Row ``row`` of a run as the traced path, with its values; None when a value is
        undefined where the run went on (then the path needs its own run, which stops
        there)."""
        points = record.points[:, row:row + 1]
        with np.errstate(all="ignore"):
            values = np.asarray(self.objective.value(points), dtype=float)
        stop = int(record.diverged_at[row])
        alive = values if stop < 0 else values[:stop]
        if not np.all(np.isfinite(alive)):
            return None
        return _row(record, row, values)

    def _start(self):
        return np.array([[self.controls["x0"].value, self.controls["y0"].value]])

    def _show_path(self, path, moved):
        """Show ``path``, or the traced path from the cache; on a miss after a move of one
        start slider, run the paths from every position of that slider at once (a lone run
        when the start is off the sliders' grid, e.g. after a click)."""
        lr, mu = self._setting()
        start_key = self._start_key()
        key = self._path_key(lr, mu, start_key)
        if path is None and key in self._paths:
            path = self._paths[key]
            self._paths.move_to_end(key)
        if path is None and key is not None and len(moved) == 1:
            self._run_path_line(moved.pop(), start_key)
            path = self._paths.get(key)
        if path is None:
            path = run(self._optimizer(), self.objective.gradient, self._start(), self.steps,
                       value=self.objective.value)
            if key is not None:
                _remember(self._paths, key, path, _CACHED_PATHS)
        self.path = path
        self.paths.update(self.path.points)

    def _run_path_line(self, name, start_key):
        """Run the traced paths from every position of slider ``name`` (the other coordinate
        fixed) as one run, one row each, and cache them."""
        control = self.controls[name]
        count = round((control.max - control.min) / control.step) + 1
        axis = 0 if name == "x0" else 1
        starts = np.repeat(self._start(), count, axis=0)
        starts[:, axis] = np.minimum(control.min + control.step * np.arange(count), control.max)
        starts[start_key[axis], axis] = control.value  # the current start exactly
        record = run(self._optimizer(), self.objective.gradient, starts, self.steps,
                     value=self.objective.value)
        lr, mu = self._setting()
        for index in range(count):
            key = (*start_key[:axis], index, *start_key[axis + 1:])
            _remember(self._paths, self._path_key(lr, mu, key), _row(record, index),
                      _CACHED_PATHS)

    def _optimizer(self):
        lr, mu = self._setting()
        return SGD(lr=lr, momentum=mu)

    def _describe(self):
        lr, mu = self.controls["lr"].value, self.controls["momentum"].value
        n = self.labels.size
        self.ax.title.set_text(f"{getattr(self.objective, 'name', '')}: lr = {lr:.3g}, "
                               f"μ = {mu:.2f}, {self.steps} steps")
        reach = (f"{100 * self.global_share:.1f} % of {n} starts reach a global minimum")
        end = basin_labels(self.path.final_points, self.minima, self.tolerance)[0]
        if self.path.diverged[0]:
            where = f"diverged at step {int(self.path.diverged_at[0])}"
        elif end >= 0:
            where = f"ends at minimum {int(end)}"
        else:
            where = "has not reached a minimum yet (more steps, or it sits on a saddle)"
        path = f"the path from ({self.controls['x0'].value:.3g}, " \
               f"{self.controls['y0'].value:.3g}) {where}"
        if self.diverged:
            self.show_message(f"{reach}; {self.diverged} starts diverged (lr too large for "
                              f"the steep walls); {path}.", "warning")
        elif self.shares[-1] > 0:
            self.show_message(f"{reach}; {100 * self.shares[-1]:.1f} % reached no minimum "
                              "(stopped on a saddle, still on the way, or bouncing in a minimum "
                              f"too sharp for this lr); {path}.")
        else:
            self.show_message(f"{reach}; {path}.")

    def _control_rows(self):
        c = self.controls
        first = [c[n] for n in ("surface", "lr", "momentum") if n in c]
        return [ipywidgets.HBox(first), ipywidgets.HBox([c["x0"], c["y0"]])]

    def _on_click(self, event):
        """A click on the map starts the traced path there."""
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata), y0=float(event.ydata))
