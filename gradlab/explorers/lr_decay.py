r"""Stochastic gradient descent with a constant and a decaying learning rate, side by side.

A mini-batch gradient is the full gradient plus noise. With a constant learning rate
:math:`\gamma` the noise keeps kicking the parameters, so the loss stops falling at a *noise
floor* whose height grows with :math:`\gamma`. Letting the rate fall like
:math:`\gamma_k = \gamma_0 / (1 + d\,k)` (:func:`gradlab.schedules.inverse_time_decay`) shrinks
the kicks, and the path settles at the minimum.

:class:`DecayingRateExplorer` draws both paths on the contours of a line fit's mean squared
error, fed the *same* mini-batches in the same order, and their loss curves beside them.

A slider move is a lookup. The runs for every position of the ``lr`` slider (and, separately,
of the ``decay`` slider) are one batched run, settings stacked as rows: every row sees the same
batches, so each row is the run that setting would give alone. They are run when the explorer
is built, and again along a slider when a move lands on a setting not run yet. Everything a
move changes is an animated artist, drawn over the cached contours and axes.
"""

from __future__ import annotations

from collections import OrderedDict

import ipywidgets
import numpy as np

from gradlab.batches import MiniBatchSampler, stochastic_gradient
from gradlab.checks import check_int, check_positive, check_window
from gradlab.colors import BLUE, VERMILLION
from gradlab.models import LinearRegression
from gradlab.optimizers import SGD
from gradlab.plotting import few_ticks
from gradlab.plotting.contours import contour_map
from gradlab.plotting.trajectories import trajectory_lines
from gradlab.runner import Trajectory, run
from gradlab.schedules import inverse_time_decay
from gradlab.widgets import LiveFigure, log_slider
from gradlab.widgets.batches import check_line_data

__all__ = ["DecayingRateExplorer", "batch_size_options"]

# Slider settings whose runs are kept: three slider lines' worth. A path is about 10 kB at 600
# steps; settings along a decay line share their constant-rate path.
_CACHED_SETTINGS = 1024
# A line of runs along a slider holds at most this many rows × samples per batch, so that one
# costs about as much as a single run of two rows (the per-step overhead dominates below it).
_LINE_BUDGET = 25_000

CONSTANT_COLOUR = VERMILLION
DECAYING_COLOUR = BLUE


def batch_size_options(n_samples: int) -> list[int]:
    """Batch sizes offered by the slider: 1, 2, 4, 8, ... below ``n_samples``, and ``n_samples``.

    Examples
    --------
    >>> batch_size_options(20)
    [1, 2, 4, 8, 16, 20]
    """
    sizes = [2**k for k in range(int(np.log2(n_samples)) + 1) if 2**k < n_samples]
    return [*sizes, int(n_samples)]


class DecayingRateExplorer(LiveFigure):
    r"""Mini-batch SGD on a line fit: constant rate vs inverse-time decay, the same batches.

    Left: contours of the mean squared error over ``(w, b)`` with the least-squares fit marked
    and two paths from ``start``. Right: the excess loss :math:`L - L^*` of both paths, step by
    step, on a log scale.

    Controls: ``lr`` (the starting rate :math:`\gamma_0`, log slider), ``decay`` (the decay
    rate :math:`d` of :math:`\gamma_k = \gamma_0/(1 + d k)`, log slider), ``batch`` (batch
    size) and ``seed`` (which shuffles of the data the batches come from).

    Parameters
    ----------
    X : array (n, 1)
        One feature per sample.
    y : array (n,)
    seed : int
        Seeds the :class:`~gradlab.batches.MiniBatchSampler`; both paths use the same seed, so
        they see the same batches.
    start : (w, b)
        Where both paths start; inside ``window``.
    window : ((w_low, w_high), (b_low, b_high))
        The view of the contour map.
    batch_size : int
        From 1 to ``n``.
    lr, decay_rate : float
        Initial slider values, inside ``lr_range`` and ``decay_range``.
    lr_range, decay_range : (float, float)
        Ranges of the two log sliders.
    steps : int
        Updates per run.
    resolution : int
        Contour grid points per axis.
    figsize, dpi, png_dpi
        See :class:`gradlab.widgets.LiveFigure`.

    Attributes
    ----------
    constant, decaying : gradlab.runner.Trajectory
        The last two runs (``values`` hold the excess loss :math:`L - L^*`).
    fit : ndarray (2,)
        The least-squares ``(w*, b*)``.
    stability_bound : float
        :math:`2/\lambda_{\max}` of the full loss's Hessian.
    """

    def __init__(self, X, y, *, seed, start, window, batch_size=1, lr=0.1, decay_rate=0.05,
                 lr_range=(1e-3, 2.0), decay_range=(1e-4, 1.0), steps=300, resolution=80,
                 figsize=(9.2, 4.4), dpi=100, png_dpi=72):
        X, y = check_line_data(X, y)
        check_int("seed", seed, minimum=0)
        check_int("steps", steps)
        n = X.shape[0]
        sizes = batch_size_options(n)
        if batch_size not in sizes:
            raise ValueError(f"batch_size must be one of {sizes} (n = {n} samples); "
                             f"got {batch_size!r}")
        self.window = check_window(window, 2)
        start = np.asarray(start, dtype=float)
        (wlo, whi), (blo, bhi) = self.window
        if start.shape != (2,) or not (wlo <= start[0] <= whi and blo <= start[1] <= bhi):
            raise ValueError(f"start must be a point (w, b) inside the window {self.window}; "
                             f"got {start.tolist() if start.ndim else start!r}")
        lr_range = tuple(check_positive("lr_range", v) for v in lr_range)
        decay_range = tuple(check_positive("decay_range", v) for v in decay_range)
        lr, decay_rate = check_positive("lr", lr), check_positive("decay_rate", decay_rate)
        for name, value, (low, high) in (("lr", lr, lr_range),
                                         ("decay_rate", decay_rate, decay_range)):
            if not low <= value <= high:
                raise ValueError(f"{name} = {value:g} is outside its range [{low:g}, {high:g}]")

        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"DecayingRateExplorer: {n} samples")
        self.X, self.y, self.n, self.start = X, y, n, start
        self.steps, self.seed = int(steps), int(seed)
        self.model = LinearRegression(1)
        design = np.column_stack([X[:, 0], np.ones(n)])
        self.fit = np.linalg.lstsq(design, y, rcond=None)[0]
        self.best_loss = float(self.model.loss(self.fit, X, y))
        hessian = 2.0 / n * design.T @ design  # the loss is quadratic: one Hessian everywhere
        self.stability_bound = float(2.0 / np.linalg.eigvalsh(hessian).max())

        # --- axes and artists, built once
        self.ax = self.figure.add_subplot(1, 2, 1)
        self.loss_ax = self.figure.add_subplot(1, 2, 2)
        # A band below the axes holds each panel's legend, outside the data area: inside it the
        # animated paths and curves (drawn after the static layers) would paint over it. (A
        # legend made animated to stay on top would cost ~12 ms a frame.)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.285, top=0.91, wspace=0.28)
        legend_place = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.175), "fontsize": 8,
                        "frameon": False, "borderaxespad": 0.0}
        ws = np.linspace(wlo, whi, resolution)
        bs = np.linspace(blo, bhi, resolution)
        grid = np.stack(np.meshgrid(ws, bs), axis=-1)
        self.contour = contour_map(self.ax, (ws, bs, self.model.loss(grid, X, y)),
                                   minima=self.fit[None])
        self.ax.set_xlabel("w (slope)")
        self.ax.set_ylabel("b (intercept)")
        self.paths = trajectory_lines(
            self.ax, np.stack([np.stack([start, start])] * 2, axis=1), window=self.window,
            labels=["constant lr", "decaying lr"], colors=[CONSTANT_COLOUR, DECAYING_COLOUR],
            max_notes=2)
        for line in self.paths.lines:
            line.set_markersize(2)
            line.set_linewidth(1.0)
        self.animate(*self.paths.lines, self.paths.starts, self.paths.ends, self.paths.exits,
                     *self.paths.notes)
        self.map_legend = self.ax.legend(ncols=3, **legend_place)
        few_ticks(self.ax)
        steps_axis = np.arange(self.steps + 1)
        (self.constant_curve,) = self.loss_ax.plot(steps_axis, np.ones(self.steps + 1),
                                                   color=CONSTANT_COLOUR, linewidth=1.0,
                                                   label="constant lr", animated=True)
        (self.decaying_curve,) = self.loss_ax.plot(steps_axis, np.ones(self.steps + 1),
                                                   color=DECAYING_COLOUR, linewidth=1.0,
                                                   label="decaying lr", animated=True)
        # Styled once; a move sets only the texts (set_title would touch the static titles).
        for ax in (self.ax, self.loss_ax):
            ax.set_title("", fontsize=10)
            self.animate(ax.title)
        # Fixed: ten decades below the whole decade above twice the start's excess loss (the
        # same for every setting), so floors compare across moves and a move never redraws
        # the axis. A curve that leaves it at the bottom went lower; at the top, it blew up.
        start_excess = float(self.excess_loss(start))
        top = 10.0 ** np.ceil(np.log10(2 * start_excess)) if start_excess > 0 else 1.0
        self.loss_ax.set_ylim(top * 1e-10, top)
        self.loss_ax.set_yscale("log")
        self.loss_ax.set_xlim(0, self.steps)
        self.loss_ax.set_xlabel("step k")
        self.loss_ax.set_ylabel("excess loss  L − L*")
        self.loss_legend = self.loss_ax.legend(ncols=2, **legend_place)
        few_ticks(self.loss_ax)  # tick text is most of a redraw's cost
        self._runs = OrderedDict()

        # --- controls
        self.add_control("lr", log_slider("lr γ₀", lr, *lr_range))
        self.add_control("decay", log_slider("decay d", decay_rate, *decay_range))
        self.add_control("batch", ipywidgets.SelectionSlider(
            options=sizes, value=int(batch_size), description="batch size"))
        self.add_control("seed", ipywidgets.BoundedIntText(
            value=self.seed, min=0, max=2**31 - 1, description="seed"))
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})  # runs the lr line
            # The other lines through the first setting, so that every first move is a lookup.
            self._run_line("decay", lr, decay_rate, int(batch_size), self.seed)
            for size in sizes:
                if (lr, decay_rate, size, self.seed) not in self._runs:
                    self._run_settings([(lr, decay_rate)], size, self.seed)

    def excess_loss(self, points):
        """:math:`L(w, b) - L^*` at ``points`` of shape ``(..., 2)``."""
        return self.model.loss(points, self.X, self.y) - self.best_loss

    def _run_settings(self, settings, batch, seed):
        """Run the constant and the decaying path of every ``(lr, decay)`` in ``settings`` as
        rows of ONE run, and cache each pair.

        The stochastic gradient hands every row the same batch, so all rows see the same data
        in the same order and each row follows exactly the path it would follow alone. Row
        ``2i`` keeps the rate ``lr_i``; row ``2i + 1`` follows
        :func:`~gradlab.schedules.inverse_time_decay` of ``decay_i``. A constant row shared by
        several settings (same lr) is run once.
        """
        rows = sorted({(lr, 0.0) for lr, _decay in settings} | set(settings))
        where = {row: index for index, row in enumerate(rows)}
        steps = np.arange(self.steps)[:, None]
        table = np.empty((self.steps, len(rows)))  # the rate of each row at each step
        for decay in {decay for _lr, decay in rows}:
            columns = [index for index, (_lr, d) in enumerate(rows) if d == decay]
            base = np.array([rows[index][0] for index in columns])
            table[:, columns] = inverse_time_decay(decay)(steps, base)
        sampler = MiniBatchSampler(self.n, batch, rng=np.random.default_rng(seed))
        gradient = stochastic_gradient(self.model, self.X, self.y, sampler)
        record = run(SGD(lr=table[0].copy()), gradient, np.tile(self.start, (len(rows), 1)),
                     self.steps, schedule=lambda step, _base_lr: table[step])
        # Copies, so that the cache does not keep the whole run alive; the rates are not kept
        # (_runs_for recomputes a row's from its schedule).
        paths = {row: (*row, record.points[:, index:index + 1].copy(),
                       record.diverged_at[index:index + 1].copy())
                 for row, index in where.items()}
        for lr, decay in settings:
            self._runs[(lr, decay, batch, seed)] = (paths[(lr, 0.0)], paths[(lr, decay)])
            self._runs.move_to_end((lr, decay, batch, seed))
        while len(self._runs) > _CACHED_SETTINGS:
            self._runs.popitem(last=False)

    def _run_line(self, name, lr, decay, batch, seed):
        """Run the settings at every position of slider ``name`` (``'lr'`` or ``'decay'``),
        the other controls as they are: as many positions around the current one as
        ``_LINE_BUDGET`` allows for this batch size."""
        values = [value for _label, value in self.controls[name].options]
        here = min(range(len(values)), key=lambda i: abs(values[i] - (lr if name == "lr"
                                                                      else decay)))
        reach = max(_LINE_BUDGET // (2 * batch) // 2, 1)
        values = values[max(here - reach, 0):here + reach + 1]
        settings = [(value, decay) if name == "lr" else (lr, value) for value in values]
        if (lr, decay) not in settings:
            settings.append((lr, decay))
        self._run_settings(settings, batch, seed)

    def _runs_for(self, lr, decay, batch, seed, moved=()):
        """``(constant, decaying)`` runs for one setting, from the cache when it was run.

        On a miss after a move of the ``lr`` or ``decay`` slider alone, every position of
        that slider is run at once (the next moves along it are lookups); otherwise this one
        setting. The excess loss is evaluated here, on the two paths shown.
        """
        key = (lr, decay, batch, seed)
        if key not in self._runs:
            if len(moved) == 1 and moved[0] in ("lr", "decay"):
                self._run_line(moved[0], lr, decay, batch, seed)
            else:
                self._run_settings([(lr, decay)], batch, seed)
        self._runs.move_to_end(key)
        steps = np.arange(self.steps)[:, None]
        return tuple(Trajectory(points=points, values=self.excess_loss(points),
                                lrs=inverse_time_decay(row_decay)(steps, row_lr),
                                diverged_at=diverged_at, has_values=True)
                     for row_lr, row_decay, points, diverged_at in self._runs[key])

    def _apply(self, changes):
        c = self.controls
        lr, decay = float(c["lr"].value), float(c["decay"].value)
        batch, seed = int(c["batch"].value), int(c["seed"].value)
        self.constant, self.decaying = self._runs_for(lr, decay, batch, seed,
                                                      moved=tuple(changes))
        runs = np.concatenate([self.constant.points, self.decaying.points], axis=1)
        self.paths.update(runs)
        for curve, record in ((self.constant_curve, self.constant),
                              (self.decaying_curve, self.decaying)):
            # A log axis needs > 0; below the axis's bottom anyway.
            curve.set_ydata(np.clip(record.values[:, 0], 1e-12, None))
        epochs = self.steps * batch / self.n
        self.ax.title.set_text(f"batch size {batch} of {self.n}: {self.steps} steps "
                               f"= {epochs:.3g} epochs")
        final_lr = float(self.decaying.lrs[-1, 0])
        self.loss_ax.title.set_text(f"γ₀ = {lr:.3g}; decayed to {final_lr:.2g} by the last "
                                    "step")
        self._describe(lr)

    def _describe(self, lr):
        broken = [(name, int(record.diverged_at[0]))
                  for name, record in (("constant-rate", self.constant),
                                       ("decaying-rate", self.decaying))
                  if record.diverged]
        if broken:
            name, at = broken[0]
            why = (f"lr = {lr:.3g} is above 2/λmax = {self.stability_bound:.3g} of the full loss"
                   if lr > self.stability_bound else
                   "a small batch's loss can curve more steeply than the full loss")
            self.show_message(f"The {name} path diverged at step {at}: {why}; "
                              "try a smaller lr.", "error")
            return
        tail = max(self.steps // 5, 1)
        # Rounding can put a converged run a hair below L*; show that as 0.
        floor_constant = max(float(np.mean(self.constant.values[-tail:, 0])), 0.0)
        floor_decaying = max(float(np.mean(self.decaying.values[-tail:, 0])), 0.0)
        self.show_message(f"Mean excess loss over the last {tail} steps: constant "
                          f"{floor_constant:.2g}, decaying {floor_decaying:.2g}.")
