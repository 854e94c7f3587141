"""Test-wide settings and fixtures shared by several test modules.

Hypothesis would otherwise pick new random examples each time, so a run could fail on one
machine and pass on the next. Derandomized, every run (and CI) checks the same examples; to
explore new ones locally, run ``HYPOTHESIS_PROFILE=explore pytest``.

The fixtures below serve the explorer tests (``test_explorers_directions.py``,
``test_explorers_slopes.py``); a module that defines a fixture of the same name uses its own.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture
def close_all():
    """Close every figure the test made, even when it fails."""
    yield
    import matplotlib.pyplot as plt  # here, so that modules pick their backend first

    plt.close("all")


@pytest.fixture
def bowl():
    """A tilted two-variable quadratic, f = x² + xy + 2y², on [-2, 2]²."""
    from gradlab.functions import Objective

    return Objective.from_text("x^2 + x*y + 2*y^2", window=(-2, 2))


@pytest.fixture
def cubic():
    """A one-variable cubic, f = x³/3 − x, on [-2, 2]."""
    from gradlab.functions import Objective

    return Objective.from_text("x^3/3 - x", window=(-2, 2))


@pytest.fixture
def artist_count():
    """Count the lines, collections and texts on a figure's axes: redraws must not add any."""

    def count(figure):
        return sum(len(ax.lines) + len(ax.collections) + len(ax.texts) for ax in figure.axes)

    return count
