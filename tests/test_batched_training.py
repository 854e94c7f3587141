"""Many training runs stacked as rows equal the same runs trained one by one, bit for bit.

The reference is the one-run path that the lessons' numbers come from: the models' row-by-row
gradient and loss, and :func:`gradlab.training.train_network`. The trainers of lessons 08 and
09 train nearby learning rates ahead as one batched run; what they show after a move must be
what training that setting alone gives.
"""

import threading
import time

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import numpy as np
import pytest

from gradlab.data import anomalies, digits, ratings, train_test_split
from gradlab.explorers import applications, network_trainer
from gradlab.explorers.applications import DigitsExplorer, RecommenderExplorer
from gradlab.explorers.network_trainer import NetworkTrainer
from gradlab.explorers.status import Background, RunTable, log_limits, nearest_first
from gradlab.models import MLP, LinearAutoencoder, MatrixFactorization, SoftmaxRegression
from gradlab.optimizers import SGD, Adam
from gradlab.training import train_network, train_networks

# close_all (every test) and datasets come from tests/conftest.py.
pytestmark = pytest.mark.usefixtures("close_all")


def _problems():
    """(model, X, y, params (m, dim)) for each kind of model, with repeated rows in the data."""
    rng = np.random.default_rng(0)
    cases = []
    for activation in ("tanh", "relu", "sigmoid"):
        for output, n_out in (("sigmoid", 1), ("softmax", 3), ("identity", 2)):
            for hidden in ((), (5,), (8, 4)):
                model = MLP((3, *hidden, n_out), activation=activation, output=output, l2=0.1)
                X = rng.standard_normal((23, 3))
                y = (rng.standard_normal((23, n_out)) if output == "identity"
                     else rng.integers(0, max(n_out, 2), 23))
                cases.append((model, X, y))
    for l2 in (0.0, 0.01):
        cases.append((SoftmaxRegression(6, 4, l2=l2), rng.random((30, 6)),
                      rng.integers(0, 4, 30)))
        positions = np.column_stack([rng.integers(0, 5, 40), rng.integers(0, 4, 40)])
        cases.append((MatrixFactorization(5, 4, 2, l2=l2), positions, rng.standard_normal(40)))
        cases.append((LinearAutoencoder(6, 2, l2=l2), rng.standard_normal((25, 6)), None))
    return [(model, X, y, rng.standard_normal((7, model.dim))) for model, X, y in cases]


@pytest.mark.parametrize("model, X, y, params", _problems(),
                         ids=lambda v: repr(v) if not isinstance(v, np.ndarray) else "")
def test_stacked_gradient_and_loss_equal_the_rows_bit_for_bit(model, X, y, params):
    bound = model.bind(X, y)
    for rows in (None, np.array([3, 0, 3, 7, 1])):  # a batch that repeats a sample
        gradients = bound.stacked_gradient(params, rows)
        losses = bound.stacked_losses(params, rows)
        assert gradients.shape == params.shape and losses.shape == (len(params),)
        for row, p in enumerate(params):
            assert np.array_equal(gradients[row], bound.gradient(p, rows))
            assert np.array_equal(losses[row], bound.loss(p, rows))


def _same(batched, alone):
    return (np.array_equal(batched.params, alone.params)
            and np.array_equal(batched.train_loss, alone.train_loss)
            and np.array_equal(batched.test_loss, alone.test_loss)
            and (batched.diverged_at, batched.steps, batched.stopped)
            == (alone.diverged_at, alone.steps, alone.stopped))


def _runs_equal_lone_runs(model, start, train, test, make, rates, batch, epochs, seed):
    runs = train_networks(model, start, train, test, make(np.array(rates)), batch_size=batch,
                          epochs=epochs, rng=np.random.default_rng(seed))
    assert len(runs) == len(rates)
    for rate, run in zip(rates, runs, strict=True):
        alone = train_network(model, start, train, test, make(rate), batch_size=batch,
                              epochs=epochs, rng=np.random.default_rng(seed))
        assert _same(run, alone), f"lr {rate}: the batched run differs from the lone run"
    return runs


@pytest.mark.parametrize("make", [lambda lr: Adam(lr=lr), lambda lr: SGD(lr=lr),
                                  lambda lr: SGD(lr=lr, momentum=0.9)],
                         ids=["Adam", "SGD", "momentum"])
def test_a_network_sweep_equals_each_run_alone(datasets, make):
    train, test = datasets["moons"]
    model = MLP((2, 4, 1))
    start = model.init_params(np.random.default_rng(1))
    runs = _runs_equal_lone_runs(model, start, train, test, make, [0.003, 0.05, 0.8, 40.0, 1e4],
                                 batch=16, epochs=6, seed=2)
    assert runs[0].diverged_at == -1


def test_application_sweeps_equal_each_run_alone_including_divergence():
    data = digits()
    train, test = train_test_split(data, np.random.default_rng(0), test_fraction=0.25)
    model = SoftmaxRegression(64, 10)
    _runs_equal_lone_runs(model, np.zeros(model.dim), train, test, lambda lr: SGD(lr=lr),
                          [0.05, 0.5, 30.0], batch=512, epochs=3, seed=0)
    rdata = ratings(np.random.default_rng(3), 30, 20, rank=2, observed_fraction=0.4)
    rtrain, rtest = train_test_split(rdata, np.random.default_rng(4), test_fraction=0.2)
    mf = MatrixFactorization(30, 20, 2)
    runs = _runs_equal_lone_runs(mf, mf.init_params(np.random.default_rng(5), scale=0.3),
                                 rtrain, rtest, lambda lr: SGD(lr=lr), [0.5, 3.0, 300.0],
                                 batch=32, epochs=5, seed=0)
    assert runs[-1].diverged_at >= 1  # the stack went on without it
    adata = anomalies(np.random.default_rng(6), 200, 10, n_features=5, n_components=1)
    atrain, atest = train_test_split(adata, np.random.default_rng(7), test_fraction=0.3)
    ae = LinearAutoencoder(5, 1)
    _runs_equal_lone_runs(ae, ae.init_params(np.random.default_rng(8)), atrain, atest,
                          lambda lr: SGD(lr=lr), [0.001, 0.03, 5.0], batch=8, epochs=4, seed=1)


def test_a_scalar_optimizer_makes_one_run_and_pause_is_called_every_step(datasets):
    train, test = datasets["xor"]
    model = MLP((2, 3, 1))
    calls = []
    (run,) = train_networks(model, model.init_params(np.random.default_rng(0)), train, test,
                            SGD(lr=0.1), batch_size=10, epochs=2,
                            rng=np.random.default_rng(1), pause=lambda: calls.append(1))
    assert len(calls) == run.steps == 2 * -(-train.n_samples // 10)


# --- the trainers look up what was trained ahead -----------------------------------------------


def _forbid_training(monkeypatch, module):
    def refuse(*args, **kwargs):
        raise AssertionError("a move trained a run that should have been trained ahead")

    monkeypatch.setattr(module, "train_network", refuse)


def test_trainer_moves_within_reach_are_lookups_of_exact_runs(datasets, monkeypatch):
    widget = NetworkTrainer(datasets, dataset="moons", optimizer="SGD + momentum 0.9",
                            lr=0.1, batch_size=32, width=4, epochs=6, resolution=8)
    widget.train_ahead_now()
    rates = [v for _label, v in widget.controls["lr"].options]
    index = rates.index(0.1)
    _forbid_training(monkeypatch, network_trainer)
    for lr in (rates[index + 3], rates[index - widget.lr_reach]):
        widget.set(lr=lr)
        train, test = datasets["moons"]
        model = MLP((2, 4, 1))
        alone = train_network(model, model.init_params(np.random.default_rng([0, 0])), train,
                              test, SGD(lr=lr, momentum=0.9), batch_size=32, epochs=6,
                              rng=np.random.default_rng([0, 1]))
        assert _same(widget.record, alone)
    widget.set(lr=0.1, batch=8)  # the current rate at another batch size was trained too
    widget.set(batch=32, width=16)  # and at another width
    monkeypatch.undo()
    widget.set(lr=rates[index + widget.lr_reach + 1])  # out of reach: trained at once
    assert widget.runs.bytes <= widget.max_bytes


def test_digits_lookups_carry_the_metrics_of_their_run(monkeypatch):
    train, test = train_test_split(digits(), np.random.default_rng(0), test_fraction=0.25)
    explorer = DigitsExplorer(SoftmaxRegression(64, 10), train, test, lr=0.5, batch_size=512,
                              epochs=3)
    explorer.lr_reach = 2
    explorer.set(lr=0.55)  # queues a smaller neighbourhood
    explorer.train_ahead_now()
    _forbid_training(monkeypatch, applications)
    explorer.set(lr=0.57, epoch=2)  # two positions away
    W = explorer.record.params[2][:640].reshape(64, 10)
    b = explorer.record.params[2][640:]
    assert explorer.test_accuracy[2] == np.mean(np.argmax(test.X @ W + b, axis=1) == test.y)
    assert "epoch 2" in explorer.message
    explorer.set(lr=0.55, batch=128)  # the rate of then at another batch size
    assert explorer.batch_size == 128


def test_switching_the_data_set_while_playing_shows_a_whole_consistent_frame(datasets):
    widget = NetworkTrainer(datasets, dataset="moons", epochs=8, resolution=10)
    for epoch in range(0, 5):  # what the Play button sends
        widget.set(epoch=epoch)
        widget.frame_rgba()
    widget.set(dataset="xor")
    shown = widget.frame_rgba()
    assert np.array_equal(shown, widget.frame_rgba(full=True))
    assert np.all(np.isfinite(widget.probabilities))
    assert len(widget.train_line.get_xdata()) == widget.shown_epoch + 1 == 5
    assert "epoch 4" in widget.message and widget.ax_map.title.get_text().startswith("xor")
    assert widget.ax_map.get_xlim() == widget.window[0]


def test_a_figure_move_touches_no_static_artist_for_a_kept_run(datasets):
    widget = NetworkTrainer(datasets, dataset="xor", epochs=6, resolution=10)
    widget.train_ahead_now()
    widget.frame_rgba()
    full = widget.full_frames
    rates = [v for _label, v in widget.controls["lr"].options]
    widget.set(epoch=3)
    widget.frame_rgba()
    widget.set(lr=rates[rates.index(widget.controls["lr"].value) + 1])
    widget.frame_rgba()
    assert widget.full_frames - full <= 1  # at most the loss axis' rounded limits changed
    widget.set(epoch=4)
    widget.frame_rgba()
    widget.set(epoch=5)
    assert np.array_equal(widget.frame_rgba(), widget.frame_rgba(full=True))


def test_recommender_close_cancels_its_queued_work():
    rdata = ratings(np.random.default_rng(3), 30, 20, rank=2, observed_fraction=0.4)
    rtrain, rtest = train_test_split(rdata, np.random.default_rng(4), test_fraction=0.2)
    mf = MatrixFactorization(30, 20, 2)
    explorer = RecommenderExplorer(mf, rtrain, rtest,
                                   start=mf.init_params(np.random.default_rng(5), scale=0.3),
                                   epochs=2)
    from gradlab.explorers.status import BACKGROUND
    assert BACKGROUND.pending(explorer) > 0
    explorer.close()
    assert BACKGROUND.pending(explorer) == 0


# --- the pieces ---------------------------------------------------------------------------------


def test_background_worker_runs_jobs_in_order_waits_for_moves_and_cancels():
    worker = Background()
    worker.enabled = True
    owner, done, started = object(), [], threading.Event()

    def job(pause, name):
        started.set()
        for _ in range(5):
            pause()
            time.sleep(0.002)
        done.append(name)

    with worker.busy():  # nothing runs while a figure draws
        worker.submit(owner, lambda pause: job(pause, "first"))
        worker.submit(owner, lambda pause: job(pause, "second"))
        time.sleep(0.05)
        assert not started.is_set()
    assert worker.wait(timeout=10)
    assert done == ["first", "second"]
    with worker.busy():
        worker.submit(owner, lambda pause: job(pause, "dropped"))
        worker.cancel(owner)
    assert worker.wait(timeout=10) and done == ["first", "second"]


def test_run_table_keeps_the_most_recent_runs_within_its_budget():
    table = RunTable(max_bytes=3 * 800)
    for key in range(5):
        table.put(key, (np.zeros(100),))
    assert list(table) == [2, 3, 4] and table.bytes == 2400
    table.get(2)
    table.put(5, (np.zeros(100),))
    assert list(table) == [4, 2, 5]
    table.put(6, (np.zeros(1000),))  # larger than the budget alone: kept, the rest dropped
    assert list(table) == [6]


def test_helpers_round_limits_outward_and_order_neighbours():
    assert log_limits([0.2, 0.7]) == pytest.approx((0.1, 10**0.5))
    assert log_limits([np.nan, -1.0]) == (1e-2, 1.0)
    assert nearest_first([8, 16, 32, 64, 128], 64) == [64, 32, 128, 16, 8]
