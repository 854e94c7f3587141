"""Lesson 00's checks. Answer them in the lesson first: this file gives the answers away."""


def negative_gradient_direction():
    return {
        "answer": "left, toward smaller x",
        "explanation": (
            r"The slope is $f'(2) = 2 \cdot 2 = 4$, positive: $f$ rises to the right. Its "
            r"negative, $-4$, points left, downhill toward the minimum at $x = 0$. That "
            r"is the direction gradient descent steps in."),
        "hints": {
            "right, toward larger x": "That is the way the gradient itself points: uphill.",
            "nowhere: it is zero there": "The slope is zero only at the bottom, x = 0.",
        },
    }


def first_step():
    return {
        "answer": 2 - 0.25 * (2 * 2),
        "explanation": (
            r"$f'(2) = 4$, so the step is $-0.25 \cdot 4 = -1$ and $x_1 = 1$. Each step on "
            r"this parabola multiplies $x$ by $1 - 2\eta = 0.5$: halfway to the bottom, "
            r"every time. Move `lr` close to 0.25 and `x0` to 2 in the first figure "
            r"to see it."),
    }
