r"""Run an optimizer from many start points at once and keep the whole trajectory.

>>> import numpy as np
>>> from gradlab.optimizers import SGD
>>> from gradlab.runner import run
>>> def gradient(points):                  # f(x) = x^2, so f'(x) = 2x
...     return 2 * points
>>> record = run(SGD(lr=np.array([0.1, 0.6, 1.1])), gradient, np.ones((3, 1)), steps=200,
...              value=lambda points: points[:, 0] ** 2)
>>> record.points.shape                    # (steps + 1, n, dim)
(201, 3, 1)
>>> record.points[:3, :, 0]                # each step multiplies x by 1 - 2 lr
array([[ 1.  ,  1.  ,  1.  ],
       [ 0.8 , -0.2 , -1.2 ],
       [ 0.64,  0.04,  1.44]])
>>> record.diverged_at                     # |1 - 2 lr| > 1 grows past the bound 1e6
array([-1, -1, 76])
>>> record.steps_to_reach(1e-6)
array([31,  5, -1])
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from gradlab.checks import check_rng

__all__ = ["Trajectory", "run"]


@dataclass(frozen=True, repr=False)
class Trajectory:
    """What :func:`run` records, step by step, for ``n`` trajectories in ``dim`` variables.

    Attributes
    ----------
    points : (steps + 1, n, dim) array
        ``points[k]`` holds every trajectory after ``k`` updates (``points[0]`` is the start).
        NaN from the step at which a trajectory diverged on.
    values : (steps + 1, n) array
        The objective at each point; all NaN when :func:`run` got no ``value`` function.
    lrs : (steps, n) array
        The learning rate used by update ``k`` (from ``points[k]`` to ``points[k + 1]``).
    diverged_at : (n,) int array
        The index ``k`` of the first bad point of each trajectory, ``-1`` if it never diverged.
    states : dict or None
        With ``record_state=True``: ``{field: (steps + 1, n, ...) array}``, the optimizer state
        before update ``k`` (``states[field][0]`` is the fresh state); NaN after divergence.
    has_values : bool
        Whether a ``value`` function was given.
    """

    points: np.ndarray
    values: np.ndarray
    lrs: np.ndarray
    diverged_at: np.ndarray
    states: dict | None = None
    has_values: bool = field(default=False)

    @property
    def steps(self) -> int:
        """The number of updates run."""
        return self.points.shape[0] - 1

    @property
    def diverged(self) -> np.ndarray:
        """``(n,)`` bool: which trajectories diverged."""
        return self.diverged_at >= 0

    @property
    def final_points(self) -> np.ndarray:
        """``(n, dim)``: where each trajectory ended (NaN for those that diverged)."""
        return self.points[-1]

    @property
    def final_values(self) -> np.ndarray:
        """``(n,)``: the objective where each trajectory ended (NaN if it diverged)."""
        return self.values[-1]

    def steps_to_reach(self, threshold) -> np.ndarray:
        """The first step index whose value is ``<= threshold``, per trajectory; -1 if never.

        Parameters
        ----------
        threshold : float

        Returns
        -------
        (n,) int array

        Raises
        ------
        ValueError
            If the run recorded no values (``run`` got no ``value`` function).
        """
        if not self.has_values:
            raise ValueError(
                "steps_to_reach needs objective values: pass value=... to run()"
            )
        threshold = float(threshold)
        reached = self.values <= threshold  # NaN compares False, so diverged steps never count
        first = np.argmax(reached, axis=0)
        return np.where(reached.any(axis=0), first, -1)

    def __repr__(self):
        _, n, dim = self.points.shape
        return (
            f"Trajectory(steps={self.steps}, n={n}, dim={dim}, "
            f"diverged={int(self.diverged.sum())})"
        )


def _check_start(start):
    try:
        points = np.array(start, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"start must be an array of numbers, got {start!r}") from None
    if points.ndim == 1:
        points = points[None, :]
    if points.ndim != 2 or 0 in points.shape:
        raise ValueError(
            "start must have shape (n, dim), one row per trajectory, or (dim,) for a single "
            f"trajectory; got shape {np.shape(start)}"
        )
    return points


def _check_output(what, result, shape):
    if np.shape(result) != shape:
        raise ValueError(
            f"{what} must return an array of shape {shape} for start points of shape "
            f"({shape[0]}, dim); got shape {np.shape(result)}"
        )


def _park(newly, k, x, x_before, alive, diverged_at, any_dead):
    """Mark rows ``newly`` as diverged at step ``k`` (in place) and park them at ``x_before``.

    Returns the points to carry on with and whether any row is now parked.
    """
    if not newly.any():
        return x, any_dead
    diverged_at[newly] = k
    alive[newly] = False
    x = x.copy()
    x[newly] = x_before[newly]
    return x, True


def run(optimizer, gradient, start, steps, *, value=None, rng=None, schedule=None, bound=1e6,
        record_state=False) -> Trajectory:
    r"""Run ``optimizer`` for ``steps`` updates from every row of ``start`` at once.

    At each step ``k`` the runner evaluates the gradient (and the value) at ``points[k]``,
    asks the schedule for the learning rate, and calls ``optimizer.update``.

    Parameters
    ----------
    optimizer : an optimizer from :mod:`gradlab.optimizers`
        Its hyperparameters are scalars or have one value per row of ``start``.
    gradient : callable
        ``gradient(points) -> (n, dim)``; with ``rng`` given, called as
        ``gradient(points, rng)`` (mini-batches, noise), so a seeded generator makes the run
        reproducible.
    start : (n, dim) array, or (dim,) for one trajectory
        Start points, one per row. A ``(dim,)`` start still gives ``points`` of shape
        ``(steps + 1, 1, dim)``.
    steps : int
        Number of updates, >= 0.
    value : callable, optional
        ``value(points) -> (n,)``, the objective, recorded at every point.
    rng : numpy.random.Generator, optional
        Passed to ``gradient`` at every step.
    schedule : callable, optional
        ``schedule(k, base_lr) -> lr`` (see :mod:`gradlab.schedules`), with ``base_lr`` the
        optimizer's ``lr``. Without it every step uses ``optimizer.lr``.
    bound : float, default 1e6
        A trajectory that leaves the box ``[-bound, bound]^dim`` counts as diverged.
    record_state : bool, default False
        Also keep the optimizer's state at every step (``Trajectory.states``).

    Returns
    -------
    Trajectory

    Notes
    -----
    A trajectory diverges at step ``k`` when ``points[k]`` is non-finite or outside the box, or
    when the gradient or value there is non-finite. From then on its points, values and
    states are NaN and it takes no further steps: the runner parks it at its last good point
    and feeds it zero gradients, so ``gradient`` and ``value`` are never called on a
    non-finite or out-of-box point and the other rows' arithmetic stays clean. No
    RuntimeWarning from this arithmetic, or from ``gradient`` and ``value``, reaches the caller.

    Examples
    --------
    >>> from gradlab.optimizers import Adam
    >>> def noisy_gradient(points, rng):   # gradient of |x|^2 plus noise
    ...     return 2 * points + rng.normal(scale=0.1, size=points.shape)
    >>> first = run(Adam(lr=0.1), noisy_gradient, [1.0, -1.0], 50,
    ...             rng=np.random.default_rng(7))
    >>> again = run(Adam(lr=0.1), noisy_gradient, [1.0, -1.0], 50,
    ...             rng=np.random.default_rng(7))
    >>> bool(np.array_equal(first.points, again.points))
    True
    """
    points = _check_start(start)
    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    if not (isinstance(bound, numbers.Real) and bound > 0):
        raise ValueError(f"bound must be a positive number (inf allowed), got {bound!r}")
    if rng is not None:
        check_rng(rng)
    steps = int(steps)
    n, dim = points.shape

    state = optimizer.init(points)
    base_lr = optimizer.lr
    track = np.full((steps + 1, n, dim), np.nan)
    values = np.full((steps + 1, n), np.nan)
    lrs = np.empty((steps, n))
    if schedule is None:
        lrs[:] = base_lr
    recorded = None
    if record_state:
        recorded = {name: np.full((steps + 1,) + np.shape(array), np.nan)
                    for name, array in state._asdict().items() if array is not None}

    diverged_at = np.full(n, -1)
    alive = np.ones(n, dtype=bool)
    any_dead = False
    x = points
    x_before = np.zeros_like(points)  # where a row that is bad from the start gets parked
    lr = None
    # One errstate for the whole loop: overflow and NaN are detected below, never warned.
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            track[k] = x
            if recorded is not None:
                for name, array in recorded.items():
                    array[k] = getattr(state, name)

            # 1. The point: finite and inside the box? (NaN fails every comparison.)
            if not (x.max() <= bound and x.min() >= -bound):
                newly = alive & ~(np.abs(x) <= bound).all(axis=1)
                x, any_dead = _park(newly, k, x, x_before, alive, diverged_at, any_dead)

            # 2. Gradient and value there: finite? (A fast test on the sums first.)
            g = None
            if k < steps:
                g = gradient(x, rng) if rng is not None else gradient(x)
                if k == 0:
                    _check_output("gradient(points)", g, (n, dim))
            if value is not None:
                v = value(x)
                if k == 0:
                    _check_output("value(points)", v, (n,))
                values[k] = v
            healthy = g is None or np.isfinite(g.sum())
            if healthy and value is not None:
                healthy = np.isfinite(values[k].sum())
            if not healthy:
                row_ok = np.isfinite(values[k]) if value is not None else np.ones(n, bool)
                if g is not None:
                    row_ok &= np.isfinite(g).all(axis=1)
                newly = alive & ~row_ok
                x, any_dead = _park(newly, k, x, x_before, alive, diverged_at, any_dead)

            if k == steps:
                break
            # 3. The update; parked rows get a zero gradient and are put back afterwards.
            if any_dead:
                g = np.where(alive[:, None], g, 0.0)
            if schedule is not None:
                lr = schedule(k, base_lr)
                lrs[k] = lr
            x_before = x
            x, state = optimizer.update(g, state, x, lr=lr)
            if any_dead:
                x = np.where(alive[:, None], x, x_before)

    if any_dead:
        after = (np.arange(steps + 1)[:, None] >= diverged_at) & (diverged_at >= 0)
        track[after] = np.nan
        values[after] = np.nan
        for array in (recorded or {}).values():
            array[after] = np.nan
    return Trajectory(points=track, values=values, lrs=lrs, diverged_at=diverged_at,
                      states=recorded, has_values=value is not None)
