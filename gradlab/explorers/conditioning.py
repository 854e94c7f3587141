r"""Learning rate against condition number on a quadratic bowl, with its eigen directions.

On :math:`f(p) = \tfrac12 p^\top A p` plain gradient descent with learning rate :math:`\eta`
multiplies the error along each unit eigenvector :math:`u_i` of :math:`A` by
:math:`1 - \eta\lambda_i` per step. :class:`ConditioningExplorer` shows both halves of that
sentence at once: the path on the contours (with :math:`u_{\min}` and :math:`u_{\max}` drawn),
and the factor :math:`|1 - \eta\lambda_i|` of each direction against :math:`\eta`, with the
current learning rate, the stability bound :math:`2/\lambda_{\max}` and the best constant rate
:math:`2/(\lambda_{\min} + \lambda_{\max})` marked.

>>> explorer = ConditioningExplorer(condition_number=10.0, lr=0.1)
>>> round(explorer.stability_bound, 6), round(explorer.best_lr, 6)
(0.2, 0.181818)
>>> explorer.set(condition_number=20.0).stability_bound    # λmax doubles, the bound halves
0.1
>>> explorer.close()
"""

from __future__ import annotations

import math

import numpy as np

from gradlab.colors import BLUE, BLUISH_GREEN, DARK_GREY, MID_GREY, VERMILLION
from gradlab.optimizers import SGD
from gradlab.plotting import few_ticks
from gradlab.plotting.trajectories import trajectory_lines
from gradlab.quadratics import bowl_matrix
from gradlab.runner import run
from gradlab.widgets import LiveFigure, log_slider

__all__ = ["ConditioningExplorer"]

_STEEP, _SHALLOW, _WORST = VERMILLION, BLUE, DARK_GREY


class ConditioningExplorer(LiveFigure):
    r"""Gradient descent on an elliptic bowl whose condition number and learning rate you set.

    Left: contour ellipses of :math:`f(p) = \tfrac12 p^\top A p`, the eigen directions
    :math:`u_{\min}` (shallow, blue) and :math:`u_{\max}` (steep, orange), and the path of
    ``steps`` plain gradient-descent steps. Right: the factor :math:`|1 - \eta\lambda|` by which
    one step multiplies the error along each eigen direction, against the learning rate
    :math:`\eta` (log axis); the grey curve is the larger of the two, the rate of the whole
    run. A vertical line marks the current ``lr``; dotted lines mark :math:`2/\lambda_{\max}`
    (above it the steep factor exceeds 1: divergence) and :math:`2/(\lambda_{\min} +
    \lambda_{\max})` (the lowest grey point).

    Controls: ``lr`` (log slider) and ``condition_number`` (log slider, ``κ = λmax/λmin`` with
    ``λmin = scale`` fixed, so raising κ steepens the steep direction only).

    Parameters
    ----------
    condition_number : float
        Initial κ, inside ``kappa_range``.
    lr : float
        Initial learning rate, inside ``lr_range``.
    angle : float
        Rotation of the eigen directions from the axes, radians.
    scale : float
        ``λmin``.
    start : (float, float)
        Start point, inside ``window``.
    steps : int
        Gradient-descent steps drawn.
    lr_range, kappa_range : (float, float)
        Slider ranges (both positive, low < high; ``kappa_range[0] >= 1``).
    window : float
        The map shows ``[-window, window]²``.
    levels : int
        Number of contour ellipses.
    figsize, dpi, png_dpi
        See :class:`gradlab.widgets.LiveFigure`.

    Attributes
    ----------
    matrix : ndarray (2, 2)
        The current ``A``.
    eigenvalues : ndarray (2,)
        ``(λmin, λmax)``.
    eigenvectors : ndarray (2, 2)
        Columns ``u_min``, ``u_max`` (unit length).
    stability_bound, best_lr, best_rate : float
        ``2/λmax``, ``2/(λmin + λmax)`` and ``(κ − 1)/(κ + 1)``.
    trajectory : gradlab.runner.Trajectory
        The current run.
    """

    def __init__(self, *, condition_number=10.0, lr=0.17, angle=math.pi / 6, scale=1.0,
                 start=(-2.4, 1.6), steps=30, lr_range=(1e-3, 3.0), kappa_range=(1.0, 100.0),
                 window=3.0, levels=8, figsize=(9.2, 4.85), dpi=100, png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title="ConditioningExplorer: learning rate vs condition number")
        self.angle, self.scale = float(angle), float(scale)
        bowl_matrix(1.0, self.angle, self.scale)  # checks angle and scale
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
            raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
        if isinstance(levels, bool) or not isinstance(levels, int | np.integer) or levels < 1:
            raise ValueError(f"levels must be an integer >= 1, got {levels!r}")
        window = float(window)
        if not (math.isfinite(window) and window > 0):
            raise ValueError(f"window must be a finite number > 0, got {window!r}")
        if kappa_range[0] < 1:
            raise ValueError(f"kappa_range must start at 1 or above, got {kappa_range!r}")
        self.steps, self.window = int(steps), ((-window, window), (-window, window))
        self.start = np.asarray(start, dtype=float).reshape(-1)
        if self.start.shape != (2,) or not np.all(np.abs(self.start) <= window):
            raise ValueError(f"start must be two numbers inside [-{window:g}, {window:g}], "
                             f"got {start!r}")
        # Both sliders check their value against their range and say which is wrong.
        lr_slider = log_slider("lr", float(lr), *map(float, lr_range))
        kappa_slider = log_slider("κ", float(condition_number), *map(float, kappa_range))

        self.ax = self.figure.add_subplot(1, 2, 1)
        self.rate_ax = self.figure.add_subplot(1, 2, 2)
        # Room below the axes for the rate panel's legend, above the message's three lines.
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.3, top=0.915, wspace=0.28)
        # Ellipses f = ½ λmin r²: semi-axis r along u_min and r/√κ along u_max. Their shape
        # changes with κ, so they are lines updated in place (no re-contouring).
        self.radii = np.linspace(0, 1.45 * window, levels + 1)[1:]
        self._circle = np.linspace(0, 2 * np.pi, 121)
        self.ellipses = [self.ax.plot([], [], color=MID_GREY, linewidth=0.8, zorder=1)[0]
                         for _ in self.radii]
        reach = 1.5 * window
        (self.shallow_axis,) = self.ax.plot([], [], color=_SHALLOW, linewidth=1.4,
                                            linestyle="--", zorder=2, label="u_min (shallow)")
        (self.steep_axis,) = self.ax.plot([], [], color=_STEEP, linewidth=1.4, linestyle="--",
                                          zorder=2, label="u_max (steep)")
        self._reach = reach
        self.ax.plot([0], [0], marker="+", color="black", markersize=10, zorder=4)
        self.ax.set_aspect("equal")
        # Names at the ends of the eigen axes, placed inside the window by _set_bowl.
        self.shallow_label = self.ax.text(0, 0, "u_min", color=_SHALLOW, fontsize=9,
                                          fontweight="bold", ha="center", va="center", zorder=6)
        self.steep_label = self.ax.text(0, 0, "u_max", color=_STEEP, fontsize=9,
                                        fontweight="bold", ha="center", va="center", zorder=6)
        self.paths = trajectory_lines(self.ax, np.array([self.start, self.start]),
                                      window=self.window, colors=[BLUISH_GREEN])
        few_ticks(self.ax)
        # Styled once; a move sets only the text (set_title would touch the static titles).
        self.ax.set_title("", fontsize=10)

        low, high = (float(v) for v in lr_range)
        self.lr_grid = np.geomspace(low, high, 400)
        (self.shallow_factor,) = self.rate_ax.plot([], [], color=_SHALLOW, linewidth=1.6,
                                                   label="|1 − η λmin|  (along u_min)")
        (self.steep_factor,) = self.rate_ax.plot([], [], color=_STEEP, linewidth=1.6,
                                                 label="|1 − η λmax|  (along u_max)")
        (self.worst_factor,) = self.rate_ax.plot([], [], color=_WORST, linewidth=3.5, alpha=0.25,
                                                 label="the larger one: rate of the run")
        self.rate_ax.axhline(1.0, color="black", linewidth=0.8)
        self.lr_line = self.rate_ax.axvline(lr, color=BLUISH_GREEN, linewidth=2.0)
        self.bound_line = self.rate_ax.axvline(1.0, color=_STEEP, linestyle=":", linewidth=1.4)
        self.best_line = self.rate_ax.axvline(1.0, color=_WORST, linestyle=":", linewidth=1.4)
        self.bound_text = self.rate_ax.text(1.0, 1.9, "", color=_STEEP, fontsize=8, ha="left",
                                            va="top")
        self.best_text = self.rate_ax.text(1.0, 1.72, "", color=_WORST, fontsize=8, ha="right",
                                           va="top")
        self.rate_ax.set_title("one step multiplies the error along u by |1 − η λ|",
                               fontsize=10)
        # Everything either slider moves: a move redraws these over the cached axes.
        self.animate(*self.ellipses, self.shallow_axis, self.steep_axis, self.shallow_label,
                     self.steep_label, *self.paths.lines, self.paths.starts, self.paths.ends,
                     self.paths.exits, *self.paths.notes, self.ax.title, self.shallow_factor,
                     self.steep_factor, self.worst_factor, self.lr_line, self.bound_line,
                     self.best_line, self.bound_text, self.best_text)
        self.rate_ax.set_xscale("log")
        self.rate_ax.set_xlim(low, high)
        self.rate_ax.set_ylim(0, 2)
        self.rate_ax.set_xlabel("learning rate η")
        self.rate_ax.set_ylabel("error factor per step")
        # Below the axis label, outside the data area: inside it, the animated factor curves
        # and lines (drawn after the static layers) would paint over it. (A legend made
        # animated to stay on top would cost ~12 ms a frame.) Two columns, flush with the
        # panel's right edge: wider than the panel, it reaches under the gap between the axes.
        self.rate_legend = self.rate_ax.legend(loc="upper right", bbox_to_anchor=(1.0, -0.16),
                                               ncols=2, fontsize=8, frameon=False,
                                               borderaxespad=0.0)
        few_ticks(self.rate_ax)

        self.add_control("lr", lr_slider)
        self.add_control("condition_number", kappa_slider)
        with np.errstate(all="ignore"):
            self._apply({"lr": lr_slider.value, "condition_number": kappa_slider.value})

    # -- the bowl -------------------------------------------------------------------------------
    def _set_bowl(self, kappa):
        self.matrix = bowl_matrix(kappa, self.angle, self.scale)
        c, s = math.cos(self.angle), math.sin(self.angle)
        self.eigenvalues = np.array([self.scale, self.scale * kappa])
        self.eigenvectors = np.array([[c, -s], [s, c]])  # columns: u_min, u_max
        lam_min, lam_max = self.eigenvalues
        self.stability_bound = float(2.0 / lam_max)
        self.best_lr = float(2.0 / (lam_min + lam_max))
        self.best_rate = (kappa - 1.0) / (kappa + 1.0)
        u_min, u_max = self.eigenvectors.T
        for line, radius in zip(self.ellipses, self.radii, strict=True):
            along_min = radius * np.cos(self._circle)
            along_max = radius / math.sqrt(kappa) * np.sin(self._circle)
            points = np.outer(along_min, u_min) + np.outer(along_max, u_max)
            line.set_data(points[:, 0], points[:, 1])
        ends = np.array([-self._reach, self._reach])
        self.shallow_axis.set_data(ends * u_min[0], ends * u_min[1])
        self.steep_axis.set_data(ends * u_max[0], ends * u_max[1])
        half = self.window[0][1]
        for label, u in ((self.shallow_label, u_min), (self.steep_label, u_max)):
            # 85 % of the way to the window edge along +u (or -u when that points down).
            u = u if u[1] >= 0 else -u
            label.set_position(0.85 * half / np.max(np.abs(u)) * u)
        shallow = np.abs(1 - self.lr_grid * lam_min)
        steep = np.abs(1 - self.lr_grid * lam_max)
        self.shallow_factor.set_data(self.lr_grid, shallow)
        self.steep_factor.set_data(self.lr_grid, steep)
        self.worst_factor.set_data(self.lr_grid, np.maximum(shallow, steep))
        self.bound_line.set_xdata([self.stability_bound] * 2)
        self.best_line.set_xdata([self.best_lr] * 2)
        self.bound_text.set_position((self.stability_bound, 1.9))
        self.bound_text.set_text(f" 2/λmax = {self.stability_bound:.3g}")
        self.best_text.set_position((self.best_lr, 1.72))
        self.best_text.set_text(f"2/(λmin+λmax) = {self.best_lr:.3g} ")

    def factors(self, lr):
        """``(|1 − lr λmin|, |1 − lr λmax|)``: one step's error factor along each direction."""
        return tuple(float(abs(1 - lr * lam)) for lam in self.eigenvalues)

    # -- updates --------------------------------------------------------------------------------
    def _apply(self, changes):
        kappa = self.controls["condition_number"].value
        lr = self.controls["lr"].value
        if "condition_number" in changes:
            self._set_bowl(kappa)
        matrix = self.matrix
        self.trajectory = run(SGD(lr=lr), lambda p: p @ matrix, self.start[None], self.steps,
                              value=lambda p: 0.5 * np.einsum("nd,de,ne->n", p, matrix, p))
        self.paths.update(self.trajectory.points)
        self.lr_line.set_xdata([lr, lr])
        self.ax.title.set_text(f"κ = {kappa:.3g}: λmin = {self.eigenvalues[0]:.3g}, "
                               f"λmax = {self.eigenvalues[1]:.3g};  lr = {lr:.3g}")
        self._describe(lr)

    def _describe(self, lr):
        shallow, steep = self.factors(lr)
        diverged_at = int(self.trajectory.diverged_at[0])
        if lr > self.stability_bound:
            where = (f"diverged at step {diverged_at}" if diverged_at >= 0
                     else f"grows ×{steep ** self.steps:.3g} in {self.steps} steps")
            self.show_message(
                f"lr = {lr:.3g} > 2/λmax = {self.stability_bound:.3g}: along u_max the error "
                f"is multiplied by |1 − η λmax| = {steep:.3g} > 1 each step, so it {where}",
                "error")
            return
        worst = max(shallow, steep)
        slow = "u_min (shallow)" if shallow >= steep else "u_max (steep)"
        final = float(self.trajectory.values[-1, 0])
        if worst >= 1.0:
            self.show_message(f"at lr = {lr:.3g} the error along u_max flips sign and keeps "
                              f"its size (factor 1): the path bounces forever", "warning")
            return
        if worst < 1e-12:
            self.show_message(f"lr = 1/λ in every direction (κ = 1): one step lands on the "
                              f"minimum; f after {self.steps} steps = {final:.3g}")
            return
        tenfold = math.log(10) / -math.log(worst)
        self.show_message(
            f"slowest direction {slow}: factor {worst:.3g} per step, so about {tenfold:.3g} "
            f"steps per tenfold smaller error; f after {self.steps} steps = {final:.3g}")
