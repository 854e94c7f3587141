"""Ways to choose the step size (learning rate) of gradient descent.

Two families live here:

- **Line searches** pick a new step at every iteration by looking along the search direction:
  :func:`backtracking_line_search` (the Armijo sufficient-decrease rule) and, for a quadratic
  ``f(x) = 1/2 x^T A x - b^T x``, the exact minimiser along the line
  (:func:`exact_line_search_step`). :func:`descend_with_backtracking` and
  :func:`descend_with_exact_line_search` use them to run whole descents.
- **Searches over one constant learning rate**: :func:`grid_search_lr` and
  :func:`random_search_lr` (every candidate in one vectorized run) and Smith's learning-rate
  range test :func:`lr_range_test`.

Each function returns a small frozen record holding the arrays a notebook plots.

Shapes follow ``docs/design.md``: a point is ``(dim,)``, a batch of points ``(n, dim)``, a
trajectory ``(steps + 1, n, dim)``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradlab.runner import Trajectory, run

__all__ = [
    "LineSearchRecord",
    "DescentRecord",
    "ExactDescentRecord",
    "backtracking_line_search",
    "descend_with_backtracking",
    "exact_line_search_step",
    "descend_with_exact_line_search",
    "LearningRateSearch",
    "RangeTestRecord",
    "grid_search_lr",
    "random_search_lr",
    "lr_range_test",
]


# --------------------------------------------------------------------------------------------
# Validation helpers: each error names the argument, the value it got and what is allowed.
# --------------------------------------------------------------------------------------------


def _check_open_unit(name: str, number) -> float:
    """Return ``number`` as a float after checking ``0 < number < 1``."""
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(f"{name} must be a real number in (0, 1), got {number!r}")
    number = float(number)
    if not 0.0 < number < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {number!r}")
    return number


def _check_positive(name: str, number) -> float:
    """Return ``number`` as a float after checking it is finite and ``> 0``."""
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(f"{name} must be a positive real number, got {number!r}")
    number = float(number)
    if not (np.isfinite(number) and number > 0.0):
        raise ValueError(f"{name} must be a finite number > 0, got {number!r}")
    return number


def _check_count(name: str, number, *, minimum: int = 1) -> int:
    """Return ``number`` as an int after checking it is an integer ``>= minimum``."""
    if isinstance(number, bool) or not isinstance(number, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {number!r}")
    if number < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {number!r}")
    return int(number)


def _as_rows(name: str, array) -> tuple[np.ndarray, bool]:
    """Return ``array`` as finite rows ``(n, dim)`` and whether it was a single ``(dim,)`` point."""
    try:
        rows = np.array(array, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers, got {array!r}") from error
    if rows.ndim not in (1, 2) or rows.shape[-1] == 0 or rows.size == 0:
        raise ValueError(
            f"{name} must have shape (dim,) or (n, dim) with n, dim >= 1, got shape {rows.shape}"
        )
    if not np.all(np.isfinite(rows)):
        raise ValueError(f"{name} must be finite, got {array!r}")
    single = rows.ndim == 1
    return (rows[np.newaxis, :] if single else rows), single


def _call_value(value: Callable, points: np.ndarray) -> np.ndarray:
    """Evaluate ``value`` on ``(k, dim)`` points and check that it returns ``(k,)``."""
    # Trial points may overflow on purpose; a non-finite value simply fails the test it is in.
    with np.errstate(all="ignore"):
        result = np.asarray(value(points), dtype=float)
    if result.shape != points.shape[:1]:
        raise ValueError(
            f"value(points) must return shape {points.shape[:1]} for points of shape "
            f"{points.shape}, got shape {result.shape}"
        )
    return result


def _call_gradient(gradient: Callable, points: np.ndarray) -> np.ndarray:
    """Evaluate ``gradient`` on ``(k, dim)`` points and check that it returns ``(k, dim)``."""
    with np.errstate(all="ignore"):
        result = np.asarray(gradient(points), dtype=float)
    if result.shape != points.shape:
        raise ValueError(
            f"gradient(points) must return shape {points.shape} for points of shape "
            f"{points.shape}, got shape {result.shape}"
        )
    return result


# --------------------------------------------------------------------------------------------
# Backtracking (Armijo) line search
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineSearchRecord:
    """What one backtracking line search did, for a table or a picture of the shrinking steps.

    For a single point ``(dim,)`` the per-row fields below are scalars and the trial arrays are
    ``(trials,)``; for a batch ``(n, dim)`` they are ``(n,)`` and ``(trials, n)``.

    Attributes
    ----------
    step : float or ndarray
        The accepted step ``t`` (``0.0`` where no trial was accepted or the gradient vanished).
    point : ndarray
        The new point ``x + t d``, shape like the input point.
    value : float or ndarray
        ``f(x + t d)`` at the accepted step (``f(x)`` where the point did not move).
    trial_steps : ndarray
        Every step tried, in order: ``initial_step * shrink**k``. NaN once a row had accepted.
    trial_values : ndarray
        ``f(x + t d)`` for each trial step (NaN where no trial was made).
    satisfied : bool or ndarray
        Whether the Armijo condition was met within ``max_trials`` (``True`` for a row whose
        gradient is exactly zero: there is nothing to search).
    value_at_point : float or ndarray
        ``f(x)``.
    slope : float or ndarray
        The directional derivative ``∇f(x)·d`` (negative for a descent direction).
    direction : ndarray
        The search direction ``d`` used, shape like the input point.
    c : float
        The sufficient-decrease constant, so the Armijo line ``f(x) + c t ∇f(x)·d`` can be drawn.
    value_evaluations : int or ndarray
        Calls of ``value`` per row (the trials, plus one for ``f(x)`` unless it was passed in).
    gradient_evaluations : int or ndarray
        Calls of ``gradient`` per row (``1``, or ``0`` when ``gradient_at_point`` was passed in).
    """

    step: float | np.ndarray
    point: np.ndarray
    value: float | np.ndarray
    trial_steps: np.ndarray
    trial_values: np.ndarray
    satisfied: bool | np.ndarray
    value_at_point: float | np.ndarray
    slope: float | np.ndarray
    direction: np.ndarray
    c: float
    value_evaluations: int | np.ndarray
    gradient_evaluations: int | np.ndarray


def _search_directions(direction, gradients, point):
    """Rows of the search direction: steepest descent ``-grad f`` unless one is given."""
    if direction is None:
        return -gradients
    directions, _ = _as_rows("direction", direction)
    if directions.shape != gradients.shape:
        raise ValueError(
            f"direction must have the shape of point {np.shape(point)}, got shape "
            f"{np.shape(direction)}"
        )
    return directions


def backtracking_line_search(
    value: Callable,
    gradient: Callable,
    point,
    direction=None,
    *,
    initial_step: float = 1.0,
    shrink: float = 0.5,
    c: float = 1e-4,
    max_trials: int = 50,
    value_at_point=None,
    gradient_at_point=None,
) -> LineSearchRecord:
    r"""Shrink a trial step until it gives sufficient decrease (the Armijo condition).

    Starting from ``t = initial_step``, the step is multiplied by ``shrink`` until

    .. math::

        f(x + t\,d) \le f(x) + c\, t\, \nabla f(x)^\top d ,

    i.e. until the actual decrease is at least a fraction ``c`` of the decrease that the
    tangent line promises. With ``d = -∇f(x)`` (the default) the right-hand side is
    ``f(x) - c t ||∇f(x)||²``.

    Parameters
    ----------
    value : callable
        ``value(points) -> (k,)`` for points of shape ``(k, dim)``.
    gradient : callable
        ``gradient(points) -> (k, dim)``.
    point : array_like, shape (dim,) or (n, dim)
        Where to search from. A batch of ``n`` rows is searched row by row in one vectorized
        loop: each row keeps its own step and stops shrinking once it is accepted.
    direction : array_like, optional
        Search direction, same shape as ``point``; default ``-∇f(point)``. It must be a descent
        direction (``∇f(x)·d < 0``) in every row.
    initial_step : float, default 1.0
        First trial step ``t0 > 0``.
    shrink : float, default 0.5
        Factor ``0 < shrink < 1`` applied after each rejected trial.
    c : float, default 1e-4
        Sufficient-decrease constant, ``0 < c < 1``.
    max_trials : int, default 50
        Most trial steps per row. A row that has not met the condition by then does not move
        (``step = 0``) and is reported with ``satisfied = False``.
    value_at_point, gradient_at_point : array_like, optional
        ``f(point)`` and ``∇f(point)`` when already known (a descent loop reuses them); they are
        then not recomputed or counted.

    Returns
    -------
    LineSearchRecord
        The accepted step, the new point and value, every trial step with its value, and the
        number of function and gradient evaluations.

    Raises
    ------
    ValueError
        For a non-descent ``direction`` (``∇f·d >= 0``), ``shrink`` or ``c`` outside ``(0, 1)``,
        a non-finite ``f(point)`` or ``∇f(point)``, or shapes that do not match.

    Notes
    -----
    A non-finite trial value (overflow, a point outside the domain) counts as a rejected trial,
    so the search also retreats from regions where ``f`` is undefined.

    References
    ----------
    .. [1] L. Armijo, "Minimization of functions having Lipschitz continuous first partial
       derivatives", Pacific J. Math. 16(1), 1966.
    .. [2] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Algorithm 3.1.

    Examples
    --------
    On ``f(x) = x²`` from ``x = 1`` the full step ``t = 1`` lands on ``x = -1`` (no decrease),
    so the search halves it once and lands on the minimum:

    >>> import numpy as np
    >>> record = backtracking_line_search(
    ...     lambda p: p[:, 0] ** 2, lambda p: 2 * p, np.array([1.0]))
    >>> record.step, record.point, record.trial_steps
    (0.5, array([0.]), array([1. , 0.5]))
    """
    initial_step = _check_positive("initial_step", initial_step)
    shrink = _check_open_unit("shrink", shrink)
    c = _check_open_unit("c", c)
    max_trials = _check_count("max_trials", max_trials)
    points, single = _as_rows("point", point)
    n = points.shape[0]

    value_evaluations = np.zeros(n, dtype=int)
    gradient_evaluations = np.zeros(n, dtype=int)
    if value_at_point is None:
        start_values = _call_value(value, points)
        value_evaluations += 1
    else:
        start_values = np.array(value_at_point, dtype=float).reshape(-1)
        if start_values.shape != (n,):
            raise ValueError(
                f"value_at_point must hold one value per row ({n}), got shape "
                f"{np.shape(value_at_point)}"
            )
    if not np.all(np.isfinite(start_values)):
        raise ValueError(f"f(point) must be finite to search from it, got {start_values}")
    if gradient_at_point is None:
        gradients = _call_gradient(gradient, points)
        gradient_evaluations += 1
    else:
        gradients = np.array(gradient_at_point, dtype=float)
        if gradients.size != points.size:
            raise ValueError(
                f"gradient_at_point must have the shape of point {np.shape(point)}, got shape "
                f"{np.shape(gradient_at_point)}"
            )
        gradients = gradients.reshape(points.shape)
    if not np.all(np.isfinite(gradients)):
        raise ValueError(f"the gradient at point must be finite, got {gradients}")

    directions = _search_directions(direction, gradients, point)
    slopes = np.einsum("nd,nd->n", gradients, directions)
    if direction is not None and np.any(slopes >= 0):
        row = int(np.flatnonzero(slopes >= 0)[0])
        raise ValueError(
            "direction is not a descent direction: it needs gradient·direction < 0, but row "
            f"{row} has gradient·direction = {float(slopes[row])!r}"
        )

    # A row with zero gradient (default direction) is already stationary: nothing to search.
    active = slopes < 0
    satisfied = ~active
    trial = np.full(n, initial_step)
    steps = np.zeros(n)
    new_values = start_values.copy()
    trial_steps, trial_values = [], []
    for _ in range(max_trials):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        with np.errstate(all="ignore"):
            candidates = points[rows] + trial[rows, np.newaxis] * directions[rows]
        candidate_values = _call_value(value, candidates)
        value_evaluations[rows] += 1
        trial_steps.append(np.where(active, trial, np.nan))
        recorded = np.full(n, np.nan)
        recorded[rows] = candidate_values
        trial_values.append(recorded)
        # NaN or inf compares False here, so such a trial is rejected.
        with np.errstate(all="ignore"):
            armijo = candidate_values <= start_values[rows] + c * trial[rows] * slopes[rows]
        accepted = rows[armijo]
        steps[accepted] = trial[accepted]
        new_values[accepted] = candidate_values[armijo]
        satisfied[accepted] = True
        active[accepted] = False
        trial[rows[~armijo]] *= shrink

    new_points = points + steps[:, np.newaxis] * directions
    trial_steps = np.array(trial_steps).reshape(-1, n)
    trial_values = np.array(trial_values).reshape(-1, n)
    if single:
        return LineSearchRecord(
            step=float(steps[0]),
            point=new_points[0],
            value=float(new_values[0]),
            trial_steps=trial_steps[:, 0],
            trial_values=trial_values[:, 0],
            satisfied=bool(satisfied[0]),
            value_at_point=float(start_values[0]),
            slope=float(slopes[0]),
            direction=directions[0],
            c=c,
            value_evaluations=int(value_evaluations[0]),
            gradient_evaluations=int(gradient_evaluations[0]),
        )
    return LineSearchRecord(
        step=steps,
        point=new_points,
        value=new_values,
        trial_steps=trial_steps,
        trial_values=trial_values,
        satisfied=satisfied,
        value_at_point=start_values,
        slope=slopes,
        direction=directions,
        c=c,
        value_evaluations=value_evaluations,
        gradient_evaluations=gradient_evaluations,
    )


@dataclass(frozen=True)
class DescentRecord:
    """A gradient descent whose every step was chosen by backtracking.

    Attributes
    ----------
    points : ndarray, shape (steps + 1, n, dim)
        The iterates; a row that stopped keeps its last point.
    values : ndarray, shape (steps + 1, n)
        ``f`` at each iterate.
    step_sizes : ndarray, shape (steps, n)
        The accepted step of each iteration (NaN after a row stopped).
    trials : ndarray, shape (steps, n)
        How many trial steps each iteration needed (0 after a row stopped).
    value_evaluations : ndarray, shape (steps + 1, n)
        Calls of ``value`` so far, per row (row 0 counts ``f(start)``): plot ``values`` against
        it to compare the cost of methods.
    gradient_evaluations : ndarray, shape (steps + 1, n)
        Calls of ``gradient`` so far, per row.
    stopped_at : ndarray of int, shape (n,)
        The iteration at which a row stopped (``-1`` if it ran all ``steps``): its gradient was
        exactly zero or not finite, or no trial step met the Armijo condition.
    """

    points: np.ndarray
    values: np.ndarray
    step_sizes: np.ndarray
    trials: np.ndarray
    value_evaluations: np.ndarray
    gradient_evaluations: np.ndarray
    stopped_at: np.ndarray

    @property
    def final_points(self) -> np.ndarray:
        """The last iterate of each row, shape ``(n, dim)``."""
        return self.points[-1]

    @property
    def final_values(self) -> np.ndarray:
        """``f`` at the last iterate of each row, shape ``(n,)``."""
        return self.values[-1]


def descend_with_backtracking(
    value: Callable,
    gradient: Callable,
    start,
    steps: int,
    *,
    initial_step: float = 1.0,
    shrink: float = 0.5,
    c: float = 1e-4,
    max_trials: int = 50,
) -> DescentRecord:
    r"""Run steepest descent, choosing every step by Armijo backtracking.

    Each iteration computes ``g = ∇f(x_k)`` once, calls :func:`backtracking_line_search` along
    ``d = -g`` starting from ``initial_step``, and moves to ``x_{k+1} = x_k - t_k g``. The
    value at the accepted point is reused as ``f(x_{k+1})``, so an iteration costs one gradient
    and as many function evaluations as trials.

    Parameters
    ----------
    value : callable
        ``value(points) -> (k,)`` for points ``(k, dim)``.
    gradient : callable
        ``gradient(points) -> (k, dim)``.
    start : array_like, shape (dim,) or (n, dim)
        Start point(s); a single ``(dim,)`` start is one row (``n = 1``).
    steps : int
        Number of iterations, ``>= 1``.
    initial_step, shrink, c, max_trials
        As in :func:`backtracking_line_search`.

    Returns
    -------
    DescentRecord
        Iterates, values, accepted steps, trials per step, cumulative function and gradient
        evaluations, and where each row stopped.

    Notes
    -----
    Near a minimum the decrease ``f(x) - f(x + t d)`` falls to rounding level, and the Armijo
    test can then fail for every trial; such a row stops (see ``stopped_at``) instead of
    spending evaluations on steps it cannot verify.

    Examples
    --------
    >>> import numpy as np
    >>> record = descend_with_backtracking(
    ...     lambda p: np.sum(p**2, axis=-1), lambda p: 2 * p, np.array([3.0, -4.0]), steps=2)
    >>> record.points[:, 0]
    array([[ 3., -4.],
           [ 0.,  0.],
           [ 0.,  0.]])
    >>> record.stopped_at  # the gradient is exactly zero after the first step
    array([1])
    """
    steps = _check_count("steps", steps)
    # Check the search settings once, before any evaluation.
    _check_positive("initial_step", initial_step)
    _check_open_unit("shrink", shrink)
    _check_open_unit("c", c)
    _check_count("max_trials", max_trials)
    points, _ = _as_rows("start", start)
    n, dim = points.shape

    all_points = np.empty((steps + 1, n, dim))
    all_values = np.empty((steps + 1, n))
    step_sizes = np.full((steps, n), np.nan)
    trials = np.zeros((steps, n), dtype=int)
    value_evaluations = np.zeros((steps + 1, n), dtype=int)
    gradient_evaluations = np.zeros((steps + 1, n), dtype=int)
    stopped_at = np.full(n, -1)

    current_values = _call_value(value, points)
    if not np.all(np.isfinite(current_values)):
        raise ValueError(f"f(start) must be finite, got {current_values}")
    all_points[0], all_values[0] = points, current_values
    value_evaluations[0] = 1
    active = np.ones(n, dtype=bool)
    for k in range(steps):
        value_evaluations[k + 1] = value_evaluations[k]
        gradient_evaluations[k + 1] = gradient_evaluations[k]
        rows = np.flatnonzero(active)
        if rows.size:
            gradients = _call_gradient(gradient, points[rows])
            gradient_evaluations[k + 1, rows] += 1
            usable = np.all(np.isfinite(gradients), axis=1) & np.any(gradients != 0, axis=1)
            stopped_at[rows[~usable]] = k
            active[rows[~usable]] = False
            rows, gradients = rows[usable], gradients[usable]
        if rows.size:
            search = backtracking_line_search(
                value,
                gradient,
                points[rows],
                initial_step=initial_step,
                shrink=shrink,
                c=c,
                max_trials=max_trials,
                value_at_point=current_values[rows],
                gradient_at_point=gradients,
            )
            moved = rows[search.satisfied]
            points[moved] = search.point[search.satisfied]
            current_values[moved] = search.value[search.satisfied]
            step_sizes[k, moved] = search.step[search.satisfied]
            trials[k, rows] = search.value_evaluations
            value_evaluations[k + 1, rows] += search.value_evaluations
            stopped_at[rows[~search.satisfied]] = k
            active[rows[~search.satisfied]] = False
        all_points[k + 1], all_values[k + 1] = points, current_values
    return DescentRecord(
        points=all_points,
        values=all_values,
        step_sizes=step_sizes,
        trials=trials,
        value_evaluations=value_evaluations,
        gradient_evaluations=gradient_evaluations,
        stopped_at=stopped_at,
    )


# --------------------------------------------------------------------------------------------
# Exact line search on a quadratic
# --------------------------------------------------------------------------------------------


def _check_quadratic(A, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate ``A`` (symmetric positive definite) and ``b``; return them with A's eigenvalues."""
    try:
        matrix = np.array(A, dtype=float)
        vector = np.array(b, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"A and b must be arrays of numbers, got A={A!r}, b={b!r}") from error
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"A must be a square (dim, dim) matrix, got shape {matrix.shape}")
    if vector.shape != matrix.shape[:1]:
        raise ValueError(f"b must have shape {matrix.shape[:1]} to match A, got {vector.shape}")
    if not (np.all(np.isfinite(matrix)) and np.all(np.isfinite(vector))):
        raise ValueError("A and b must be finite")
    scale = max(np.max(np.abs(matrix)), np.finfo(float).tiny)
    if not np.allclose(matrix, matrix.T, rtol=0.0, atol=1e-12 * scale):
        raise ValueError(f"A must be symmetric, got A = {matrix.tolist()}")
    eigenvalues = np.linalg.eigvalsh(matrix)
    if eigenvalues[0] <= 0:
        raise ValueError(
            "A must be positive definite (a quadratic with a minimum along every line), but its "
            f"smallest eigenvalue is {float(eigenvalues[0])!r}"
        )
    return matrix, vector, eigenvalues


def exact_line_search_step(A, b, point, direction=None):
    r"""The step that minimises the quadratic ``f(x) = 1/2 xᵀAx - bᵀx`` along a line.

    With ``g = ∇f(x) = Ax - b``, the function along the line is the parabola
    ``φ(t) = f(x + t d) = f(x) + t gᵀd + (t²/2) dᵀAd``; setting ``φ'(t) = 0`` gives

    .. math::

        t^* = -\frac{g^\top d}{d^\top A d},
        \qquad\text{and for } d = -g:\qquad t^* = \frac{g^\top g}{g^\top A g}.

    Parameters
    ----------
    A : array_like, shape (dim, dim)
        Symmetric positive definite matrix.
    b : array_like, shape (dim,)
    point : array_like, shape (dim,) or (n, dim)
    direction : array_like, optional
        Same shape as ``point``; default ``-g`` (steepest descent).

    Returns
    -------
    float or ndarray of shape (n,)
        ``t*`` per row; ``0.0`` where the direction is zero (at the minimiser, for ``d = -g``).
        For an ascent direction (``gᵀd > 0``) ``t*`` is negative: the minimiser lies behind.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.diag([1.0, 10.0])
    >>> exact_line_search_step(A, np.zeros(2), np.array([1.0, 0.0]))  # along an eigenvector: 1/λ
    1.0
    """
    matrix, vector, _ = _check_quadratic(A, b)
    points, single = _as_rows("point", point)
    if points.shape[1] != matrix.shape[0]:
        raise ValueError(
            f"point must have last axis of length {matrix.shape[0]} to match A, got shape "
            f"{np.shape(point)}"
        )
    gradients = points @ matrix - vector  # A is symmetric, so rows of (A x - b)
    directions = _search_directions(direction, gradients, point)
    slopes = np.einsum("nd,nd->n", gradients, directions)
    curvatures = np.einsum("nd,de,ne->n", directions, matrix, directions)
    with np.errstate(all="ignore"):
        steps = np.where(curvatures > 0, -slopes / curvatures, 0.0)
    return float(steps[0]) if single else steps


@dataclass(frozen=True)
class ExactDescentRecord:
    """Steepest descent on ``f(x) = 1/2 xᵀAx - bᵀx`` with the exact step at every iteration.

    Attributes
    ----------
    points : ndarray, shape (steps + 1, n, dim)
        The iterates (the zig-zag).
    values : ndarray, shape (steps + 1, n)
        ``f`` at each iterate.
    gradients : ndarray, shape (steps + 1, n, dim)
        ``Ax - b`` at each iterate; consecutive gradients are orthogonal.
    step_sizes : ndarray, shape (steps, n)
        ``t_k = g_kᵀg_k / g_kᵀAg_k``.
    minimizer : ndarray, shape (dim,)
        ``x* = A⁻¹b``.
    minimum_value : float
        ``f* = -1/2 bᵀA⁻¹b``.
    condition_number : float
        ``κ = λmax / λmin`` of ``A``.
    rate_bound : float
        ``((κ - 1)/(κ + 1))²``: the guaranteed factor by which ``f - f*`` shrinks per step.
    """

    points: np.ndarray
    values: np.ndarray
    gradients: np.ndarray
    step_sizes: np.ndarray
    minimizer: np.ndarray
    minimum_value: float
    condition_number: float
    rate_bound: float


def descend_with_exact_line_search(A, b, start, steps: int) -> ExactDescentRecord:
    r"""Steepest descent on a quadratic, each step the exact minimiser along ``-∇f``.

    .. math::

        g_k = A x_k - b, \qquad t_k = \frac{g_k^\top g_k}{g_k^\top A g_k}, \qquad
        x_{k+1} = x_k - t_k g_k .

    Because ``t_k`` minimises ``f`` along the line, the new gradient is orthogonal to the old
    one (``g_{k+1}ᵀ g_k = 0``): the path zig-zags at right angles. The error in ``f`` shrinks at
    least by the Kantorovich factor

    .. math::

        f(x_{k+1}) - f^* \le \left(\frac{\kappa - 1}{\kappa + 1}\right)^2 (f(x_k) - f^*),

    with equality at every step from the worst start, ``x_0 - x^* ∝ (1/λ_min) u_min +
    (1/λ_max) u_max`` (``u`` the unit eigenvectors).

    Parameters
    ----------
    A : array_like, shape (dim, dim)
        Symmetric positive definite matrix.
    b : array_like, shape (dim,)
    start : array_like, shape (dim,) or (n, dim)
        Start point(s); a ``(dim,)`` start is one row.
    steps : int
        Number of iterations, ``>= 1``.

    Returns
    -------
    ExactDescentRecord

    References
    ----------
    .. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Section 3.3
       (Theorem 3.3).

    Examples
    --------
    >>> import numpy as np
    >>> record = descend_with_exact_line_search(np.eye(2), np.zeros(2), [1.0, 2.0], steps=1)
    >>> record.points[-1, 0]  # κ = 1: one exact step reaches the minimum
    array([0., 0.])
    """
    matrix, vector, eigenvalues = _check_quadratic(A, b)
    steps = _check_count("steps", steps)
    points, _ = _as_rows("start", start)
    n, dim = points.shape
    if dim != matrix.shape[0]:
        raise ValueError(
            f"start must have last axis of length {matrix.shape[0]} to match A, got shape "
            f"{np.shape(start)}"
        )

    all_points = np.empty((steps + 1, n, dim))
    all_points[0] = points
    step_sizes = np.empty((steps, n))
    for k in range(steps):
        gradients = points @ matrix - vector
        curvatures = np.einsum("nd,de,ne->n", gradients, matrix, gradients)
        with np.errstate(all="ignore"):
            # Exactly at the minimiser g = 0 and there is nowhere to go.
            step_sizes[k] = np.where(
                curvatures > 0, np.einsum("nd,nd->n", gradients, gradients) / curvatures, 0.0
            )
        points = points - step_sizes[k, :, np.newaxis] * gradients
        all_points[k + 1] = points

    with np.errstate(all="ignore"):
        values = (
            0.5 * np.einsum("knd,de,kne->kn", all_points, matrix, all_points) - all_points @ vector
        )
    minimizer = np.linalg.solve(matrix, vector)
    kappa = float(eigenvalues[-1] / eigenvalues[0])
    return ExactDescentRecord(
        points=all_points,
        values=values,
        gradients=all_points @ matrix - vector,
        step_sizes=step_sizes,
        minimizer=minimizer,
        minimum_value=float(-0.5 * vector @ minimizer),
        condition_number=kappa,
        rate_bound=((kappa - 1.0) / (kappa + 1.0)) ** 2,
    )


# --------------------------------------------------------------------------------------------
# Searching over one constant learning rate: every candidate in one vectorized run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearningRateSearch:
    """The outcome of a grid or random search over the learning rate.

    Attributes
    ----------
    lrs : ndarray, shape (k,)
        The candidate learning rates, one trajectory each.
    final_values : ndarray, shape (k,)
        ``f`` at the last point of each trajectory (NaN where it diverged).
    diverged : ndarray of bool, shape (k,)
        Which trajectories diverged (see :func:`gradlab.runner.run`).
    best_index : int or None
        Index of the lowest finite final value, ``None`` if every candidate diverged.
    best_lr : float
        ``lrs[best_index]`` (NaN if every candidate diverged).
    best_value : float
        ``final_values[best_index]`` (NaN if every candidate diverged).
    trajectory : gradlab.runner.Trajectory
        The whole vectorized run: ``points`` ``(steps + 1, k, dim)``, ``values``, ...
    gradient_evaluations : int
        Rows for which ``gradient`` was called, summed over all calls: the cost of the search.
    """

    lrs: np.ndarray
    final_values: np.ndarray
    diverged: np.ndarray
    best_index: int | None
    best_lr: float
    best_value: float
    trajectory: Trajectory
    gradient_evaluations: int


def _check_lrs(name: str, lrs) -> np.ndarray:
    """Return candidate learning rates as a 1-D float array of finite positive numbers."""
    try:
        array = np.array(lrs, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a 1-D array of numbers, got {lrs!r}") from error
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
    bad = ~(np.isfinite(array) & (array > 0))
    if bad.any():
        raise ValueError(
            f"{name} must hold finite learning rates > 0, got {float(array[bad][0])!r} "
            f"at index {int(np.flatnonzero(bad)[0])}"
        )
    return array


def _check_start_point(start) -> np.ndarray:
    """Return one start point ``(dim,)`` (finite)."""
    rows, single = _as_rows("start", start)
    if not single:
        raise ValueError(
            f"start must be one point of shape (dim,); it is repeated once per learning rate. "
            f"Got shape {np.shape(start)}"
        )
    return rows[0]


def _build_optimizer(make_optimizer: Callable, lr):
    """Call ``make_optimizer(lr=lr)`` and check that the result has ``init`` and ``update``."""
    if not callable(make_optimizer):
        raise TypeError(
            "make_optimizer must be an optimizer class such as SGD or a callable "
            f"lr -> optimizer, got {make_optimizer!r}"
        )
    optimizer = make_optimizer(lr=lr)
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        raise TypeError(
            "make_optimizer(lr=...) must return an optimizer with init and update methods, "
            f"got {optimizer!r}"
        )
    return optimizer


def _counting(gradient: Callable) -> tuple[Callable, list[int]]:
    """Wrap ``gradient`` so that the rows it is asked for are counted in ``count[0]``."""
    count = [0]

    def counted(points, *rng):
        count[0] += int(np.prod(np.shape(points)[:-1]))
        return gradient(points, *rng)

    return counted, count


def _search(make_optimizer, gradient, value, start, lrs, steps, rng, schedule, bound):
    """Run one trajectory per learning rate from the same start; collect the record."""
    steps = _check_count("steps", steps)
    point = _check_start_point(start)
    if not callable(gradient):
        raise TypeError(f"gradient must be callable, got {gradient!r}")
    if not callable(value):
        raise TypeError(f"value must be callable, got {value!r}")
    optimizer = _build_optimizer(make_optimizer, lrs)
    counted_gradient, count = _counting(gradient)
    starts = np.repeat(point[np.newaxis, :], lrs.size, axis=0)
    trajectory = run(
        optimizer,
        counted_gradient,
        starts,
        steps,
        value=value,
        rng=rng,
        schedule=schedule,
        bound=bound,
    )
    diverged = np.asarray(trajectory.diverged_at) >= 0
    final_values = np.where(diverged, np.nan, np.asarray(trajectory.final_values, dtype=float))
    usable = np.isfinite(final_values)
    if usable.any():
        best_index = int(np.flatnonzero(usable)[np.argmin(final_values[usable])])
        best_lr, best_value = float(lrs[best_index]), float(final_values[best_index])
    else:
        best_index, best_lr, best_value = None, float("nan"), float("nan")
    return LearningRateSearch(
        lrs=lrs,
        final_values=final_values,
        diverged=diverged,
        best_index=best_index,
        best_lr=best_lr,
        best_value=best_value,
        trajectory=trajectory,
        gradient_evaluations=count[0],
    )


def grid_search_lr(
    make_optimizer: Callable,
    gradient: Callable,
    value: Callable,
    start,
    lrs,
    steps: int,
    *,
    rng: np.random.Generator | None = None,
    schedule: Callable | None = None,
    bound: float = 1e6,
) -> LearningRateSearch:
    r"""Try every learning rate of a grid in one vectorized run and keep the best.

    The start point is repeated once per candidate, the optimizer is built with the whole
    array as its learning rate (``make_optimizer(lr=lrs)``), and :func:`gradlab.runner.run`
    moves all trajectories together for ``steps`` steps. The best candidate is the one with
    the lowest final value :math:`f(x_T)` among those that did not diverge. The cost is
    at most ``len(lrs) × steps`` gradient evaluations, counted as the rows actually passed to
    ``gradient`` (the runner keeps evaluating diverged rows at their parked point, so with it
    the count is exactly ``len(lrs) × steps``).

    Parameters
    ----------
    make_optimizer : callable
        Called as ``make_optimizer(lr=lrs)``: an optimizer class (``SGD``, ``Adam``, ...), a
        ``functools.partial`` of one with other settings fixed, or any callable returning an
        object with ``init`` and ``update``.
    gradient : callable
        ``gradient(points) -> (n, dim)``, or ``gradient(points, rng)`` when ``rng`` is given.
    value : callable
        ``value(points) -> (n,)``: the loss compared between candidates.
    start : array_like, shape (dim,)
        The one start point every candidate begins from.
    lrs : array_like, shape (k,)
        Candidate learning rates, finite and ``> 0`` (e.g. ``np.geomspace(1e-3, 1, 50)``).
    steps : int
        Steps per trajectory, ``>= 1``.
    rng : numpy.random.Generator, optional
        Passed to the runner for a stochastic gradient.
    schedule : callable, optional
        ``schedule(step, base_lr) -> lr``, applied to every candidate (``base_lr`` is ``lrs``).
    bound : float, default 1e6
        A trajectory with a coordinate outside ``[-bound, bound]`` counts as diverged.

    Returns
    -------
    LearningRateSearch

    Notes
    -----
    For plain gradient descent on a quadratic with Hessian eigenvalues
    :math:`\lambda_{\min} \le \dots \le \lambda_{\max}` each eigen-component of the error is
    multiplied by :math:`1 - \eta\lambda_i` per step, so the search should find
    :math:`\eta^* \approx 2/(\lambda_{\min} + \lambda_{\max})` (where the slowest components
    contract equally fast) and see every :math:`\eta > 2/\lambda_{\max}` diverge.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.optimizers import SGD
    >>> search = grid_search_lr(
    ...     SGD, lambda p: 4 * p, lambda p: 2 * np.sum(p**2, axis=-1), np.array([1.0]),
    ...     lrs=[0.05, 0.25, 0.45, 0.75], steps=50)
    >>> search.best_lr, search.diverged.tolist()  # 2/λ = 0.5 is the stability bound
    (0.25, [False, False, False, True])
    """
    lrs = _check_lrs("lrs", lrs)
    bound = _check_positive("bound", bound)
    return _search(make_optimizer, gradient, value, start, lrs, steps, rng, schedule, bound)


def random_search_lr(
    make_optimizer: Callable,
    gradient: Callable,
    value: Callable,
    start,
    low: float,
    high: float,
    trials: int,
    steps: int,
    *,
    rng: np.random.Generator,
    gradient_rng: np.random.Generator | None = None,
    schedule: Callable | None = None,
    bound: float = 1e6,
) -> LearningRateSearch:
    r"""Try ``trials`` learning rates drawn log-uniformly from ``[low, high]``, in one run.

    Each candidate is :math:`\eta = \exp(u)` with :math:`u \sim U(\ln \mathrm{low},
    \ln \mathrm{high})`, so every decade gets the same share of the trials. The candidates are
    sorted (ascending) and then searched exactly as in :func:`grid_search_lr`.

    Parameters
    ----------
    make_optimizer, gradient, value, start, steps, schedule, bound
        As in :func:`grid_search_lr`.
    low, high : float
        The range of learning rates, ``0 < low < high``.
    trials : int
        How many learning rates to draw, ``>= 1``.
    rng : numpy.random.Generator
        Draws the candidates (seed it for a reproducible search).
    gradient_rng : numpy.random.Generator, optional
        Passed to the runner for a stochastic gradient ``gradient(points, rng)``.

    Returns
    -------
    LearningRateSearch

    References
    ----------
    .. [1] J. Bergstra and Y. Bengio, "Random search for hyper-parameter optimization",
       JMLR 13, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.optimizers import SGD
    >>> search = random_search_lr(
    ...     SGD, lambda p: 4 * p, lambda p: 2 * np.sum(p**2, axis=-1), np.array([1.0]),
    ...     low=1e-3, high=1.0, trials=20, steps=50, rng=np.random.default_rng(0))
    >>> bool(0.1 < search.best_lr < 0.5)
    True
    """
    low = _check_positive("low", low)
    high = _check_positive("high", high)
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
    trials = _check_count("trials", trials)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {rng!r}"
        )
    bound = _check_positive("bound", bound)
    lrs = np.sort(np.exp(rng.uniform(np.log(low), np.log(high), size=trials)))
    return _search(
        make_optimizer, gradient, value, start, lrs, steps, gradient_rng, schedule, bound
    )


# --------------------------------------------------------------------------------------------
# The learning-rate range test
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RangeTestRecord:
    """What a learning-rate range test recorded, up to where it stopped.

    Attributes
    ----------
    lrs : ndarray, shape (m,)
        The learning rate of each step taken (``m`` = steps recorded, up to the stop).
    losses : ndarray, shape (m,)
        The loss right after the step with ``lrs[t]`` (mean over the start points; ``inf``
        once a trajectory diverged).
    smoothed_losses : ndarray, shape (m,)
        Exponentially smoothed, bias-corrected losses.
    suggested_lr : float
        ``lr_steepest`` (NaN if fewer than three finite points were recorded).
    lr_steepest : float
        Where the smoothed loss falls fastest against ``log(lr)``.
    lr_min_over_10 : float
        A tenth of the learning rate at the lowest smoothed loss.
    stopped_at : int or None
        Index into ``lrs`` of the step at which the smoothed loss first exceeded the stop
        threshold (or became non-finite); ``None`` if it never did.
    trajectory : gradlab.runner.Trajectory
        The whole run, including any steps after the stop.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    suggested_lr: float
    lr_steepest: float
    lr_min_over_10: float
    stopped_at: int | None
    trajectory: Trajectory


def lr_range_test(
    make_optimizer: Callable,
    gradient: Callable,
    value: Callable,
    start,
    lr_min: float,
    lr_max: float,
    steps: int,
    *,
    rng: np.random.Generator | None = None,
    smoothing: float = 0.98,
    stop_factor: float = 4.0,
    bound: float = 1e6,
) -> RangeTestRecord:
    r"""Smith's learning-rate range test: raise the rate every step and watch the loss.

    One run (or one small batch of start points) trains for ``steps`` steps while the rate
    grows geometrically from ``lr_min`` to ``lr_max``:

    .. math::

        \eta_t = \eta_{\min} \left(\frac{\eta_{\max}}{\eta_{\min}}\right)^{t/(T-1)},
        \qquad t = 0, \dots, T-1 .

    The loss :math:`L_t` after step :math:`t` (mean over the start points) is smoothed with an
    exponential moving average and its start-up bias removed:

    .. math::

        a_t = \beta a_{t-1} + (1 - \beta) L_t, \quad a_{-1} = 0, \qquad
        \hat L_t = \frac{a_t}{1 - \beta^{t+1}} .

    The test stops at the first :math:`t` where :math:`\hat L_t` exceeds
    ``stop_factor`` times the best smoothed loss so far (written
    :math:`\hat L_{best} + (\text{stop\_factor} - 1)|\hat L_{best}|`, which is the same for
    positive losses and stays meaningful for negative ones), or is not finite.

    Two suggestions are returned, both read off the smoothed curve before the stop:

    - ``lr_steepest`` (the ``suggested_lr``): where :math:`d\hat L / d\ln\eta` is most
      negative, i.e. where raising the rate still helps the most;
    - ``lr_min_over_10``: a tenth of the rate at the lowest smoothed loss, a safer rule of
      thumb, since the minimum itself is already near the edge of stability.

    Parameters
    ----------
    make_optimizer : callable
        Called as ``make_optimizer(lr=lr_min)``; the rate is then overridden every step.
    gradient : callable
        ``gradient(points) -> (n, dim)``, or ``gradient(points, rng)`` when ``rng`` is given
        (a stochastic gradient: mini-batches or noise).
    value : callable
        ``value(points) -> (n,)``: the loss that is recorded.
    start : array_like, shape (dim,) or (n, dim)
        One start point or a small batch (their losses are averaged).
    lr_min, lr_max : float
        The range, ``0 < lr_min < lr_max``.
    steps : int
        Number of steps ``T >= 2`` (one per learning rate).
    rng : numpy.random.Generator, optional
        Passed to the runner for a stochastic gradient; seed it for a reproducible test.
    smoothing : float, default 0.98
        The averaging factor :math:`\beta`, ``0 <= smoothing < 1`` (0: no smoothing).
    stop_factor : float, default 4.0
        Stop when the smoothed loss exceeds this many times the best one; ``> 1``.
    bound : float, default 1e6
        Passed to the runner: leaving ``[-bound, bound]`` counts as diverging.

    Returns
    -------
    RangeTestRecord

    Notes
    -----
    The whole run is computed (the runner stops diverged trajectories on its own); the record
    is cut after the stop. The loss at step ``t`` is measured *after* the update with
    :math:`\eta_t`, so on ``f(x) = a x²/2`` with plain gradient descent
    :math:`L_t = L_{t-1}(1 - \eta_t a)^2`: the loss rises exactly when :math:`\eta_t > 2/a`.

    References
    ----------
    .. [1] L. N. Smith, "Cyclical learning rates for training neural networks", WACV 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.optimizers import SGD
    >>> test = lr_range_test(
    ...     SGD, lambda p: 2 * p, lambda p: np.sum(p**2, axis=-1), np.array([1.0]),
    ...     lr_min=1e-3, lr_max=10.0, steps=100)
    >>> bool(test.suggested_lr < 1.0 < test.lrs[test.stopped_at])  # 2/a = 1 for f = x²
    True
    """
    lr_min = _check_positive("lr_min", lr_min)
    lr_max = _check_positive("lr_max", lr_max)
    if not lr_min < lr_max:
        raise ValueError(
            f"lr_min must be smaller than lr_max, got lr_min={lr_min!r}, lr_max={lr_max!r}"
        )
    steps = _check_count("steps", steps, minimum=2)
    if isinstance(smoothing, bool) or not isinstance(smoothing, numbers.Real):
        raise TypeError(f"smoothing must be a real number in [0, 1), got {smoothing!r}")
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must satisfy 0 <= smoothing < 1, got {smoothing!r}")
    stop_factor = _check_positive("stop_factor", stop_factor)
    if not stop_factor > 1.0:
        raise ValueError(f"stop_factor must be > 1, got {stop_factor!r}")
    bound = _check_positive("bound", bound)
    starts, _ = _as_rows("start", start)

    lrs = np.geomspace(lr_min, lr_max, steps)
    multipliers = lrs / lr_min

    def geometric(step, base_lr):
        return base_lr * multipliers[step]

    optimizer = _build_optimizer(make_optimizer, lr_min)
    trajectory = run(
        optimizer, gradient, starts, steps, value=value, rng=rng, schedule=geometric, bound=bound
    )
    after_step = np.asarray(trajectory.values, dtype=float)[1:]  # (steps, n)
    with np.errstate(all="ignore"):
        losses = np.where(
            np.all(np.isfinite(after_step), axis=1), np.mean(after_step, axis=1), np.inf
        )
        smoothed = np.empty(steps)
        average = 0.0
        for t, loss in enumerate(losses):
            average = smoothing * average + (1.0 - smoothing) * loss
            smoothed[t] = average / (1.0 - smoothing ** (t + 1))
        best = np.minimum.accumulate(np.where(np.isfinite(smoothed), smoothed, np.inf))
        blown_up = ~np.isfinite(smoothed) | (smoothed > best + (stop_factor - 1.0) * np.abs(best))
    stopped_at = int(np.argmax(blown_up)) if blown_up.any() else None
    kept = steps if stopped_at is None else stopped_at + 1
    lrs, losses, smoothed = lrs[:kept], losses[:kept], smoothed[:kept]

    # The suggestions come from the healthy part of the curve, before the stop.
    healthy = kept if stopped_at is None else stopped_at
    lr_steepest = lr_min_over_10 = float("nan")
    if healthy >= 1:
        lr_min_over_10 = float(lrs[np.argmin(smoothed[:healthy])] / 10.0)
    if healthy >= 3:
        slopes = np.gradient(smoothed[:healthy], np.log(lrs[:healthy]))
        lr_steepest = float(lrs[np.argmin(slopes)])
    return RangeTestRecord(
        lrs=lrs,
        losses=losses,
        smoothed_losses=smoothed,
        suggested_lr=lr_steepest,
        lr_steepest=lr_steepest,
        lr_min_over_10=lr_min_over_10,
        stopped_at=stopped_at,
        trajectory=trajectory,
    )
