"""DecayingRateExplorer: paths checked against SGD written out by hand, artists reused."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from gradlab.explorers.lr_decay import DecayingRateExplorer, batch_size_options

WINDOW = ((-3.0, 5.0), (-4.0, 3.0))
START = (-2.0, 2.0)


def _data(n=40):
    rng = np.random.default_rng(11)
    X = rng.uniform(-1, 1, size=(n, 1))
    y = 2.0 * X[:, 0] - 1.0 + 0.5 * rng.standard_normal(n)
    return X, y


def _explorer(**kwargs):
    X, y = _data()
    arguments = dict(seed=3, start=START, window=WINDOW, steps=60)
    arguments.update(kwargs)
    return DecayingRateExplorer(X, y, **arguments)


def _sgd_by_hand(X, y, start, lr, decay, batch, seed, steps):
    """Shuffle each epoch, cut into batches, step with lr / (1 + decay * k)."""
    rng = np.random.default_rng(seed)
    theta = np.array(start, dtype=float)
    path, order = [theta.copy()], []
    for k in range(steps):
        if not order:
            permutation = rng.permutation(len(y))
            order = [permutation[i:i + batch] for i in range(0, len(y), batch)]
        idx = order.pop(0)
        residual = theta[0] * X[idx, 0] + theta[1] - y[idx]
        grad = 2.0 * np.array([np.mean(residual * X[idx, 0]), np.mean(residual)])
        theta = theta - lr / (1.0 + decay * k) * grad
        path.append(theta.copy())
    return np.array(path)


def _excess_by_hand(X, y, points):
    design = np.column_stack([X[:, 0], np.ones(len(y))])
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    mse = lambda p: np.mean((design @ p - y) ** 2)  # noqa: E731
    return np.array([mse(p) for p in points]) - mse(best)


@pytest.mark.parametrize("batch", [1, 8, 40])
def test_paths_match_sgd_written_by_hand(batch):
    X, y = _data()
    explorer = _explorer(batch_size=batch, lr=0.2, decay_rate=0.1)
    decayed = _sgd_by_hand(X, y, START, 0.2, 0.1, batch, 3, 60)
    constant = _sgd_by_hand(X, y, START, 0.2, 0.0, batch, 3, 60)
    np.testing.assert_allclose(explorer.decaying.points[:, 0], decayed, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(explorer.constant.points[:, 0], constant, rtol=1e-10, atol=1e-12)
    # What is drawn is what was run.
    line_constant, line_decaying = explorer.paths.lines
    np.testing.assert_allclose(np.column_stack(line_decaying.get_data()), decayed)
    np.testing.assert_allclose(explorer.decaying_curve.get_ydata(),
                               np.clip(_excess_by_hand(X, y, decayed), 1e-12, None),
                               rtol=1e-9, atol=1e-12)
    explorer.close()


def test_full_batch_paths_are_plain_gradient_descent_and_decay_slows_them():
    X, y = _data()
    explorer = _explorer(batch_size=40, lr=0.3, decay_rate=0.5)
    # Full batch: no noise, so the constant-rate path gets closer in the same number of steps.
    assert explorer.constant.values[-1, 0] < explorer.decaying.values[-1, 0]
    assert explorer.constant.values[-1, 0] < 1e-8
    explorer.close()


def test_decay_lowers_the_noise_floor_of_single_sample_steps():
    X, y = _data()
    explorer = _explorer(batch_size=1, lr=0.3, decay_rate=0.05, steps=400)
    tail = slice(-80, None)
    assert np.mean(explorer.decaying.values[tail]) < 0.2 * np.mean(explorer.constant.values[tail])
    explorer.close()


def test_updates_move_artists_and_add_none():
    explorer = _explorer()
    counts = (len(explorer.ax.get_children()), len(explorer.loss_ax.get_children()),
              len(explorer.figure.get_children()))
    for change in ({"lr": 0.5}, {"decay": 0.9}, {"batch": 8}, {"seed": 9}, {"lr": 2.0},
                   {"lr": 0.001}):
        explorer.set(**change)
        explorer.figure.canvas.draw()
    assert counts == (len(explorer.ax.get_children()), len(explorer.loss_ax.get_children()),
                      len(explorer.figure.get_children()))
    assert explorer.updates == 6
    explorer.close()


def test_a_rate_above_the_bound_says_why_the_path_diverged():
    explorer = _explorer(batch_size=40, lr=0.1)
    explorer.set(lr=2.0)
    assert explorer.constant.diverged[0]
    assert "diverged" in explorer.message and "2/λmax" in explorer.message
    explorer.set(lr=0.01)
    assert "diverged" not in explorer.message
    explorer.close()


def test_slider_extremes_give_a_message_not_an_error():
    explorer = _explorer()
    for lr in (1e-3, 2.0):
        for decay in (1e-4, 1.0):
            for batch in batch_size_options(40):
                explorer.set(lr=lr, decay=decay, batch=batch)
                assert explorer.message
    explorer.set(lr=50.0)  # beyond the slider: clipped, and said so
    assert "outside" in explorer.message
    explorer.close()


@pytest.mark.parametrize("kwargs, words", [
    ({"batch_size": 3}, "batch_size must be one of"),
    ({"start": (9.0, 0.0)}, "inside the window"),
    ({"window": ((1.0, 0.0), (0.0, 1.0))}, "low < high"),
    ({"lr": 5.0}, "outside its range"),
    ({"decay_rate": -1.0}, "decay_rate must be a finite number > 0"),
    ({"steps": 0}, "steps must be an integer"),
])
def test_bad_arguments_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        _explorer(**kwargs)


def test_a_seed_that_is_not_an_integer_is_named():
    with pytest.raises(TypeError, match="seed must be an integer >= 0, got 1.5"):
        _explorer(seed=1.5)


def test_bad_data_shapes_are_named():
    X, y = _data()
    with pytest.raises(ValueError, match="X must have shape"):
        DecayingRateExplorer(X[:, 0], y, seed=0, start=START, window=WINDOW)
    with pytest.raises(ValueError, match="y must have shape"):
        DecayingRateExplorer(X, y[:-1], seed=0, start=START, window=WINDOW)


def test_batch_size_options():
    assert batch_size_options(2) == [1, 2]
    assert batch_size_options(16) == [1, 2, 4, 8, 16]
    assert batch_size_options(200)[-2:] == [128, 200]


def test_rates_are_the_schedule_of_each_path():
    explorer = _explorer(batch_size=8, lr=0.2, decay_rate=0.1)
    steps = np.arange(60)
    np.testing.assert_array_equal(explorer.constant.lrs[:, 0], np.full(60, 0.2))
    np.testing.assert_allclose(explorer.decaying.lrs[:, 0], 0.2 / (1 + 0.1 * steps), rtol=1e-15)
    explorer.set(decay=0.5)  # a lookup from the decay line run at build
    np.testing.assert_allclose(explorer.decaying.lrs[:, 0], 0.2 / (1 + 0.5 * steps), rtol=1e-15)
    explorer.close()
