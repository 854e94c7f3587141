r"""Momentum on a quadratic bowl: the path, its eigen-components, and the map of rates.

:class:`MomentumExplorer` is the live figure of lesson 06. On
:math:`f(x) = \tfrac12 (x - x^*)^\top A (x - x^*)` the error along each eigenvector of :math:`A`
shrinks, per step, by the spectral radius of a 2×2 iteration matrix; that rate theory
(heavy ball and Nesterov, in closed form) is :mod:`gradlab.quadratics`, which this figure draws:
the path, the error along each eigen-direction beside its predicted rate, and the map of the
worst rate over (learning rate, momentum).

A slider move is a lookup: the runs for every position of the ``lr`` slider and of the
``momentum`` slider through the current setting are each one batched run (settings stacked as
rows), made when the explorer is built and again along a slider when a move lands on a setting
not run yet. Everything a move changes is an animated artist, drawn over the cached contours,
rate maps and axes.
"""

from __future__ import annotations

from collections import OrderedDict

import ipywidgets
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from gradlab.colors import BLACK, BLUE, GREY, LIGHT_GREY, ORANGE, VERMILLION
from gradlab.formatting import format_number
from gradlab.optimizers import SGD
from gradlab.plotting import few_ticks
from gradlab.plotting.contours import contour_map
from gradlab.plotting.trajectories import trajectory_lines
from gradlab.quadratics import (
    behaviour,
    component_rate,
    critical_lrs,
    rate_map,
    stable_lr_limit,
    steps_per_tenfold,
)
from gradlab.runner import Trajectory, run
from gradlab.widgets import LiveFigure, log_slider

__all__ = ["MomentumExplorer"]

#: Colours of the two eigen-directions (small curvature first), from the Okabe–Ito palette.
COMPONENT_COLORS = (BLUE, VERMILLION)

# Runs kept per (lr, momentum, Nesterov), 1.6 kB each at 100 steps: about twenty slider lines.
_CACHED_RUNS = 4096


class MomentumExplorer(LiveFigure):
    r"""Heavy ball or Nesterov on a quadratic bowl: path, eigen-components, and the rate map.

    Three panels, built once: (1) the bowl's contours with the path of the chosen method and,
    faint, plain gradient descent at the same learning rate, with the two eigen-directions drawn
    through the minimum; (2) the size of the error along each eigen-direction, step by step
    (log scale), beside the slope :math:`\rho_i^k` the iteration matrix predicts; (3) the map
    of the worst rate over (learning rate, momentum), coloured by the steps it takes to shrink
    the error tenfold, with the stable region's edge, the curves where each component starts or
    stops ringing, the best setting (star) and the current one (circle, moved by the sliders or
    by a click on the map).

    Controls: ``lr`` (log slider), ``momentum``, ``nesterov`` (checkbox).

    Parameters
    ----------
    objective : Objective
        A two-variable quadratic with a positive-definite ``matrix`` (e.g.
        :func:`gradlab.functions.quadratic_bowl`); its first minimum is the target.
    start : array (2,)
        Start point (inside the window).
    steps : int
        Steps per run.
    lr, momentum : float
        Initial values (default: ``1/λmax`` and 0.9).
    nesterov : bool
    lr_range : (float, float), optional
        Range of the lr slider and of the map (default ``(0.05/λmax, 5/λmax)``).
    resolution : int
        Map grid points per axis.

    Attributes
    ----------
    curvatures : (2,) eigenvalues of the Hessian, increasing; ``directions`` (2, 2) its
        eigenvectors as columns.
    trajectory, gd_trajectory : Trajectory
        The last runs (chosen method; plain GD at the same lr).
    components : (steps + 1, 2) array
        Error of the chosen method along each eigen-direction.
    rates : (2,) array
        Each component's predicted rate; ``rate`` is their maximum.
    maps : dict
        ``{False: heavy-ball rates, True: Nesterov rates}``, shape ``(len(map_momenta),
        len(map_lrs))``.
    """

    def __init__(self, objective, *, start, steps=100, lr=None, momentum=0.9, nesterov=False,
                 lr_range=None, resolution=180, figsize=(9.2, 5.6), dpi=100, png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"MomentumExplorer: {getattr(objective, 'name', 'bowl')}")
        matrix = getattr(objective, "matrix", None)
        if matrix is None or np.shape(matrix) != (2, 2):
            raise ValueError("MomentumExplorer needs a two-variable quadratic objective "
                             "(objective.matrix is its Hessian), e.g. quadratic_bowl(...)")
        curvatures, directions = np.linalg.eigh(np.asarray(matrix, dtype=float))
        if not curvatures[0] > 0:
            raise ValueError(f"the Hessian must be positive definite, eigenvalues {curvatures}")
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
            raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
        self.objective = objective
        self.curvatures, self.directions = curvatures, directions
        self.minimum = np.asarray(objective.minima[0], dtype=float)
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        start = np.asarray(start, dtype=float).reshape(-1)
        inside = all(lo <= v <= hi for v, (lo, hi) in zip(start, self.window, strict=False))
        if start.shape != (2,) or not np.all(np.isfinite(start)) or not inside:
            raise ValueError(f"start must be two finite numbers inside the window "
                             f"{self.window}, got {start.tolist()}")
        self.start = start
        self.steps = int(steps)
        lam_min, lam_max = curvatures
        lr = 1.0 / lam_max if lr is None else float(lr)
        low, high = (0.05 / lam_max, 5 / lam_max) if lr_range is None else map(float, lr_range)
        if not (0 < low <= lr <= high):
            raise ValueError(f"need 0 < lr_range[0] <= lr <= lr_range[1], got lr={lr}, "
                             f"lr_range=({low}, {high})")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")

        # --- the maps, both variants, computed once (vectorized over the grid)
        self.map_lrs = np.geomspace(low, high, resolution)
        self.map_momenta = np.linspace(0.0, 0.99, resolution)
        self.maps = {flag: rate_map(curvatures, self.map_lrs, self.map_momenta, flag)
                     for flag in (False, True)}
        self.best = {}
        for flag, rates in self.maps.items():
            i, j = np.unravel_index(np.argmin(rates), rates.shape)
            self.best[flag] = (self.map_lrs[j], self.map_momenta[i], rates[i, j])

        # --- axes
        self.ax = self.figure.add_subplot(1, 3, 1)
        self.comp_ax = self.figure.add_subplot(1, 3, 2)
        self.map_ax = self.figure.add_subplot(1, 3, 3)
        # A band below the axes holds each panel's legend, outside the data area: inside it the
        # animated paths, curves and marker (drawn after the static layers) would paint over
        # it. (A legend made animated to stay on top would cost ~12 ms a frame.)
        self.figure.subplots_adjust(left=0.07, right=0.92, bottom=0.34, top=0.88, wspace=0.5)
        legend_place = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.17), "fontsize": 8,
                        "frameon": False, "borderaxespad": 0.0, "handlelength": 2.5}

        # panel 1: contours, eigen-directions, paths
        contour_map(self.ax, objective, resolution=120, levels=14)
        span = max(hi - lo for lo, hi in self.window)
        for index in range(2):
            d = directions[:, index] * span
            self.ax.plot(self.minimum[0] + np.array([-d[0], d[0]]),
                         self.minimum[1] + np.array([-d[1], d[1]]), linestyle=(0, (4, 3)),
                         color=COMPONENT_COLORS[index], linewidth=1.0, zorder=2)
        self.ax.set_xlim(*self.window[0])
        self.ax.set_ylim(*self.window[1])
        self.paths = trajectory_lines(self.ax, np.repeat(start[None, None, :], 2, axis=1),
                                      window=self.window, colors=[BLACK, GREY],
                                      labels=["momentum", "plain GD, same lr"], linewidth=1.3)
        self.paths.lines[1].set_alpha(0.6)
        self.animate(*self.paths.lines, self.paths.starts, self.paths.ends, self.paths.exits,
                     *self.paths.notes)
        # Built once; _apply renames the first entry after the method instead of a new legend.
        self.path_legend = self.ax.legend(handles=self.paths.lines, **legend_place)

        # panel 2: components
        k = np.arange(self.steps + 1)
        self.comp_lines, self.gd_lines, self.slope_lines = [], [], []
        for index, lam in enumerate(curvatures):
            colour = COMPONENT_COLORS[index]
            (gd,) = self.comp_ax.plot(k, np.full(k.shape, np.nan), color=colour, linewidth=1.0,
                                      alpha=0.45, linestyle="--", animated=True)
            (line,) = self.comp_ax.plot(k, np.full(k.shape, np.nan), color=colour,
                                        linewidth=1.5, label=f"λ = {format_number(lam)}",
                                        animated=True)
            (slope,) = self.comp_ax.plot(k, np.full(k.shape, np.nan), color="black",
                                         linewidth=0.9, linestyle=":", animated=True)
            self.comp_lines.append(line)
            self.gd_lines.append(gd)
            self.slope_lines.append(slope)
        self.slope_lines[0].set_label("ρᵢᵏ·|eᵢ(0)| predicted")
        self.gd_lines[0].set_label("plain GD (dashed)")
        self.comp_ax.set_yscale("log")
        self.comp_ax.set_ylim(1e-12, 1e4)
        self.comp_ax.set_xlim(0, self.steps)
        self.comp_ax.set_xlabel("step k")
        self.comp_ax.set_ylabel("|error along eigenvector i|")
        self.comp_legend = self.comp_ax.legend(**legend_place)

        # panel 3: the map (two precomputed variants; the checkbox swaps their visibility)
        self.map_ax.set_xscale("log")
        norm = LogNorm(1, 1000)
        self.meshes, self.map_lines = {}, {}
        betas = self.map_momenta
        for flag, rates in self.maps.items():
            tenfold = np.ma.masked_invalid(np.where(rates < 1, steps_per_tenfold(rates), np.nan))
            mesh = self.map_ax.pcolormesh(self.map_lrs, betas, np.clip(tenfold, 1, 1000),
                                          cmap="viridis_r", norm=norm, shading="nearest",
                                          zorder=0)
            contours = self.map_ax.contour(self.map_lrs, betas, tenfold.filled(1e4),
                                           levels=[10, 30, 100], colors="white",
                                           linewidths=0.7, zorder=1)
            self.map_ax.clabel(contours, fmt="%d", fontsize=8)
            edge = stable_lr_limit(lam_max, betas, flag)
            (edge_line,) = self.map_ax.plot(edge, betas, color="black", linewidth=1.6, zorder=2,
                                            label="edge of stability")
            low_min, _ = critical_lrs(lam_min, betas, flag)
            _, high_max = critical_lrs(lam_max, betas, flag)
            (ring_min,) = self.map_ax.plot(low_min, betas, color=COMPONENT_COLORS[0],
                                           linestyle="--", linewidth=1.3, zorder=2,
                                           label="λmin starts ringing")
            (ring_max,) = self.map_ax.plot(high_max, betas, color=COMPONENT_COLORS[1],
                                           linestyle="--", linewidth=1.3, zorder=2,
                                           label="λmax stops ringing")
            best_lr, best_beta, _ = self.best[flag]
            (star,) = self.map_ax.plot([best_lr], [best_beta], marker="*", markersize=13,
                                       color="white", markeredgecolor="black", linestyle="none",
                                       zorder=4, label="best on the grid")
            self.meshes[flag] = mesh
            self.map_lines[flag] = [contours, edge_line, ring_min, ring_max, star]
        self.map_ax.set_facecolor(LIGHT_GREY)  # masked cells (diverging settings) show grey
        colorbar = self.figure.colorbar(self.meshes[False], ax=self.map_ax, pad=0.02,
                                        label="steps to shrink error 10×")
        (self.marker,) = self.map_ax.plot([lr], [momentum], marker="o", markersize=9,
                                          color=ORANGE, markeredgecolor="black",
                                          linestyle="none", zorder=5, label="your setting",
                                          animated=True)
        self.map_ax.set_xlim(low, high)
        self.map_ax.set_ylim(0, 0.99)
        self.map_ax.set_xlabel("learning rate η (log)")
        self.map_ax.set_ylabel("momentum β")
        self.map_legend = self.map_ax.legend(handles=[self.marker, *self.map_lines[False][1:]],
                                             **legend_place)
        # Tick text is most of a redraw's cost: few ticks, plain labels (no mathtext powers).
        few_ticks(self.ax, self.comp_ax, self.map_ax)
        colorbar.ax.yaxis.set_major_locator(LogLocator(numticks=4))
        colorbar.ax.yaxis.set_minor_locator(NullLocator())
        colorbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        # Styled once; a move sets only the texts (set_title would touch the static titles).
        # The map's title changes with the checkbox only, so it stays static.
        for ax in (self.ax, self.comp_ax):
            ax.set_title("", fontsize=9)
            self.animate(ax.title)
        self._method = None  # the method named in the path legend (static: rarely changes)
        self._nesterov = None  # which rate map is shown
        self._runs = OrderedDict()

        # --- controls
        self.add_control("lr", log_slider("lr", lr, low, high))
        self.add_control("momentum", ipywidgets.FloatSlider(
            value=float(momentum), min=0.0, max=0.99, step=0.005, description="momentum",
            readout_format=".3f"))
        self.add_control("nesterov", ipywidgets.Checkbox(value=bool(nesterov),
                                                         description="Nesterov"))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        with np.errstate(all="ignore"):
            # Plain GD at every lr position (the faint path), then the chosen method along
            # both sliders through the first setting: every first move is a lookup.
            self._run_line("lr", self.controls["lr"].value, 0.0, False)
            self._run_line("momentum", self.controls["lr"].value,
                           self.controls["momentum"].value, bool(nesterov))
            self._apply({"lr": lr})
        self.redraw()

    # -- computing
    def _components(self, points):
        """Error along each eigen-direction: (steps + 1, 2)."""
        return (points - self.minimum) @ self.directions

    @staticmethod
    def _key(lr, beta, nesterov):
        # Rounded: the browser's slider value and ours for a position may differ in the last
        # bit. With β = 0 both methods are plain GD.
        beta = round(float(beta), 9)
        return float(lr), beta, bool(nesterov) and beta > 0

    def _run_settings(self, settings):
        """Run every ``(lr, β, nesterov)`` of ``settings`` as rows of ONE run and cache each
        path: either all Nesterov with β > 0, or all heavy ball (β = 0 rows are plain GD)."""
        lrs = np.array([lr for lr, _beta, _flag in settings], dtype=float)
        betas = np.array([beta for _lr, beta, _flag in settings], dtype=float)
        # PyTorch refuses nesterov=True with momentum 0; the update is then plain GD anyway.
        nesterov = all(flag and beta > 0 for _lr, beta, flag in settings)
        record = run(SGD(lr=lrs, momentum=betas, nesterov=nesterov), self.objective.gradient,
                     np.repeat(self.start[None, :], len(settings), axis=0), self.steps)
        for index, (lr, beta, flag) in enumerate(settings):
            key = self._key(lr, beta, flag)
            self._runs[key] = Trajectory(
                points=record.points[:, index:index + 1].copy(),
                values=record.values[:, index:index + 1].copy(),
                lrs=record.lrs[:, index:index + 1].copy(),
                diverged_at=record.diverged_at[index:index + 1].copy())
            self._runs.move_to_end(key)
        while len(self._runs) > _CACHED_RUNS:
            self._runs.popitem(last=False)

    def _run_line(self, name, lr, beta, nesterov):
        """Run the method at every position of slider ``name`` (``'lr'`` or ``'momentum'``),
        the other slider as it is."""
        control = self.controls[name]
        if name == "lr":
            settings = [(value, beta, nesterov) for _label, value in control.options]
        else:
            count = round((control.max - control.min) / control.step) + 1
            values = np.minimum(control.min + control.step * np.arange(count), control.max)
            settings = [(lr, float(value), nesterov) for value in values]
        settings.append((lr, beta, nesterov))  # the current setting exactly
        plain = [s for s in settings if s[1] == 0 or not nesterov]
        for group in (plain, [s for s in settings if s[1] != 0 and nesterov]):
            if group:  # Nesterov needs β > 0 in every row; β = 0 is plain GD
                self._run_settings(group)

    def _lookup(self, lr, beta, nesterov, moved):
        """The run of one setting: cached, else its slider line (after a move of that slider
        alone), else alone."""
        key = self._key(lr, beta, nesterov)
        if key not in self._runs:
            if len(moved) == 1 and moved[0] in ("lr", "momentum"):
                self._run_line(moved[0], lr, beta, nesterov)
            else:
                self._run_settings([(lr, beta, nesterov)])
        self._runs.move_to_end(key)
        return self._runs[key]

    def _apply(self, changes):
        lr = float(self.controls["lr"].value)
        beta = float(self.controls["momentum"].value)
        nesterov = bool(self.controls["nesterov"].value)
        moved = tuple(changes)
        self.trajectory = self._lookup(lr, beta, nesterov, moved)
        # Plain GD depends on lr only: its line is along lr.
        self.gd_trajectory = self._lookup(lr, 0.0, False, ("lr",))
        self.paths.update(np.concatenate([self.trajectory.points, self.gd_trajectory.points],
                                         axis=1))
        self.components = self._components(self.trajectory.points[:, 0])
        gd_components = self._components(self.gd_trajectory.points[:, 0])
        self.rates = component_rate(self.curvatures, lr, beta, nesterov)
        self.rate = float(self.rates.max())
        k = np.arange(self.steps + 1)
        first = np.abs(self.components[0])
        with np.errstate(all="ignore"):
            for i in range(2):
                self.comp_lines[i].set_ydata(np.abs(self.components[:, i]))
                self.gd_lines[i].set_ydata(np.abs(gd_components[:, i]))
                predicted = first[i] * self.rates[i] ** k
                self.slope_lines[i].set_ydata(np.where(predicted > 1e-300, predicted, np.nan))
        if nesterov != self._nesterov:  # the other rate map: a full redraw, on a click only
            self._nesterov = nesterov
            for flag in (False, True):
                visible = flag == nesterov
                self.meshes[flag].set_visible(visible)
                for artist in self.map_lines[flag]:
                    artist.set_visible(visible)
            best_lr, best_beta, best_rate = self.best[nesterov]
            variant = "Nesterov" if nesterov else "heavy ball"
            self.map_ax.set_title(f"{variant} best:\nlr = {format_number(best_lr)}, β = "
                                  f"{best_beta:.2f}, ρ = {format_number(best_rate)}",
                                  fontsize=9)
        self.marker.set_data([lr], [beta])
        method = "Nesterov" if nesterov and beta > 0 else ("heavy ball" if beta > 0 else "GD")
        if method != self._method:  # the legend is static: only when β reaches or leaves 0
            self._method = method
            self.paths.lines[0].set_label(method)
            self.path_legend.get_texts()[0].set_text(method)
        self.ax.title.set_text(f"{method}:\nlr = {format_number(lr)}, β = {beta:.3g}")
        self.comp_ax.title.set_text(f"rate ρ = max(ρ₁, ρ₂)\n= {format_number(self.rate, 4)}")
        self._describe(lr, beta, nesterov, method)

    def _describe(self, lr, beta, nesterov, method):
        limit = float(stable_lr_limit(self.curvatures[1], beta, nesterov))
        formula = "2(1+β)/((1+2β)λmax)" if nesterov and beta > 0 else (
            "2(1+β)/λmax" if beta > 0 else "2/λmax")
        words = [f"λ={format_number(lam)}: ρ={format_number(r)}, "
                 f"{behaviour(lam, lr, beta, nesterov)}"
                 for lam, r in zip(self.curvatures, self.rates, strict=True)]
        if self.rate >= 1:
            diverged = int(self.trajectory.diverged_at[0])
            when = f"ran past 1e6 at step {diverged}" if diverged >= 0 else "does not settle"
            self.show_message(
                f"{method} {when}: lr = {format_number(lr)} is beyond {formula} = "
                f"{format_number(limit)}, so the "
                f"λmax component grows ({'; '.join(words)}).", "error")
            return
        tenfold = float(steps_per_tenfold(self.rate))
        gd_rate = float(component_rate(self.curvatures, lr, 0.0).max())
        gd_text = (f"plain GD at this lr: ρ = {format_number(gd_rate, 4)}" if gd_rate < 1
                   else "plain GD at this lr diverges")
        self.show_message(
            f"{method}: error ÷10 every {format_number(tenfold)} steps ({'; '.join(words)}); "
            f"{gd_text}. Stable for lr < {formula} = {format_number(limit)}.")

    def _on_click(self, event):
        """A click on the map sets the learning rate and momentum there."""
        if event.inaxes is not self.map_ax or event.xdata is None or event.button != 1:
            return
        self.set(lr=float(event.xdata), momentum=float(min(max(event.ydata, 0.0), 0.99)))
