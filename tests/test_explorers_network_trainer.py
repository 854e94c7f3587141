"""Tests of gradlab.explorers.network_trainer, driven without a browser.

Expected numbers come from outside the code under test: a network forward pass restated
in numpy (tests/tiny_networks.py), and losses evaluated point by point. The training loop
itself is tested in tests/test_training.py.
"""

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import numpy as np
import pytest

from gradlab.explorers.network_trainer import LossSliceExplorer, NetworkTrainer
from gradlab.landscape import random_directions
from gradlab.models import MLP
from tests.tiny_networks import cross_entropy, forward

# close_all and datasets come from tests/conftest.py.


# --- NetworkTrainer ------------------------------------------------------------------------------


def _artist_count(widget):
    return sum(len(ax.get_children()) for ax in widget.figure.axes) + len(widget.figure.texts)


def test_trainer_image_is_the_network_probability(datasets, close_all):
    widget = NetworkTrainer(datasets, dataset="xor", width=4, batch_size=16, epochs=20, seed=3,
                            resolution=12)
    widget.set(epoch=7)
    params = widget.record.params[7]
    (xlo, xhi), (ylo, yhi) = widget.window
    xs, ys = np.linspace(xlo, xhi, 12), np.linspace(ylo, yhi, 12)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    expected = forward(params, (2, 4), grid).reshape(12, 12)
    np.testing.assert_allclose(np.asarray(widget.image.get_array()), expected, atol=1e-12)
    x, y = widget.train_line.get_data()
    np.testing.assert_array_equal(x, np.arange(8))
    np.testing.assert_array_equal(y, widget.record.train_loss[:8])
    assert "epoch 7" in widget.message


def test_epoch_slider_only_reveals(datasets, close_all):
    widget = NetworkTrainer(datasets, epochs=10, resolution=10)
    record = widget.record
    widget.set(epoch=3)
    assert widget.record is record
    widget.set(lr=0.1)
    assert widget.record is not record


def test_no_new_artists_per_update(datasets, close_all):
    widget = NetworkTrainer(datasets, epochs=10, resolution=10)
    widget.figure.canvas.draw()
    before = _artist_count(widget)
    for change in (dict(dataset="moons"), dict(epoch=2), dict(optimizer="SGD"),
                   dict(width=16), dict(batch=8), dict(seed=4)):
        widget.set(**change)
    widget.figure.canvas.draw()
    assert _artist_count(widget) == before


def test_extreme_learning_rates_give_a_clear_message(datasets, close_all):
    widget = NetworkTrainer(datasets, dataset="moons", optimizer="SGD", epochs=10,
                            resolution=10)
    widget.set(lr=1e6)  # outside the slider: clipped, and said so
    assert "outside" in widget.message
    widget.set(optimizer="SGD + momentum 0.9", lr=10.0)
    assert ("Diverged" in widget.message) or ("overshoots" in widget.message)


def test_bad_trainer_arguments(datasets, close_all):
    with pytest.raises(ValueError, match="dataset must be one of"):
        NetworkTrainer(datasets, dataset="circles")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        NetworkTrainer(datasets, optimizer="LBFGS")
    with pytest.raises(ValueError, match="width must be one of"):
        NetworkTrainer(datasets, width=5)
    with pytest.raises(ValueError, match="batch_size must be one of"):
        NetworkTrainer(datasets, batch_size=3)


# --- LossSliceExplorer ---------------------------------------------------------------------------


def test_slice_matches_pointwise_losses(datasets, close_all):
    train, _ = datasets["xor"]
    model = MLP((2, 3, 1))
    params = model.init_params(np.random.default_rng(0))
    widget = LossSliceExplorer(model, params, train.X, train.y, seed=2, span=1.5, resolution=5)
    d1, d2 = random_directions(model, params, np.random.default_rng(2))
    steps = np.linspace(-1.5, 1.5, 5)
    expected = np.array([[cross_entropy(params + a * d1 + b * d2, (2, 3), train.X, train.y)
                          for a in steps] for b in steps])
    np.testing.assert_allclose(widget.losses, expected, rtol=1e-10)
    # The colour bar runs from the slice's lowest to its highest log10 loss, and says so.
    logs = np.log10(expected)
    low, high = logs.min(), logs.max()
    np.testing.assert_allclose(np.asarray(widget.image.get_array()), (logs - low) / (high - low),
                               rtol=1e-10, atol=1e-12)
    colour_numbers = [float(t.get_text()) for t in widget.colour_ticks]
    np.testing.assert_allclose(colour_numbers, low + np.array([0, 0.25, 0.5, 0.75, 1]) *
                               (high - low), rtol=1e-2)
    assert [t.get_text() for t in widget.x_ticks] == ["-1.5", "-0.75", "0", "0.75", "1.5"]
    assert widget.losses[2, 2] == pytest.approx(widget.center_loss)


def test_slice_updates_keep_the_artist_count(datasets, close_all):
    train, _ = datasets["xor"]
    model = MLP((2, 3, 1))
    params = model.init_params(np.random.default_rng(0))
    widget = LossSliceExplorer(model, params, train.X, train.y, resolution=9)
    widget.figure.canvas.draw()
    before = _artist_count(widget)
    widget.set(seed=5)
    widget.set(span=3.0, normalization="none")
    widget.figure.canvas.draw()
    assert _artist_count(widget) == before
    assert "none-normalized" in widget.message


def test_slice_bad_arguments(datasets, close_all):
    train, _ = datasets["xor"]
    model = MLP((2, 3, 1))
    with pytest.raises(ValueError, match="span must be a number in"):
        LossSliceExplorer(model, np.zeros(model.dim), train.X, train.y, span=0)
    with pytest.raises(ValueError, match="params must be 13 finite numbers"):
        LossSliceExplorer(model, np.zeros(3), train.X, train.y)


def test_returning_to_a_setting_reuses_its_run(datasets, close_all):
    widget = NetworkTrainer(datasets, epochs=5, resolution=10)
    first, settings = widget.record, widget.settings()
    widget.set(width=2)
    narrow = widget.record
    assert narrow is not first and widget.model.dim == 2 * 2 + 2 + 2 + 1
    widget.set(width=8)
    assert widget.record is first and widget.model.dim == 8 * 2 + 8 + 8 + 1
    assert widget.settings() == settings
    # The kept run is what training those settings from scratch gives.
    fresh = NetworkTrainer(datasets, epochs=5, resolution=10, width=2)
    np.testing.assert_array_equal(fresh.record.params, narrow.params)
    widget.runs.max_bytes = 1  # over budget: only the latest run stays
    for seed in (1, 2, 3):
        widget.set(seed=seed)
    assert len(widget.runs) == 1 and settings not in widget.runs


def test_a_slow_new_run_first_says_training_beside_the_controls(datasets, close_all):
    widget = NetworkTrainer(datasets, dataset="moons", epochs=4, resolution=10, batch_size=32)
    shown = []
    widget.status.observe(lambda change: shown.append(change["new"]), names="value")
    widget.slow_run = 0.0  # treat every run as slow
    widget.set(lr=1e6)  # clipped: the note must reach the final message, not the interim one
    steps = 4 * -(-datasets["moons"][0].n_samples // 32)
    assert len(shown) == 2 and f"lr = 10, batch 32, 8 hidden units: {steps} steps" in shown[0]
    assert "outside" in shown[1] and "outside" in widget.message
