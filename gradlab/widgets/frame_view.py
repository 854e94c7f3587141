"""How a live figure reaches the browser: :class:`FrameView`, a canvas that shows whole frames.

The kernel draws each frame with Agg (:meth:`gradlab.widgets.LiveFigure._draw_frame`); this
widget sends it and its browser side (``frame_view.js``, an anywidget module) paints it.
It replaces ipympl's canvas for live figures because, on the learner's own machine, most of a
slider move's time went into the transport, not the drawing: ipympl encodes a PNG (4 to 20 ms),
and the browser loads it as an image through a blob URL (10 to 30 ms on a busy two-core
machine) and copies its previous canvas into a data URL (4 to 7 ms). Raw pixels are no way out:
Chromium takes 15 to 20 ms a megabyte to bring a websocket message to the page.

So when every view is on loopback, a frame goes as the runs of pixels that changed since the
frame the browser shows (:func:`changed_runs`; tens of kilobytes for a typical move), with a
:func:`checksum` of the whole frame; the browser writes them into its copy of that frame and
puts it on its canvas in a few milliseconds, or asks for the whole frame (``resync``) if it
lacks that frame or the checksum differs. The first frame, and any frame after an
unacknowledged one, goes whole as raw RGBA. Over a network (Binder, a JupyterHub) frames go
whole as PNG, decoded off the browser's main thread.

Flow control: a frame is sent only when the previous one has been painted (or
:data:`ACK_WAIT` seconds passed), so a fast drag never queues frames: the moves in between
update the artists, and the next frame shows the latest.
"""

from __future__ import annotations

import math
import pathlib
import time
from collections.abc import Callable

import anywidget
import numpy as np
import traitlets

__all__ = ["ACK_WAIT", "FrameView", "changed_runs", "checksum"]

#: Seconds to wait for the browser to say it painted a frame before sending the next anyway
#: (a view closed without saying so must not stop the frames).
ACK_WAIT = 0.5
#: Device pixel ratios a view may ask for (a HiDPI screen gets a sharper frame).
_RATIOS = (1.0, 3.0)
_MOUSE_EVENTS = ("button_press_event",)


class FrameView(anywidget.AnyWidget):
    """A canvas in the browser that shows the frames ``render`` draws and reports clicks.

    ``render()`` draws the current frame and returns its pixels, an ``(height, width, 4)``
    uint8 array; ``png(pixels)`` encodes them; ``on_click(name, x, y, button, dblclick)``
    receives a click in frame pixels counted from the bottom left (matplotlib's display
    coordinates); ``on_ratio(ratio)`` is told the largest device pixel ratio of the views.
    Nothing is drawn while no browser shows the view (a notebook run by nbclient, a test).
    """

    _esm = pathlib.Path(__file__).with_name("frame_view.js")
    _css = ".gradlab-frame { display: block; }"
    #: What the figure shows, for screen readers (the canvas's aria-label).
    label = traitlets.Unicode("").tag(sync=True)

    def __init__(self, render: Callable[[], np.ndarray], png: Callable[[np.ndarray], bytes], *,
                 on_click=None, on_ratio=None, **kwargs):
        super().__init__(**kwargs)
        self._render = render
        self._png = png
        self._on_click = on_click
        self._on_ratio = on_ratio
        self.views: dict[str, tuple[bool, float]] = {}  # view id -> (on loopback, pixel ratio)
        self.sent = 0  # frames sent
        self._painted = 0  # newest frame a view said it painted
        self._sent_at = -math.inf
        self._due = False  # a frame is owed once the one in flight is painted
        self._previous = None  # the last frame sent as raw pixels, as uint32 words
        self.ratio = 1.0
        self.on_msg(self._on_message)

    # -- kernel side --------------------------------------------------------------------------
    def show(self):
        """Send the current frame now, or as soon as the browser painted the one before."""
        if not self.views:
            return
        waiting = self._painted < self.sent and time.perf_counter() - self._sent_at < ACK_WAIT
        if waiting:
            self._due = True
        else:
            self._send_frame()

    def _send_frame(self):
        self._due = False
        pixels = np.ascontiguousarray(self._render())
        height, width = pixels.shape[:2]
        header = {"type": "frame", "seq": self.sent + 1, "width": width, "height": height,
                  "ratio": self.ratio}
        if not all(loopback for loopback, _ in self.views.values()):
            header["encoding"], buffers = "png", [self._png(pixels)]
            self._previous = None
        else:
            words = pixels.view(np.uint32).reshape(-1)
            header["checksum"] = checksum(words)
            # A change is sent against the frame the browser shows, which it has only when it
            # said so (one view, and the frame before was painted, not timed out).
            runs = None
            if (self._previous is not None and self._previous.shape == words.shape
                    and len(self.views) == 1 and self._painted == self.sent):
                runs = changed_runs(self._previous, words)
            if runs is None:
                # A copy: the kernel sends from another thread, and the next frame reuses it.
                header["encoding"], buffers = "rgba", [words.tobytes()]
            else:
                starts, lengths, values = runs
                header["encoding"], header["base"] = "runs", self.sent
                buffers = [starts.tobytes(), lengths.tobytes(), values.tobytes()]
            self._previous = words.copy()
        self.sent += 1
        self._sent_at = time.perf_counter()
        self.send(header, buffers)

    # -- messages from the browser ------------------------------------------------------------
    def _on_message(self, _widget, content, _buffers):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "hello" and isinstance(content.get("view"), str):
            ratio = _number(content.get("ratio"), 1.0)
            self.views[content["view"]] = (content.get("loopback") is True,
                                           min(max(ratio, _RATIOS[0]), _RATIOS[1]))
            self._new_ratio()
            self._send_frame()  # a new view needs a picture now, whatever is in flight
        elif kind == "bye":
            self.views.pop(content.get("view"), None)
            self._new_ratio()
        elif kind == "resync":  # the view lacks the frame a change was made against
            self._previous = None
            self._send_frame()
        elif kind == "painted":
            self._painted = max(self._painted, int(_number(content.get("seq"), 0)))
            if self._due and self._painted >= self.sent:
                self._send_frame()
        elif kind == "mouse" and content.get("name") in _MOUSE_EVENTS:
            x, y = _number(content.get("x"), math.nan), _number(content.get("y"), math.nan)
            button = content.get("button")
            if self._on_click and math.isfinite(x) and math.isfinite(y) and button in (1, 2, 3):
                self._on_click(content["name"], x, y, button, content.get("dblclick") is True)

    def _new_ratio(self):
        ratio = max((r for _, r in self.views.values()), default=1.0)
        if ratio != self.ratio:
            self.ratio = ratio
            if self._on_ratio:
                self._on_ratio(ratio)


def checksum(words):
    """The sum of a frame's pixels as uint32 words, modulo 2**32: the browser checks it after
    applying a change, and asks for the whole frame if it differs."""
    return int(words.sum(dtype=np.uint64) & 0xFFFFFFFF)


def changed_runs(before, after, *, gap=16, most=0.5):
    """The pixels of ``after`` that differ from ``before`` (both flat uint32 arrays), as runs.

    Returns ``(starts, lengths, values)``: uint32 arrays such that writing
    ``values[sum(lengths[:i]):][:lengths[i]]`` at ``starts[i]`` of ``before`` for every ``i``
    gives ``after``. Runs closer than ``gap`` pixels are merged (the pixels between them are
    sent too: cheaper than another run). ``None`` when more than ``most`` of the frame changed:
    the whole frame is then as cheap.

    >>> before = np.zeros(10, np.uint32); after = before.copy(); after[[2, 3, 8]] = 7
    >>> [a.tolist() for a in changed_runs(before, after, gap=2)]
    [[2, 8], [2, 1], [7, 7, 7]]
    >>> rebuilt = before.copy(); rebuilt[2:4] = 7; rebuilt[8:9] = 7
    >>> bool((rebuilt == after).all()), changed_runs(before, after + 1) is None
    (True, True)
    """
    edges = np.diff(np.concatenate(([False], before != after, [False])).view(np.int8))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if starts.size:
        far = starts[1:] - ends[:-1] > gap
        starts = starts[np.concatenate(([True], far))]
        ends = ends[np.concatenate((far, [True]))]
    if (ends - starts).sum() > most * after.size:
        return None
    marks = np.zeros(after.size + 1, np.int8)
    marks[starts], marks[ends] = 1, -1  # all distinct: runs are at least a pixel apart
    values = after[np.cumsum(marks[:-1], dtype=np.int8) > 0]
    return (starts.astype(np.uint32), (ends - starts).astype(np.uint32), values)


def _number(value, default):
    """A JSON number from the browser as a float (``default`` for anything else)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)
