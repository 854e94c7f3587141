"""Mini-batches: which samples each gradient step looks at.

Full-batch, stochastic and mini-batch gradient descent are one algorithm with a different
batch size, and here they are one piece of code:

==========================  ====================================
``batch_size == n_samples``  full batch: every step sees all data
``batch_size == 1``          stochastic: one sample per step
anything in between         mini-batch
==========================  ====================================

:class:`MiniBatchSampler` hands out index arrays; :func:`stochastic_gradient` wraps a model and
its data into the ``gradient(points, rng)`` callable that :func:`gradlab.runner.run` expects.
"""

from __future__ import annotations

import math

import numpy as np

from gradlab.checks import check_int, check_rng

__all__ = ["MiniBatchSampler", "StochasticGradient", "stochastic_gradient"]


class MiniBatchSampler:
    """Draw mini-batches of sample indices, epoch after epoch, from a seeded generator.

    Parameters
    ----------
    n_samples : int
        Size of the data set; indices run over ``0 .. n_samples - 1``.
    batch_size : int
        Indices per batch: ``n_samples`` gives full-batch descent, 1 stochastic descent.
        Without replacement it may not exceed ``n_samples``.
    rng : numpy.random.Generator
        Drives every random choice; the sampler keeps it and advances it as it draws.
    shuffle : bool
        Without replacement: visit the samples in a fresh random order each epoch (True) or
        in index order (False).
    replace : bool
        False: each epoch is a permutation cut into batches, so every sample is seen exactly
        once per epoch. True: every batch is ``batch_size`` indices drawn independently and
        uniformly, so a batch may repeat a sample and an epoch may miss some.
    drop_last : bool
        Drop the last, smaller batch of an epoch when ``batch_size`` does not divide
        ``n_samples`` (with replacement all batches are full, and this only sets the number
        of batches per epoch).

    Attributes
    ----------
    batches_per_epoch : int
        ``ceil(n_samples / batch_size)``, or ``floor`` with ``drop_last`` (at least 1).
    epochs_started, batches_drawn : int
        Counters for :meth:`next_batch`, e.g. to label a plot's x-axis in epochs.

    Examples
    --------
    >>> import numpy as np
    >>> sampler = MiniBatchSampler(5, 2, rng=np.random.default_rng(0), shuffle=False)
    >>> [batch.tolist() for batch in sampler.epoch()]
    [[0, 1], [2, 3], [4]]
    >>> full = MiniBatchSampler(5, 5, rng=np.random.default_rng(0))
    >>> sorted(full.next_batch().tolist())
    [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        n_samples: int,
        batch_size: int,
        *,
        rng: np.random.Generator,
        shuffle: bool = True,
        replace: bool = False,
        drop_last: bool = False,
    ):
        self.n_samples = check_int("n_samples", n_samples)
        self.batch_size = check_int("batch_size", batch_size)
        check_rng(rng)
        for name, flag in (("shuffle", shuffle), ("replace", replace), ("drop_last", drop_last)):
            if not isinstance(flag, bool | np.bool_):
                raise TypeError(f"{name} must be True or False; got {flag!r}")
        if not replace and self.batch_size > self.n_samples:
            raise ValueError(
                f"batch_size={self.batch_size} is larger than n_samples={self.n_samples}; "
                f"without replacement a batch holds at most n_samples indices "
                f"(use batch_size={self.n_samples} for full batch, or replace=True)"
            )
        if replace and not shuffle:
            raise ValueError(
                "replace=True draws random indices, so shuffle=False cannot be honoured; "
                "use shuffle=True with replace=True, or replace=False for a fixed order"
            )
        self.rng = rng
        self.shuffle = bool(shuffle)
        self.replace = bool(replace)
        self.drop_last = bool(drop_last)
        if self.drop_last:
            self.batches_per_epoch = max(self.n_samples // self.batch_size, 1)
        else:
            self.batches_per_epoch = math.ceil(self.n_samples / self.batch_size)
        self.epochs_started = 0
        self.batches_drawn = 0
        self._pending: list[np.ndarray] = []

    def __repr__(self) -> str:
        return (
            f"MiniBatchSampler(n_samples={self.n_samples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, replace={self.replace}, drop_last={self.drop_last})"
        )

    def _draw_epoch(self) -> list[np.ndarray]:
        """The batches of one epoch, drawn now from ``self.rng``."""
        n, size = self.n_samples, self.batch_size
        if self.replace:
            return [self.rng.integers(0, n, size) for _ in range(self.batches_per_epoch)]
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        starts = range(0, self.batches_per_epoch * size, size)
        return [order[start : start + size] for start in starts]

    def epoch(self):
        """Yield the index arrays of one fresh epoch (independent of :meth:`next_batch`)."""
        yield from self._draw_epoch()

    def next_batch(self) -> np.ndarray:
        """The next batch of indices, starting a new epoch when the current one is used up."""
        if not self._pending:
            self._pending = self._draw_epoch()
            self.epochs_started += 1
        self.batches_drawn += 1
        return self._pending.pop(0)


class StochasticGradient:
    """``gradient(points, rng=None)``: the model's gradient on the next mini-batch.

    Made by :func:`stochastic_gradient`; see there. ``last_batch`` holds the indices of the
    batch used by the most recent call (``None`` before the first), so a notebook can show
    which samples a step looked at.
    """

    def __init__(self, model, X, y, sampler: MiniBatchSampler):
        if not isinstance(sampler, MiniBatchSampler):
            raise TypeError(f"sampler must be a MiniBatchSampler; got {type(sampler).__name__}")
        X = np.asarray(X)
        if X.ndim == 0 or X.shape[0] != sampler.n_samples:
            raise ValueError(
                f"X must have one row per sample: the sampler draws from "
                f"n_samples={sampler.n_samples}, X has shape {X.shape}"
            )
        if y is not None:
            y = np.asarray(y)
            if y.ndim == 0 or y.shape[0] != sampler.n_samples:
                raise ValueError(
                    f"y must have one entry per sample (n_samples={sampler.n_samples}); "
                    f"got shape {y.shape}"
                )
        for method in ("gradient", "dim"):
            if not hasattr(model, method):
                raise TypeError(f"model must be a gradlab.models model (it has no {method!r})")
        self.model, self.X, self.y, self.sampler = model, X, y, sampler
        self.last_batch: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"StochasticGradient({self.model!r}, {self.sampler!r})"

    def __call__(self, points, rng=None) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != self.model.dim:
            raise ValueError(
                f"points must have shape (n, {self.model.dim}): one flat parameter vector of "
                f"{self.model!r} per trajectory; got shape {points.shape}"
            )
        batch = self.sampler.next_batch()
        self.last_batch = batch
        y = None if self.y is None else self.y[batch]
        return self.model.gradient(points, self.X[batch], y)


def stochastic_gradient(model, X, y, sampler: MiniBatchSampler) -> StochasticGradient:
    """Wrap a model and its data into a mini-batch gradient for :func:`gradlab.runner.run`.

    Each call ``gradient(points)`` or ``gradient(points, rng)`` takes the sampler's next batch
    and returns the model's gradient on it at every row of ``points``, shape ``(n, dim)``.
    All ``n`` trajectories see the SAME batch at a given step, so runs that differ only in a
    hyperparameter (a learning-rate sweep) also see the same data in the same order.

    Parameters
    ----------
    model : a :mod:`gradlab.models` model
    X, y : arrays with one row per sample (``y=None`` for models without targets)
    sampler : MiniBatchSampler
        Its ``n_samples`` must equal ``len(X)``; its batch size decides full-batch, stochastic
        or mini-batch descent.

    Returns
    -------
    StochasticGradient
        A callable ``gradient(points, rng=None) -> (n, dim)``.

    Notes
    -----
    The sampler's own Generator drives the sampling; the ``rng`` that
    :func:`gradlab.runner.run` passes is accepted and ignored. The callable therefore carries
    state (where the sampler is in its epoch): to repeat a run exactly, build a new sampler
    from the same seed. With ``batch_size == n_samples`` the result is the full gradient
    (summed in a shuffled order, so equal up to rounding).

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.models import LinearRegression
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([1.0, 3.0, 5.0, 7.0])
    >>> sampler = MiniBatchSampler(4, 2, rng=np.random.default_rng(0))
    >>> gradient = stochastic_gradient(LinearRegression(1), X, y, sampler)
    >>> gradient(np.array([[2.0, 1.0], [0.0, 0.0]])).shape   # (n, dim): exact fit has zero grad
    (2, 2)
    """
    return StochasticGradient(model, X, y, sampler)
