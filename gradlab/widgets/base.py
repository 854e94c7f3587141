"""The base of every live figure: :class:`LiveFigure`, :func:`log_slider`, and small helpers.

:class:`LiveFigure` holds a matplotlib figure, a dict of ipywidgets ``controls``, the layout,
the message line and the static PNG picture. A control change goes through one pure-Python
path, ``set(**changes)`` → ``_apply(changes)``; a subclass implements ``_apply`` and moves its
artists in place. The helpers below it (start points, tick formatting, number formatting) are
shared by the explorers here and in :mod:`gradlab.explorers`; the argument checks, number
formatting, tick helper and colours they use live in :mod:`gradlab.checks`,
:mod:`gradlab.formatting`, :func:`gradlab.plotting.few_ticks` and :mod:`gradlab.colors`.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import math
import numbers
import struct
import textwrap
import zlib
from collections.abc import Mapping

import ipywidgets
import numpy as np
import traitlets
from matplotlib.backend_bases import MouseEvent
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.spines import Spine
from matplotlib.text import Text

from gradlab.colors import MESSAGE_COLORS
from gradlab.formatting import format_number
from gradlab.plotting import window_exits
from gradlab.widgets.frame_view import FrameView

__all__ = [
    "DOWNHILL",
    "ROUND_OFF",
    "LiveFigure",
    "default_start",
    "exact_number",
    "fit_controls",
    "left_window_at",
    "LogSlider",
    "log_slider",
    "round_values",
    "loss_grows",
    "message_layout",
    "position_slider",
    "runs_downhill",
]


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


#: Mantissas of the values a log slider stops at, per decade: steps of 0.5 from 10 to 20,
#: then whole numbers to 99 (two significant digits, and 11.5, 12.5, ...).
_MANTISSAS = (*(10 + 0.5 * i for i in range(20)), *range(20, 100))


def _decimal(mantissa, exponent):
    """``mantissa × 10**exponent`` as the float a learner would type (``1.5e-3`` is 0.0015)."""
    return float(f"{mantissa:g}e{exponent}")


def _label(value):
    """The shortest text that reads back as exactly ``value``."""
    for digits in (3, 4, 6, 9, 12, 17):
        text = format_number(value, digits)
        if float(text) == value:
            return text
    return repr(value)


def round_values(low, high, *, near=()):
    """The values a log slider over ``[low, high]`` stops at, ascending.

    Two significant digits per decade (``0.1, 0.105, 0.11, 0.115, ..., 0.2, 0.21, ..., 0.99``
    then ``1, 1.05, ...``), the ends ``low`` and ``high``, and three significant digits within
    5 % of each value in ``near`` (a stability bound: ``1.02`` next to the bound 1).

    >>> values = round_values(0.1, 1.0)
    >>> len(values), values[:4], 0.13 in values, 0.95 in values, 1.02 in values
    (101, [0.1, 0.105, 0.11, 0.115], True, True, False)
    >>> 1.02 in round_values(0.1, 2.0, near=[1.0])
    True
    """
    low, high = float(low), float(high)
    values = {low, high}
    for exponent in range(math.floor(math.log10(low)) - 2, math.ceil(math.log10(high)) + 1):
        values.update(v for m in _MANTISSAS if low <= (v := _decimal(m / 10, exponent)) <= high)
    for centre in near:
        centre = float(centre)
        if not (np.isfinite(centre) and centre > 0):
            continue
        exponent = math.floor(math.log10(centre)) - 2
        first = math.ceil(0.95 * centre / 10**exponent)
        last = math.floor(1.05 * centre / 10**exponent)
        values.update(v for k in range(first, last + 1)
                      if low <= (v := _decimal(k, exponent)) <= high)
    return sorted(values)


class LogSlider(ipywidgets.SelectionSlider):
    """A slider over round values spaced evenly on a log scale (see :func:`log_slider`).

    Its readout is the exact value the figure uses. ``low`` and ``high`` are its ends. A value
    set from code lands where a mouse could put it: clipped to the ends, then on the nearest
    position (on a log scale).
    """

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        value = proposal.value
        if isinstance(value, numbers.Real) and math.isfinite(value) and self._options_values:
            values = np.asarray(self._options_values, dtype=float)
            clipped = min(max(float(value), values[0]), values[-1])
            value = float(values[np.argmin(np.abs(np.log(values) - math.log(clipped)))])
        return super()._validate_value(traitlets.Bunch(owner=self, trait=proposal.trait,
                                                       value=value))

    @property
    def low(self):
        return self.options[0][1]

    @property
    def high(self):
        return self.options[-1][1]


def log_slider(description, value, low, high, *, near=()):
    """A slider whose positions are round values, evenly spaced on a log scale.

    Every position is a number a learner can type or read in the text ("try lr = 0.13"):
    two significant digits per decade, the ends of the range, the initial ``value``, and
    three significant digits close to each value in ``near`` (e.g. the stability bound, so
    "just above the bound, 1.02" is a position). The readout shows the exact value used.

    Parameters
    ----------
    description : str
        The label shown left of the slider.
    value, low, high : float
        Initial value and range; all positive, ``low < high``.
    near : sequence of float
        Values around which the slider offers three significant digits.

    Returns
    -------
    LogSlider
        An ``ipywidgets.SelectionSlider`` whose options are ``(label, value)`` pairs.

    Examples
    --------
    >>> s = log_slider("lr", 0.1, 1e-3, 10.0)
    >>> s.low, s.high, s.value, s.label
    (0.001, 10.0, 0.1, '0.1')
    >>> s.value = 0.13
    >>> s.label
    '0.13'
    """
    if not (0 < low < high):
        raise ValueError(f"log_slider {description!r}: need 0 < low < high, got {low}, {high}")
    if not (low <= value <= high):
        raise ValueError(
            f"log_slider {description!r}: value {value} lies outside [{low}, {high}]"
        )
    values = sorted({*round_values(low, high, near=near), float(value)})
    return LogSlider(options=[(_label(v), v) for v in values], value=float(value),
                     description=description, continuous_update=True,
                     style={"description_width": "initial"})


#: The shortest slider track, in pixels: shorter tracks make a small drag a large jump.
MIN_TRACK_PX = 160
#: Room for a slider's readout (the number right of the track), in pixels.
READOUT_PX = 72

_SLIDERS = (ipywidgets.FloatSlider, ipywidgets.IntSlider, ipywidgets.FloatLogSlider,
            ipywidgets.SelectionSlider)


def message_layout(lines=2):
    """A layout of fixed height for a line of text that changes (a message, a bound label).

    Its height holds ``lines`` lines; a longer text scrolls inside it. Nothing below it moves
    when the text changes length.
    """
    return ipywidgets.Layout(height=f"{1.5 * lines + 0.3:.1f}em", overflow="auto",
                             margin="0 0 2px 0")


def description_px(text):
    """A generous width in pixels for a control's description at the notebook's 13-px font."""
    return 8 * len(str(text)) + 12


def fit_controls(widget):
    """Give every slider under ``widget`` its whole label and a track of at least
    ``MIN_TRACK_PX``; let rows of controls wrap instead of squeezing them.

    A slider's label is shown whole (``description_width: initial``) and its minimum width is
    label + track + readout; a row (``HBox``) wraps onto a second line when the output area is
    too narrow for all of its controls.
    """
    if isinstance(widget, ipywidgets.HBox):
        widget.layout.flex_flow = "row wrap"
    if isinstance(widget, _SLIDERS):
        widget.style.description_width = "initial"
        label = description_px(widget.description) if widget.description else 0
        widget.layout.min_width = f"{label + MIN_TRACK_PX + READOUT_PX}px"
    for child in getattr(widget, "children", ()):
        fit_controls(child)


def _range_note(name, control, value):
    """A sentence when ``value`` lies outside the slider's range (the slider will clip it)."""
    if not hasattr(control, "min") or not isinstance(value, int | float | np.number):
        return ""
    low, high = control.min, control.max
    if isinstance(control, ipywidgets.FloatLogSlider):
        low, high = control.base**low, control.base**high
    # 10**log10(high) need not give back high exactly: compare with a relative tolerance.
    if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
        return ""
    used = low if value < low else high
    return f"{name} = {value:.4g} is outside [{low:.4g}, {high:.4g}]; using {used:.4g}."


def _admissible(name, control, value):
    """``(value the control accepts, note)``: a value a picker does not offer becomes the
    nearest number it offers, with a sentence saying so."""
    options = getattr(control, "options", None)
    if isinstance(control, LogSlider) and isinstance(value, int | float | np.number):
        low, high = control.low, control.high
        if value < low or value > high:
            used = low if value < low else high
            return used, (f"{name} = {value:.4g} is outside [{low:.4g}, {high:.4g}]; "
                          f"using {used:.4g}.")
        values = np.array([v for _label_text, v in options])
        nearest = float(values[np.argmin(np.abs(np.log(values) - math.log(value)))])
        if math.isclose(nearest, value, rel_tol=1e-12):
            return nearest, ""
        return nearest, (f"{name} = {value:.4g} is not a position of the slider; using "
                         f"{_label(nearest)}.")
    if options is None or value in options:
        return value, _range_note(name, control, value)
    numbers = [o for o in options if isinstance(o, int | float)]
    if not numbers or not isinstance(value, int | float | np.number):
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}")
    nearest = min(numbers, key=lambda o: abs(o - value))
    return nearest, (f"{name} = {value:.4g} is not possible (allowed {min(numbers):g} to "
                     f"{max(numbers):g}); using {nearest:g}.")


def png_bytes(rgba):
    """An RGBA pixel array of an opaque picture as PNG bytes, encoded for speed, not size.

    Every row is stored unfiltered and deflated at zlib's fastest level, without the alpha
    channel: about 4 ms for a 920 x 420 frame where Pillow's default takes 10 to 15 ms, for a
    file 10 % larger. The frames of a live figure are sent over loopback, so time counts more
    than bytes.

    >>> from PIL import Image
    >>> pixels = np.zeros((2, 3, 4), np.uint8); pixels[..., 0] = [[1, 2, 3], [4, 5, 6]]
    >>> np.asarray(Image.open(io.BytesIO(png_bytes(pixels))))[..., 0].tolist()
    [[1, 2, 3], [4, 5, 6]]
    """
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # byte 0 of each row: filter "none"
    rows[:, 1:] = rgba[..., :3].reshape(height, -1)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + chunk(b"IEND", b""))


def _png_base64(figure, dpi):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plain_text(artist):
    """A text with nothing but glyphs (no box, arrow or effects), visible: its pixels can be
    kept from one frame to the next."""
    return (type(artist) is Text and artist.get_visible() and artist.get_bbox_patch() is None
            and not artist.get_path_effects())


def _footprint(artist, renderer):
    """The display box an artist drew into: its clip box, else its extent with room for line
    widths and markers; None when unknown (anywhere).

    Only extents that are pure lookups are asked for: a spine's would lay out its axis's ticks,
    which marks the static layers changed, so a spine counts as its axes' box, widened.
    """
    if artist.get_clip_on() and artist.get_clip_box() is not None:
        return artist.get_clip_box()
    if isinstance(artist, Spine):
        return artist.axes.bbox.padded(12)
    if isinstance(artist, Line2D | Patch | Collection | AxesImage):
        try:
            return artist.get_window_extent(renderer).padded(12)
        except Exception:  # noqa: BLE001 - an extent matplotlib cannot give: anywhere
            return None
    return None


class LiveFigure:
    """Plumbing shared by every interactive figure: figure, controls, layout, message, picture.

    A subclass builds its axes and artists in ``__init__`` (after calling this one), registers
    its controls with :meth:`add_control`, and implements :meth:`_apply`, which receives a dict
    ``{control name: new value}`` of everything that changed since the last update and updates
    the artists in place. The base class coalesces changes: a burst of changes made while an
    update runs (or inside :meth:`hold`) is applied once, with the latest values.

    Parameters
    ----------
    figsize : tuple of float
        Figure size in inches.
    dpi : float
        Resolution of the live figure.
    png_dpi : float
        Resolution of the static picture stored in the notebook (modest, to keep files small).
    title : str
        A short plain-text description, used as the ``text/plain`` output.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    controls : dict of str to ipywidgets.Widget
    message : str
        The message currently shown in the figure ('' when none).
    updates : int
        How many times :meth:`_apply` ran (tests use it to check coalescing).

    Examples
    --------
    A widget of one's own: a slider ``a`` that tilts a line. Build the artists once; update them
    in ``_apply``.

    >>> import ipywidgets
    >>> class Tilt(LiveFigure):
    ...     def __init__(self):
    ...         super().__init__(figsize=(3, 2), title="tilt")
    ...         ax = self.figure.add_subplot()
    ...         (self.line,) = ax.plot([0, 1], [0, 0])
    ...         ax.set_ylim(-1, 1)
    ...         self.add_control("a", ipywidgets.FloatSlider(value=0, min=-1, max=1))
    ...     def _apply(self, changes):
    ...         self.line.set_ydata([0, changes["a"]])
    ...         self.show_message(f"slope {changes['a']:g}")
    >>> tilt = Tilt()
    >>> tilt.set(a=0.5).message
    'slope 0.5'
    >>> tilt.set(a=3).message  # the slider clips, and says so
    'a = 3 is outside [-1, 1]; using 1. slope 1'
    >>> tilt.close()

    Notes
    -----
    The figure is a plain matplotlib ``Figure`` on an Agg canvas, whatever the notebook's
    backend; :attr:`layout` shows its frames in a :class:`~gradlab.widgets.frame_view.FrameView`,
    which also brings clicks back as matplotlib ``button_press_event`` s. No global matplotlib
    setting is changed. Call :meth:`close` to release the figure.
    """

    #: Lines of message the figure has room for below its axes; a longer message is cut there
    #: (with "…") and shown whole beside the controls.
    _message_lines = 3

    def __init__(self, *, figsize=(8.0, 4.0), dpi=100, png_dpi=72, title="interactive figure"):
        # Not a pyplot figure: it draws with Agg whatever the notebook's backend, and its frames
        # reach the browser through a FrameView (see layout).
        self.figure = Figure(figsize=figsize, dpi=dpi)
        canvas = FigureCanvasAgg(self.figure)
        self._dpi = dpi
        # Every draw of this canvas, asked by us or by the browser, is a whole frame: the cached
        # static layers plus the animated artists (see _draw_frame).
        canvas.draw = self._draw_frame
        self._background = None  # (renderer, pixels of everything not animated)
        self._animated_artists: list = []
        self._text_pixels: dict = {}  # id(text) -> (what was drawn, its pixels)
        self.full_frames = 0
        self.controls: dict[str, ipywidgets.Widget] = {}
        self.png_dpi = png_dpi
        self.title = title
        self.updates = 0
        self.message = ""
        self._raw_message = ("", "info")
        self._message_artist = self.figure.text(
            0.5, 0.005, "", ha="center", va="bottom", fontsize=9,
            color=MESSAGE_COLORS["info"], animated=True,
        )
        # A fixed height: a message that wraps must not push the figure under the pointer.
        self.status = ipywidgets.HTML(value="", layout=message_layout())
        self._pending: dict[str, object] = {}
        self._hold_depth = 0
        self._applying = False
        self._layout = None
        self.view: FrameView | None = None
        self._silent: set[str] = set()
        self._button_callbacks: dict[str, object] = {}
        self._notes: list[str] = []  # said once, before the next message (e.g. a clipped value)

    # -- controls -----------------------------------------------------------------------------
    def add_control(self, name, widget, *, trait="value"):
        """Register ``widget`` as control ``name``; its changes reach :meth:`_apply`.

        Returns the widget, so a subclass can write ``self.add_control("lr", log_slider(...))``.
        """
        if name in self.controls:
            raise ValueError(f"control {name!r} is already registered")
        self.controls[name] = widget

        def observer(change, name=name):
            if name in self._silent:
                return
            self._on_change(name, change["new"])

        widget.observe(observer, names=trait)
        return widget

    def add_button(self, name, description, callback):
        """Register a button ``name`` whose click calls ``callback()`` (then redraws)."""
        button = ipywidgets.Button(description=description)

        def on_click(_button):
            self._on_change(name, True)

        button.on_click(on_click)
        self.controls[name] = button
        self._button_callbacks[name] = callback
        return button

    @contextlib.contextmanager
    def hold(self):
        """Collect changes made inside the block and apply them once at its end."""
        self._hold_depth += 1
        try:
            yield self
        finally:
            self._hold_depth -= 1
            if self._hold_depth == 0:
                self._flush()

    def set(self, **changes):
        """Set several controls at once (one update), e.g. ``widget.set(lr=0.3, steps=40)``.

        Values go through the controls, so sliders clip them to their range exactly as a learner's
        mouse would; a name that is not a control raises ``ValueError`` naming the known ones.
        """
        unknown = sorted(set(changes) - set(self.controls))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no control {unknown[0]!r}; "
                f"controls are {sorted(self.controls)}"
            )
        with self.hold():
            for name, value in changes.items():
                control = self.controls[name]
                if isinstance(control, ipywidgets.Button):
                    self._on_change(name, True)
                    continue
                value, note = _admissible(name, control, value)
                if note:
                    self._notes.append(note)
                control.value = value
        return self

    @contextlib.contextmanager
    def _quietly(self, *names):
        """Change controls from code without triggering updates (e.g. a new slider range)."""
        self._silent.update(names)
        try:
            yield
        finally:
            self._silent.difference_update(names)

    def _on_change(self, name, value):
        self._pending[name] = value
        if self._hold_depth == 0 and not self._applying:
            self._flush()

    def _flush(self):
        if self._applying:
            return
        self._applying = True
        try:
            # A change made while applying (e.g. a control adjusted by code) joins the next pass.
            while self._pending:
                changes, self._pending = self._pending, {}
                for name in [n for n in changes if n in self._button_callbacks]:
                    self._button_callbacks[name]()
                    changes.pop(name)
                self.updates += 1
                with np.errstate(all="ignore"):
                    self._apply(changes)
        finally:
            self._applying = False
        if self._notes:  # a clipped value the update itself did not report
            self.show_message(*self._raw_message)
        self.redraw(now=True)

    def _apply(self, changes: Mapping[str, object]) -> None:
        """Recompute what ``changes`` touches and update the artists (subclasses override)."""

    # -- messages -----------------------------------------------------------------------------
    def show_message(self, text, kind="info"):
        """Show ``text`` in the figure and beside the controls; ``''`` clears it.

        ``kind`` is ``'info'``, ``'warning'`` or ``'error'`` (the colour).
        """
        if kind not in MESSAGE_COLORS:
            raise ValueError(f"kind must be one of {sorted(MESSAGE_COLORS)}, got {kind!r}")
        self._raw_message = (text, kind)
        if self._notes:
            text = " ".join([*self._notes, text]).strip()
            kind = "warning" if kind == "info" else kind
            self._notes.clear()
        self.message = text
        colour = MESSAGE_COLORS[kind]
        # Break lines ourselves: matplotlib's wrap=True can clip centred text at the edges.
        characters = int(self.figure.get_figwidth() * 72 / (0.6 * 9))
        lines = textwrap.wrap(text, characters)
        if len(lines) > self._message_lines:
            # The figure keeps room for so many lines; the whole text is beside the controls.
            lines = lines[: self._message_lines]
            lines[-1] = lines[-1][: characters - 2].rstrip() + " …"
        self._message_artist.set_text("\n".join(lines))
        self._message_artist.set_color(colour)
        self.status.value = (
            f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""
        )

    # -- drawing and display --------------------------------------------------------------------
    @staticmethod
    def animate(*artists):
        """Mark ``artists`` as the ones a move changes; returns them (one artist alone).

        A frame copies everything else from a picture of the static layers (axes, ticks,
        contours, legends) drawn once, and draws only these on top. Any change to a
        non-animated artist (a new limit, a title) makes the next frame a full redraw, so
        marking too little is slow, never wrong.
        """
        for artist in artists:
            artist.set_animated(True)
        return artists[0] if len(artists) == 1 else artists

    def _find_animated_artists(self):
        # In drawing order: each axes' artists by zorder, then the figure's own (the message).
        found = []
        for ax in self.figure.axes:
            found += sorted((a for a in ax.get_children() if a.get_animated()),
                            key=lambda a: a.get_zorder())
        found += sorted((a for a in self.figure.get_children()
                         if a.get_animated() and a not in self.figure.axes),
                        key=lambda a: a.get_zorder())
        return found

    def _draw_frame(self, *, full=False):
        """Render the whole frame into the canvas (and send it, on a web canvas).

        The static layers are redrawn only when one of them changed since the last frame
        (matplotlib marks the figure stale then; animated artists do not mark it), when the
        canvas changed size, or with ``full=True``; otherwise they are copied from the cache.
        ``full=True`` also draws every animated text anew, without touching the kept pixels,
        so a test can hold a cached frame against it.
        """
        canvas = self.figure.canvas
        renderer = canvas.get_renderer()
        cached = self._background
        changed = self.figure.stale or cached is None or cached[0] is not renderer
        if full or changed:
            FigureCanvasAgg.draw(canvas)  # draws everything except the animated artists
            renderer = canvas.get_renderer()
            self._background = (renderer, canvas.copy_from_bbox(self.figure.bbox))
            self._animated_artists = self._find_animated_artists()
            if changed:
                self._text_pixels = {}  # kept over the old static layers: no longer valid
            self.full_frames += 1
        else:
            canvas.restore_region(cached[1])
        painted = []  # where this frame's animated artists may have drawn so far
        for artist in self._animated_artists:
            if full and artist.get_visible():  # every glyph drawn anew, the kept ones kept
                artist.draw(renderer)
            elif _plain_text(artist):
                self._draw_text(artist, renderer, painted)
            elif artist.get_visible():
                artist.draw(renderer)
                painted.append(_footprint(artist, renderer))
        canvas.blit(self.figure.bbox)  # a web canvas sends the frame; Agg has nothing to do

    def _draw_text(self, text, renderer, painted):
        """Draw an animated text, or paste its pixels from an earlier frame.

        Laying out and rendering glyphs is most of a frame's cost (about 1 ms a text), and most
        animated texts (tick numbers, row names, labels) are the same from one frame to the
        next. Pasting is exact when the text, its look and its place are unchanged, the static
        layers under it are the same, and nothing drawn earlier in this frame touched its box.
        """
        box = text.get_window_extent(renderer).padded(2)
        key = (text.get_text(), tuple(box.bounds), str(text.get_color()), text.get_alpha(),
               hash(text.get_fontproperties()), text.get_rotation())
        alone = not any(area is None or area.overlaps(box) for area in painted)
        stored = self._text_pixels.get(id(text))
        if alone and stored is not None and stored[0] == key:
            self.figure.canvas.restore_region(stored[1])
        else:
            text.draw(renderer)
            if alone:
                self._text_pixels[id(text)] = (key, self.figure.canvas.copy_from_bbox(box))
            else:
                self._text_pixels.pop(id(text), None)
        painted.append(box)

    def frame_rgba(self, *, full=False):
        """The frame a learner would see now, as an ``(height, width, 4)`` uint8 array.

        ``full=True`` redraws every layer, ignoring the cache: a frame drawn from the cache
        must equal it pixel for pixel (``tests/test_frames.py``).
        """
        self._draw_frame(full=full)
        return np.array(self.figure.canvas.get_renderer().buffer_rgba())

    def redraw(self, now=False):
        """Show the figure as it is now in the browser (if a browser shows it).

        The frame is drawn and sent at once, or, while the browser is still painting the frame
        before, as soon as it has (:meth:`FrameView.show`): a fast drag never queues frames.
        ``now`` is kept for callers that ask for an immediate frame; every frame is immediate.
        A figure nobody displays (tests, benchmarks, a notebook run by nbclient) draws nothing
        until asked (:meth:`frame_rgba`, :meth:`static_png`).
        """
        if self.view is not None:
            self.view.show()

    def _render_frame(self):
        self._draw_frame()
        return np.asarray(self.figure.canvas.get_renderer().buffer_rgba())

    def _click(self, name, x, y, button, dblclick):
        """A click in the browser, in frame pixels from the bottom left, as a matplotlib event."""
        MouseEvent(name, self.figure.canvas, x, y, button, dblclick=dblclick)._process()

    def _set_pixel_ratio(self, ratio):
        """Render at ``ratio`` times the figure's dpi, for a view on a HiDPI screen."""
        self.figure.set_dpi(self._dpi * ratio)  # marks the figure stale: the next frame is full

    def _control_rows(self):
        """Rows of controls for the layout (subclasses may group them differently)."""
        return [ipywidgets.HBox(list(self.controls.values())[i:i + 3])
                for i in range(0, len(self.controls), 3)]

    @property
    def layout(self):
        """The widget to display: controls, the message label, and the figure."""
        if self._layout is None:
            self.view = FrameView(self._render_frame, png_bytes, on_click=self._click,
                                  on_ratio=self._set_pixel_ratio,
                                  label=self.title.replace("$", ""))  # no TeX delimiters
            rows = self._control_rows()
            for row in rows:
                fit_controls(row)
            # The line above the figure says it already; drawing it in every frame too
            # costs ~0.04 ms a character. The stored picture keeps it (static_png).
            self._message_artist.set_visible(False)
            self._layout = ipywidgets.VBox([*rows, self.status, self.view])
        return self._layout

    def static_png(self, dpi=None):
        """The figure as it is now, as base64-encoded PNG (``dpi`` defaults to ``png_dpi``)."""
        # Saving draws the animated artists of axes but skips the figure's own (the message),
        # which the live view may also hide: the picture shows it, as there is no line above.
        own = [a for a in self.figure.get_children() if a.get_animated()]
        shown = self._message_artist.get_visible()
        for artist in own:
            artist.set_animated(False)
        self._message_artist.set_visible(True)
        try:
            return _png_base64(self.figure, self.png_dpi if dpi is None else dpi)
        finally:
            for artist in own:
                artist.set_animated(True)
            self._message_artist.set_visible(shown)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """One output holding the live widget view, a PNG of the figure, and a plain-text line.

        JupyterLab with a kernel renders the widget; GitHub and nbviewer fall back to the PNG.
        """
        bundle = self.layout._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        bundle = dict(bundle)
        bundle["image/png"] = self.static_png()
        bundle["text/plain"] = self.title
        return bundle

    def close(self):
        """Close the figure and the controls."""
        for control in self.controls.values():
            control.close()
        if self._layout is not None:
            self.view.close()
            self._layout.close()


# ---------------------------------------------------------------------------------------------
# Helpers shared by the explorers
# ---------------------------------------------------------------------------------------------


#: Why a run diverged when :func:`runs_downhill` says it fell without end.
DOWNHILL = ("f kept decreasing along the path, so the iterates ran off downhill: the "
            "function has no minimum in that direction (a smaller lr only slows this down)")


def runs_downhill(values, diverged_at):
    """Whether the values before divergence kept falling below the start value (f → −∞)."""
    finite = values[:diverged_at]
    finite = finite[np.isfinite(finite)]
    return bool(finite.size >= 3 and finite[-1] < finite[0] and np.all(np.diff(finite[-3:]) < 0))


#: A value smaller than this fraction of its scale is round-off of an exact 0 and shows as 0.
ROUND_OFF = 1e-12


def exact_number(value, scale, digits=3):
    """:func:`~gradlab.formatting.format_number`, with round-off of an exact zero shown as 0.

    ``scale`` is the size the value is measured against (a window's width, the loss at the
    start): a value below ``ROUND_OFF × scale`` is what floating point leaves of a 0 that the
    arithmetic promises (lr = 0.5 on x² lands on x = 0, not on 3e-319).

    >>> exact_number(3.238e-319, 8.0), exact_number(-2e-15, 8.0), exact_number(0.0123, 8.0)
    ('0', '0', '0.0123')
    """
    value = float(value)
    if np.isfinite(value) and abs(value) < ROUND_OFF * abs(float(scale)):
        value = 0.0
    return format_number(value, digits)


def loss_grows(values, last=5):
    """Whether the loss grew at each of the ``last`` steps and ended above where it started.

    Such a run is diverging even while its numbers are still finite.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size < last + 1:
        return False
    return bool(np.all(np.diff(finite[-(last + 1):]) > 0) and finite[-1] > finite[0])


def left_window_at(points, window):
    """``(step, came_back)``: the step at which a path leaves ``window`` and stays outside.

    ``points`` is ``(steps + 1, dim)`` or ``(steps + 1, 1, dim)``. ``step`` is the first step of
    the final stretch outside the window (the one the path figures mark "left at step k"), or
    ``-1`` when the path ends inside; ``came_back`` is the first step outside the window when
    the path ends inside it anyway (``-1`` when it never left).
    """
    points = np.asarray(points, dtype=float)
    runs = points if points.ndim == 3 else points[:, None, :]
    exits = window_exits(runs, window)
    if exits.escaped[0]:
        return int(exits.last_inside[0]) + 1, -1
    lows = np.array([lo for lo, _ in window])
    highs = np.array([hi for _, hi in window])
    with np.errstate(invalid="ignore"):
        outside = ~np.all((runs[:, 0] >= lows) & (runs[:, 0] <= highs), axis=-1)
    return -1, int(np.argmax(outside)) if outside.any() else -1


def partial_run_message(step, steps, where, diverged_at, left, mover="the path"):
    """``(text, kind)`` for a run shown up to ``step`` of ``steps``: what the figure shows now.

    ``where`` describes the current iterate; ``left`` is the step at which the shown part left
    the window (``-1`` if it has not); ``diverged_at`` is the run's (``-1`` if never). Nothing
    later than ``step`` is said except that a divergence is coming.
    """
    if 0 <= diverged_at <= step:
        return f"step {step} of {steps}: the run diverged at step {diverged_at}", "error"
    if left >= 0:
        where += f"; {mover} left the plotted window at step {left}"
    later = (f"; the run diverges at step {diverged_at}" if diverged_at > step
             else " (play or drag step for the rest)")
    return f"step {step} of {steps}: {where}{later}", "warning" if diverged_at > step else "info"


def default_start(objective):
    """The objective's own start point if it has one, else a point inside its window.

    The fallback sits 15 % in from the low x edge and the high y edge (the upper left of a
    2-D window): away from the usual minima at the centre, yet inside the view.
    """
    for attribute in ("start", "default_start"):
        start = getattr(objective, attribute, None)
        if start is not None:
            return np.asarray(start, dtype=float).reshape(-1)
    (xlo, xhi), *rest = objective.window
    coordinates = [xlo + 0.15 * (xhi - xlo)]
    coordinates += [hi - 0.15 * (hi - lo) for lo, hi in rest]
    return np.array(coordinates, dtype=float)


def position_slider(description, value, low, high):
    """A slider for one coordinate of a start point: 400 steps across ``[low, high]``."""
    return ipywidgets.FloatSlider(
        value=float(value), min=float(low), max=float(high), step=(high - low) / 400,
        description=description, readout_format=".3g", continuous_update=True,
    )
