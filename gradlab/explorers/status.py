"""What the lessons' trainers share: the status line, a table of finished runs, and the
background worker that fills it.

A trainer that is about to train for longer than a glance says so beside its controls first
(:func:`say_training`); the figure keeps its last frame and message until the run is done.

A move of a trainer's slider should be a lookup, not a training run. So a trainer keeps its
finished runs in a :class:`RunTable` (bounded in bytes), and asks :data:`BACKGROUND` to train,
just after it is built and after each new setting, the runs a learner is likely to ask for
next: every nearby position of the learning-rate slider as one batched run
(:func:`gradlab.training.train_networks`), and the other sliders' neighbours. The worker runs
only inside a Jupyter kernel, in one daemon thread at the lowest scheduling priority, and
steps aside while a figure draws a move (:meth:`Background.busy`) and while a cell runs (so a
lesson's Run All is not slowed). Elsewhere (tests, scripts)
nothing runs behind the caller's back: :meth:`Background.run_all` runs the queued work at once.
"""

from __future__ import annotations

import collections
import contextlib
import html
import os
import threading

import numpy as np

from gradlab.colors import PROGRESS_GREY

__all__ = ["AHEAD_CHUNK", "BACKGROUND", "Background", "Cancelled", "RunTable", "WorksAhead",
           "chunks", "log_limits", "nbytes", "nearest_first", "say_training"]


def say_training(figure, text):
    """Show ``text`` in ``figure``'s status line only (a :class:`gradlab.widgets.LiveFigure`).

    Nothing is rendered: the figure keeps its last frame and message until the run is done (a
    clipped-value note waits for that final message).
    """
    figure.status.value = f'<span style="color:{PROGRESS_GREY}">{html.escape(text)}</span>'


def nbytes(value) -> int:
    """Bytes held by the arrays in ``value`` (nested tuples, lists, dicts, records)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        value = value.values()
    if isinstance(value, tuple | list) or hasattr(value, "values"):
        return sum(nbytes(v) for v in value)
    return 0


class RunTable:
    """Finished runs by their settings, most recently used last, at most ``max_bytes`` of arrays.

    Written by the figure (a run it trained at once) and by the background worker (runs trained
    ahead); a lock keeps the two apart. When the table is over budget the least recently used
    runs are dropped.
    """

    def __init__(self, max_bytes):
        self.max_bytes = int(max_bytes)
        self._runs: collections.OrderedDict = collections.OrderedDict()
        self._sizes: dict = {}
        self._lock = threading.Lock()

    def __contains__(self, key):
        return key in self._runs

    def __len__(self):
        return len(self._runs)

    def __iter__(self):
        return iter(list(self._runs))

    @property
    def bytes(self) -> int:
        """Bytes of arrays held now."""
        return sum(self._sizes.values())

    def get(self, key):
        """The run stored under ``key`` (now the most recently used), or None."""
        with self._lock:
            if key not in self._runs:
                return None
            self._runs.move_to_end(key)
            return self._runs[key]

    def put(self, key, run):
        """Store ``run`` under ``key``; drop the least recently used runs beyond the budget."""
        with self._lock:
            self._runs[key] = run
            self._runs.move_to_end(key)
            self._sizes[key] = nbytes(run)
            while len(self._runs) > 1 and sum(self._sizes.values()) > self.max_bytes:
                oldest = next(iter(self._runs))
                del self._runs[oldest], self._sizes[oldest]

    def missing(self, keys):
        """Those of ``keys`` not stored."""
        return [key for key in keys if key not in self._runs]


class Cancelled(Exception):
    """Raised inside a background job whose owner no longer wants it."""


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Background:
    """One worker thread running queued jobs, oldest first, while no figure is drawing.

    A job is ``job(pause)``: it computes and stores its results itself, and calls ``pause()``
    often (after every training step); ``pause`` blocks while a figure is busy with a move and
    raises :class:`Cancelled` once the job's owner has cancelled its work.
    """

    def __init__(self):
        self.enabled = None  # None: only inside a Jupyter kernel
        self._jobs: collections.deque = collections.deque()
        self._generation: dict = {}  # owner id -> number of cancels so far
        self._condition = threading.Condition()
        self._busy = 0
        self._running = None
        self._thread = None

    # -- for the figures -----------------------------------------------------------------------
    def submit(self, owner, job):
        """Queue ``job`` for ``owner`` (any object); start the worker if it may run."""
        with self._condition:
            self._jobs.append((id(owner), self._generation.get(id(owner), 0), job))
            self._condition.notify_all()
        if self._thread is None and (self.enabled if self.enabled is not None
                                     else _in_kernel()):
            self._step_aside_while_cells_run()
            self._thread = threading.Thread(target=self._work, name="gradlab-background",
                                            daemon=True)
            self._thread.start()

    def _step_aside_while_cells_run(self):
        # A lesson's Run All must not share the CPU (and the GIL) with work done ahead: the
        # worker counts a running cell as a busy figure. IPython's cell events are public API.
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None or getattr(shell, "events", None) is None:
            return

        def cell_starts(*_args):
            with self._condition:
                self._busy += 1

        def cell_ends(*_args):
            with self._condition:
                self._busy = max(0, self._busy - 1)
                self._condition.notify_all()

        shell.events.register("pre_run_cell", cell_starts)
        shell.events.register("post_run_cell", cell_ends)
        cell_starts()  # called from a cell that is running now

    def cancel(self, owner):
        """Drop ``owner``'s queued jobs and stop its running one at its next pause."""
        with self._condition:
            key = id(owner)
            self._generation[key] = self._generation.get(key, 0) + 1
            self._jobs = collections.deque(j for j in self._jobs if j[0] != key)
            self._condition.notify_all()

    @contextlib.contextmanager
    def busy(self):
        """Hold the worker back while a figure computes and draws a move."""
        with self._condition:
            self._busy += 1
        try:
            yield
        finally:
            with self._condition:
                self._busy -= 1
                self._condition.notify_all()

    def pending(self, owner=None) -> int:
        """Jobs queued or running (of ``owner`` only, if given)."""
        with self._condition:
            jobs = [j for j in self._jobs if owner is None or j[0] == id(owner)]
            running = self._running is not None and (owner is None
                                                     or self._running[0] == id(owner))
            return len(jobs) + running

    def run_all(self, owner=None):
        """Run the queued jobs (of ``owner`` only, if given) here and now, until none is left."""
        while True:
            with self._condition:
                for index, item in enumerate(self._jobs):
                    if owner is None or item[0] == id(owner):
                        del self._jobs[index]
                        break
                else:
                    return
            self._run(item, step_aside=False)

    def wait(self, timeout=None) -> bool:
        """Block until the worker has nothing left to do; False if ``timeout`` seconds passed."""
        with self._condition:
            return self._condition.wait_for(
                lambda: not self._jobs and self._running is None, timeout)

    # -- the worker ----------------------------------------------------------------------------
    def _run(self, item, *, step_aside=True):
        key, generation, job = item

        def pause():
            with self._condition:
                if step_aside:  # the worker thread; run_all runs in the caller, who is busy
                    self._condition.wait_for(lambda: self._busy == 0)
                if self._generation.get(key, 0) != generation:
                    raise Cancelled

        try:
            with np.errstate(all="ignore"):
                job(pause)
        except Cancelled:
            pass

    def _work(self):
        with contextlib.suppress(AttributeError, OSError):  # Linux: this thread only
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._jobs and self._busy == 0)
                self._running = self._jobs.popleft()
            try:
                self._run(self._running)
            except Exception:  # noqa: BLE001 - a failed prefetch is retrained when asked for
                pass
            finally:
                with self._condition:
                    self._running = None
                    self._condition.notify_all()


#: The worker shared by every trainer in the process.
BACKGROUND = Background()


class WorksAhead:
    """Mixin for a live figure that queues work in :data:`BACKGROUND` (put it first among the
    bases): the worker waits while the figure computes and draws a move, and the figure's work
    still queued is dropped when it closes."""

    def _flush(self):
        with BACKGROUND.busy():  # the worker waits while a move is computed and drawn
            super()._flush()

    def close(self):
        """Close the figure and drop its work still queued for the background worker."""
        BACKGROUND.cancel(self)
        super().close()


#: Runs trained ahead per batched job. A move cancels the queued and running jobs, so one job
#: for every nearby rate was never finished while a learner kept moving (each move then trained
#: on the spot); small jobs, nearest first, keep what they trained.
AHEAD_CHUNK = 8


def chunks(items, size=AHEAD_CHUNK):
    """``items`` in consecutive lists of at most ``size``, in their order.

    >>> chunks([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    items = list(items)
    return [items[i:i + size] for i in range(0, len(items), size)]


def log_limits(values, *, pad=1.5, per_decade=2, default=(1e-2, 1.0)):
    """Limits of a log axis showing the positive finite ``values`` with a margin of ``pad``.

    Rounded outward to ``per_decade`` steps per decade (1, 3.16, 10, ... for 2), so that runs
    with similar ranges share the axis: a move between them redraws no tick.

    >>> log_limits([0.2, 0.7])
    (0.1, 3.1622776601683795)
    """
    values = np.asarray(values, dtype=float).ravel()
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return default
    low = np.floor(per_decade * np.log10(values.min() / pad)) / per_decade
    high = np.ceil(per_decade * np.log10(values.max() * pad)) / per_decade
    return float(10.0**low), float(10.0**high)


def nearest_first(options, value, reach=None):
    """``options`` ordered by their distance in positions from ``value`` (itself first);
    only those within ``reach`` positions when given.

    >>> nearest_first([8, 16, 32, 64], 32)
    [32, 16, 64, 8]
    >>> nearest_first([1, 2, 3, 4, 5], 3, reach=1)
    [3, 2, 4]
    """
    options = list(options)
    index = options.index(value) if value in options else 0
    order = sorted(range(len(options)), key=lambda i: (abs(i - index), i))
    return [options[i] for i in order if reach is None or abs(i - index) <= reach]
