"""Predict, then reveal: :class:`PredictRevealCheck` asks a question, judges the learner's answer,
then shows the explanation.
"""

from __future__ import annotations

import html
import math

import ipywidgets

from gradlab.colors import CORRECT_GREEN, DARK_GREY, MESSAGE_COLORS

__all__ = ["PredictRevealCheck"]


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
    reveal : mapping, optional
        ``answer``, ``explanation`` and (optionally) ``hints`` and ``tolerance`` in one mapping,
        instead of as arguments: a lesson passes what its answers module returns, so the
        answer stays out of sight of a learner reading the lesson.

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

    def __init__(self, question, *, answer=None, explanation=None, options=None, tolerance=None,
                 hints=None, reveal=None):
        if reveal is not None:
            given = [name for name, value in (("answer", answer), ("explanation", explanation),
                                              ("tolerance", tolerance), ("hints", hints))
                     if value is not None]
            if given:
                raise ValueError(f"give {', '.join(given)} either in reveal or as arguments, "
                                 "not both")
            unknown = sorted(set(reveal) - {"answer", "explanation", "hints", "tolerance"})
            if unknown:
                raise ValueError(f"reveal: unknown keys {unknown}; allowed are answer, "
                                 "explanation, hints, tolerance")
            answer, explanation = reveal.get("answer"), reveal.get("explanation")
            hints, tolerance = reveal.get("hints"), reveal.get("tolerance")
        if answer is None or explanation is None:
            raise ValueError("a check needs an answer and an explanation (or a reveal holding "
                             "both)")
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
        colour = {True: CORRECT_GREEN, False: MESSAGE_COLORS["error"], None: DARK_GREY}[correct]
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
        # The answer and its explanation stay folded; data-answer lets the tests check that
        # nothing a learner sees before the check gives the answer away.
        answer = self.answer if self.options is not None else f"{self.answer:g}"
        bundle["text/html"] = (
            f'<div class="gradlab-check" data-answer="{html.escape(str(answer), quote=True)}">'
            f"<p>{self.question}</p>{choices}"
            f"<details><summary>Answer</summary><p><b>{html.escape(str(answer))}</b></p>"
            f"<p>{self.explanation}</p></details></div>"
        )
        bundle["text/plain"] = f"Check: {self.question}"
        return bundle
