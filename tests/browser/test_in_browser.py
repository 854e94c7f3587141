"""Every lesson as a learner meets it: opened in JupyterLab, run, every control worked.

For each notebook: a fresh kernel runs all cells; no cell may show an error or stderr output;
every live figure must fit the 934-px output area (JupyterLab at 1366 × 768 with the file
browser open); then every visible control is worked once (sliders with the keyboard, pickers,
checkboxes, buttons, text boxes), and the figure it belongs to must repaint within 2 s.
Controls outside a figure (the predict-then-reveal checks) must change what their widget
shows. The page must log no JavaScript error. On failure a screenshot and the console log
are saved under ``test-artifacts/browser/<test name>/``.
"""

from __future__ import annotations

import pathlib

import pytest

from devtools.browser import (
    CONTROL_SELECTORS,
    FRAME_CHECK,
    NOT_LOOPBACK,
    PAINT_PROBE,
    error_outputs,
    figure_of,
    frames_seen,
    open_and_run_all,
    paints,
    press_slider,
    wait_for_repaint,
    wide_canvases,
)

NOTEBOOKS = sorted(
    p.name
    for p in (pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb")
)
# Console noise that is not ours: fonts and other files asked from the closed network.
IGNORED_CONSOLE = ("net::ERR_", "Failed to load resource")


def _container_text(control) -> str:
    box = control.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
    return box.first.inner_text() if box.count() else ""


def _describe(kind, index, control) -> str:
    label = control.evaluate(
        "e => (e.closest('.widget-inline-hbox, .widget-hslider, .widget-dropdown, .widget-text')"
        "?.querySelector('.widget-label')?.innerText || e.innerText || e.value || '').trim()"
    )
    return f"{kind} #{index} ({label[:40] or 'unlabelled'})"


def _work(page, kind, control):
    """Change one control the way a learner would; returns True if its value changed."""
    if kind == "slider":
        before, after = press_slider(page, control, "ArrowRight")
        if before == after:  # at its maximum: go the other way
            before, after = press_slider(page, control, "ArrowLeft")
        return before != after
    if kind == "dropdown":
        options = control.evaluate("s => Array.from(s.options).map(o => o.value)")
        current = control.evaluate("s => s.value")
        others = [o for o in options if o != current]
        if not others:
            return False
        control.select_option(others[0])
        return True
    if kind == "radio":  # a learner clicks the option's label, which wraps the input
        control.locator("xpath=ancestor::label[1]").click()
        return control.is_checked()
    if kind in ("checkbox", "toggle", "button"):
        control.click()
        return True
    if kind == "text":
        control.fill("0.5")
        control.press("Enter")
        return True
    raise ValueError(kind)


def work_every_control(page) -> tuple[list[str], int]:
    """Work each visible control once; return the problems found and how many were worked."""
    problems = []
    worked = 0
    for kind, selector in CONTROL_SELECTORS.items():
        controls = page.locator(selector)
        for index in range(controls.count()):
            control = controls.nth(index)
            if not control.is_visible() or control.evaluate(
                "e => e.disabled || e.hasAttribute('disabled') ||"
                " e.getAttribute('aria-disabled') === 'true'"
            ):
                continue  # e.g. a beta slider shown only for optimizers that have one
            control.scroll_into_view_if_needed()
            name = _describe(kind, index, control)
            in_play = control.evaluate("e => !!e.closest('.widget-play')")
            if in_play and kind == "button":
                title = control.get_attribute("title") or control.inner_text()
                if "play" not in title.lower() and "fa-play" not in (control.inner_html() or ""):
                    continue  # pause / stop / repeat are worked by playing, below
            canvas = figure_of(control)
            count = paints(canvas) if canvas is not None else 0
            text = _container_text(control) if canvas is None else ""
            if not _work(page, kind, control):
                problems.append(f"{name}: its value did not change")
                continue
            worked += 1
            if canvas is not None:
                if not wait_for_repaint(page, canvas, count):
                    problems.append(f"{name}: the figure did not repaint within 2 s")
            elif kind in ("button", "text"):
                page.wait_for_timeout(300)
                if _container_text(control) == text and kind == "button":
                    problems.append(f"{name}: nothing it shows changed")
            if in_play:  # stop the animation again before the next control
                pause = control.locator("xpath=..").locator("button").nth(1)
                if pause.is_visible():
                    pause.click()
    return problems, worked


def check_in_browser(chromium, artifacts, name, open_page):
    """Open a lesson with ``open_page(page)``, then require: no error output, every control
    answering, no JavaScript error. Saves a screenshot and the console log on failure."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(PAINT_PROBE)
    context.add_init_script(FRAME_CHECK)
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
        open_page(page)
        errors = error_outputs(page)
        assert not errors, f"{name} shows error output: {errors[:3]}"
        wide = wide_canvases(page)
        assert not wide, f"{name}: figures wider than the 934-px output area: {wide}"
        problems, worked = work_every_control(page)
        assert worked > 0, f"{name}: no control found to work"
        assert not problems, f"{name}: " + "; ".join(problems)
        frames = frames_seen(page)
        assert frames["whole"] > 0, f"{name}: no frame of a live figure was seen"
        assert not frames["partial"], f"{name}: partial frames: {frames['partial'][:3]}"
        assert not js_errors, f"{name}: JavaScript errors: {js_errors[:5]}"
    except BaseException:
        artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(artifacts / "page.png"), full_page=True)
        (artifacts / "console.log").write_text("\n".join(console + js_errors))
        raise
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_lesson_runs_and_every_control_answers(name, lab, chromium, artifacts):
    check_in_browser(chromium, artifacts, name, lambda page: open_and_run_all(page, lab, name))
