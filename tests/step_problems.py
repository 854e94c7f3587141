"""Small hand-written problems for the step-size tests (independent of gradlab.functions)."""

import numpy as np


def parabola(curvature):
    """f(x) = curvature/2 · x² in one variable: value and gradient on (k, 1) points."""

    def value(points):
        return 0.5 * curvature * points[:, 0] ** 2

    def gradient(points):
        return curvature * points

    return value, gradient


def quadratic(A, b):
    """f(x) = 1/2 xᵀAx - bᵀx on (k, dim) points."""

    def value(points):
        return 0.5 * np.einsum("kd,de,ke->k", points, A, points) - points @ b

    def gradient(points):
        return points @ A - b

    return value, gradient


def rotation(angle):
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def rotated_quadratic(eigenvalues, angle):
    Q = rotation(angle)
    return Q @ np.diag(eigenvalues) @ Q.T, Q


class Counter:
    """Wrap a function of (k, dim) points and count the rows it was asked for."""

    def __init__(self, function):
        self.function = function
        self.rows = 0

    def __call__(self, points):
        self.rows += points.shape[0]
        return self.function(points)


# ---------------------------------------------------------------------------------------------
