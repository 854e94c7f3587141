"""Search for one constant learning rate: grid search, random search, the range test.

:func:`grid_search_lr` and :func:`random_search_lr` run every candidate learning rate in one
vectorized :func:`gradlab.runner.run` and keep the best; :func:`lr_range_test` is Smith's
learning-rate range test, one run whose rate grows every step. Each returns a small frozen
record that holds the whole run as a :class:`gradlab.runner.Trajectory`. Choosing a new step at
every iteration instead is :mod:`gradlab.linesearch`.

Shapes follow ``docs/design.md``: a point is ``(dim,)``, a batch of points ``(n, dim)``, a
trajectory ``(steps + 1, n, dim)``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradlab.checks import as_rows, check_int, check_positive, check_rng
from gradlab.runner import Trajectory, run

__all__ = [
    "LearningRateSearch",
    "RangeTestRecord",
    "grid_search_lr",
    "random_search_lr",
    "lr_range_test",
]

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
        ``f`` at the last point of each trajectory (NaN where it diverged): the trajectory's.
    diverged : ndarray of bool, shape (k,)
        Which trajectories diverged (see :func:`gradlab.runner.run`): the trajectory's.
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
    best_index: int | None
    best_lr: float
    best_value: float
    trajectory: Trajectory
    gradient_evaluations: int

    @property
    def final_values(self) -> np.ndarray:
        """``f`` at the last point of each trajectory, shape ``(k,)`` (NaN where it diverged)."""
        return self.trajectory.final_values

    @property
    def diverged(self) -> np.ndarray:
        """Which trajectories diverged, shape ``(k,)``."""
        return self.trajectory.diverged


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
    rows, single = as_rows("start", start)
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
    steps = check_int("steps", steps)
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
    # The runner makes every value of a diverged trajectory NaN, so the finite ones are usable.
    final_values = trajectory.final_values
    usable = np.isfinite(final_values)
    if usable.any():
        best_index = int(np.flatnonzero(usable)[np.argmin(final_values[usable])])
        best_lr, best_value = float(lrs[best_index]), float(final_values[best_index])
    else:
        best_index, best_lr, best_value = None, float("nan"), float("nan")
    return LearningRateSearch(
        lrs=lrs,
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
    bound = check_positive("bound", bound)
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
    low = check_positive("low", low)
    high = check_positive("high", high)
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
    trials = check_int("trials", trials)
    check_rng(rng)
    bound = check_positive("bound", bound)
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
    lr_min = check_positive("lr_min", lr_min)
    lr_max = check_positive("lr_max", lr_max)
    if not lr_min < lr_max:
        raise ValueError(
            f"lr_min must be smaller than lr_max, got lr_min={lr_min!r}, lr_max={lr_max!r}"
        )
    steps = check_int("steps", steps, minimum=2)
    if isinstance(smoothing, bool) or not isinstance(smoothing, numbers.Real):
        raise TypeError(f"smoothing must be a real number in [0, 1), got {smoothing!r}")
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must satisfy 0 <= smoothing < 1, got {smoothing!r}")
    stop_factor = check_positive("stop_factor", stop_factor)
    if not stop_factor > 1.0:
        raise ValueError(f"stop_factor must be > 1, got {stop_factor!r}")
    bound = check_positive("bound", bound)
    starts, _ = as_rows("start", start)

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
