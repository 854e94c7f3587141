"""Test-wide settings and fixtures shared by several test modules.

Hypothesis would otherwise pick new random examples each time, so a run could fail on one
machine and pass on the next. Derandomized, every run (and CI) checks the same examples; to
explore new ones locally, run ``HYPOTHESIS_PROFILE=explore pytest``.

The fixtures below serve the explorer and trainer tests (``test_explorers_*.py``,
``test_batched_training.py``); a module that defines a fixture of the same name uses its own.
"""

import importlib.util
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


@pytest.fixture(scope="module")
def datasets():
    """``{"xor", "moons"}: (train, test)``, two small seeded sets (tests/tiny_networks.py)."""
    from tests.tiny_networks import small_datasets

    return small_datasets()


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


@pytest.fixture
def drawn_texts(monkeypatch):
    """``(artist, text)`` of every text matplotlib renders from now on (visible, not empty):
    what a frame costs in glyphs, and which texts it drew anew instead of pasting."""
    from matplotlib.text import Text

    drawn = []
    original = Text.draw

    def recording(self, renderer):
        if self.get_visible() and self.get_text():
            drawn.append((self, self.get_text()))
        return original(self, renderer)

    monkeypatch.setattr(Text, "draw", recording)
    return drawn


# ---- one Chromium per test session, for the JupyterLab, Voila and site tests --------------------
# Playwright's sync API allows one instance per thread: two session fixtures that each start it
# (the lessons' browser tests and the site test) would fail when run in the same session.


def _browser_missing() -> str | None:
    from devtools.browser import CHROMIUM

    if not os.path.exists(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser_ready():
    """Skip (or, under CI, fail) when Chromium or Playwright is missing."""
    reason = _browser_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def chromium(browser_ready):
    from playwright.sync_api import sync_playwright

    from devtools.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
