"""Train a small network on a 2-D data set and watch it learn; slice its loss landscape.

Two figures for lesson 08 ("How neural networks use gradients"), built on
:func:`gradlab.training.train_network` (mini-batch training, one snapshot of the parameters
and the training and held-out losses per epoch):

- :class:`NetworkTrainer` is the interactive trainer: data set, optimizer, learning rate,
  batch size and hidden width pick a run, looked up among the runs trained ahead (nearby
  learning rates as one batched run, :func:`gradlab.training.train_networks`) or trained at
  once; an epoch slider with a Play button then only *reveals* the stored snapshots: the
  decision boundary (the predicted probability over the plane, an image updated in place)
  and the two loss curves drawn up to that epoch.
- :class:`LossSliceExplorer` draws the loss on a plane through the trained parameters along
  two random directions (filter-normalized or raw), with sliders for the directions' seed and
  the span of the plane.

The training loop itself (forward, loss, backward, update) is written out in the lesson
before these helpers take over.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Mapping

import ipywidgets
import numpy as np
from contourpy import contour_generator
from matplotlib.collections import LineCollection
from matplotlib.ticker import LogLocator
from matplotlib.transforms import ScaledTranslation

from gradlab.checks import check_int
from gradlab.colors import BLUE, VERMILLION
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
from gradlab.landscape import loss_slice, random_directions
from gradlab.models import MLP
from gradlab.optimizers import SGD, Adam
from gradlab.plotting import few_ticks
from gradlab.training import train_network, train_networks
from gradlab.widgets import LiveFigure, log_slider

__all__ = [
    "OPTIMIZERS",
    "LossSliceExplorer",
    "NetworkTrainer",
]

#: The optimizers the trainer offers: name -> ``factory(lr)``.
OPTIMIZERS: dict[str, Callable] = {
    "SGD": lambda lr: SGD(lr=lr),
    "SGD + momentum 0.9": lambda lr: SGD(lr=lr, momentum=0.9),
    "Adam": lambda lr: Adam(lr=lr),
}


_DARK_BLUE = np.array([0.02, 0.19, 0.42, 1.0])
_DARK_RED = np.array([0.40, 0.0, 0.05, 1.0])



def _window_of(*datasets, margin=0.25):
    """A square-ish view around all samples, ``margin`` of the extent added on each side."""
    points = np.concatenate([np.asarray(d.X) for d in datasets])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = margin * (high - low).max()
    return (low[0] - pad, high[0] + pad), (low[1] - pad, high[1] + pad)


def probability_grid(model, params, window, resolution):
    """Predicted probability of class 1 on a ``resolution x resolution`` grid over ``window``.

    Rows run along the second coordinate (bottom to top), as ``imshow(origin="lower")`` wants.
    """
    (xlo, xhi), (ylo, yhi) = window
    xs, ys = np.linspace(xlo, xhi, resolution), np.linspace(ylo, yhi, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return model.predict_proba(params, grid).reshape(resolution, resolution)


class NetworkTrainer(WorksAhead, LiveFigure):
    """Train a one-hidden-layer tanh network on a 2-D data set; reveal the training epoch by epoch.

    Left: the predicted probability of class 1 over the plane (blue 0, red 1; the white band is
    the decision boundary), training samples as filled dots, held-out samples as crosses.
    Right: the training and held-out losses up to the shown epoch.

    Controls: ``dataset``, ``optimizer``, ``lr`` (log slider), ``batch`` (batch size),
    ``width`` (hidden units), ``seed`` (initial weights and batch order) — each of these picks
    a run — and ``epoch`` with a Play button, which only reveals the run's stored snapshots.

    A move is a lookup wherever it can be: finished runs are kept in :attr:`runs` (a
    :class:`~gradlab.explorers.status.RunTable` keyed by :meth:`settings`, at most
    :attr:`max_bytes` of arrays). Just after it is built and after every new setting, the
    trainer has the background worker (:data:`~gradlab.explorers.status.BACKGROUND`, inside
    a Jupyter kernel) train the :attr:`lr_reach` learning rates on each side of the current
    one as one batched run (:func:`gradlab.training.train_networks`, equal bit for bit to
    training each alone), then the current learning rate at every other batch size and width.
    A run not kept yet is trained at once; one expected to take longer than :attr:`slow_run`
    seconds first says "training …" beside the controls, which costs no figure render.
    (All positions of all sliders would be 4 data sets x 3 optimizers x 401 rates x 6 batch
    sizes x 6 widths, a million seconds of training: too many to train ahead.)

    Parameters
    ----------
    datasets : mapping of str to (train, test)
        Two-class :class:`gradlab.data.ClassificationData` pairs, 2 features each.
    dataset : str, optional
        The one shown first (default: the first).
    optimizer : str
        A key of :data:`OPTIMIZERS`.
    lr : float
    lr_range : (float, float)
        Range of the learning-rate slider.
    batch_size : int
        Initial batch size; the slider offers 8, 16, 32, 64, 128 (those below the largest
        training set) and the largest training set (full batch; capped at each set's size).
    width : int
        Initial number of hidden units; the slider offers 1, 2, 3, 4, 8, 16.
    epochs : int
        Epochs of each run (the epoch slider's range).
    seed : int
    resolution : int
        Grid points per axis of the probability image.
    figsize, dpi, png_dpi
        See :class:`gradlab.widgets.LiveFigure`.
    """

    widths = (1, 2, 3, 4, 8, 16)
    #: Bytes of finished runs kept (about 400 runs of 8 hidden units and 100 epochs).
    max_bytes = 48 * 2**20
    #: Learning rates trained ahead on each side of the current one, in slider positions.
    lr_reach = 40
    #: Seconds: a new run expected to take longer first says "training …" beside the controls.
    slow_run = 0.06

    def __init__(self, datasets: Mapping, *, dataset=None, optimizer="Adam", lr=0.03,
                 lr_range=(1e-3, 10.0), batch_size=16, width=8, epochs=100, seed=0,
                 resolution=60, figsize=(8.6, 4.4), dpi=100, png_dpi=72):
        if not isinstance(datasets, Mapping) or not datasets:
            raise ValueError("datasets must be a non-empty mapping name -> (train, test)")
        for name, pair in datasets.items():
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise ValueError(f"datasets[{name!r}] must be a pair (train, test)")
            for part in pair:
                if part.n_features != 2 or np.setdiff1d(part.y, [0, 1]).size:
                    raise ValueError(f"datasets[{name!r}] must hold 2-D samples with labels 0/1")
        self.datasets = dict(datasets)
        dataset = next(iter(self.datasets)) if dataset is None else dataset
        if dataset not in self.datasets:
            raise ValueError(f"dataset must be one of {list(self.datasets)}; got {dataset!r}")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}; got {optimizer!r}")
        if width not in self.widths:
            raise ValueError(f"width must be one of {list(self.widths)}; got {width!r}")
        self.epochs = check_int("epochs", epochs)
        self.resolution = check_int("resolution", resolution, minimum=2)
        seed = check_int("seed", seed, minimum=0)
        n_largest = max(pair[0].n_samples for pair in self.datasets.values())
        # No batches below 8: each step costs ~0.1 ms in Python, and a slider must answer fast.
        sizes = sorted({s for s in (8, 16, 32, 64, 128) if s < n_largest} | {n_largest})
        if batch_size not in sizes:
            raise ValueError(f"batch_size must be one of {sizes}; got {batch_size!r}")
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title="NetworkTrainer: decision boundary and losses while training")
        # settings() -> (model, record), least recently used first.
        self.runs = RunTable(self.max_bytes)
        self.models = {w: MLP((2, w, 1), activation="tanh", output="sigmoid")
                       for w in self.widths}
        self._seconds_per_step = 0.0  # measured on each run trained at once
        self._dataset_shown = None

        self.ax_map, self.ax_loss = self.figure.subplots(1, 2, width_ratios=(1, 1.15))
        # Room below the axes for the loss legend, above the message's three lines.
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.285, top=0.91, wspace=0.28)
        blank = np.full((self.resolution, self.resolution), 0.5)
        # A move redraws the animated artists only; whatever lies on top of the image (dots,
        # frame) is animated too, so that it stays on top.
        self.image = self.ax_map.imshow(blank, origin="lower", cmap="RdBu_r", vmin=0.0,
                                        vmax=1.0, aspect="auto", interpolation="bilinear",
                                        extent=(0, 1, 0, 1), animated=True)
        empty = np.zeros((0, 2))
        self.train_dots = self.ax_map.scatter(empty[:, 0], empty[:, 1], c=empty[:, 0], s=14,
                                              cmap="RdBu_r",
                                              vmin=0, vmax=1, edgecolors="k", linewidths=0.4,
                                              label="training", animated=True)
        self.test_marks = self.ax_map.scatter(empty[:, 0], empty[:, 1], s=24, marker="x",
                                              color="k", linewidths=1.3, label="held out",
                                              animated=True)
        # Below the map, like the loss legend: over the animated image it would have to be
        # animated too, and drawing it cost ~11 ms a move.
        self.map_legend = self.ax_map.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17),
                                             ncols=2, fontsize=8, frameon=False,
                                             borderaxespad=0.0)
        # Titles change on every move: set once, then only their text (set_title would touch
        # the static side titles too).
        for ax in (self.ax_map, self.ax_loss):
            ax.set_title(" ", fontsize=9)
        self.animate(*self.ax_map.spines.values(), self.ax_map.title, self.ax_loss.title)
        (self.train_line,) = self.ax_loss.plot([], [], color=BLUE, label="training loss",
                                               animated=True)
        (self.test_line,) = self.ax_loss.plot([], [], color=VERMILLION, label="held-out loss",
                                              animated=True)
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xlabel("epoch")
        self.ax_loss.set_ylabel("cross-entropy loss")
        # Below the axis label, outside the data area: inside it, the animated loss curves
        # (drawn after the static layers) would paint over it. Static, so its text costs no
        # time per move (a legend made animated to stay on top would cost ~12 ms a frame).
        self.loss_legend = self.ax_loss.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17),
                                               ncols=2, fontsize=8, frameon=False,
                                               borderaxespad=0.0)
        self.ax_loss.set_xlim(0, self.epochs)
        few_ticks(self.ax_map, self.ax_loss)
        self.ax_loss.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0), numticks=8))

        self.add_control("dataset", ipywidgets.Dropdown(options=list(self.datasets),
                                                        value=dataset, description="data"))
        self.add_control("optimizer", ipywidgets.Dropdown(options=list(OPTIMIZERS),
                                                          value=optimizer,
                                                          description="optimizer"))
        self.add_control("lr", log_slider("lr", lr, *lr_range))
        self.add_control("batch", ipywidgets.SelectionSlider(options=sizes, value=batch_size,
                                                             description="batch size"))
        self.add_control("width", ipywidgets.SelectionSlider(options=list(self.widths),
                                                             value=width,
                                                             description="hidden units"))
        self.add_control("seed", ipywidgets.BoundedIntText(value=seed, min=0, max=2**31 - 1,
                                                           description="seed"))
        self.add_control("epoch", ipywidgets.IntSlider(value=self.epochs, min=0,
                                                       max=self.epochs, description="epoch"))
        self.play = ipywidgets.Play(value=self.epochs, min=0, max=self.epochs, interval=120)
        ipywidgets.link((self.play, "value"), (self.controls["epoch"], "value"))
        with np.errstate(all="ignore"):
            self._apply({"dataset": dataset})

    def _control_rows(self):
        c = self.controls
        return [ipywidgets.HBox([c["dataset"], c["optimizer"], c["lr"]]),
                ipywidgets.HBox([c["batch"], c["width"], c["seed"]]),
                ipywidgets.HBox([self.play, c["epoch"]])]

    # -- runs: looked up, trained at once, or trained ahead in the background --------------------
    def settings(self) -> tuple:
        """The controls that pick a run: ``(dataset, optimizer, lr, batch, width, seed)``."""
        c = self.controls
        return (c["dataset"].value, c["optimizer"].value, float(c["lr"].value),
                int(c["batch"].value), int(c["width"].value), int(c["seed"].value))

    def _start_and_batches(self, settings):
        """``(model, start, train, test, batch size, batch-order rng)`` of a run."""
        dataset, _optimizer, _lr, batch, width, seed = settings
        train, test = self.datasets[dataset]
        model = self.models[width]
        start = model.init_params(np.random.default_rng([seed, 0]))
        return (model, start, train, test, min(batch, train.n_samples),
                np.random.default_rng([seed, 1]))

    def _train_rates(self, settings, rates, pause=None):
        """Train the runs of ``settings`` at each of ``rates`` as one batched run; keep them."""
        if not rates:
            return
        model, start, train, test, batch, rng = self._start_and_batches(settings)
        optimizer = OPTIMIZERS[settings[1]](np.array(rates, dtype=float))
        records = train_networks(model, start, train, test, optimizer, batch_size=batch,
                                 epochs=self.epochs, rng=rng, pause=pause)
        for rate, record in zip(rates, records, strict=True):
            self.runs.put((*settings[:2], float(rate), *settings[3:]), (model, record))

    def _train(self):
        key = self.settings()
        dataset, optimizer, lr, batch, width, _seed = key
        self.train, self.test = self.datasets[dataset]
        self.batch_size = min(batch, self.train.n_samples)
        run = self.runs.get(key)
        if run is None:
            steps = self.epochs * -(-self.train.n_samples // self.batch_size)
            if steps * self._seconds_per_step > self.slow_run:
                # Said at once beside the controls (no figure render); the result follows.
                say_training(self, f"training {optimizer}, lr = {format_number(lr)}, batch "
                                 f"{self.batch_size}, {width} hidden units: {steps:,} steps …")
            started = time.perf_counter()
            model, start, train, test, batch_size, rng = self._start_and_batches(key)
            run = (model, train_network(model, start, train, test, OPTIMIZERS[optimizer](lr),
                                        batch_size=batch_size, epochs=self.epochs, rng=rng))
            self._seconds_per_step = ((time.perf_counter() - started)
                                      / max(run[1].steps, 1))
            self.runs.put(key, run)
        self.model, self.record = run
        self._train_ahead(key)

    def _train_ahead(self, key):
        """Queue, most useful first: the nearest rates (a batched run of :data:`AHEAD_CHUNK`),
        the current rate at every other batch size and width, then the farther rates."""
        BACKGROUND.cancel(self)
        rates = [v for _label, v in self.controls["lr"].options]
        nearby = nearest_first(rates, key[2], self.lr_reach)
        missing = [r for r in nearby if (*key[:2], r, *key[3:]) not in self.runs]
        rate_jobs = [lambda pause, chunk=chunk: self._train_rates(
            key, [r for r in chunk if (*key[:2], r, *key[3:]) not in self.runs], pause)
            for chunk in chunks(missing)]  # nearest first, each kept as soon as it is trained
        others = [(*key[:3], batch, *key[4:]) for batch in
                  nearest_first(self.controls["batch"].options, key[3])[1:]]
        others += [(*key[:4], width, key[5]) for width in nearest_first(self.widths, key[4])[1:]]
        other_jobs = [lambda pause, other=other: (
            other in self.runs or self._train_rates(other, [other[2]], pause))
            for other in others]
        # The next key press may move any slider: the nearest rates, then the other batch
        # sizes and widths, then the farther rates.
        for job in rate_jobs[:1] + other_jobs + rate_jobs[1:]:
            BACKGROUND.submit(self, job)

    def train_ahead_now(self):
        """Train at once what the background worker would train ahead (tests, benchmarks)."""
        BACKGROUND.run_all(self)

    def _show_dataset(self):
        self.window = _window_of(self.train, self.test)
        (xlo, xhi), (ylo, yhi) = self.window
        self.image.set_extent((xlo, xhi, ylo, yhi))
        self.ax_map.set_xlim(xlo, xhi)
        self.ax_map.set_ylim(ylo, yhi)
        self.train_dots.set_offsets(np.asarray(self.train.X))
        self.train_dots.set_array(np.asarray(self.train.y, dtype=float))
        self.test_marks.set_offsets(np.asarray(self.test.X))
        # Darker than the background of their own class, so a right answer stays visible.
        self.test_marks.set_color(np.where(np.asarray(self.test.y)[:, None] == 1,
                                           _DARK_RED, _DARK_BLUE))

    def _scale_loss_axis(self):
        limits = log_limits(np.concatenate([self.record.train_loss, self.record.test_loss]))
        if limits != self.ax_loss.get_ylim():  # rounded: most runs keep the axis as it is
            self.ax_loss.set_ylim(*limits)

    def _apply(self, changes):
        if set(changes) - {"epoch"}:
            self._train()
            if self.controls["dataset"].value != self._dataset_shown:
                self._dataset_shown = self.controls["dataset"].value
                self._show_dataset()
            self._scale_loss_axis()
        self._reveal(int(self.controls["epoch"].value))

    def _reveal(self, epoch):
        record = self.record
        shown = min(epoch, record.epochs_done)
        self.shown_epoch = shown
        params = record.params[shown]
        self.probabilities = probability_grid(self.model, params, self.window, self.resolution)
        self.image.set_data(self.probabilities)
        epochs = np.arange(shown + 1)
        self.train_line.set_data(epochs, record.train_loss[: shown + 1])
        self.test_line.set_data(epochs, record.test_loss[: shown + 1])
        c = self.controls
        self.ax_map.title.set_text(f"{c['dataset'].value}: {self.model.dim} parameters, "
                                   f"epoch {shown}")
        self.ax_loss.title.set_text(f"{c['optimizer'].value}, lr = "
                                    f"{format_number(c['lr'].value)}, batch {self.batch_size}")
        self._describe(epoch, shown, params)


    def accuracy(self, params, data) -> float:
        """Share of ``data`` the network with ``params`` labels correctly."""
        return float(np.mean(self.model.predict(params, data.X) == data.y))

    def _describe(self, epoch, shown, params):
        record = self.record
        if record.diverged_at >= 0 and epoch >= record.diverged_at:
            self.show_message(
                f"Diverged in epoch {record.diverged_at}: the loss became infinite or NaN. "
                f"lr = {format_number(self.controls['lr'].value)} makes steps so large that the "
                f"weights "
                f"blow up; the last finite state (epoch {shown}) is shown. Try a smaller lr.",
                "error")
            return
        if record.train_loss[shown] > record.train_loss[0]:
            self.show_message(
                f"epoch {shown}: the training loss {format_number(record.train_loss[shown])} is "
                f"above "
                f"where it started ({format_number(record.train_loss[0])}): lr = "
                f"{format_number(self.controls['lr'].value)} overshoots; the saturated tanh units "
                f"keep "
                "the numbers finite, but the network has stopped learning. Try a smaller lr.",
                "warning")
            return
        self.show_message(
            f"epoch {shown}: training loss {format_number(record.train_loss[shown])}, held-out "
            f"loss "
            f"{format_number(record.test_loss[shown])}; held-out accuracy "
            f"{100 * self.accuracy(params, self.test):.0f}%")



#: Where the slice's axes carry numbers (fractions of the span) and where its colour bar does.
_SLICE_TICKS = (-1.0, -0.5, 0.0, 0.5, 1.0)
_COLOUR_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _tick_texts(ax, axis, positions, side="left"):
    """Tick marks at ``positions`` on ``ax``'s ``axis``, their numbers as animated texts.

    Matplotlib's own tick labels are static: a new label would redraw the whole figure. These
    texts sit where the labels would (the tick's length plus its padding outside the axes) and
    change with the figure's moves. Returns the texts, empty until their numbers are set.
    """
    outside = 7 / 72  # inches: matplotlib's default tick length plus padding, 3.5 + 3.5 pt
    inches = ax.figure.dpi_scale_trans
    size = ax.xaxis.get_ticklabels()[0].get_fontsize() if ax.xaxis.get_ticklabels() else 10
    if axis == "x":
        ax.set_xticks(positions)
        ax.tick_params(axis="x", labelbottom=False)
        place = ax.get_xaxis_transform() + ScaledTranslation(0, -outside, inches)
        return [ax.text(p, 0, "", transform=place, ha="center", va="top", fontsize=size,
                        animated=True) for p in positions]
    ax.set_yticks(positions)
    ax.tick_params(axis="y", labelleft=False, labelright=False, left=side == "left",
                   right=side == "right")
    sign = -1 if side == "left" else 1
    place = ax.get_yaxis_transform() + ScaledTranslation(sign * outside, 0, inches)
    return [ax.text(0 if side == "left" else 1, p, "", transform=place, fontsize=size,
                    ha="right" if side == "left" else "left", va="center", animated=True)
            for p in positions]


class LossSliceExplorer(WorksAhead, LiveFigure):
    """The loss on a plane through trained parameters: ``L(θ + α δ + β ν)``.

    Controls: ``seed`` (which pair of random directions δ, ν: η stays the learning rate),
    ``span`` (α and β run over ``[-span, span]``) and ``normalization`` (``"filter"`` as
    Li et al. 2018, or ``"none"``).
    The trained point sits at the centre (a star); the colour is ``log10`` of the loss.

    Parameters
    ----------
    model : gradlab.models model
    params : array_like, shape (dim,)
        The trained parameters (the centre of the plane).
    X, y : arrays
        The data the loss is measured on.
    seed : int
    span : float
        Initial half-width of the plane, in ``(0, 5]``.
    resolution : int
        Grid points per axis.
    """

    def __init__(self, model, params, X, y, *, seed=0, span=1.0, resolution=41,
                 figsize=(5.2, 4.4), dpi=100, png_dpi=72):
        params = np.asarray(params, dtype=float)
        if params.shape != (model.dim,) or not np.all(np.isfinite(params)):
            raise ValueError(f"params must be {model.dim} finite numbers for {model!r}; "
                             f"got shape {params.shape}")
        if not (isinstance(span, numbers.Real) and 0 < span <= 5):
            raise ValueError(f"span must be a number in (0, 5]; got {span!r}")
        seed = check_int("seed", seed, minimum=0)
        self.resolution = check_int("resolution", resolution, minimum=3)
        super().__init__(figsize=figsize, dpi=dpi, png_dpi=png_dpi,
                         title="LossSliceExplorer: a 2-D slice of a network's loss")
        self.model, self.params = model, params
        self.X, self.y = np.asarray(X), np.asarray(y)
        self.center_loss = float(model.loss(params, self.X, self.y))
        self.figure.subplots_adjust(left=0.13, right=0.8, bottom=0.2, top=0.9)
        self.ax = self.figure.add_subplot()
        # The axes run over [-1, 1] in units of the span and the colour bar over [0, 1] of the
        # slice's range; the numbers on them are animated texts. So a move (a new span, a new
        # range of losses) changes only animated artists and never redraws the static layers.
        blank = np.zeros((self.resolution, self.resolution))
        self.image = self.ax.imshow(blank, origin="lower", cmap="viridis", aspect="auto",
                                    extent=(-1, 1, -1, 1), vmin=0.0, vmax=1.0, animated=True)
        # One line collection whose segments each move replaces (a new contour set per move
        # would be a new artist, and the frame a full redraw).
        self.contours = LineCollection([], colors="white", linestyles="solid", linewidths=0.6,
                                       alpha=0.7, animated=True)
        self.ax.add_collection(self.contours, autolim=False)
        (self.center_mark,) = self.ax.plot([0], [0], marker="*", color="white",
                                           markeredgecolor="k", markersize=13, ls="none",
                                           animated=True)
        for spine in self.ax.spines.values():  # under the (animated) image, as when saved
            spine.set_zorder(-1)
        self.ax.set_xlim(-1, 1)
        self.ax.set_ylim(-1, 1)
        self.ax.set_title(" ", fontsize=9)
        self.animate(self.ax.title)
        self.x_ticks = _tick_texts(self.ax, "x", _SLICE_TICKS)
        self.y_ticks = _tick_texts(self.ax, "y", _SLICE_TICKS)
        self.ax.set_xlabel("α (direction δ)")
        self.ax.set_ylabel("β (direction ν)")
        self.ax.xaxis.set_label_coords(0.5, -0.13)
        self.ax.yaxis.set_label_coords(-0.15, 0.5)
        self.colour_axes = self.figure.add_axes((0.82, 0.2, 0.03, 0.7))
        self.colour_axes.imshow(np.linspace(0, 1, 256)[:, None], origin="lower", cmap="viridis",
                                aspect="auto", extent=(0, 1, 0, 1))
        self.colour_axes.set_xticks([])
        self.colour_ticks = _tick_texts(self.colour_axes, "y", _COLOUR_TICKS, side="right")
        self.colour_axes.set_ylabel("log10 loss")
        self.colour_axes.yaxis.set_label_position("right")
        self.colour_axes.yaxis.set_label_coords(4.6, 0.5)
        # (seed, span, normalization) -> losses; filled on a move and ahead of the learner
        self.slices = RunTable(max_bytes=16e6)
        self.add_control("seed", ipywidgets.IntSlider(value=seed, min=0, max=20,
                                                      description="directions"))
        self.add_control("span", ipywidgets.FloatSlider(value=float(span), min=0.1, max=5.0,
                                                        step=0.1, description="span"))
        self.add_control("normalization", ipywidgets.Dropdown(options=["filter", "none"],
                                                              value="filter",
                                                              description="normalize"))
        with np.errstate(all="ignore"):
            self._apply({"seed": seed})

    def _key(self, seed=None, span=None):
        c = self.controls
        return (int(c["seed"].value if seed is None else seed),
                float(c["span"].value if span is None else span), c["normalization"].value)

    def _compute(self, key):
        seed, span, normalization = key
        if key not in self.slices:
            steps = np.linspace(-span, span, self.resolution)
            d1, d2 = random_directions(self.model, self.params, np.random.default_rng(seed),
                                       normalization=normalization)
            self.slices.put(key, loss_slice(lambda p: self.model.loss(p, self.X, self.y),
                                            self.params, d1, d2, steps, steps))
        return self.slices.get(key)

    def slice(self):
        """``(alphas, betas, losses)`` for the current controls."""
        key = self._key()
        steps = np.linspace(-key[1], key[1], self.resolution)
        return steps, steps, self._compute(key)

    def _compute_ahead(self):
        """Queue the slices a learner is likely to ask for next: every seed at this span, then
        the neighbouring spans at this seed (a move to them is then a lookup)."""
        seeds = nearest_first(list(range(self.controls["seed"].min,
                                         self.controls["seed"].max + 1)),
                              int(self.controls["seed"].value))
        spans = np.round(np.arange(0.1, 5.0 + 1e-9, 0.1), 10)
        spans = nearest_first([float(v) for v in spans], float(self.controls["span"].value),
                              reach=3)
        keys = [self._key(seed=s) for s in seeds] + [self._key(span=v) for v in spans]

        def job(pause, keys=keys):
            for key in self.slices.missing(keys):
                pause()
                self._compute(key)

        BACKGROUND.cancel(self)
        BACKGROUND.submit(self, job)

    def _apply(self, changes):
        alphas, betas, losses = self.slice()
        self.losses = losses
        span = float(alphas[-1])
        finite = np.isfinite(losses) & (losses > 0)
        logs = np.where(finite, np.log10(np.where(finite, losses, 1.0)), np.nan)
        low, high = np.nanmin(logs), np.nanmax(logs)
        if not high > low:
            high = low + 1
        self.image.set_data((logs - low) / (high - low))  # [0, 1] of the colour bar
        levels = np.linspace(0, 1, 12)[1:-1]
        unit = alphas / span  # the axes' [-1, 1]
        lines = contour_generator(unit, unit, np.ma.masked_invalid((logs - low) / (high - low)))
        self.contours.set_segments([segment for level in levels
                                    for segment in lines.lines(level)])
        for text, fraction in zip(self.x_ticks + self.y_ticks, 2 * _SLICE_TICKS, strict=True):
            text.set_text(format_number(fraction * span))
        for text, fraction in zip(self.colour_ticks, _COLOUR_TICKS, strict=True):
            text.set_text(format_number(low + fraction * (high - low)))
        self._compute_ahead()
        lowest = float(np.nanmin(losses))
        self.ax.title.set_text(f"loss at the centre {format_number(self.center_loss)}, "
                               f"lowest on this slice {format_number(lowest)}")
        self.show_message(
            f"{self.controls['normalization'].value}-normalized directions, "
            f"α, β in [−{format_number(span)}, {format_number(span)}]; highest loss on the slice "
            f"{format_number(float(np.nanmax(losses)))}")
