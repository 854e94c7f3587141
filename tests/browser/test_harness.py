"""The browser harness itself must be able to fail: a slider that drives nothing is caught, and
so is a figure that sends diff frames (plain ipympl does, after its first frame)."""

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
    notebook.cells = [nbformat.v4.new_code_cell(LIVE_AND_DEAD)]
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
    assert worked == 2
    assert len(problems) == 1 and "did not repaint" in problems[0]
    # The live figure is plain ipympl: its first frame is whole, the ones after a move are diffs.
    assert frames["whole"] >= 1
    assert frames["partial"] and "not opaque" in frames["partial"][0]
