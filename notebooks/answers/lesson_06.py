"""Lesson 06's checks and exercise checkers. Answer them in the lesson first: this file gives
the answers away."""

import numpy as np


def heavy_ball_past_gd_bound(lam_max):
    """Is lr = 2/λmax stable for the heavy ball with β = 0.9 on a bowl whose largest eigenvalue
    is ``lam_max``?"""
    return {
        "answer": "yes, it converges",
        "explanation": (
            f"Momentum widens the stable range to lr < 2(1+β)/λmax = {2 * 1.9 / lam_max:.3f}. "
            "In Polyak's form the term β(x_k − x_{k−1}) pulls against an overshoot, so a step "
            "that would overshoot without momentum is partly cancelled. Section 4 derives the "
            "bound."),
        "hints": {
            "no, it diverges": "momentum also pulls back: look at the recurrence in section 4.",
            "it is exactly on the edge": "that is plain GD's edge; momentum moves it.",
        },
    }


def larger_rate_heavy_ball_or_nesterov():
    """Which of heavy ball and Nesterov (β = 0.9) tolerates the larger learning rate."""
    beta = 0.9
    limit_heavy = 2 * (1 + beta)
    limit_nesterov = 2 * (1 + beta) / (1 + 2 * beta)
    return {
        "answer": "the heavy ball tolerates larger rates than Nesterov",
        "explanation": (
            f"Heavy ball is stable for η·λmax < 2(1+β) = {limit_heavy:.2f}; Nesterov only for "
            f"η·λmax < 2(1+β)/(1+2β) = {limit_nesterov:.2f}. In exchange Nesterov damps the "
            "steep component harder (its coefficient β(1−ηλ) shrinks as ηλ grows), which helps "
            "on surfaces whose curvature changes, and gives it better worst-case guarantees on "
            "convex functions that are not quadratic."),
        "hints": {
            "Nesterov tolerates larger rates than the heavy ball": (
                "Nesterov's step uses g + β·b, more gradient per step than the heavy ball."),
            "both tolerate the same largest rate": (
                "the recurrences differ; compare their stability limits."),
        },
    }


def heavy_ball_speedup():
    """How many times fewer steps the best heavy ball needs than the best plain GD, κ = 100."""
    kappa = 100.0
    rate_gd = (kappa - 1) / (kappa + 1)
    rate_hb = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    speedup = np.log(rate_hb) / np.log(rate_gd)               # ratio of steps per tenfold
    return {
        "answer": speedup,
        "tolerance": 0.2 * speedup,
        "explanation": (
            f"GD's best rate is (κ−1)/(κ+1) = {rate_gd:.4f}; the heavy ball's is "
            f"(√κ−1)/(√κ+1) = {rate_hb:.4f}. Steps scale like 1/(−ln ρ), so the ratio is "
            f"ln {rate_hb:.4f} / ln {rate_gd:.4f} = {speedup:.1f}: about √κ = "
            f"{np.sqrt(kappa):.0f}. Momentum turns a cost proportional to κ into one "
            "proportional to √κ."),
    }


# Exercises.

def _verdict(ok, hint):
    print("Correct" if ok else f"Not yet: {hint}")


def check_best(lr, beta):
    """Exercise 1: the best heavy-ball (lr, β) for eigenvalues 2 and 800."""
    if lr is None or beta is None:
        return print("Not yet: replace the None values with your numbers.")
    root = np.sqrt(800 / 2)
    want_beta, want_lr = ((root - 1) / (root + 1)) ** 2, (2 / (np.sqrt(800) + np.sqrt(2))) ** 2
    _verdict(abs(beta - want_beta) < 2e-3 and abs(lr - want_lr) < 0.01 * want_lr,
             "use κ = λmax/λmin in β* and the square roots of both eigenvalues in lr*.")


def check_nesterov_limit(value):
    """Exercise 2: the largest stable Nesterov lr with β = 0.8 and λmax = 50."""
    if value is None:
        return print("Not yet: replace None with your number.")
    want = 2 * (1 + 0.8) / ((1 + 2 * 0.8) * 50)
    _verdict(abs(value - want) < 0.005 * want,
             "the roots of z² − (1+β)(1−u)z + β(1−u) leave the unit circle at z = −1.")


def check_terminal_step(value):
    """Exercise 3: the step the heavy ball (lr = 0.01, β = 0.95) approaches on f(x) = 3x."""
    if value is None:
        return print("Not yet: replace None with your number.")
    want = 0.01 * 3 / (1 - 0.95)
    _verdict(abs(value - want) < 0.01 * want,
             "the buffer of a constant gradient g tends to g/(1−β).")
