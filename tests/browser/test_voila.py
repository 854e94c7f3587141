"""The lessons meant to be used as apps, rendered through Voila: code hidden, every control live.

Voila runs the notebook on the server and streams its outputs; the page must show no error
output, and every control must repaint its figure (or change its check) as in JupyterLab.
Without network access Voila cannot fetch MathJax from its CDN, so formulas in prose stay as
TeX source here; that request is aborted on purpose and not counted as an error.
"""

from __future__ import annotations

import pytest

from devtools.browser import open_in_voila
from tests.browser.test_in_browser import check_in_browser

APPS = ["00_start_here.ipynb", "03_choose_the_learning_rate.ipynb", "06_add_momentum.ipynb"]


@pytest.mark.browser
@pytest.mark.parametrize("name", APPS)
def test_app_renders_in_voila_and_every_control_answers(name, lab, chromium, artifacts):
    check_in_browser(chromium, artifacts, name, lambda page: open_in_voila(page, lab, name))
