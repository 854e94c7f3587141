"""The lessons meant to be used as apps, rendered through Voila: code hidden, every control live.

Voila runs the notebook on the server and streams its outputs; the page must show no error
output, and every control must repaint its figure (or change its check) as in JupyterLab.
Without network access Voila cannot fetch MathJax from its CDN, so formulas in prose stay as
TeX source here; that request is aborted on purpose and not counted as an error.
"""

from __future__ import annotations

import pytest

from tests.browser.lab import PAINT_PROBE, error_outputs, open_in_voila
from tests.browser.test_in_browser import IGNORED_CONSOLE, NOT_LOOPBACK, work_every_control

APPS = ["00_start_here.ipynb", "03_choose_the_learning_rate.ipynb", "06_add_momentum.ipynb"]


@pytest.mark.browser
@pytest.mark.parametrize("name", APPS)
def test_app_renders_in_voila_and_every_control_answers(name, lab, chromium, artifacts):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(PAINT_PROBE)
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    page = context.new_page()
    console, js_errors = [], []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: js_errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            js_errors.append(m.text)
            if m.type == "error" and not any(s in m.text for s in IGNORED_CONSOLE)
            else None
        ),
    )
    try:
        open_in_voila(page, lab, name)
        errors = error_outputs(page)
        assert not errors, f"{name} shows error output in Voila: {errors[:3]}"
        problems, worked = work_every_control(page)
        assert worked > 0, f"{name}: no control found in Voila"
        assert not problems, f"{name} in Voila: " + "; ".join(problems)
        assert not js_errors, f"{name} in Voila: JavaScript errors: {js_errors[:5]}"
    except BaseException:
        artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(artifacts / "page.png"), full_page=True)
        (artifacts / "console.log").write_text("\n".join(console + js_errors))
        raise
    finally:
        context.close()
