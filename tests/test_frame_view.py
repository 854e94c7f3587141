"""The frame view's protocol (gradlab/widgets/frame_view.py and .js), with a stand-in browser.

``Browser`` below follows the protocol as frame_view.js does: a whole frame replaces the
picture, a change writes its runs of pixels into the frame it was made against, and a frame
whose checksum differs is not shown. What it ends up showing must equal a full redraw of the
figure (``frame_rgba(full=True)``), move after move. The real browser runs the same checks in
tests/browser (FRAME_CHECK).
"""

from __future__ import annotations

import io

import ipywidgets
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from PIL import Image  # noqa: E402

from gradlab.functions import quadratic_bowl  # noqa: E402
from gradlab.widgets import DescentExplorer, LiveFigure, frame_view  # noqa: E402
from gradlab.widgets.frame_view import FrameView, changed_runs  # noqa: E402


class Browser:
    """A view of a FrameView that answers as frame_view.js does (``acks=False``: it paints but
    does not say so yet, like a browser still busy)."""

    def __init__(self, view, *, name="v1", loopback=True, ratio=1.0, acks=True):
        self.view, self.name, self.acks = view, name, acks
        self.frames = []  # every frame message received
        self.sizes = []  # ... and its bytes
        self.pixels = None  # what the canvas shows, (height, width, 4) uint8
        self.shown = 0
        self.resyncs = 0
        self.unacked = []
        sent = getattr(view, "_test_browsers", None)
        if sent is None:
            view._test_browsers = sent = []
            view.send = lambda content, buffers=None: [b.receive(content, buffers or [])
                                                       for b in list(view._test_browsers)]
        sent.append(self)
        self.say({"type": "hello", "view": name, "loopback": loopback, "ratio": ratio})

    def say(self, content):
        self.view._handle_custom_msg(content, [])

    def receive(self, message, buffers):
        assert message["type"] == "frame"
        self.frames.append(message)
        self.sizes.append(sum(len(bytes(b)) for b in buffers))
        height, width = message["height"], message["width"]
        if message["encoding"] == "png":
            image = np.asarray(Image.open(io.BytesIO(bytes(buffers[0]))).convert("RGBA"))
            self._paint(message, image.copy())
            return
        if message["encoding"] == "rgba":
            pixels = np.frombuffer(bytes(buffers[0]), np.uint8).reshape(height, width, 4).copy()
        else:
            assert message["encoding"] == "runs"
            if self.pixels is None or message["base"] != self.shown:
                self.resyncs += 1
                self.say({"type": "resync"})
                return
            pixels = self.pixels.copy()
            words = pixels.reshape(-1).view(np.uint32)
            starts, lengths, values = (np.frombuffer(bytes(b), np.uint32) for b in buffers)
            offset = 0
            for start, length in zip(starts, lengths, strict=True):
                words[start:start + length] = values[offset:offset + length]
                offset += length
        total = int(pixels.reshape(-1).view(np.uint32).astype(np.uint64).sum() % 2**32)
        if message["encoding"] == "runs" and total != message["checksum"]:
            self.pixels = None
            self.resyncs += 1
            self.say({"type": "resync"})
            return
        self._paint(message, pixels)

    def _paint(self, message, pixels):
        self.pixels, self.shown = pixels, message["seq"]
        if self.acks:
            self.say({"type": "painted", "seq": message["seq"]})
        else:
            self.unacked.append(message["seq"])

    def ack(self):
        for seq in self.unacked:
            self.say({"type": "painted", "seq": seq})
        self.unacked.clear()


def bowl():
    return DescentExplorer(quadratic_bowl(condition_number=10.0), steps=30, lr=0.05,
                           lr_range=(0.005, 0.5), figsize=(6.0, 3.0))


@pytest.fixture
def explorer():
    made = bowl()
    yield made
    made.close()


def lr_values(explorer):
    return [value for _label, value in explorer.controls["lr"].options]


def test_nothing_is_drawn_or_sent_until_a_browser_shows_the_view(explorer):
    view = explorer.layout.children[-1]
    assert isinstance(view, FrameView) and view is explorer.view
    drawn = explorer.full_frames
    explorer.set(lr=lr_values(explorer)[10])
    assert view.sent == 0 and explorer.full_frames == drawn


def test_what_the_browser_shows_is_the_figure_move_after_move(explorer):
    browser = Browser(explorer.layout.children[-1])
    assert browser.frames[0]["encoding"] == "rgba"
    rng = np.random.default_rng(7)
    values = lr_values(explorer)
    for _ in range(12):
        explorer.set(lr=values[rng.integers(len(values))], x0=float(rng.uniform(-2, 2)))
        assert np.array_equal(browser.pixels, explorer.frame_rgba(full=True))
    encodings = [frame["encoding"] for frame in browser.frames]
    assert encodings.count("runs") >= 10 and browser.resyncs == 0
    # A change costs far fewer bytes than the whole frame: that is its point.
    sizes = [size for frame, size in zip(browser.frames, browser.sizes, strict=True)
             if frame["encoding"] == "runs"]
    assert np.median(sizes) < browser.pixels.nbytes / 4


def test_a_view_that_lost_the_frame_before_asks_for_the_whole_frame(explorer):
    browser = Browser(explorer.layout.children[-1])
    browser.pixels[:5] = 0  # the canvas no longer holds what the kernel thinks
    explorer.set(lr=lr_values(explorer)[3])
    assert browser.resyncs == 1 and browser.frames[-1]["encoding"] == "rgba"
    assert np.array_equal(browser.pixels, explorer.frame_rgba(full=True))
    browser.shown -= 1  # a change made against a frame this view never showed
    explorer.set(lr=lr_values(explorer)[6])
    assert browser.resyncs == 2 and np.array_equal(browser.pixels,
                                                   explorer.frame_rgba(full=True))


def test_a_burst_of_moves_sends_one_frame_per_painted_frame(explorer, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(frame_view.time, "perf_counter", lambda: clock[0])
    browser = Browser(explorer.layout.children[-1], acks=False)
    values = lr_values(explorer)
    for index in range(5, 15):  # a drag: the first frame is not painted yet
        explorer.set(lr=values[index])
    assert len(browser.frames) == 1  # only the hello's frame; the rest waits
    browser.ack()  # painted: the latest state goes out at once, as one frame
    assert len(browser.frames) == 2
    browser.ack()
    assert len(browser.frames) == 2  # nothing more was owed
    assert np.array_equal(browser.pixels, explorer.frame_rgba(full=True))
    explorer.set(lr=values[20])  # painted everything: a lone move is sent at once
    assert len(browser.frames) == 3
    explorer.set(lr=values[21])  # not acknowledged in time (a closed tab): sent anyway, whole
    clock[0] += frame_view.ACK_WAIT * 2
    explorer.set(lr=values[22])
    assert len(browser.frames) == 4 and browser.frames[-1]["encoding"] == "rgba"


def test_over_a_network_frames_are_png_and_two_views_get_whole_frames(explorer):
    view = explorer.layout.children[-1]
    local = Browser(view)
    remote = Browser(view, name="v2", loopback=False)
    explorer.set(lr=lr_values(explorer)[12])
    assert remote.frames[-1]["encoding"] == "png" and local.frames[-1]["encoding"] == "png"
    expected = explorer.frame_rgba(full=True)
    assert np.array_equal(remote.pixels[..., :3], expected[..., :3])
    remote.say({"type": "bye", "view": "v2"})
    explorer.set(lr=lr_values(explorer)[13])
    assert local.frames[-1]["encoding"] == "rgba"  # the other view left: raw pixels again


def test_a_hidpi_view_gets_a_sharper_frame_of_the_same_figure(explorer):
    browser = Browser(explorer.layout.children[-1], ratio=2.0)
    width, height = explorer.figure.get_size_inches() * 100
    frame = browser.frames[-1]
    assert (frame["width"], frame["height"], frame["ratio"]) == (round(2 * width),
                                                                 round(2 * height), 2.0)
    assert browser.pixels.shape[:2] == (frame["height"], frame["width"])


def test_a_click_reaches_the_figure_at_the_data_point_under_the_pointer(explorer):
    browser = Browser(explorer.layout.children[-1])
    target = (1.25, -0.75)
    x, y = explorer.ax.transData.transform(target)  # display pixels, from the bottom left
    browser.say({"type": "mouse", "name": "button_press_event", "x": float(x),
                 "y": float(y), "button": 1})
    start = (explorer.controls["x0"].value, explorer.controls["y0"].value)
    assert start == pytest.approx(target, abs=0.02)
    assert np.array_equal(browser.pixels, explorer.frame_rgba(full=True))


@pytest.mark.parametrize("content", [
    None, "frame", {"type": "mouse", "name": "button_press_event", "x": "1", "y": 2,
                    "button": 1},
    {"type": "mouse", "name": "button_press_event", "x": float("nan"), "y": 2, "button": 1},
    {"type": "mouse", "name": "key_press_event", "x": 1, "y": 2, "button": 1},
    {"type": "mouse", "name": "button_press_event", "x": 1, "y": 2, "button": 9},
    {"type": "painted", "seq": "x"}, {"type": "hello"}, {"type": "nonsense"},
])
def test_malformed_messages_from_the_browser_are_ignored(explorer, content):
    view = explorer.layout.children[-1]
    before = (explorer.controls["x0"].value, view.sent, dict(view.views))
    view._handle_custom_msg(content, [])
    assert (explorer.controls["x0"].value, view.sent, dict(view.views)) == before


def test_changed_runs_rebuild_the_frame_exactly():
    rng = np.random.default_rng(3)
    for _ in range(50):
        before = rng.integers(0, 4, 500).astype(np.uint32)
        after = before.copy()
        where = rng.random(500) < rng.uniform(0, 0.6)
        after[where] = rng.integers(0, 2**32, where.sum(), dtype=np.uint64).astype(np.uint32)
        runs = changed_runs(before, after, gap=int(rng.integers(0, 20)), most=1.0)
        rebuilt = before.copy()
        offset = 0
        for start, length in zip(*runs[:2], strict=True):
            rebuilt[start:start + length] = runs[2][offset:offset + length]
            offset += length
        assert np.array_equal(rebuilt, after) and offset == runs[2].size


def test_a_live_figure_is_not_a_pyplot_figure_whatever_the_backend():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    figure = LiveFigure(figsize=(2, 2), title="t")
    try:
        assert plt.get_fignums() == before
        assert isinstance(figure.layout.children[-1], FrameView)
        assert figure.view.label == "t"  # the canvas's aria-label
        bundle = figure._repr_mimebundle_()
        assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
        assert isinstance(figure.layout, ipywidgets.VBox)
    finally:
        figure.close()
