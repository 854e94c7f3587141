"""Tests for gradlab.data: shapes, reproducibility by seed, the planted truth, bad input."""

import numpy as np
import pytest

from gradlab import data

rng = np.random.default_rng

GENERATORS = {
    "linear_regression": lambda g: data.linear_regression(g, 40, 3),
    "blobs": lambda g: data.blobs(g, 40, n_classes=4),
    "moons": lambda g: data.moons(g, 40),
    "spirals": lambda g: data.spirals(g, 40, n_classes=3),
    "xor": lambda g: data.xor(g, 40),
    "ratings": lambda g: data.ratings(g, 5, 7, rank=2),
    "anomalies": lambda g: data.anomalies(g, 40, 4, n_features=3, n_components=2),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_data_other_seed_other_data(name):
    make = GENERATORS[name]
    first, again, other = make(rng(5)), make(rng(5)), make(rng(6))
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.y, again.y)
    assert not np.array_equal(first.X, other.X) or not np.array_equal(first.y, other.y)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_records_are_read_only(name):
    dataset = GENERATORS[name](rng(0))
    with pytest.raises(ValueError, match="read-only"):
        dataset.X[0, 0] = 1.0
    with pytest.raises(AttributeError):
        dataset.X = np.zeros(3)
    assert "array" in repr(dataset)  # shapes, not thousands of numbers


def test_linear_regression_follows_the_planted_line():
    dataset = data.linear_regression(rng(1), 200, 2, weights=[1.5, -2.0], bias=0.5, noise=0.0)
    assert dataset.X.shape == (200, 2) and dataset.y.shape == (200,)
    np.testing.assert_allclose(dataset.y, dataset.X @ [1.5, -2.0] + 0.5)
    assert dataset.X.min() >= -1 and dataset.X.max() <= 1


def test_linear_regression_noise_has_the_requested_spread():
    dataset = data.linear_regression(rng(2), 20000, 1, weights=[3.0], bias=1.0, noise=0.5)
    residuals = dataset.y - (3.0 * dataset.X[:, 0] + 1.0)
    assert abs(residuals.std() - 0.5) < 0.02 and abs(residuals.mean()) < 0.02


def test_linear_regression_draws_weights_when_not_given():
    dataset = data.linear_regression(rng(3), 10, 4)
    assert dataset.true_weights.shape == (4,) and isinstance(dataset.true_bias, float)


@pytest.mark.parametrize(
    "make, n_classes",
    [
        (lambda g: data.blobs(g, 101, n_classes=3), 3),
        (lambda g: data.moons(g, 101), 2),
        (lambda g: data.spirals(g, 101, n_classes=4), 4),
        (lambda g: data.xor(g, 101), 2),
    ],
)
def test_classification_sets_are_balanced_2d(make, n_classes):
    dataset = make(rng(0))
    assert dataset.X.shape == (101, 2) and dataset.y.dtype == np.int64
    np.testing.assert_array_equal(dataset.classes, np.arange(n_classes))
    counts = np.bincount(dataset.y, minlength=n_classes)
    assert counts.sum() == 101 and counts.max() - counts.min() <= 1


def test_blobs_cluster_around_their_centres():
    dataset = data.blobs(rng(0), 3000, n_classes=3, spread=0.2, radius=2.0)
    for k in range(3):
        angle = 2 * np.pi * k / 3
        mean = dataset.X[dataset.y == k].mean(axis=0)
        np.testing.assert_allclose(mean, [2 * np.cos(angle), 2 * np.sin(angle)], atol=0.03)


def test_noise_free_moons_lie_on_their_half_circles():
    dataset = data.moons(rng(0), 200, noise=0.0)
    upper, lower = dataset.X[dataset.y == 0], dataset.X[dataset.y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(upper[:, 1] >= 0) and np.all(lower[:, 1] <= 0.5)


def test_noise_free_spirals_stay_in_the_unit_disc():
    dataset = data.spirals(rng(0), 300, n_classes=3, noise=0.0)
    assert np.all(np.hypot(*dataset.X.T) <= 1.0 + 1e-12)


def test_xor_labels_are_the_xor_of_the_signs():
    dataset = data.xor(rng(0), 400, spread=0.1)
    differ = np.sign(dataset.X[:, 0]) != np.sign(dataset.X[:, 1])
    np.testing.assert_array_equal(differ.astype(int), dataset.y)


def test_digits_match_scikit_learn_scaled_to_unit_interval():
    from sklearn.datasets import load_digits

    raw = load_digits()
    dataset = data.digits()
    assert dataset.X.shape == (1797, 64) and dataset.images.shape == (1797, 8, 8)
    np.testing.assert_allclose(dataset.X * 16, raw.data)
    np.testing.assert_array_equal(dataset.y, raw.target)
    np.testing.assert_array_equal(dataset.X[10], dataset.images[10].ravel())
    assert dataset.X.min() == 0.0 and dataset.X.max() == 1.0


def test_split_partitions_the_samples_and_keeps_images_aligned():
    dataset = data.digits()
    train, test = data.train_test_split(dataset, rng(0), test_fraction=0.2)
    assert type(train) is data.ImageData
    assert train.n_samples + test.n_samples == 1797 and test.n_samples == 359
    np.testing.assert_array_equal(train.X, train.images.reshape(-1, 64))
    # Each original row lands in exactly one part: compare sorted row fingerprints.
    weights = rng(9).standard_normal(64)
    together = np.sort(np.concatenate([train.X @ weights, test.X @ weights]))
    np.testing.assert_allclose(together, np.sort(dataset.X @ weights))
    again, _ = data.train_test_split(dataset, rng(0), test_fraction=0.2)
    np.testing.assert_array_equal(again.y, train.y)


def test_split_keeps_the_planted_truth_and_subsets_the_mask():
    dataset = data.anomalies(rng(0), 50, 5)
    train, test = data.train_test_split(dataset, rng(1), test_fraction=0.5)
    np.testing.assert_array_equal(train.center, dataset.center)
    assert train.anomaly_mask.sum() + test.anomaly_mask.sum() == 5
    np.testing.assert_array_equal(train.anomaly_mask.astype(int), train.y)


def test_ratings_observed_entries_match_the_matrix():
    dataset = data.ratings(rng(0), 8, 12, rank=3, observed_fraction=0.25, noise=0.0)
    assert dataset.X.shape == (dataset.mask.sum(), 2)
    np.testing.assert_array_equal(dataset.y, dataset.complete_ratings[tuple(dataset.X.T)])
    np.testing.assert_allclose(
        dataset.complete_ratings, dataset.user_factors @ dataset.item_factors.T
    )
    assert dataset.mask.any(axis=1).all() and dataset.mask.any(axis=0).all()
    assert np.linalg.matrix_rank(dataset.complete_ratings) == 3


def test_ratings_every_user_and_item_observed_even_when_sparse():
    dataset = data.ratings(rng(4), 30, 30, observed_fraction=0.01)
    assert dataset.mask.any(axis=1).all() and dataset.mask.any(axis=0).all()


def test_anomalies_are_planted_off_the_subspace():
    dataset = data.anomalies(
        rng(0), 300, 15, n_features=4, n_components=2, noise=0.05, distance=1.0
    )
    assert dataset.anomaly_mask.sum() == 15
    np.testing.assert_allclose(dataset.basis @ dataset.basis.T, np.eye(2), atol=1e-12)
    centred = dataset.X - dataset.center
    off = np.linalg.norm(centred - centred @ dataset.basis.T @ dataset.basis, axis=1)
    assert np.all(off[dataset.anomaly_mask] >= 1.0 - 1e-9)
    assert np.all(off[dataset.anomaly_mask] <= 2.0 + 1e-9)
    assert np.all(off[~dataset.anomaly_mask] < 0.5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: data.blobs(np.random.RandomState(0), 10), "numpy.random.Generator"),
        (lambda: data.blobs(0, 10), "numpy.random.Generator"),
        (lambda: data.moons(rng(0), 0), "n_samples must be an integer >= 1, got 0"),
        (lambda: data.moons(rng(0), -3), "n_samples"),
        (lambda: data.moons(rng(0), 2.5), "n_samples must be an integer"),
        (lambda: data.moons(rng(0), 10, noise=-1), "noise must be a finite number >= 0"),
        (lambda: data.blobs(rng(0), 10, n_classes=1), "n_classes must be an integer >= 2"),
        (lambda: data.linear_regression(rng(0), 10, 2, weights=[1.0]), "weights must be 2"),
        (lambda: data.linear_regression(rng(0), 10, x_range=(1, 0)), "x_range"),
        (lambda: data.linear_regression(rng(0), 10, bias=np.nan), "bias"),
        (lambda: data.ratings(rng(0), 5, 5, observed_fraction=0), "observed_fraction"),
        (lambda: data.anomalies(rng(0), 10, 10), "n_anomalies must be smaller"),
        (lambda: data.anomalies(rng(0), 10, 1, n_components=2), "n_components"),
        (lambda: data.train_test_split(data.xor(rng(0), 10), rng(0), test_fraction=1.0),
         "test_fraction"),
        (lambda: data.train_test_split(data.xor(rng(0), 1), rng(0)), "at least 2 samples"),
        (lambda: data.train_test_split(np.zeros((3, 2)), rng(0)), "Dataset"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# --- the streamed trend (lesson 09) --------------------------------------------------------------


def test_trend_chunks_are_reproducible():
    chunks = list(data.trend_chunks(3, 5000, 700))
    assert [len(y) for _, y in chunks] == [700] * 7 + [100]
    again = list(data.trend_chunks(3, 5000, 700))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(chunks, again, strict=True))
    np.testing.assert_allclose(data.trend_features(np.array([0.25]))[0, 1], 0.25)
