"""One optimizer on a 2-D surface: :class:`DescentExplorer` draws the contours, the path and
the loss curve, with a control for every hyperparameter the chosen optimizer takes.
"""

from __future__ import annotations

import functools
import inspect

import ipywidgets
import matplotlib
import numpy as np
from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator, ScalarFormatter
from matplotlib.transforms import ScaledTranslation

from gradlab import optimizers as gradlab_optimizers
from gradlab.checks import check_int, check_start
from gradlab.colors import BLUE, MESSAGE_COLORS, VERMILLION
from gradlab.formatting import format_number
from gradlab.plotting import few_ticks
from gradlab.plotting.contours import contour_map
from gradlab.plotting.trajectories import ghost_trails, path_in_window, trajectory_lines
from gradlab.runner import run
from gradlab.widgets.base import (
    DOWNHILL,
    LiveFigure,
    default_start,
    exact_number,
    left_window_at,
    log_slider,
    loss_grows,
    message_layout,
    partial_run_message,
    position_slider,
    runs_downhill,
)
from gradlab.widgets.sweeps import SweepCache, trajectory_row

__all__ = ["DescentExplorer"]


# Sliders for the hyperparameters that shape a step beyond the learning rate: which optimizer
# argument each feeds, and its range. An optimizer gets the sliders its signature asks for.
_HYPER_SLIDERS = {
    "momentum": ("momentum", 0.0, 0.99, 0.01, ".2f"),
    "beta1": ("betas", 0.0, 0.999, 0.001, ".3f"),
    "beta2": ("betas", 0.5, 0.9999, 0.0001, ".4f"),
    "alpha": ("alpha", 0.5, 0.999, 0.001, ".3f"),
    "rho": ("rho", 0.5, 0.999, 0.001, ".3f"),
}


def signature_defaults(factory):
    """``{argument: default}`` of an optimizer class or factory (empty when not inspectable)."""
    try:
        return dict(_signature_items(factory))
    except TypeError:  # an unhashable factory: not cached
        return dict(_signature_items.__wrapped__(factory))


@functools.lru_cache(maxsize=256)
def _signature_items(factory):
    # Asked several times a move; inspect.signature costs ~0.2 ms a call.
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return ()
    return tuple((name, p.default) for name, p in parameters.items())


def _sliders_for(factory):
    """Names of the hyperparameter sliders ``factory`` takes, in display order."""
    arguments = signature_defaults(factory)
    return [name for name, (argument, *_rest) in _HYPER_SLIDERS.items() if argument in arguments]


def _is_adaptive(factory):
    """Whether the optimizer rescales steps per coordinate (then 2/λmax does not bound lr).

    Recognised by the arguments of the adaptive methods: ``betas`` (Adam family), ``alpha``
    (RMSprop), ``rho`` (Adadelta), ``lr_decay`` (Adagrad).
    """
    arguments = signature_defaults(factory)
    return any(a in arguments for a in ("betas", "alpha", "rho", "lr_decay"))


def path_artists(paths):
    """Every artist of a :func:`~gradlab.plotting.trajectories.trajectory_lines` drawing."""
    lines = paths.lines if paths.collection is None else [paths.collection]
    return [*lines, paths.starts, paths.ends, paths.exits, *paths.notes]


def loss_limits(low, high, scale, current=None):
    """Limits of a loss axis showing values from ``low`` to ``high``, rounded outwards.

    A log axis spans whole powers of ten, at least a factor 2 beyond the values; a linear axis
    pads 5 % and rounds to a fifth of the span's power of ten. The ``current`` limits are kept
    while they hold the values as well (the same margins, at most two more powers of ten, or
    half again the span, of empty room): a limit that stays put costs no redraw of the axes,
    and a slider moved one position changes the curve only a little.

    >>> loss_limits(3e-5, 12.0, "log"), loss_limits(0.3, 1.9, "linear")
    ((1e-05, 100.0), (0.2, 2.0))
    >>> loss_limits(0.99955, 0.9996, "linear")  # zoomed to fit, however flat
    (0.999546, 0.999604)
    >>> loss_limits(2e-5, 12.0, "log", current=(1e-6, 100.0))  # still fits: kept
    (1e-06, 100.0)
    >>> loss_limits(2e-9, 12.0, "log", current=(1e-6, 100.0))  # no longer fits
    (1e-09, 100.0)
    """
    low, high = float(low), float(high)
    if scale == "log":
        shift = np.log10(2.0)
        bottom = max(int(np.floor(np.log10(low) - shift)), -300)
        top = max(int(np.ceil(np.log10(high) + shift)), bottom + 1)
        if current is not None:
            lo, hi = (float(v) for v in current)
            if (0 < lo <= low / 2 and hi >= 2 * high
                    and np.log10(hi / lo) <= top - bottom + 2):
                return lo, hi
        return 10.0**bottom, 10.0**top
    # Zoomed to fit, however flat: lesson 04 has the learner read how small a change on a
    # plateau is from this axis's labels.
    pad = 0.05 * (high - low) or 1.0
    low, high = low - pad, high + pad
    # Multiples of a fifth of the span's power of ten, 2·10^e (divided by 10^−e when e < 0,
    # so that 47 · 2 / 100 is 0.94, not 0.9400000000000001).
    e = int(np.floor(np.log10(high - low))) - 1

    def rounded(value, towards):
        units = float(towards(value / (2 * 10.0**e)))
        return 2 * units / 10.0**-e if e < 0 else 2 * units * 10.0**e

    bottom, top = rounded(low, np.floor), rounded(high, np.ceil)
    if current is not None:
        lo, hi = (float(v) for v in current)
        if lo <= low and hi >= high and hi - lo <= 1.5 * (top - bottom):
            return lo, hi
    return bottom, top


#: Where a linear loss axis has its ticks, as fractions of its height (see :func:`linear_ticks`).
LOSS_TICKS = (0.1, 0.3, 0.5, 0.7, 0.9)

#: Tick spacings of a linear loss axis, times a power of ten.
_TICK_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def linear_ticks(low, high):
    """``(first, step)``: the ticks of a linear loss axis zoomed to fit ``low`` to ``high``.

    Five ticks, ``first + k step`` for ``k = 0 … 4``, with ``step`` 1, 2, 2.5 or 5 times a power
    of ten and ``first`` a multiple of it; the axis runs half a step beyond the first and the
    last (so they sit at :data:`LOSS_TICKS`), and holds the values with a 2 % margin, however
    flat the curve (lesson 04 has the learner read how small a change on a plateau is from
    this axis's labels).

    >>> linear_ticks(0.0, 2.0)  # the axis runs from -0.25 to 2.25
    (0.0, 0.5)
    >>> first, step = linear_ticks(1.99817, 1.99866)  # a plateau: 5e-4 of change
    >>> round(first, 6), step
    (1.9982, 0.0002)
    >>> linear_ticks(5.0, 5.0)  # one value: one unit either side
    (4.0, 0.5)
    """
    low, high = float(low), float(high)
    pad = 0.02 * (high - low) or 1.0
    low, high = low - pad, high + pad
    power = 10.0 ** np.floor(np.log10((high - low) / 5))
    for factor in (*_TICK_STEPS, 20.0):
        step = factor * power
        first = np.floor(low / step + 0.5)  # in steps: the last tick at most half a step in
        if (first + 4.5) * step >= high:
            return float(first * step), float(step)
    raise AssertionError("unreachable: 20 steps of the power cover the span")  # pragma: no cover


class _Formatter(ScalarFormatter):
    """Matplotlib's own tick numbers and offset (``+1.99``) for given limits, without an axis.

    The offset comes once the numbers share three leading digits (matplotlib's default is
    four): on lesson 04's plateau the learner reads how small the change is from it.
    """

    class _View:
        def __init__(self):
            self.limits = (0.0, 1.0)

        def get_view_interval(self):
            return self.limits

    def __init__(self):
        with matplotlib.rc_context({"axes.formatter.offset_threshold": 3}):
            super().__init__()
        self.set_axis(self._View())

    def labels(self, ticks, limits):
        """``(texts, offset)`` for ``ticks`` on an axis with ``limits``."""
        self.axis.limits = tuple(map(float, limits))
        return self.format_ticks(list(ticks)), self.get_offset()


def _default_optimizers():
    return {name: getattr(gradlab_optimizers, name) for name in
            ("SGD", "Adam", "RMSprop", "Adagrad", "AdamW", "NAdam", "Adamax", "Adadelta")}


class DescentExplorer(LiveFigure):
    """Contours of a surface with one optimizer's path, its loss curve, and every control.

    Controls (keys of :attr:`controls`): ``optimizer`` (picker), ``lr`` (log slider, with the
    stability bound 2/λmax at the start point shown beside it and a warning when ``lr`` exceeds
    it), the hyperparameter sliders the chosen optimizer takes (``momentum``, ``beta1``,
    ``beta2``, ``alpha``, ``rho``; the others are hidden), ``x0``/``y0`` (the start point; a
    click on the contour map sets it too), ``step`` (reveal the path up to step k; ``play``
    animates it and ``step_button`` advances it by one), ``ghosts`` (keep faded copies of the
    previous paths), ``reset``, and ``surface`` when ``surfaces`` are given.

    Parameters
    ----------
    objective : Objective
        A two-variable surface (``value``, ``gradient``, ``hessian``, ``window``,
        ``stability_bound``; ``minima``, ``minimum_value`` and ``name`` are used when present).
    optimizers : mapping of str to callable, optional
        ``{name: factory}``; ``factory(lr=..., **hyperparameters)`` returns an optimizer with
        ``init``/``update`` (the classes of :mod:`gradlab.optimizers` are such factories).
        Default: the eight optimizers of :mod:`gradlab.optimizers`.
    optimizer : str, optional
        The one picked first (default: the first of ``optimizers``).
    start : array (2,), optional
        Start point, inside the window. Default: ``objective.start`` if it has one, else the
        upper left of the window (15 % in from its edges).
    steps : int
        Number of steps of the run.
    lr : float, optional
        Initial learning rate. Default: half the stability bound at ``start`` for the first
        optimizer when that is finite and the optimizer is not adaptive, else 2 % of the
        window width (adaptive methods move about ``lr`` per coordinate and step).
    lr_range : (float, float), optional
        Range of the learning-rate slider (default ``(lr / 1000, lr * 100)``).
    hyperparameters : mapping, optional
        Initial slider values, e.g. ``{"momentum": 0.9}``; defaults are the optimizer's own.
    surfaces : mapping of str to Objective (or zero-argument factory), optional
        Offer a surface picker; ``objective`` should be one of them.
    max_ghosts : int
        How many previous paths the ghost trails keep.
    resolution : int
        Contour grid points per axis.
    figsize, dpi, png_dpi
        See :class:`LiveFigure`.

    Attributes
    ----------
    trajectory : Trajectory
        The last run (all ``steps``; the ``step`` slider only reveals part of it).
    stability_bound : float
        2/λmax of the Hessian at the start point (``inf`` if it has no positive eigenvalue).

    Notes
    -----
    A move of ``lr``, ``x0``, ``y0`` or a hyperparameter slider runs the optimizer once for
    every position of that slider (one vectorized run, see :mod:`gradlab.widgets.sweeps`), so
    its next moves only look their run up; the ``step`` slider only reveals more or less of the
    stored path. A move changes only animated artists (paths, ghosts, titles, the loss curve),
    so its frame reuses the picture of the contours; the loss axis keeps its limits while the
    curve fits them (see :func:`loss_limits`), and only a surface change redraws the contours.
    """

    _record_state = False
    _show_loss = True

    def __init__(self, objective, optimizers=None, *, optimizer=None, start=None, steps=50,
                 lr=None, lr_range=None, hyperparameters=None, surfaces=None, max_ghosts=4,
                 resolution=120, figsize=(9.2, 4.2), dpi=100, png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"{type(self).__name__}: {getattr(objective, 'name', 'surface')}")
        if getattr(objective, "dim", 2) != 2:
            raise ValueError(f"{type(self).__name__} needs a two-variable objective, got "
                             f"dim = {objective.dim} (use OneDimExplorer for one variable)")
        self.optimizers = dict(_default_optimizers() if optimizers is None else optimizers)
        if not self.optimizers:
            raise ValueError("optimizers must name at least one optimizer factory")
        optimizer = next(iter(self.optimizers)) if optimizer is None else optimizer
        if optimizer not in self.optimizers:
            raise ValueError(f"optimizer {optimizer!r} is not one of {list(self.optimizers)}")
        self.steps = check_int("steps", steps)
        self.resolution = resolution
        self._surfaces = dict(surfaces or {})
        self._surface_cache = {}
        self.objective = objective
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        start = default_start(objective) if start is None else start
        start = check_start(start, self.window)
        self.stability_bound = self._bound_at(start)
        factory = self.optimizers[optimizer]
        if lr is None:
            width = self.window[0][1] - self.window[0][0]
            lr = (0.5 * self.stability_bound
                  if np.isfinite(self.stability_bound) and not _is_adaptive(factory)
                  else 0.02 * width)
        lr = float(lr)
        low, high = (lr / 1e3, lr * 1e2) if lr_range is None else map(float, lr_range)

        # --- axes and artists, built once
        self.ax = self.figure.add_subplot(1, 2, 1)
        self.loss_ax = self.figure.add_subplot(1, 2, 2) if self._show_loss else None
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.2, top=0.9, wspace=0.3)
        self.contour = contour_map(self.ax, objective, resolution=resolution)
        self.trails = ghost_trails(self.ax, max_ghosts)
        self.trails.current.set_visible(False)  # the path itself is drawn by trajectory_lines
        # Empty arrays, not lists: GhostTrails.push reads ``.size`` of the current data.
        self.trails.current.set_data(np.empty(0), np.empty(0))
        self.paths = trajectory_lines(self.ax, np.array([start, start]), window=self.window)
        few_ticks(self.ax)
        if self.loss_ax is not None:
            (self.loss_line,) = self.loss_ax.plot([], [], color=BLUE, marker="o",
                                                  markersize=2.5, linewidth=1.2)
            (self.loss_marker,) = self.loss_ax.plot([], [], "o", color=VERMILLION,
                                                    markersize=6)
            self.loss_ax.set_xlabel("step k")
            few_ticks(self.loss_ax)
            self.loss_ax.set_xlim(0, self.steps)
            self.animate(self.loss_line, self.loss_marker)
            self._loss_limits_set = False  # the limits fit the first curve, not matplotlib's
            self._loss_scale = None  # set by the first curve
            self._loss_span = (0.0, 1.0)  # linear axis: (value at its bottom, height)
            self._build_loss_ticks()
        # What a move changes is drawn over a cached picture of the rest (LiveFigure._draw_frame).
        self.ax.set_title("", fontsize=10)
        self.animate(self.ax.title, self.trails.current, *self.trails.ghosts,
                     *path_artists(self.paths))
        self._sweeps = SweepCache()

        # --- controls
        hyper = dict(hyperparameters or {})
        # With one optimizer the picker still names the rule that runs, but cannot change.
        self.add_control("optimizer", ipywidgets.Dropdown(
            options=list(self.optimizers), value=optimizer, description="optimizer",
            disabled=len(self.optimizers) == 1))
        # Three significant digits around the bound: "just above 2/λmax" is a position.
        near = [b for b in (self.stability_bound,) if np.isfinite(b)]
        self.add_control("lr", log_slider("lr", lr, low, high, near=near))
        for name, (argument, lo, hi, step, fmt) in _HYPER_SLIDERS.items():
            default = self._slider_default(name, argument)
            value = float(hyper.pop(name, default))
            self.add_control(name, ipywidgets.FloatSlider(
                value=value, min=lo, max=hi, step=step, description=name, readout_format=fmt))
        if hyper:
            raise ValueError(f"hyperparameters: unknown slider(s) {sorted(hyper)}; "
                             f"allowed are {list(_HYPER_SLIDERS)}")
        self.add_control("x0", position_slider("x0", start[0], *self.window[0]))
        self.add_control("y0", position_slider("y0", start[1], *self.window[1]))
        self.add_control("step", ipywidgets.IntSlider(
            value=self.steps, min=0, max=self.steps, description="step"))
        self.play = ipywidgets.Play(value=self.steps, min=0, max=self.steps, interval=120,
                                    description="play")
        ipywidgets.link((self.play, "value"), (self.controls["step"], "value"))
        self.add_button("step_button", "step +1", self._advance)
        self.add_control("ghosts", ipywidgets.Checkbox(value=True, description="ghost trails"))
        self.add_button("reset", "reset", self._reset)
        if self._surfaces:
            names = list(self._surfaces)
            current = next((n for n, s in self._surfaces.items() if s is objective),
                           getattr(objective, "name", names[0]))
            if current not in self._surfaces:
                raise ValueError(f"objective {current!r} is not one of the surfaces {names}")
            self._surface_cache[current] = objective
            self.add_control("surface", ipywidgets.Dropdown(
                options=names, value=current, description="surface"))
        self.bound_label = ipywidgets.HTML(layout=message_layout())
        self.bound_label.layout.flex = "1 1 240px"
        self._build_extra_controls()
        self._build_extra_artists()
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self._defaults = {name: c.value for name, c in self.controls.items()
                          if not isinstance(c, ipywidgets.Button)}
        self._show_hyper_sliders()
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})
        self.redraw()

    def _build_loss_ticks(self):
        """The numbers of a linear loss axis, as animated texts beside fixed tick marks.

        A linear loss axis zooms to fit each run. New limits would change static artists (the
        ticks and their labels) and redraw the whole figure; so the axis runs from 0 to 1 in
        units of its height, with ticks at :data:`LOSS_TICKS`, the curve is drawn in those
        units, and the numbers at the ticks (and matplotlib's offset above the axis, when the
        numbers share their leading digits) are animated texts that a move rewrites.
        """
        ax = self.loss_ax
        inches = self.figure.dpi_scale_trans
        size = ax.yaxis.get_major_ticks()[0].label1.get_fontsize()
        outside = 7 / 72  # inches: matplotlib's tick length plus its padding, 3.5 + 3.5 pt
        place = ax.get_yaxis_transform() + ScaledTranslation(-outside, 0, inches)
        self.loss_tick_texts = [
            ax.text(0, fraction, "", transform=place, ha="right", va="center", fontsize=size,
                    visible=False, animated=True) for fraction in LOSS_TICKS]
        # Where matplotlib puts a y axis's offset: the top left corner, just above the axes.
        self.loss_offset_text = ax.text(
            0, 1, "", transform=ax.transAxes + ScaledTranslation(0, 2 / 72, inches),
            ha="left", va="bottom", fontsize=size, visible=False, animated=True)
        self.animate(*self.loss_tick_texts, self.loss_offset_text)
        self._formatter = _Formatter()
        # Matplotlib places the axis label beside its own tick labels; these texts are not
        # those, so the label keeps a fixed place, clear of seven characters ("−0.0005").
        ax.yaxis.set_label_coords(0, 0.5, transform=ax.transAxes
                                  + ScaledTranslation(-outside - 0.58, 0, inches))

    def _set_loss_scale(self, scale):
        """Switch the loss axis between log (matplotlib's ticks) and linear (animated numbers)."""
        ax = self.loss_ax
        ax.set_yscale(scale)
        few_ticks(ax)
        linear = scale == "linear"
        if linear:
            ax.set_ylim(0.0, 1.0)
            ax.yaxis.set_major_locator(FixedLocator(LOSS_TICKS))
            ax.yaxis.set_major_formatter(NullFormatter())
            ax.yaxis.set_minor_locator(NullLocator())
        for text in (*self.loss_tick_texts, self.loss_offset_text):
            text.set_visible(linear)
        self._loss_scale = scale

    def _loss_y(self, values):
        """Loss values in the loss axis's own units (units of its height when linear)."""
        if self._loss_scale != "linear":
            return values
        bottom, height = self._loss_span
        return (np.asarray(values, dtype=float) - bottom) / height

    # -- pieces a subclass may extend
    def _build_extra_artists(self):
        """Hook for subclasses: more artists, drawn once."""

    def _build_extra_controls(self):
        """Hook for subclasses: more controls, added before the defaults are recorded."""

    def _slider_default(self, name, argument):
        for factory in self.optimizers.values():
            default = signature_defaults(factory).get(argument, inspect.Parameter.empty)
            if default is inspect.Parameter.empty:
                continue
            if argument == "betas":
                return default[0] if name == "beta1" else default[1]
            return default
        return _HYPER_SLIDERS[name][1]

    def _control_rows(self):
        c = self.controls
        first = [c[n] for n in ("surface", "optimizer") if n in c] + [c["lr"], self.bound_label]
        return [
            ipywidgets.HBox(first),
            ipywidgets.HBox([c[n] for n in _HYPER_SLIDERS]),
            ipywidgets.HBox([c["x0"], c["y0"], c["ghosts"], c["reset"]]),
            ipywidgets.HBox([self.play, c["step"], c["step_button"]]),
        ]

    # -- reacting to changes
    def _bound_at(self, start):
        return float(self.objective.stability_bound(np.asarray(start, dtype=float)))

    def _show_hyper_sliders(self):
        wanted = _sliders_for(self.optimizers[self.controls["optimizer"].value])
        for name in _HYPER_SLIDERS:
            self.controls[name].layout.display = None if name in wanted else "none"

    def _optimizer_arguments(self, arguments):
        """Keyword arguments from the controls for a factory taking ``arguments``."""
        kwargs = {"lr": self.controls["lr"].value}
        values = {n: self.controls[n].value for n in _HYPER_SLIDERS}
        if "momentum" in arguments:
            kwargs["momentum"] = values["momentum"]
        if "betas" in arguments:
            kwargs["betas"] = (values["beta1"], values["beta2"])
        for argument in ("alpha", "rho"):
            if argument in arguments:
                kwargs[argument] = values[argument]
        return kwargs

    def _start(self):
        return np.array([self.controls["x0"].value, self.controls["y0"].value])

    def _apply(self, changes):
        if "surface" in changes:
            self._switch_surface(changes["surface"])
        if "optimizer" in changes:
            self._show_hyper_sliders()
        if "x0" in changes or "y0" in changes or "surface" in changes:
            self.stability_bound = self._bound_at(self._start())
        if "ghosts" in changes:
            for ghost in self.trails.ghosts:
                ghost.set_visible(bool(changes["ghosts"]))
        rerun = set(changes) - {"step", "ghosts"}
        if rerun:
            try:
                self._run(rerun)
            except ValueError as error:  # e.g. a hyperparameter combination the optimizer refuses
                self.show_message(str(error), "error")
                return
        self._reveal(self.controls["step"].value)
        self._describe()

    def _settings(self):
        """Every control value that decides the run (not ``step`` or ``ghosts``, no buttons)."""
        return {name: control.value for name, control in self.controls.items()
                if name not in ("step", "ghosts") and not isinstance(control, ipywidgets.Button)}

    def _sweepable(self):
        """Sliders whose positions can all run at once: lr, the start, the shown hyperparameters."""
        names = {"lr", "x0", "y0"}
        names.update(_sliders_for(self.optimizers[self.controls["optimizer"].value]))
        if self._record_state:
            # Momentum 0 keeps no buffer (as in PyTorch); a sweep would record one for it.
            names.discard("momentum")
        return names

    def _run(self, moved=("lr",)):
        """Look the run of the current settings up, or run it with every position of the slider
        that moved (the learning rate when several controls moved at once)."""
        moved = set(moved)
        name = moved.pop() if len(moved) == 1 else "lr"
        if name not in self._sweepable():
            name = "lr"
        self.trajectory = trajectory_row(*self._sweeps.get(
            self._settings(), name, self.controls[name], self._run_rows))
        # The previous path becomes the newest ghost, cut at the window edge like the path
        # itself (a ghost drawn through points far outside streaks across the map).
        self.trails.push(path_in_window(self.trajectory.points[:, 0], self.window))
        self._update_title()
        if self.loss_ax is not None:
            self._update_loss(self.trajectory.values[:, 0])

    def _run_rows(self, name, values):
        """One run per value of slider ``name`` (all other settings as now); one run if None.

        Raises ``TypeError`` for values per row when the optimizer is not one of
        :mod:`gradlab.optimizers` (which take them), ``ValueError`` when it refuses one.
        """
        factory = self.optimizers[self.controls["optimizer"].value]
        kwargs = self._optimizer_arguments(signature_defaults(factory))
        start = self._start()[None, :]
        if name is not None:
            start = np.repeat(start, len(values), axis=0)
            if name in ("x0", "y0"):
                start[:, 0 if name == "x0" else 1] = values
            elif name == "beta1":
                kwargs["betas"] = (values, kwargs["betas"][1])
            elif name == "beta2":
                kwargs["betas"] = (kwargs["betas"][0], values)
            elif name == "lr":
                kwargs["lr"] = values
            else:
                kwargs[_HYPER_SLIDERS[name][0]] = values
        optimizer = factory(**kwargs)
        if name is not None and not isinstance(optimizer, gradlab_optimizers.Optimizer):
            raise TypeError("only gradlab's optimizers are known to take one value per row")
        return run(optimizer, self.objective.gradient, start, self.steps,
                   value=self.objective.value, record_state=self._record_state)

    def _update_loss(self, values):
        """The loss curve of the new run (log of the gap to f* when f* is known)."""
        minimum = getattr(self.objective, "minimum_value", None)
        if minimum is not None and np.isfinite(minimum):
            gap = values - minimum
            self._loss = np.where(gap > 0, gap, np.nan)  # log axis: exact zeros are not drawn
            scale, label = "log", "f(x_k) − f*"
        else:
            self._loss = values
            scale, label = "linear", "f(x_k)"
        rescaled = self._loss_scale != scale or not self._loss_limits_set
        if self._loss_scale != scale:
            self._set_loss_scale(scale)
        # Only a real change touches the axes: any change of them redraws the whole figure.
        if self.loss_ax.get_ylabel() != label:
            self.loss_ax.set_ylabel(label)
        finite = self._loss[np.isfinite(self._loss)]
        if finite.size and scale == "linear":
            # Zoomed to fit: only the animated numbers change, never the axes.
            first, step = linear_ticks(finite.min(), finite.max())
            self._loss_span = (first - step / 2, 5 * step)  # the axis's bottom and height
            ticks = [first + k * step for k in range(len(LOSS_TICKS))]
            texts, offset = self._formatter.labels(ticks, (first - step / 2, first + 4.5 * step))
            for artist, text in zip(self.loss_tick_texts, texts, strict=True):
                artist.set_text(text)
            self.loss_offset_text.set_text(offset)
            self._loss_limits_set = True
        elif finite.size:
            limits = loss_limits(finite.min(), finite.max(), scale,
                                 current=None if rescaled else self.loss_ax.get_ylim())
            if tuple(self.loss_ax.get_ylim()) != limits:
                self.loss_ax.set_ylim(*limits)
            self._loss_limits_set = True
        self.loss_line.set_data(np.arange(self.steps + 1), self._loss_y(self._loss))
        name = getattr(self.objective, "name", "")
        if self.loss_ax.get_title() != name:
            self.loss_ax.set_title(name, fontsize=10)

    def _update_title(self):
        name = self.controls["optimizer"].value
        lr = self.controls["lr"].value
        bound, formula = self._effective_bound()
        # The bound goes into the figure too, so the stored picture shows it without a kernel.
        limit = "" if bound is None else f"  ({formula} = {format_number(bound)})"
        # The course calls the learning rate η; the slider keeps the name lr.
        # set_text, not set_title: set_title also touches the static side titles.
        self.ax.title.set_text(f"{name}, η = {format_number(lr)}{limit}")

    def _reveal(self, step):
        """Show the stored path up to ``step`` (no recomputation)."""
        step = int(min(max(step, 0), self.steps))
        self.paths.update(self.trajectory.points[: step + 1])
        if self.loss_ax is not None:
            loss = self._loss[step] if np.isfinite(self._loss[step]) else np.nan
            self.loss_marker.set_data([step], [self._loss_y(loss)])

    def _effective_bound(self):
        """(bound, formula) for the current optimizer; bound is None when none applies."""
        name = self.controls["optimizer"].value
        arguments = signature_defaults(self.optimizers[name])
        if _is_adaptive(self.optimizers[name]):
            return None, ""
        if "momentum" in arguments and self.controls["momentum"].value > 0:
            beta = self.controls["momentum"].value
            if arguments.get("nesterov"):  # the look-ahead gradient narrows the stable range
                bound = self.stability_bound * (1 + beta) / (1 + 2 * beta)
                return bound, "2(1+β)/((1+2β)λmax)"
            return self.stability_bound * (1 + beta), "2(1+β)/λmax"
        return self.stability_bound, "2/λmax"

    def _describe(self):
        """Bound label, and the message in words: diverged, left the window, or fine."""
        lr = self.controls["lr"].value
        bound, formula = self._effective_bound()
        plain = self.stability_bound
        if bound is None:
            self.bound_label.value = (
                f"2/λmax at the start = {format_number(plain)} (a plain-GD bound; "
                f"{self.controls['optimizer'].value} rescales its steps)")
        elif lr > bound:
            self.bound_label.value = (
                f'<b style="color:{MESSAGE_COLORS["warning"]}">lr = {format_number(lr)} &gt; '
                f"{formula} = {format_number(bound)} at the start: steps overshoot</b>")
        else:
            self.bound_label.value = (f"stable for lr &lt; {formula} = {format_number(bound)} "
                                      "at the start")
        trajectory = self.trajectory
        step = int(min(max(self.controls["step"].value, 0), self.steps))
        values = trajectory.values[:, 0]
        scale = abs(float(values[0])) if np.isfinite(values[0]) else 1.0
        if step < self.steps:
            # Part of the run is shown: say what the figure shows at this step, nothing later.
            left, _back = left_window_at(trajectory.points[: step + 1, 0], self.window)
            self.show_message(*partial_run_message(
                step, self.steps, f"f = {exact_number(values[step], scale, 4)}",
                int(trajectory.diverged_at[0]), left))
            return
        diverged_at = int(trajectory.diverged_at[0])
        if diverged_at >= 0:
            if bound is not None and lr > bound:
                why = (f"the step overshoots because lr = {format_number(lr)} > {formula} = "
                       f"{format_number(bound)}: each step lands farther from the minimum than "
                       "the last")
            elif runs_downhill(values, diverged_at):
                why = DOWNHILL
            elif bound is not None:
                why = (f"the surface curves more steeply along the path than at the start "
                       f"({formula} there = {format_number(bound)}); try a smaller lr")
            else:
                why = f"the steps grew without limit at lr = {format_number(lr)}; try a smaller lr"
            self.show_message(f"diverged at step {diverged_at}: {why}", "error")
            return
        left, came_back = left_window_at(trajectory.points[:, 0], self.window)
        where = "" if left < 0 else f"; the path leaves the plotted window at step {left}"
        if loss_grows(values):
            why = ("" if bound is None or lr <= bound else
                   f" (lr = {format_number(lr)} > {formula} = {format_number(bound)})")
            self.show_message(
                f"diverging{why}: f keeps growing, from {format_number(values[0], 4)} at "
                f"step 0 to {format_number(values[-1], 4)} at step {self.steps}{where}",
                "error")
        elif left >= 0:
            self.show_message(f"the path leaves the plotted window at step {left} and is "
                              f"still outside after {self.steps} steps (f = "
                              f"{format_number(values[-1], 4)})", "warning")
        elif came_back >= 0:
            self.show_message(f"the path goes outside the plotted window at step {came_back} "
                              f"and comes back; after {self.steps} steps f = "
                              f"{exact_number(values[-1], scale, 4)}", "warning")
        elif bound is not None and lr > bound:
            self.show_message(f"lr = {format_number(lr)} > {formula} = {format_number(bound)} "
                              "at the start: expect overshooting", "warning")
        else:
            self.show_message(f"after {self.steps} steps f = "
                              f"{exact_number(values[-1], scale, 4)}")

    def _switch_surface(self, name):
        objective = self._surface_cache.get(name)
        if objective is None:
            source = self._surfaces[name]
            objective = source() if not hasattr(source, "value") else source
            self._surface_cache[name] = objective
        self.objective = objective
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        self.contour.remove()
        self.contour = contour_map(self.ax, objective, resolution=self.resolution)
        self._loss_limits_set = False  # a new surface: limits for its own curve
        self.paths.window = self.window
        self._clear_trails()
        start = default_start(objective)
        with self._quietly("x0", "y0"):
            for control, (lo, hi), value in zip((self.controls["x0"], self.controls["y0"]),
                                                self.window, start, strict=True):
                # Widen first so the new value and range never conflict mid-way.
                control.min, control.max = min(control.min, lo), max(control.max, hi)
                control.value = float(value)
                control.min, control.max = lo, hi
                control.step = (hi - lo) / 400

    # -- buttons and mouse
    def _advance(self):
        step = self.controls["step"]
        step.value = 0 if step.value >= self.steps else step.value + 1

    def _clear_trails(self):
        self.trails.clear()
        self.trails.current.set_data(np.empty(0), np.empty(0))

    def _reset(self):
        self._clear_trails()
        for name, value in self._defaults.items():
            self.controls[name].value = value

    def _on_click(self, event):
        """A click on the contour map moves the start point there."""
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata), y0=float(event.ydata))
