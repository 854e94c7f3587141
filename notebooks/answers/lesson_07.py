"""Lesson 07's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import math

import numpy as np

from gradlab.optimizers import Adam, AdamState

from answers.common import say


def constant_gradient_scale():
    return {
        "answer": "about the same distance",
        "explanation": (
            r"For a constant gradient $g$: $\hat m_t = g$ and $\hat v_t = g^2$, so the step is "
            r"$\eta\, g / (|g| + \epsilon) \approx \eta$ whether $g$ is 1 or 100. Adam's step "
            r"measures the gradient in units of its own typical size: its <i>sign and "
            r"consistency</i> matter, not its scale."),
        "hints": {
            "yes, 100× further": "that is what plain gradient descent does.",
            "10× further (the square root of 100)": "v holds squared gradients, and its root is "
            "taken: the root undoes the square exactly.",
            "100× less far": "dividing by √v̂ cancels the scale; it does not invert it.",
        },
    }


def first_step_without_bias_correction(beta1=0.9, beta2=0.999):
    ratio = (1 - beta1) / math.sqrt(1 - beta2)
    return {
        "answer": "larger",
        "explanation": (
            r"At $t=1$ the step is $\eta\,(1-\beta_1) g / \sqrt{(1-\beta_2) g^2} = "
            rf"\eta\,(1-\beta_1)/\sqrt{{1-\beta_2}} \approx {ratio:.2f}\,\eta$. Leaving out "
            rf"only the correction of $m$ would make the first step {1 / (1 - beta1):.0f} times "
            rf"too <i>small</i>; leaving out only that of $v$, about "
            rf"{1 / math.sqrt(1 - beta2):.0f} times too <i>large</i>. Kingma & Ba (section 3) "
            r"warn about exactly this: without the correction of $v$ the first steps are much "
            r"too large when $\beta_2$ is close to 1."),
        "hints": {
            "smaller (m is only a tenth of g)": "m is a tenth of g, but √v is far smaller "
            f"still: √(1 − {beta2:g}) ≈ {math.sqrt(1 - beta2):.3f} of |g|.",
            "the same": "the two shrinkages are different: 1 − β1 versus √(1 − β2).",
        },
    }


MOMENTUM_FIRST = "SGD with momentum 0.9 needs fewer steps"
ADAM_FIRST = "Adam needs fewer steps"
TOO_CLOSE = "neither: the score and the median disagree"


def rosenbrock_race(momentum, adam):
    """``momentum``, ``adam``: ``(score, median, fastest, slowest)`` of each tuned method on
    Rosenbrock, in steps to f ≤ 0.001 (``inf``: not within the budget). The score is the worst
    median of the tuned rate and its two grid neighbours; the median, fastest and slowest are
    over the starts, at the tuned rate."""
    def steps(value):
        return "not reached" if not math.isfinite(value) else f"{value:g}"

    by_score = momentum[0] < adam[0]
    by_median = momentum[1] < adam[1]
    if by_score != by_median:
        answer = TOO_CLOSE
    else:
        answer = MOMENTUM_FIRST if by_score else ADAM_FIRST
    return {
        "answer": answer,
        "explanation": (
            f"From the table below, in steps to f ≤ 0.001: Adam's score is {steps(adam[0])} "
            f"(median {steps(adam[1])} over the starts, from {steps(adam[2])} to "
            f"{steps(adam[3])}); SGD + momentum's is {steps(momentum[0])} (median "
            f"{steps(momentum[1])}, from {steps(momentum[2])} to {steps(momentum[3])}). "
            "Momentum's rate is capped by the valley's steep walls (η below 2/λmax, and the "
            "neighbour rule keeps it away from that edge), so along the nearly flat floor, "
            "where the gradient is tiny, it creeps. Adam divides each coordinate's gradient by "
            "its own running size √v̂, so even where the gradient is small its steps stay near "
            "η. A single start and the single best rate can say the opposite: section 5 showed "
            "a momentum rate that reached the target in a few dozen steps while its neighbours "
            "on either side needed hundreds."),
        "hints": {option: hint for option, hint in {
            MOMENTUM_FIRST: "momentum does win from one lucky start at one lucky rate; the score "
            "asks that the rates on either side of the tuned one do well too, from every start.",
            ADAM_FIRST: "compare the scores and the medians of the two rows in the table.",
            TOO_CLOSE: "compare the two columns, score and median: do they put the two methods "
            "in the same order?",
        }.items() if option != answer},
    }


def _verdict(value, expected, what_to_check):
    """Say "Correct" or a "Not yet" that says which way the value is off and what to check."""
    if value is None:
        return say(f"Not yet: no answer given. {what_to_check}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return say(f"Not yet: {value!r} is not a number. {what_to_check}")
    if np.isclose(number, expected, rtol=1e-3):
        return say("Correct")
    direction = "too large" if number > expected else "too small"
    return say(f"Not yet: {number:g} is {direction}. {what_to_check}")


def check_first_step(value):
    """Exercise 1: Adam's first step without bias correction, β1 = 0.9, β2 = 0.99, in units of η."""
    # The formula of section 3, written here (not the library's code).
    expected = (1 - 0.9) / math.sqrt(1 - 0.99)
    return _verdict(value, expected, "With m₁ = (1-β1) g and v₁ = (1-β2) g², the step is "
                    "η m₁ / √v₁; mind that β2 is 0.99 here, not 0.999.")


def check_adagrad_step(value):
    """Exercise 2: AdaGrad's 100th step for η = 0.5 and a constant gradient g = 4."""
    g, eta, t = 4.0, 0.5, 100
    expected = eta * g / math.sqrt(t * g**2)          # the update formula, written by hand
    return _verdict(value, expected, "The 100th step is η g / √(s₁₀₀) with s₁₀₀ = 100 g² "
                    "(the sum includes the 100th gradient).")


# Exercise 3: the learner's Adam step, compared with gradlab's Adam (torch.optim.Adam's numbers).
def _adam_cases():
    """(name, theta, m, v, g, t, lr, beta1, beta2, eps): first steps and later ones."""
    cases = []
    rng = np.random.default_rng(7)

    def later(theta, gradients, lr, beta1, beta2, eps):
        # The state after len(gradients) steps of gradlab's Adam, as the start of a later step.
        optimizer = Adam(lr=lr, betas=(beta1, beta2), eps=eps)
        params, state = theta[None, :], optimizer.init(theta[None, :])
        for g in gradients:
            params, state = optimizer.update(g[None, :], state, params)
        return params[0], state.exp_avg[0], state.exp_avg_sq[0], len(gradients) + 1

    cases.append(("step t = 1 on the bowl", np.array([-2.5, 2.0]), np.zeros(2), np.zeros(2),
                  np.array([-2.5, 200.0]), 1, 0.3, 0.9, 0.999, 1e-8))
    cases.append(("step t = 1", np.array([1.0, -1.0, 0.5]), np.zeros(3),
                  np.zeros(3), np.array([0.5, -3.0, 0.02]), 1, 0.01, 0.8, 0.99, 1e-8))
    theta, m, v, t = later(np.array([0.3, -0.7]), rng.normal(size=(4, 2)), 0.1, 0.9, 0.999, 1e-8)
    cases.append((f"step t = {t}", theta, m, v, np.array([1.0, -0.2]), t, 0.1, 0.9, 0.999,
                   1e-8))
    tiny = 1e-6 * rng.normal(size=(11, 2))
    theta, m, v, t = later(np.array([2.0, 1.0]), tiny, 0.05, 0.5, 0.9, 1e-8)
    cases.append((f"step t = {t} with tiny gradients (about 1e-6)", theta, m,
                  v, np.array([1e-6, -2e-6]), t, 0.05, 0.5, 0.9, 1e-8))
    return cases


def _adam_reference(theta, m, v, g, t, lr, beta1, beta2, eps):
    optimizer = Adam(lr=lr, betas=(beta1, beta2), eps=eps)
    state = AdamState(step=np.array([t - 1.0]), exp_avg=m[None, :], exp_avg_sq=v[None, :],
                      max_exp_avg_sq=None)
    params, state = optimizer.update(g[None, :], state, theta[None, :])
    return params[0], state.exp_avg[0], state.exp_avg_sq[0]


def _same(a, b):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=0.0))


def _times(given, expected):
    """"is 10× too large", "is 0.1 times the right size", or "is off" (median ratio near 1)."""
    with np.errstate(all="ignore"):
        ratio = float(np.median(np.abs(given / expected)))
    if not math.isfinite(ratio) or abs(ratio - 1) < 0.01:
        return "is off"
    return f"is {ratio:.3g}× too large" if ratio > 1 else f"is {ratio:.3g} times the right size"


def _why_m(given, m, g, beta1, m_right, t):
    guesses = [
        (beta1 * m + g, "did you multiply the gradient by 1 − β1?"),
        ((1 - beta1) * m + beta1 * g, "β1 and 1 − β1 are swapped: m_t = β1 m + (1 − β1) g."),
        (m_right / (1 - beta1**t), "you returned the bias-corrected m̂; return m itself (the "
                                   "state) and use m̂ only in the step."),
    ]
    for guess, why in guesses:
        if _same(given, guess):
            return f"{_times(given, m_right)}: {why}"
    return "differs from β1 m + (1 − β1) g."


def _why_v(given, v, g, beta2, v_right, t):
    guesses = [
        (beta2 * v + g**2, "did you multiply g² by 1 − β2?"),
        (beta2 * v + (1 - beta2) * g, "did you square the gradient? v averages g²."),
        (beta2 * v + (1 - beta2) * np.abs(g), "did you square the gradient? v averages g², "
                                              "not |g|."),
        ((1 - beta2) * v + beta2 * g**2, "β2 and 1 − β2 are swapped: v_t = β2 v + (1 − β2) g²."),
        (v_right / (1 - beta2**t), "you returned the bias-corrected v̂; return v itself (the "
                                   "state) and use v̂ only in the step."),
    ]
    for guess, why in guesses:
        if _same(given, guess):
            return f"{_times(given, v_right)}: {why}"
    return "differs from β2 v + (1 − β2) g²."


def _why_theta(given, theta, m, v, t, lr, beta1, beta2, eps, right):
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    step = right - theta
    if not np.all(np.isfinite(given)):
        return ("θ is not finite: with t counting from 1, 1 − β^t is never 0; did you use t − 1 "
                "in the bias correction?")
    guesses = [
        (theta - lr * m_hat / (np.sqrt(v) + eps), "you forgot the bias correction of v"),
        (theta - lr * m / (np.sqrt(v_hat) + eps), "you forgot the bias correction of m"),
        (theta - lr * m / (np.sqrt(v) + eps), "you left out both bias corrections"),
        (theta - lr * m_hat / np.sqrt(v_hat + eps),
         "eps belongs outside the square root: divide by √v̂ + ε, not √(v̂ + ε)"),
        (theta + lr * m_hat / (np.sqrt(v_hat) + eps),
         "goes the wrong way; Adam subtracts η m̂ / (√v̂ + ε)"),
        (theta - m_hat / (np.sqrt(v_hat) + eps), "the learning rate η is missing from the step"),
        (theta - lr * (m / (1 - beta1 ** (t + 1))) / (np.sqrt(v / (1 - beta2 ** (t + 1))) + eps),
         "your bias corrections use t + 1; t is the step being taken, counting from 1"),
    ]
    for guess, why in guesses:
        if _same(given, guess):
            size = _times(given - theta, step)
            if why.startswith("goes"):
                return f"step {why}."
            return f"step {size}: {why}." if size != "is off" else f"step is off: {why}."
    return "differs from θ − η m̂ / (√v̂ + ε) with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)."


def check_adam_step(adam_step):
    """Run ``adam_step(theta, m, v, g, t, lr, beta1, beta2, eps)`` on several states and compare
    ``(theta, m, v)`` with gradlab's Adam; say in one sentence where it first differs."""
    cases = _adam_cases()
    for name, theta, m, v, g, t, lr, beta1, beta2, eps in cases:
        right_theta, right_m, right_v = _adam_reference(theta, m, v, g, t, lr, beta1, beta2, eps)
        try:
            with np.errstate(all="ignore"):
                given = adam_step(theta.copy(), m.copy(), v.copy(), g.copy(), t, lr, beta1,
                                  beta2, eps)
        except Exception as error:  # the learner's error as feedback, not a traceback
            return say(f"Not yet: at {name} your function raised {type(error).__name__}: {error}")
        if given is None:
            return say("Not yet: adam_step returns None. Write the lines for m, v, m̂, v̂ and θ, "
                       "and return theta, m, v.")
        try:
            new_theta, new_m, new_v = (np.asarray(a, dtype=float) for a in given)
        except (TypeError, ValueError):
            return say("Not yet: return three arrays, (theta, m, v), in that order.")
        where = f"at {name} (β1 = {beta1}, β2 = {beta2}, lr = {lr}),"
        if not _same(new_m, right_m):
            return say(f"Not yet: {where} your m {_why_m(new_m, m, g, beta1, right_m, t)}")
        if not _same(new_v, right_v):
            return say(f"Not yet: {where} your v {_why_v(new_v, v, g, beta2, right_v, t)}")
        if not _same(new_theta, right_theta):
            why = _why_theta(new_theta, theta, right_m, right_v, t, lr, beta1, beta2, eps,
                             right_theta)
            return say(f"Not yet: {where} your {why}")
    return say("Correct: your adam_step gives gradlab's Adam (torch.optim.Adam's numbers) in all "
               f"{len(cases)} cases, t = 1 to {max(case[5] for case in cases)}.")
