"""Figures for the course: draw once, then update the artists when a slider moves.

Every ``draw`` function takes the axes to draw on (``None`` makes a new figure), returns a small
record of the artists it made, and never touches global matplotlib settings. The record's
``update(...)`` method (``push``/``clear`` for ghost trails) changes the data of those same
artists — no new artists, no new contouring — so a widget callback can end in
``fig.canvas.draw_idle()`` and stay fast.

One module per kind of figure:

- :mod:`~gradlab.plotting.contours`      :func:`contour_map`, :func:`gradient_field`
- :mod:`~gradlab.plotting.trajectories`  :func:`trajectory_lines`, :func:`race`,
  :func:`ghost_trails`
- :mod:`~gradlab.plotting.surfaces`      :func:`surface_3d`
- :mod:`~gradlab.plotting.derivatives`   :func:`tangent_line`, :func:`directional_derivative`
- :mod:`~gradlab.plotting.curves`        :func:`loss_curves`, :func:`lr_sweep`
- :mod:`~gradlab.plotting.basins`        :func:`basin_labels`, :func:`basin_map`
- :mod:`~gradlab.plotting.stochastic`    :func:`gradient_cloud`

Colours come from the Okabe–Ito palette (:data:`OKABE_ITO`, :func:`color_for`; every named
colour is in :mod:`gradlab.colors`) and the ``viridis`` colour map, both readable with the
common colour-vision deficiencies. :func:`few_ticks` keeps the tick labels of a live figure few.

Examples
--------
>>> import numpy as np
>>> from gradlab.plotting import contour_map, trajectory_lines
>>> x = y = np.linspace(-2, 2, 50)
>>> bowl = (x, y, np.add.outer(y ** 2, 3 * x ** 2))
>>> background = contour_map(None, bowl, minima=[[0.0, 0.0]])
>>> path = trajectory_lines(background.ax, [[1.5, 1.5], [-0.9, 1.2], [0.5, 0.9]])
>>> path.update([[1.5, 1.5], [0.3, 1.2], [0.0, 0.9]])   # a slider moved
>>> background.ax.figure.canvas.draw_idle()
"""

from gradlab.colors import OKABE_ITO
from gradlab.plotting._base import (
    LINE_COLORS,
    NONE_COLOR,
    Grid,
    color_for,
    evaluate_grid,
    few_ticks,
    uses_log_scale,
    window_exits,
)
from gradlab.plotting.basins import BasinArtists, basin_labels, basin_map
from gradlab.plotting.contours import (
    ContourArtists,
    GradientFieldArtists,
    contour_levels,
    contour_map,
    gradient_field,
)
from gradlab.plotting.curves import (
    LearningRateSweepArtists,
    LossCurveArtists,
    loss_curves,
    lr_sweep,
)
from gradlab.plotting.derivatives import (
    DirectionalDerivativeArtists,
    TangentLineArtists,
    directional_derivative,
    tangent_line,
)
from gradlab.plotting.stochastic import GradientCloudArtists, covariance_ellipse, gradient_cloud
from gradlab.plotting.surfaces import SurfaceArtists, surface_3d
from gradlab.plotting.trajectories import (
    GhostTrails,
    RaceArtists,
    TrajectoryArtists,
    ghost_trails,
    path_in_window,
    race,
    trajectory_lines,
)

__all__ = [
    "LINE_COLORS",
    "OKABE_ITO",
    "BasinArtists",
    "ContourArtists",
    "DirectionalDerivativeArtists",
    "GhostTrails",
    "GradientCloudArtists",
    "GradientFieldArtists",
    "Grid",
    "LearningRateSweepArtists",
    "LossCurveArtists",
    "NONE_COLOR",
    "RaceArtists",
    "SurfaceArtists",
    "TangentLineArtists",
    "TrajectoryArtists",
    "basin_labels",
    "basin_map",
    "color_for",
    "contour_levels",
    "contour_map",
    "covariance_ellipse",
    "directional_derivative",
    "evaluate_grid",
    "few_ticks",
    "ghost_trails",
    "path_in_window",
    "gradient_cloud",
    "gradient_field",
    "loss_curves",
    "lr_sweep",
    "race",
    "surface_3d",
    "tangent_line",
    "trajectory_lines",
    "uses_log_scale",
    "window_exits",
]
