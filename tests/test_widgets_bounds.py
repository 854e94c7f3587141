"""The stability bound a DescentExplorer quotes, and slider ends set from code."""

import functools

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from gradlab.functions import quadratic_bowl  # noqa: E402
from gradlab.optimizers import SGD  # noqa: E402
from gradlab.runner import run  # noqa: E402
from gradlab.widgets import DescentExplorer  # noqa: E402


def _diverges(lr, beta, nesterov, surface):
    optimizer = SGD(lr=lr, momentum=beta, nesterov=nesterov)
    record = run(optimizer, surface.gradient, np.array([[1.0, 1.0]]), 3000, bound=1e3)
    return bool(record.diverged[0])


@pytest.mark.parametrize("nesterov", [False, True])
def test_quoted_momentum_bound_is_where_runs_start_to_diverge(nesterov):
    surface = quadratic_bowl(condition_number=10.0)
    factory = functools.partial(SGD, nesterov=nesterov) if nesterov else SGD
    explorer = DescentExplorer(surface, {"method": factory}, lr=0.01, steps=10)
    try:
        explorer.set(momentum=0.5)
        bound, formula = explorer._effective_bound()
    finally:
        explorer.close()
    assert ("1+2β" in formula) == nesterov
    # Independent check: plain runs just inside the quoted bound converge, just outside diverge.
    assert not _diverges(0.98 * bound, 0.5, nesterov, surface)
    assert _diverges(1.02 * bound, 0.5, nesterov, surface)


def test_setting_a_log_slider_to_its_top_value_is_not_called_out_of_range():
    surface = quadratic_bowl(condition_number=10.0)
    explorer = DescentExplorer(surface, {"SGD": SGD}, lr=0.01, lr_range=(1e-3, 0.3), steps=10)
    try:
        explorer.set(lr=0.3)
        assert "outside" not in explorer.message
        explorer.set(lr=0.5)
        assert "outside" in explorer.message
    finally:
        explorer.close()
