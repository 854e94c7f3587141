"""Fixtures for the real-browser tests: one JupyterLab server per session (the one Chromium,
``chromium``, and ``browser_ready`` come from tests/conftest.py).

Without Chromium or Playwright the tests are skipped with the reason shown, except under CI
(the ``CI`` environment variable set), where a skip would hide that nothing was checked, so it
fails instead.
"""

from __future__ import annotations

import pathlib

import pytest

from devtools.browser import LabServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def lab(browser_ready, tmp_path_factory):
    server = LabServer(ROOT / "notebooks", tmp_path_factory.mktemp("lab"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def artifacts(request):
    """A folder named after the test, for its screenshot and console log (made on failure)."""
    return ARTIFACTS / request.node.name.replace("/", "_").replace("[", "_").rstrip("]")
