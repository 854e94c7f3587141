"""No animated artist can paint over a legend of a lesson's live figure.

A live figure draws its animated artists (paths, curves, markers) after the cached static
layers (``LiveFigure._draw_frame``), so a static legend inside an axes' data area ends up under
whatever moves across it. The explorers keep their static legends below the axes instead:
checked with matplotlib's own extents, after drawing, before and after random moves of every
control. A legend that is itself animated (the network trainer's map legend, over its animated
image) is drawn with the animated artists, above those under it, and is not checked here.

Each explorer is built with the arguments its lesson uses; data sets are the lessons' own
except where noted (the trend explorer streams 20,000 rows, not two million: the layout does
not depend on the number of rows).
"""

import math

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import ipywidgets
import numpy as np
import pytest
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

from gradlab.data import (
    anomalies,
    blobs,
    digits,
    linear_regression,
    moons,
    ratings,
    spirals,
    train_test_split,
    trend_chunks,
    xor,
)
from gradlab.explorers.applications import (
    AnomalyExplorer,
    DigitsExplorer,
    RecommenderExplorer,
    TrendExplorer,
)
from gradlab.explorers.conditioning import ConditioningExplorer
from gradlab.explorers.directions import DirectionExplorer
from gradlab.explorers.lr_decay import DecayingRateExplorer
from gradlab.explorers.momentum import MomentumExplorer
from gradlab.explorers.network_trainer import NetworkTrainer
from gradlab.functions import Objective, quadratic_bowl
from gradlab.models import LinearAutoencoder, MatrixFactorization, SoftmaxRegression
from gradlab.training import stream_normal_equations
from gradlab.widgets import BatchSizeExplorer

pytestmark = pytest.mark.usefixtures("close_all")


def _direction():
    bowl = Objective.from_text("x^2 + x*y + 2*y^2", window=(-2, 2))
    return DirectionExplorer(bowl, point=(1.0, 0.5), angle=0.0, figsize=(9.3, 3.9))  # lesson 01


def _conditioning():  # lesson 03
    return ConditioningExplorer(condition_number=10.0, lr=0.17, angle=math.pi / 6,
                                start=(-2.4, 1.6), steps=30)


def _line_data():  # lesson 05: X, y, WINDOW, START
    data = linear_regression(np.random.default_rng(5), 200, weights=[2.0], bias=-1.0,
                             noise=0.5)
    return data.X, data.y, ((-3.0, 5.0), (-4.0, 3.0)), np.array([-2.0, 2.0])


def _batches():  # lesson 05
    X, y, window, start = _line_data()
    explorer = BatchSizeExplorer(X, y, seed=0, batch_size=16, lr=0.1, lr_range=(1e-3, 2.0),
                                 steps=40, start=start, window=window, n_cloud=40)
    explorer.set(step=12)
    return explorer


def _decay():  # lesson 05
    X, y, window, start = _line_data()
    return DecayingRateExplorer(X, y, seed=4, start=start, window=window, batch_size=1, lr=0.2,
                                decay_rate=0.02, lr_range=(1e-3, 2.0), steps=600)


def _momentum():
    return MomentumExplorer(quadratic_bowl(condition_number=50.0), start=np.array([-2.0, 1.5]),
                            steps=100, lr=0.02, momentum=0.9)  # lesson 06


def _trainer():  # lesson 08
    def split(data, seed):
        return train_test_split(data, np.random.default_rng(seed), test_fraction=0.25)

    datasets = {
        "moons": split(moons(np.random.default_rng(1), 200, noise=0.2), 11),
        "xor": split(xor(np.random.default_rng(0), 200, spread=0.35), 1),
        "spirals": split(spirals(np.random.default_rng(3), 240, noise=0.05), 13),
        "blobs": split(blobs(np.random.default_rng(4), 200, spread=0.9), 14),
    }
    return NetworkTrainer(datasets, dataset="moons", optimizer="Adam", lr=0.03, batch_size=16,
                          width=8, epochs=100, seed=0)


def _digits():  # lesson 09
    train, test = train_test_split(digits(), np.random.default_rng(0), test_fraction=0.25)
    return DigitsExplorer(SoftmaxRegression(n_features=64, n_classes=10), train, test, lr=0.5,
                          batch_size=32, epochs=30, seed=0)


def _recommender():  # lesson 09, with the baselines and floor it prints
    data = ratings(np.random.default_rng(3), 200, 150, rank=3, observed_fraction=0.2,
                   noise=0.3)
    train, test = train_test_split(data, np.random.default_rng(4), test_fraction=0.2)
    model = MatrixFactorization(n_users=200, n_items=150, rank=3)
    baselines = {"global mean": 1.771, "item mean": 1.815, "truncated SVD": 1.632,
                 "iterated SVD": 0.351}
    return RecommenderExplorer(model, train, test,
                               start=model.init_params(np.random.default_rng(5), scale=0.3),
                               baselines=baselines, floor=0.301, lr=1.0, batch_size=32,
                               epochs=30, seed=0)


def _anomaly():  # lesson 09
    data = anomalies(np.random.default_rng(6), 1000, 40, n_features=10, n_components=2,
                     spread=2.0, noise=0.3, distance=1.5)
    train, test = train_test_split(data, np.random.default_rng(7), test_fraction=0.3)
    model = LinearAutoencoder(n_features=10, n_components=2)
    return AnomalyExplorer(model, train, test, start=model.init_params(np.random.default_rng(8)),
                           quantile=0.95, lr=0.03, batch_size=32, epochs=30, seed=0)


def _trend():  # lesson 09, on 20,000 rows instead of two million
    n_rows, chunk_rows = 20_000, 5_000
    exact, _ = stream_normal_equations(trend_chunks(0, n_rows, chunk_rows))
    first_X, first_y = next(trend_chunks(0, n_rows, chunk_rows))
    explorer = TrendExplorer(0, n_rows, chunk_rows, exact=exact,
                             sample=(first_X[:3000, 1], first_y[:3000]), lr=0.3,
                             batch_size=1000, passes=1)
    explorer.set(train=True)
    return explorer


EXPLORERS = {
    "direction (lesson 01)": _direction,
    "conditioning (lesson 03)": _conditioning,
    "batch size (lesson 05)": _batches,
    "decaying rate (lesson 05)": _decay,
    "momentum (lesson 06)": _momentum,
    "network trainer (lesson 08)": _trainer,
    "digits (lesson 09)": _digits,
    "recommender (lesson 09)": _recommender,
    "anomaly (lesson 09)": _anomaly,
}


#: Lines of message checked where fewer than the three a LiveFigure has room for: the legends of
#: lessons 01 and 06 (commit 3bdd4d7) clear two lines, and a third runs over them.
MESSAGE_LINES = {"direction (lesson 01)": 2, "momentum (lesson 06)": 2}


def _legends(figure):
    """The visible static legends: an animated one is drawn on top of what it covers."""
    return [legend for legend in figure.findobj(Legend)
            if legend.get_visible() and not legend.get_animated()]


def _clipped_extent(artist, renderer):
    """Where ``artist`` can paint: its window extent cut to its clip box (None if nowhere)."""
    try:
        box = artist.get_window_extent(renderer)
    except (NotImplementedError, TypeError, AttributeError):
        return None
    clip = artist.get_clip_box() if artist.get_clip_on() else None
    if clip is not None:
        box = Bbox.intersection(box, clip)
    if box is None or not np.all(np.isfinite(box.bounds)) or box.width <= 0 or box.height <= 0:
        return None
    return box


def _positions(control):
    options = getattr(control, "options", None)
    if options:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    if isinstance(control, ipywidgets.FloatSlider):
        return list(np.linspace(control.min, control.max, 9))
    if isinstance(control, ipywidgets.IntSlider):
        return sorted({int(round(v)) for v in np.linspace(control.min, control.max, 9)})
    if isinstance(control, ipywidgets.Checkbox):
        return [True, False]
    return []


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_legends_lie_outside_every_data_area_and_clear_of_the_axis_texts(name):
    explorer = EXPLORERS[name]()
    figure = explorer.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    legends = _legends(figure)
    assert legends, "no legend to check"
    whole = figure.bbox
    boxes = [legend.get_window_extent(renderer) for legend in legends]
    for legend, box in zip(legends, boxes, strict=True):
        entries = [t.get_text() for t in legend.get_texts()]
        assert whole.x0 <= box.x0 and box.x1 <= whole.x1 and whole.y0 <= box.y0 \
            and box.y1 <= whole.y1, f"{name}: a legend runs off the canvas: {box}"
        for ax in figure.axes:
            assert not box.overlaps(ax.bbox), (
                f"{name}: legend {entries} overlaps the data area of "
                f"{ax.get_xlabel() or ax.get_ylabel()!r}")
            texts = [ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(),
                     *ax.get_yticklabels()]
            for text in texts:
                if text.get_visible() and text.get_text():
                    assert not box.overlaps(text.get_window_extent(renderer)), (
                        f"{name}: legend {entries} covers {text.get_text()!r}")
        for other in boxes:
            assert other is box or not box.overlaps(other), f"{name}: two legends overlap"
    # The longest message the figure has room for (shown in the stored picture too).
    lines = MESSAGE_LINES.get(name, explorer._message_lines)
    message = explorer._message_artist
    explorer.show_message("a message as long as the figure has room for, " * 20)
    text = message.get_text().split("\n")
    message.set_text("\n".join(text[:lines]))
    figure.canvas.draw()
    assert len(text) >= lines
    for box in boxes:
        assert not box.overlaps(message.get_window_extent(renderer)), (
            f"{name}: the message line runs over a legend")


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_no_animated_artist_reaches_a_legend_after_any_move(name):
    explorer = EXPLORERS[name]()
    rng = np.random.default_rng(6)
    figure = explorer.figure
    try:
        explorer.frame_rgba()
        for control_name, control in explorer.controls.items():
            values = _positions(control)
            for index in rng.integers(len(values), size=4) if len(values) > 1 else ():
                control.value = values[index]
                explorer.frame_rgba()
                renderer = figure.canvas.get_renderer()
                boxes = [legend.get_window_extent(renderer) for legend in _legends(figure)]
                for artist in figure.findobj(lambda a: a.get_animated() and a.get_visible()):
                    if artist is explorer._message_artist or isinstance(artist, Legend):
                        continue
                    extent = _clipped_extent(artist, renderer)
                    assert extent is None or not any(extent.overlaps(b) for b in boxes), (
                        f"{name}: after {control_name} = {values[index]!r}, the animated "
                        f"{type(artist).__name__} {artist.get_label()!r} reaches a legend")
    finally:
        explorer.close()


def test_the_trend_explorer_animates_nothing_so_its_legend_may_stay_inside():
    """Lesson 09's trend explorer redraws the whole figure after each Train: its fitted line is
    static, drawn under the legend like any matplotlib legend. Were anything in its axes made
    animated, the legend would have to move out like the others'."""
    explorer = _trend()
    try:
        for control in ("lr", "batch", "passes"):
            explorer.set(**{control: _positions(explorer.controls[control])[0]})
            explorer.set(train=True)
            explorer.frame_rgba()
            assert _legends(explorer.figure), "no legend to check"
            moving = [artist for ax in explorer.figure.axes for artist in ax.findobj()
                      if artist.get_animated()]
            assert not moving, f"animated in the trend explorer's axes: {moving}"
    finally:
        explorer.close()
