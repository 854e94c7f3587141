"""Fixtures for the real-browser tests: one JupyterLab server and one Chromium per session.

Without Chromium or Playwright the tests are skipped with the reason shown, except under CI
(the ``CI`` environment variable set), where a skip would hide that nothing was checked, so it
fails instead.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib

import pytest

from devtools.browser import CHROMIUM, CHROMIUM_ARGS, LabServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def _missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser_ready():
    reason = _missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def lab(browser_ready, tmp_path_factory):
    server = LabServer(ROOT / "notebooks", tmp_path_factory.mktemp("lab"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium(browser_ready):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def artifacts(request):
    """A folder named after the test, for its screenshot and console log (made on failure)."""
    return ARTIFACTS / request.node.name.replace("/", "_").replace("[", "_").rstrip("]")
