"""Tests for gradlab.models against independent oracles.

- every gradient against central finite differences of the model's own loss;
- the small models' losses and gradients against sympy, the loss written out symbolically here;
- least squares against numpy.linalg.lstsq, softmax regression against scikit-learn;
- the autoencoder's subspace against an SVD, and its anomaly flags against the planted truth.
"""

import numpy as np
import pytest
import sympy as sp

from gradlab import data, models

rng = np.random.default_rng


def central_differences(f, params, h=1e-5):
    """Gradient of the scalar function ``f`` at ``params`` by central differences."""
    grad = np.zeros_like(params)
    for i in range(params.size):
        step = np.zeros_like(params)
        step[i] = h
        grad[i] = (f(params + step) - f(params - step)) / (2 * h)
    return grad


def relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)


def problem(name):
    """A model, a parameter vector away from any kink, and data for it."""
    g = rng(sum(map(ord, name)))  # a fixed seed per problem
    X = g.standard_normal((12, 3))
    if name == "linear":
        return models.LinearRegression(3, l2=0.1), X, g.standard_normal(12)
    if name == "logistic":
        return models.LogisticRegression(3, l2=0.1), X, g.integers(0, 2, 12)
    if name == "softmax":
        return models.SoftmaxRegression(3, 4, l2=0.1), X, g.integers(0, 4, 12)
    if name == "matrix_factorization":
        ratings = data.ratings(g, 5, 6, rank=2, observed_fraction=0.5)
        return models.MatrixFactorization(5, 6, 2, l2=0.05), ratings.X, ratings.y
    if name == "autoencoder":
        return models.LinearAutoencoder(3, 2, l2=0.05), X, None
    activation, output = name.split("-")[1:]
    sizes = {"sigmoid": (3, 5, 4, 1), "softmax": (3, 5, 4, 3), "identity": (3, 5, 2)}[output]
    model = models.MLP(sizes, activation=activation, output=output, l2=0.01)
    y = {
        "sigmoid": g.integers(0, 2, 12),
        "softmax": g.integers(0, 3, 12),
        "identity": g.standard_normal((12, 2)),
    }[output]
    return model, X, y


MLP_NAMES = [
    f"mlp-{activation}-{output}"
    for activation in ("tanh", "relu", "sigmoid")
    for output in ("sigmoid", "softmax", "identity")
]
ALL_NAMES = ["linear", "logistic", "softmax", "matrix_factorization", "autoencoder", *MLP_NAMES]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_gradient_matches_central_differences(name):
    model, X, y = problem(name)
    params = model.init_params(rng(1)) + 0.3 * rng(2).standard_normal(model.dim)
    analytic = model.gradient(params, X, y)
    numeric = central_differences(lambda p: model.loss(p, X, y), params)
    assert analytic.shape == (model.dim,)
    assert relative_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize("name", ALL_NAMES)
def test_rows_of_a_batch_are_independent_problems(name):
    model, X, y = problem(name)
    batch = rng(3).standard_normal((4, model.dim))
    losses, grads = model.loss_and_gradient(batch, X, y)
    assert losses.shape == (4,) and grads.shape == (4, model.dim)
    for row, loss, grad in zip(batch, losses, grads, strict=True):
        assert np.isclose(model.loss(row, X, y), loss)
        np.testing.assert_allclose(model.gradient(row, X, y), grad)
    np.testing.assert_allclose(model.loss(batch, X, y), losses)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_flatten_inverts_unflatten(name):
    model, _, _ = problem(name)
    params = rng(4).standard_normal((2, model.dim))
    blocks = model.unflatten(params)
    assert list(blocks) == list(model.shapes)
    for block_name, shape in model.shapes.items():
        assert blocks[block_name].shape == (2, *shape)
    np.testing.assert_array_equal(model.flatten(blocks), params)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_bound_model_equals_the_checked_methods_bit_for_bit(name):
    # model.bind checks the data once; its loss and gradient on some rows are the checked
    # methods on those rows, computed by the same arithmetic.
    model, X, y = problem(name)
    bound = model.bind(X, y)
    assert bound.n_samples == len(X) and bound.model is model
    params = model.init_params(rng(1)) + 0.3 * rng(2).standard_normal(model.dim)
    rows = np.array([7, 0, 3, 3, 11])
    y_rows = None if y is None else y[rows]
    for subset, (X_, y_) in [(None, (X, y)), (rows, (X[rows], y_rows))]:
        loss, grad = model.loss_and_gradient(params, X_, y_)
        assert bound.loss(params, subset) == model.loss(params, X_, y_) == loss
        np.testing.assert_array_equal(bound.gradient(params, subset), grad)
        np.testing.assert_array_equal(model.gradient(params, X_, y_), grad)
        bound_loss, bound_grad = bound.loss_and_gradient(params, subset)
        assert bound_loss == loss
        np.testing.assert_array_equal(bound_grad, grad)
    batch = rng(3).standard_normal((2, 3, model.dim))
    np.testing.assert_array_equal(bound.gradient(batch), model.gradient(batch, X, y))
    np.testing.assert_array_equal(bound.loss(batch), model.loss(batch, X, y))


def test_bind_checks_the_data_once():
    model = models.MLP((2, 3, 1))
    with pytest.raises(ValueError, match="X must have shape"):
        model.bind(np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="integer labels"):
        model.bind(np.zeros((4, 2)), np.array([0, 1, 2, 0]))


def test_backward_is_the_gradient_by_block():
    model, X, y = problem("mlp-tanh-softmax")
    params = model.init_params(rng(1))
    blocks = model.backward(params, model.forward(params, X), y)
    assert list(blocks) == ["W3", "b3", "W2", "b2", "W1", "b1"]  # as backpropagation runs
    np.testing.assert_array_equal(model.flatten(blocks), model.gradient(params, X, y))
    with pytest.raises(ValueError, match="one parameter vector"):
        model.backward(np.stack([params, params]), model.forward(params, X), y)


# -- sympy: the loss written out symbolically, differentiated by sympy ---------------------------


def sympy_check(loss_expr, symbols, model, X, y, points):
    value = sp.lambdify(symbols, loss_expr, "math")
    gradient = [sp.lambdify(symbols, sp.diff(loss_expr, s), "math") for s in symbols]
    for point in points:
        assert np.isclose(model.loss(point, X, y), value(*point), rtol=1e-12)
        expected = [float(g(*point)) for g in gradient]
        np.testing.assert_allclose(model.gradient(point, X, y), expected, rtol=1e-10, atol=1e-13)


def test_linear_regression_matches_sympy():
    w, b = sp.symbols("w b")
    X = np.array([[0.5], [-1.0], [2.0], [0.25]])
    y = np.array([1.0, -0.5, 3.0, 0.0])
    l2 = sp.Rational(1, 10)
    pairs = zip(X[:, 0], y, strict=True)
    loss = sum((w * sp.Float(xi) + b - sp.Float(yi)) ** 2 for xi, yi in pairs)
    loss = loss / len(y) + l2 * w**2
    model = models.LinearRegression(1, l2=0.1)
    sympy_check(loss, (w, b), model, X, y, rng(0).standard_normal((5, 2)) * 2)


def test_logistic_regression_matches_sympy():
    w1, w2, b = sp.symbols("w1 w2 b")
    X = np.array([[0.5, 1.0], [-1.0, 0.3], [2.0, -1.5]])
    y = np.array([1, 0, 1])
    terms = []
    for (x1, x2), label in zip(X, y, strict=True):
        p = 1 / (1 + sp.exp(-(w1 * sp.Float(x1) + w2 * sp.Float(x2) + b)))
        terms.append(-(label * sp.log(p) + (1 - label) * sp.log(1 - p)))
    loss = sum(terms) / len(y) + sp.Rational(1, 5) * (w1**2 + w2**2)
    model = models.LogisticRegression(2, l2=0.2)
    sympy_check(loss, (w1, w2, b), model, X, y, rng(1).standard_normal((5, 3)))


def test_tiny_mlp_matches_sympy():
    # (1, 2, 1) tanh network with a sigmoid output: 7 parameters in flat order W1, b1, W2, b2.
    a1, a2, c1, c2, v1, v2, d = symbols = sp.symbols("a1 a2 c1 c2 v1 v2 d")
    X = np.array([[0.5], [-1.2], [2.0]])
    y = np.array([1, 0, 0])
    terms = []
    for (x,), label in zip(X, y, strict=True):
        hidden = [sp.tanh(a1 * sp.Float(x) + c1), sp.tanh(a2 * sp.Float(x) + c2)]
        p = 1 / (1 + sp.exp(-(v1 * hidden[0] + v2 * hidden[1] + d)))
        terms.append(-(label * sp.log(p) + (1 - label) * sp.log(1 - p)))
    loss = sum(terms) / len(y)
    model = models.MLP((1, 2, 1), activation="tanh", output="sigmoid")
    sympy_check(loss, symbols, model, X, y, rng(2).standard_normal((3, 7)))


# -- linear regression: vectorized over grids, and least squares ---------------------------------


def test_linear_regression_loss_over_a_grid_of_w_b():
    dataset = data.linear_regression(rng(0), 30, 1)
    model = models.LinearRegression(1)
    w, b = np.meshgrid(np.linspace(-3, 3, 7), np.linspace(-2, 2, 5))
    grid = np.stack([w, b], axis=-1)  # (5, 7, 2)
    losses, grads = model.loss_and_gradient(grid, dataset.X, dataset.y)
    assert losses.shape == (5, 7) and grads.shape == (5, 7, 2)
    x, y = dataset.X[:, 0], dataset.y
    by_hand = np.mean((w[..., None] * x + b[..., None] - y) ** 2, axis=-1)
    np.testing.assert_allclose(losses, by_hand)
    np.testing.assert_allclose(model.predict(grid, dataset.X)[2, 3], w[2, 3] * x + b[2, 3])


def test_gradient_descent_reaches_the_least_squares_solution():
    dataset = data.linear_regression(rng(3), 200, 3, noise=0.3)
    design = np.column_stack([dataset.X, np.ones(200)])
    solution, residual_sum, *_ = np.linalg.lstsq(design, dataset.y)
    model = models.LinearRegression(3)
    params = np.zeros(4)
    for _ in range(3000):
        params = params - 0.4 * model.gradient(params, dataset.X, dataset.y)
    np.testing.assert_allclose(params, solution, atol=1e-9)
    # The minimum of the model's loss is lstsq's residual sum of squares over N ...
    assert np.isclose(model.loss(solution, dataset.X, dataset.y), residual_sum[0] / 200)
    # ... and the gradient vanishes there.
    np.testing.assert_allclose(model.gradient(solution, dataset.X, dataset.y), 0, atol=1e-12)


def test_ridge_penalty_shrinks_towards_the_closed_form():
    dataset = data.linear_regression(rng(4), 50, 2)
    l2 = 0.5
    model = models.LinearRegression(2, l2=l2)
    # Stationarity of mean((Xw + b - y)^2) + l2 |w|^2 written as a linear system.
    A = np.column_stack([dataset.X, np.ones(50)])
    penalty = np.diag([l2, l2, 0.0]) * 50
    expected = np.linalg.solve(A.T @ A + penalty, A.T @ dataset.y)
    np.testing.assert_allclose(model.gradient(expected, dataset.X, dataset.y), 0, atol=1e-12)


# -- classifiers --------------------------------------------------------------------------------


def test_logistic_predictions_follow_the_logistic_function():
    model = models.LogisticRegression(2)
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    params = np.array([0.5, -1.0, 0.25])
    z = X @ params[:2] + params[2]
    np.testing.assert_allclose(model.predict_proba(params, X), 1 / (1 + np.exp(-z)))
    np.testing.assert_array_equal(model.predict(params, X), (z > 0).astype(int))


def test_cross_entropies_stay_finite_for_huge_logits():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    logistic = models.LogisticRegression(2)
    # z = +-1000 on the wrong side: loss = 1000 exactly, no overflow, no log(0).
    loss = logistic.loss(np.array([-1000.0, 1000.0, 0.0]), X, np.array([1, 0]))
    assert np.isclose(loss, 1000.0)
    softmax = models.SoftmaxRegression(2, 2)
    params = softmax.flatten({"W": [[1000.0, -1000.0], [0.0, 0.0]], "b": [0.0, 0.0]})
    assert np.isclose(softmax.loss(params, X, np.array([1, 0])), (2000.0 + np.log(2)) / 2)


def test_softmax_on_digits_is_as_accurate_as_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    train, test = data.train_test_split(data.digits(), rng(0), test_fraction=0.25)
    reference = LogisticRegression(max_iter=2000).fit(train.X, train.y)
    reference_accuracy = reference.score(test.X, test.y)
    # scikit-learn minimizes  sum CE + |W|^2 / (2 C);  per sample that is l2 = 1 / (2 C N).
    model = models.SoftmaxRegression(64, 10, l2=1 / (2 * train.n_samples))
    params, velocity = model.init_params(rng(1)), np.zeros(model.dim)
    for _ in range(300):  # gradient descent with heavy-ball momentum, written out
        velocity = 0.9 * velocity + model.gradient(params, train.X, train.y)
        params = params - 0.5 * velocity
    accuracy = np.mean(model.predict(params, test.X) == test.y)
    assert reference_accuracy > 0.9
    assert accuracy > reference_accuracy - 0.03
    probabilities = model.predict_proba(params, test.X)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0)


# -- the multilayer perceptron ----------------------------------------------------------------


def test_forward_pass_keeps_every_layer():
    model = models.MLP((2, 4, 3, 1), activation="relu", output="sigmoid")
    params = model.init_params(rng(0))
    X = rng(1).standard_normal((6, 2))
    cache = model.forward(params, X)
    assert [z.shape for z in cache.pre_activations] == [(6, 4), (6, 3), (6, 1)]
    assert [a.shape for a in cache.activations] == [(6, 2), (6, 4), (6, 3), (6, 1)]
    (W1, b1), (W2, b2), (W3, b3) = model.layers(params)
    h1 = np.maximum(X @ W1 + b1, 0)
    h2 = np.maximum(h1 @ W2 + b2, 0)
    np.testing.assert_allclose(cache.activations[-1][:, 0], 1 / (1 + np.exp(-(h2 @ W3 + b3)[:, 0])))
    grads = model.backward(params, cache, np.array([0, 1, 0, 1, 1, 0]))
    assert {name: g.shape for name, g in grads.items()} == model.shapes


def test_mlp_learns_xor_which_logistic_regression_cannot():
    dataset = data.xor(rng(0), 200, spread=0.2)
    mlp = models.MLP((2, 8, 1), activation="tanh", output="sigmoid")
    params = mlp.init_params(rng(1))
    for _ in range(500):
        params = params - 0.5 * mlp.gradient(params, dataset.X, dataset.y)
    assert np.mean(mlp.predict(params, dataset.X) == dataset.y) > 0.97

    linear = models.LogisticRegression(2)
    weights = np.zeros(3)
    for _ in range(500):
        weights = weights - 0.5 * linear.gradient(weights, dataset.X, dataset.y)
    assert np.mean(linear.predict(weights, dataset.X) == dataset.y) < 0.75


def test_mlp_with_identity_output_and_no_hidden_layer_is_linear_regression():
    dataset = data.linear_regression(rng(5), 40, 2)
    mlp = models.MLP((2, 1), output="identity")
    linear = models.LinearRegression(2)
    params = rng(6).standard_normal(3)  # W1 (2, 1) then b1: the same order as (w, b)
    X, y = dataset.X, dataset.y
    assert np.isclose(mlp.loss(params, X, y), linear.loss(params, X, y))
    np.testing.assert_allclose(
        mlp.gradient(params, dataset.X, dataset.y), linear.gradient(params, dataset.X, dataset.y)
    )


# -- matrix factorization -------------------------------------------------------------------------


def test_matrix_factorization_batches_average_to_the_full_gradient():
    ratings = data.ratings(rng(0), 6, 8, rank=2, observed_fraction=0.6)
    model = models.MatrixFactorization(6, 8, 2, l2=0.1)
    params = model.init_params(rng(1), scale=1.0)
    n = len(ratings.y) - len(ratings.y) % 4
    order = rng(2).permutation(len(ratings.y))[:n]
    batches = np.split(order, 4)
    full = model.gradient(params, ratings.X[order], ratings.y[order])
    averaged = np.mean([model.gradient(params, ratings.X[b], ratings.y[b]) for b in batches], 0)
    np.testing.assert_allclose(averaged, full, atol=1e-12)


def test_matrix_factorization_predicts_unobserved_ratings():
    ratings = data.ratings(rng(0), 20, 25, rank=2, observed_fraction=0.5, noise=0.05)
    model = models.MatrixFactorization(20, 25, 2, l2=1e-4)
    params = model.init_params(rng(1))
    for _ in range(3000):
        params = params - 0.5 * model.gradient(params, ratings.X, ratings.y)
    hidden = ~ratings.mask
    predicted = model.full_matrix(params)
    error = np.sqrt(np.mean((predicted[hidden] - ratings.complete_ratings[hidden]) ** 2))
    baseline = np.sqrt(np.mean(ratings.complete_ratings[hidden] ** 2))
    assert error < 0.3 * baseline
    np.testing.assert_allclose(model.predict(params, ratings.X), predicted[ratings.mask])


# -- the autoencoder ------------------------------------------------------------------------------


def train_autoencoder(dataset, n_components, steps=2000, lr=0.05):
    model = models.LinearAutoencoder(dataset.n_features, n_components)
    params = model.init_params(rng(1))
    for _ in range(steps):
        params = params - lr * model.gradient(params, dataset.X)
    return model, params


def test_autoencoder_finds_the_principal_subspace():
    dataset = data.anomalies(rng(0), 300, 0, n_features=4, n_components=2, noise=0.3)
    model, params = train_autoencoder(dataset, 2)
    blocks = model.unflatten(params)
    centred = dataset.X - dataset.X.mean(axis=0)
    top = np.linalg.svd(centred, full_matrices=False)[2][:2]  # rows: top principal directions
    np.testing.assert_allclose(blocks["E"] @ blocks["D"], top.T @ top, atol=1e-4)
    assert np.isclose(
        model.loss(params, dataset.X),
        np.mean(np.sum((centred - centred @ top.T @ top) ** 2, axis=1)),
    )


def test_autoencoder_flags_the_planted_anomalies():
    dataset = data.anomalies(rng(7), 400, 20, n_features=3, n_components=1, noise=0.1)
    model, params = train_autoencoder(dataset, 1)
    scores = model.scores(params, dataset.X)
    flagged = scores > 0.5  # squared distance; normal points sit about 0.1 * sqrt(2) away
    true_positives = np.sum(flagged & dataset.anomaly_mask)
    precision = true_positives / max(flagged.sum(), 1)
    recall = true_positives / dataset.anomaly_mask.sum()
    assert precision >= 0.9 and recall >= 0.9
    reconstruction = model.predict(params, dataset.X)
    np.testing.assert_allclose(scores, np.sum((reconstruction - dataset.X) ** 2, axis=1))


# -- bad input and silence --------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m: m.loss(np.zeros(3), np.zeros((4, 1)), np.zeros(4)), r"shape \(\.\.\., 2\)"),
        (
            lambda m: m.loss(np.zeros(2), np.zeros((4, 2)), np.zeros(4)),
            r"X must have shape \(n_samples, 1\)",
        ),
        (lambda m: m.loss(np.zeros(2), np.zeros((0, 1)), np.zeros(0)), "empty batch"),
        (lambda m: m.loss(np.zeros(2), np.zeros((4, 1)), np.zeros(3)), r"y must have shape \(4,\)"),
        (lambda m: m.loss(np.zeros(2), np.full((2, 1), np.nan), np.zeros(2)), "NaN"),
        (lambda m: m.loss("abc", np.zeros((2, 1)), np.zeros(2)), "params must be an array"),
        (lambda m: m.loss(np.zeros((0, 2)), np.zeros((2, 1)), np.zeros(2)), "no parameter vectors"),
    ],
)
def test_linear_regression_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call(models.LinearRegression(1))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: models.MLP((2,)), "at least an input and an output"),
        (lambda: models.MLP((2, 0, 1)), r"layer_sizes\[1\] must be an integer >= 1"),
        (lambda: models.MLP(5), "sequence of integers"),
        (lambda: models.MLP((2, 3, 2), output="sigmoid"), "last layer of size 1"),
        (lambda: models.MLP((2, 3, 1), output="softmax"), "at least 2"),
        (lambda: models.MLP((2, 1), activation="gelu"), "activation must be one of"),
        (lambda: models.MLP((2, 1), output="tanh"), "output must be one of"),
        (lambda: models.LinearRegression(1, l2=-1), "l2 must be a finite number >= 0"),
        (lambda: models.SoftmaxRegression(3, 1), "n_classes must be an integer >= 2"),
    ],
)
def test_bad_configuration(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_labels_and_positions():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="integer labels 0..1"):
        models.LogisticRegression(2).loss(np.zeros(3), X, [0, 2, 1])
    with pytest.raises(ValueError, match="integer labels 0..2"):
        models.SoftmaxRegression(2, 3).loss(np.zeros(9), X, [0.5, 1, 2])
    mf = models.MatrixFactorization(2, 3, 1)
    with pytest.raises(ValueError, match=r"item indices \(X\[:, 1\]\) must lie in 0..2"):
        mf.loss(np.zeros(5), np.array([[0, 3]]), [1.0])
    with pytest.raises(ValueError, match="integer"):
        mf.loss(np.zeros(5), np.array([[0.0, 1.0]]), [1.0])
    with pytest.raises(ValueError, match="empty batch"):
        mf.loss(np.zeros(5), np.zeros((0, 2), dtype=int), [])
    with pytest.raises(ValueError, match=r"forward takes one parameter vector"):
        mlp = models.MLP((2, 1))
        mlp.forward(np.zeros((2, 3)), X)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        models.MLP((2, 1)).init_params(42)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_diverged_parameters_give_inf_or_nan_quietly(name):
    model, X, y = problem(name)
    loss, grad = model.loss_and_gradient(np.full(model.dim, 1e200), X, y)  # warnings are errors
    assert not np.all(np.isfinite(np.append(grad, loss)))
