"""The noise of mini-batch gradients: :class:`BatchSizeExplorer` shows the cloud of mini-batch
gradients on a loss built from data, and a mini-batch SGD path beside the full-batch one.
"""

from __future__ import annotations

import ipywidgets
import numpy as np

from gradlab.batches import MiniBatchSampler, stochastic_gradient
from gradlab.checks import check_int, check_start, check_window
from gradlab.colors import VERMILLION
from gradlab.formatting import format_number
from gradlab.models import LinearRegression
from gradlab.optimizers import SGD, Optimizer
from gradlab.plotting import few_ticks
from gradlab.plotting.contours import contour_map
from gradlab.plotting.stochastic import gradient_cloud
from gradlab.plotting.trajectories import trajectory_lines
from gradlab.runner import run
from gradlab.widgets.base import LiveFigure, default_start, log_slider, position_slider
from gradlab.widgets.descent import path_artists
from gradlab.widgets.sweeps import SweepCache

__all__ = ["BatchSizeExplorer"]


def _batch_sizes(n_samples):
    """1, 2, 3, 5, 8, ... up to ``n_samples``: about four sizes per factor of ten."""
    sizes = np.unique(np.round(np.geomspace(1, n_samples, 4 * int(np.log10(n_samples) + 1)))
                      .astype(int))
    return [int(s) for s in sorted(set(sizes) | {1, n_samples})]


def check_line_data(X, y):
    """``(X, y)`` as floats for a line fit ``y ≈ w x + b``: X ``(n, 1)``, y ``(n,)``, n >= 2."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[1] != 1 or X.shape[0] < 2:
        raise ValueError(f"X must have shape (n, 1) with n >= 2 samples, got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    return X, y


class BatchSizeExplorer(LiveFigure):
    """Mean-squared-error contours over ``(w, b)`` for a line fitted to data, with the cloud of
    mini-batch gradients at the current point and a mini-batch SGD path beside the full-batch one.

    Controls: ``batch`` (batch size, ``1 .. n`` on a log-like scale), ``lr`` (log slider),
    ``w0``/``b0`` (start; a click on the map sets it too), ``seed`` (draw other batches),
    ``step`` with ``play`` (the cloud is drawn at the point of that step).

    Parameters
    ----------
    X : array (n, 1)
        One feature per sample.
    y : array (n,)
    seed : int
        Seeds the batch order (``numpy.random.default_rng(seed)``) and, separately, the batches
        of the cloud; the same settings always give the same picture.
    batch_size : int, optional
        Initial batch size, ``1 <= batch_size <= n`` (default about ``n / 10``).
    lr : float, optional
        Default: a quarter of 2/λmax of the full loss (the same bound as gradient descent).
    lr_range : (float, float), optional
        Range of the learning-rate slider (default ``(lr / 1000, lr * 100)``).
    steps : int
    start : (w, b), optional
        Default: upper left of the window, as for :class:`DescentExplorer`.
    window : ((wlo, whi), (blo, bhi)), optional
        Default: the least-squares fit ``(w*, b*)`` ± ``(2 + |w*|, 2 + |b*|)``.
    optimizer : callable, optional
        ``optimizer(lr=...)`` giving the optimizer of both paths; default plain
        :class:`gradlab.optimizers.SGD`.
    n_cloud : int
        How many mini-batches the cloud shows.
    resolution : int
        Contour grid points per axis.
    figsize, dpi, png_dpi
        See :class:`LiveFigure`.
    """

    def __init__(self, X, y, *, seed, batch_size=None, lr=None, lr_range=None, steps=30,
                 start=None, window=None, optimizer=None, n_cloud=30, resolution=80,
                 figsize=(7.0, 4.95), dpi=100, png_dpi=72):
        X, y = check_line_data(X, y)
        check_int("seed", seed, minimum=0)
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title=f"BatchSizeExplorer: {X.shape[0]} samples")
        self.X, self.y, self.n = X, y, X.shape[0]
        self.model = LinearRegression(1)
        self.steps, self.n_cloud = int(steps), int(n_cloud)
        design = np.column_stack([X[:, 0], np.ones(self.n)])
        self.fit = np.linalg.lstsq(design, y, rcond=None)[0]
        # The loss is quadratic: its Hessian (2/N) AᵀA is the same everywhere.
        curvature = np.linalg.eigvalsh(2.0 / self.n * design.T @ design).max()
        self.stability_bound = float(2.0 / curvature)
        if window is None:
            window = [(c - 2 - abs(c), c + 2 + abs(c)) for c in self.fit]
        self.window = check_window(window, 2)
        start = check_start(default_start(self) if start is None else start, self.window)
        sizes = _batch_sizes(self.n)
        if batch_size is None:
            batch_size = min(sizes, key=lambda s: abs(s - self.n / 10))
        if batch_size not in range(1, self.n + 1):
            raise ValueError(f"batch_size must be an integer from 1 to the {self.n} samples, "
                             f"got {batch_size!r}")
        sizes = sorted(set(sizes) | {int(batch_size)})
        lr = 0.25 * self.stability_bound if lr is None else float(lr)
        lr_low, lr_high = (lr / 1e3, lr * 1e2) if lr_range is None else map(float, lr_range)
        self.optimizer = SGD if optimizer is None else optimizer

        self.ax = self.figure.add_subplot()
        # Room below the axes for the legend, above the message's three lines.
        self.figure.subplots_adjust(left=0.11, right=0.97, bottom=0.255, top=0.905)
        ws = np.linspace(*self.window[0], resolution)
        bs = np.linspace(*self.window[1], resolution)
        grid = np.stack(np.meshgrid(ws, bs), axis=-1)
        self.contour = contour_map(self.ax, (ws, bs, self.model.loss(grid, X, y)),
                                   minima=self.fit[None])
        self.ax.set_xlabel("w (slope)")
        self.ax.set_ylabel("b (intercept)")
        few_ticks(self.ax)
        self.paths = trajectory_lines(self.ax, np.array([[start, start], [start, start]]),
                                      window=self.window, labels=["full batch", "mini-batch"],
                                      colors=["0.35", VERMILLION], max_notes=2)
        single = self.model.gradient(start, X[:1], y[:1])
        self.cloud = gradient_cloud(self.ax, single[None], single, start, ellipse=True)
        # Four legend entries, not six: each entry is text to draw on every move.
        handles, labels = self.ax.get_legend_handles_labels()
        keep = [i for i, label in enumerate(labels)
                if label in ("full batch", "mini-batch", "mini-batch gradients", "full gradient")]
        # Below the axis label, outside the data area: inside it, the animated paths and
        # gradient arrows (drawn after the static layers) would paint over it. (A legend made
        # animated to stay on top would cost ~12 ms a frame.)
        self.legend = self.ax.legend([handles[i] for i in keep], [labels[i] for i in keep],
                                     loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=4,
                                     fontsize=8, frameon=False, borderaxespad=0.0)
        self.ax.text(0.01, 0.01, "arrows: steps −lr·g of each batch, to a fixed scale",
                     transform=self.ax.transAxes, fontsize=8, color="white", va="bottom")
        self.add_control("batch", ipywidgets.SelectionSlider(
            options=sizes, value=int(batch_size), description="batch size"))
        self.add_control("lr", log_slider("lr", lr, lr_low, lr_high))
        self.add_control("w0", position_slider("w0", start[0], *self.window[0]))
        self.add_control("b0", position_slider("b0", start[1], *self.window[1]))
        self.add_control("seed", ipywidgets.BoundedIntText(value=int(seed), min=0,
                                                           max=2**31 - 1, description="seed"))
        self.add_control("step", ipywidgets.IntSlider(value=0, min=0, max=self.steps,
                                                      description="step"))
        self.play = ipywidgets.Play(value=0, min=0, max=self.steps, interval=200)
        ipywidgets.link((self.play, "value"), (self.controls["step"], "value"))
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self._cloud_scale = None
        self.ax.set_title("", fontsize=10)
        # What a move changes is drawn over a cached picture of the contours and legend.
        self.animate(self.ax.title, *path_artists(self.paths), self.cloud.spokes,
                     self.cloud.tips, self.cloud.full,
                     *([] if self.cloud.ellipse is None else [self.cloud.ellipse]))
        self._sweeps = SweepCache()
        self._cloud_batches = {}  # (seed, batch) -> (gradients at 0, Jacobians) of the batches
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})  # the learning rate swept first

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["batch"], c["lr"], c["seed"]]),
                ipywidgets.HBox([c["w0"], c["b0"], self.play, c["step"]])]

    def _start(self):
        return np.array([self.controls["w0"].value, self.controls["b0"].value])

    def _settings(self):
        return {name: self.controls[name].value for name in ("seed", "batch", "lr", "w0", "b0")}

    def _apply(self, changes):
        if set(changes) - {"step"}:
            runs, row = self._lookup(set(changes) - {"step"})
            full, noisy, full_at, noisy_at = runs
            self.runs = np.stack([full[:, row], noisy[:, row]], axis=1)
            self.diverged_at = (int(full_at[row]), int(noisy_at[row]))
            # set_text, not set_title: set_title also touches the static side titles.
            self.ax.title.set_text(f"batch size {int(self.controls['batch'].value)} of "
                                   f"{self.n}, lr = {format_number(self.controls['lr'].value)}")
        step = int(self.controls["step"].value)
        self.paths.update(self.runs[: step + 1])
        self._draw_cloud(step)
        self._describe(step)

    def _lookup(self, moved):
        """``(runs, row)`` for the current settings: ``runs`` holds the full-batch and
        mini-batch paths for every position of the slider that moved (lr when several did),
        computed at its first move, so that the next moves are lookups."""
        name = moved.pop() if len(moved) == 1 else "lr"
        if name not in ("batch", "lr", "w0", "b0"):
            name = "lr"
        return self._sweeps.get(self._settings(), name, self.controls[name], self._run_rows)

    def _run_rows(self, name, values):
        """``(full points, mini-batch points, full diverged_at, mini-batch diverged_at)`` with
        one row per value of slider ``name``, the other controls as now."""
        seed = int(self.controls["seed"].value)
        lr = self.controls["lr"].value
        start = self._start()[None]
        if name == "batch":
            # Each size draws its own batches: one mini-batch run per size. The full-batch
            # path does not depend on the size.
            full = run(self.optimizer(lr=lr), self._full_gradient, start, self.steps)
            noisy = [self._noisy_run(lr, start, int(size), seed) for size in values]
            count = len(values)
            return (np.repeat(full.points, count, axis=1),
                    np.concatenate([t.points for t in noisy], axis=1),
                    np.repeat(full.diverged_at, count),
                    np.concatenate([t.diverged_at for t in noisy]))
        if name is not None:
            start = np.repeat(start, len(values), axis=0)
            if name == "lr":
                lr = np.asarray(values, dtype=float)
            else:
                start[:, 0 if name == "w0" else 1] = values
            if not isinstance(self.optimizer(lr=lr), Optimizer):
                raise TypeError("only gradlab's optimizers are known to take one value per row")
        batch = int(self.controls["batch"].value)
        # All rows see the same batches (stochastic_gradient), as one run of each would.
        noisy = self._noisy_run(lr, start, batch, seed)
        full = run(self.optimizer(lr=lr), self._full_gradient, start, self.steps)
        return full.points, noisy.points, full.diverged_at, noisy.diverged_at

    def _full_gradient(self, points):
        return self.model.gradient(points, self.X, self.y)

    def _noisy_run(self, lr, start, batch, seed):
        sampler = MiniBatchSampler(self.n, batch, rng=np.random.default_rng(seed))
        return run(self.optimizer(lr=lr), stochastic_gradient(self.model, self.X, self.y, sampler),
                   start, self.steps)

    def cloud_at(self, point):
        """Gradients of ``n_cloud`` mini-batches (rows) and the full gradient at ``point``.

        The batches depend on the seed and the batch size only. The loss is quadratic, so each
        batch's gradient is affine in ``(w, b)``: its value at 0 and its Jacobian, taken once
        per batch from the model, give it exactly (up to round-off) at any point.
        """
        key = (int(self.controls["seed"].value), int(self.controls["batch"].value))
        if key not in self._cloud_batches:
            if len(self._cloud_batches) >= 64:  # seeds typed one after another
                self._cloud_batches.clear()
            rng = np.random.default_rng([key[0], 1])
            batches = [rng.choice(self.n, key[1], replace=False) for _ in range(self.n_cloud)]
            corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
            at = np.array([self.model.gradient(corners, self.X[b], self.y[b]) for b in batches])
            # at[:, 0] is the gradient at 0; at[:, 1 + j] − at[:, 0] is column j of the Jacobian.
            self._cloud_batches[key] = (at[:, 0], np.swapaxes(at[:, 1:] - at[:, :1], 1, 2))
        at_zero, jacobians = self._cloud_batches[key]
        point = np.asarray(point, dtype=float)
        grads = at_zero + jacobians @ point
        return grads, self.model.gradient(point, self.X, self.y)

    def _draw_cloud(self, step):
        point = self.runs[step, 1]
        if not np.all(np.isfinite(point)):
            point = self.runs[0, 1]
        grads, full = self.cloud_at(point)
        if self._cloud_scale is None:
            # Fixed once, from single-sample gradients at the start: a larger batch then
            # visibly tightens the cloud instead of being rescaled to the same size.
            batch_of_one = np.array([self.model.gradient(point, self.X[i:i + 1],
                                                         self.y[i:i + 1])
                                     for i in range(self.n)])
            reach = np.percentile(np.linalg.norm(batch_of_one, axis=1), 90)
            width = self.window[0][1] - self.window[0][0]
            self._cloud_scale = -0.45 * width / max(reach, 1e-12)
        self.cloud.scale = self._cloud_scale
        self.cloud.update(grads, full, point)
        self.cloud_gradients = grads

    def _describe(self, step):
        """The message for what the figure shows at ``step``: the cloud there, and a path's
        divergence once the paths shown reach it (before that, that it is coming)."""
        lr, bound = self.controls["lr"].value, self.stability_bound
        full_at, noisy_at = self.diverged_at
        batch = int(self.controls["batch"].value)
        events = sorted((at, which) for at, which in ((noisy_at, "the mini-batch path"),
                                                      (full_at, "the full-batch path"))
                        if at >= 0)
        why = (f"lr = {format_number(lr)} > 2/λmax = {format_number(bound)} of the full "
               "loss, so steps overshoot" if lr > bound else
               "a small batch can curve more steeply than the full loss; try a smaller lr")
        shown = [(at, which) for at, which in events if at <= step]
        if shown:
            said = " and ".join(f"{which} at step {at}" if number else
                                f"{which} diverged at step {at}"
                                for number, (at, which) in enumerate(shown))
            self.show_message(f"{said}: {why}", "error")
            return
        spread = np.linalg.norm(self.cloud_gradients - self.cloud_gradients.mean(axis=0),
                                axis=1).mean()
        note = ("every batch is the whole data set, so there is no noise" if batch == self.n
                else f"mini-batch gradients at step {step} scatter around the full one (mean "
                     f"distance {format_number(spread)})")
        if not events:
            self.show_message(f"batch size {batch}: {note}")
            return
        at, which = events[0]
        self.show_message(f"batch size {batch}: {note}; {which} diverges at step {at} "
                          f"({why}; drag step to see it)", "warning")

    def _on_click(self, event):
        if event.inaxes is not self.ax or event.xdata is None or event.button != 1:
            return
        self.set(w0=float(event.xdata), b0=float(event.ydata))
