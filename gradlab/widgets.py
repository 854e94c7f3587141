"""Interactive figures for the notebooks: build the figure once, update artists on each change.

Every widget here is a small class holding a matplotlib figure, its artists, and a dict of
ipywidgets ``controls``. A change of a control goes through one pure-Python path,
``set(**changes)`` → ``_apply(changes)``, which recomputes only what the change touches and then
updates the artists in place (``set_data``, ``set_offsets``, ``set_text``) before ``draw_idle``.
Nothing in that path needs a browser, so the tests drive the widgets directly.

In a notebook run ``%matplotlib widget`` (ipympl) first: the figure is then a live ipympl canvas
that accepts mouse clicks. Under any other backend the widget still works and shows its figure
as a picture that is refreshed after each change.

Displaying a widget emits one output that holds both the live widget view and a PNG of its
current state, so a reader on GitHub or nbviewer, without a kernel, still sees the figure.

Widget kinds
------------
:class:`LiveFigure`              the base class: figure, controls, layout, message, picture
:class:`DescentExplorer`         one optimizer on a 2-D surface: contours, path, loss curve
:class:`OptimizerStateExplorer`  the same with the optimizer's state (m, v, m̂, v̂) per step
:class:`OneDimExplorer`          gradient descent on a curve, with the tangent at each step
:class:`BatchSizeExplorer`       the cloud of mini-batch gradients on a loss built from data
:class:`ExpressionBox`           type a function, see its derivatives, check them numerically
:class:`PredictRevealCheck`      answer a question, get feedback, then read the explanation

Speed: a control change re-runs at most one vectorized optimizer run (about a millisecond) and
moves existing artists; ``draw_idle`` lets ipympl merge the redraws of a fast slider drag, and
:meth:`LiveFigure.hold` (or :meth:`LiveFigure.set`) applies several changes in one update.
``benchmarks/bench_widgets.py`` times each widget's slider callback with an Agg draw.
"""

from __future__ import annotations

import base64
import contextlib
import html
import inspect
import io
import math
import textwrap
import time
from collections.abc import Mapping

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from gradlab.plotting.contours import contour_map
from gradlab.plotting.derivatives import tangent_line
from gradlab.plotting.stochastic import gradient_cloud
from gradlab.plotting.trajectories import ghost_trails, trajectory_lines
from gradlab.runner import run

__all__ = [
    "BatchSizeExplorer",
    "DescentExplorer",
    "ExpressionBox",
    "LiveFigure",
    "OneDimExplorer",
    "OptimizerStateExplorer",
    "PredictRevealCheck",
    "central_differences",
    "log_slider",
]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# A control change less than this many seconds after the last frame is drawn lazily (a drag).
_DRAW_GAP = 0.1

# Colours of messages, shared by the figure text and the label beside the controls.
_MESSAGE_COLOURS = {"info": "#333333", "warning": "#b35900", "error": "#b00020"}


def log_slider(description, value, low, high, *, readout_format=".3g", steps_per_decade=50):
    """A slider whose position is the base-10 logarithm of its value.

    Parameters
    ----------
    description : str
        The label shown left of the slider.
    value, low, high : float
        Initial value and range; all positive, ``low < high``.
    readout_format : str
        Format of the number shown beside the slider.
    steps_per_decade : int
        Resolution of the slider: positions per factor of ten.

    Returns
    -------
    ipywidgets.FloatLogSlider

    Examples
    --------
    >>> s = log_slider("lr", 0.1, 1e-3, 10.0)
    >>> round(s.min, 6), round(s.max, 6), s.value
    (-3.0, 1.0, 0.1)
    """
    if not (0 < low < high):
        raise ValueError(f"log_slider {description!r}: need 0 < low < high, got {low}, {high}")
    if not (low <= value <= high):
        raise ValueError(
            f"log_slider {description!r}: value {value} lies outside [{low}, {high}]"
        )
    return ipywidgets.FloatLogSlider(
        value=value,
        base=10,
        min=math.log10(low),
        max=math.log10(high),
        step=1 / steps_per_decade,
        description=description,
        readout_format=readout_format,
        continuous_update=True,
    )


def _range_note(name, control, value):
    """A sentence when ``value`` lies outside the slider's range (the slider will clip it)."""
    if not hasattr(control, "min") or not isinstance(value, int | float | np.number):
        return ""
    low, high = control.min, control.max
    if isinstance(control, ipywidgets.FloatLogSlider):
        low, high = control.base**low, control.base**high
    if low <= value <= high:
        return ""
    used = low if value < low else high
    return f"{name} = {value:.4g} is outside [{low:.4g}, {high:.4g}]; using {used:.4g}."


def _admissible(name, control, value):
    """``(value the control accepts, note)``: a value a picker does not offer becomes the
    nearest number it offers, with a sentence saying so."""
    options = getattr(control, "options", None)
    if options is None or value in options:
        return value, _range_note(name, control, value)
    numbers = [o for o in options if isinstance(o, int | float)]
    if not numbers or not isinstance(value, int | float | np.number):
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}")
    nearest = min(numbers, key=lambda o: abs(o - value))
    return nearest, (f"{name} = {value:.4g} is not possible (allowed {min(numbers):g} to "
                     f"{max(numbers):g}); using {nearest:g}.")


def _png_base64(figure, dpi):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


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
    The figure is created with ``plt.figure`` inside ``plt.ioff()``: under ipympl
    (``%matplotlib widget``) its canvas is a widget placed into :attr:`layout`; under other
    backends the layout shows an ``ipywidgets.Image`` refreshed after each update.
    No global matplotlib setting is changed. Call :meth:`close` to release the figure.
    """

    def __init__(self, *, figsize=(8.0, 4.0), dpi=100, png_dpi=72, title="interactive figure"):
        with plt.ioff():
            self.figure = plt.figure(figsize=figsize, dpi=dpi)
        canvas = self.figure.canvas
        # ipympl canvases have these traits; set them per figure, never through rcParams.
        for trait, value in (("header_visible", False), ("footer_visible", False),
                             ("toolbar_visible", False), ("resizable", False)):
            if hasattr(canvas, trait):
                setattr(canvas, trait, value)
        self.controls: dict[str, ipywidgets.Widget] = {}
        self.png_dpi = png_dpi
        self.title = title
        self.updates = 0
        self.message = ""
        self._raw_message = ("", "info")
        self._message_artist = self.figure.text(
            0.5, 0.005, "", ha="center", va="bottom", fontsize=9,
            color=_MESSAGE_COLOURS["info"],
        )
        self.status = ipywidgets.HTML(value="")
        self._pending: dict[str, object] = {}
        self._hold_depth = 0
        self._applying = False
        self._layout = None
        self._image = None
        self._silent: set[str] = set()
        self._button_callbacks: dict[str, object] = {}
        self._notes: list[str] = []  # said once, before the next message (e.g. a clipped value)
        self._last_frame = 0.0  # when redraw(now=True) last rendered a frame

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
        if kind not in _MESSAGE_COLOURS:
            raise ValueError(f"kind must be one of {sorted(_MESSAGE_COLOURS)}, got {kind!r}")
        self._raw_message = (text, kind)
        if self._notes:
            text = " ".join([*self._notes, text]).strip()
            kind = "warning" if kind == "info" else kind
            self._notes.clear()
        self.message = text
        colour = _MESSAGE_COLOURS[kind]
        # Break lines ourselves: matplotlib's wrap=True can clip centred text at the edges.
        characters = int(self.figure.get_figwidth() * 72 / (0.6 * 9))
        self._message_artist.set_text(textwrap.fill(text, characters))
        self._message_artist.set_color(colour)
        self.status.value = (
            f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""
        )

    # -- drawing and display --------------------------------------------------------------------
    def redraw(self, now=False):
        """Redraw a live canvas, or refresh the fallback picture.

        With ``now=True`` (after a control changed) an ipympl canvas renders and sends its frame
        at once, saving the round trip of ``draw_idle`` (which asks the browser to request a
        frame). Within ``_DRAW_GAP`` seconds of the previous frame, as during a mouse drag, it
        falls back to ``draw_idle``, which the browser coalesces, so a stream of slider events
        never queues a render each. A plain Agg canvas that nobody displays (tests, benchmarks)
        is left to draw on demand.
        """
        if isinstance(self.figure.canvas, ipywidgets.DOMWidget):
            quiet = time.perf_counter() - self._last_frame > _DRAW_GAP
            if now and quiet and self._layout is not None:
                self.figure.canvas.draw()
                self._last_frame = time.perf_counter()
            else:
                self.figure.canvas.draw_idle()
        elif self._image is not None:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
            self._image.value = buffer.getvalue()

    def _control_rows(self):
        """Rows of controls for the layout (subclasses may group them differently)."""
        return [ipywidgets.HBox(list(self.controls.values())[i:i + 3])
                for i in range(0, len(self.controls), 3)]

    @property
    def layout(self):
        """The widget to display: controls, the message label, and the figure."""
        if self._layout is None:
            canvas = self.figure.canvas
            if isinstance(canvas, ipywidgets.DOMWidget):
                view = canvas
            else:
                self._image = ipywidgets.Image(format="png")
                view = self._image
            self._layout = ipywidgets.VBox([*self._control_rows(), self.status, view])
            self.redraw()
        return self._layout

    def static_png(self, dpi=None):
        """The figure as it is now, as base64-encoded PNG (``dpi`` defaults to ``png_dpi``)."""
        return _png_base64(self.figure, self.png_dpi if dpi is None else dpi)

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
        plt.close(self.figure)
        for control in self.controls.values():
            control.close()
        if self._layout is not None:
            self._layout.close()


class PredictRevealCheck:
    """Ask a question, give immediate feedback on the learner's answer, then the explanation.

    Parameters
    ----------
    question : str
        The question (HTML/LaTeX allowed, shown with ``HTMLMath``).
    answer : str or float
        With ``options``: the right option. Without: the right number.
    explanation : str
        Shown once the learner has answered (right or wrong).
    options : sequence of str, optional
        Choices to pick from. When omitted the learner types a number.
    tolerance : float, optional
        For a typed number: accepted absolute distance from ``answer``
        (default ``1e-3 * max(1, |answer|)``).
    hints : mapping of str to str, optional
        For options: what to say after a wrong pick of that option ("Not quite: <hint>").

    Attributes
    ----------
    controls : dict
        ``'answer'`` (the picker or text box) and ``'check'`` (the button).
    feedback, explanation_box : ipywidgets.HTML, ipywidgets.HTMLMath
    correct : bool or None
        The result of the last check (``None`` before the first).

    Examples
    --------
    >>> check = PredictRevealCheck("Will lr = 0.6 converge on f(x) = x²?",
    ...                            options=["yes", "no"], answer="yes",
    ...                            explanation="The bound is 2/f'' = 1, and 0.6 < 1.")
    >>> check.controls["answer"].value = "no"
    >>> check.controls["check"].click()
    >>> check.correct
    False
    >>> check.explanation_box.layout.display is None
    True
    """

    def __init__(self, question, *, answer, explanation, options=None, tolerance=None, hints=None):
        self.question = question
        self.explanation = explanation
        self.options = None if options is None else [str(o) for o in options]
        self.hints = dict(hints or {})
        self.correct = None
        if self.options is not None:
            if len(self.options) < 2:
                raise ValueError(f"options: need at least two choices, got {self.options}")
            if str(answer) not in self.options:
                raise ValueError(f"answer {answer!r} is not one of the options {self.options}")
            unknown = sorted(set(self.hints) - set(self.options))
            if unknown:
                raise ValueError(f"hints name {unknown} which are not options {self.options}")
            self.answer = str(answer)
            picker = ipywidgets.RadioButtons(options=self.options, value=None)
        else:
            try:
                self.answer = float(answer)
            except (TypeError, ValueError):
                raise ValueError(
                    f"without options the answer must be a number, got {answer!r}"
                ) from None
            if tolerance is None:
                tolerance = 1e-3 * max(1.0, abs(self.answer))
            if not tolerance >= 0:
                raise ValueError(f"tolerance must be >= 0, got {tolerance}")
            self.tolerance = float(tolerance)
            # Enter (or leaving the box) submits: the value only changes then.
            picker = ipywidgets.Text(placeholder="type a number, e.g. 0.5",
                                     continuous_update=False)
            picker.observe(lambda _change: self.check(), names="value")
        button = ipywidgets.Button(description="Check", button_style="primary")
        button.on_click(lambda _button: self.check())
        self.controls = {"answer": picker, "check": button}
        self.feedback = ipywidgets.HTML(value="")
        self.explanation_box = ipywidgets.HTMLMath(value=explanation)
        self.explanation_box.layout.display = "none"
        self.layout = ipywidgets.VBox([
            ipywidgets.HTMLMath(value=question),
            ipywidgets.HBox([picker, button]),
            self.feedback,
            self.explanation_box,
        ])

    def _judge(self):
        """``(correct or None, feedback text)`` for the current answer."""
        given = self.controls["answer"].value
        if self.options is not None:
            if given is None:
                return None, "Pick one of the options first."
            if given == self.answer:
                return True, f"Right: {given}."
            hint = self.hints.get(given, "")
            return False, f"Not quite: {given} is not it." + (f" {hint}" if hint else "")
        text = str(given).strip()
        if not text:
            return None, "Type a number first."
        try:
            number = float(text.replace("−", "-"))
        except ValueError:
            return None, f"{text!r} is not a number; type something like 0.5 or 1e-3."
        if not math.isfinite(number):
            return None, f"{text!r} is not a finite number."
        if abs(number - self.answer) <= self.tolerance:
            return True, f"Right: {number:g}."
        direction = "too large" if number > self.answer else "too small"
        return False, f"Not quite: {number:g} is {direction}."

    def check(self):
        """Judge the current answer, show the feedback and, once answered, the explanation."""
        correct, text = self._judge()
        colour = {True: "#1b7a1b", False: _MESSAGE_COLOURS["error"], None: "#333333"}[correct]
        self.feedback.value = f'<b style="color:{colour}">{html.escape(text)}</b>'
        if correct is not None:
            self.correct = correct
            self.explanation_box.layout.display = None
        return correct

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """The live widget plus a static HTML version (explanation folded) for GitHub."""
        bundle = dict(self.layout._repr_mimebundle_(include=include, exclude=exclude, **kwargs))
        choices = ""
        if self.options is not None:
            items = "".join(f"<li>{html.escape(o)}</li>" for o in self.options)
            choices = f"<ul>{items}</ul>"
        bundle["text/html"] = (
            f"<div><p>{self.question}</p>{choices}"
            f"<details><summary>Answer</summary><p>{self.explanation}</p></details></div>"
        )
        bundle["text/plain"] = f"Check: {self.question}"
        return bundle


# ---------------------------------------------------------------------------------------------
# Helpers shared by the explorers
# ---------------------------------------------------------------------------------------------

# Sliders for the hyperparameters that shape a step beyond the learning rate: which optimizer
# argument each feeds, and its range. An optimizer gets the sliders its signature asks for.
_HYPER_SLIDERS = {
    "momentum": ("momentum", 0.0, 0.99, 0.01, ".2f"),
    "beta1": ("betas", 0.0, 0.999, 0.001, ".3f"),
    "beta2": ("betas", 0.5, 0.9999, 0.0001, ".4f"),
    "alpha": ("alpha", 0.5, 0.999, 0.001, ".3f"),
    "rho": ("rho", 0.5, 0.999, 0.001, ".3f"),
}


def _signature_defaults(factory):
    """``{argument: default}`` of an optimizer class or factory (empty when not inspectable)."""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return {}
    return {name: p.default for name, p in parameters.items()}


def _sliders_for(factory):
    """Names of the hyperparameter sliders ``factory`` takes, in display order."""
    arguments = _signature_defaults(factory)
    return [name for name, (argument, *_rest) in _HYPER_SLIDERS.items() if argument in arguments]


def _is_adaptive(factory):
    """Whether the optimizer rescales steps per coordinate (then 2/λmax does not bound lr).

    Recognised by the arguments of the adaptive methods: ``betas`` (Adam family), ``alpha``
    (RMSprop), ``rho`` (Adadelta), ``lr_decay`` (Adagrad).
    """
    arguments = _signature_defaults(factory)
    return any(a in arguments for a in ("betas", "alpha", "rho", "lr_decay"))


_DOWNHILL = ("f kept decreasing along the path, so the iterates ran off downhill: the "
             "function has no minimum in that direction (a smaller lr only slows this down)")


def _runs_downhill(values, diverged_at):
    """Whether the values before divergence kept falling below the start value (f → −∞)."""
    finite = values[:diverged_at]
    finite = finite[np.isfinite(finite)]
    return bool(finite.size >= 3 and finite[-1] < finite[0] and np.all(np.diff(finite[-3:]) < 0))


def _default_optimizers():
    from gradlab import optimizers

    return {name: getattr(optimizers, name) for name in
            ("SGD", "Adam", "RMSprop", "Adagrad", "AdamW", "NAdam", "Adamax", "Adadelta")}


def _default_start(objective):
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


def _check_start(start, window, name="start"):
    start = np.asarray(start, dtype=float).reshape(-1)
    if start.shape != (len(window),) or not np.all(np.isfinite(start)):
        raise ValueError(f"{name} must be {len(window)} finite number(s), got {start.tolist()}")
    for value, (lo, hi), axis in zip(start, window, "xyz", strict=False):
        if not lo <= value <= hi:
            raise ValueError(
                f"{name} {tuple(start.tolist())} lies outside the window: "
                f"{axis} must be in [{lo:g}, {hi:g}]"
            )
    return start


def _few_ticks(*axes):
    """At most about five labelled ticks per axis and no minor ticks: tick text is most of the
    cost of a redraw, and a live figure needs no finer scale."""
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_locator(LogLocator(numticks=5))
                # Plain labels ("1e-05"): mathtext powers of ten cost ~10 ms a draw.
                axis.set_major_formatter(FuncFormatter(_plain_tick))
            else:
                axis.set_major_locator(MaxNLocator(5))
            axis.set_minor_locator(NullLocator())


def _plain_tick(value, _position=None):
    return f"{value:g}"


def _fmt(value, digits=3):
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.{digits}g}"


def _position_slider(description, value, low, high):
    return ipywidgets.FloatSlider(
        value=float(value), min=float(low), max=float(high), step=(high - low) / 400,
        description=description, readout_format=".3g", continuous_update=True,
    )


# ---------------------------------------------------------------------------------------------
# DescentExplorer: one optimizer on a 2-D surface
# ---------------------------------------------------------------------------------------------


class DescentExplorer(LiveFigure):
    """Contours of a surface with one optimizer's path, its loss curve, and every control.

    Controls (keys of :attr:`controls`): ``optimizer`` (picker), ``lr`` (log slider, with the
    stability bound 2/λmax at the start point shown beside it and a warning when ``lr`` exceeds
    it), the hyperparameter sliders the chosen optimizer takes (``momentum``, ``beta1``,
    ``beta2``, ``alpha``, ``rho``; the others are hidden), ``x0``/``y0`` (the start point; a
    click on the contour map sets it too), ``step`` (reveal the path up to step k; ``play``
    animates it and ``step_button`` advances it by one), ``ghosts`` (keep faded copies of the
    previous paths), ``reset``, and ``surface`` when ``surfaces`` are given.

    Parameters
    ----------
    objective : Objective
        A two-variable surface (``value``, ``gradient``, ``hessian``, ``window``,
        ``stability_bound``; ``minima``, ``minimum_value`` and ``name`` are used when present).
    optimizers : mapping of str to callable, optional
        ``{name: factory}``; ``factory(lr=..., **hyperparameters)`` returns an optimizer with
        ``init``/``update`` (the classes of :mod:`gradlab.optimizers` are such factories).
        Default: the eight optimizers of :mod:`gradlab.optimizers`.
    optimizer : str, optional
        The one picked first (default: the first of ``optimizers``).
    start : array (2,), optional
        Start point, inside the window. Default: ``objective.start`` if it has one, else the
        upper left of the window (15 % in from its edges).
    steps : int
        Number of steps of the run.
    lr : float, optional
        Initial learning rate. Default: half the stability bound at ``start`` for the first
        optimizer when that is finite and the optimizer is not adaptive, else 2 % of the
        window width (adaptive methods move about ``lr`` per coordinate and step).
    lr_range : (float, float), optional
        Range of the learning-rate slider (default ``(lr / 1000, lr * 100)``).
    hyperparameters : mapping, optional
        Initial slider values, e.g. ``{"momentum": 0.9}``; defaults are the optimizer's own.
    surfaces : mapping of str to Objective (or zero-argument factory), optional
        Offer a surface picker; ``objective`` should be one of them.
    max_ghosts : int
        How many previous paths the ghost trails keep.
    resolution : int
        Contour grid points per axis.
    figsize, dpi, png_dpi
        See :class:`LiveFigure`.

    Attributes
    ----------
    trajectory : Trajectory
        The last run (all ``steps``; the ``step`` slider only reveals part of it).
    stability_bound : float
        2/λmax of the Hessian at the start point (``inf`` if it has no positive eigenvalue).

    Notes
    -----
    A learning-rate, hyperparameter or start change re-runs the optimizer (one vectorized run)
    and moves the existing artists; the ``step`` slider only reveals more or less of the stored
    path; only a surface change redraws the contours.
    """

    _record_state = False
    _show_loss = True

    def __init__(self, objective, optimizers=None, *, optimizer=None, start=None, steps=50,
                 lr=None, lr_range=None, hyperparameters=None, surfaces=None, max_ghosts=4,
                 resolution=120, figsize=(9.5, 4.2), dpi=100, png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"{type(self).__name__}: {getattr(objective, 'name', 'surface')}")
        if getattr(objective, "dim", 2) != 2:
            raise ValueError(f"{type(self).__name__} needs a two-variable objective, got "
                             f"dim = {objective.dim} (use OneDimExplorer for one variable)")
        self.optimizers = dict(_default_optimizers() if optimizers is None else optimizers)
        if not self.optimizers:
            raise ValueError("optimizers must name at least one optimizer factory")
        optimizer = next(iter(self.optimizers)) if optimizer is None else optimizer
        if optimizer not in self.optimizers:
            raise ValueError(f"optimizer {optimizer!r} is not one of {list(self.optimizers)}")
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
            raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
        self.steps = int(steps)
        self.resolution = resolution
        self._surfaces = dict(surfaces or {})
        self._surface_cache = {}
        self.objective = objective
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        start = _default_start(objective) if start is None else start
        start = _check_start(start, self.window)
        self.stability_bound = self._bound_at(start)
        factory = self.optimizers[optimizer]
        if lr is None:
            width = self.window[0][1] - self.window[0][0]
            lr = (0.5 * self.stability_bound
                  if np.isfinite(self.stability_bound) and not _is_adaptive(factory)
                  else 0.02 * width)
        lr = float(lr)
        low, high = (lr / 1e3, lr * 1e2) if lr_range is None else map(float, lr_range)

        # --- axes and artists, built once
        self.ax = self.figure.add_subplot(1, 2, 1)
        self.loss_ax = self.figure.add_subplot(1, 2, 2) if self._show_loss else None
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.2, top=0.9, wspace=0.3)
        self.contour = contour_map(self.ax, objective, resolution=resolution)
        self.trails = ghost_trails(self.ax, max_ghosts)
        self.trails.current.set_visible(False)  # the path itself is drawn by trajectory_lines
        # Empty arrays, not lists: GhostTrails.push reads ``.size`` of the current data.
        self.trails.current.set_data(np.empty(0), np.empty(0))
        self.paths = trajectory_lines(self.ax, np.array([start, start]), window=self.window)
        _few_ticks(self.ax)
        if self.loss_ax is not None:
            (self.loss_line,) = self.loss_ax.plot([], [], color="#0072B2", marker="o",
                                                  markersize=2.5, linewidth=1.2)
            (self.loss_marker,) = self.loss_ax.plot([], [], "o", color="#D55E00",
                                                    markersize=6)
            self.loss_ax.set_xlabel("step k")
            _few_ticks(self.loss_ax)
            self.loss_ax.set_xlim(0, self.steps)

        # --- controls
        hyper = dict(hyperparameters or {})
        # With one optimizer the picker still names the rule that runs, but cannot change.
        self.add_control("optimizer", ipywidgets.Dropdown(
            options=list(self.optimizers), value=optimizer, description="optimizer",
            disabled=len(self.optimizers) == 1))
        self.add_control("lr", log_slider("lr", lr, low, high))
        for name, (argument, lo, hi, step, fmt) in _HYPER_SLIDERS.items():
            default = self._slider_default(name, argument)
            value = float(hyper.pop(name, default))
            self.add_control(name, ipywidgets.FloatSlider(
                value=value, min=lo, max=hi, step=step, description=name, readout_format=fmt))
        if hyper:
            raise ValueError(f"hyperparameters: unknown slider(s) {sorted(hyper)}; "
                             f"allowed are {list(_HYPER_SLIDERS)}")
        self.add_control("x0", _position_slider("x0", start[0], *self.window[0]))
        self.add_control("y0", _position_slider("y0", start[1], *self.window[1]))
        self.add_control("step", ipywidgets.IntSlider(
            value=self.steps, min=0, max=self.steps, description="step"))
        self.play = ipywidgets.Play(value=self.steps, min=0, max=self.steps, interval=120,
                                    description="play")
        ipywidgets.link((self.play, "value"), (self.controls["step"], "value"))
        self.add_button("step_button", "step +1", self._advance)
        self.add_control("ghosts", ipywidgets.Checkbox(value=True, description="ghost trails"))
        self.add_button("reset", "reset", self._reset)
        if self._surfaces:
            names = list(self._surfaces)
            current = next((n for n, s in self._surfaces.items() if s is objective),
                           getattr(objective, "name", names[0]))
            if current not in self._surfaces:
                raise ValueError(f"objective {current!r} is not one of the surfaces {names}")
            self._surface_cache[current] = objective
            self.add_control("surface", ipywidgets.Dropdown(
                options=names, value=current, description="surface"))
        self.bound_label = ipywidgets.HTML()
        self._build_extra_artists()
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self._defaults = {name: c.value for name, c in self.controls.items()
                          if not isinstance(c, ipywidgets.Button)}
        self._show_hyper_sliders()
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})
        self.redraw()

    # -- pieces a subclass may extend
    def _build_extra_artists(self):
        """Hook for subclasses: more artists, drawn once."""

    def _slider_default(self, name, argument):
        for factory in self.optimizers.values():
            default = _signature_defaults(factory).get(argument, inspect.Parameter.empty)
            if default is inspect.Parameter.empty:
                continue
            if argument == "betas":
                return default[0] if name == "beta1" else default[1]
            return default
        return _HYPER_SLIDERS[name][1]

    def _control_rows(self):
        c = self.controls
        first = [c[n] for n in ("surface", "optimizer") if n in c] + [c["lr"], self.bound_label]
        return [
            ipywidgets.HBox(first),
            ipywidgets.HBox([c[n] for n in _HYPER_SLIDERS]),
            ipywidgets.HBox([c["x0"], c["y0"], c["ghosts"], c["reset"]]),
            ipywidgets.HBox([self.play, c["step"], c["step_button"]]),
        ]

    # -- reacting to changes
    def _bound_at(self, start):
        return float(self.objective.stability_bound(np.asarray(start, dtype=float)))

    def _show_hyper_sliders(self):
        wanted = _sliders_for(self.optimizers[self.controls["optimizer"].value])
        for name in _HYPER_SLIDERS:
            self.controls[name].layout.display = None if name in wanted else "none"

    def _make_optimizer(self):
        name = self.controls["optimizer"].value
        factory = self.optimizers[name]
        arguments = _signature_defaults(factory)
        kwargs = {"lr": self.controls["lr"].value}
        values = {n: self.controls[n].value for n in _HYPER_SLIDERS}
        if "momentum" in arguments:
            kwargs["momentum"] = values["momentum"]
        if "betas" in arguments:
            kwargs["betas"] = (values["beta1"], values["beta2"])
        for argument in ("alpha", "rho"):
            if argument in arguments:
                kwargs[argument] = values[argument]
        return factory(**kwargs)

    def _start(self):
        return np.array([self.controls["x0"].value, self.controls["y0"].value])

    def _apply(self, changes):
        if "surface" in changes:
            self._switch_surface(changes["surface"])
        if "optimizer" in changes:
            self._show_hyper_sliders()
        if "x0" in changes or "y0" in changes or "surface" in changes:
            self.stability_bound = self._bound_at(self._start())
        if "ghosts" in changes:
            for ghost in self.trails.ghosts:
                ghost.set_visible(bool(changes["ghosts"]))
        rerun = set(changes) - {"step", "ghosts"}
        if rerun:
            try:
                self._run()
            except ValueError as error:  # e.g. a hyperparameter combination the optimizer refuses
                self.show_message(str(error), "error")
                return
        self._reveal(self.controls["step"].value)
        if rerun:
            self._describe()

    def _run(self):
        optimizer = self._make_optimizer()
        self.trajectory = run(optimizer, self.objective.gradient, self._start()[None, :],
                              self.steps, value=self.objective.value,
                              record_state=self._record_state)
        # The previous path becomes the newest ghost.
        self.trails.push(self.trajectory.points[:, 0])
        self._update_title()
        if self.loss_ax is not None:
            self._update_loss(self.trajectory.values[:, 0])

    def _update_loss(self, values):
        """The loss curve of the new run (log of the gap to f* when f* is known)."""
        minimum = getattr(self.objective, "minimum_value", None)
        if minimum is not None and np.isfinite(minimum):
            gap = values - minimum
            self._loss = np.where(gap > 0, gap, np.nan)  # log axis: exact zeros are not drawn
            scale, label = "log", "f(x_k) − f*"
        else:
            self._loss = values
            scale, label = "linear", "f(x_k)"
        if self.loss_ax.get_yscale() != scale:
            self.loss_ax.set_yscale(scale)
            _few_ticks(self.loss_ax)
        self.loss_ax.set_ylabel(label)
        finite = self._loss[np.isfinite(self._loss)]
        if finite.size:
            low, high = finite.min(), finite.max()
            if self.loss_ax.get_yscale() == "log":
                self.loss_ax.set_ylim(low / 2, high * 2)
            else:
                pad = 0.05 * (high - low) or 1.0
                self.loss_ax.set_ylim(low - pad, high + pad)
        self.loss_line.set_data(np.arange(self.steps + 1), self._loss)
        self.loss_ax.set_title(getattr(self.objective, "name", ""), fontsize=10)

    def _update_title(self):
        name = self.controls["optimizer"].value
        lr = self.controls["lr"].value
        bound, formula = self._effective_bound()
        # The bound goes into the figure too, so the stored picture shows it without a kernel.
        limit = "" if bound is None else f"  ({formula} = {_fmt(bound)})"
        self.ax.set_title(f"{name}, lr = {_fmt(lr)}{limit}", fontsize=10)

    def _reveal(self, step):
        """Show the stored path up to ``step`` (no recomputation)."""
        step = int(min(max(step, 0), self.steps))
        self.paths.update(self.trajectory.points[: step + 1])
        if self.loss_ax is not None:
            loss = self._loss[step] if np.isfinite(self._loss[step]) else np.nan
            self.loss_marker.set_data([step], [loss])

    def _effective_bound(self):
        """(bound, formula) for the current optimizer; bound is None when none applies."""
        name = self.controls["optimizer"].value
        arguments = _signature_defaults(self.optimizers[name])
        if _is_adaptive(self.optimizers[name]):
            return None, ""
        if "momentum" in arguments and self.controls["momentum"].value > 0:
            beta = self.controls["momentum"].value
            return self.stability_bound * (1 + beta), "2(1+β)/λmax"
        return self.stability_bound, "2/λmax"

    def _describe(self):
        """Bound label, and the message in words: diverged, left the window, or fine."""
        lr = self.controls["lr"].value
        bound, formula = self._effective_bound()
        plain = self.stability_bound
        if bound is None:
            self.bound_label.value = (
                f"2/λmax at the start = {_fmt(plain)} (a plain-GD bound; "
                f"{self.controls['optimizer'].value} rescales its steps)")
        elif lr > bound:
            self.bound_label.value = (
                f'<b style="color:{_MESSAGE_COLOURS["warning"]}">lr = {_fmt(lr)} &gt; '
                f"{formula} = {_fmt(bound)} at the start: steps overshoot</b>")
        else:
            self.bound_label.value = f"stable for lr &lt; {formula} = {_fmt(bound)} at the start"
        trajectory = self.trajectory
        diverged_at = int(trajectory.diverged_at[0])
        if diverged_at >= 0:
            if bound is not None and lr > bound:
                why = (f"the step overshoots because lr = {_fmt(lr)} > {formula} = "
                       f"{_fmt(bound)}: each step lands farther from the minimum than the last")
            elif _runs_downhill(trajectory.values[:, 0], diverged_at):
                why = _DOWNHILL
            elif bound is not None:
                why = (f"the surface curves more steeply along the path than at the start "
                       f"({formula} there = {_fmt(bound)}); try a smaller lr")
            else:
                why = f"the steps grew without limit at lr = {_fmt(lr)}; try a smaller lr"
            self.show_message(f"diverged at step {diverged_at}: {why}", "error")
            return
        inside = np.all([(lo <= c) & (c <= hi) for c, (lo, hi) in
                         zip(trajectory.points[:, 0].T, self.window, strict=True)], axis=0)
        if not inside.all():
            left = int(np.argmin(inside))
            self.show_message(f"the path leaves the plotted window at step {left} "
                              "(it has not diverged; it may come back)", "warning")
        elif bound is not None and lr > bound:
            self.show_message(f"lr = {_fmt(lr)} > {formula} = {_fmt(bound)} at the start: "
                              "expect overshooting", "warning")
        else:
            final = trajectory.values[-1, 0]
            self.show_message(f"after {self.steps} steps f = {_fmt(final, 4)}")

    def _switch_surface(self, name):
        objective = self._surface_cache.get(name)
        if objective is None:
            source = self._surfaces[name]
            objective = source() if not hasattr(source, "value") else source
            self._surface_cache[name] = objective
        self.objective = objective
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        self.contour.remove()
        self.contour = contour_map(self.ax, objective, resolution=self.resolution)
        self.paths.window = self.window
        self._clear_trails()
        start = _default_start(objective)
        with self._quietly("x0", "y0"):
            for control, (lo, hi), value in zip((self.controls["x0"], self.controls["y0"]),
                                                self.window, start, strict=True):
                # Widen first so the new value and range never conflict mid-way.
                control.min, control.max = min(control.min, lo), max(control.max, hi)
                control.value = float(value)
                control.min, control.max = lo, hi
                control.step = (hi - lo) / 400

    # -- buttons and mouse
    def _advance(self):
        step = self.controls["step"]
        step.value = 0 if step.value >= self.steps else step.value + 1

    def _clear_trails(self):
        self.trails.clear()
        self.trails.current.set_data(np.empty(0), np.empty(0))

    def _reset(self):
        self._clear_trails()
        for name, value in self._defaults.items():
            self.controls[name].value = value

    def _on_click(self, event):
        """A click on the contour map moves the start point there."""
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata), y0=float(event.ydata))


# ---------------------------------------------------------------------------------------------
# OptimizerStateExplorer: the numbers behind each step
# ---------------------------------------------------------------------------------------------

# Short row names for the state fields of gradlab.optimizers (PyTorch's names in brackets).
_STATE_NAMES = {
    "momentum_buffer": "b (buffer)",
    "exp_avg": "m (exp_avg)",
    "exp_avg_sq": "v (exp_avg_sq)",
    "max_exp_avg_sq": "v max",
    "square_avg": "v (square_avg)",
    "grad_avg": "ḡ (grad_avg)",
    "sum": "G (sum of g²)",
    "acc_delta": "u (acc_delta)",
    "exp_inf": "u (exp_inf)",
    "mu_product": "Πμ",
}


def _state_table(rows, coordinate_names):
    """Rows ``{name: value or values per coordinate}`` as aligned monospaced text."""
    width = max(len(name) for name in rows)
    lines = [" " * width + "".join(f"{str(c):>11}" for c in coordinate_names)]
    for name, value in rows.items():
        cells = np.atleast_1d(np.asarray(value, dtype=float))
        lines.append(f"{name:<{width}}" + "".join(f"{_fmt(c):>11}" for c in cells))
    return "\n".join(lines)


class OptimizerStateExplorer(DescentExplorer):
    """:class:`DescentExplorer` with a table of the optimizer's state in place of the loss curve.

    For the update from step ``k`` to ``k + 1`` (``k`` from the ``step`` slider or Play) the
    table shows the gradient ``g``, the state after the update (``m`` and ``v`` for Adam with
    their bias-corrected ``m̂ = m / (1 − β1ᵗ)``, ``v̂ = v / (1 − β2ᵗ)``; the squared-gradient
    average of RMSprop; the sum of squared gradients of Adagrad; the momentum buffer of SGD),
    the step ``Δθ`` actually taken, and the effective learning rate per coordinate
    ``−Δθ / g``: how far each coordinate moved per unit of gradient.

    Parameters are those of :class:`DescentExplorer`; the default optimizer order puts Adam
    first.
    """

    _record_state = True
    _show_loss = False  # the table takes the loss panel's place: a third panel costs ~15 ms

    def __init__(self, objective, optimizers=None, *, figsize=(9.0, 4.0), **kwargs):
        if optimizers is None:
            from gradlab import optimizers as module

            optimizers = {name: getattr(module, name)
                          for name in ("Adam", "RMSprop", "Adagrad", "SGD")}
        super().__init__(objective, optimizers, figsize=figsize, **kwargs)

    def _build_extra_artists(self):
        self.state_ax = self.figure.add_subplot(1, 2, 2)
        self.state_ax.set_axis_off()
        # One monospaced text block, not a table of cells: a matplotlib table costs ~30 ms a draw.
        self.state_text = self.state_ax.text(0.0, 0.95, "", family="monospace", fontsize=10,
                                             va="top", ha="left",
                                             transform=self.state_ax.transAxes)
        self.figure.subplots_adjust(left=0.07, right=0.99, wspace=0.2)

    def state_at(self, step):
        """``{row name: value per coordinate}`` for the update from ``step`` to ``step + 1``."""
        k = int(min(max(step, 0), self.steps - 1))
        states = self.trajectory.states
        points = self.trajectory.points[:, 0]
        t = float(states["step"][k + 1, 0])
        rows = {"g = ∇f": self.objective.gradient(points[k])}
        for field, values in states.items():
            if field == "step" or values is None:
                continue
            rows[_STATE_NAMES.get(field, field)] = values[k + 1, 0]
        arguments = _signature_defaults(self.optimizers[self.controls["optimizer"].value])
        if "betas" in arguments and "exp_avg" in states and "exp_avg_sq" in states:
            beta1, beta2 = self.controls["beta1"].value, self.controls["beta2"].value
            rows["m̂"] = states["exp_avg"][k + 1, 0] / (1 - beta1**t)
            rows["v̂"] = states["exp_avg_sq"][k + 1, 0] / (1 - beta2**t)
        delta = points[k + 1] - points[k]
        rows["Δθ"] = delta
        rows["−Δθ / g"] = -delta / rows["g = ∇f"]
        return rows

    def _reveal(self, step):
        super()._reveal(step)
        k = int(min(max(step, 0), self.steps - 1))
        self.state_text.set_text(_state_table(self.state_at(step), self._variables()))
        self.state_ax.set_title(f"{self.controls['optimizer'].value}: step {k} → {k + 1} "
                                f"(t = {k + 1})", fontsize=10)

    def _variables(self):
        names = getattr(self.objective, "variables", None)
        return tuple(names) if names is not None and len(names) == 2 else ("x", "y")


# ---------------------------------------------------------------------------------------------
# OneDimExplorer: gradient descent on a curve
# ---------------------------------------------------------------------------------------------


class OneDimExplorer(LiveFigure):
    """Gradient descent on a one-variable function: the curve, the steps, the tangent.

    The iterates are drawn on the curve as points joined by arrows (one arrow per step); the
    tangent touches the curve at the iterate the ``step`` slider shows, so its slope is the
    derivative that sets the next step ``x_{k+1} = x_k − lr · f′(x_k)``.

    Controls: ``lr`` (log slider; the bound 2/f″(x₀) is shown beside it), ``x0`` (start; a
    click on the curve sets it too), ``step`` with ``play``.

    Parameters
    ----------
    objective : Objective
        One variable (``dim == 1``): ``value``, ``gradient``, ``window``, ``stability_bound``.
    start : float, optional
        Default: ``objective.start`` if present, else 15 % in from the left of the window.
    steps : int
    lr : float, optional
        Default: a fifth of 2/f″ at the start when finite, else 1 % of the window width.
    lr_range : (float, float), optional
        Default ``(lr / 1000, lr * 100)``.
    optimizer : callable, optional
        ``optimizer(lr=...)`` returning an optimizer; default plain :class:`gradlab.optimizers.SGD`.
    figsize, dpi, png_dpi
        See :class:`LiveFigure`.
    """

    def __init__(self, objective, *, start=None, steps=20, lr=None, lr_range=None,
                 optimizer=None, figsize=(7.0, 4.0), dpi=100, png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"OneDimExplorer: {getattr(objective, 'name', 'curve')}")
        if getattr(objective, "dim", 1) != 1:
            raise ValueError(f"OneDimExplorer needs a one-variable objective, got dim = "
                             f"{objective.dim} (use DescentExplorer for two variables)")
        if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
            raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
        if optimizer is None:
            from gradlab.optimizers import SGD as optimizer
        self.optimizer = optimizer
        self.objective = objective
        self.steps = int(steps)
        self.window = tuple(tuple(map(float, pair)) for pair in objective.window)
        start = _check_start(_default_start(objective) if start is None else start,
                             self.window)
        bound = float(objective.stability_bound(start))
        width = self.window[0][1] - self.window[0][0]
        if lr is None:
            # A fifth of the bound: visibly gradual (half of it would land on a parabola's
            # minimum in one step).
            lr = 0.2 * bound if np.isfinite(bound) else 0.01 * width
        lr = float(lr)
        low, high = (lr / 1e3, lr * 1e2) if lr_range is None else map(float, lr_range)

        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.1, right=0.97, bottom=0.2, top=0.9)
        self.tangent = tangent_line(self.ax, objective, None, float(start[0]))
        _few_ticks(self.ax)
        (self.path,) = self.ax.plot([], [], linestyle="none", marker="o", markersize=4,
                                    color="#0072B2", zorder=4)
        self.arrows = self.ax.quiver(np.zeros(self.steps), np.zeros(self.steps),
                                     np.zeros(self.steps), np.zeros(self.steps),
                                     angles="xy", scale_units="xy", scale=1.0, width=0.004,
                                     minlength=0, color="#0072B2", zorder=4)
        self.add_control("lr", log_slider("lr", lr, low, high))
        self.add_control("x0", _position_slider("x0", start[0], *self.window[0]))
        self.add_control("step", ipywidgets.IntSlider(value=self.steps, min=0, max=self.steps,
                                                      description="step"))
        self.play = ipywidgets.Play(value=self.steps, min=0, max=self.steps, interval=200)
        ipywidgets.link((self.play, "value"), (self.controls["step"], "value"))
        self.bound_label = ipywidgets.HTML()
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["lr"], self.bound_label]),
                ipywidgets.HBox([c["x0"], self.play, c["step"]])]

    def _apply(self, changes):
        if set(changes) - {"step"}:
            x0 = np.array([[self.controls["x0"].value]])
            self.bound = float(self.objective.stability_bound(x0[0]))
            self.trajectory = run(self.optimizer(lr=self.controls["lr"].value),
                                  self.objective.gradient, x0, self.steps,
                                  value=self.objective.value)
            self.ax.set_title(f"gradient descent, lr = {_fmt(self.controls['lr'].value)}",
                              fontsize=10)
        self._reveal(self.controls["step"].value)
        self._describe()

    def _reveal(self, step):
        xs = self.trajectory.points[: step + 1, 0, 0]
        ys = self.trajectory.values[: step + 1, 0]
        (lo, hi), = self.window
        with np.errstate(invalid="ignore"):
            shown = np.isfinite(xs) & (xs >= lo) & (xs <= hi)
        self.path.set_data(np.where(shown, xs, np.nan), np.where(shown, ys, np.nan))
        # Arrows from each shown iterate to the next; unused arrows have zero length.
        tails = np.zeros((self.steps, 2))
        vectors = np.zeros((self.steps, 2))
        both = shown[:-1] & shown[1:]
        count = both.size
        tails[:count][both] = np.column_stack([xs[:-1], ys[:-1]])[both]
        vectors[:count][both] = np.column_stack([np.diff(xs), np.diff(ys)])[both]
        self.arrows.set_offsets(tails)
        self.arrows.set_UVC(vectors[:, 0], vectors[:, 1])
        last = int(np.flatnonzero(shown)[-1]) if shown.any() else 0
        self.tangent.update(float(xs[last]) if shown.any() else self.controls["x0"].value)

    def _describe(self):
        lr, bound = self.controls["lr"].value, self.bound
        if lr > bound:
            self.bound_label.value = (
                f'<b style="color:{_MESSAGE_COLOURS["warning"]}">lr = {_fmt(lr)} &gt; '
                f"2/f″(x₀) = {_fmt(bound)}: steps overshoot</b>")
        else:
            self.bound_label.value = f"stable for lr &lt; 2/f″(x₀) = {_fmt(bound)}"
        diverged_at = int(self.trajectory.diverged_at[0])
        xs = self.trajectory.points[:, 0, 0]
        (lo, hi), = self.window
        with np.errstate(invalid="ignore"):
            outside = ~((xs >= lo) & (xs <= hi))
        if diverged_at >= 0:
            if lr > bound:
                why = f"the step overshoots because lr = {_fmt(lr)} > 2/f″ = {_fmt(bound)}"
            elif _runs_downhill(self.trajectory.values[:, 0], diverged_at):
                why = _DOWNHILL
            else:
                why = "the steps grew without limit; try a smaller lr"
            self.show_message(f"diverged at step {diverged_at}: {why}", "error")
        elif outside.any():
            self.show_message(f"x leaves the plotted window at step {int(np.argmax(outside))}",
                              "warning")
        else:
            x, value = xs[-1], self.trajectory.values[-1, 0]
            self.show_message(f"after {self.steps} steps x = {_fmt(x, 4)}, "
                              f"f(x) = {_fmt(value, 4)}")

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(x0=float(event.xdata))


# ---------------------------------------------------------------------------------------------
# BatchSizeExplorer: the noise of mini-batch gradients on a loss built from data
# ---------------------------------------------------------------------------------------------


def _batch_sizes(n_samples):
    """1, 2, 3, 5, 8, ... up to ``n_samples``: about four sizes per factor of ten."""
    sizes = np.unique(np.round(np.geomspace(1, n_samples, 4 * int(np.log10(n_samples) + 1)))
                      .astype(int))
    return [int(s) for s in sorted(set(sizes) | {1, n_samples})]


class BatchSizeExplorer(LiveFigure):
    """Mean-squared-error contours over ``(w, b)`` for a line fitted to data, with the cloud of
    mini-batch gradients at the current point and a mini-batch SGD path beside the full-batch one.

    Controls: ``batch`` (batch size, ``1 .. n`` on a log-like scale), ``lr`` (log slider),
    ``w0``/``b0`` (start; a click on the map sets it too), ``seed`` (draw other batches),
    ``step`` with ``play`` (the cloud is drawn at the point of that step).

    Parameters
    ----------
    X : array (n, 1)
        One feature per sample.
    y : array (n,)
    seed : int
        Seeds the batch order (``numpy.random.default_rng(seed)``) and, separately, the batches
        of the cloud; the same settings always give the same picture.
    batch_size : int, optional
        Initial batch size, ``1 <= batch_size <= n`` (default about ``n / 10``).
    lr : float, optional
        Default: a quarter of 2/λmax of the full loss (the same bound as gradient descent).
    lr_range : (float, float), optional
        Range of the learning-rate slider (default ``(lr / 1000, lr * 100)``).
    steps : int
    start : (w, b), optional
        Default: upper left of the window, as for :class:`DescentExplorer`.
    window : ((wlo, whi), (blo, bhi)), optional
        Default: the least-squares fit ``(w*, b*)`` ± ``(2 + |w*|, 2 + |b*|)``.
    optimizer : callable, optional
        ``optimizer(lr=...)`` giving the optimizer of both paths; default plain
        :class:`gradlab.optimizers.SGD`.
    n_cloud : int
        How many mini-batches the cloud shows.
    resolution : int
        Contour grid points per axis.
    figsize, dpi, png_dpi
        See :class:`LiveFigure`.
    """

    def __init__(self, X, y, *, seed, batch_size=None, lr=None, lr_range=None, steps=30,
                 start=None, window=None, optimizer=None, n_cloud=30, resolution=80,
                 figsize=(7.0, 4.6), dpi=100, png_dpi=72):
        from gradlab.models import LinearRegression

        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        if X.ndim != 2 or X.shape[1] != 1 or X.shape[0] < 2:
            raise ValueError(f"X must have shape (n, 1) with n >= 2 samples, got {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"BatchSizeExplorer: {X.shape[0]} samples")
        self.X, self.y, self.n = X, y, X.shape[0]
        self.model = LinearRegression(1)
        self.steps, self.n_cloud = int(steps), int(n_cloud)
        design = np.column_stack([X[:, 0], np.ones(self.n)])
        self.fit = np.linalg.lstsq(design, y, rcond=None)[0]
        # The loss is quadratic: its Hessian (2/N) AᵀA is the same everywhere.
        curvature = np.linalg.eigvalsh(2.0 / self.n * design.T @ design).max()
        self.stability_bound = float(2.0 / curvature)
        if window is None:
            window = [(c - 2 - abs(c), c + 2 + abs(c)) for c in self.fit]
        self.window = _check_window_pairs(window)
        start = _check_start(_default_start(self) if start is None else start, self.window)
        sizes = _batch_sizes(self.n)
        if batch_size is None:
            batch_size = min(sizes, key=lambda s: abs(s - self.n / 10))
        if batch_size not in range(1, self.n + 1):
            raise ValueError(f"batch_size must be an integer from 1 to the {self.n} samples, "
                             f"got {batch_size!r}")
        sizes = sorted(set(sizes) | {int(batch_size)})
        lr = 0.25 * self.stability_bound if lr is None else float(lr)
        lr_low, lr_high = (lr / 1e3, lr * 1e2) if lr_range is None else map(float, lr_range)
        if optimizer is None:
            from gradlab.optimizers import SGD as optimizer
        self.optimizer = optimizer

        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.11, right=0.97, bottom=0.2, top=0.9)
        ws = np.linspace(*self.window[0], resolution)
        bs = np.linspace(*self.window[1], resolution)
        grid = np.stack(np.meshgrid(ws, bs), axis=-1)
        self.contour = contour_map(self.ax, (ws, bs, self.model.loss(grid, X, y)),
                                   minima=self.fit[None])
        self.ax.set_xlabel("w (slope)")
        self.ax.set_ylabel("b (intercept)")
        _few_ticks(self.ax)
        self.paths = trajectory_lines(self.ax, np.array([[start, start], [start, start]]),
                                      window=self.window, labels=["full batch", "mini-batch"],
                                      colors=["0.35", "#D55E00"], max_notes=2)
        single = self.model.gradient(start, X[:1], y[:1])
        self.cloud = gradient_cloud(self.ax, single[None], single, start, ellipse=True)
        # Four legend entries, not six: each entry is text to draw on every move.
        handles, labels = self.ax.get_legend_handles_labels()
        keep = [i for i, label in enumerate(labels)
                if label in ("full batch", "mini-batch", "mini-batch gradients", "full gradient")]
        self.ax.legend([handles[i] for i in keep], [labels[i] for i in keep],
                       loc="upper right", fontsize=7, framealpha=0.8)
        self.ax.text(0.01, 0.01, "arrows: steps −lr·g of each batch, to a fixed scale",
                     transform=self.ax.transAxes, fontsize=7, color="white", va="bottom")
        self.add_control("batch", ipywidgets.SelectionSlider(
            options=sizes, value=int(batch_size), description="batch size"))
        self.add_control("lr", log_slider("lr", lr, lr_low, lr_high))
        self.add_control("w0", _position_slider("w0", start[0], *self.window[0]))
        self.add_control("b0", _position_slider("b0", start[1], *self.window[1]))
        self.add_control("seed", ipywidgets.BoundedIntText(value=int(seed), min=0,
                                                           max=2**31 - 1, description="seed"))
        self.add_control("step", ipywidgets.IntSlider(value=0, min=0, max=self.steps,
                                                      description="step"))
        self.play = ipywidgets.Play(value=0, min=0, max=self.steps, interval=200)
        ipywidgets.link((self.play, "value"), (self.controls["step"], "value"))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self._cloud_scale = None
        with np.errstate(all="ignore"):
            self._apply({"batch": batch_size})

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["batch"], c["lr"], c["seed"]]),
                ipywidgets.HBox([c["w0"], c["b0"], self.play, c["step"]])]

    def _start(self):
        return np.array([self.controls["w0"].value, self.controls["b0"].value])

    def _apply(self, changes):
        from gradlab.batches import MiniBatchSampler, stochastic_gradient

        if set(changes) - {"step"}:
            seed = int(self.controls["seed"].value)
            batch = int(self.controls["batch"].value)
            optimizer = self.optimizer(lr=self.controls["lr"].value)
            start = self._start()[None]
            sampler = MiniBatchSampler(self.n, batch, rng=np.random.default_rng(seed))
            noisy = run(optimizer, stochastic_gradient(self.model, self.X, self.y, sampler),
                        start, self.steps)
            full = run(optimizer, lambda p: self.model.gradient(p, self.X, self.y), start,
                       self.steps)
            self.runs = np.concatenate([full.points, noisy.points], axis=1)
            self.diverged_at = (int(full.diverged_at[0]), int(noisy.diverged_at[0]))
            self.ax.set_title(f"batch size {batch} of {self.n}, "
                              f"lr = {_fmt(self.controls['lr'].value)}", fontsize=10)
        step = int(self.controls["step"].value)
        self.paths.update(self.runs[: step + 1])
        self._draw_cloud(step)
        self._describe(step)

    def cloud_at(self, point):
        """Gradients of ``n_cloud`` mini-batches (rows) and the full gradient at ``point``."""
        batch = int(self.controls["batch"].value)
        rng = np.random.default_rng([int(self.controls["seed"].value), 1])
        batches = np.array([rng.choice(self.n, batch, replace=False)
                            for _ in range(self.n_cloud)])
        grads = np.array([self.model.gradient(point, self.X[b], self.y[b]) for b in batches])
        return grads, self.model.gradient(point, self.X, self.y)

    def _draw_cloud(self, step):
        point = self.runs[step, 1]
        if not np.all(np.isfinite(point)):
            point = self.runs[0, 1]
        grads, full = self.cloud_at(point)
        if self._cloud_scale is None:
            # Fixed once, from single-sample gradients at the start: a larger batch then
            # visibly tightens the cloud instead of being rescaled to the same size.
            batch_of_one = np.array([self.model.gradient(point, self.X[i:i + 1],
                                                         self.y[i:i + 1])
                                     for i in range(self.n)])
            reach = np.percentile(np.linalg.norm(batch_of_one, axis=1), 90)
            width = self.window[0][1] - self.window[0][0]
            self._cloud_scale = -0.45 * width / max(reach, 1e-12)
        self.cloud.scale = self._cloud_scale
        self.cloud.update(grads, full, point)
        self.cloud_gradients = grads

    def _describe(self, step):
        lr, bound = self.controls["lr"].value, self.stability_bound
        full_at, noisy_at = self.diverged_at
        if noisy_at >= 0 or full_at >= 0:
            which = "the mini-batch path" if noisy_at >= 0 else "the full-batch path"
            at = noisy_at if noisy_at >= 0 else full_at
            why = (f"lr = {_fmt(lr)} > 2/λmax = {_fmt(bound)} of the full loss, so steps "
                   "overshoot" if lr > bound else
                   "a small batch can curve more steeply than the full loss; try a smaller lr")
            self.show_message(f"{which} diverged at step {at}: {why}", "error")
            return
        spread = np.linalg.norm(self.cloud_gradients - self.cloud_gradients.mean(axis=0),
                                axis=1).mean()
        batch = int(self.controls["batch"].value)
        note = ("every batch is the whole data set, so there is no noise" if batch == self.n
                else f"mini-batch gradients scatter around the full one (mean distance "
                     f"{_fmt(spread)})")
        self.show_message(f"batch size {batch}: {note}")

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(w0=float(event.xdata), b0=float(event.ydata))


def _check_window_pairs(window):
    pairs = np.asarray(window, dtype=float)
    if (pairs.shape != (2, 2) or not np.all(np.isfinite(pairs))
            or np.any(pairs[:, 0] >= pairs[:, 1])):
        raise ValueError(f"window must be two pairs (low, high) with low < high, got {window!r}")
    return tuple((float(lo), float(hi)) for lo, hi in pairs)


# ---------------------------------------------------------------------------------------------
# ExpressionBox: type a function, see its derivatives, check them numerically
# ---------------------------------------------------------------------------------------------


def _parse_point(text, dim):
    """``"1, -2"`` → array (dim,), or ``ValueError`` saying what to type."""
    pieces = [p for p in str(text).replace(";", ",").replace("(", "").replace(")", "")
              .split(",") if p.strip()]
    try:
        values = np.array([float(p.replace("−", "-")) for p in pieces])
    except ValueError:
        raise ValueError(f"point {text!r}: type {dim} number(s) separated by commas, "
                         f"e.g. {', '.join(['1.0'] * dim)}") from None
    if values.shape != (dim,) or not np.all(np.isfinite(values)):
        raise ValueError(f"point {text!r}: the function has {dim} variable(s), so type {dim} "
                         f"finite number(s) separated by commas")
    return values


def central_differences(value, point, step):
    """Central-difference estimate of the gradient of ``value`` at ``point``.

    ``∂f/∂x_i ≈ (f(p + h e_i) − f(p − h e_i)) / (2h)``, error ``O(h²)``.

    Parameters
    ----------
    value : callable
        ``value(points (..., dim)) -> (...)``.
    point : array (dim,)
    step : float
        ``h > 0``.

    Returns
    -------
    ndarray (dim,)

    Examples
    --------
    >>> central_differences(lambda p: p[..., 0] ** 3, np.array([2.0]), 1e-3).round(6)
    array([12.000001])
    """
    point = np.asarray(point, dtype=float)
    shifts = step * np.eye(point.size)
    return (value(point + shifts) - value(point - shifts)) / (2 * step)


class ExpressionBox(LiveFigure):
    """Type a function; see its partial derivatives, gradient and Hessian, and check the
    symbolic gradient against central finite differences at a point.

    Controls: ``text`` (the formula; Enter submits), ``point`` (comma-separated coordinates;
    a click on the picture sets it for one or two variables), ``h`` (finite-difference step).
    A formula the parser refuses shows its :class:`gradlab.errors.ExpressionError` message
    and the previous function stays.

    Parameters
    ----------
    text : str
        The initial formula, e.g. ``"x^2 + 3*x*y"``.
    point : sequence of float, optional
        Where to compare (default: the middle of the window).
    window : (low, high), optional
        The plotted range of every variable (``Objective.from_text``'s default when omitted).
    resolution : int
        Grid points per axis of the picture.
    figsize, dpi, png_dpi
        See :class:`LiveFigure`.

    Attributes
    ----------
    objective : Objective
    latex : ipywidgets.HTMLMath
        The derivatives, typeset.
    comparison : ipywidgets.HTML
        Symbolic gradient, central differences and their difference, per variable.
    symbolic, numeric : ndarray
        The two gradients at the current point.
    """

    def __init__(self, text, *, point=None, window=None, resolution=80, figsize=(4.5, 3.6),
                 dpi=100, png_dpi=72):
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi, title=f"ExpressionBox: {text}")
        self._window_argument = window
        self.resolution = resolution
        self.objective = self._objective_from(text)  # bad initial text raises, like any argument
        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.16, right=0.96, bottom=0.24, top=0.9)
        self.latex = ipywidgets.HTMLMath()
        self.comparison = ipywidgets.HTML()
        self.add_control("text", ipywidgets.Text(value=text, description="f =",
                                                 continuous_update=False))
        start = (np.mean(self.objective.window, axis=1) if point is None
                 else np.asarray(point, dtype=float))
        self.add_control("point", ipywidgets.Text(
            value=", ".join(f"{v:g}" for v in start), description="at point",
            continuous_update=False))
        self.add_control("h", log_slider("h", 1e-5, 1e-9, 1e-1))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self._draw_function()
        with np.errstate(all="ignore"):
            self._apply({"point": self.controls["point"].value})

    def _objective_from(self, text):
        from gradlab.functions import Objective

        kwargs = {} if self._window_argument is None else {"window": self._window_argument}
        return Objective.from_text(text, **kwargs)

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["text"]]), ipywidgets.HBox([c["point"], c["h"]]),
                self.latex, self.comparison]

    def _draw_function(self):
        """Picture of the function (a new function means a new picture: redraw the axes)."""
        from gradlab.symbolic import derivatives_latex

        objective = self.objective
        self.latex.value = "$$" + derivatives_latex(objective.expr, objective.variables) + "$$"
        self.ax.clear()
        self.marker = None
        if objective.dim == 2:
            contour_map(self.ax, objective, resolution=self.resolution, mark_minima=False)
        elif objective.dim == 1:
            (lo, hi), = objective.window
            xs = np.linspace(lo, hi, 4 * self.resolution)
            self.ax.plot(xs, objective.value(xs[:, None]), color="#0072B2")
            self.ax.set_xlabel(str(objective.variables[0]))
        else:
            self.ax.text(0.5, 0.5, f"no picture for {objective.dim} variables",
                         ha="center", va="center", transform=self.ax.transAxes)
            self.ax.set_axis_off()
            return
        _few_ticks(self.ax)
        (self.marker,) = self.ax.plot([], [], "o", color="#D55E00", markersize=8,
                                      markeredgecolor="white", zorder=6)
        self.ax.set_title(f"f = {self.controls['text'].value}", fontsize=9)

    def _apply(self, changes):
        if "text" in changes:
            try:
                objective = self._objective_from(changes["text"])
            except ValueError as error:  # ExpressionError is a ValueError
                self.show_message(str(error), "error")
                self.comparison.value = ""
                return
            self.objective = objective
            self.title = f"ExpressionBox: {changes['text']}"
            self._draw_function()
            if _point_or_none(self.controls["point"].value, objective.dim) is None:
                centre = np.mean(objective.window, axis=1)
                with self._quietly("point"):
                    self.controls["point"].value = ", ".join(f"{v:g}" for v in centre)
        try:
            point = _parse_point(self.controls["point"].value, self.objective.dim)
        except ValueError as error:
            self.show_message(str(error), "error")
            self.comparison.value = ""
            return
        self._compare(point)

    def _compare(self, point):
        h = self.controls["h"].value
        self.symbolic = np.asarray(self.objective.gradient(point), dtype=float)
        self.numeric = central_differences(self.objective.value, point, h)
        if self.marker is not None:
            self.marker.set_data([point[0]], [point[1] if self.objective.dim == 2
                                              else float(self.objective.value(point))])
        if not (np.all(np.isfinite(self.symbolic)) and np.all(np.isfinite(self.numeric))):
            self.comparison.value = ""
            self.show_message(f"f or its gradient is not defined at "
                              f"({', '.join(f'{v:g}' for v in point)}) or next to it "
                              f"(within h = {h:.1e}); pick another point", "error")
            return
        rows = "".join(
            f"<tr><td>∂f/∂{v}</td><td>{s:.10g}</td><td>{n:.10g}</td><td>{abs(s - n):.2e}</td></tr>"
            for v, s, n in zip(self.objective.variables, self.symbolic, self.numeric, strict=True))
        self.comparison.value = (
            "<table><tr><th></th><th>symbolic</th><th>central difference</th>"
            f"<th>|difference|</th></tr>{rows}</table>")
        worst = float(np.max(np.abs(self.symbolic - self.numeric)))
        self.show_message(f"largest |symbolic − central difference| = {worst:.1e} with "
                          f"h = {h:.0e}")

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None or self.objective.dim > 2:
            return
        coordinates = [event.xdata] if self.objective.dim == 1 else [event.xdata, event.ydata]
        self.set(point=", ".join(f"{v:.4g}" for v in coordinates))


def _point_or_none(text, dim):
    try:
        return _parse_point(text, dim)
    except ValueError:
        return None
