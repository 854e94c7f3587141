r"""Gradient descent and momentum on a quadratic bowl, in closed form.

On :math:`f(x) = \tfrac12 (x - x^*)^\top A (x - x^*)` the error along each eigenvector of
:math:`A` (curvature :math:`\lambda`) evolves on its own. :func:`bowl_matrix` builds a 2×2
``A`` with a chosen condition number and tilt; the rest is the rate theory of momentum: the
error along one eigenvector follows a two-term recurrence

.. math::

    e_{k+1} = a\, e_k - c\, e_{k-1}, \qquad
    \begin{pmatrix} e_{k+1} \\ e_k \end{pmatrix} =
    \begin{pmatrix} a & -c \\ 1 & 0 \end{pmatrix}
    \begin{pmatrix} e_k \\ e_{k-1} \end{pmatrix},

with :math:`u = \eta\lambda` (learning rate times curvature) and

- heavy ball (``torch.optim.SGD(momentum=β)``): :math:`a = 1 + \beta - u`, :math:`c = \beta`;
- Nesterov (``nesterov=True``): :math:`a = (1 + \beta)(1 - u)`, :math:`c = \beta (1 - u)`.

The component shrinks, per step and in the long run, by the spectral radius of that 2×2 matrix:
the larger modulus of the roots of :math:`z^2 - a z + c` (:func:`component_rate`, in closed
form and vectorized). :func:`rate_map` is the worst rate over a grid of (learning rate,
momentum), :func:`optimal_heavy_ball` Polyak's best setting. The lesson figures built on these
are :class:`gradlab.explorers.momentum.MomentumExplorer` and
:class:`gradlab.explorers.conditioning.ConditioningExplorer`.

>>> float(component_rate(1.0, lr=0.5, momentum=0.0))       # plain GD: |1 - 0.5|
0.5
>>> float(component_rate(1.0, lr=0.5, momentum=0.81))      # complex roots: sqrt(0.81)
0.9
>>> lr, beta, rate = optimal_heavy_ball(1.0, 100.0)
>>> round(beta, 4), round(lr, 4), round(rate, 4)           # ((10-1)/(10+1))^2, (2/11)^2
(0.6694, 0.0331, 0.8182)
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "behaviour",
    "bowl_matrix",
    "component_rate",
    "critical_lrs",
    "iteration_matrix",
    "optimal_heavy_ball",
    "rate_map",
    "stable_lr_limit",
    "steps_per_tenfold",
]


def bowl_matrix(condition_number, angle=0.0, scale=1.0):
    """``A = R diag(scale, scale·κ) Rᵀ`` with ``R`` the rotation by ``angle`` (radians).

    The same matrix as :func:`gradlab.functions.quadratic_bowl` (before its 12-digit rounding).

    Parameters
    ----------
    condition_number : float
        ``κ = λmax / λmin >= 1``.
    angle : float
        Rotation of the eigen directions from the coordinate axes.
    scale : float
        ``λmin > 0``.

    Returns
    -------
    ndarray (2, 2)

    Examples
    --------
    >>> bowl_matrix(4.0, scale=0.5)
    array([[0.5, 0. ],
           [0. , 2. ]])
    """
    kappa, turn, low = (float(v) for v in (condition_number, angle, scale))
    if not (math.isfinite(kappa) and kappa >= 1):
        raise ValueError(f"condition_number must be a finite number >= 1, got {condition_number!r}")
    if not (math.isfinite(low) and low > 0):
        raise ValueError(f"scale (λmin) must be a finite number > 0, got {scale!r}")
    if not math.isfinite(turn):
        raise ValueError(f"angle must be finite (radians), got {angle!r}")
    c, s = math.cos(turn), math.sin(turn)
    rotation = np.array([[c, -s], [s, c]])
    return rotation @ np.diag([low, low * kappa]) @ rotation.T


def _coefficients(curvature, lr, momentum, nesterov):
    """``(a, c)`` of the recurrence ``e[k+1] = a e[k] - c e[k-1]``, broadcast together."""
    u = np.asarray(lr, dtype=float) * np.asarray(curvature, dtype=float)
    beta = np.asarray(momentum, dtype=float)
    if nesterov:
        return (1 + beta) * (1 - u), beta * (1 - u)
    return 1 + beta - u, beta + 0 * u


def iteration_matrix(curvature, lr, momentum, nesterov=False):
    r"""The 2×2 matrix that maps :math:`(e_k, e_{k-1})` to :math:`(e_{k+1}, e_k)`.

    Parameters
    ----------
    curvature, lr, momentum : float or array
        Eigenvalue :math:`\lambda` of the Hessian, learning rate :math:`\eta`, momentum
        :math:`\beta`; broadcast together.
    nesterov : bool
        Nesterov's variant (as ``torch.optim.SGD(nesterov=True)``) instead of the heavy ball.

    Returns
    -------
    array of shape (..., 2, 2)

    Examples
    --------
    >>> iteration_matrix(2.0, 0.1, 0.5)
    array([[ 1.3, -0.5],
           [ 1. ,  0. ]])
    """
    a, c = _coefficients(curvature, lr, momentum, nesterov)
    a, c = np.broadcast_arrays(a, c)
    matrix = np.zeros(a.shape + (2, 2))
    matrix[..., 0, 0] = a
    matrix[..., 0, 1] = -c
    matrix[..., 1, 0] = 1.0
    return matrix


def component_rate(curvature, lr, momentum, nesterov=False):
    r"""Spectral radius of :func:`iteration_matrix`: how much one eigen-component shrinks per step.

    The roots of :math:`z^2 - a z + c` are complex when :math:`a^2 < 4c` (modulus
    :math:`\sqrt c`), else real, the larger in modulus being :math:`(|a| + \sqrt{a^2 - 4c})/2`.

    Parameters
    ----------
    curvature, lr, momentum : float or array
        Broadcast together (e.g. a column of momenta against a row of learning rates).
    nesterov : bool

    Returns
    -------
    array
        The rate; ``>= 1`` means the component does not converge.

    Examples
    --------
    >>> component_rate(10.0, 0.2, 0.0)          # GD overshoots: |1 - 2| = 1, on the edge
    array(1.)
    """
    a, c = _coefficients(curvature, lr, momentum, nesterov)
    discriminant = a * a - 4 * c
    real = discriminant >= 0
    return np.where(real, (np.abs(a) + np.sqrt(np.where(real, discriminant, 0.0))) / 2,
                    np.sqrt(np.where(real, 0.0, c)))


def behaviour(curvature, lr, momentum, nesterov=False):
    """What one eigen-component does, in words.

    Returns
    -------
    str
        ``'creeps'`` (real positive root: no overshoot), ``'rings'`` (complex roots: a damped
        oscillation), ``'flips'`` (dominant root negative: the sign alternates each step) or
        ``'diverges'`` (rate >= 1). For a scalar input.

    Examples
    --------
    >>> behaviour(1.0, 0.1, 0.0), behaviour(1.0, 0.1, 0.9), behaviour(1.0, 1.5, 0.0)
    ('creeps', 'rings', 'flips')
    """
    a, c = _coefficients(curvature, lr, momentum, nesterov)
    a, c = float(a), float(c)
    if float(component_rate(curvature, lr, momentum, nesterov)) >= 1:
        return "diverges"
    if a * a < 4 * c:
        return "rings"
    return "creeps" if a >= 0 else "flips"


def stable_lr_limit(curvature, momentum, nesterov=False):
    r"""The largest learning rate for which a component of curvature ``λ`` still converges.

    Heavy ball: :math:`2(1 + \beta)/\lambda`. Nesterov: :math:`2(1 + \beta)/((1 + 2\beta)\lambda)`.
    With :math:`\beta = 0` both are gradient descent's :math:`2/\lambda`.

    Examples
    --------
    >>> float(stable_lr_limit(10.0, 0.5)), float(stable_lr_limit(10.0, 0.5, nesterov=True))
    (0.3, 0.15)
    """
    beta = np.asarray(momentum, dtype=float)
    limit = 2 * (1 + beta) / np.asarray(curvature, dtype=float)
    return limit / (1 + 2 * beta) if nesterov else limit


def critical_lrs(curvature, momentum, nesterov=False):
    r"""The learning rates between which a component rings (complex roots).

    Heavy ball: :math:`(1 \mp \sqrt\beta)^2/\lambda`. Nesterov:
    :math:`((1-\beta)/(1+\beta))^2/\lambda` and :math:`1/\lambda`.

    Returns
    -------
    (low, high) : arrays broadcast like ``momentum``

    Examples
    --------
    >>> low, high = critical_lrs(1.0, 0.25)
    >>> float(low), float(high)
    (0.25, 2.25)
    """
    beta = np.asarray(momentum, dtype=float)
    curvature = np.asarray(curvature, dtype=float)
    if nesterov:
        return ((1 - beta) / (1 + beta)) ** 2 / curvature, np.ones_like(beta) / curvature
    return (1 - np.sqrt(beta)) ** 2 / curvature, (1 + np.sqrt(beta)) ** 2 / curvature


def rate_map(curvatures, lrs, momenta, nesterov=False):
    """The worst component rate on a grid: ``rates[i, j]`` for ``momenta[i]`` and ``lrs[j]``.

    Parameters
    ----------
    curvatures : sequence of float
        The Hessian's eigenvalues (all positive).
    lrs, momenta : 1-D arrays
    nesterov : bool

    Returns
    -------
    (len(momenta), len(lrs)) array

    Examples
    --------
    >>> rate_map([1.0, 4.0], [0.1, 0.4, 0.6], [0.0]).round(2)   # GD: max(|1-0.1|,|1-0.4|) ...
    array([[0.9, 0.6, 1.4]])
    """
    curvatures = np.asarray(curvatures, dtype=float).reshape(-1, 1, 1)
    if curvatures.size == 0 or not np.all(curvatures > 0):
        raise ValueError(f"curvatures must be positive numbers, got {curvatures.ravel()}")
    lrs = np.asarray(lrs, dtype=float).reshape(1, 1, -1)
    momenta = np.asarray(momenta, dtype=float).reshape(1, -1, 1)
    return component_rate(curvatures, lrs, momenta, nesterov).max(axis=0)


def optimal_heavy_ball(smallest, largest):
    r"""Polyak's best heavy-ball setting for curvatures in ``[smallest, largest]``.

    .. math::

        \beta^* = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2, \quad
        \eta^* = \left(\frac{2}{\sqrt{\lambda_{max}} + \sqrt{\lambda_{min}}}\right)^2, \quad
        \rho^* = \sqrt{\beta^*}, \qquad \kappa = \lambda_{max}/\lambda_{min}.

    Returns
    -------
    (lr, momentum, rate) : floats

    References
    ----------
    B. T. Polyak (1964). Some methods of speeding up the convergence of iteration methods.
    USSR Computational Mathematics and Mathematical Physics 4(5).
    """
    if not 0 < smallest <= largest:
        raise ValueError(f"need 0 < smallest <= largest, got {smallest}, {largest}")
    root = math.sqrt(largest / smallest)
    beta = ((root - 1) / (root + 1)) ** 2
    lr = (2 / (math.sqrt(largest) + math.sqrt(smallest))) ** 2
    return lr, beta, math.sqrt(beta)


def steps_per_tenfold(rate):
    """Steps to shrink the error tenfold at rate ρ per step: ln 10 / (−ln ρ).

    ``inf`` for ρ >= 1 (no convergence), 0 for ρ = 0.

    Examples
    --------
    >>> steps_per_tenfold(np.array([0.1, 0.5, 1.0, 0.0])).round(3)
    array([1.   , 3.322,   inf, 0.   ])
    """
    rate = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.where(rate < 1, math.log(10) / -np.log(np.where(rate < 1, rate, 0.5)), np.inf)
    return np.where(rate <= 0, 0.0, steps)
