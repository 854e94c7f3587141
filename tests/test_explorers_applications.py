"""Tests of gradlab.explorers.applications (lesson 09), driven without a browser.

Expected numbers come from outside the code under test: softmax, factorization and
autoencoder predictions restated in numpy and SGD steps written out by hand. The training loops
and the metric are tested in tests/test_training.py and tests/test_metrics.py.
"""

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import numpy as np
import pytest

from gradlab.data import anomalies, digits, ratings, train_test_split, trend_chunks, trend_features
from gradlab.explorers.applications import (
    AnomalyExplorer,
    DigitsExplorer,
    RecommenderExplorer,
    TrendExplorer,
)
from gradlab.models import LinearAutoencoder, MatrixFactorization, SoftmaxRegression
from gradlab.training import stream_normal_equations

pytestmark = pytest.mark.usefixtures("close_all")  # tests/conftest.py


def _artist_count(figure):
    return sum(len(ax.get_children()) for ax in figure.axes) + len(figure.texts)


@pytest.fixture(scope="module")
def digit_split():
    return train_test_split(digits(), np.random.default_rng(0), test_fraction=0.25)


# --- digits ----------------------------------------------------------------------------------


def _softmax_gradient(W, b, X, y):
    """Cross-entropy gradient of softmax regression, restated here."""
    z = X @ W + b
    P = np.exp(z - z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(y)), y] -= 1.0
    return X.T @ P / len(y), P.sum(axis=0) / len(y)


def test_digits_full_batch_epochs_are_gradient_steps_and_images_are_columns(digit_split):
    train, test = digit_split
    model = SoftmaxRegression(64, 10)
    explorer = DigitsExplorer(model, train, test, lr=0.5, batch_size=train.n_samples, epochs=3)
    W, b = np.zeros((64, 10)), np.zeros(10)
    for epoch in (1, 2, 3):
        gW, gb = _softmax_gradient(W, b, train.X, train.y)
        W, b = W - 0.5 * gW, b - 0.5 * gb
        np.testing.assert_allclose(explorer.weight_images_at(epoch)[7], W[:, 7].reshape(8, 8),
                                   atol=1e-12)
    accuracy = np.mean(np.argmax(test.X @ W + b, axis=1) == test.y)
    assert explorer.test_accuracy[3] == pytest.approx(accuracy)
    np.testing.assert_allclose(explorer.weight_images[7].get_array(), W[:, 7].reshape(8, 8),
                               atol=1e-12)
    np.testing.assert_allclose(explorer.test_line.get_ydata(), explorer.test_accuracy)


def test_digits_epoch_slider_reveals_without_new_artists(digit_split):
    train, test = digit_split
    explorer = DigitsExplorer(SoftmaxRegression(64, 10), train, test, epochs=5)
    before, record = _artist_count(explorer.figure), explorer.record
    explorer.set(epoch=2)
    assert explorer.record is record  # no retraining for a reveal
    assert len(explorer.train_line.get_xdata()) == 3
    explorer.set(lr=0.05, batch=128)
    assert explorer.record is not record
    assert _artist_count(explorer.figure) == before
    assert "held-out accuracy" in explorer.message


def test_digits_bad_arguments_give_clear_messages(digit_split):
    train, test = digit_split
    with pytest.raises(ValueError, match="batch_size must be one of"):
        DigitsExplorer(SoftmaxRegression(64, 10), train, test, batch_size=7)
    with pytest.raises(ValueError, match="lr must be"):
        DigitsExplorer(SoftmaxRegression(64, 10), train, test, lr=1e6)
    with pytest.raises(ValueError, match="SoftmaxRegression"):
        DigitsExplorer(SoftmaxRegression(3, 10), train, test)


# --- recommender -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ratings_split():
    data = ratings(np.random.default_rng(3), 40, 30, rank=2, observed_fraction=0.4, noise=0.1)
    return train_test_split(data, np.random.default_rng(4), test_fraction=0.2)


def test_recommender_rmse_and_predictions_match_factors(ratings_split):
    train, test = ratings_split
    model = MatrixFactorization(40, 30, 2)
    start = model.init_params(np.random.default_rng(5), scale=0.3)
    explorer = RecommenderExplorer(model, train, test, start=start, lr=1.0, batch_size=32,
                                   epochs=8, baselines={"mean": 50.0}, floor=0.01)
    explorer.set(epoch=5)
    params = explorer.record.params[5]
    U = params[: 40 * 2].reshape(40, 2)
    V = params[40 * 2:].reshape(30, 2)
    predicted = np.sum(U[test.X[:, 0]] * V[test.X[:, 1]], axis=1)
    assert explorer.test_rmse[5] == pytest.approx(np.sqrt(np.mean((predicted - test.y) ** 2)))
    np.testing.assert_allclose(explorer.pred_dots.get_offsets()[:, 1], predicted, atol=1e-12)
    assert explorer.test_rmse[-1] < explorer.test_rmse[0]
    assert "better than the best baseline (mean" in explorer.message  # the floor is no baseline


def test_recommender_divergence_is_explained(ratings_split):
    train, test = ratings_split
    model = MatrixFactorization(40, 30, 2)
    start = model.init_params(np.random.default_rng(5), scale=0.3)
    explorer = RecommenderExplorer(model, train, test, start=start, epochs=5)
    before = _artist_count(explorer.figure)
    explorer.set(lr=100.0, batch=32)
    assert "Diverged" in explorer.message and "smaller lr" in explorer.message
    assert _artist_count(explorer.figure) == before


# --- anomalies -------------------------------------------------------------------------------


def test_anomaly_scores_threshold_and_precision_by_hand():
    data = anomalies(np.random.default_rng(6), 300, 15, n_features=5, n_components=1)
    train, test = train_test_split(data, np.random.default_rng(7), test_fraction=0.3)
    model = LinearAutoencoder(5, 1)
    explorer = AnomalyExplorer(model, train, test, start=model.init_params(
        np.random.default_rng(8)), epochs=10, quantile=0.9)
    params = explorer.record.params[10]
    E, D, c = params[:5].reshape(5, 1), params[5:10].reshape(1, 5), params[10:]

    def scores(X):
        return np.sum((X @ E @ D + c - X) ** 2, axis=1)

    threshold = np.quantile(scores(train.X), 0.9)
    flagged = scores(test.X) > threshold
    hits = np.sum(flagged & test.anomaly_mask)
    assert explorer.precision == pytest.approx(hits / flagged.sum())
    assert explorer.recall == pytest.approx(hits / test.anomaly_mask.sum())
    assert explorer.threshold_line.get_ydata()[0] == pytest.approx(threshold)
    with pytest.raises(ValueError, match="quantile"):
        AnomalyExplorer(model, train, test, start=params, quantile=1.0)


# --- the streamed trend ----------------------------------------------------------------------


def test_trend_explorer_trains_only_on_click():
    X, y = next(trend_chunks(0, 20000, 5000))
    exact, _ = stream_normal_equations(trend_chunks(0, 20000, 5000))
    explorer = TrendExplorer(0, 20000, 5000, exact=exact, sample=(X[:300, 1], y[:300]),
                             lr=0.3, batch_size=100)
    before = _artist_count(explorer.figure)
    explorer.set(lr=0.2)
    assert explorer.record is None and "Press Train" in explorer.message
    explorer.set(train=True)
    assert explorer.record is not None and explorer.progress_bar.value == pytest.approx(1.0)
    np.testing.assert_allclose(explorer.sgd_line.get_ydata(),
                               trend_features(explorer.t_grid) @ explorer.record.coefficients)
    assert np.linalg.norm(explorer.record.coefficients - exact) < 0.3
    explorer.set(lr=9.0)
    assert "press Train" in explorer.message
    explorer.set(train=True)
    assert "Diverged" in explorer.message
    assert _artist_count(explorer.figure) == before


def test_every_snapshot_metric_matches_a_per_snapshot_restatement(digit_split, ratings_split):
    train, test = digit_split
    explorer = DigitsExplorer(SoftmaxRegression(64, 10), train, test, lr=0.5, batch_size=512,
                              epochs=4)
    for epoch, params in enumerate(explorer.record.params):
        W, b = params[:640].reshape(64, 10), params[640:]
        expected = np.mean(np.argmax(train.X @ W + b, axis=1) == train.y)
        assert explorer.train_accuracy[epoch] == pytest.approx(expected)
    rtrain, rtest = ratings_split
    model = MatrixFactorization(40, 30, 2)
    recommender = RecommenderExplorer(model, rtrain, rtest,
                                      start=model.init_params(np.random.default_rng(5)),
                                      lr=1.0, batch_size=32, epochs=4)
    for epoch, params in enumerate(recommender.record.params):
        U, V = params[:80].reshape(40, 2), params[80:].reshape(30, 2)
        predicted = np.sum(U[rtrain.X[:, 0]] * V[rtrain.X[:, 1]], axis=1)
        expected = np.sqrt(np.mean((predicted - rtrain.y) ** 2))
        assert recommender.train_rmse[epoch] == pytest.approx(expected, rel=1e-12)


def test_returning_to_a_setting_reuses_its_run(digit_split):
    train, test = digit_split
    explorer = DigitsExplorer(SoftmaxRegression(64, 10), train, test, lr=0.5, batch_size=128,
                              epochs=3)
    first = explorer.record
    explorer.set(lr=0.1)
    other = explorer.record
    assert other is not first
    explorer.set(lr=0.5)
    assert explorer.record is first  # no retraining
    assert explorer.test_line.get_ydata()[-1] == pytest.approx(explorer.test_accuracy[-1])
    # A fresh explorer trains the same run from scratch: the kept one is not stale.
    fresh = DigitsExplorer(SoftmaxRegression(64, 10), train, test, lr=0.1, batch_size=128,
                           epochs=3)
    np.testing.assert_array_equal(fresh.record.params, other.params)
    explorer.runs.max_bytes = 1  # over budget: only the latest run stays
    for lr in (0.2, 0.3, 0.4):
        explorer.set(lr=lr)
    assert len(explorer.runs) == 1 and (0.5, 128) not in explorer.runs


def test_nearby_rates_are_trained_ahead_in_small_jobs_nearest_first(digit_split, monkeypatch):
    # One job for every nearby rate was cancelled by each move before it finished, so a
    # learner who kept moving got every run trained on the spot.
    from gradlab.explorers import applications, status

    jobs = []
    monkeypatch.setattr(applications.BACKGROUND, "submit",
                        lambda owner, job: jobs.append(job))
    train, test = digit_split
    explorer = DigitsExplorer(SoftmaxRegression(64, 10), train, test, lr=0.5, batch_size=128,
                              epochs=2)
    rates = [value for _label, value in explorer.controls["lr"].options]
    here = rates.index(0.5)
    lr_jobs = -(-2 * explorer.lr_reach // status.AHEAD_CHUNK)  # the 2 * reach nearby rates
    assert len(jobs) >= lr_jobs
    jobs[0](lambda: None)  # the first job alone: the nearest rates, kept at once
    nearest = sorted(rates[here - 1:here + 2], key=lambda r: abs(np.log(r / 0.5)))[1:]
    assert all((r, 128) in explorer.runs for r in nearest)
    trained = [key for key in explorer.runs if key != (0.5, 128)]
    assert len(trained) == status.AHEAD_CHUNK
    # Next the current rate at the nearest other batch size: a key press may move that slider.
    batches = explorer.controls["batch"].options
    neighbour = min((b for b in batches if b != 128), key=lambda b: abs(np.log(b / 128)))
    jobs[1](lambda: None)
    assert (0.5, neighbour) in explorer.runs
    trained = [key for key in explorer.runs if key != (0.5, 128)]
    jobs.clear()
    explorer.set(lr=rates[here + 1])  # kept from the job: no training on the spot
    assert explorer.record is explorer.runs.get((rates[here + 1], 128))[0]
    jobs[0](lambda: None)  # the new nearest job skips the rates already kept
    assert len(explorer.runs) > len(trained) + 1


def test_a_slow_new_run_first_says_training_beside_the_controls(ratings_split):
    train, test = ratings_split
    model = MatrixFactorization(40, 30, 2)
    explorer = RecommenderExplorer(model, train, test, start=model.init_params(
        np.random.default_rng(5)), lr=1.0, batch_size=32, epochs=3)
    assert not explorer.controls["lr"].continuous_update  # a drag trains once, on release
    shown = []
    explorer.status.observe(lambda change: shown.append(change["new"]), names="value")
    explorer.slow_run = 0.0  # treat every run as slow
    explorer.set(lr=2.0)
    steps = 3 * -(-train.n_samples // 32)
    assert len(shown) == 2 and f"training lr = 2, batch 32: {steps} steps" in shown[0]
    assert "held-out RMSE" in shown[1] and "held-out RMSE" in explorer.message
    shown.clear()
    explorer.set(lr=1.0)  # kept: no training, so nothing to announce
    assert len(shown) == 1 and "steps" not in shown[0]
