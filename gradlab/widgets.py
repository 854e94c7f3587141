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
:class:`LiveFigure`           the base class: figure, controls, layout, message, static picture
:class:`PredictRevealCheck`   answer a question, get feedback, then read the explanation
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import math
from collections.abc import Mapping

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "LiveFigure",
    "PredictRevealCheck",
    "log_slider",
]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

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
        self._message_artist = self.figure.text(
            0.5, 0.005, "", ha="center", va="bottom", fontsize=9, wrap=True,
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
                else:
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
        self.redraw()

    def _apply(self, changes: Mapping[str, object]) -> None:
        """Recompute what ``changes`` touches and update the artists (subclasses override)."""

    # -- messages -----------------------------------------------------------------------------
    def show_message(self, text, kind="info"):
        """Show ``text`` in the figure and beside the controls; ``''`` clears it.

        ``kind`` is ``'info'``, ``'warning'`` or ``'error'`` (the colour).
        """
        if kind not in _MESSAGE_COLOURS:
            raise ValueError(f"kind must be one of {sorted(_MESSAGE_COLOURS)}, got {kind!r}")
        self.message = text
        colour = _MESSAGE_COLOURS[kind]
        self._message_artist.set_text(text)
        self._message_artist.set_color(colour)
        self.status.value = (
            f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""
        )

    # -- drawing and display --------------------------------------------------------------------
    def redraw(self):
        """Ask the canvas to redraw (coalesced by matplotlib) and refresh the fallback picture."""
        self.figure.canvas.draw_idle()
        if self._image is not None:
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
