"""Mini-batch gradients: the cloud of noisy estimates around the full gradient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Ellipse

from gradlab.plotting._base import as_float_array, color_for, new_axes


def covariance_ellipse(points: np.ndarray, n_std: float = 2.0
                       ) -> tuple[np.ndarray, float, float, float]:
    """Centre, width, height and angle (degrees) of the ``n_std`` ellipse of 2-D ``points``.

    The axes of the ellipse are the eigenvectors of the sample covariance; its half-axes are
    ``n_std`` times the square roots of the eigenvalues.

    Examples
    --------
    >>> centre, width, height, angle = covariance_ellipse(
    ...     np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, -2.0], [0.0, 2.0]]), n_std=1.0)
    >>> round(width, 3), round(height, 3), round(angle % 180, 1)
    (3.266, 1.633, 90.0)
    """
    points = as_float_array(points, "points", 2)
    if points.shape[0] < 2 or points.shape[1] != 2:
        raise ValueError(f"covariance_ellipse needs at least two 2-D points, got {points.shape}")
    centre = points.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(points, rowvar=False))
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    major = eigenvectors[:, 1]
    angle = float(np.degrees(np.arctan2(major[1], major[0])))
    return (centre, 2 * n_std * float(np.sqrt(eigenvalues[1])),
            2 * n_std * float(np.sqrt(eigenvalues[0])), angle)


@dataclass(eq=False)
class GradientCloudArtists:
    """What :func:`gradient_cloud` drew; :meth:`update` shows a new set of gradients."""

    ax: Any
    spokes: Any  # LineCollection origin -> each mini-batch tip
    tips: Any  # PathCollection
    full: Any  # Quiver with one arrow
    ellipse: Any  # Ellipse or None
    scale: float
    n_std: float

    def update(self, minibatch_grads: Any, full_grad: Any, origin: Any) -> None:
        """Show new mini-batch gradients ``(k, 2)``, full gradient ``(2,)`` at ``origin (2,)``."""
        grads, full, origin = _check_cloud(minibatch_grads, full_grad, origin)
        tips = origin + self.scale * grads
        self.spokes.set_segments(np.stack([np.broadcast_to(origin, tips.shape), tips], axis=1))
        self.tips.set_offsets(tips)
        self.full.set_offsets(origin[None])
        self.full.set_UVC(self.scale * full[:1], self.scale * full[1:])
        if self.ellipse is not None:
            finite = tips[np.all(np.isfinite(tips), axis=1)]
            if finite.shape[0] >= 2:
                centre, width, height, angle = covariance_ellipse(finite, self.n_std)
                self.ellipse.set_center(centre)
                self.ellipse.set_width(width)
                self.ellipse.set_height(height)
                self.ellipse.set_angle(angle)
                self.ellipse.set_visible(True)
            else:
                self.ellipse.set_visible(False)


def _check_cloud(minibatch_grads: Any, full_grad: Any, origin: Any
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    grads = as_float_array(minibatch_grads, "minibatch_grads", 2)
    if grads.shape[1] != 2 or grads.shape[0] < 1:
        raise ValueError(f"minibatch_grads must have shape (k, 2), got {grads.shape}")
    full = as_float_array(full_grad, "full_grad", 1)
    origin = as_float_array(origin, "origin", 1)
    if full.shape != (2,) or origin.shape != (2,):
        raise ValueError(f"full_grad and origin must have shape (2,), got {full.shape} and "
                         f"{origin.shape}")
    return grads, full, origin


def gradient_cloud(ax: Any, minibatch_grads: Any, full_grad: Any, origin: Any, *,
                   scale: float = 1.0, ellipse: bool = True, n_std: float = 2.0,
                   label: str = "mini-batch gradients") -> GradientCloudArtists:
    """Draw mini-batch gradients as a cloud of arrow tips around the full-batch gradient.

    Every mini-batch gradient is a faint spoke from ``origin`` ending in a dot; the full
    gradient is a bold arrow; the ``n_std`` covariance ellipse of the tips shows the spread
    (the noise stochastic gradient descent lives with).

    Parameters
    ----------
    ax : matplotlib Axes or None
    minibatch_grads : array (k, 2)
    full_grad : array (2,)
    origin : array (2,)
        Where the gradients are drawn from (the current parameters).
    scale : float
        Multiplies every vector before drawing; ``scale=-lr`` shows the steps each mini-batch
        would take instead of the gradients.
    ellipse : bool
        Draw the covariance ellipse.
    n_std : float
        Size of the ellipse in standard deviations.
    label : str
        Legend entry of the cloud (e.g. "single-example gradients" for batch size 1).

    Returns
    -------
    GradientCloudArtists
    """
    grads, full, origin = _check_cloud(minibatch_grads, full_grad, origin)
    if not (np.isfinite(scale) and scale != 0):
        raise ValueError(f"scale must be a non-zero number, got {scale!r}")
    if not (np.isfinite(n_std) and n_std > 0):
        raise ValueError(f"n_std must be positive, got {n_std!r}")
    ax = new_axes() if ax is None else ax
    fresh = not ax.has_data()
    cloud_color, full_color = color_for(1), color_for(0)
    spokes = LineCollection([], colors=cloud_color, linewidths=0.6, alpha=0.35, zorder=3)
    ax.add_collection(spokes, autolim=False)
    tips = ax.scatter([], [], s=14, color=cloud_color, alpha=0.8, zorder=4,
                      label=label)
    full_arrow = ax.quiver([0.0], [0.0], [0.0], [0.0], color=full_color, angles="xy",
                           scale_units="xy", scale=1.0, width=0.008, zorder=5)
    ax.plot([], [], color=full_color, linewidth=3, label="full gradient")
    patch = None
    if ellipse:
        patch = Ellipse((0.0, 0.0), 0.0, 0.0, facecolor="none", edgecolor=cloud_color,
                        linestyle="--", linewidth=1.2, zorder=4, label=f"{n_std:g}σ ellipse")
        ax.add_patch(patch)
    artists = GradientCloudArtists(ax, spokes, tips, full_arrow, patch, float(scale),
                                   float(n_std))
    artists.update(grads, full, origin)
    if fresh:
        corners = np.vstack([origin, origin + scale * full, origin + scale * grads])
        corners = corners[np.all(np.isfinite(corners), axis=1)]
        low, high = corners.min(axis=0), corners.max(axis=0)
        pad = 0.15 * np.maximum(high - low, 1e-9)
        ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
        ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    ax.legend(loc="lower right", fontsize=9)
    return artists
