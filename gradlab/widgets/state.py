"""The numbers behind each step: :class:`OptimizerStateExplorer` is a :class:`DescentExplorer`
with a table of the optimizer's state (m, v, m̂, v̂, ...) in place of the loss curve.
"""

from __future__ import annotations

import html
import unicodedata
from typing import NamedTuple

import ipywidgets
import numpy as np
from matplotlib.colors import same_color
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.transforms import offset_copy

from gradlab import optimizers as gradlab_optimizers
from gradlab.colors import MESSAGE_COLORS
from gradlab.formatting import format_number
from gradlab.widgets.descent import DescentExplorer, signature_defaults

__all__ = ["OptimizerStateExplorer"]


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

#: NAdam's bias-corrected momentum, the blend its step divides by √v̂ + ε (PyTorch's m̂_t).
NADAM_MOMENTUM = "m̂ (Nesterov)"
#: The gradient row: ∇f, or with an L2 penalty in the gradient (weight decay that is not
#: decoupled) the gradient the step used, ∇f + λθ.
GRADIENT = "g = ∇f"
GRADIENT_WITH_DECAY = "g = ∇f + λθ"
#: Adam's v̂ with amsgrad: the running maximum v max, bias-corrected (what the step divides by).
AMSGRAD_SECOND_MOMENT = "v̂ (from v max)"


def display_width(text):
    """Columns ``text`` takes in a monospaced font: a combining mark (the hat of m̂) takes none."""
    return sum(not unicodedata.combining(character) for character in text)


_TABLE_FONTSIZE = 10
#: Rows of the state table: more than any optimizer here shows (Adam with amsgrad: g, m, v,
#: v max, m̂, v̂, Δθ, −Δθ / g).
_TABLE_ROWS = 10
#: Distance between the baselines of two rows, in points.
_ROW_POINTS = 12.5
#: Width of the live figure, in inches: the contour map alone (the table is HTML beside it).
LIVE_FIGURE_INCHES = 4.7
#: Width of the HTML table beside the live figure, in CSS pixels: with a 4.7-in figure at
#: 100 dpi, 890 px in all, inside the 930 px that every live view keeps to.
LIVE_TABLE_PX = 420
#: Height of the HTML table, in CSS pixels: the title and 11 lines of 19 px (the coordinate
#: names and ``_TABLE_ROWS`` rows) below a 14-px margin, whatever the rows shown.
LIVE_TABLE_HEIGHT_PX = 260


class _Panel(NamedTuple):
    """What the state panel shows: a title, and a note or a table of formatted numbers."""

    title: str
    note: str = ""
    header: tuple = ()  # the coordinate names
    names: tuple = ()  # the row names
    cells: tuple = ()  # per row, the formatted numbers (one per coordinate, or one for all)


def _columns(cells):
    """Cells right-aligned in columns 11 characters wide (the text is right-aligned, so the
    first column needs no leading spaces)."""
    return "".join(f"{cell:>11}" for cell in cells).lstrip()


def _monospace_advance(fontsize):
    """Width of one monospace character at ``fontsize``, in points."""
    prop = FontProperties(family="monospace", size=fontsize)
    width, _height, _descent = TextToPath().get_text_width_height_descent("0" * 40, prop, False)
    return width / 40


# Inline styles: the notebook's own table styles (stripes, borders, centring) must not apply.
_HTML_BOX = ("font-family: var(--jp-code-font-family, monospace); font-size: 13px; "
             "line-height: 19px; white-space: normal; padding-top: 14px")
_HTML_TITLE = ("font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px; "
               "margin: 0 0 6px 0")
_HTML_TABLE = "border-collapse: collapse; border: none; margin: 0; table-layout: auto"
_HTML_NAME = ("text-align: left; padding: 0 1ch 0 0; border: none; white-space: pre; "
              "font-weight: normal; background: none")
_HTML_NUMBER = ("text-align: right; padding: 0; width: 11ch; border: none; white-space: pre; "
                "font-weight: normal; background: none")


def panel_html(panel):
    """The state panel as HTML: the title, then the note or a ``<table>`` of the numbers.

    The same rows, names and numbers as :meth:`OptimizerStateExplorer.table_text`, every number
    right-aligned in a column as wide as the text table's (11 characters). A row of one number
    (a scalar such as Πμ) has it in the last column, as in the text.
    """
    title = f'<div style="{_HTML_TITLE}">{html.escape(panel.title)}</div>'
    if panel.note:
        body = f'<pre style="margin: 0; font: inherit">{html.escape(panel.note)}</pre>'
    else:
        columns = len(panel.header)

        def row(tag, name, cells):
            cells = ("",) * (columns - len(cells)) + tuple(cells)
            return (f'<tr style="background: none"><{tag} style="{_HTML_NAME}">'
                    f"{html.escape(name)}</{tag}>"
                    + "".join(f'<{tag} style="{_HTML_NUMBER}">{html.escape(c)}</{tag}>'
                              for c in cells) + "</tr>")

        lines = [row("th", "", panel.header)]
        lines += [row("td", name, cells) for name, cells in zip(panel.names, panel.cells,
                                                               strict=True)]
        body = f'<table style="{_HTML_TABLE}">{"".join(lines)}</table>'
    return f'<div class="gradlab-state-table" style="{_HTML_BOX}">{title}{body}</div>'


def _coupled_weight_decay(optimizer):
    """λ of a gradlab optimizer that adds ``λθ`` to the gradient before its step (weight decay
    not decoupled), else 0: AdamW and NAdam with ``decoupled_weight_decay`` shrink θ instead,
    and an optimizer from elsewhere is not known to do either."""
    if not isinstance(optimizer, gradlab_optimizers.Optimizer):
        return 0.0
    hyperparameters = optimizer.hyperparameters()
    decay = float(hyperparameters.get("weight_decay", 0.0))
    if (not decay or isinstance(optimizer, gradlab_optimizers.AdamW)
            or hyperparameters.get("decoupled_weight_decay", False)):
        return 0.0
    return decay


class OptimizerStateExplorer(DescentExplorer):
    """:class:`DescentExplorer` with a table of the optimizer's state in place of the loss curve.

    For the update from step ``k`` to ``k + 1`` (``k`` from the ``step`` slider or Play) the
    table shows the gradient ``g`` the step used (``∇f + λθ`` with weight decay that is not
    decoupled), the state after the update (``m`` and ``v`` for Adam with their bias-corrected
    ``m̂ = m / (1 − β1ᵗ)``, ``v̂ = v / (1 − β2ᵗ)``, with amsgrad ``v̂`` from the running maximum
    ``v max``; Adamax's ``m̂`` beside its ``u``; for NAdam its own ``m̂ (Nesterov)``, see
    :meth:`state_at`; the squared-gradient average of RMSprop; the sum of squared gradients of
    Adagrad; the momentum buffer of SGD), the step ``Δθ`` actually taken, and the effective
    learning rate per coordinate ``−Δθ / g``: how far each coordinate moved per unit of
    gradient.

    In the live view (:attr:`layout`) the table is an HTML table beside a figure of the map
    alone: drawing its ~240 glyphs was most of what a move of the step slider cost. The
    stored picture (:meth:`static_png`) is the figure with the table drawn beside the map.

    Besides the controls of :class:`DescentExplorer` (with the ``beta1`` and ``beta2`` sliders
    shown for optimizers that take ``betas``), a ``bias_correction`` checkbox is shown for
    optimizers that take a ``bias_correction`` argument (:class:`gradlab.optimizers.Adam`).
    Unticked, the run drops the factors 1/(1 − β1ᵗ) and 1/√(1 − β2ᵗ): the path, the table
    (whose m̂ and v̂ rows are then m and v themselves) and the message follow it.

    Parameters are those of :class:`DescentExplorer`; the default optimizer order puts Adam
    first.
    """

    _record_state = True
    _show_loss = False  # the table takes the loss panel's place: a third panel costs ~15 ms

    def __init__(self, objective, optimizers=None, *, figsize=(9.0, 4.0), **kwargs):
        if optimizers is None:
            optimizers = {name: getattr(gradlab_optimizers, name)
                          for name in ("Adam", "RMSprop", "Adagrad", "SGD")}
        super().__init__(objective, optimizers, figsize=figsize, **kwargs)

    def _build_extra_controls(self):
        self.add_control("bias_correction", ipywidgets.Checkbox(
            value=True, description="bias correction", indent=False))

    def _takes_bias_correction(self):
        factory = self.optimizers[self.controls["optimizer"].value]
        return "bias_correction" in signature_defaults(factory)

    def _bias_corrected(self):
        """False only when the optimizer takes the switch and it is unticked."""
        return not self._takes_bias_correction() or bool(self.controls["bias_correction"].value)

    def _show_hyper_sliders(self):
        super()._show_hyper_sliders()
        shown = self._takes_bias_correction()
        self.controls["bias_correction"].layout.display = None if shown else "none"

    def _optimizer_arguments(self, arguments):
        kwargs = super()._optimizer_arguments(arguments)
        if "bias_correction" in arguments:
            kwargs["bias_correction"] = bool(self.controls["bias_correction"].value)
        return kwargs

    def _control_rows(self):
        rows = super()._control_rows()
        # The switch sits with the beta sliders it belongs to.
        rows[1] = ipywidgets.HBox([*rows[1].children, self.controls["bias_correction"]])
        return rows

    def _build_extra_artists(self):
        self.state_ax = self.figure.add_subplot(1, 2, 2)
        self.state_ax.set_axis_off()
        # Not one block of text: a glyph costs ~0.04 ms to draw, spaces too, and only the
        # numbers change with the step. The coordinate names and the row names are static
        # (drawn once); the numbers of each row are one animated text, right-aligned at the
        # last column. Every text sits on its row's baseline: in a block of lines matplotlib
        # spaces the lines by their glyphs (a hat, a descender), and the rows would drift.
        # (A matplotlib table costs ~30 ms a draw.) The live view draws none of them: it shows
        # the table as HTML (see layout).
        style = {"family": "monospace", "fontsize": _TABLE_FONTSIZE, "va": "baseline"}
        self._char_points = _monospace_advance(_TABLE_FONTSIZE)
        self._name_chars = None
        self.state_header = self.state_ax.text(0.0, 0.95, "", ha="right", **style)
        self.state_names = [self.state_ax.text(0.0, 0.95, "", ha="left", **style,
                                               transform=self._table_transform(0, row + 1))
                            for row in range(_TABLE_ROWS)]
        self.state_numbers = [self.state_ax.text(0.0, 0.95, "", ha="right", **style)
                              for _ in range(_TABLE_ROWS)]
        # In place of the table when the run diverged before the update shown.
        self.state_note = self.state_ax.text(0.0, 0.95, "", ha="left", va="top",
                                             family="monospace", fontsize=_TABLE_FONTSIZE,
                                             transform=self.state_ax.transAxes)
        self.state_ax.set_title("", fontsize=10)
        # These change with every step: drawn over the cached picture of the rest.
        self.animate(self.state_note, self.state_ax.title, *self.state_numbers)
        self.figure.subplots_adjust(left=0.07, right=0.99, wspace=0.2)
        # The live view's table: a fixed size, so that nothing moves when the rows change.
        self.state_html = ipywidgets.HTML(layout=ipywidgets.Layout(
            width=f"{LIVE_TABLE_PX}px", height=f"{LIVE_TABLE_HEIGHT_PX}px", overflow="auto",
            margin="0 0 0 8px", flex="0 0 auto"))
        self._panel = _Panel("")
        self._live = False  # whether the figure is in its live-view shape (map alone)
        self._static_shape = None  # (figure width in inches, map position) of the picture

    def _table_transform(self, chars, row):
        """From (0, 0.95) in axes coordinates to the baseline of ``row`` (0: the coordinate
        names), ``chars`` monospace characters to the right."""
        return offset_copy(self.state_ax.transAxes, fig=self.figure,
                           x=chars * self._char_points,
                           y=-(_TABLE_FONTSIZE + row * _ROW_POINTS), units="points")

    # -- the panel: one description, shown as HTML (live view) or as artists (picture) ---------
    def _table_panel(self, title, rows):
        """The panel of ``{row name: values}``, every number formatted as the text shows it."""
        names = tuple(rows)
        if len(names) > _TABLE_ROWS:
            raise ValueError(f"the state table has room for {_TABLE_ROWS} rows, got {names}")
        cells = tuple(tuple(format_number(v)
                            for v in np.atleast_1d(np.asarray(rows[name], dtype=float)))
                      for name in names)
        return _Panel(title, "", tuple(str(v) for v in self._variables()), names, cells)

    def _show_panel(self, panel):
        self._panel = panel
        self.state_html.value = panel_html(panel)  # sent only when it changed
        if not self._live:
            self._draw_panel()

    def _draw_panel(self):
        """Put the panel into the figure's texts. The static texts (names, header, where the
        columns end) change only with the row names, i.e. with another optimizer or the
        bias-correction switch: then the frame is a full redraw."""
        panel = self._panel
        self.state_ax.title.set_text(panel.title)
        if panel.note or not panel.names:
            self._show_table_artists(False)
            for text in self.state_numbers:
                text.set_text("")
            self.state_note.set_text(panel.note)
            return
        width = max(display_width(name) for name in panel.names)
        right = width + 11 * len(panel.header)
        if width != self._name_chars:
            self._name_chars = width
            self.state_header.set_transform(self._table_transform(right, 0))
            for row, text in enumerate(self.state_numbers):
                text.set_transform(self._table_transform(right, row + 1))
        self.state_header.set_text(_columns(panel.header))
        for row, (label, text) in enumerate(zip(self.state_names, self.state_numbers,
                                                strict=True)):
            if row < len(panel.names):
                label.set_text(panel.names[row])
                text.set_text(_columns(panel.cells[row]))
            else:
                label.set_text("")
                text.set_text("")
        self._show_table_artists(True)
        self.state_note.set_text("")

    def _show_table_artists(self, visible):
        for artist in (self.state_header, *self.state_names):
            if artist.get_visible() != visible:  # set_visible marks the figure for a redraw
                artist.set_visible(visible)

    def table_text(self):
        """The state panel as text: the note, or the table in columns (as the picture draws
        it, and as the live view's HTML table shows it)."""
        panel = self._panel
        if panel.note or not panel.names:
            return panel.note
        width = max(display_width(name) for name in panel.names) + 11 * len(panel.header)
        lines = [("", _columns(panel.header)),
                 *((name, _columns(cells)) for name, cells in zip(panel.names, panel.cells,
                                                                  strict=True))]
        return "\n".join(name + " " * (width - display_width(name) - len(cells)) + cells
                         for name, cells in lines if cells)

    # -- live view and stored picture -----------------------------------------------------------
    def _use_live_shape(self, live):
        """The figure as the live view shows it (the map alone, the table being HTML beside
        it) or as the stored picture shows it (map and table)."""
        if live == self._live:
            return
        figure = self.figure
        if self._static_shape is None:
            self._static_shape = (figure.get_figwidth(),
                                  tuple(self.ax.get_position(original=True).bounds))
        width, (x0, y0, w, h) = self._static_shape
        if live:  # the map keeps its size and place in inches
            scale = width / LIVE_FIGURE_INCHES
            figure.set_size_inches(LIVE_FIGURE_INCHES, figure.get_figheight())
            self.ax.set_position((x0 * scale, y0, w * scale, h))
        else:
            figure.set_size_inches(width, figure.get_figheight())
            self.ax.set_position((x0, y0, w, h))
        self.state_ax.set_visible(not live)
        # Animated artists are drawn by the frame whatever their axes: hidden one by one.
        for artist in (self.state_ax.title, self.state_note, *self.state_numbers):
            artist.set_visible(not live)
        self._live = live

    @property
    def layout(self):
        """Controls, the message line, and the map with the HTML table of the state beside it."""
        if self._layout is None:
            self._use_live_shape(True)
            box = super().layout
            *rows, view = box.children
            box.children = (*rows, ipywidgets.HBox(
                [view, self.state_html],
                layout=ipywidgets.Layout(flex_flow="row wrap", align_items="flex-start")))
        return self._layout

    def static_png(self, dpi=None):
        """The figure with the table drawn beside the map, as base64-encoded PNG (the live
        view, if shown, goes back to the map alone)."""
        if not self._live:
            return super().static_png(dpi)
        self._use_live_shape(False)
        try:
            self._draw_panel()
            self._wrap_message()
            return super().static_png(dpi)
        finally:
            self._use_live_shape(True)

    def _wrap_message(self):
        """Break the message in the figure for the figure's present width (the live view's
        narrower figure broke it shorter)."""
        colour = self._message_artist.get_color()
        kind = next((k for k, c in MESSAGE_COLORS.items() if same_color(c, colour)), "info")
        raw, notes = self._raw_message, list(self._notes)
        self._notes.clear()
        try:
            self.show_message(self.message, kind)
        finally:
            self._raw_message = raw
            self._notes[:] = notes

    def close(self):
        super().close()
        self.state_html.close()

    # -- the numbers ------------------------------------------------------------------------------
    def state_at(self, step):
        """``{row name: value per coordinate}`` for the update from ``step`` to ``step + 1``.

        Every row is a quantity the step used, so that each follows from the rows above it:

        * ``g = ∇f``, the gradient at the point; with weight decay λ that is not decoupled (an
          L2 penalty: every optimizer here with ``weight_decay > 0`` but AdamW and NAdam with
          ``decoupled_weight_decay``) the step uses ``∇f + λθ``, row ``g = ∇f + λθ``;
        * the optimizer's state after the update;
        * Adam's ``m̂ = m / (1 − β1ᵗ)`` and ``v̂ = v / (1 − β2ᵗ)``; with ``amsgrad`` the step
          divides by the running maximum instead, row ``v̂ (from v max)`` = ``v max / (1 − β2ᵗ)``
          (without bias correction ``v̂ = v max (off)``);
        * Adamax's ``m̂ = m / (1 − β1ᵗ)``, so that ``Δθ = −η m̂ / u``;
        * for NAdam not Adam's ``m / (1 − β1ᵗ)`` but the blend its step uses (PyTorch's ``m̂_t``,
          Dozat's ``m̄_t``), row ``m̂ (Nesterov)``::

              m̂ = μ_t+1 m / (1 − Π_t μ_t+1) + (1 − μ_t) g / (1 − Π_t)

          with ``μ_t = β1 (1 − ½ · 0.96^(t ψ))`` and ``Π_t`` the product of ``μ_1 … μ_t`` (row
          ``Πμ``), so that ``Δθ = −η m̂ / (√v̂ + ε)``;
        * the step ``Δθ`` and ``−Δθ / g`` (with the ``g`` of the first row).
        """
        k = int(min(max(step, 0), self.steps - 1))
        states = self.trajectory.states
        points = self.trajectory.points[:, 0]
        t = float(states["step"][k + 1, 0])
        optimizer = self._optimizer()
        gradient = self.objective.gradient(points[k])
        decay = _coupled_weight_decay(optimizer)
        if decay:
            gradient = gradient + decay * points[k]  # the g the step used
        rows = {GRADIENT_WITH_DECAY if decay else GRADIENT: gradient}
        for field, values in states.items():
            if field == "step" or values is None:
                continue
            rows[_STATE_NAMES.get(field, field)] = values[k + 1, 0]
        factory = self.optimizers[self.controls["optimizer"].value]
        arguments = signature_defaults(factory)
        amsgrad = states.get("max_exp_avg_sq") is not None
        if "betas" in arguments and "exp_avg" in states and "exp_avg_sq" in states:
            # Adam divides by the running maximum with amsgrad (PyTorch's max_exp_avg_sq).
            second = states["max_exp_avg_sq" if amsgrad else "exp_avg_sq"][k + 1, 0]
            if "mu_product" in states:  # NAdam
                momentum = self._nadam_momentum(optimizer, k, t, gradient)
                if momentum is not None:
                    rows[NADAM_MOMENTUM] = momentum
                beta2 = self.controls["beta2"].value
                rows["v̂"] = states["exp_avg_sq"][k + 1, 0] / (1 - beta2**t)
            elif self._bias_corrected():
                beta1, beta2 = self.controls["beta1"].value, self.controls["beta2"].value
                rows["m̂"] = states["exp_avg"][k + 1, 0] / (1 - beta1**t)
                rows[AMSGRAD_SECOND_MOMENT if amsgrad else "v̂"] = second / (1 - beta2**t)
            else:  # the step uses m and v (or v max) as they are
                rows["m̂ = m (off)"] = states["exp_avg"][k + 1, 0]
                rows["v̂ = v max (off)" if amsgrad else "v̂ = v (off)"] = second
        elif "betas" in arguments and "exp_avg" in states and "exp_inf" in states:  # Adamax
            beta1 = self.controls["beta1"].value
            rows["m̂"] = states["exp_avg"][k + 1, 0] / (1 - beta1**t)
        delta = points[k + 1] - points[k]
        rows["Δθ"] = delta
        rows["−Δθ / g"] = -delta / gradient
        return rows

    def _optimizer(self):
        """The optimizer of the present settings (as the run made it)."""
        factory = self.optimizers[self.controls["optimizer"].value]
        return factory(**self._optimizer_arguments(signature_defaults(factory)))

    def _nadam_momentum(self, optimizer, k, t, gradient):
        """NAdam's m̂ after update ``k`` (step ``t``), from the recorded ``Πμ`` and ``m`` and the
        gradient the step used; None when the optimizer does not say its ``momentum_decay``."""
        hyperparameters = getattr(optimizer, "hyperparameters", dict)()
        if "momentum_decay" not in hyperparameters or "betas" not in hyperparameters:
            return None
        beta1 = float(hyperparameters["betas"][0])
        psi = float(hyperparameters["momentum_decay"])
        states = self.trajectory.states
        product = float(states["mu_product"][k + 1, 0])  # Π_t
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        return (mu_next * states["exp_avg"][k + 1, 0] / (1 - product * mu_next)
                + (1 - mu) * gradient / (1 - product))

    def _reveal(self, step):
        super()._reveal(step)
        k = int(min(max(step, 0), self.steps - 1))
        name = self.controls["optimizer"].value
        if not self._bias_corrected():
            name += " without bias correction"
        diverged_at = int(self.trajectory.diverged_at[0])
        if 0 <= diverged_at <= k + 1:
            # No state to show: the runner stops a run whose numbers pass ±10⁶ or overflow.
            self._show_panel(_Panel(
                f"{name}: step {k} → {k + 1}",
                f"The run diverged at step {diverged_at}:\nits numbers grew past 10⁶ "
                f"or overflowed,\nso there is no update {k} → {k + 1}.\n\n"
                + (f"Drag step below {diverged_at - 1} to read\nthe updates before it."
                   if diverged_at >= 2 else "Try a smaller lr.")))
            return
        self._show_panel(self._table_panel(f"{name}: step {k} → {k + 1} (t = {k + 1})",
                                           self.state_at(step)))

    def _update_title(self):
        super()._update_title()
        if not self._bias_corrected():
            self.ax.title.set_text(self.ax.get_title() + ", no bias correction")

    def _describe(self):
        notes = list(self._notes)  # the first message uses them up; the second says them again
        super()._describe()
        note = self._first_step_note() if self._takes_bias_correction() else ""
        if note:
            text, kind = self._raw_message
            self._notes[:0] = notes
            self.show_message(f"{text} — {note}", kind)

    def _first_step_note(self):
        """What the switch changes, read off the run: the first step in units of η."""
        points = self.trajectory.points[:, 0]
        lr = self.controls["lr"].value
        first = np.abs(points[1] - points[0])
        if not np.all(np.isfinite(first)) or lr <= 0:
            return ""
        x, y = self._variables()
        ratio = format_number(float(first.max()) / lr)
        ratio = "η" if ratio == "1" else f"{ratio} η"
        if self._bias_corrected():
            return f"bias correction on: the first step moves {x} and {y} by up to {ratio}"
        beta1, beta2 = self.controls["beta1"].value, self.controls["beta2"].value
        closed = format_number((1 - beta1) / np.sqrt(1 - beta2))
        return (f"bias correction off: the first step moves {x} and {y} by up to {ratio} "
                f"((1 − β1)/√(1 − β2) = {closed})")

    def _variables(self):
        names = getattr(self.objective, "variables", None)
        return tuple(names) if names is not None and len(names) == 2 else ("x", "y")
