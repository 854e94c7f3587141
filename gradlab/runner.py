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
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from gradlab.checks import check_rng

__all__ = ["Trajectory", "run", "run_side_by_side", "steps_to_reach"]


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


def _check_steps_and_bound(steps, bound):
    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    if not (isinstance(bound, numbers.Real) and bound > 0):
        raise ValueError(f"bound must be a positive number (inf allowed), got {bound!r}")
    return int(steps)


def _check_optimizers(optimizers):
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError("optimizers must be a non-empty dict {name: optimizer}, got "
                         f"{optimizers!r}")
    return [str(name) for name in optimizers], list(optimizers.values())


class _Rows:
    """The rows a run advances: ``m`` optimizers, each on its own copy of the ``n`` start rows.

    The points of every optimizer are stacked, ``(m * n, dim)``, so that the gradient and the
    value are called once per step for all of them; each optimizer updates its own block of
    rows. A row's arithmetic never depends on another row's, so every row follows exactly the
    path it would follow in a run of its own.
    """

    def __init__(self, optimizers, points, gradient, value, rng, bound):
        self.optimizers = optimizers
        self.n, self.dim = points.shape
        m = len(optimizers)
        self.blocks = [slice(j * self.n, (j + 1) * self.n) for j in range(m)]
        self.states = [optimizer.init(points) for optimizer in optimizers]
        self.x = points if m == 1 else np.tile(points, (m, 1))
        total = self.x.shape[0]
        self.gradient, self.value, self.rng, self.bound = gradient, value, rng, bound
        self.diverged_at = np.full(total, -1)
        self.alive = np.ones(total, dtype=bool)
        self.alive_entries = None  # alive, (total, dim), once a row has diverged
        self.x_before = np.zeros_like(self.x)  # where a row that is bad from the start is parked
        self.g = None
        self.v = None

    def _park(self, newly, k):
        """Mark rows ``newly`` as diverged at step ``k`` and park them at ``x_before``."""
        newly &= self.alive
        if not newly.any():
            return
        self.diverged_at[newly] = k
        self.alive[newly] = False
        # A full-shape mask: np.where on (total, 1) columns is several times slower.
        self.alive_entries = np.repeat(self.alive[:, None], self.dim, axis=1)
        x = self.x.copy()
        x[newly] = self.x_before[newly]
        self.x = x

    def evaluate(self, k, last):
        """Check the point, then the gradient (unless ``last``) and the value there."""
        x, bound = self.x, self.bound
        # 1. The point: finite and inside the box? (NaN fails every comparison.)
        if not (x.max() <= bound and x.min() >= -bound):
            self._park(~(np.abs(x) <= bound).all(axis=1), k)
            x = self.x
        # 2. Gradient and value there: finite? (A fast test on the sums first.)
        g = v = None
        healthy = True
        if not last:
            g = self.gradient(x, self.rng) if self.rng is not None else self.gradient(x)
            if k == 0:
                _check_output("gradient(points)", g, x.shape)
            healthy = np.isfinite(g.sum())
        if self.value is not None:
            v = self.value(x)
            if k == 0:
                _check_output("value(points)", v, x.shape[:1])
            healthy = healthy and np.isfinite(v.sum())
        if not healthy:
            row_ok = np.isfinite(v) if v is not None else np.ones(len(x), bool)
            if g is not None:
                row_ok &= np.isfinite(g).all(axis=1)
            self._park(~row_ok, k)
        self.g, self.v = g, v

    def step(self, lrs):
        """One update of every block; parked rows are put back where they were.

        A parked row's gradient (at its last good point) still goes through its optimizer:
        rows never mix, so whatever its state becomes touches no other row, and nothing of
        it is reported (its points, values and states are NaN from its divergence on).
        """
        g, x = self.g, self.x
        if len(self.blocks) == 1:
            new, self.states[0] = self.optimizers[0].update(g, self.states[0], x, lr=lrs[0])
            if self.alive_entries is not None:
                new = np.where(self.alive_entries, new, x)
        else:
            new = np.empty_like(x)
            for j, (block, optimizer) in enumerate(zip(self.blocks, self.optimizers,
                                                        strict=True)):
                new[block], self.states[j] = optimizer.update(g[block], self.states[j], x[block],
                                                              lr=lrs[j])
            if self.alive_entries is not None:
                np.copyto(new, x, where=~self.alive_entries)  # our own buffer: in place
        self.x_before, self.x = x, new

    def after_divergence(self, steps):
        """``(steps + 1, total)`` mask of the entries at or after each row's divergence."""
        diverged_at = self.diverged_at
        return (np.arange(steps + 1)[:, None] >= diverged_at) & (diverged_at >= 0)


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
    and puts it back there after every update, so ``gradient`` and ``value`` are never called
    on a non-finite or out-of-box point; rows never mix, so the other rows' numbers are those
    of a run without it. No RuntimeWarning from this arithmetic, or from ``gradient`` and
    ``value``, reaches the caller.

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
    steps = _check_steps_and_bound(steps, bound)
    if rng is not None:
        check_rng(rng)
    (record,) = _run_rows([optimizer], gradient, points, steps, value=value, rng=rng,
                          schedule=schedule, bound=bound, record_state=record_state)
    return record


def _run_rows(optimizers, gradient, points, steps, *, value, rng=None, schedule=None, bound,
              record_state=False, keep_points=True, target=None):
    """The loop behind :func:`run`, :func:`run_side_by_side` and :func:`steps_to_reach`.

    Returns one :class:`Trajectory` per optimizer, or with ``keep_points=False`` one ``(n,)``
    array per optimizer: the first step whose value is ``<= target`` (``-1``: never).
    """
    rows = _Rows(optimizers, points, gradient, value, rng, bound)
    n, dim = points.shape
    total = rows.x.shape[0]
    base_lrs = [optimizer.lr for optimizer in optimizers]
    track = values = reached_at = None
    if keep_points:
        track = np.full((steps + 1, total, dim), np.nan)
        values = np.full((steps + 1, total), np.nan)
    if target is not None:
        reached_at = np.full(total, -1)
    if schedule is None:
        # Every step uses the base rate: a read-only view, not steps x n copies of it.
        lrs = [np.broadcast_to(np.asarray(base, dtype=float), (steps, n)) for base in base_lrs]
        step_lrs = [None] * len(optimizers)
    else:
        lrs = [np.empty((steps, n)) for _ in optimizers]
    recorded = None
    if record_state:
        recorded = [{name: np.full((steps + 1,) + np.shape(array), np.nan)
                     for name, array in state._asdict().items() if array is not None}
                    for state in rows.states]

    # One errstate for the whole loop: overflow and NaN are detected, never warned.
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            if track is not None:
                track[k] = rows.x
            if recorded is not None:
                for fields, state in zip(recorded, rows.states, strict=True):
                    for name, array in fields.items():
                        array[k] = getattr(state, name)
            rows.evaluate(k, last=k == steps)
            if values is not None and rows.v is not None:
                values[k] = rows.v
            if reached_at is not None:
                # NaN compares False; a row counts only while it has not diverged.
                newly = (rows.v <= target) & (reached_at < 0)
                if newly.any():
                    newly &= rows.alive
                    reached_at[newly] = k
            if k == steps:
                break
            if schedule is not None:
                step_lrs = [schedule(k, base) for base in base_lrs]
                for array, lr in zip(lrs, step_lrs, strict=True):
                    array[k] = lr
            rows.step(step_lrs)

    if not keep_points:
        return [reached_at[block] for block in rows.blocks]
    if (rows.diverged_at >= 0).any():
        after = rows.after_divergence(steps)
        track[after] = np.nan
        values[after] = np.nan
        for fields, block in zip(recorded or [], rows.blocks, strict=False):
            for array in fields.values():
                array[after[:, block]] = np.nan
    if len(rows.blocks) == 1:  # the arrays themselves, not views of them
        return [Trajectory(points=track, values=values, lrs=lrs[0], diverged_at=rows.diverged_at,
                           states=recorded[0] if recorded is not None else None,
                           has_values=value is not None)]
    return [Trajectory(points=track[:, block], values=values[:, block], lrs=lrs[j],
                       diverged_at=rows.diverged_at[block],
                       states=recorded[j] if recorded is not None else None,
                       has_values=value is not None)
            for j, block in enumerate(rows.blocks)]


def run_side_by_side(optimizers, gradient, start, steps, *, value=None, bound=1e6):
    r"""Run several optimizers from the same start points at once: one :func:`run` each.

    Every optimizer advances its own copy of the rows of ``start``, but the gradient (and the
    value) are evaluated once per step, on all the optimizers' points stacked. With many
    optimizers and few rows that is several times faster than a :func:`run` per optimizer, and
    each row's numbers are those :func:`run` gives, bit for bit (the gradient must compute each
    row from that row alone, as every surface here does).

    Parameters
    ----------
    optimizers : dict
        ``{name: optimizer}``, each with scalar hyperparameters or one value per row of
        ``start``.
    gradient, start, steps, value, bound
        As for :func:`run`: ``gradient`` gets points of shape ``(len(optimizers) * n, dim)``.

    Returns
    -------
    dict
        ``{name: Trajectory}``, in the order of ``optimizers``.

    Examples
    --------
    >>> from gradlab.optimizers import SGD, Adam
    >>> records = run_side_by_side({"SGD": SGD(lr=0.1), "Adam": Adam(lr=0.1)},
    ...                            lambda p: 2 * p, [[1.0], [-2.0]], 3)
    >>> records["SGD"].points[:, :, 0].tolist()          # x is multiplied by 1 - 2 lr
    [[1.0, -2.0], [0.8, -1.6], [0.64, -1.28], [0.512, -1.024]]
    >>> records["Adam"].points[1, :, 0].round(6).tolist()  # the first step is lr, whatever g
    [0.9, -1.9]
    """
    names, optimizers = _check_optimizers(optimizers)
    points = _check_start(start)
    steps = _check_steps_and_bound(steps, bound)
    records = _run_rows(optimizers, gradient, points, steps, value=value, bound=bound)
    return dict(zip(names, records, strict=True))


def steps_to_reach(optimizers, gradient, start, steps, *, value, target, bound=1e6):
    r"""How many steps each optimizer needs from each start until ``value <= target``.

    The same numbers as ``run(optimizer, gradient, start, steps, value=value)
    .steps_to_reach(target)`` for every optimizer, computed side by side as in
    :func:`run_side_by_side`, but without keeping the paths: memory stays ``O(n)`` however many
    steps are run, which is what a race over many learning rates and thousands of steps needs.

    Parameters
    ----------
    optimizers : dict
        ``{name: optimizer}``.
    gradient, start, steps, bound
        As for :func:`run`.
    value : callable
        ``value(points) -> (n,)``, the objective.
    target : float
        A row has arrived at the first step whose value is ``<= target``.

    Returns
    -------
    dict
        ``{name: (n,) int array}``: the first step index whose value is ``<= target``, ``-1`` if
        none within ``steps`` (a row that diverged stops counting there).

    Examples
    --------
    >>> from gradlab.optimizers import SGD
    >>> reached = steps_to_reach({"slow": SGD(lr=0.05), "fast": SGD(lr=0.4)},
    ...                          lambda p: 2 * p, [[1.0], [10.0]], 100,
    ...                          value=lambda p: p[:, 0] ** 2, target=1e-4)
    >>> {name: steps.tolist() for name, steps in reached.items()}
    {'slow': [44, 66], 'fast': [3, 5]}
    """
    names, optimizers = _check_optimizers(optimizers)
    points = _check_start(start)
    steps = _check_steps_and_bound(steps, bound)
    if value is None:
        raise ValueError("steps_to_reach needs value=..., the objective to compare with target")
    target = float(target)
    reached = _run_rows(optimizers, gradient, points, steps, value=value, bound=bound,
                        keep_points=False, target=target)
    return dict(zip(names, reached, strict=True))
