"""Tests for gradlab.batches: epochs, seeds, replacement, and the stochastic gradient."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab import data, models
from gradlab.batches import MiniBatchSampler, stochastic_gradient

rng = np.random.default_rng


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(1, 60),
    fraction=st.floats(0.0, 1.0),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_an_epoch_without_replacement_visits_every_index_once(n, fraction, shuffle, seed):
    batch_size = 1 + int(fraction * (n - 1))
    sampler = MiniBatchSampler(n, batch_size, rng=rng(seed), shuffle=shuffle)
    batches = list(sampler.epoch())
    assert len(batches) == sampler.batches_per_epoch == -(-n // batch_size)
    assert all(len(b) == batch_size for b in batches[:-1])
    assert 1 <= len(batches[-1]) <= batch_size
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n))
    if not shuffle:
        np.testing.assert_array_equal(np.concatenate(batches), np.arange(n))


@pytest.mark.parametrize("batch_size", [1, 3, 10])
def test_full_stochastic_and_mini_batch_are_one_code_path(batch_size):
    sampler = MiniBatchSampler(10, batch_size, rng=rng(0))
    drawn = [sampler.next_batch() for _ in range(sampler.batches_per_epoch)]
    assert sampler.epochs_started == 1 and sampler.batches_drawn == len(drawn)
    np.testing.assert_array_equal(np.sort(np.concatenate(drawn)), np.arange(10))
    sampler.next_batch()
    assert sampler.epochs_started == 2


def test_drop_last_keeps_only_full_batches():
    sampler = MiniBatchSampler(10, 3, rng=rng(0), drop_last=True)
    batches = list(sampler.epoch())
    assert [len(b) for b in batches] == [3, 3, 3]
    assert len(np.unique(np.concatenate(batches))) == 9


def test_same_seed_same_batches_and_epochs_reshuffle():
    first = MiniBatchSampler(20, 6, rng=rng(42))
    second = MiniBatchSampler(20, 6, rng=rng(42))
    other = MiniBatchSampler(20, 6, rng=rng(43))
    a = [first.next_batch() for _ in range(12)]
    b = [second.next_batch() for _ in range(12)]
    c = [other.next_batch() for _ in range(12)]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not all(np.array_equal(x, z) for x, z in zip(a, c, strict=True))
    # Epoch 1 (batches 0-3) and epoch 2 (batches 4-7) come in different orders.
    assert not np.array_equal(np.concatenate(a[:4]), np.concatenate(a[4:8]))


def test_with_replacement_batches_repeat_samples_and_are_uniform():
    sampler = MiniBatchSampler(5, 5, rng=rng(0), replace=True)
    batches = [sampler.next_batch() for _ in range(2000)]
    assert any(len(np.unique(b)) < 5 for b in batches)  # duplicates happen
    counts = np.bincount(np.concatenate(batches), minlength=5)
    assert np.all(np.abs(counts / counts.sum() - 0.2) < 0.01)  # 10000 draws: sd about 0.004
    larger = MiniBatchSampler(3, 8, rng=rng(1), replace=True)
    batch = larger.next_batch()
    assert batch.shape == (8,) and batch.min() >= 0 and batch.max() <= 2


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1, got 0"),
        ({"batch_size": -2}, ValueError, "batch_size must be an integer >= 1, got -2"),
        ({"batch_size": 11}, ValueError, "batch_size=11 is larger than n_samples=10"),
        ({"batch_size": 2.0}, TypeError, "batch_size must be an integer"),
        ({"n_samples": 0}, ValueError, "n_samples must be an integer >= 1, got 0"),
        ({"rng": 0}, TypeError, "numpy.random.Generator"),
        ({"replace": True, "shuffle": False}, ValueError, "shuffle=False cannot be honoured"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
    ],
)
def test_bad_sampler_arguments(kwargs, error, message):
    arguments = {"n_samples": 10, "batch_size": 4, "rng": rng(0)} | kwargs
    n_samples, batch_size = arguments.pop("n_samples"), arguments.pop("batch_size")
    with pytest.raises(error, match=message):
        MiniBatchSampler(n_samples, batch_size, **arguments)


# -- the stochastic gradient ------------------------------------------------------------------


def regression_problem():
    dataset = data.linear_regression(rng(0), 12, 2, noise=0.2)
    return models.LinearRegression(2), dataset


def test_full_batch_gives_the_full_gradient():
    model, dataset = regression_problem()
    sampler = MiniBatchSampler(12, 12, rng=rng(1))
    gradient = stochastic_gradient(model, dataset.X, dataset.y, sampler)
    points = rng(2).standard_normal((3, 3))
    np.testing.assert_allclose(gradient(points), model.gradient(points, dataset.X, dataset.y))
    assert sorted(gradient.last_batch.tolist()) == list(range(12))


def test_batch_of_one_is_the_gradient_of_that_sample():
    model, dataset = regression_problem()
    sampler = MiniBatchSampler(12, 1, rng=rng(1))
    gradient = stochastic_gradient(model, dataset.X, dataset.y, sampler)
    points = rng(2).standard_normal((3, 3))
    result = gradient(points, rng(99))  # the runner's rng is accepted and ignored
    (k,) = gradient.last_batch
    w, b = points[:, :2], points[:, 2]
    residual = w @ dataset.X[k] + b - dataset.y[k]  # d/dw (x.w + b - y)^2 = 2 r x
    expected = np.column_stack([2 * residual[:, None] * dataset.X[k], 2 * residual])
    np.testing.assert_allclose(result, expected)


def test_one_epoch_of_equal_batches_averages_to_the_full_gradient():
    model, dataset = regression_problem()
    sampler = MiniBatchSampler(12, 4, rng=rng(1))
    gradient = stochastic_gradient(model, dataset.X, dataset.y, sampler)
    points = rng(2).standard_normal((2, 3))
    averaged = np.mean([gradient(points) for _ in range(3)], axis=0)
    np.testing.assert_allclose(averaged, model.gradient(points, dataset.X, dataset.y))


def test_models_without_targets_take_y_none():
    dataset = data.anomalies(rng(0), 30, 3)
    model = models.LinearAutoencoder(2, 1)
    gradient = stochastic_gradient(model, dataset.X, None, MiniBatchSampler(30, 5, rng=rng(1)))
    points = np.stack([model.init_params(rng(2))] * 2)
    result = gradient(points)
    expected = model.gradient(points, dataset.X[gradient.last_batch])
    np.testing.assert_allclose(result, expected)


def test_bad_stochastic_gradient_arguments():
    model, dataset = regression_problem()
    with pytest.raises(ValueError, match="n_samples=10, X has shape"):
        stochastic_gradient(model, dataset.X, dataset.y, MiniBatchSampler(10, 2, rng=rng(0)))
    with pytest.raises(ValueError, match=r"y must have one entry per sample \(n_samples=12\)"):
        stochastic_gradient(model, dataset.X, dataset.y[:5], MiniBatchSampler(12, 2, rng=rng(0)))
    with pytest.raises(TypeError, match="sampler must be a MiniBatchSampler"):
        stochastic_gradient(model, dataset.X, dataset.y, 4)
    sampler = MiniBatchSampler(12, 2, rng=rng(0))
    gradient = stochastic_gradient(model, dataset.X, dataset.y, sampler)
    with pytest.raises(ValueError, match=r"points must have shape \(n, 3\)"):
        gradient(np.zeros(3))


def test_runner_with_mini_batches_is_reproducible_and_converges():
    runner = pytest.importorskip("gradlab.runner")
    optimizers = pytest.importorskip("gradlab.optimizers")
    dataset = data.linear_regression(rng(3), 64, 1, weights=[2.0], bias=-1.0, noise=0.1)
    model = models.LinearRegression(1)
    start = np.zeros((2, 2))

    def one_run(seed):
        sampler = MiniBatchSampler(64, 8, rng=rng(seed))
        gradient = stochastic_gradient(model, dataset.X, dataset.y, sampler)
        return runner.run(optimizers.SGD(lr=np.array([0.1, 0.3])), gradient, start, 400)

    first, again = one_run(5), one_run(5)
    np.testing.assert_array_equal(first.points, again.points)
    design = np.column_stack([dataset.X, np.ones(64)])
    solution = np.linalg.lstsq(design, dataset.y)[0]
    np.testing.assert_allclose(first.final_points, [solution, solution], atol=0.1)
