"""Lesson 02's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import numpy as np

from gradlab.models import LinearRegression
from gradlab.optimizers import SGD
from gradlab.runner import run

from answers.common import NOT_YET, say


def first_step_on_parabola():
    """Section 1: x₁ on f(x) = x² from x₀ = 2.5 with η = 0.1."""
    return {
        "answer": 2.5 - 0.1 * (2 * 2.5),
        "explanation": (
            r"The slope at 2.5 is $f'(2.5) = 5$, so the step is $-\eta \cdot 5 = -0.5$ and "
            r"$x_1 = 2.5 - 0.5 = 2$. Each step on this parabola multiplies $x$ by "
            r"$1 - 2\eta = 0.8$: the next step will be shorter, because the slope at 2 is "
            r"smaller than at 2.5."),
    }


def where_descent_ends(quartic):
    """Section 5: where descent from x₀ = 0.5 on the two-basin ``quartic`` ends."""
    slope_at_half = float(quartic.gradient([0.5])[0])
    return {
        "answer": "it settles in the right valley, the local minimum",
        "hints": {
            "it settles in the left valley, the global minimum": (
                "The left valley is deeper, but descent cannot see that. Which way does the "
                "slope at 0.5 send the first step?"),
            "it stays near 0.5": "The slope at 0.5 is not zero, so the first step moves x.",
        },
        "explanation": (
            rf"$f'(0.5) = 4(0.5)^3 - 8(0.5) + 1 = {slope_at_half:g} < 0$: the curve "
            r"falls to the right, so the step $-\eta f'(0.5)$ is positive and $x$ moves "
            r"right, away from the hilltop. Every later step also points toward the right "
            rf"valley, so descent settles in the local minimum at $x \approx "
            rf"{quartic.minima[1, 0]:.3f}$, although the left valley, at $x \approx "
            rf"{quartic.minima[0, 0]:.3f}$, is deeper."),
    }


def first_step_of_the_line(gradient_at_zero):
    """Section 7: which way w moves in the first step from (w, b) = (0, 0).

    ``gradient_at_zero`` is (∂L/∂w, ∂L/∂b) at (0, 0) for the lesson's eight points.
    """
    return {
        "answer": "w increases" if gradient_at_zero[0] < 0 else "w decreases",
        "hints": {
            "w stays at 0": (r"The step in $w$ is $-\eta\,\partial L/\partial w$; is that "
                             r"derivative zero at (0, 0)?"),
        },
        "explanation": (
            rf"At $(0, 0)$ every prediction is 0, so $r_i = -y_i$ and "
            rf"$\partial L/\partial w = -\frac{{2}}{{N}}\sum_i y_i x_i = "
            rf"{gradient_at_zero[0]:.3f}$. The targets grow with $x$, so this is negative, "
            rf"and the step $-\eta\,\partial L/\partial w$ is positive: the line tilts up. "
            rf"Meanwhile $\partial L/\partial b = {gradient_at_zero[1]:.3f}$ is positive "
            rf"(the targets are mostly below 0), so $b$ goes down."),
    }


def _report(ok, hint):
    return say("Correct" if ok else f"Not yet: {hint}")


def _as_number(value, name):
    # The learner's answer as a float, or None after saying what is wrong with it.
    if value is None:
        _report(False, f"set {name} to your number")
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        _report(False, f"{name} = {value!r} is not a number")
        return None


def check_exercise_1(value):
    """Exercise 1: x₁₀ for f(x) = (x − 3)² + 1 from x₀ = 0 with η = 0.1."""
    # x_k = 3 - 3 * 0.8**k for this loop (each step multiplies the distance to 3 by 1 - 2*0.1)
    value = _as_number(value, "answer_1")
    if value is None:
        return NOT_YET
    target = 3 - 3 * 0.8 ** 10
    return _report(abs(value - target) < 1e-3,
                   f"{value} is {'too large' if value > target else 'too small'}")


def check_exercise_2(value):
    """Exercise 2: the largest start on the quartic that still reaches the global minimum."""
    value = _as_number(value, "answer_2")
    if value is None:
        return NOT_YET
    hilltop = np.sort(np.roots([4, 0, -8, 1]).real)[1]   # the middle zero of f'(x) = 4x³ - 8x + 1
    return _report(abs(value - hilltop) < 0.01,
                   f"{value} is {'too large' if value > hilltop else 'too small'} "
                   "(the answer is the same for every small learning rate)")


def check_exercise_3(value, data):
    """Exercise 3: the steps until the gradient of the line's loss on ``data`` is below 1e-3."""
    value = _as_number(value, "answer_3")
    if value is None:
        return NOT_YET
    # An independent count: gradlab's runner with the model's own gradient.
    model = LinearRegression(n_features=1)
    fit = run(SGD(lr=0.3), lambda p: model.gradient(p, data.X, data.y), [0.0, 0.0], steps=300)
    norms = np.linalg.norm(model.gradient(fit.points[:, 0], data.X, data.y), axis=-1)
    target = int(np.argmax(norms < 1e-3))
    return _report(value == target,
                   f"{value} is {'too many' if value > target else 'too few'} steps")


# Exercise 1a: the learner's own loop, compared with gradlab's SGD (torch.optim.SGD's numbers).
_LOOP_PROBLEMS = [
    # name, gradient of one point, start, lr, steps
    ("f(x) = (x - 3)² + 1", lambda x: 2 * (x - 3), np.array([0.0]), 0.1, 10),
    ("the bowl x² + 5y²", lambda p: np.array([2 * p[0], 10 * p[1]]), np.array([2.5, 1.5]),
     0.05, 6),
    ("the quartic x⁴ - 4x² + x", lambda x: 4 * x**3 - 8 * x + 1, np.array([0.5]), 0.02, 40),
]


def _sgd_points(gradient, start, lr, steps):
    """x_0 … x_steps from gradlab's SGD through the runner: the reference."""
    def rows(points):
        return np.array([gradient(point) for point in points])
    return run(SGD(lr=lr), rows, start[None, :], steps).points[:, 0, :]


def _diagnose(previous, given, gradient, start, lr):
    """A sentence naming what the step from ``previous`` to ``given`` did instead."""
    g = gradient(previous)
    guesses = [
        (previous + lr * g, "you added lr times the gradient; descent subtracts it"),
        (previous - g, "you subtracted the whole gradient; multiply it by lr first"),
        (previous - lr * gradient(start), "you used the gradient at x_0 in every step; "
                                          "evaluate it at the current point"),
        (previous - lr * lr * g, "lr appears twice in your step"),
    ]
    for guess, sentence in guesses:
        if np.allclose(given, guess, rtol=1e-12, atol=1e-12):
            return sentence
    return "the step is not x - lr * gradient(x)"


def check_descent_loop(descend):
    """Run ``descend(gradient, x0, lr, steps)`` on three problems; say where it first differs."""
    for name, gradient, start, lr, steps in _LOOP_PROBLEMS:
        reference = _sgd_points(gradient, start, lr, steps)
        try:
            given = descend(gradient, start.copy(), lr, steps)
        except Exception as error:  # the learner's error as feedback, not a traceback
            return say(f"Not yet: on {name} your function raised {type(error).__name__}: {error}")
        if given is None:
            return say("Not yet: descend returns None. Keep every point in a list, starting with "
                       "x0, and return the list.")
        try:
            points = np.array([np.asarray(p, dtype=float).reshape(-1) for p in given])
        except (TypeError, ValueError):
            return say("Not yet: return a list of points (numbers or arrays), x_0 first.")
        if len(points) != steps + 1:
            extra = " (did you leave out x_0?)" if len(points) == steps else ""
            return say(f"Not yet: on {name} with steps = {steps} you returned {len(points)} "
                       f"points; a run of {steps} steps has {steps + 1}, x_0 to x_{steps}{extra}.")
        if points.shape[1] != start.size or not np.allclose(points[0], start):
            return say(f"Not yet: on {name} your first point is {points[0]}, not x_0 = {start}.")
        for k in range(1, steps + 1):
            if not np.allclose(points[k], reference[k], rtol=1e-10, atol=1e-12):
                why = _diagnose(points[k - 1], points[k], gradient, start, lr)
                return say(f"Not yet: on {name} (lr = {lr}) your x_{k} is "
                           f"{np.round(points[k], 6)} where SGD gives "
                           f"{np.round(reference[k], 6)}: {why}.")
    return say(f"Correct: your loop gives SGD's points on all {len(_LOOP_PROBLEMS)} problems.")
