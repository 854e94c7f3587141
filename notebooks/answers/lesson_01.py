"""Lesson 01's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import numpy as np
import sympy

from gradlab.functions import Objective, himmelblau
from gradlab.models import LinearRegression
from gradlab.symbolic import partial

from answers.common import say

# The tilted bowl of sections 2 to 5, rebuilt here so the checks do not lean on the lesson.
_BOWL = "x^2 + x*y + 2*y^2"


def partial_in_y():
    """Section 2: ∂f/∂y of f = x²y at (1, 2)."""
    x, y = sympy.symbols("x y", real=True)
    d_dy = partial("x^2*y", "y")
    value = float(d_dy.subs({x: 1, y: 2}))
    return {
        "answer": value,
        "explanation": (
            f"With $x$ held fixed, $x^2 y$ is the constant $x^2$ times $y$, so "
            f"$\\partial f/\\partial y = {sympy.latex(d_dy)}$. At $x = 1$ that is "
            f"${value:g}$, whatever $y$ is: the slice along $y$ is a straight line."),
    }


def arrows_and_the_centre():
    """Section 4: do the tilted bowl's gradient arrows point straight away from its minimum?"""
    return {
        "answer": "only along two special lines",
        "hints": {
            "yes, everywhere": ("That holds for a round bowl, whose contours are circles. "
                                "These contours are tilted ellipses."),
            "nowhere": "Look along the long and short axes of the ellipses.",
        },
        "explanation": (
            "The gradient always crosses the contour lines at a right angle. The contours "
            "here are tilted ellipses, so the right-angle direction points away from the "
            "centre only on the ellipses' long and short axes. Everywhere else the way "
            "uphill (and the way downhill) misses the centre: the steepest way down is "
            "not the shortest way to the minimum."),
    }


def angle_of_zero_slope():
    """Section 5: the angle between u and ∇f at which the slope along u is zero."""
    return {
        "answer": "90°",
        "hints": {
            "0°": "At 0° you walk straight up the gradient: the steepest slope, not zero.",
            "45°": "cos 45° is about 0.71, so you still climb at 71 % of the steepest rate.",
            "180°": "At 180° you walk straight down: the steepest descent, slope −|∇f|.",
        },
        "explanation": (
            "The slope is $|\\nabla f| \\cos\\theta$, and $\\cos 90^\\circ = 0$. At a "
            "right angle to the gradient you walk along the contour line, neither up nor "
            "down (and at $-90^\\circ$ too, along the contour the other way)."),
    }


def check_gradient(answer):
    """Exercise 1: ∇f of x² + xy + 2y² at (−1, 2), compared with sympy's derivatives."""
    x, y = sympy.symbols("x y", real=True)
    expected = [float(partial(_BOWL, v).subs({x: -1, y: 2})) for v in ("x", "y")]
    if answer is None:
        return say("Not yet: set my_gradient to a pair of numbers, e.g. (1.0, 2.0)")
    elif np.allclose(answer, expected, atol=1e-9):
        return say("Correct")
    else:
        return say(f"Not yet: {tuple(answer)} is not the gradient; compute ∂f/∂x = 2x + y and "
                   "∂f/∂y = x + 4y at x = −1, y = 2")


def check_descent_direction(u):
    """Exercise 2: the unit vector of steepest descent of the tilted bowl at (1, 0.5)."""
    if u is None:
        return say("Not yet: set my_direction to a vector of length 1")
    u = np.asarray(u, dtype=float)
    g = Objective.from_text(_BOWL, window=(-2, 2)).gradient([1.0, 0.5])
    if not np.isclose(np.linalg.norm(u), 1.0, atol=1e-6):
        return say(f"Not yet: a direction has length 1; yours has length {np.linalg.norm(u):.4f}")
    elif np.isclose(u @ g, -np.linalg.norm(g), atol=1e-6):
        return say(f"Correct: the slope along it is {u @ g:.4f}, the lowest possible")
    else:
        return say(f"Not yet: the slope along your direction is {u @ g:.4f}; some direction goes "
                   "down faster")


def check_best_fit(w_value, b_value, data):
    """Exercise 3: the line (w, b) where the loss on ``data`` (section 6's points) is flat."""
    if w_value is None or b_value is None:
        return say("Not yet: set best_w and best_b")
    slope, intercept = np.polyfit(data.X[:, 0], data.y, 1)  # least squares, found another way
    if np.allclose([w_value, b_value], [slope, intercept], atol=1e-6):
        return say("Correct")
    else:
        gradient = LinearRegression(n_features=1).gradient(np.array([w_value, b_value]),
                                                           data.X, data.y)
        return say(f"Not yet: at ({w_value:.4f}, {b_value:.4f}) the gradient is "
                   f"{np.round(gradient, 4)}, not zero")


def _stationary_near(surface, point, iterations=30):
    """The stationary point Newton's method reaches from ``point`` (None when it does not)."""
    q = np.array(point, dtype=float)
    for _ in range(iterations):
        try:
            q = q - np.linalg.solve(surface.hessian(q), surface.gradient(q))
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(q)):
            return None
    return q if np.linalg.norm(surface.gradient(q)) < 1e-8 else None


def check_flat_point(point):
    """Exercise 4: a point of Himmelblau's function where the slope is zero in every direction."""
    if point is None:
        return say("Not yet: set flat_point to a point (x, y), e.g. one row of himmelblau().minima")
    p = np.asarray(point, dtype=float)
    if p.shape != (2,):
        return say(f"Not yet: a point is two numbers (x, y); yours has shape {p.shape}")
    surface = himmelblau()
    size = float(np.linalg.norm(surface.gradient(p)))
    here = f"({p[0]:g}, {p[1]:g})"
    flat = _stationary_near(surface, p)
    if flat is not None and np.linalg.norm(flat - p) < 1e-2:
        curvatures = np.linalg.eigvalsh(surface.hessian(flat))
        kind = ("a minimum" if curvatures.min() > 0 else
                "a maximum" if curvatures.max() < 0 else "a saddle point")
        return say(f"Correct: {here} is {kind} (to the decimals given): ∇f = 0 there, so the "
                   "slope |∇f| cos θ is 0 in every direction and the curve is flat")
    elif flat is not None and np.linalg.norm(flat - p) < 0.3:
        return say(f"Not yet: {here} is close to the flat point ({flat[0]:.3f}, {flat[1]:.3f}) "
                   f"but |∇f| is still {size:.3g} there: copy more decimals")
    else:
        return say(f"Not yet: at {here} |∇f| = {size:.3g}, so the slope curve swings between "
                   f"−{size:.3g} and +{size:.3g}; look for a point where ∇f = 0 in "
                   "himmelblau().minima or himmelblau().saddles")
