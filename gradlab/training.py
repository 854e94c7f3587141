"""Training loops: mini-batch descent on a model and its data, and a fit to a streamed data set.

====================================  ===========================================================
:func:`train_network`                 mini-batch training of a :mod:`gradlab.models` model, one
                                      snapshot per epoch (a :class:`TrainingRecord`)
:func:`train_networks`                many such runs at once (one per row of the optimizer's
                                      hyperparameters), stacked as rows: one record each
:func:`stream_sgd`                    mini-batch SGD on the squared error over a stream of chunks
:func:`stream_normal_equations`       the exact least-squares fit of the same stream, chunk by
                                      chunk
====================================  ===========================================================

Both loops stop early, keeping what they have learned, when the run diverges or is interrupted
(Jupyter's stop button raises ``KeyboardInterrupt``). The lessons' trainers
(:mod:`gradlab.explorers.network_trainer`, :mod:`gradlab.explorers.applications`) run these
and draw the result.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from gradlab.batches import MiniBatchSampler
from gradlab.checks import check_int, check_positive

__all__ = [
    "StreamRecord",
    "TrainingRecord",
    "stream_normal_equations",
    "stream_sgd",
    "train_network",
    "train_networks",
]


# ---------------------------------------------------------------------------------------------
# Mini-batch training of a model
# ---------------------------------------------------------------------------------------------


class TrainingRecord(NamedTuple):
    """What :func:`train_network` keeps, one entry per finished epoch (epoch 0 = the start).

    Attributes
    ----------
    params : ndarray, shape (epochs_done + 1, dim)
        The parameters after each epoch.
    train_loss, test_loss : ndarray, shape (epochs_done + 1,)
        Full training and held-out loss at each snapshot.
    diverged_at : int
        The epoch at which a loss or a parameter became non-finite (training stops there;
        that epoch's snapshot is not kept), ``-1`` if never.
    stopped : bool
        True when training was interrupted (``KeyboardInterrupt``) before the last epoch.
    steps : int
        Parameter updates made (mini-batches seen).
    """

    params: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    diverged_at: int
    stopped: bool
    steps: int

    @property
    def epochs_done(self) -> int:
        """Number of finished epochs kept (``len(params) - 1``)."""
        return len(self.params) - 1

    @property
    def final_params(self) -> np.ndarray:
        """The last kept parameters: what training learned."""
        return self.params[-1]


def _checked_training(model, params, train, batch_size, epochs):
    """``(params as floats, epochs, training samples)`` after checking what a training run takes."""
    params = np.asarray(params, dtype=float)
    if params.shape != (model.dim,) or not np.all(np.isfinite(params)):
        raise ValueError(
            f"params must be {model.dim} finite numbers (one flat vector for {model!r}); "
            f"got shape {params.shape}"
        )
    epochs = check_int("epochs", epochs)
    n = train.n_samples
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or not (
        1 <= batch_size <= n
    ):
        raise ValueError(f"batch_size must be an integer from 1 to {n} (the training samples); "
                         f"got {batch_size!r}")
    return params, epochs, n


def train_network(model, params, train, test, optimizer, *, batch_size, epochs, rng,
                  progress=None) -> TrainingRecord:
    """Mini-batch training, one snapshot per epoch; stop early on divergence or interrupt.

    Each step takes the sampler's next batch, computes the loss gradient on it (by
    backpropagation, for a network) and lets ``optimizer`` update the parameters. After every
    epoch the full training and held-out losses are recorded.

    Parameters
    ----------
    model : a gradlab.models model
        Anything with ``dim`` and ``bind(X, y)`` (see :class:`gradlab.models.BoundModel`):
        the data are checked once, and each step asks the bound model for the gradient on
        the batch's rows.
    params : array_like, shape (dim,)
        Starting parameters (e.g. ``model.init_params(rng)``).
    train, test : gradlab.data.Dataset
        Training samples (the gradient sees only these) and held-out samples.
    optimizer : gradlab.optimizers.Optimizer
        With scalar hyperparameters (one trajectory).
    batch_size : int
        Samples per step, ``1 .. train.n_samples``.
    epochs : int
        Passes over the training set.
    rng : numpy.random.Generator
        Shuffles the samples each epoch.
    progress : callable, optional
        ``progress(epoch, train_loss)`` after each epoch (e.g. to move a progress bar).

    Returns
    -------
    TrainingRecord

    Notes
    -----
    Training runs with one BLAS thread (``threadpoolctl``, restored afterwards): its matrices
    are small, so threads would spend more time waiting for each other than computing
    (``benchmarks/bench_training.py`` measures the runs).
    A ``KeyboardInterrupt`` (Jupyter's stop button) ends training at once: the record keeps
    every finished epoch plus the parameters reached in the interrupted one, and ``stopped``
    is True. Non-finite losses or parameters (a learning rate that is too large) stop training
    with ``diverged_at`` set, and no numpy warning is printed.

    Examples
    --------
    >>> from gradlab.data import xor, train_test_split
    >>> data = xor(np.random.default_rng(0), 80)
    >>> train, test = train_test_split(data, np.random.default_rng(1))
    >>> from gradlab.models import MLP
    >>> from gradlab.optimizers import Adam
    >>> model = MLP((2, 4, 1))
    >>> record = train_network(model, model.init_params(np.random.default_rng(2)), train, test,
    ...                        Adam(lr=0.05), batch_size=20, epochs=30,
    ...                        rng=np.random.default_rng(3))
    >>> record.params.shape, bool(record.train_loss[-1] < record.train_loss[0])
    ((31, 17), True)
    """
    params, epochs, n = _checked_training(model, params, train, batch_size, epochs)
    if getattr(optimizer, "n", None) not in (None, 1):
        raise ValueError("optimizer must have scalar hyperparameters (one run), "
                         f"got one for {optimizer.n} trajectories")
    sampler = MiniBatchSampler(n, int(batch_size), rng=rng)
    # The data are checked once here; each step then runs the model's arithmetic alone.
    on_train, on_test = model.bind(train.X, train.y), model.bind(test.X, test.y)

    def losses(p):
        with np.errstate(all="ignore"):
            return float(on_train.loss(p)), float(on_test.loss(p))

    current = params[None].copy()
    state = optimizer.init(current)
    first = losses(params)
    snapshots, train_loss, test_loss = [params.copy()], [first[0]], [first[1]]
    diverged_at, stopped, steps, steps_kept = -1, False, 0, 0
    # Small matrices: one BLAS thread is faster, and far steadier on a busy machine, than
    # several that wait for each other (the setting is restored on the way out).
    blas = threadpool_limits(limits=1, user_api="blas")
    try:
        for epoch in range(1, epochs + 1):
            with np.errstate(all="ignore"):  # once per epoch: a step costs microseconds
                for _ in range(sampler.batches_per_epoch):
                    grad = on_train.gradient(current[0], sampler.next_batch())
                    current, state = optimizer.update(grad[None], state, current)
                    steps += 1
                    if not np.isfinite(current).all():
                        diverged_at = epoch
                        break
            if diverged_at >= 0:
                break
            epoch_losses = losses(current[0])
            if not np.all(np.isfinite(epoch_losses)):
                diverged_at = epoch
                break
            snapshots.append(current[0].copy())
            train_loss.append(epoch_losses[0])
            test_loss.append(epoch_losses[1])
            steps_kept = steps
            if progress is not None:
                progress(epoch, epoch_losses[0])
    except KeyboardInterrupt:
        stopped = True
        if steps > steps_kept and np.all(np.isfinite(current)):
            partial = losses(current[0])
            if np.all(np.isfinite(partial)):
                snapshots.append(current[0].copy())
                train_loss.append(partial[0])
                test_loss.append(partial[1])
    finally:
        blas.restore_original_limits()
    return TrainingRecord(np.array(snapshots), np.array(train_loss), np.array(test_loss),
                          diverged_at, stopped, steps)


def train_networks(model, params, train, test, optimizer, *, batch_size, epochs, rng,
                   pause=None) -> list[TrainingRecord]:
    """:func:`train_network` for every row of ``optimizer``'s hyperparameters, in one run.

    The runs share the start ``params`` and the order of the batches (one ``rng``), so they
    differ only in their hyperparameters (a sweep over learning rates, say). Their parameters
    are stacked as rows ``(n, dim)``: each step is one stacked gradient
    (:meth:`gradlab.models.BoundModel.stacked_gradient`) and one optimizer update, so ``n`` runs
    cost far less than ``n`` calls of :func:`train_network`. Each record equals, bit for bit,
    what :func:`train_network` gives with that row's hyperparameters alone: the same
    snapshots, losses, ``diverged_at`` and ``steps`` (a run that diverges is dropped from the
    stack at the step where it does).

    Parameters
    ----------
    model, train, test, batch_size, epochs, rng
        As for :func:`train_network`.
    params : array_like, shape (dim,)
        The start of every run.
    optimizer : gradlab.optimizers.Optimizer
        Hyperparameters given as arrays of shape ``(n,)`` (one run per entry); scalars are
        shared, and an optimizer with only scalars makes one run.
    pause : callable, optional
        Called after every step; a caller running this in the background can block there
        (to leave the processor to a foreground task) or raise to abandon the run.

    Returns
    -------
    list of TrainingRecord
        One per run, in the order of the rows.

    Examples
    --------
    >>> from gradlab.data import xor, train_test_split
    >>> from gradlab.models import MLP
    >>> from gradlab.optimizers import SGD
    >>> train, test = train_test_split(xor(np.random.default_rng(0), 80),
    ...                                np.random.default_rng(1))
    >>> model = MLP((2, 4, 1))
    >>> start = model.init_params(np.random.default_rng(2))
    >>> runs = train_networks(model, start, train, test, SGD(lr=[0.1, 1.0, 1e6]),
    ...                       batch_size=20, epochs=5, rng=np.random.default_rng(3))
    >>> one = train_network(model, start, train, test, SGD(lr=1.0), batch_size=20, epochs=5,
    ...                     rng=np.random.default_rng(3))
    >>> bool(np.array_equal(runs[1].params, one.params)), bool(runs[2].train_loss[1] > 1e4)
    (True, True)
    """
    params, epochs, n = _checked_training(model, params, train, batch_size, epochs)
    runs = optimizer.n or 1
    sampler = MiniBatchSampler(n, int(batch_size), rng=rng)
    on_train, on_test = model.bind(train.X, train.y), model.bind(test.X, test.y)
    # The runs still going are an optimizer of their own: rows leave the stack as they diverge.
    hyper = optimizer.hyperparameters()

    def optimizer_for(rows):
        def pick(value):
            if isinstance(value, tuple):
                return tuple(pick(v) for v in value)
            return np.broadcast_to(value, (runs,))[rows] if np.ndim(value) else value
        return type(optimizer)(**{name: pick(value) for name, value in hyper.items()})

    with np.errstate(all="ignore"):
        first_train = np.asarray(on_train.stacked_losses(params[None]), dtype=float)[0]
        first_test = np.asarray(on_test.stacked_losses(params[None]), dtype=float)[0]
    snapshots = [[params.copy()] for _ in range(runs)]
    train_loss = [[float(first_train)] for _ in range(runs)]
    test_loss = [[float(first_test)] for _ in range(runs)]
    diverged_at, steps = np.full(runs, -1), np.zeros(runs, dtype=int)
    stopped = False
    alive = np.arange(runs)  # the runs still in the stack, in row order
    current = np.repeat(params[None], runs, axis=0)
    active = optimizer_for(alive)
    state = active.init(current)
    blas = threadpool_limits(limits=1, user_api="blas")
    try:
        for epoch in range(1, epochs + 1):
            with np.errstate(all="ignore"):
                for _ in range(sampler.batches_per_epoch):
                    batch = sampler.next_batch()
                    if alive.size == 0:
                        continue  # the sampler still draws, as each lone run's would
                    grad = on_train.stacked_gradient(current, batch)
                    current, state = active.update(grad, state, current)
                    steps[alive] += 1
                    finite = np.isfinite(current).all(axis=1)
                    if not finite.all():
                        diverged_at[alive[~finite]] = epoch
                        alive, current = alive[finite], current[finite]
                        state = type(state)(*(None if f is None else f[finite] for f in state))
                        active = optimizer_for(alive)
                    if pause is not None:
                        pause()
                if alive.size:
                    losses = (np.asarray(on_train.stacked_losses(current), dtype=float),
                              np.asarray(on_test.stacked_losses(current), dtype=float))
            if alive.size == 0:
                break
            finite = np.isfinite(losses[0]) & np.isfinite(losses[1])
            for row, run in enumerate(alive):
                if finite[row]:
                    snapshots[run].append(current[row].copy())
                    train_loss[run].append(float(losses[0][row]))
                    test_loss[run].append(float(losses[1][row]))
            if not finite.all():
                diverged_at[alive[~finite]] = epoch
                alive, current = alive[finite], current[finite]
                state = type(state)(*(None if f is None else f[finite] for f in state))
                active = optimizer_for(alive)
    except KeyboardInterrupt:
        stopped = True
    finally:
        blas.restore_original_limits()
    return [TrainingRecord(np.array(snapshots[run]), np.array(train_loss[run]),
                           np.array(test_loss[run]), int(diverged_at[run]), stopped,
                           int(steps[run]))
            for run in range(runs)]


# ---------------------------------------------------------------------------------------------
# A data set too large for one batch
# ---------------------------------------------------------------------------------------------


def stream_normal_equations(chunks) -> tuple[np.ndarray, int]:
    """The exact least-squares coefficients from ``X^T X`` and ``X^T y`` summed chunk by chunk.

    Returns ``(coefficients, rows)``. Memory: one ``d x d`` matrix and one ``d`` vector.
    """
    gram, moment, rows = None, None, 0
    for X, y in chunks:
        gram = X.T @ X if gram is None else gram + X.T @ X
        moment = X.T @ y if moment is None else moment + X.T @ y
        rows += len(y)
    if gram is None:
        raise ValueError("chunks yielded no data")
    return np.linalg.solve(gram, moment), rows


class StreamRecord(NamedTuple):
    """What :func:`stream_sgd` keeps.

    Attributes
    ----------
    coefficients : ndarray, shape (d,)
        Where SGD ended (the last finite values if it diverged).
    rows_seen : ndarray of int, shape (k,)
        Rows processed at each checkpoint (0 first).
    history : ndarray, shape (k, d)
        The coefficients at each checkpoint.
    diverged : bool
    stopped : bool
        True when interrupted (``KeyboardInterrupt``) before the end.
    steps : int
    """

    coefficients: np.ndarray
    rows_seen: np.ndarray
    history: np.ndarray
    diverged: bool
    stopped: bool
    steps: int


def stream_sgd(make_chunks: Callable[[], Iterator], dim, *, lr, batch_size, passes, rng,
               progress=None) -> StreamRecord:
    """Mini-batch SGD on the mean squared error over a stream of ``(X, y)`` chunks.

    Each pass calls ``make_chunks()`` for a fresh iterator, shuffles the rows inside each chunk
    and takes one step per ``batch_size`` rows: ``θ ← θ − lr · (2/B) X_bᵀ (X_b θ − y_b)``.
    The coefficients are kept after every chunk and, in between, whenever the rows seen pass
    the next of the geometrically spaced counts ``batch_size · 1.5^k`` (so a log-scale plot
    shows the first steps too).

    Parameters
    ----------
    make_chunks : callable
        Returns an iterator of ``(X (m, dim), y (m,))`` chunks (e.g. one of
        :func:`gradlab.data.trend_chunks`).
    dim : int
    lr : float
    batch_size, passes : int
    rng : numpy.random.Generator
        Shuffles the rows within each chunk.
    progress : callable, optional
        ``progress(fraction_done)`` after each checkpoint.

    Notes
    -----
    Interrupting (Jupyter's stop button) keeps the coefficients reached so far.
    """
    dim = check_int("dim", dim)
    batch_size = check_int("batch_size", batch_size)
    passes = check_int("passes", passes)
    lr = check_positive("lr", lr)
    theta = np.zeros(dim)
    rows, steps, diverged, stopped = 0, 0, False, False
    history, rows_seen = [theta.copy()], [0]
    total, next_checkpoint = None, float(batch_size)
    try:
        for pass_index in range(passes):
            for X, y in make_chunks():
                order = rng.permutation(len(y))
                for first in range(0, len(y), batch_size):
                    idx = order[first:first + batch_size]
                    Xb, yb = X[idx], y[idx]
                    with np.errstate(all="ignore"):
                        gradient = (2.0 / len(idx)) * (Xb.T @ (Xb @ theta - yb))
                        new = theta - lr * gradient
                    steps += 1
                    if not np.all(np.isfinite(new)) or np.abs(new).max() > 1e8:
                        diverged = True
                        raise _Diverged
                    theta = new
                    done = rows + first + len(idx)
                    if done >= next_checkpoint and first + len(idx) < len(y):
                        history.append(theta.copy())
                        rows_seen.append(done)
                        while next_checkpoint <= done:
                            next_checkpoint *= 1.5
                rows += len(y)
                history.append(theta.copy())
                rows_seen.append(rows)
                if pass_index == 0:
                    total = rows * passes
                if progress is not None and total:
                    progress(min(rows / total, 1.0))
    except _Diverged:
        pass
    except KeyboardInterrupt:
        stopped = True
    return StreamRecord(theta.copy(), np.array(rows_seen), np.array(history), diverged,
                        stopped, steps)


class _Diverged(Exception):
    """Raised inside :func:`stream_sgd` to leave all loops at once."""
