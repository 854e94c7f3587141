"""What the training and trainer tests share: two small labelled sets and the 2-h-1 network
restated by hand (tanh hidden layer, sigmoid output), an oracle independent of gradlab.models."""

import numpy as np

from gradlab.data import moons, train_test_split, xor


def small_datasets():
    """{"xor", "moons"}: (train, test) splits of two small 2-D sets, seeded."""
    def split(data, seed):
        return train_test_split(data, np.random.default_rng(seed), test_fraction=0.25)

    return {
        "xor": split(xor(np.random.default_rng(0), 80, spread=0.3), 1),
        "moons": split(moons(np.random.default_rng(2), 100, noise=0.2), 3),
    }


def forward(params, widths, X):
    """The network restated by hand: tanh hidden layer, sigmoid output."""
    n_in, n_hidden = widths
    W1 = params[: n_in * n_hidden].reshape(n_in, n_hidden)
    b1 = params[n_in * n_hidden : n_in * n_hidden + n_hidden]
    W2 = params[n_in * n_hidden + n_hidden : n_in * n_hidden + 2 * n_hidden]
    b2 = params[-1]
    hidden = np.tanh(X @ W1 + b1)
    return 1.0 / (1.0 + np.exp(-(hidden @ W2 + b2)))


def cross_entropy(params, widths, X, y):
    p = forward(params, widths, X)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
