"""The numbers behind each step: :class:`OptimizerStateExplorer` is a :class:`DescentExplorer`
with a table of the optimizer's state (m, v, m̂, v̂, ...) in place of the loss curve.
"""

from __future__ import annotations

import unicodedata

import ipywidgets
import numpy as np

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


def _state_table(rows, coordinate_names):
    """Rows ``{name: value or values per coordinate}`` as aligned monospaced text."""
    width = max(display_width(name) for name in rows)
    lines = [" " * width + "".join(f"{str(c):>11}" for c in coordinate_names)]
    for name, value in rows.items():
        cells = np.atleast_1d(np.asarray(value, dtype=float))
        padding = " " * (width - display_width(name))
        lines.append(name + padding + "".join(f"{format_number(c):>11}" for c in cells))
    return "\n".join(lines)


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
            self.state_text.set_text(
                f"The run diverged at step {diverged_at}:\nits numbers grew past 10⁶ "
                f"or overflowed,\nso there is no update {k} → {k + 1}.\n\n"
                + (f"Drag step below {diverged_at - 1} to read\nthe updates before it."
                   if diverged_at >= 2 else "Try a smaller lr."))
            self.state_ax.set_title(f"{name}: step {k} → {k + 1}", fontsize=10)
            return
        self.state_text.set_text(_state_table(self.state_at(step), self._variables()))
        self.state_ax.set_title(f"{name}: step {k} → {k + 1} (t = {k + 1})", fontsize=10)

    def _update_title(self):
        super()._update_title()
        if not self._bias_corrected():
            self.ax.set_title(self.ax.get_title() + ", no bias correction", fontsize=10)

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
