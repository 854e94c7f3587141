"""Lesson 06's checks and exercise checkers. Answer them in the lesson first: this file gives
the answers away."""

import numpy as np

from gradlab.optimizers import SGD

from answers.common import say


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
    return say("Correct" if ok else f"Not yet: {hint}")


def check_best(lr, beta):
    """Exercise 1: the best heavy-ball (lr, β) for eigenvalues 2 and 800."""
    if lr is None or beta is None:
        return say("Not yet: replace the None values with your numbers.")
    root = np.sqrt(800 / 2)
    want_beta, want_lr = ((root - 1) / (root + 1)) ** 2, (2 / (np.sqrt(800) + np.sqrt(2))) ** 2
    off = [f"{name} = {given:g} is too {'large' if given > want else 'small'}"
           for name, given, want, ok in (
               ("lr", lr, want_lr, abs(lr - want_lr) < 0.01 * want_lr),
               ("beta", beta, want_beta, abs(beta - want_beta) < 2e-3)) if not ok]
    return _verdict(not off, f"{' and '.join(off)}: use κ = λmax/λmin in β* and the square "
                             "roots of both eigenvalues in lr*.")


def check_nesterov_limit(value):
    """Exercise 2: the largest stable Nesterov lr with β = 0.8 and λmax = 50."""
    if value is None:
        return say("Not yet: replace None with your number.")
    want = 2 * (1 + 0.8) / ((1 + 2 * 0.8) * 50)
    return _verdict(abs(value - want) < 0.005 * want,
                    f"{value:g} is too {'large' if value > want else 'small'}: the roots of "
                    "z² − (1+β)(1−u)z + β(1−u), u = ηλmax, leave the unit circle at z = −1.")


def check_terminal_step(value):
    """Exercise 3: the step the heavy ball (lr = 0.01, β = 0.95) approaches on f(x) = 3x."""
    if value is None:
        return say("Not yet: replace None with your number.")
    want = 0.01 * 3 / (1 - 0.95)
    return _verdict(abs(value - want) < 0.01 * want,
                    f"{value:g} is too {'large' if value > want else 'small'}: the buffer of a "
                    "constant gradient g tends to g/(1−β), and the step is lr times the buffer.")


# Section 2's exercise: one heavy-ball step and one Nesterov step, written by the learner.

def _bowl(eigenvalues, angle=0.0):
    """The gradient x ↦ A x of the bowl ½ xᵀAx with these eigenvalues, turned by ``angle``."""
    c, s = np.cos(angle), np.sin(angle)
    turn = np.array([[c, -s], [s, c]])[: len(eigenvalues), : len(eigenvalues)]
    matrix = turn @ np.diag(eigenvalues) @ turn.T
    return lambda x: matrix @ x


def _rosenbrock_gradient(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


# (name, gradient, start, lr, beta, steps): several starts, rates, momenta; quadratic and not.
_STEP_CASES = [
    ("the ravine bowl (λ = 1 and 50)", _bowl([1.0, 50.0], 0.5), np.array([-2.5, -0.9]), 0.03,
     0.8, 5),
    ("the bowl x²/2 + 2y²", _bowl([1.0, 4.0]), np.array([1.0, -2.0]), 0.1, 0.5, 5),
    ("the parabola x²/2", _bowl([1.0]), np.array([3.0]), 0.2, 0.9, 6),
    ("Rosenbrock", _rosenbrock_gradient, np.array([-1.2, 1.0]), 1e-3, 0.9, 4),
]


def _reference_steps(gradient, start, lr, beta, steps, nesterov):
    """x_0 … x_steps and b_0 … b_{steps-1} from gradlab's SGD, the reference."""
    optimizer = SGD(lr=lr, momentum=beta, nesterov=nesterov)
    x = start[None, :].copy()
    state = optimizer.init(x)
    points, buffers = [x[0].copy()], []
    for _ in range(steps):
        x, state = optimizer.update(gradient(x[0])[None, :], state, x)
        points.append(x[0].copy())
        buffers.append(state.momentum_buffer[0].copy())
    return points, buffers


def _slips(nesterov):
    """(step function, why) for the usual slips; ``why`` may name the step k that differs."""
    def form(update_buffer, direction, sign=-1.0, scale=True):
        def step(x, b, g, lr, beta):
            new_b = update_buffer(b, g, lr, beta)
            return x + sign * (lr if scale else 1.0) * direction(new_b, b, g, beta), new_b
        return step

    accumulate = lambda b, g, lr, beta: beta * b + g                       # noqa: E731
    right = (lambda new_b, b, g, beta: g + beta * new_b) if nesterov else (
        lambda new_b, b, g, beta: new_b)
    slips = [
        # g + β·(old b) is the new b itself, so this slip also covers "b used before updating"
        (form(accumulate, lambda new_b, b, g, beta: new_b),
         "Nesterov looks ahead with g + βb, not b: update buf first, then step along "
         "grad + beta * buf with the new buffer (g + β times the old buffer is just b)"),
    ] if nesterov else [
        (form(accumulate, lambda new_b, b, g, beta: b),
         "you used b before updating it: first b ← βb + g, then x ← x − ηb with the new b"),
        (form(accumulate, lambda new_b, b, g, beta: g + beta * new_b),
         "that is Nesterov's look-ahead g + βb; the heavy ball steps along b alone"),
    ]
    slips += [
        (form(lambda b, g, lr, beta: g, right),
         "your buffer after step {k} is g_{k}, but b_{k} = βb_{km1} + g_{k} with b_0 = g_0: "
         "keep β times the old buffer, buf = beta * buf + grad"),
        (form(accumulate, lambda new_b, b, g, beta: g),
         "your step ignores the buffer: that is plain gradient descent"),
        (form(accumulate, right, sign=1.0), "you added η times the step; descent subtracts it"),
        (form(accumulate, right, scale=False),
         "your step leaves out the learning rate: x ← x − η·(…)"),
        (form(lambda b, g, lr, beta: beta * b + (1 - beta) * g, right),
         "you multiplied the gradient by 1 − β: PyTorch's buffer adds g itself, b ← βb + g "
         "(dampening 0)"),
        (lambda x, b, g, lr, beta: (
            x - (lr * g + beta * (beta * b + lr * g) if nesterov else beta * b + lr * g),
            beta * b + lr * g),
         "your buffer holds steps (b ← βb + ηg, x ← x − b): PyTorch's buffer holds gradients, "
         "b ← βb + g, and η multiplies it only in the step"),
        (lambda x, b, g, lr, beta: _swap(form(accumulate, right)(x, b, g, lr, beta)),
         "you returned (buffer, x): return the new point first, then the new buffer"),
    ]
    return slips


def _swap(pair):
    return pair[1], pair[0]


def _trajectory(step_function, gradient, start, lr, beta, steps):
    """Points x_1 … and buffers b_0 … from repeated calls, each fed its own last output; stops
    early at an error or a result that is not two arrays shaped like x."""
    x, b = start.copy(), np.zeros_like(start)
    points, buffers = [], []
    for _ in range(steps):
        try:
            result = step_function(x.copy(), b.copy(), gradient(x).copy(), lr, beta)
            x, b = (np.asarray(part, dtype=float).reshape(start.shape) for part in result)
        except Exception:  # a malformed step: the caller reports it
            break
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(b))):
            break
        points.append(x)
        buffers.append(b)
    return points, buffers


def _same(a, c):
    return a.shape == c.shape and np.allclose(a, c, rtol=1e-9, atol=1e-12)


def _check_step(step_function, name, nesterov):
    for case, gradient, start, lr, beta, steps in _STEP_CASES:
        want_points, want_buffers = _reference_steps(gradient, start, lr, beta, steps, nesterov)
        x, b = start.copy(), np.zeros_like(start)
        for k in range(steps):
            try:
                result = step_function(x.copy(), b.copy(), gradient(x).copy(), lr, beta)
            except Exception as error:  # the learner's error as feedback, not a traceback
                return say(f"Not yet: on {case} your {name} raised {type(error).__name__}: {error}")
            if result is None:
                return say(f"Not yet: {name} returns None. Return the new point and the new "
                           "buffer: `return x, buf`.")
            try:
                given_x, given_b = (np.asarray(part, dtype=float).reshape(start.shape)
                                    for part in result)
            except (TypeError, ValueError):
                return say(f"Not yet: {name} must return two arrays shaped like x: `return x, "
                           "buf` (the new point, then the new buffer).")
            want_x, want_b = want_points[k + 1], want_buffers[k]
            if not (_same(given_x, want_x) and _same(given_b, want_b)):
                why = _diagnose(step_function, nesterov, case, k)
                return say(f"Not yet: on {case} (η = {lr:g}, β = {beta:g}), step {k} (x_{k} to "
                           f"x_{k + 1}): you give x_{k + 1} = {np.round(given_x, 6)}, b_{k} = "
                           f"{np.round(given_b, 6)} where SGD gives {np.round(want_x, 6)}, "
                           f"{np.round(want_b, 6)}: {why}.")
            x, b = given_x, given_b
    flag = "nesterov=True" if nesterov else "momentum"
    return say(f"Correct: your {name} gives the points and buffers of SGD({flag}) on all "
               f"{len(_STEP_CASES)} problems.")


def _diagnose(step_function, nesterov, case, k):
    """Which usual slip reproduces the learner's whole run on every problem, if one does."""
    runs = [(gradient, start, lr, beta, steps)
            for _, gradient, start, lr, beta, steps in _STEP_CASES]
    theirs = [_trajectory(step_function, *problem) for problem in runs]
    for slip, why in _slips(nesterov):
        if all(len(p) == len(q) and all(_same(u, v) for u, v in zip(p, q, strict=True))
               and all(_same(u, v) for u, v in zip(c, d, strict=True))
               for (p, c), (q, d) in zip(theirs, [_trajectory(slip, *problem)
                                                  for problem in runs], strict=True)):
            return why.format(k=k, km1=k - 1)
    form = "x − η(g + βb)" if nesterov else "x − ηb"
    return f"your step is not b ← βb + g followed by x ← {form}"


def check_heavy_ball_step(heavy_ball_step):
    """Run ``heavy_ball_step(x, buf, grad, lr, beta) -> (x, buf)`` from buf = 0 on several
    problems against SGD(lr, momentum=beta); say where it first differs."""
    return _check_step(heavy_ball_step, "heavy_ball_step", nesterov=False)


def check_nesterov_step(nesterov_step):
    """The same for ``nesterov_step`` against SGD(lr, momentum=beta, nesterov=True)."""
    return _check_step(nesterov_step, "nesterov_step", nesterov=True)
