"""The numbers behind each step: :class:`OptimizerStateExplorer` is a :class:`DescentExplorer`
with a table of the optimizer's state (m, v, m̂, v̂, ...) in place of the loss curve.
"""

from __future__ import annotations

import unicodedata

import ipywidgets
import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.transforms import offset_copy

from gradlab import optimizers as gradlab_optimizers
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


def display_width(text):
    """Columns ``text`` takes in a monospaced font: a combining mark (the hat of m̂) takes none."""
    return sum(not unicodedata.combining(character) for character in text)


_TABLE_FONTSIZE = 10
#: Rows of the state table: more than any optimizer here shows (Adam with amsgrad: g, m, v,
#: v max, m̂, v̂, Δθ, −Δθ / g).
_TABLE_ROWS = 10
#: Distance between the baselines of two rows, in points.
_ROW_POINTS = 12.5


def _columns(cells):
    """Cells right-aligned in columns 11 characters wide (the text is right-aligned, so the
    first column needs no leading spaces)."""
    return "".join(f"{cell:>11}" for cell in cells).lstrip()


def _monospace_advance(fontsize):
    """Width of one monospace character at ``fontsize``, in points."""
    prop = FontProperties(family="monospace", size=fontsize)
    width, _height, _descent = TextToPath().get_text_width_height_descent("0" * 40, prop, False)
    return width / 40


class OptimizerStateExplorer(DescentExplorer):
    """:class:`DescentExplorer` with a table of the optimizer's state in place of the loss curve.

    For the update from step ``k`` to ``k + 1`` (``k`` from the ``step`` slider or Play) the
    table shows the gradient ``g``, the state after the update (``m`` and ``v`` for Adam with
    their bias-corrected ``m̂ = m / (1 − β1ᵗ)``, ``v̂ = v / (1 − β2ᵗ)``; the squared-gradient
    average of RMSprop; the sum of squared gradients of Adagrad; the momentum buffer of SGD),
    the step ``Δθ`` actually taken, and the effective learning rate per coordinate
    ``−Δθ / g``: how far each coordinate moved per unit of gradient.

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
        # (A matplotlib table costs ~30 ms a draw.)
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

    def _table_transform(self, chars, row):
        """From (0, 0.95) in axes coordinates to the baseline of ``row`` (0: the coordinate
        names), ``chars`` monospace characters to the right."""
        return offset_copy(self.state_ax.transAxes, fig=self.figure,
                           x=chars * self._char_points,
                           y=-(_TABLE_FONTSIZE + row * _ROW_POINTS), units="points")

    def _show_table(self, rows):
        """Show ``{row name: values}``. The static texts (names, header, where the columns
        end) change only with the row names, i.e. with another optimizer or the
        bias-correction switch: then the frame is a full redraw."""
        names = list(rows)
        if len(names) > _TABLE_ROWS:
            raise ValueError(f"the state table has room for {_TABLE_ROWS} rows, got {names}")
        width = max(display_width(name) for name in names)
        right = width + 11 * len(self._variables())
        if width != self._name_chars:
            self._name_chars = width
            self.state_header.set_transform(self._table_transform(right, 0))
            for row, text in enumerate(self.state_numbers):
                text.set_transform(self._table_transform(right, row + 1))
        self.state_header.set_text(_columns([str(v) for v in self._variables()]))
        for row, (label, text) in enumerate(zip(self.state_names, self.state_numbers,
                                                strict=True)):
            if row < len(names):
                values = np.atleast_1d(np.asarray(rows[names[row]], dtype=float))
                label.set_text(names[row])
                text.set_text(_columns([format_number(v) for v in values]))
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
        """The state panel as text, read off its artists: the note, or the table in columns."""
        if self.state_note.get_text():
            return self.state_note.get_text()
        names = ["", *(label.get_text() for label in self.state_names)]
        numbers = [text.get_text() for text in (self.state_header, *self.state_numbers)]
        width = self._name_chars + 11 * len(self._variables())
        return "\n".join(name + " " * (width - display_width(name) - len(cells)) + cells
                         for name, cells in zip(names, numbers, strict=True) if cells)

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
        arguments = signature_defaults(self.optimizers[self.controls["optimizer"].value])
        if "betas" in arguments and "exp_avg" in states and "exp_avg_sq" in states:
            if self._bias_corrected():
                beta1, beta2 = self.controls["beta1"].value, self.controls["beta2"].value
                rows["m̂"] = states["exp_avg"][k + 1, 0] / (1 - beta1**t)
                rows["v̂"] = states["exp_avg_sq"][k + 1, 0] / (1 - beta2**t)
            else:  # the step uses m and v as they are
                rows["m̂ = m (off)"] = states["exp_avg"][k + 1, 0]
                rows["v̂ = v (off)"] = states["exp_avg_sq"][k + 1, 0]
        delta = points[k + 1] - points[k]
        rows["Δθ"] = delta
        rows["−Δθ / g"] = -delta / rows["g = ∇f"]
        return rows

    def _reveal(self, step):
        super()._reveal(step)
        k = int(min(max(step, 0), self.steps - 1))
        name = self.controls["optimizer"].value
        if not self._bias_corrected():
            name += " without bias correction"
        diverged_at = int(self.trajectory.diverged_at[0])
        if 0 <= diverged_at <= k + 1:
            # No state to show: the runner stops a run whose numbers pass ±10⁶ or overflow.
            self._show_table_artists(False)
            for text in self.state_numbers:
                text.set_text("")
            self.state_note.set_text(
                f"The run diverged at step {diverged_at}:\nits numbers grew past 10⁶ "
                f"or overflowed,\nso there is no update {k} → {k + 1}.\n\n"
                + (f"Drag step below {diverged_at - 1} to read\nthe updates before it."
                   if diverged_at >= 2 else "Try a smaller lr."))
            self.state_ax.title.set_text(f"{name}: step {k} → {k + 1}")
            return
        self._show_table(self.state_at(step))
        self.state_ax.title.set_text(f"{name}: step {k} → {k + 1} (t = {k + 1})")

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
