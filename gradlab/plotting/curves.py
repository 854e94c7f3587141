"""Numbers against steps or learning rates: loss curves and learning-rate sweeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection

from gradlab.formatting import format_number
from gradlab.plotting._base import (
    as_float_array,
    color_for,
    new_axes,
    uses_log_scale,
)
from gradlab.plotting.trajectories import MANY_RUNS


def _decide_log(log: bool | str, values: np.ndarray, name: str) -> bool:
    if log == "auto":
        return uses_log_scale(values)
    if log is True:
        finite = values[np.isfinite(values)]
        if np.any(finite <= 0):
            raise ValueError(f"log=True needs positive {name}; got a minimum of "
                             f"{format_number(finite.min())} (pass minimum_value= to plot "
                             "f - f*, or log='auto')")
        return True
    if log is False:
        return False
    raise ValueError(f"log must be True, False or 'auto', got {log!r}")


def _value_limits(values: np.ndarray, log: bool) -> tuple[float, float] | None:
    finite = values[np.isfinite(values)]
    if log:
        finite = finite[finite > 0]
    if finite.size == 0:
        return None
    low, high = float(finite.min()), float(finite.max())
    if log:
        return low / 10 ** 0.15, high * 10 ** 0.15
    pad = 0.05 * (high - low) if high > low else max(abs(high), 1.0) * 0.05
    return low - pad, high + pad


@dataclass(eq=False)
class LossCurveArtists:
    """What :func:`loss_curves` drew; :meth:`update` shows new values for the same runs."""

    ax: Any
    lines: list
    collection: Any
    log: bool | str
    minimum_value: float
    n_runs: int

    def update(self, values: Any) -> None:
        """Show new ``values (steps + 1, n)`` or ``(steps + 1,)``; rescales the axes."""
        curves = _as_curves(values) - self.minimum_value
        if curves.shape[1] != self.n_runs:
            raise ValueError(f"update got {curves.shape[1]} runs; these curves were drawn for "
                             f"{self.n_runs}")
        steps = np.arange(curves.shape[0], dtype=float)
        if self.collection is not None:
            segments = []
            for run in range(curves.shape[1]):
                keep = np.isfinite(curves[:, run])
                segments.append(np.column_stack([steps[keep], curves[keep, run]]))
            self.collection.set_segments(segments)
        else:
            for line, curve in zip(self.lines, curves.T, strict=True):
                line.set_data(steps, curve)
        use_log = _decide_log(self.log, curves, "values")
        self.ax.set_yscale("log" if use_log else "linear")
        self.ax.set_xlim(0, max(curves.shape[0] - 1, 1))
        limits = _value_limits(curves, use_log)
        if limits is not None:
            self.ax.set_ylim(*limits)


def _as_curves(values: Any) -> np.ndarray:
    curves = as_float_array(values, "values", (1, 2))
    if curves.ndim == 1:
        curves = curves[:, None]
    if curves.shape[0] < 1 or curves.shape[1] < 1:
        raise ValueError(f"values must have shape (steps + 1, n), got {curves.shape}")
    return curves


def loss_curves(ax: Any, values: Any, labels: Sequence[str] | None = None, *,
                log: bool | str = "auto", minimum_value: float | None = None,
                colors: Any = None, ylabel: str | None = None) -> LossCurveArtists:
    """Draw loss against step for one or many runs.

    With ``log="auto"`` the y axis is logarithmic when the values are >= 0 and span more than
    two decades (:func:`uses_log_scale`) — the usual picture of a converging run. NaN after a
    divergence simply ends a curve.

    Parameters
    ----------
    ax : matplotlib Axes or None
    values : array (steps + 1, n) or (steps + 1,)
        ``Trajectory.values``.
    labels : list of str, optional
        One per run; adds a legend (at most ``MANY_RUNS`` runs).
    log : bool or "auto"
    minimum_value : float, optional
        Plot ``f - minimum_value`` (e.g. ``objective.minimum_value``): the gap to the optimum,
        which converges to 0 and reads well on a log axis.
    colors : list of colours, optional
    ylabel : str, optional

    Returns
    -------
    LossCurveArtists

    Examples
    --------
    >>> artists = loss_curves(None, 0.5 ** np.arange(30))
    >>> artists.ax.get_yscale()
    'log'
    """
    curves = _as_curves(values)
    n_runs = curves.shape[1]
    if labels is not None and len(labels) != n_runs:
        raise ValueError(f"labels must have one entry per run ({n_runs}), got {len(labels)}")
    offset = 0.0 if minimum_value is None else float(minimum_value)
    if not np.isfinite(offset):
        raise ValueError(f"minimum_value must be finite, got {minimum_value!r}")
    _decide_log(log, curves - offset, "values")  # a bad log= fails before drawing
    ax = new_axes() if ax is None else ax
    if colors is None:
        colors = [color_for(i) for i in range(n_runs)]
    elif len(colors) != n_runs:
        raise ValueError(f"colors must have one entry per run ({n_runs}), got {len(colors)}")
    lines, collection = [], None
    if n_runs > MANY_RUNS:
        collection = LineCollection([], colors=list(colors), linewidths=0.8, alpha=0.5)
        ax.add_collection(collection, autolim=False)
    else:
        for run in range(n_runs):
            (line,) = ax.plot([], [], color=colors[run], linewidth=1.8,
                              label=None if labels is None else labels[run])
            lines.append(line)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel or ("f − f*" if minimum_value is not None else "loss f"))
    if labels is not None and lines:
        ax.legend(fontsize=9)
    artists = LossCurveArtists(ax, lines, collection, log, offset, n_runs)
    artists.update(curves)
    return artists


@dataclass(eq=False)
class LearningRateSweepArtists:
    """What :func:`lr_sweep` drew; :meth:`update` shows new results."""

    ax: Any
    finals: Any  # Line2D of final values (NaN where diverged)
    diverged: Any  # Line2D of crosses along the top edge
    bound_line: Any
    bound_text: Any
    log: bool | str

    def update(self, lrs: Any, final_values: Any, diverged: Any,
               stability_bound: float | None = None) -> None:
        """Show new sweep results (arrays of equal length) and bound."""
        lrs = as_float_array(lrs, "lrs", 1)
        final_values = as_float_array(final_values, "final_values", 1)
        diverged = np.asarray(diverged, dtype=bool)
        if not (lrs.shape == final_values.shape == diverged.shape):
            raise ValueError(f"lrs, final_values and diverged must have the same length, got "
                             f"{lrs.shape}, {final_values.shape}, {diverged.shape}")
        if np.any(~np.isfinite(lrs) | (lrs <= 0)):
            raise ValueError("lrs must be positive and finite (they go on a log axis)")
        order = np.argsort(lrs)
        lrs, final_values, diverged = lrs[order], final_values[order], diverged[order]
        shown = np.where(diverged, np.nan, final_values)
        self.finals.set_data(lrs, shown)
        self.diverged.set_data(lrs[diverged], np.full(int(diverged.sum()), 0.96))
        use_log = _decide_log(self.log, shown, "final_values")
        self.ax.set_yscale("log" if use_log else "linear")
        self.ax.set_xlim(lrs[0] / 10 ** 0.1, lrs[-1] * 10 ** 0.1)
        limits = _value_limits(shown, use_log)
        if limits is not None:
            low, high = limits
            # Room at the top for the crosses of diverged runs.
            high = high * 10 ** ((np.log10(high) - np.log10(low)) * 0.1) if use_log else (
                high + 0.1 * (high - low))
            self.ax.set_ylim(low, high)
        if stability_bound is not None and np.isfinite(stability_bound) and stability_bound > 0:
            self.bound_line.set_xdata([stability_bound, stability_bound])
            self.bound_text.set_x(stability_bound)
            self.bound_text.set_text(f" 2/λmax = {format_number(stability_bound)}")
            self.bound_line.set_visible(True)
            self.bound_text.set_visible(True)
        else:
            self.bound_line.set_visible(False)
            self.bound_text.set_visible(False)


def lr_sweep(ax: Any, lrs: Any, final_values: Any, diverged: Any,
             stability_bound: float | None = None, *, log: bool | str = "auto",
             ylabel: str = "final loss") -> LearningRateSweepArtists:
    """Draw the final loss of each run against its learning rate (log x axis).

    Diverged runs are crosses along the top edge; a vertical line marks the stability bound
    ``2/λmax`` (``Objective.stability_bound``), beyond which plain gradient descent on a
    quadratic diverges.

    Parameters
    ----------
    ax : matplotlib Axes or None
    lrs : array (m,)
        Positive learning rates (``Trajectory.lrs[0]`` of a sweep).
    final_values : array (m,)
    diverged : array (m,) of bool
        ``Trajectory.diverged``.
    stability_bound : float, optional
        ``2/λmax``; not drawn when ``None`` or infinite.
    log : bool or "auto"
        Log y axis (see :func:`loss_curves`).
    ylabel : str

    Returns
    -------
    LearningRateSweepArtists
    """
    ax = new_axes() if ax is None else ax
    (finals,) = ax.plot([], [], color=color_for(1), marker="o", markersize=3, linewidth=1.4,
                        label="final loss")
    (crosses,) = ax.plot([], [], linestyle="none", marker="x", markersize=7, markeredgewidth=2,
                         color=color_for(0), transform=ax.get_xaxis_transform(),
                         label="diverged")
    bound_line = ax.axvline(1.0, color="black", linestyle="--", linewidth=1.2, visible=False)
    bound_text = ax.text(1.0, 0.04, "", transform=ax.get_xaxis_transform(), fontsize=9,
                         ha="left", va="bottom", visible=False)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=9)
    artists = LearningRateSweepArtists(ax, finals, crosses, bound_line, bound_text, log)
    artists.update(lrs, final_values, diverged, stability_bound)
    return artists
