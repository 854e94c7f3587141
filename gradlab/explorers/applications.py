"""Gradients at work: interactive trainers for lesson 09's four applications.

Each explorer trains one model with plain mini-batch SGD and shows what it learned:

=============================  ===============================================================
:class:`DigitsExplorer`        softmax regression on 8x8 digits: the 10 weight images, accuracy
:class:`RecommenderExplorer`   matrix factorization: RMSE per epoch, predicted vs true ratings
:class:`AnomalyExplorer`       linear autoencoder: held-out anomaly scores, precision / recall
:class:`TrendExplorer`         a trend fitted on a streamed data set too large for one batch
=============================  ===============================================================

In the first three the learning rate and batch size pick a run of
:func:`gradlab.training.train_network` (one snapshot per epoch), looked up among the runs
trained ahead in the background (nearby learning rates as one batched run,
:func:`gradlab.training.train_networks`) or trained at once; the **epoch** slider with its
Play button only reveals the stored snapshots. The
trend explorer streams two million rows per pass, so it trains only when **Train** is clicked,
shows its progress, and keeps what it has learned when interrupted.

:func:`gradlab.data.trend_chunks` is the streamed data set: each chunk is drawn from its own
seeded generator, so a pass can be repeated exactly and the rows never sit in memory all at
once. :func:`gradlab.training.stream_sgd` and :func:`gradlab.training.stream_normal_equations`
are the two ways of fitting it.
"""

from __future__ import annotations

import numbers
import time

import ipywidgets
import numpy as np
from threadpoolctl import threadpool_limits

from gradlab.checks import check_int
from gradlab.colors import ANOMALY_RED, BLUE, VERMILLION
from gradlab.data import trend_chunks, trend_features
from gradlab.explorers.status import (
    BACKGROUND,
    RunTable,
    WorksAhead,
    chunks,
    log_limits,
    nearest_first,
    say_training,
)
from gradlab.formatting import format_number
from gradlab.metrics import precision_recall
from gradlab.optimizers import SGD
from gradlab.plotting import few_ticks
from gradlab.training import stream_sgd, train_network, train_networks
from gradlab.widgets import LiveFigure, log_slider

__all__ = [
    "AnomalyExplorer",
    "DigitsExplorer",
    "RecommenderExplorer",
    "TrendExplorer",
]

_GREY = "0.45"



def _check_lr(lr, lr_range):
    low, high = lr_range
    if not (isinstance(lr, numbers.Real) and low <= lr <= high):
        raise ValueError(f"lr must be a number in [{low:g}, {high:g}]; got {lr!r}")
    return float(lr)


def _batch_options(n_samples, sizes):
    """The offered batch sizes below ``n_samples``, plus the full batch."""
    return sorted({int(s) for s in sizes if s < n_samples} | {int(n_samples)})


# ---------------------------------------------------------------------------------------------
# Shared plumbing: lr / batch / epoch controls, train on change, reveal snapshots
# ---------------------------------------------------------------------------------------------


class _EpochExplorer(WorksAhead, LiveFigure):
    """Controls ``lr`` (log), ``batch`` and ``epoch`` (+ Play); a subclass draws the panels.

    ``lr`` and ``batch`` pick a run of plain mini-batch SGD (:func:`train_network`); a change
    of ``epoch`` only reveals a stored snapshot. Finished runs, with the metrics of every
    snapshot (:meth:`_metrics`), are kept in :attr:`runs` (a
    :class:`~gradlab.explorers.status.RunTable` keyed by ``(lr, batch size)``, at most
    :attr:`max_bytes` of arrays), so a move to a kept run is a lookup. Just after the explorer
    is built and after every new setting, the background worker
    (:data:`~gradlab.explorers.status.BACKGROUND`, inside a Jupyter kernel) trains the
    :attr:`lr_reach` learning rates on each side of the current one as one batched run
    (:func:`gradlab.training.train_networks`, equal bit for bit to training each alone), then
    the current rate at every other batch size. (Every rate at every batch size would hold
    hundreds of megabytes of snapshots: only the neighbourhood of the current setting is
    trained ahead.) A run not kept yet is trained at once; one expected to take longer than
    :attr:`slow_run` seconds first says "training …" beside the controls, which costs no figure
    render.
    """

    #: Bytes of finished runs kept.
    max_bytes = 32 * 2**20
    #: Learning rates trained ahead on each side of the current one, in slider positions.
    lr_reach = 40
    #: Seconds: a new run expected to take longer first says "training …" beside the controls.
    slow_run = 0.06

    def __init__(self, model, train, test, *, lr, lr_range, batch_size, batch_sizes, epochs,
                 seed, start, figsize, dpi, png_dpi, title):
        self.epochs = check_int("epochs", epochs)
        self.seed = check_int("seed", seed, minimum=0)
        lr = _check_lr(lr, lr_range)
        options = _batch_options(train.n_samples, batch_sizes)
        if batch_size not in options:
            raise ValueError(f"batch_size must be one of {options}; got {batch_size!r}")
        start = np.asarray(start, dtype=float)
        if start.shape != (model.dim,) or not np.all(np.isfinite(start)):
            raise ValueError(f"start must be {model.dim} finite numbers for {model!r}; "
                             f"got shape {start.shape}")
        self.model, self.train, self.test, self.start = model, train, test, start
        self.runs = RunTable(self.max_bytes)  # (lr, batch) -> (record, metrics)
        self._seconds_per_step = 0.0  # measured on each new run
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi, title=title)
        self.add_control("lr", log_slider("lr", lr, *lr_range))
        self.add_control("batch", ipywidgets.SelectionSlider(options=options, value=batch_size,
                                                             description="batch size"))
        self.add_control("epoch", ipywidgets.IntSlider(value=self.epochs, min=0,
                                                       max=self.epochs, description="epoch"))
        self.play = ipywidgets.Play(value=self.epochs, min=0, max=self.epochs, interval=150)
        ipywidgets.link((self.play, "value"), (self.controls["epoch"], "value"))

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["lr"], c["batch"]]), ipywidgets.HBox([self.play, c["epoch"]])]

    @property
    def lr(self) -> float:
        return float(self.controls["lr"].value)

    @property
    def batch_size(self) -> int:
        return int(self.controls["batch"].value)

    def _train_rates(self, batch, rates, pause=None):
        """Train the runs at ``batch`` for each of ``rates`` as one batched run; keep them."""
        if not rates:
            return
        records = train_networks(self.model, self.start, self.train, self.test,
                                 SGD(lr=np.array(rates, dtype=float)), batch_size=batch,
                                 epochs=self.epochs, rng=np.random.default_rng(self.seed),
                                 pause=pause)
        for rate, record in zip(rates, records, strict=True):
            with threadpool_limits(limits=1, user_api="blas"):
                self.runs.put((float(rate), batch), (record, self._metrics(record)))

    def _train(self):
        key = (self.lr, self.batch_size)
        run = self.runs.get(key)
        if run is None:
            steps = self.epochs * -(-self.train.n_samples // self.batch_size)
            if steps * self._seconds_per_step > self.slow_run:
                # Said at once beside the controls (no figure render); the result follows.
                say_training(self, f"training lr = {format_number(self.lr)}, batch "
                                   f"{self.batch_size}: "
                                 f"{steps:,} steps …")
            started = time.perf_counter()
            record = train_network(self.model, self.start, self.train, self.test,
                                   SGD(lr=self.lr), batch_size=self.batch_size,
                                   epochs=self.epochs, rng=np.random.default_rng(self.seed))
            seconds = time.perf_counter() - started
            self._seconds_per_step = seconds / max(record.steps, 1)
            with threadpool_limits(limits=1, user_api="blas"):  # small products
                run = (record, self._metrics(record))
            self.runs.put(key, run)
        self.record, metrics = run
        for name, value in metrics.items():
            setattr(self, name, value)
        self._scale_axes()
        self._train_ahead(key)

    def _train_ahead(self, key):
        """Queue, most useful first: the nearest rates (a batched run of :data:`AHEAD_CHUNK`),
        the current rate at every other batch size, then the farther rates in chunks."""
        BACKGROUND.cancel(self)
        lr, batch = key
        rates = [v for _label, v in self.controls["lr"].options]
        missing = [r for r in nearest_first(rates, lr, self.lr_reach)
                   if (r, batch) not in self.runs]
        rate_jobs = [lambda pause, chunk=chunk: self._train_rates(
            batch, [r for r in chunk if (r, batch) not in self.runs], pause)
            for chunk in chunks(missing)]  # nearest first, each kept as soon as it is trained
        batch_jobs = [lambda pause, other=other: (
            (lr, other) in self.runs or self._train_rates(other, [lr], pause))
            for other in nearest_first(self.controls["batch"].options, batch)[1:]]
        # The next key press may move either slider: the nearest rates, then the other batch
        # sizes, then the farther rates.
        for job in rate_jobs[:1] + batch_jobs + rate_jobs[1:]:
            BACKGROUND.submit(self, job)

    def train_ahead_now(self):
        """Train at once what the background worker would train ahead (tests, benchmarks)."""
        BACKGROUND.run_all(self)

    def _metrics(self, record) -> dict:
        """Attributes to set from a run (metrics of every snapshot); pure, as it may run in the
        background worker. Subclasses override."""
        return {}

    def _scale_axes(self):
        """Axis limits for the current run (rounded, so that most runs share them)."""

    def _apply(self, changes):
        if set(changes) - {"epoch"}:
            self._train()
        epoch = int(self.controls["epoch"].value)
        self.shown_epoch = min(epoch, self.record.epochs_done)
        self._reveal(self.shown_epoch)
        if self.record.diverged_at >= 0 and epoch >= self.record.diverged_at:
            self.show_message(
                f"Diverged in epoch {self.record.diverged_at}: lr = {format_number(self.lr)} makes "
                f"steps so large that the parameters overflow; epoch {self.shown_epoch}, the "
                "last finite one, is shown. Try a smaller lr.", "error")
        else:
            self.show_message(self._describe(self.shown_epoch))

    def _reveal(self, epoch):
        raise NotImplementedError

    def _describe(self, epoch) -> str:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Digits: softmax regression
# ---------------------------------------------------------------------------------------------


class DigitsExplorer(_EpochExplorer):
    """Softmax regression on 8x8 digits: the ten learned weight images and the accuracy.

    Left: column ``k`` of ``W`` drawn as an 8x8 image for each digit ``k`` (red: ink there
    raises the digit's score, blue: lowers it; the colour scale is symmetric and fitted to
    the shown epoch). Right: training and held-out accuracy per epoch up to the shown one.

    Parameters
    ----------
    model : gradlab.models.SoftmaxRegression
        With 64 features and 10 classes.
    train, test : gradlab.data.ImageData
    lr : float
    lr_range : (float, float)
    batch_size : int
        One of 32, 128, 512 (those below the training size) or the full training set.
    epochs : int
    seed : int
        Shuffles the batches; the start is ``start`` (zeros by default).
    """

    def __init__(self, model, train, test, *, lr=0.5, lr_range=(1e-3, 100.0), batch_size=32,
                 epochs=30, seed=0, start=None, figsize=(9.2, 3.9), dpi=100, png_dpi=72):
        if getattr(model, "n_features", None) != 64 or getattr(model, "n_classes", None) != 10:
            raise ValueError(f"model must be SoftmaxRegression(64, 10); got {model!r}")
        start = np.zeros(model.dim) if start is None else start
        super().__init__(model, train, test, lr=lr, lr_range=lr_range, batch_size=batch_size,
                         batch_sizes=(32, 128, 512), epochs=epochs, seed=seed, start=start,
                         figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title="DigitsExplorer: learned weight images and accuracy")
        grid = self.figure.add_gridspec(2, 8, left=0.02, right=0.98, bottom=0.2, top=0.89,
                                        wspace=0.15, hspace=0.35)
        self.weight_axes, self.weight_images = [], []
        for k in range(10):
            ax = self.figure.add_subplot(grid[k // 5, k % 5])
            image = ax.imshow(np.zeros((8, 8)), cmap="RdBu_r", vmin=-1, vmax=1, animated=True)
            ax.set_title(str(k), fontsize=9, pad=2)
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():  # under the (animated) image, as when saved
                spine.set_zorder(-1)
            self.weight_axes.append(ax)
            self.weight_images.append(image)
        self.ax_acc = self.figure.add_subplot(grid[:, 5:])
        self.figure.subplots_adjust()
        pos = self.ax_acc.get_position()
        # Raised above the weight images' bottom: room below for its legend, above the
        # message's three lines.
        self.ax_acc.set_position([pos.x0 + 0.06, 0.32, pos.width - 0.06, pos.y1 - 0.32])
        (self.train_line,) = self.ax_acc.plot([], [], color=BLUE, label="training",
                                              animated=True)
        (self.test_line,) = self.ax_acc.plot([], [], color=VERMILLION, label="held-out",
                                             animated=True)
        self.ax_acc.set(xlim=(0, self.epochs), ylim=(0, 1.02), xlabel="epoch",
                        ylabel="accuracy")
        self.ax_acc.set_title(" ", fontsize=9)
        self.animate(self.ax_acc.title)
        # Below the axis label, outside the data area: inside it, the animated accuracy curves
        # (drawn after the static layers) would paint over it. (A legend made animated to stay
        # on top would cost ~12 ms a frame.)
        self.legend = self.ax_acc.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22),
                                         ncols=2, fontsize=8, frameon=False, borderaxespad=0.0)
        few_ticks(self.ax_acc)
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})

    def accuracy(self, params, data) -> float:
        """Share of ``data`` whose most probable class is the true label."""
        return float(np.mean(self.model.predict(params, data.X) == data.y))

    def _metrics(self, record):
        return {"train_accuracy": self._accuracy_of_snapshots(record, self.train),
                "test_accuracy": self._accuracy_of_snapshots(record, self.test)}

    def _accuracy_of_snapshots(self, record, data) -> np.ndarray:
        """:meth:`accuracy` of every snapshot, ``(epochs + 1,)``, in one stacked product.

        The most probable class is the largest logit ``x W + b`` (softmax keeps the order),
        so the probabilities themselves are not needed.
        """
        blocks = self.model.unflatten(record.params)  # W (k, 64, 10), b (k, 10)
        with np.errstate(all="ignore"):
            logits = np.asarray(data.X, dtype=float) @ blocks["W"] + blocks["b"][:, None, :]
        return np.mean(np.argmax(logits, axis=-1) == data.y, axis=-1)

    def weight_images_at(self, epoch) -> np.ndarray:
        """The ten 8x8 weight images ``W[:, k]`` after ``epoch``, shape ``(10, 8, 8)``."""
        W = self.model.unflatten(self.record.params[epoch])["W"]
        return W.T.reshape(10, 8, 8)

    def _reveal(self, epoch):
        images = self.weight_images_at(epoch)
        scale = float(np.abs(images).max()) or 1.0
        for artist, image in zip(self.weight_images, images, strict=True):
            artist.set_data(image)
            artist.set_clim(-scale, scale)
        epochs = np.arange(epoch + 1)
        self.train_line.set_data(epochs, self.train_accuracy[: epoch + 1])
        self.test_line.set_data(epochs, self.test_accuracy[: epoch + 1])
        self.ax_acc.title.set_text(f"lr = {format_number(self.lr)}, batch {self.batch_size}")

    def _describe(self, epoch):
        steps = epoch * -(-self.train.n_samples // self.batch_size)
        largest = float(np.abs(self.weight_images_at(epoch)).max())
        return (f"epoch {epoch} ({steps} steps): held-out accuracy "
                f"{100 * self.test_accuracy[epoch]:.1f}%, training accuracy "
                f"{100 * self.train_accuracy[epoch]:.1f}%; largest weight "
                f"{format_number(largest, 2)}")


# ---------------------------------------------------------------------------------------------
# Recommender: matrix factorization
# ---------------------------------------------------------------------------------------------


class RecommenderExplorer(_EpochExplorer):
    """Matrix factorization by SGD: RMSE per epoch beside baselines; held-out predictions.

    Left: root mean squared error on the training and the held-out ratings per epoch, with
    horizontal lines for the ``baselines`` (name -> held-out RMSE). Right: predicted against
    true held-out ratings at the shown epoch (a perfect recommender puts them on the diagonal).

    Parameters
    ----------
    model : gradlab.models.MatrixFactorization
    train, test : gradlab.data.RatingsData
    baselines : mapping of str to float
        Held-out RMSE of other methods, drawn as dashed lines and compared in the message.
    floor : float, optional
        The noise floor (e.g. the planted truth's held-out RMSE), drawn as a dotted line.
    start : array_like, shape (model.dim,)
        Starting factors (they must not all be zero: at U = V = 0 the gradient vanishes).
    """

    def __init__(self, model, train, test, *, start, baselines=None, floor=None, lr=1.0,
                 lr_range=(1e-2, 100.0), batch_size=32, epochs=30, seed=0,
                 figsize=(9.2, 4.5), dpi=100, png_dpi=72):
        self.baselines = dict(baselines or {})
        self.floor = None if floor is None else float(floor)
        super().__init__(model, train, test, lr=lr, lr_range=lr_range, batch_size=batch_size,
                         batch_sizes=(32, 128, 512, 2048), epochs=epochs, seed=seed, start=start,
                         figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title="RecommenderExplorer: RMSE per epoch and held-out predictions")
        # A run takes thousands of steps (~0.1 s or more): a drag trains once, on release.
        for name in ("lr", "batch"):
            self.controls[name].continuous_update = False
        self.ax_rmse, self.ax_pred = self.figure.subplots(1, 2, width_ratios=(1.25, 1))
        # Room below the axes for the RMSE panel's legend (three rows), above the message.
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.355, top=0.918, wspace=0.25)
        (self.train_line,) = self.ax_rmse.plot([], [], color=BLUE, label="SGD, training",
                                               animated=True)
        (self.test_line,) = self.ax_rmse.plot([], [], color=VERMILLION, label="SGD, held-out",
                                              animated=True)
        styles = ["--", "-.", (0, (5, 1, 1, 1, 1, 1))]
        for i, (name, value) in enumerate(self.baselines.items()):
            self.ax_rmse.axhline(value, color=_GREY, ls=styles[i % 3], lw=1,
                                 label=f"{name} ({value:.2f})")
        if self.floor is not None:
            self.ax_rmse.axhline(self.floor, color="k", ls=":", lw=1,
                                 label=f"noise floor ({self.floor:.2f})")
        self.ax_rmse.set(xlim=(0, self.epochs), xlabel="epoch", ylabel="RMSE")
        # Below the axis label, outside the data area: inside it, the animated RMSE curves
        # (drawn after the static layers) would paint over it. (A legend made animated to stay
        # on top would cost ~12 ms a frame.)
        self.legend = self.ax_rmse.legend(loc="upper center", bbox_to_anchor=(0.5, -0.19),
                                          ncols=3, fontsize=8, frameon=False,
                                          borderaxespad=0.0)
        truth = np.asarray(test.y)
        span = float(np.abs(truth).max()) * 1.15
        self.span = span
        self.ax_pred.plot([-span, span], [-span, span], color=_GREY, lw=1)
        self.pred_dots = self.ax_pred.scatter(truth, np.zeros_like(truth), s=5, alpha=0.5,
                                              color=VERMILLION, animated=True)
        self.ax_pred.set(xlim=(-span, span), ylim=(-span, span), xlabel="true held-out rating",
                         ylabel="predicted")
        few_ticks(self.ax_rmse, self.ax_pred)
        for ax in (self.ax_rmse, self.ax_pred):
            ax.set_title(" ", fontsize=9)
            self.animate(ax.title)
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})

    def rmse(self, params, data) -> float:
        """Root mean squared error of the predicted ratings at ``data``'s positions."""
        return float(np.sqrt(np.mean((self.model.predict(params, data.X) - data.y) ** 2)))

    def _rmse_of_snapshots(self, record, data) -> np.ndarray:
        """:meth:`rmse` of every snapshot, ``(epochs + 1,)``, from one stacked prediction."""
        errors = self.model.predict(record.params, data.X) - data.y
        return np.sqrt(np.mean(errors**2, axis=-1))

    def _metrics(self, record):
        return {"train_rmse": self._rmse_of_snapshots(record, self.train),
                "test_rmse": self._rmse_of_snapshots(record, self.test)}

    def _scale_axes(self):
        values = np.concatenate([self.train_rmse, self.test_rmse, list(self.baselines.values())])
        values = values[np.isfinite(values) & (values > 0)]
        # Rounded up to a quarter decade, so that most runs keep the axis (no full redraw).
        top = 10 ** (np.ceil(4 * np.log10(min(values.max(), 1e3) * 1.1)) / 4)
        if (0, top) != self.ax_rmse.get_ylim():
            self.ax_rmse.set_ylim(0, top)

    def _reveal(self, epoch):
        epochs = np.arange(epoch + 1)
        self.train_line.set_data(epochs, self.train_rmse[: epoch + 1])
        self.test_line.set_data(epochs, self.test_rmse[: epoch + 1])
        predicted = np.clip(self.model.predict(self.record.params[epoch], self.test.X),
                            -2 * self.span, 2 * self.span)
        self.pred_dots.set_offsets(np.column_stack([self.test.y, predicted]))
        self.ax_pred.title.set_text(f"held-out ratings, epoch {epoch}")
        self.ax_rmse.title.set_text(f"lr = {format_number(self.lr)}, batch {self.batch_size}")

    def _describe(self, epoch):
        text = (f"epoch {epoch}: held-out RMSE {self.test_rmse[epoch]:.3f}, training RMSE "
                f"{self.train_rmse[epoch]:.3f}")
        if self.baselines:
            name, best = min(self.baselines.items(), key=lambda item: item[1])
            verdict = "better than" if self.test_rmse[epoch] < best else "not yet better than"
            text += f"; {verdict} the best baseline ({name}, {best:.3f})"
        return text


# ---------------------------------------------------------------------------------------------
# Anomaly detection: a linear autoencoder
# ---------------------------------------------------------------------------------------------


class AnomalyExplorer(_EpochExplorer):
    """A linear autoencoder trained by SGD flags samples it reconstructs badly.

    Left: mean reconstruction error on the training and held-out samples per epoch. Right: the
    held-out samples' anomaly scores (squared reconstruction error, log scale), normal samples
    in blue and planted anomalies in red, with the threshold: the ``quantile`` of the training
    scores. Samples above it are flagged; precision and recall are in the message.

    Parameters
    ----------
    model : gradlab.models.LinearAutoencoder
    train, test : gradlab.data.AnomalyData
        The training part may contain anomalies (the model never sees the labels).
    quantile : float
        The flagging threshold is this quantile of the training scores, in ``(0, 1)``.
    """

    def __init__(self, model, train, test, *, start, quantile=0.95, lr=0.03,
                 lr_range=(1e-4, 1.0), batch_size=32, epochs=30, seed=0,
                 figsize=(9.2, 4.15), dpi=100, png_dpi=72):
        if not (isinstance(quantile, numbers.Real) and 0 < quantile < 1):
            raise ValueError(f"quantile must be a number in (0, 1); got {quantile!r}")
        self.quantile = float(quantile)
        super().__init__(model, train, test, lr=lr, lr_range=lr_range, batch_size=batch_size,
                         batch_sizes=(8, 32, 128), epochs=epochs, seed=seed, start=start,
                         figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title="AnomalyExplorer: reconstruction error and anomaly scores")
        self.ax_loss, self.ax_score = self.figure.subplots(1, 2, width_ratios=(1, 1.25))
        # A band below the axes holds each panel's legend, outside the data area: inside it the
        # animated curves, dots and threshold (drawn after the static layers) would paint over
        # it. (A legend made animated to stay on top would cost ~12 ms a frame.)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.3, top=0.91, wspace=0.28)
        legend_place = {"fontsize": 8, "frameon": False, "borderaxespad": 0.0}
        (self.train_line,) = self.ax_loss.plot([], [], color=BLUE, label="training",
                                               animated=True)
        (self.test_line,) = self.ax_loss.plot([], [], color=VERMILLION, label="held-out",
                                              animated=True)
        self.ax_loss.set(xlim=(0, self.epochs), xlabel="epoch", yscale="log",
                         ylabel="mean reconstruction error")
        self.loss_legend = self.ax_loss.legend(loc="upper center", bbox_to_anchor=(0.5, -0.19),
                                               ncols=2, **legend_place)
        mask = np.asarray(test.anomaly_mask)
        self.order = np.arange(test.n_samples)
        colours = np.where(mask[:, None], np.array([[0.75, 0.22, 0.17, 1.0]]),
                           np.array([[0.0, 0.45, 0.70, 0.5]]))
        self.score_dots = self.ax_score.scatter(self.order, np.ones(test.n_samples), s=8,
                                                c=colours, animated=True)
        self.threshold_line = self.ax_score.axhline(1.0, color="k", ls="--", lw=1,
                                                    animated=True)
        self.ax_score.set(xlim=(-1, test.n_samples), yscale="log", xlabel="held-out sample",
                          ylabel="anomaly score")
        self.ax_score.scatter([], [], s=8, color=ANOMALY_RED, label="planted anomaly")
        self.ax_score.scatter([], [], s=8, color=BLUE, label="normal")
        self.ax_score.plot([], [], "k--", lw=1, label=f"threshold ({100 * self.quantile:g}% "
                                                      "of training scores below)")
        # One row, flush with the panel's right edge: wider than the panel, it reaches under
        # the gap between the axes.
        self.score_legend = self.ax_score.legend(loc="upper right", bbox_to_anchor=(1.0, -0.19),
                                                 ncols=3, **legend_place)
        few_ticks(self.ax_loss, self.ax_score)
        for ax in (self.ax_loss, self.ax_score):
            ax.set_title(" ", fontsize=9)
            self.animate(ax.title)
        with np.errstate(all="ignore"):
            self._apply({"lr": lr})

    def scores_at(self, epoch, data) -> np.ndarray:
        """Anomaly scores of ``data``'s samples with the parameters after ``epoch``."""
        return self.model.scores(self.record.params[epoch], data.X)

    def _metrics(self, record):
        # The score axis fits every epoch of the run at once: an epoch move redraws no tick.
        test = self.model.scores(record.params, self.test.X)
        train = self.model.scores(record.params, self.train.X)
        thresholds = np.quantile(train, self.quantile, axis=-1)
        return {"score_limits": log_limits(np.concatenate(
            [np.maximum(test, 1e-6).ravel(), thresholds]), pad=3, per_decade=1)}

    def flagged_at(self, epoch) -> tuple[np.ndarray, float]:
        """Which held-out samples are flagged after ``epoch``, and the threshold used."""
        threshold = float(np.quantile(self.scores_at(epoch, self.train), self.quantile))
        return self.scores_at(epoch, self.test) > threshold, threshold

    def _scale_axes(self):
        losses = np.concatenate([self.record.train_loss, self.record.test_loss])
        limits = log_limits(np.minimum(losses, 1e6))
        if limits != self.ax_loss.get_ylim():
            self.ax_loss.set_ylim(*limits)
        if self.score_limits != self.ax_score.get_ylim():
            self.ax_score.set_ylim(*self.score_limits)

    def _reveal(self, epoch):
        epochs = np.arange(epoch + 1)
        self.train_line.set_data(epochs, self.record.train_loss[: epoch + 1])
        self.test_line.set_data(epochs, self.record.test_loss[: epoch + 1])
        scores = np.maximum(self.scores_at(epoch, self.test), 1e-6)
        self.score_dots.set_offsets(np.column_stack([self.order, scores]))
        flagged, threshold = self.flagged_at(epoch)
        self.threshold_line.set_ydata([threshold, threshold])
        self.precision, self.recall = precision_recall(flagged, self.test.anomaly_mask)
        self.ax_score.title.set_text(f"epoch {epoch}: precision {self.precision:.2f}, recall "
                                     f"{self.recall:.2f}")
        self.ax_loss.title.set_text(f"lr = {format_number(self.lr)}, batch {self.batch_size}")

    def _describe(self, epoch):
        flagged, _ = self.flagged_at(epoch)
        n_true = int(np.sum(self.test.anomaly_mask))
        hits = int(np.sum(flagged & self.test.anomaly_mask))
        return (f"epoch {epoch}: {int(flagged.sum())} held-out samples flagged, {hits} of them "
                f"planted anomalies (of {n_true}): precision {self.precision:.2f}, recall "
                f"{self.recall:.2f}")


# ---------------------------------------------------------------------------------------------
# A trend in a data set too large for one batch
# ---------------------------------------------------------------------------------------------

class TrendExplorer(LiveFigure):
    """Fit a trend to a streamed data set by mini-batch SGD; compare with the exact fit.

    Left: the coefficients' distance from the exact least-squares fit against the rows seen
    (log scale). Right: a sample of rows (grey), the trend SGD found and the exact one.
    Controls: ``lr`` (log), ``batch`` and ``passes``; nothing trains until **Train** is
    clicked (a pass streams every row), and a progress bar shows how far it got.

    Parameters
    ----------
    seed, n_rows, chunk_rows : int
        The stream (see :func:`gradlab.data.trend_chunks`).
    exact : array_like, shape (4,)
        The exact least-squares coefficients (e.g. from
        :func:`gradlab.training.stream_normal_equations`).
    sample : (t, y)
        A few rows to draw.
    """

    batch_sizes = (10, 100, 1000, 10000)

    def __init__(self, seed, n_rows, chunk_rows, *, exact, sample, lr=0.3,
                 lr_range=(1e-4, 10.0), batch_size=1000, passes=1, figsize=(9.2, 3.7),
                 dpi=100, png_dpi=72):
        self.seed = check_int("seed", seed, minimum=0)
        self.n_rows = check_int("n_rows", n_rows)
        self.chunk_rows = check_int("chunk_rows", chunk_rows)
        self.exact = np.asarray(exact, dtype=float)
        if self.exact.shape != (4,):
            raise ValueError(f"exact must hold 4 coefficients; got shape {self.exact.shape}")
        if batch_size not in self.batch_sizes:
            raise ValueError(f"batch_size must be one of {list(self.batch_sizes)}; "
                             f"got {batch_size!r}")
        passes = check_int("passes", passes)
        lr = _check_lr(lr, lr_range)
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title="TrendExplorer: SGD on a streamed data set vs the exact fit")
        self.ax_err, self.ax_fit = self.figure.subplots(1, 2, width_ratios=(1, 1.3))
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.22, top=0.9, wspace=0.25)
        (self.err_line,) = self.ax_err.plot([], [], color=BLUE, marker="o", markersize=2)
        self.ax_err.set(xscale="log", yscale="log", xlabel="rows seen",
                        ylabel="|θ − θ_exact|")
        # Limits before the first Train: an empty log axis has none and cannot be drawn.
        self.ax_err.set_xlim(1, 3 * self.n_rows)
        self.ax_err.set_ylim(1e-3, 10)
        few_ticks(self.ax_err)
        t_sample, y_sample = (np.asarray(a, dtype=float) for a in sample)
        self.ax_fit.scatter(t_sample, y_sample, s=3, color="0.7", label="sample of rows")
        self.t_grid = np.linspace(0, 1, 400)
        design = trend_features(self.t_grid)
        self.ax_fit.plot(self.t_grid, design @ self.exact, color="k", lw=2.2,
                         label="exact least squares")
        (self.sgd_line,) = self.ax_fit.plot(self.t_grid, np.full(400, np.nan), color=VERMILLION,
                                            lw=1.2, label="mini-batch SGD")
        self.ax_fit.set(xlabel="t (10 years)", ylabel="y",
                        ylim=(np.quantile(y_sample, 0.005) - 1, np.quantile(y_sample, 0.995) + 1))
        self.ax_fit.legend(loc="upper left", fontsize=8)
        few_ticks(self.ax_fit)
        self.add_control("lr", log_slider("lr", lr, *lr_range))
        self.add_control("batch", ipywidgets.SelectionSlider(
            options=list(self.batch_sizes), value=batch_size, description="batch size"))
        self.add_control("passes", ipywidgets.IntSlider(value=passes, min=1, max=3,
                                                        description="passes"))
        self.add_button("train", "Train", self._train)
        self.progress_bar = ipywidgets.FloatProgress(value=0.0, min=0.0, max=1.0,
                                                     description="streamed")
        self.record = None
        self._trained_now = False
        self.show_message("Press Train: one pass streams every row through mini-batch SGD.")

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["lr"], c["batch"], c["passes"]]),
                ipywidgets.HBox([c["train"], self.progress_bar])]

    def _train(self):
        c = self.controls
        lr, batch, passes = float(c["lr"].value), int(c["batch"].value), int(c["passes"].value)
        self.progress_bar.value = 0.0

        def progress(fraction):
            self.progress_bar.value = fraction

        self.record = stream_sgd(
            lambda: trend_chunks(self.seed, self.n_rows, self.chunk_rows), 4, lr=lr,
            batch_size=batch, passes=passes, rng=np.random.default_rng([self.seed, 99]),
            progress=progress)
        self.settings = (lr, batch, passes)
        self._trained_now = True

    def _apply(self, changes):
        if not self._trained_now:
            if self.record is not None:
                self.show_message("Settings changed: press Train to stream the data again.")
            return
        self._trained_now = False
        record = self.record
        distance = np.linalg.norm(record.history - self.exact, axis=1)
        seen = np.maximum(record.rows_seen, 1)
        self.err_line.set_data(seen[1:], distance[1:])
        finite = distance[np.isfinite(distance) & (distance > 0)]
        if finite.size:
            self.ax_err.set_ylim(finite.min() / 2, finite.max() * 2)
        self.ax_err.set_xlim(seen[1] / 1.5 if len(seen) > 1 else 1, max(seen[-1], 2) * 1.5)
        few_ticks(self.ax_err)
        lr, batch, passes = self.settings
        self.sgd_line.set_ydata(trend_features(self.t_grid) @ record.coefficients)
        self.ax_err.set_title(f"lr = {format_number(lr)}, batch {batch}, {passes} "
                              f"pass(es)", fontsize=9)
        gap = float(np.linalg.norm(record.coefficients - self.exact))
        if record.diverged:
            self.show_message(f"Diverged after {record.steps} steps: lr = {format_number(lr)} is "
                              f"above "
                              "the stability bound for these features. Try a smaller lr.",
                              "error")
        elif record.stopped:
            self.show_message(f"Stopped after {record.rows_seen[-1]:,} rows; the fit so far "
                              f"is {gap:.3g} from the exact one.", "warning")
        else:
            self.show_message(f"{record.steps:,} steps over {record.rows_seen[-1]:,} rows: "
                              f"coefficients {np.round(record.coefficients, 3).tolist()}, "
                              f"{gap:.3g} from the exact fit")
