"""Line searches: choose the step of gradient descent anew at every iteration.

:func:`backtracking_line_search` shrinks a trial step until the Armijo sufficient-decrease rule
holds; for a quadratic ``f(x) = 1/2 x^T A x - b^T x`` :func:`exact_line_search_step` gives the
exact minimiser along the line. :func:`descend_with_backtracking` and
:func:`descend_with_exact_line_search` use them to run whole descents and return a
:class:`gradlab.runner.Trajectory` whose ``lrs`` are the steps chosen, with what each search
cost. Searching for one constant learning rate instead is :mod:`gradlab.lr_search`.

Shapes follow ``docs/design.md``: a point is ``(dim,)``, a batch of points ``(n, dim)``, a
trajectory ``(steps + 1, n, dim)``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradlab.checks import as_rows, check_int, check_positive
from gradlab.runner import Trajectory

__all__ = [
    "LineSearchRecord",
    "DescentRecord",
    "ExactDescentRecord",
    "backtracking_line_search",
    "descend_with_backtracking",
    "exact_line_search_step",
    "descend_with_exact_line_search",
]


# --------------------------------------------------------------------------------------------
# Validation helpers: each error names the argument, the value it got and what is allowed.
# The checks gradlab.lr_search needs too (check_positive, check_int, as_rows) are in gradlab.checks.
# --------------------------------------------------------------------------------------------


def _check_open_unit(name: str, number) -> float:
    """Return ``number`` as a float after checking ``0 < number < 1``."""
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise TypeError(f"{name} must be a real number in (0, 1), got {number!r}")
    number = float(number)
    if not 0.0 < number < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {number!r}")
    return number


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
    directions, _ = as_rows("direction", direction)
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
    initial_step = check_positive("initial_step", initial_step)
    shrink = _check_open_unit("shrink", shrink)
    c = _check_open_unit("c", c)
    max_trials = check_int("max_trials", max_trials)
    points, single = as_rows("point", point)
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


@dataclass(frozen=True, repr=False, kw_only=True)
class DescentRecord(Trajectory):
    """A gradient descent whose every step was chosen by backtracking.

    A :class:`gradlab.runner.Trajectory` (``points``, ``values``, ``final_points``,
    ``final_values``, ``steps_to_reach``, ...) whose ``lrs`` are the accepted steps, with what
    the searches cost. No row diverges (``diverged_at`` is ``-1``): a row that cannot go on
    stops instead, see ``stopped_at``.

    Attributes
    ----------
    points : ndarray, shape (steps + 1, n, dim)
        The iterates; a row that stopped keeps its last point.
    values : ndarray, shape (steps + 1, n)
        ``f`` at each iterate.
    lrs : ndarray, shape (steps, n)
        The accepted step of each iteration (NaN after a row stopped); also ``step_sizes``.
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

    trials: np.ndarray
    value_evaluations: np.ndarray
    gradient_evaluations: np.ndarray
    stopped_at: np.ndarray

    @property
    def step_sizes(self) -> np.ndarray:
        """The accepted step of each iteration, shape ``(steps, n)``: the same array as ``lrs``."""
        return self.lrs


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
    steps = check_int("steps", steps)
    # Check the search settings once, before any evaluation.
    check_positive("initial_step", initial_step)
    _check_open_unit("shrink", shrink)
    _check_open_unit("c", c)
    check_int("max_trials", max_trials)
    points, _ = as_rows("start", start)
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
        lrs=step_sizes,
        diverged_at=np.full(n, -1),
        has_values=True,
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
    points, single = as_rows("point", point)
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


@dataclass(frozen=True, repr=False, kw_only=True)
class ExactDescentRecord(Trajectory):
    """Steepest descent on ``f(x) = 1/2 xᵀAx - bᵀx`` with the exact step at every iteration.

    A :class:`gradlab.runner.Trajectory` (``points``, ``values``, ``final_points``,
    ``final_values``, ``steps_to_reach``, ...) whose ``lrs`` are the exact steps, with what the
    quadratic's algebra adds. No row diverges (``diverged_at`` is ``-1``).

    Attributes
    ----------
    points : ndarray, shape (steps + 1, n, dim)
        The iterates (the zig-zag).
    values : ndarray, shape (steps + 1, n)
        ``f`` at each iterate.
    lrs : ndarray, shape (steps, n)
        ``t_k = g_kᵀg_k / g_kᵀAg_k``; also ``step_sizes``.
    gradients : ndarray, shape (steps + 1, n, dim)
        ``Ax - b`` at each iterate; consecutive gradients are orthogonal.
    minimizer : ndarray, shape (dim,)
        ``x* = A⁻¹b``.
    minimum_value : float
        ``f* = -1/2 bᵀA⁻¹b``.
    condition_number : float
        ``κ = λmax / λmin`` of ``A``.
    rate_bound : float
        ``((κ - 1)/(κ + 1))²``: the guaranteed factor by which ``f - f*`` shrinks per step.
    """

    gradients: np.ndarray
    minimizer: np.ndarray
    minimum_value: float
    condition_number: float
    rate_bound: float

    @property
    def step_sizes(self) -> np.ndarray:
        """The exact step of each iteration, shape ``(steps, n)``: the same array as ``lrs``."""
        return self.lrs


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
    steps = check_int("steps", steps)
    points, _ = as_rows("start", start)
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
        lrs=step_sizes,
        diverged_at=np.full(n, -1),
        has_values=True,
        gradients=all_points @ matrix - vector,
        minimizer=minimizer,
        minimum_value=float(-0.5 * vector @ minimizer),
        condition_number=kappa,
        rate_bound=((kappa - 1.0) / (kappa + 1.0)) ** 2,
    )
