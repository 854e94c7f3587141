"""Tests for gradlab.landscape: filter normalization (Li et al., 2018) and loss slices."""

import time

import numpy as np
import pytest

from gradlab import data, landscape, models

rng = np.random.default_rng


def test_every_filter_gets_the_norm_of_the_trained_filter_and_biases_stay_put():
    model = models.MLP((3, 5, 4, 2), activation="tanh", output="softmax")
    center = model.init_params(rng(0)) + rng(1).standard_normal(model.dim)
    d1, d2 = landscape.random_directions(model, center, rng(2))
    trained = model.unflatten(center)
    for direction in (d1, d2):
        blocks = model.unflatten(direction)
        for l in (1, 2, 3):
            np.testing.assert_allclose(
                np.linalg.norm(blocks[f"W{l}"], axis=0),  # column j: weights into unit j
                np.linalg.norm(trained[f"W{l}"], axis=0),
            )
            np.testing.assert_array_equal(blocks[f"b{l}"], 0.0)
    assert not np.allclose(d1, d2)


def test_a_weight_vector_is_one_filter():
    model = models.LinearRegression(3)
    center = np.array([1.0, 2.0, 2.0, 5.0])  # |w| = 3, b = 5
    d1, _ = landscape.random_directions(model, center, rng(0))
    assert np.isclose(np.linalg.norm(d1[:3]), 3.0) and d1[3] == 0.0


def test_zero_filters_give_zero_directions_quietly():
    model = models.MLP((2, 2, 1), output="identity")
    center = np.zeros(model.dim)
    center[0] = 1.0  # W1[0, 0]: only the first hidden unit has weights
    direction = landscape.filter_normalize(model, np.ones(model.dim), center)
    blocks = model.unflatten(direction)
    # Column 0 of the direction, (1, 1), is rescaled to norm 1; the empty filters vanish.
    np.testing.assert_allclose(blocks["W1"], [[0.5**0.5, 0.0], [0.5**0.5, 0.0]])
    np.testing.assert_array_equal(blocks["W2"], 0.0)


def test_unnormalized_directions_are_plain_gaussian_draws():
    model = models.MLP((2, 3, 1))
    center = model.init_params(rng(0))
    d1, d2 = landscape.random_directions(model, center, rng(5), normalization="none")
    expected = rng(5).standard_normal((2, model.dim))
    np.testing.assert_array_equal(np.stack([d1, d2]), expected)


def relu_problem():
    dataset = data.moons(rng(0), 80, noise=0.1)
    model = models.MLP((2, 6, 1), activation="relu", output="sigmoid")
    params = model.init_params(rng(1))
    for _ in range(100):
        params = params - 0.5 * model.gradient(params, dataset.X, dataset.y)
    return dataset, model, params


def rescaled(model, params, factor):
    """The same ReLU network with layer 1 multiplied and layer 2 divided by ``factor``."""
    blocks = model.unflatten(params)
    blocks = {name: block.copy() for name, block in blocks.items()}
    blocks["W1"] *= factor
    blocks["b1"] *= factor
    blocks["W2"] /= factor
    return model.flatten(blocks)


def test_filter_normalized_slices_ignore_rescaling_that_keeps_the_function():
    # The scale invariance Li et al. built filter normalization for (their section 4).
    dataset, model, params = relu_problem()
    other = rescaled(model, params, 10.0)
    np.testing.assert_allclose(
        model.predict_proba(other, dataset.X), model.predict_proba(params, dataset.X)
    )
    steps = np.linspace(-1, 1, 9)

    def slice_at(center, normalization):
        d1, d2 = landscape.random_directions(model, center, rng(3), normalization=normalization)
        return landscape.loss_slice(
            lambda p: model.loss(p, dataset.X, dataset.y), center, d1, d2, steps, steps
        )

    np.testing.assert_allclose(slice_at(other, "filter"), slice_at(params, "filter"), rtol=1e-10)
    assert not np.allclose(slice_at(other, "none"), slice_at(params, "none"), rtol=1e-3)


def test_slice_entries_are_the_loss_at_the_grid_points():
    dataset, model, params = relu_problem()
    d1, d2 = landscape.random_directions(model, params, rng(4))
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-0.5, 0.5, 3)
    Z = landscape.loss_slice(
        lambda p: model.loss(p, dataset.X, dataset.y), params, d1, d2, alphas, betas
    )
    assert Z.shape == (3, 5)
    for i, beta in enumerate(betas):
        for j, alpha in enumerate(alphas):
            point = params + alpha * d1 + beta * d2
            assert np.isclose(Z[i, j], model.loss(point, dataset.X, dataset.y), rtol=1e-12)
    assert np.isclose(Z[1, 2], model.loss(params, dataset.X, dataset.y))


def test_slice_of_a_quadratic_is_the_closed_form():
    center = np.array([1.0, -2.0])
    d1, d2 = np.array([1.0, 0.0]), np.array([1.0, 1.0])
    alphas, betas = np.array([-1.0, 0.5, 2.0]), np.array([0.0, 3.0])
    Z = landscape.loss_slice(
        lambda p: np.sum((p - center) ** 2, axis=-1), center, d1, d2, alphas, betas
    )
    A, B = np.meshgrid(alphas, betas)
    np.testing.assert_allclose(Z, (A + B) ** 2 + B**2)  # |alpha d1 + beta d2|^2


def test_a_41_by_41_slice_of_a_small_network_is_cheap():
    dataset = data.moons(rng(0), 200, noise=0.1)
    model = models.MLP((2, 16, 16, 1), activation="tanh", output="sigmoid")
    params = model.init_params(rng(1))
    d1, d2 = landscape.random_directions(model, params, rng(2))
    steps = np.linspace(-1, 1, 41)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        Z = landscape.loss_slice(
            lambda p: model.loss(p, dataset.X, dataset.y), params, d1, d2, steps, steps
        )
        timings.append(time.perf_counter() - start)
    assert Z.shape == (41, 41) and np.all(np.isfinite(Z))
    assert min(timings) < 1.0  # about 0.06 s on an idle core


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda m, c: landscape.random_directions(m, c[:-1], rng(0)), ValueError,
         r"center must be one flat parameter vector of shape \(13,\)"),
        (lambda m, c: landscape.random_directions(m, c, 0), TypeError, "numpy.random.Generator"),
        (lambda m, c: landscape.random_directions(m, c, rng(0), normalization="layer"),
         ValueError, "normalization must be 'filter' or 'none'"),
        (lambda m, c: landscape.random_directions(object(), c, rng(0)), TypeError,
         "gradlab.models model"),
        (lambda m, c: landscape.filter_normalize(m, np.full(13, np.nan), c), ValueError,
         "direction contains NaN"),
        (lambda m, c: landscape.loss_slice(3, c, c, c, [0], [0]), TypeError, "callable"),
        (lambda m, c: landscape.loss_slice(np.sum, c, c[:3], c, [0], [0]), ValueError,
         r"d1 must be one flat parameter vector of shape \(13,\)"),
        (lambda m, c: landscape.loss_slice(np.sum, c, c, c, [], [0]), ValueError,
         "alphas must be a non-empty 1-D array"),
        (lambda m, c: landscape.loss_slice(np.sum, c, c, c, [[0, 1]], [0]), ValueError,
         "alphas must be a non-empty 1-D array"),
        (lambda m, c: landscape.loss_slice(np.sum, c, c, c, [0, 1], [0]), ValueError,
         r"loss_fn must map points of shape \(1, 2, 13\) to losses of shape \(1, 2\)"),
        (lambda m, c: landscape.loss_slice(np.sum, np.zeros((2, 2)), c, c, [0], [0]),
         ValueError, "center must be a flat parameter vector"),
    ],
)
def test_bad_input(call, error, message):
    model = models.MLP((2, 3, 1))
    center = model.init_params(rng(0))
    with pytest.raises(error, match=message):
        call(model, center)
