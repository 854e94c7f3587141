"""Lesson 03's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import numpy as np

from gradlab.linesearch import backtracking_line_search

from answers.common import say


def rate_between_one_over_a_and_two_over_a():
    """Section 2: what gradient descent does on f(x) = x² with η = 0.6."""
    return {
        "answer": "converge, zig-zagging across the minimum",
        "hints": {
            "diverge": "Compare 0.6 with the bound 1.",
            "converge, sliding down one side": "Compute the factor 1 − η·a = 1 − 1.2.",
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
            "to 0.1. Set κ = 20 in the explorer below with η = 0.15 (the lr slider): the "
            "message reports the steep factor |1 − 0.15·20| = 2 and the path blows up."),
    }


def noisy_gradients_constant_rate():
    """Section 5: where a constant rate leaves the path when the gradients are noisy."""
    return {
        "answer": "in a cloud around the minimum, smaller for a smaller η",
        "hints": {
            "exactly at the minimum": "Every step adds −η·ε, even at the minimum, where A p = 0.",
            "it diverges": "η < 2/λmax still shrinks the error; the noise is only re-added.",
        },
        "explanation": (
            "At the minimum the true gradient is zero but the noisy one is not, so every "
            "step kicks the point away by −η·ε. The error shrinks by the usual factors and is "
            "kicked again: it settles into a cloud whose size grows with η. Decaying η "
            "shrinks the kicks — the figure below shows it."),
    }


def check_bound(value):
    """Exercise 1: the largest convergent learning rate on f(x) = 3x² + 2x."""
    if value is None:
        return say("Not yet: set my_bound to a number.")
    elif abs(value - 1 / 3) < 1e-3:
        return say("Correct: f'' = 6 everywhere, so the bound is 2/6 = 1/3 (the linear term only "
                   "moves the minimum).")
    elif abs(value - 2 / 3) < 1e-3:
        return say("Not yet: that is 2/3 — the curvature of 3x² is f'' = 6, not 3.")
    else:
        return say(f"Not yet: {value:g} is not the bound. Compute f'' and use 2/f''.")


def check_best_constant(lr, rate):
    """Exercise 2: the best constant rate for λmin = 2, λmax = 50, and its factor per step."""
    if lr is None or rate is None:
        return say("Not yet: set both my_best_lr and my_rate.")
    right_lr, right_rate = 2 / (2 + 50), (50 / 2 - 1) / (50 / 2 + 1)
    lr_ok, rate_ok = abs(lr - right_lr) < 1e-4, abs(rate - right_rate) < 1e-3
    if lr_ok and rate_ok:
        return say("Correct: both factors |1 - η·λ| equal 12/13 ≈ 0.923 at that rate.")
    elif lr_ok:
        return say("Not yet: the rate is right; the factor is (κ - 1)/(κ + 1) with κ = λmax/λmin.")
    elif abs(lr - 2 / 50) < 1e-4:
        return say("Not yet: 2/λmax is the edge of stability, not the best rate.")
    else:
        return say("Not yet: the best rate makes |1 - η·λmin| = |1 - η·λmax|.")


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
            return say(f"Not yet: on '{name}' your function raised {type(error).__name__}: {error}")
        if got is None:
            return say("Not yet: your function returns None. Start from t = t0 and shrink t while "
                       "the Armijo condition f(x - t g) <= f(x) - c t |g|^2 fails; return t.")
        if not np.isclose(got, expected, rtol=1e-9):
            if got > expected:
                hint = "too large: t must shrink until f(x - t g) <= f(x) - c t |g|^2 holds"
            else:
                hint = "too small: do you stop at the first t that satisfies the condition?"
            return say(f"Not yet: on '{name}' you returned t = {got:g}, {hint} "
                       f"(backtracking_line_search gives {expected:g}).")
    return say("Correct: your steps match backtracking_line_search on all four problems.")


# --------------------------------------------------------------------------------------------
# Exercise 4: the grid and random search loops
# --------------------------------------------------------------------------------------------


def _bowl_in_log_lr(lr):
    """A cheap stand-in for 'train and score': lowest near η = 0.05, smooth in log η."""
    return (np.log10(lr) + 1.3) ** 2 + 0.1


def _diverges_above_half(lr):
    """Larger rates train further, until the run diverges (score NaN) above η = 0.5."""
    return 1.0 / lr if lr <= 0.5 else float("nan")


_GRID_CASES = [
    ("a bowl in log η", _bowl_in_log_lr, np.geomspace(1e-4, 1.0, 9)),
    ("runs that diverge above η = 0.5", _diverges_above_half, np.geomspace(1e-3, 10.0, 9)),
    ("the first run diverges", _diverges_above_half, np.array([10.0, 3.0, 1.0, 0.3, 0.1])),
]
# (name, score, seed, n, low, high)
_RANDOM_CASES = [
    ("a bowl in log η", _bowl_in_log_lr, 0, 12, 1e-4, 1.0),
    ("runs that diverge above η = 0.5", _diverges_above_half, 1, 20, 1e-3, 10.0),
    ("five draws", _bowl_in_log_lr, 2, 5, 1e-2, 1.0),
]


def _reference_search(score, lrs):
    """The loop the check expects: try every rate in order, keep the lowest finite score."""
    best_lr, best_score = None, float("inf")
    for lr in lrs:
        value = score(lr)
        if value < best_score:  # NaN < x is False: a diverged run is never kept
            best_lr, best_score = float(lr), value
    return best_lr, best_score


def _judge_result(who, name, got, score, lrs, expected):
    """One sentence on where ``got`` differs from ``expected`` (None when it matches)."""
    if got is None:
        return (f"{who} returns None: return the pair (best_lr, best_score) after trying every "
                "rate.")
    try:
        got_lr, got_score = (float(v) for v in got)
    except (TypeError, ValueError):
        return f"{who} should return a pair (best_lr, best_score) of numbers, got {got!r}."
    exp_lr, exp_score = expected
    if np.isclose(got_lr, exp_lr, rtol=1e-9) and np.isclose(got_score, exp_score, rtol=1e-9):
        return None
    scores = np.array([score(lr) for lr in lrs])
    if np.isnan(got_score) or (np.isfinite(got_lr) and np.isnan(score(got_lr))):
        return (f"on '{name}' {who} kept a diverged run (score NaN): skip scores that are not "
                "finite (NaN < x is always False, and min or np.argmin can return the NaN).")
    if np.isclose(got_lr, exp_score, rtol=1e-9) and np.isclose(got_score, exp_lr, rtol=1e-9):
        return f"{who} returned (score, lr): return (best_lr, best_score) in that order."
    finite = np.isfinite(scores)
    worst_lr = float(lrs[finite][np.argmax(scores[finite])])
    if np.isclose(got_lr, worst_lr, rtol=1e-9) and not np.isclose(worst_lr, exp_lr, rtol=1e-9):
        return (f"on '{name}' {who} returned the worst rate, not the best: keep the LOWEST "
                "score (lower is better).")
    if np.isclose(got_lr, exp_lr, rtol=1e-9):
        return (f"on '{name}' {who} found the right rate but returned score {got_score:g}: "
                "return the score train_and_score gave for that rate.")
    return (f"on '{name}' {who} returned lr = {got_lr:g}, which is not the rate with the lowest "
            "score: compare each score with the best so far and keep the lower one.")


def _recording(score):
    calls = []

    def train_and_score(lr):
        calls.append(float(lr))
        return score(float(lr))

    return train_and_score, calls


def check_searches(grid_search, random_search):
    """Exercise 4: compare the learner's two searches with the reference loops.

    ``grid_search(train_and_score, lrs)`` and ``random_search(train_and_score, n, rng, low,
    high)`` must each return ``(best_lr, best_score)``. They are run on cheap closed-form scores
    (one of them NaN above η = 0.5, like a diverged run); the check records which rates they
    tried, so it can say where they first differ.
    """
    for name, score, lrs in _GRID_CASES:
        train_and_score, calls = _recording(score)
        try:
            got = grid_search(train_and_score, lrs.copy())
        except Exception as error:  # show the learner's error as feedback, not a traceback
            return say(f"Not yet: on '{name}' my_grid_search raised {type(error).__name__}: "
                       f"{error}")
        if got is not None and sorted(calls) != sorted(float(lr) for lr in lrs):
            return say(f"Not yet: on '{name}' my_grid_search called train_and_score {len(calls)} "
                       f"times for a grid of {lrs.size} rates: train every rate of the grid once.")
        verdict = _judge_result("my_grid_search", name, got, score, lrs,
                                _reference_search(score, lrs))
        if verdict is not None:
            return say("Not yet: " + verdict)
    for name, score, seed, n, low, high in _RANDOM_CASES:
        expected_lrs = 10 ** np.random.default_rng(seed).uniform(np.log10(low), np.log10(high), n)
        uniform_lrs = np.random.default_rng(seed).uniform(low, high, n)
        train_and_score, calls = _recording(score)
        try:
            got = random_search(train_and_score, n, np.random.default_rng(seed), low, high)
        except Exception as error:  # show the learner's error as feedback, not a traceback
            return say(f"Not yet: on '{name}' my_random_search raised {type(error).__name__}: "
                       f"{error}")
        if got is not None:
            tried = np.sort(calls)
            if tried.size == n and np.allclose(tried, np.sort(uniform_lrs), rtol=1e-9):
                return say(f"Not yet: on '{name}' you sampled lr uniformly between low and high; "
                           "the check expects log-uniform: did you sample the exponent, lr = 10 "
                           "** rng.uniform(np.log10(low), np.log10(high), n)?")
            if tried.size != n:
                return say(f"Not yet: on '{name}' my_random_search tried {tried.size} rates for n "
                           f"= {n}: draw exactly n rates and train each once.")
            if not np.allclose(tried, np.sort(expected_lrs), rtol=1e-9):
                outside = np.any((tried < low * (1 - 1e-9)) | (tried > high * (1 + 1e-9)))
                where = (" (some lie outside [low, high])" if outside else "")
                return say(f"Not yet: on '{name}' your rng draws differ{where}: draw exactly n "
                           "values with rng.uniform(np.log10(low), np.log10(high), n) from the "
                           "rng you are given (not a new generator), then try 10 ** each.")
        verdict = _judge_result("my_random_search", name, got, score, expected_lrs,
                                _reference_search(score, expected_lrs))
        if verdict is not None:
            return say("Not yet: " + verdict)
    return say("Correct: both searches try the expected rates and keep the same best (lr, score) "
               f"as the reference on all {len(_GRID_CASES) + len(_RANDOM_CASES)} cases, diverged "
               "runs included.")
