"""Lesson 04's checks and exercise checkers. Answer them in the lesson first: this file gives
the answers away."""

import numpy as np

from gradlab.functions import Objective, grid_of_starts, rastrigin, styblinski_tang
from gradlab.optimizers import SGD
from gradlab.plotting import basin_labels
from gradlab.runner import run

from answers.common import say


def himmelblau_from_origin(f, lr, choices):
    """Where gradient descent from (0, 0) ends on Himmelblau's function ``f``.

    ``choices`` are the lesson's options: one per minimum of ``f`` (in order), then "it stays at
    (0, 0)".
    """
    from_origin = run(SGD(lr=lr), f.gradient, [0.0, 0.0], 300)
    reached = int(basin_labels(from_origin.final_points, f.minima)[0])
    return {
        "answer": choices[reached],
        "explanation": (
            f"It ends at {choices[reached]}. The gradient at the origin is "
            f"{tuple(np.round(f.gradient([0.0, 0.0]), 1).tolist())}, so the first step goes "
            "up and to the right, and the walk never leaves that quadrant's valley. Nothing in "
            "the rule looks for the other three minima."),
        "hints": {choices[-1]: "(0, 0) is not a stationary point: the gradient there is not "
                               "zero."},
    }


def saddle_stable_axis():
    return {
        "answer": "it sits (almost exactly) on the saddle at (0, 0)",
        "explanation": (
            "y starts at exactly 0 and y₍ₖ₊₁₎ = 1.1·yₖ keeps it at 0, while x shrinks by 0.9 "
            "per step. The run converges to a point with zero gradient that is not a minimum, "
            "and the gradient gives no hint of the downhill direction right next to it."),
        "hints": {"it diverged along x": "x is multiplied by 1 − 2·0.05 = 0.9 at every step."},
    }


# Exercises: each checker computes its own reference answer.

def _styblinski_share():
    sty = styblinski_tang()
    record = run(SGD(lr=0.01, momentum=0.9), sty.gradient, grid_of_starts(sty.window, 50), 300)
    return float(np.mean(basin_labels(record.final_points, sty.minima) == 0))


def _report(given, reference, tolerance, unit):
    if given is None:
        return say("Not yet: replace None by your answer.")
    expected = reference()
    if abs(float(given) - expected) <= tolerance:
        return say("Correct")
    else:
        return say(f"Not yet: {given} is too {'large' if given > expected else 'small'}{unit}.")


def check_global_share(share):
    """Exercise 1: the share of a 50 x 50 grid that momentum takes to Styblinski-Tang's global
    minimum."""
    return _report(share, _styblinski_share, 0.005, " (give a fraction between 0 and 1)")


def check_escape_steps(k):
    """Exercise 2: steps until |y_k| >= 1 from (0, 1e-6) on x² − y² with lr = 0.1."""
    return _report(k, lambda: int(np.ceil(np.log(1.0 / 1e-6) / np.log(1.2))), 0, "")


def check_plateau_steps(k, plateau):
    """Exercise 3: steps until the lesson's sigmoid-unit loss ``plateau`` drops below 0.1."""
    def plateau_steps():
        record = run(SGD(lr=1.0), plateau.gradient, [-8.0, 0.0], 1000, value=plateau.value)
        return int(record.steps_to_reach(0.1)[0])

    return _report(k, plateau_steps, 0, "")


def check_rastrigin_centre(share):
    """Exercise 4: the share of a 50 x 50 grid over [-2.5, 2.5]² that plain descent
    (lr = 0.002, 1000 steps) takes to Rastrigin's centre, with the 25 integer points as minima."""
    def centre_share():
        points = [(i, j) for i in range(-2, 3) for j in range(-2, 3)]
        ras = Objective.from_expr(rastrigin().expr, window=[(-2.5, 2.5), (-2.5, 2.5)],
                                  minima=points)
        record = run(SGD(lr=0.002), ras.gradient, grid_of_starts(ras.window, 50), 1000)
        return float(np.mean(basin_labels(record.final_points, ras.minima)
                             == points.index((0, 0))))

    return _report(share, centre_share, 0.002, " (give a fraction between 0 and 1)")
