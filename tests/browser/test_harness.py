"""The browser harness itself must be able to fail: a slider that drives nothing is caught, and
so is a figure whose frames are not whole: plain ipympl's diff frames (after its first frame),
and a gradlab live figure whose frames have holes or are not what the kernel drew."""

from __future__ import annotations

import nbformat
import pytest

from devtools.browser import (
    FRAME_CHECK,
    NOT_LOOPBACK,
    PAINT_PROBE,
    LabServer,
    frames_seen,
    open_and_run_all,
)
from tests.browser.test_in_browser import work_every_control

LIVE_AND_DEAD = """\
%matplotlib widget
import ipywidgets
import matplotlib.pyplot as plt

def figure_with(slider, live):
    with plt.ioff():
        fig = plt.figure(figsize=(3, 2))
    (line,) = fig.add_subplot().plot([0, 1], [0, 0])
    if live:
        def redraw(change):
            line.set_ydata([0, change["new"]])
            fig.canvas.draw_idle()
        slider.observe(redraw, names="value")
    return ipywidgets.VBox([slider, fig.canvas])

ipywidgets.VBox([
    figure_with(ipywidgets.FloatSlider(description="live", min=-1, max=1), live=True),
    figure_with(ipywidgets.FloatSlider(description="dead", min=-1, max=1), live=False),
])
"""

# A gradlab live figure whose frames have a transparent hole once its slider moved, and whose
# checksum (after the first frame) is not the one of the pixels sent.
TORN = """\
import ipywidgets
import numpy as np
from gradlab.widgets import LiveFigure
from gradlab.widgets import frame_view

class Torn(LiveFigure):
    def __init__(self):
        super().__init__(figsize=(3, 2))
        (self.line,) = self.figure.add_subplot().plot([0, 1], [0, 0], animated=True)
        self.add_control("a", ipywidgets.FloatSlider(description="torn", min=-1, max=1))

    def _apply(self, changes):
        self.line.set_ydata([0, changes["a"]])

    def _render_frame(self):
        pixels = super()._render_frame().copy()
        if self.updates:
            pixels[:4, :, 3] = 0
        return pixels

sums = iter(range(10**6))
frame_view.checksum = lambda words: 0 if next(sums) == 0 else 1
Torn()
"""


@pytest.mark.browser
def test_harness_tells_a_repainting_figure_from_a_dead_one(browser_ready, chromium, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(LIVE_AND_DEAD), nbformat.v4.new_code_cell(TORN)]
    nbformat.write(notebook, notebooks / "00_probe.ipynb")
    server = LabServer(notebooks, tmp_path / "scratch")
    server.start()
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    try:
        context.add_init_script(PAINT_PROBE)
        context.add_init_script(FRAME_CHECK)
        context.route(NOT_LOOPBACK, lambda route: route.abort())
        page = context.new_page()
        open_and_run_all(page, server, "00_probe.ipynb")
        problems, worked = work_every_control(page)
        frames = frames_seen(page)
    finally:
        context.close()
        server.stop()
    assert worked == 3
    assert len(problems) == 1 and "did not repaint" in problems[0]
    assert frames["whole"] >= 2  # each figure's first frame
    partial = frames["partial"]
    # The plain ipympl figure: its first frame is whole, the ones after a move are diffs.
    assert any(p.startswith("ipympl:") and "not opaque" in p for p in partial), partial
    # The torn gradlab figure: holes, and pixels that are not the frame the kernel drew.
    assert any(p.startswith("rgba:") and "not opaque" in p for p in partial), partial
    assert any(p.startswith("rgba:") and "checksum" in p for p in partial), partial
