"""Lesson 05's checks and exercise checkers. Answer them in the lesson first: this file gives
the answers away."""

import itertools

import numpy as np

from answers.common import say


def noisier_batch_size():
    return {
        "answer": "the path with one example per step",
        "explanation": (
            "Each step follows the average of B per-example gradients. Averaging 64 of "
            "them cancels most of their random disagreement; a single example's gradient "
            "is all disagreement. Below you can see this in the race of the three methods, and "
            "in section 4 as the spread of the cloud."),
        "hints": {
            "the path with 64 examples per step": (
                "Averaging more votes cancels more of their disagreement."),
            "equally noisy: the learning rate sets the noise": (
                "The learning rate scales every step, but the direction's noise comes from "
                "how many examples are averaged."),
        },
    }


def spread_with_four_times_the_batch():
    return {
        "answer": 2.0,
        "tolerance": 0.15,
        "explanation": (
            "The variance falls like 1/B, so 4 times the batch gives a quarter of the "
            "variance, and the spread (its square root) halves: a factor √4 = 2. Halving "
            "the noise costs four times the work per step."),
    }


def noise_floor_at_half_the_rate():
    return {
        "answer": "it drops to roughly half",
        "explanation": (
            "Per step, the kicks add about η² × (noise) to the squared distance from the "
            "minimum, and the pull back removes about η × (that distance²). They balance "
            "where the distance² is proportional to η. So halving η roughly halves the floor "
            "— and doubles the number of steps needed to get down to it. The runs below "
            "measure it."),
        "hints": {
            "it drops to roughly a quarter": (
                "Each kick's square is η² times the noise — but the pull back to the minimum "
                "also weakens with η."),
            "it stays the same": "Smaller steps mean smaller kicks.",
            "it disappears": "Only a rate that keeps shrinking removes the floor.",
        },
    }


# Exercises.

def check_updates_per_epoch(answer):
    """Exercise 1: parameter updates in one epoch of 1,000 examples, batches of 64, the last
    smaller batch kept."""
    expected = -(-1000 // 64)                             # ceiling division
    if answer is None:
        return say("Not yet: replace None with a number.")
    elif answer == expected:
        return say("Correct")
    elif answer == 1000 // 64:
        return say("Not yet: that drops the last, smaller batch; this exercise keeps it.")
    else:
        return say("Not yet: count how many batches of 64 it takes to cover 1,000 examples.")


def check_minibatch_error(function):
    """Exercise 2: ``function(sigma2, n, b)`` against the exact average over every batch of a
    tiny data set."""
    if function is None:
        return say("Not yet: replace None with your function.")
    rng = np.random.default_rng(6)
    tiny = rng.normal(size=(7, 2))                      # seven "votes"
    centre = tiny.mean(axis=0)
    spread = float(np.mean(np.sum((tiny - centre) ** 2, axis=1)))
    for b in range(1, 8):
        batches = list(itertools.combinations(range(7), b))
        exact = np.mean([np.sum((tiny[list(c)].mean(axis=0) - centre) ** 2) for c in batches])
        try:
            yours = float(function(spread, 7, b))
        except Exception as error:                      # report, do not crash the lesson
            return say(f"Not yet: your function raised {type(error).__name__}: {error}")
        if not np.isclose(yours, exact, rtol=1e-9, atol=1e-12):
            return say(f"Not yet: for n = 7, b = {b} yours gives {yours:.6f}, too "
                       f"{'large' if yours > exact else 'small'}: it must equal the average of "
                       f"‖g_B − ∇L‖² over every batch of {b}.")
    return say("Correct")


def check_online_fit(function):
    """Exercise 3: ``function(stream)`` fed 5,000 points of y = 2x − 1 plus noise, one at a
    time; within 0.05 of their least-squares fit."""
    if function is None:
        return say("Not yet: replace None with your function.")

    def stream():
        rng = np.random.default_rng(8)
        for _ in range(5000):
            x = rng.uniform(-1, 1)
            yield x, 2 * x - 1 + 0.5 * rng.standard_normal()

    points = np.array(list(stream()))
    target = np.linalg.lstsq(np.column_stack([points[:, 0], np.ones(len(points))]),
                             points[:, 1], rcond=None)[0]
    estimate = function(stream())
    if estimate is None:
        return say("Not yet: online_fit returned None.")
    w, b = map(float, estimate)
    if abs(w - target[0]) < 0.05 and abs(b - target[1]) < 0.05:
        return say("Correct")
    else:
        def verdict(yours, wanted):
            if abs(yours - wanted) < 0.05:
                return "close enough"
            return "too large" if yours > wanted else "too small"

        return say(f"Not yet: you got w = {w:.3f} ({verdict(w, target[0])}), b = {b:.3f} "
                   f"({verdict(b, target[1])}); each must be within 0.05 of the least-squares fit "
                   "of the stream.")
