"""How a live figure asks for frames: at once after a lone change, lazily during a drag."""

import ipywidgets
import matplotlib

matplotlib.use("Agg")

from gradlab.widgets import LiveFigure, base  # noqa: E402


class CountingCanvas(ipywidgets.DOMWidget):
    """Stands in for ipympl's canvas: counts lazy draw requests (immediate frames are counted
    by the figure's own ``_draw_frame``, patched in the test)."""

    def __init__(self, figure):
        super().__init__()
        self.figure = figure
        self.calls = []

    def draw_idle(self):
        self.calls.append("draw_idle")


class Slope(LiveFigure):
    def __init__(self):
        super().__init__(figsize=(2, 2), title="slope")
        (self.line,) = self.figure.add_subplot().plot([0, 1], [0, 0])
        self.add_control("a", ipywidgets.FloatSlider(value=0, min=-1, max=1, step=0.1))

    def _apply(self, changes):
        self.line.set_ydata([0, changes["a"]])


def test_lone_changes_draw_at_once_and_a_burst_falls_back_to_draw_idle(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(base.time, "perf_counter", lambda: clock[0])
    figure = Slope()
    canvas = CountingCanvas(figure.figure)
    figure.figure.canvas = canvas
    # An immediate frame is drawn by the figure itself (cached static layers + animated ones).
    monkeypatch.setattr(figure, "_draw_frame", lambda **_: canvas.calls.append("draw"))
    try:
        figure.set(a=0.1)  # not displayed yet: nothing to send a frame to
        assert canvas.calls == ["draw_idle"]
        assert figure.layout is not None  # displayed: the layout exists
        canvas.calls.clear()
        figure.set(a=0.2)
        assert canvas.calls == ["draw"]
        clock[0] += base._DRAW_GAP / 2  # the next event of a drag
        figure.set(a=0.3)
        assert canvas.calls == ["draw", "draw_idle"]
        clock[0] += base._DRAW_GAP * 2  # a later key press
        figure.set(a=0.4)
        assert canvas.calls == ["draw", "draw_idle", "draw"]
        assert list(figure.line.get_ydata()) == [0, 0.4]
    finally:
        figure.close()
