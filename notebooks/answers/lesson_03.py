"""Lesson 03's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import numpy as np

from gradlab.linesearch import backtracking_line_search


def rate_between_one_over_a_and_two_over_a():
    """Section 2: what gradient descent does on f(x) = x² with lr = 0.6."""
    return {
        "answer": "converge, zig-zagging across the minimum",
        "hints": {
            "diverge": "Compare 0.6 with the bound 1.",
            "converge, sliding down one side": "Compute the factor 1 − lr·a = 1 − 1.2.",
            "bounce forever at the same height": "That needs a factor of exactly −1.",
        },
        "explanation": (
            "The factor is 1 − 0.6·2 = −0.2: each step flips the sign of x (a jump across "
            "the minimum) and shrinks it five-fold. 0.6 lies between 1/a = 0.5 and 2/a = 1."),
    }


def bound_when_kappa_doubles():
    """Section 3: the largest stable rate when κ doubles with λmin fixed."""
    return {
        "answer": "it halves",
        "hints": {
            "it stays the same": "Which eigenvalue grows when κ doubles with λmin fixed?",
            "it doubles": "A steeper direction tolerates a smaller step, not a larger one.",
            "it drops by a factor of four": "The bound is 2/λmax, not 2/λmax².",
        },
        "explanation": (
            "With λmin fixed, κ = 20 means λmax = 20 instead of 10, so 2/λmax falls from 0.2 "
            "to 0.1. Set κ = 20 in the explorer below with lr = 0.15: the message reports the "
            "steep factor |1 − 0.15·20| = 2 and the path blows up."),
    }


def noisy_gradients_constant_rate():
    """Section 5: where a constant rate leaves the path when the gradients are noisy."""
    return {
        "answer": "in a cloud around the minimum, smaller for a smaller lr",
        "hints": {
            "exactly at the minimum": "Every step adds −lr·ε, even at the minimum, where A p = 0.",
            "it diverges": "lr < 2/λmax still shrinks the error; the noise is only re-added.",
        },
        "explanation": (
            "At the minimum the true gradient is zero but the noisy one is not, so every "
            "step kicks the point away by −lr·ε. The error shrinks by the usual factors and is "
            "kicked again: it settles into a cloud whose size grows with lr. Decaying lr "
            "shrinks the kicks — the figure below shows it."),
    }


def check_bound(value):
    """Exercise 1: the largest convergent learning rate on f(x) = 3x² + 2x."""
    if value is None:
        print("Not yet: set my_bound to a number.")
    elif abs(value - 1 / 3) < 1e-3:
        print("Correct: f'' = 6 everywhere, so the bound is 2/6 = 1/3 (the linear term only "
              "moves the minimum).")
    elif abs(value - 2 / 3) < 1e-3:
        print("Not yet: that is 2/3 — the curvature of 3x² is f'' = 6, not 3.")
    else:
        print(f"Not yet: {value:g} is not the bound. Compute f'' and use 2/f''.")


def check_best_constant(lr, rate):
    """Exercise 2: the best constant rate for λmin = 2, λmax = 50, and its factor per step."""
    if lr is None or rate is None:
        print("Not yet: set both my_best_lr and my_rate.")
        return
    right_lr, right_rate = 2 / (2 + 50), (50 / 2 - 1) / (50 / 2 + 1)
    lr_ok, rate_ok = abs(lr - right_lr) < 1e-4, abs(rate - right_rate) < 1e-3
    if lr_ok and rate_ok:
        print("Correct: both factors |1 - lr·λ| equal 12/13 ≈ 0.923 at that rate.")
    elif lr_ok:
        print("Not yet: the rate is right; the factor is (κ - 1)/(κ + 1) with κ = λmax/λmin.")
    elif abs(lr - 2 / 50) < 1e-4:
        print("Not yet: 2/λmax is the edge of stability, not the best rate.")
    else:
        print("Not yet: the best rate makes |1 - lr·λmin| = |1 - lr·λmax|.")


def check_armijo(my_function, bowl, start):
    """Exercise 3: compare ``my_function`` with ``backtracking_line_search`` on four problems.

    ``bowl`` and ``start`` are the lesson's bowl (condition number 10) and start point.
    """
    problems = [
        ("x² from 1", lambda p: p[..., 0] ** 2, lambda p: 2 * p, np.array([1.0]), 1.0, 0.5, 1e-4),
        ("bowl from the start", bowl.value, bowl.gradient, start, 1.0, 0.5, 1e-4),
        ("bowl, c = 0.3, shrink 0.7", bowl.value, bowl.gradient, start, 2.0, 0.7, 0.3),
        ("quartic from 2", lambda p: p[..., 0] ** 4, lambda p: 4 * p**3, np.array([2.0]), 1.0,
         0.5, 1e-4),
    ]
    for name, f, grad, x, t0, shrink, c in problems:
        expected = backtracking_line_search(f, grad, x, initial_step=t0, shrink=shrink,
                                            c=c).step
        try:
            got = my_function(lambda p, f=f: float(f(np.asarray(p)[None])[0]),
                              lambda p, grad=grad: np.asarray(grad(np.asarray(p)[None])[0]),
                              x, t0,
                              shrink, c)
        except Exception as error:  # show the learner's error as feedback, not a traceback
            print(f"Not yet: on '{name}' your function raised {type(error).__name__}: {error}")
            return
        if got is None:
            print("Not yet: your function returns None. Start from t = t0 and shrink t while "
                  "the Armijo condition f(x - t g) <= f(x) - c t |g|^2 fails; return t.")
            return
        if not np.isclose(got, expected, rtol=1e-9):
            if got > expected:
                hint = "too large: t must shrink until f(x - t g) <= f(x) - c t |g|^2 holds"
            else:
                hint = "too small: do you stop at the first t that satisfies the condition?"
            print(f"Not yet: on '{name}' you returned t = {got:g}, {hint} "
                  f"(backtracking_line_search gives {expected:g}).")
            return
    print("Correct: your steps match backtracking_line_search on all four problems.")
