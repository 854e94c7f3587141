"""Lesson 07's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import math

import numpy as np


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


def rosenbrock_race(momentum_steps, adam_steps):
    """``momentum_steps``, ``adam_steps``: steps to f ≤ 0.001 of the tuned runs (-1: never)."""
    momentum_first = 0 <= momentum_steps < adam_steps or adam_steps < 0
    return {
        "answer": MOMENTUM_FIRST if momentum_first else ADAM_FIRST,
        "explanation": (
            f"From the table below: SGD + momentum needs {momentum_steps} steps, Adam "
            f"{adam_steps} (−1 means not within the budget). Once plain momentum gets a tuned "
            "rate, the adaptive method has no head start on this valley: its scaling by √v̂ "
            "helps least where the valley curves, because the valley's steep direction is not "
            "a coordinate axis."),
    }


def _verdict(value, expected, what_to_check):
    """Print "Correct" or a "Not yet" that says which way the value is off and what to check."""
    if value is None:
        print(f"Not yet: no answer given. {what_to_check}")
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        print(f"Not yet: {value!r} is not a number. {what_to_check}")
        return
    if np.isclose(number, expected, rtol=1e-3):
        print("Correct")
        return
    direction = "too large" if number > expected else "too small"
    print(f"Not yet: {number:g} is {direction}. {what_to_check}")


def check_first_step(value):
    """Exercise 1: Adam's first step without bias correction, β1 = 0.9, β2 = 0.99, in units of η."""
    # The formula of section 3, written here (not the library's code).
    expected = (1 - 0.9) / math.sqrt(1 - 0.99)
    _verdict(value, expected, "With m₁ = (1-β1) g and v₁ = (1-β2) g², the step is η m₁ / √v₁; "
             "mind that β2 is 0.99 here, not 0.999.")


def check_adagrad_step(value):
    """Exercise 2: AdaGrad's 100th step for η = 0.5 and a constant gradient g = 4."""
    g, eta, t = 4.0, 0.5, 100
    expected = eta * g / math.sqrt(t * g**2)          # the update formula, written by hand
    _verdict(value, expected, "The 100th step is η g / √(s₁₀₀) with s₁₀₀ = 100 g² (the sum "
             "includes the 100th gradient).")
