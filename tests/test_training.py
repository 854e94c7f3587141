"""Tests of gradlab.training: train_network, stream_sgd, stream_normal_equations.

Expected numbers come from outside the code under test: a network forward pass restated
in numpy (tests/tiny_networks.py), a gradient step taken with central finite differences of
the loss, losses evaluated point by point, SGD steps written out by hand, and
numpy.linalg.lstsq for the streamed trend.
"""

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from gradlab.data import TREND_COEFFICIENTS, trend_chunks
from gradlab.models import MLP
from gradlab.optimizers import SGD, Adam
from gradlab.training import stream_normal_equations, stream_sgd, train_network
from tests.tiny_networks import cross_entropy, small_datasets


@pytest.fixture(scope="module")
def datasets():
    return small_datasets()


# --- train_network -----------------------------------------------------------------------------


def test_full_batch_epoch_is_one_gradient_step_checked_by_finite_differences(datasets):
    train, test = datasets["xor"]
    model = MLP((2, 3, 1))
    start = model.init_params(np.random.default_rng(5))
    lr = 0.5
    record = train_network(model, start, train, test, SGD(lr=lr), batch_size=train.n_samples,
                           epochs=2, rng=np.random.default_rng(6))
    X, y = np.asarray(train.X), np.asarray(train.y, dtype=float)
    point = start.copy()
    for epoch in (1, 2):
        h = 1e-6
        grad = np.array([
            (cross_entropy(point + h * e, (2, 3), X, y)
             - cross_entropy(point - h * e, (2, 3), X, y)) / (2 * h)
            for e in np.eye(model.dim)
        ])
        point = point - lr * grad
        np.testing.assert_allclose(record.params[epoch], point, atol=1e-7)
    assert record.steps == 2 and record.diverged_at == -1 and not record.stopped


def test_recorded_losses_are_the_losses_of_the_snapshots(datasets):
    train, test = datasets["moons"]
    model = MLP((2, 4, 1))
    record = train_network(model, model.init_params(np.random.default_rng(0)), train, test,
                           Adam(lr=0.05), batch_size=16, epochs=5, rng=np.random.default_rng(1))
    assert record.params.shape == (6, model.dim)
    for params, train_loss, test_loss in zip(record.params, record.train_loss, record.test_loss,
                                             strict=True):
        assert train_loss == pytest.approx(
            cross_entropy(params, (2, 4), train.X, train.y), rel=1e-10)
        assert test_loss == pytest.approx(
            cross_entropy(params, (2, 4), test.X, test.y), rel=1e-10)
    # 75 training samples in batches of 16: 5 batches per epoch.
    assert record.steps == 25
    assert record.train_loss[-1] < record.train_loss[0]


def test_interrupt_keeps_what_was_learned(datasets):
    train, test = datasets["moons"]
    model = MLP((2, 4, 1))

    def stop_after_three(epoch, _loss):
        if epoch == 3:
            raise KeyboardInterrupt

    record = train_network(model, model.init_params(np.random.default_rng(0)), train, test,
                           Adam(lr=0.05), batch_size=16, epochs=50, rng=np.random.default_rng(1),
                           progress=stop_after_three)
    assert record.stopped
    assert record.epochs_done == 3  # epochs 0..3, the last one not duplicated
    full = train_network(model, model.init_params(np.random.default_rng(0)), train, test,
                         Adam(lr=0.05), batch_size=16, epochs=3, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(record.final_params, full.final_params)


def test_divergence_stops_training_without_warnings(datasets):
    train, test = datasets["xor"]
    model = MLP((2, 3, 1))
    record = train_network(model, model.init_params(np.random.default_rng(0)), train, test,
                           SGD(lr=1e308), batch_size=train.n_samples, epochs=10,
                           rng=np.random.default_rng(1))
    assert record.diverged_at == 1
    assert record.epochs_done == 0
    assert np.all(np.isfinite(record.params))


@pytest.mark.parametrize(("keyword", "value", "message"), [
    ("batch_size", 0, "batch_size must be an integer from 1"),
    ("batch_size", 10_000, "batch_size must be an integer from 1"),
    ("epochs", 0, "epochs must be an integer >= 1"),
])
def test_bad_training_arguments_are_named(datasets, keyword, value, message):
    train, test = datasets["xor"]
    model = MLP((2, 3, 1))
    arguments = dict(batch_size=8, epochs=2)
    arguments[keyword] = value
    with pytest.raises(ValueError, match=message):
        train_network(model, model.init_params(np.random.default_rng(0)), train, test,
                      SGD(lr=0.1), rng=np.random.default_rng(1), **arguments)


def test_wrong_parameter_vector_is_refused(datasets):
    train, test = datasets["xor"]
    with pytest.raises(ValueError, match="params must be 13 finite numbers"):
        train_network(MLP((2, 3, 1)), np.zeros(5), train, test, SGD(lr=0.1), batch_size=8,
                      epochs=1, rng=np.random.default_rng(0))


def test_training_restores_the_blas_thread_setting(datasets):
    def threads():
        return [(info["filepath"], info["num_threads"]) for info in threadpool_info()]

    train, test = datasets["moons"]
    model = MLP((2, 4, 1))
    before = threads()
    seen = []
    train_network(model, model.init_params(np.random.default_rng(0)), train, test,
                  Adam(lr=0.01), batch_size=32, epochs=2, rng=np.random.default_rng(1),
                  progress=lambda epoch, loss: seen.append(threads()))
    assert threads() == before
    blas = {info["filepath"] for info in threadpool_info() if info["user_api"] == "blas"}
    assert all(n == 1 for path, n in seen[0] if path in blas)  # one BLAS thread inside


# --- the streamed trend ------------------------------------------------------------------------


def test_normal_equations_by_chunk_match_lstsq():
    chunks = list(trend_chunks(3, 5000, 700))
    X = np.concatenate([c[0] for c in chunks])
    y = np.concatenate([c[1] for c in chunks])
    exact, rows = stream_normal_equations(iter(chunks))
    assert rows == 5000
    np.testing.assert_allclose(exact, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-9)
    assert np.abs(exact - TREND_COEFFICIENTS).max() < 0.15  # 5000 rows, noise 1


def test_stream_sgd_full_chunk_batches_are_gradient_steps():
    # One chunk, batch = chunk: each pass is one full gradient step (the order cannot matter).
    X, y = next(trend_chunks(1, 200, 200))
    record = stream_sgd(lambda: trend_chunks(1, 200, 200), 4, lr=0.2, batch_size=200,
                        passes=3, rng=np.random.default_rng(0))
    theta = np.zeros(4)
    for _ in range(3):
        theta = theta - 0.2 * (2 / 200) * X.T @ (X @ theta - y)
    np.testing.assert_allclose(record.coefficients, theta, rtol=1e-10)
    assert record.steps == 3 and list(record.rows_seen) == [0, 200, 400, 600]
    # Smaller batches add geometric checkpoints inside a chunk; each is a real past state.
    fine = stream_sgd(lambda: trend_chunks(1, 200, 200), 4, lr=0.2, batch_size=20, passes=1,
                      rng=np.random.default_rng(0))
    # Thresholds 20, 30, 45, 67.5, 101.25, 151.9: the first batch end past each, then the end.
    assert list(fine.rows_seen) == [0, 20, 40, 60, 80, 120, 160, 200]
    np.testing.assert_allclose(fine.history[-1], fine.coefficients)
    diverging = stream_sgd(lambda: trend_chunks(1, 200, 200), 4, lr=50.0, batch_size=20,
                           passes=3, rng=np.random.default_rng(0))
    assert diverging.diverged and np.all(np.isfinite(diverging.coefficients))
    with pytest.raises(ValueError, match="lr must be"):
        stream_sgd(lambda: trend_chunks(1, 10, 10), 4, lr=-1, batch_size=1, passes=1,
                   rng=np.random.default_rng(0))
