"""Every catalogue surface's known minima are reached by a suitable optimizer.

The check is independent of how the minima were found: runs start at seeded random points
around each listed minimum (and, for the classic benchmark starts, far from it), descend with
heavy-ball momentum whose learning rate comes from the Hessian's largest eigenvalue at the
minimum (0.5/lambda_max, well inside the stability region 2(1 + beta)/lambda_max), and must
end on that minimum with a vanishing gradient.
"""

import numpy as np
import pytest

from gradlab.functions import catalogue
from gradlab.optimizers import SGD, Adam
from gradlab.runner import run

WITH_MINIMA = [name for name, make in catalogue().items() if len(make().minima)]


def _largest_curvature(surface, point):
    return float(np.linalg.eigvalsh(surface.hessian(np.asarray(point, float)))[-1])


@pytest.mark.parametrize("name", WITH_MINIMA)
def test_each_listed_minimum_is_reached_from_nearby_starts(name):
    surface = catalogue()[name]()
    rng = np.random.default_rng(2024)
    widths = np.array([high - low for low, high in surface.window])
    for minimum in surface.minima:
        starts = minimum + rng.uniform(-1, 1, (16, surface.dim)) * 0.01 * widths
        lr = 0.5 / _largest_curvature(surface, minimum)
        record = run(SGD(lr=lr, momentum=0.9), surface.gradient, starts, 10000, value=surface.value)
        assert not record.diverged.any()
        np.testing.assert_allclose(
            record.final_points, np.broadcast_to(minimum, starts.shape), atol=1e-5
        )
        assert np.abs(surface.gradient(record.final_points)).max() < 1e-5
        # Independent of the optimizer: the value there is no higher than at any start.
        assert (record.final_values <= surface.value(starts) + 1e-12).all()


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("rosenbrock", (-1.5, 2.0)),
        ("beale", (1.0, 1.5)),
        ("booth", (-8.0, 8.0)),
        ("quadratic_bowl", (2.5, -2.0)),
        ("parabola", (2.5,)),
    ],
)
def test_global_minimum_is_reached_from_a_classic_far_start(name, start):
    surface = catalogue()[name]()
    record = run(
        Adam(lr=0.02), surface.gradient, np.array([start], float), 20000, value=surface.value
    )
    assert record.final_values[0] - surface.minimum_value < 1e-8
    assert np.linalg.norm(record.final_points[0] - surface.minima[0]) < 1e-3


@pytest.mark.parametrize("name", ["saddle", "monkey_saddle"])
def test_descent_leaves_a_saddle_surface(name):
    surface = catalogue()[name]()
    assert len(surface.minima) == 0 and len(surface.saddles) >= 1
    saddle = surface.saddles[0]
    start = saddle + np.array([[0.05, -0.02]])
    record = run(SGD(lr=0.05), surface.gradient, start, 200, bound=10.0, value=surface.value)
    # The value keeps falling below the saddle's: there is no minimum to settle in.
    finite = record.values[np.isfinite(record.values[:, 0]), 0]
    assert finite[-1] < surface.value(saddle) - 0.1
