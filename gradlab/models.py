"""Models whose loss and gradient are written out by hand, vectorized over samples.

Every model is a small object holding its fixed configuration (sizes, activation, ``l2``) and
no trained state: the parameters are always passed in, as ONE flat vector, so that an optimizer
from :mod:`gradlab.optimizers` can move them like any other point.

=================================  ===================================================
:class:`LinearRegression`          mean squared error
:class:`LogisticRegression`        binary cross-entropy
:class:`SoftmaxRegression`         multiclass cross-entropy
:class:`MLP`                       a multilayer perceptron with backpropagation
:class:`MatrixFactorization`       squared error over the observed ratings
:class:`LinearAutoencoder`         reconstruction error (PCA by gradient descent)
=================================  ===================================================

Common methods (``params`` has shape ``(dim,)`` or ``(..., dim)``):

- ``loss(params, X, y) -> (...)``, ``gradient(params, X, y) -> (..., dim)``,
  ``loss_and_gradient(params, X, y)``;
- ``predict(params, X)``; ``init_params(rng) -> (dim,)``;
- ``shapes`` (name -> shape of each parameter block, in flat order), ``biases`` (the names
  of the bias blocks; the rest are weights), ``dim``, ``unflatten(params) -> dict`` and
  ``flatten(blocks) -> (..., dim)``.

How the leading axes are handled: :class:`LinearRegression` and :class:`LogisticRegression`
are vectorized over any leading axes (a whole ``(rows, cols, dim)`` grid in one call, which the
course uses to draw loss surfaces). The other models loop over the leading axes in Python, one
parameter vector at a time, so their code reads as the equations; that is quick for the few
trajectories an optimizer runs at once. ``MLP.loss`` alone stacks the parameter vectors into
batched matrix products, so a loss slice (see :mod:`gradlab.landscape`) is one fast call.

Losses average over samples, so a mini-batch loss is an unbiased estimate of the full loss;
the optional ``l2`` penalty ``l2 * sum(w ** 2)`` is added once (weights only, never biases).
Arithmetic that overflows (a diverging run) returns ``inf``/``nan`` without printing numpy
warnings; :func:`gradlab.runner.run` treats such values as divergence.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from gradlab.checks import check_int, check_nonnegative, check_rng

__all__ = [
    "BoundModel",
    "ForwardPass",
    "LinearAutoencoder",
    "LinearRegression",
    "LogisticRegression",
    "MLP",
    "MatrixFactorization",
    "SoftmaxRegression",
    "sigmoid",
]


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, computed without overflow.

    Written as ``exp(-log(1 + exp(-z)))`` with ``numpy.logaddexp``, which never overflows;
    for very negative ``z`` the result underflows quietly to 0.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


# ---------------------------------------------------------------------------------------------
# Checks shared by the models
# ---------------------------------------------------------------------------------------------


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be an array of numbers; got {type(value).__name__}"
        ) from None
    return array


class _Model:
    """Shared plumbing: flat parameter vectors, argument checks, looping over leading axes.

    A subclass sets ``shapes`` and writes ``_check_data`` and, for ONE parameter vector of
    shape ``(dim,)``, ``_loss_row``, ``_gradient_row`` and ``_loss_and_gradient_row`` (the
    last two built on one forward and one backward pass, written once); a fully vectorized
    subclass overrides ``_loss``, ``_gradient`` and ``_loss_and_gradient`` instead. Those work
    on checked arguments: the public methods check, then call them, and so does
    :class:`BoundModel`, which checks the data once for a loop of many small steps.
    """

    shapes: dict[str, tuple[int, ...]]
    # Names of the blocks that are biases (offsets added after a weight matrix); the others
    # are weights. The l2 penalty skips them, and so do gradlab.landscape's directions.
    biases: tuple[str, ...] = ()

    # -- flat vectors <-> named blocks ---------------------------------------------------------

    @property
    def dim(self) -> int:
        """Length of the flat parameter vector."""
        return sum(int(np.prod(shape)) for shape in self.shapes.values())

    def unflatten(self, params) -> dict[str, np.ndarray]:
        """Named parameter blocks (views into ``params``), leading axes kept.

        ``params`` of shape ``(..., dim)`` gives blocks of shape ``(..., *shape)``.
        """
        params = self._check_params(params)
        lead = params.shape[:-1]
        blocks, start = {}, 0
        for name, shape in self.shapes.items():
            size = int(np.prod(shape))
            blocks[name] = params[..., start : start + size].reshape(lead + shape)
            start += size
        return blocks

    def flatten(self, blocks) -> np.ndarray:
        """The flat vector ``(..., dim)`` holding the named ``blocks`` (inverse of unflatten)."""
        missing = set(self.shapes) - set(blocks)
        extra = set(blocks) - set(self.shapes)
        if missing or extra:
            raise ValueError(
                f"blocks must have exactly the keys {list(self.shapes)}; "
                f"missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        pieces, lead = [], None
        for name, shape in self.shapes.items():
            block = _as_float_array(name, blocks[name])
            if block.shape[block.ndim - len(shape) :] != shape or block.ndim < len(shape):
                raise ValueError(
                    f"block {name!r} must have shape (..., {', '.join(map(str, shape))}); "
                    f"got {block.shape}"
                )
            this_lead = block.shape[: block.ndim - len(shape)]
            if lead is not None and this_lead != lead:
                raise ValueError(
                    f"all blocks must share their leading axes; {name!r} has {this_lead}, "
                    f"the ones before it {lead}"
                )
            lead = this_lead
            pieces.append(block.reshape(this_lead + (-1,)))
        return np.concatenate(pieces, axis=-1)

    # -- argument checks -----------------------------------------------------------------------

    def _check_params(self, params) -> np.ndarray:
        params = _as_float_array("params", params)
        if params.ndim == 0 or params.shape[-1] != self.dim:
            raise ValueError(
                f"params must have shape (..., {self.dim}) for {self!r} "
                f"(one flat vector of {self.dim} parameters per row); got shape {params.shape}"
            )
        if params.size == 0:
            raise ValueError(f"params has shape {params.shape}: no parameter vectors to evaluate")
        return params

    def _check_X(self, X, n_columns: int, what: str = "features") -> np.ndarray:
        X = _as_float_array("X", X)
        if X.ndim != 2 or X.shape[1] != n_columns:
            raise ValueError(
                f"X must have shape (n_samples, {n_columns}) ({n_columns} {what}) "
                f"for {self!r}; got shape {X.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError("X has no samples (an empty batch); pass at least one row")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values")
        return X

    @staticmethod
    def _check_targets(y, n_samples: int) -> np.ndarray:
        y = _as_float_array("y", y)
        if y.shape != (n_samples,):
            raise ValueError(
                f"y must have shape ({n_samples},), one target per row of X; got {y.shape}"
            )
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
        return y

    @staticmethod
    def _check_labels(y, n_samples: int, n_classes: int) -> np.ndarray:
        y = np.asarray(y)
        if y.shape != (n_samples,):
            raise ValueError(
                f"y must have shape ({n_samples},), one label per row of X; got {y.shape}"
            )
        as_int = y.astype(np.int64) if y.dtype.kind in "iub" else None
        if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            as_int = y.astype(np.int64)
        if as_int is None or np.any(as_int < 0) or np.any(as_int >= n_classes):
            raise ValueError(f"y must hold integer labels 0..{n_classes - 1}")
        return as_int

    def _check_data(self, X, y):
        """``(X, y)`` checked and converted to what the arithmetic below works on."""
        raise NotImplementedError

    # -- the public computations ----------------------------------------------------------------

    def loss(self, params, X, y):
        """The loss at ``params``: a float for ``(dim,)``, an array ``(...)`` for ``(..., dim)``."""
        params = self._check_params(params)
        X, y = self._check_data(X, y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._loss(params, X, y)

    def gradient(self, params, X, y) -> np.ndarray:
        """The gradient of the loss with respect to the flat parameters, shape of ``params``."""
        params = self._check_params(params)
        X, y = self._check_data(X, y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._gradient(params, X, y)

    def loss_and_gradient(self, params, X, y):
        """``(loss, gradient)`` from one forward and one backward pass."""
        params = self._check_params(params)
        X, y = self._check_data(X, y)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._loss_and_gradient(params, X, y)

    def bind(self, X, y) -> BoundModel:
        """This model with the data ``X, y`` checked once, for a loop of many small steps.

        Returns
        -------
        BoundModel
            Its ``loss``, ``gradient`` and ``loss_and_gradient`` take the parameters and,
            optionally, the rows (samples) to use, and check nothing more.
        """
        return BoundModel(self, X, y)

    # -- the arithmetic, on checked arguments -----------------------------------------------------

    def _loss(self, params, X, y):
        if params.ndim == 1:
            return self._loss_row(params, X, y)
        rows = params.reshape(-1, self.dim)
        return np.array([self._loss_row(p, X, y) for p in rows]).reshape(params.shape[:-1])

    def _gradient(self, params, X, y):
        if params.ndim == 1:
            return self._gradient_row(params, X, y)
        rows = params.reshape(-1, self.dim)
        return np.array([self._gradient_row(p, X, y) for p in rows]).reshape(params.shape)

    def _loss_and_gradient(self, params, X, y):
        if params.ndim == 1:
            return self._loss_and_gradient_row(params, X, y)
        losses, grads = zip(
            *(self._loss_and_gradient_row(p, X, y) for p in params.reshape(-1, self.dim)),
            strict=True,
        )
        return (
            np.array(losses).reshape(params.shape[:-1]),
            np.array(grads).reshape(params.shape),
        )

    def _stacked_gradient(self, params, X, y):
        """The gradient of each row of ``params (m, dim)``: ``(m, dim)``, equal bit for bit to
        :meth:`_gradient` row by row. A model with a stacked backward pass overrides this."""
        return np.array([self._gradient_row(p, X, y) for p in params])

    def _stacked_losses(self, params, X, y):
        """The loss of each row of ``params (m, dim)``: ``(m,)``, equal bit for bit to
        :meth:`_loss` row by row. A model with a stacked forward pass overrides this."""
        return np.array([self._loss(p, X, y) for p in params], dtype=float)

    # -- named blocks of ONE flat vector known to be valid -------------------------------------

    def _unflatten_unchecked(self, params) -> dict[str, np.ndarray]:
        """:meth:`unflatten` for ONE flat float vector ``(dim,)`` that is known to be valid."""
        blocks, start = {}, 0
        for name, shape in self.shapes.items():
            size = math.prod(shape)
            blocks[name] = params[start : start + size].reshape(shape)
            start += size
        return blocks

    def _map_rows(self, function, params):
        """Apply ``function`` to each parameter vector and stack the results."""
        if params.ndim == 1:
            return function(params)
        results = [function(p) for p in params.reshape(-1, self.dim)]
        return np.array(results).reshape(params.shape[:-1] + np.shape(results[0]))

    def _l2_penalty(self, weights) -> float:
        return self.l2 * sum(np.sum(w**2) for w in weights)


class BoundModel:
    """A model and its data, checked once: the loss and gradient on all samples or on some rows.

    Made by ``model.bind(X, y)``, which checks ``X`` and ``y`` as the model's ``loss`` does.
    Its methods take ``params`` and, optionally, ``rows``, the indices of the samples to use (a
    mini-batch), and then run the model's arithmetic without any further check: in a loop of
    thousands of small steps, such as :func:`gradlab.training.train_network`, the checks would
    cost more than the step. Every result equals the model's checked method on the same
    samples bit for bit: ``bound.gradient(params, rows)`` is
    ``model.gradient(params, X[rows], y[rows])``.

    ``params`` must be a float array of shape ``(dim,)`` or ``(..., dim)`` and ``rows`` an
    integer index array (neither is checked). Unlike the checked methods these do not silence
    numpy's overflow warnings: a loop does that once, around many steps, with
    ``numpy.errstate``.

    Attributes
    ----------
    model
        The model.
    n_samples : int
        Number of samples in the data.

    Examples
    --------
    >>> model = LinearRegression(n_features=1)
    >>> X, y = np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0])
    >>> data = model.bind(X, y)
    >>> data.n_samples
    3
    >>> data.gradient(np.zeros(2), np.array([0, 2])).tolist()  # samples 0 and 2 only
    [-10.0, -6.0]
    >>> bool(np.array_equal(data.gradient(np.zeros(2)), model.gradient(np.zeros(2), X, y)))
    True
    """

    __slots__ = ("_X", "_y", "model", "n_samples")

    def __init__(self, model, X, y):
        self.model = model
        self._X, self._y = model._check_data(X, y)
        first = self._X[0] if isinstance(self._X, tuple) else self._X
        self.n_samples = len(first)

    def __repr__(self) -> str:
        return f"BoundModel({self.model!r}, n_samples={self.n_samples})"

    def _rows(self, rows):
        """The checked data, or its ``rows``; ``X`` may be a tuple of arrays, ``y`` None."""
        X, y = self._X, self._y
        if rows is None:
            return X, y
        X = tuple(a[rows] for a in X) if isinstance(X, tuple) else X[rows]
        return X, (None if y is None else y[rows])

    def loss(self, params, rows=None):
        """The loss at ``params`` on all samples, or on ``rows``."""
        X, y = self._rows(rows)
        return self.model._loss(params, X, y)

    def gradient(self, params, rows=None) -> np.ndarray:
        """The gradient at ``params`` on all samples, or on ``rows``."""
        X, y = self._rows(rows)
        return self.model._gradient(params, X, y)

    def loss_and_gradient(self, params, rows=None):
        """``(loss, gradient)`` at ``params`` on all samples, or on ``rows``."""
        X, y = self._rows(rows)
        return self.model._loss_and_gradient(params, X, y)

    def stacked_gradient(self, params, rows=None) -> np.ndarray:
        """The gradient of every row of ``params (m, dim)`` on all samples or on ``rows``.

        One stacked pass where the model has one (every row's numbers equal
        :meth:`gradient` of that row alone, bit for bit): many runs of one training loop
        (:func:`gradlab.training.train_networks`) cost little more than one.
        """
        X, y = self._rows(rows)
        return self.model._stacked_gradient(params, X, y)

    def stacked_losses(self, params, rows=None) -> np.ndarray:
        """The loss ``(m,)`` of every row of ``params (m, dim)``, as :meth:`loss` row by row."""
        X, y = self._rows(rows)
        return self.model._stacked_losses(params, X, y)


# ---------------------------------------------------------------------------------------------
# Linear and logistic regression: vectorized over any leading axes
# ---------------------------------------------------------------------------------------------


class LinearRegression(_Model):
    r"""Least squares: ``y_hat = X @ w + b``, loss = mean squared error.

    .. math::

        L(w, b) = \frac{1}{N} \sum_i (x_i \cdot w + b - y_i)^2 + \lambda \lVert w \rVert^2,
        \qquad
        \frac{\partial L}{\partial w} = \frac{2}{N} X^\top r + 2 \lambda w,
        \quad
        \frac{\partial L}{\partial b} = \frac{2}{N} \sum_i r_i

    with residuals ``r = X @ w + b - y``. The flat parameters are ``(w_1, ..., w_d, b)``: with
    one feature, ``(w, b)``, the two axes of the loss surface the course draws.

    Parameters
    ----------
    n_features : int
    l2 : float
        Weight of the penalty ``l2 * sum(w ** 2)`` (ridge regression); the bias is not penalized.

    Notes
    -----
    Vectorized over any leading axes of ``params``: a grid ``(rows, cols, 2)`` of ``(w, b)``
    gives losses ``(rows, cols)`` in one call.

    Examples
    --------
    >>> model = LinearRegression(n_features=1)
    >>> X, y = np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0])
    >>> float(model.loss(np.array([2.0, 1.0]), X, y))        # y = 2x + 1 exactly
    0.0
    >>> model.gradient(np.array([0.0, 0.0]), X, y).tolist()  # (2/3) * [-13, -9]
    [-8.666666666666666, -6.0]
    """

    def __init__(self, n_features: int = 1, *, l2: float = 0.0):
        self.n_features = check_int("n_features", n_features)
        self.l2 = check_nonnegative("l2", l2)
        self.shapes = {"w": (self.n_features,), "b": ()}
        self.biases = ("b",)

    def __repr__(self) -> str:
        return f"LinearRegression(n_features={self.n_features}, l2={self.l2})"

    def _check_data(self, X, y):
        X = self._check_X(X, self.n_features)
        return X, self._check_targets(y, X.shape[0])

    def init_params(self, rng: np.random.Generator) -> np.ndarray:
        """Small random weights (standard deviation 0.1) and a zero bias."""
        rng = check_rng(rng)
        return np.append(0.1 * rng.standard_normal(self.n_features), 0.0)

    def _residuals(self, params, X, y):
        w, b = params[..., :-1], params[..., -1]
        return np.einsum("nd,...d->...n", X, w) + b[..., None] - y  # (..., n_samples)

    def _loss(self, params, X, y):
        r = self._residuals(params, X, y)
        w = params[..., :-1]
        return np.mean(r**2, axis=-1) + self.l2 * np.sum(w**2, axis=-1)

    def _loss_and_gradient(self, params, X, y):
        n = X.shape[0]
        r = self._residuals(params, X, y)
        w = params[..., :-1]
        loss = np.mean(r**2, axis=-1) + self.l2 * np.sum(w**2, axis=-1)
        grad_w = (2.0 / n) * np.einsum("...n,nd->...d", r, X) + 2.0 * self.l2 * w
        grad_b = (2.0 / n) * np.sum(r, axis=-1)
        return loss, np.concatenate([grad_w, grad_b[..., None]], axis=-1)

    def _gradient(self, params, X, y):
        return self._loss_and_gradient(params, X, y)[1]

    def predict(self, params, X) -> np.ndarray:
        """Predictions ``X @ w + b``, shape ``(..., n_samples)``."""
        params = self._check_params(params)
        X = self._check_X(X, self.n_features)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.einsum("nd,...d->...n", X, params[..., :-1]) + params[..., -1:]


class LogisticRegression(_Model):
    r"""Binary classification: ``p = sigmoid(X @ w + b)``, loss = mean cross-entropy.

    .. math::

        L = \frac{1}{N} \sum_i \bigl[\log(1 + e^{z_i}) - y_i z_i\bigr] + \lambda \lVert w \rVert^2,
        \qquad z = X w + b,
        \qquad \nabla_w L = \frac{1}{N} X^\top (\sigma(z) - y) + 2 \lambda w

    This is ``-[y log p + (1 - y) log(1 - p)]`` rewritten so that it is computed with
    ``numpy.logaddexp`` and never takes the log of 0. Flat parameters ``(w_1, ..., w_d, b)``;
    labels ``y`` are 0 or 1. Vectorized over any leading axes of ``params``.

    Examples
    --------
    >>> model = LogisticRegression(n_features=2)
    >>> X, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1, 0])
    >>> bool(np.isclose(model.loss(np.zeros(3), X, y), np.log(2)))  # p = 1/2 everywhere
    True
    """

    def __init__(self, n_features: int = 2, *, l2: float = 0.0):
        self.n_features = check_int("n_features", n_features)
        self.l2 = check_nonnegative("l2", l2)
        self.shapes = {"w": (self.n_features,), "b": ()}
        self.biases = ("b",)

    def __repr__(self) -> str:
        return f"LogisticRegression(n_features={self.n_features}, l2={self.l2})"

    def _check_data(self, X, y):
        X = self._check_X(X, self.n_features)
        return X, self._check_labels(y, X.shape[0], 2).astype(float)

    def init_params(self, rng: np.random.Generator) -> np.ndarray:
        """Small random weights (standard deviation 0.1) and a zero bias."""
        rng = check_rng(rng)
        return np.append(0.1 * rng.standard_normal(self.n_features), 0.0)

    @staticmethod
    def _logits(params, X):
        return np.einsum("nd,...d->...n", X, params[..., :-1]) + params[..., -1:]

    def _loss(self, params, X, y):
        z = self._logits(params, X)
        w = params[..., :-1]
        return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1) + self.l2 * np.sum(w**2, axis=-1)

    def _loss_and_gradient(self, params, X, y):
        n = X.shape[0]
        z = self._logits(params, X)
        w = params[..., :-1]
        loss = np.mean(np.logaddexp(0.0, z) - y * z, axis=-1) + self.l2 * np.sum(w**2, axis=-1)
        dz = (sigmoid(z) - y) / n  # dL/dz_i
        grad_w = np.einsum("...n,nd->...d", dz, X) + 2.0 * self.l2 * w
        grad_b = np.sum(dz, axis=-1)
        return loss, np.concatenate([grad_w, grad_b[..., None]], axis=-1)

    def _gradient(self, params, X, y):
        return self._loss_and_gradient(params, X, y)[1]

    def predict_proba(self, params, X) -> np.ndarray:
        """Probability of class 1 for each sample, shape ``(..., n_samples)``."""
        params = self._check_params(params)
        X = self._check_X(X, self.n_features)
        with np.errstate(over="ignore", invalid="ignore"):
            return sigmoid(self._logits(params, X))

    def predict(self, params, X) -> np.ndarray:
        """Predicted labels (1 where the probability exceeds 1/2), shape ``(..., n_samples)``."""
        return (self.predict_proba(params, X) > 0.5).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Softmax regression
# ---------------------------------------------------------------------------------------------


def _log_softmax(z):
    """``log softmax`` along the last axis, with the maximum subtracted first (no overflow)."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


class SoftmaxRegression(_Model):
    r"""Multiclass classification: ``P = softmax(X @ W + b)``, loss = mean cross-entropy.

    .. math::

        L = -\frac{1}{N} \sum_i \log P_{i, y_i} + \lambda \lVert W \rVert^2,
        \qquad
        \nabla_W L = \frac{1}{N} X^\top (P - Y) + 2 \lambda W,
        \quad
        \nabla_b L = \frac{1}{N} \sum_i (P_i - Y_i)

    with ``Y`` the one-hot labels. The log-softmax subtracts each row's maximum before
    exponentiating, so large logits do not overflow.

    Parameters
    ----------
    n_features, n_classes : int
    l2 : float
        Weight of ``l2 * sum(W ** 2)``.

    Notes
    -----
    Flat parameters: ``concat(W.ravel(), b)`` with ``W (n_features, n_classes)``;
    ``unflatten`` gives ``{"W": ..., "b": ...}``. Leading axes of ``params`` are looped over.

    Examples
    --------
    >>> model = SoftmaxRegression(n_features=2, n_classes=3)
    >>> model.dim, model.shapes
    (9, {'W': (2, 3), 'b': (3,)})
    >>> X, y = np.array([[1.0, 2.0]]), np.array([2])
    >>> bool(np.isclose(model.loss(np.zeros(9), X, y), np.log(3)))  # uniform prediction
    True
    """

    def __init__(self, n_features: int, n_classes: int, *, l2: float = 0.0):
        self.n_features = check_int("n_features", n_features)
        self.n_classes = check_int("n_classes", n_classes, minimum=2)
        self.l2 = check_nonnegative("l2", l2)
        self.shapes = {"W": (self.n_features, self.n_classes), "b": (self.n_classes,)}
        self.biases = ("b",)

    def __repr__(self) -> str:
        return (
            f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes}, "
            f"l2={self.l2})"
        )

    def _check_data(self, X, y):
        X = self._check_X(X, self.n_features)
        return X, self._check_labels(y, X.shape[0], self.n_classes)

    def init_params(self, rng: np.random.Generator) -> np.ndarray:
        """Small random weights (standard deviation 0.01) and zero biases."""
        rng = check_rng(rng)
        W = 0.01 * rng.standard_normal((self.n_features, self.n_classes))
        return self.flatten({"W": W, "b": np.zeros(self.n_classes)})

    def _forward(self, params, X):
        """``(W, log P)`` for one parameter vector: the weights and the log-probabilities."""
        blocks = self._unflatten_unchecked(params)
        W = blocks["W"]
        return W, _log_softmax(X @ W + blocks["b"])

    def _loss_from(self, W, log_p, y):
        return -np.mean(log_p[np.arange(len(y)), y]) + self._l2_penalty([W])

    def _backward(self, W, X, log_p, y):
        """The flat gradient from the forward pass."""
        n = X.shape[0]
        dz = np.exp(log_p)  # P; dL/dz = (P - Y) / N
        dz[np.arange(n), y] -= 1.0
        dz /= n
        grad_W = X.T @ dz + 2.0 * self.l2 * W
        grad_b = dz.sum(axis=0)
        return np.concatenate([grad_W.ravel(), grad_b])

    def _loss_row(self, params, X, y):
        W, log_p = self._forward(params, X)
        return self._loss_from(W, log_p, y)

    def _gradient_row(self, params, X, y):
        W, log_p = self._forward(params, X)
        return self._backward(W, X, log_p, y)

    def _loss_and_gradient_row(self, params, X, y):
        W, log_p = self._forward(params, X)
        return self._loss_from(W, log_p, y), self._backward(W, X, log_p, y)

    # The same forward and backward passes for m parameter vectors at once (batched matrix
    # products, one row's numbers equal to the row code above bit for bit).
    def _stacked_forward(self, params, X):
        m, (n_in, n_out) = len(params), self.shapes["W"]
        W = params[:, : n_in * n_out].reshape(m, n_in, n_out)
        return W, _log_softmax(X @ W + params[:, n_in * n_out :][:, None, :])

    def _stacked_losses(self, params, X, y):
        W, log_p = self._stacked_forward(params, X)
        picked = np.ascontiguousarray(log_p[:, np.arange(len(y)), y])  # as the row code adds
        return -np.mean(picked, axis=-1) + self.l2 * (
            0 + np.sum(W**2, axis=(1, 2)))

    def _stacked_gradient(self, params, X, y):
        W, log_p = self._stacked_forward(params, X)
        n = X.shape[0]
        dz = np.exp(log_p)
        dz[:, np.arange(n), y] -= 1.0
        dz /= n
        grad_W = X.T @ dz + 2.0 * self.l2 * W
        return np.concatenate([grad_W.reshape(len(params), -1), dz.sum(axis=1)], axis=1)

    def predict_proba(self, params, X) -> np.ndarray:
        """Class probabilities, shape ``(..., n_samples, n_classes)``."""
        params = self._check_params(params)
        X = self._check_X(X, self.n_features)
        blocks = self.unflatten(params)
        with np.errstate(over="ignore", invalid="ignore"):
            logits = np.einsum("nd,...dk->...nk", X, blocks["W"]) + blocks["b"][..., None, :]
            return np.exp(_log_softmax(logits))

    def predict(self, params, X) -> np.ndarray:
        """The most probable class, shape ``(..., n_samples)``."""
        return np.argmax(self.predict_proba(params, X), axis=-1)


# ---------------------------------------------------------------------------------------------
# Multilayer perceptron
# ---------------------------------------------------------------------------------------------


def _relu_derivative(z, a):
    return (z > 0).astype(float)


# name -> (activation a = f(z), derivative f'(z) given z and a)
_ACTIVATIONS = {
    "tanh": (np.tanh, lambda z, a: 1.0 - a**2),
    "relu": (lambda z: np.maximum(z, 0.0), _relu_derivative),
    "sigmoid": (sigmoid, lambda z, a: a * (1.0 - a)),
}

_OUTPUTS = ("sigmoid", "softmax", "identity")


class ForwardPass(NamedTuple):
    """What the forward pass keeps for the backward pass.

    ``pre_activations[l]`` is ``z`` of layer ``l + 1`` and ``activations[l]`` its input
    ``a``: ``activations[0]`` is ``X``, ``activations[-1]`` is the network output (after the
    output function: probabilities or values).
    """

    pre_activations: list
    activations: list


class MLP(_Model):
    r"""A multilayer perceptron, with backpropagation written out one layer at a time.

    Layer ``l`` (``l = 1 .. L``) computes ``z_l = a_{l-1} @ W_l + b_l`` and ``a_l = f(z_l)``,
    with ``a_0 = X``, ``f`` the hidden ``activation`` and, on the last layer, the ``output``
    function paired with its loss:

    ============  ==========================  ===================================
    ``output``    last layer size             loss
    ============  ==========================  ===================================
    "sigmoid"     1                           binary cross-entropy, labels 0 / 1
    "softmax"     number of classes (>= 2)    cross-entropy, integer labels
    "identity"    any                         squared error summed over outputs
    ============  ==========================  ===================================

    All three losses are averaged over samples and have the same output error
    ``dL/dz_L = (a_L - Y) / N`` (``Y`` one-hot for softmax; times 2 for the squared error),
    which is why these pairs are used. Backpropagation then runs, for ``l = L .. 1``:

    .. math::

        \frac{\partial L}{\partial W_l} = a_{l-1}^\top \delta_l + 2 \lambda W_l, \quad
        \frac{\partial L}{\partial b_l} = \textstyle\sum_i \delta_{l,i}, \quad
        \frac{\partial L}{\partial a_{l-1}} = \delta_l W_l^\top, \quad
        \delta_{l-1} = \frac{\partial L}{\partial a_{l-1}} \odot f'(z_{l-1})

    with ``delta_l = dL/dz_l``. :meth:`forward` and :meth:`backward` are public so a notebook
    can show each step.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_inputs, hidden_1, ..., n_outputs)``, at least two entries.
    activation : {"tanh", "relu", "sigmoid"}
        Hidden-layer activation.
    output : {"sigmoid", "softmax", "identity"}
        Output function and, with it, the loss (table above).
    l2 : float
        Weight of ``l2 * sum over layers of sum(W_l ** 2)``; biases are not penalized.

    Notes
    -----
    Flat parameters: ``W1.ravel(), b1, W2.ravel(), b2, ...`` with ``W_l`` of shape
    ``(layer_sizes[l-1], layer_sizes[l])``; ``unflatten`` names them ``"W1", "b1", ...``.
    For the gradient, leading axes of ``params`` are looped over in Python (one readable
    forward and backward pass each); :meth:`loss` alone stacks them into batched matrix
    products, so a whole loss surface costs one call.
    The sigmoid cross-entropy is computed from the logit ``z`` as
    ``logaddexp(0, z) - y z`` and the softmax one with the maximum subtracted, so neither
    overflows nor takes ``log(0)``.

    Examples
    --------
    >>> model = MLP((2, 3, 1), activation="tanh", output="sigmoid")
    >>> model.dim, list(model.shapes)
    (13, ['W1', 'b1', 'W2', 'b2'])
    >>> params = model.init_params(np.random.default_rng(0))
    >>> model.predict_proba(params, np.zeros((4, 2))).shape
    (4,)
    """

    def __init__(
        self,
        layer_sizes,
        *,
        activation: str = "tanh",
        output: str = "sigmoid",
        l2: float = 0.0,
    ):
        try:
            sizes = tuple(layer_sizes)
        except TypeError:
            raise ValueError(
                f"layer_sizes must be a sequence of integers such as (2, 16, 1); "
                f"got {layer_sizes!r}"
            ) from None
        if len(sizes) < 2:
            raise ValueError(
                f"layer_sizes needs at least an input and an output size; got {layer_sizes!r}"
            )
        self.layer_sizes = tuple(
            check_int(f"layer_sizes[{i}]", size) for i, size in enumerate(sizes)
        )
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}"
            )
        if output not in _OUTPUTS:
            raise ValueError(f"output must be one of {list(_OUTPUTS)}; got {output!r}")
        n_out = self.layer_sizes[-1]
        if output == "sigmoid" and n_out != 1:
            raise ValueError(
                f"output='sigmoid' (binary classification) needs a last layer of size 1; "
                f"layer_sizes ends with {n_out}"
            )
        if output == "softmax" and n_out < 2:
            raise ValueError(
                "output='softmax' needs a last layer with one unit per class (at least 2); "
                f"layer_sizes ends with {n_out}"
            )
        self.activation = activation
        self.output = output
        self.l2 = check_nonnegative("l2", l2)
        self.n_layers = len(self.layer_sizes) - 1
        self.shapes = {}
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            self.shapes[f"W{l}"] = (n_in, n_out)
            self.shapes[f"b{l}"] = (n_out,)
        self.biases = tuple(f"b{l}" for l in range(1, self.n_layers + 1))
        self._layer_names = tuple((f"W{l}", f"b{l}") for l in range(1, self.n_layers + 1))

    def __repr__(self) -> str:
        return (
            f"MLP({self.layer_sizes}, activation={self.activation!r}, "
            f"output={self.output!r}, l2={self.l2})"
        )

    def layers(self, params) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(W1, b1), (W2, b2), ...]`` for one flat parameter vector."""
        blocks = self.unflatten(params)
        return [(blocks[f"W{l}"], blocks[f"b{l}"]) for l in range(1, self.n_layers + 1)]

    def _layers(self, params) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`layers` of ONE flat float vector known to be valid (nothing checked)."""
        blocks = self._unflatten_unchecked(params)
        return [(blocks[w], blocks[b]) for w, b in self._layer_names]

    def _check_data(self, X, y):
        X = self._check_X(X, self.layer_sizes[0], what="inputs")
        n, n_out = X.shape[0], self.layer_sizes[-1]
        if self.output == "sigmoid":
            return X, self._check_labels(y, n, 2).astype(float)
        if self.output == "softmax":
            return X, self._check_labels(y, n, n_out)
        y = _as_float_array("y", y)
        if n_out == 1 and y.shape == (n,):
            y = y[:, None]
        if y.shape != (n, n_out):
            expected = f"({n},) or ({n}, 1)" if n_out == 1 else f"({n}, {n_out})"
            raise ValueError(f"y must have shape {expected}, one target per row; got {y.shape}")
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
        return X, y

    def init_params(self, rng: np.random.Generator) -> np.ndarray:
        """Random weights, zero biases.

        ``W_l`` is drawn with standard deviation ``gain / sqrt(fan_in)``, ``gain = sqrt(2)`` for
        ReLU (He et al., 2015) and 1 for tanh and sigmoid (LeCun et al., 1998), so the signal
        neither dies nor explodes through the layers at the start.
        """
        rng = check_rng(rng)
        gain = np.sqrt(2.0) if self.activation == "relu" else 1.0
        blocks = {}
        for l in range(1, self.n_layers + 1):
            n_in, n_out = self.shapes[f"W{l}"]
            blocks[f"W{l}"] = gain / np.sqrt(n_in) * rng.standard_normal((n_in, n_out))
            blocks[f"b{l}"] = np.zeros(n_out)
        return self.flatten(blocks)

    # -- forward and backward, one parameter vector ------------------------------------------

    def forward(self, params, X) -> ForwardPass:
        """Run the network on ``X`` for ONE parameter vector ``(dim,)``, keeping every ``z``, ``a``.

        Returns
        -------
        ForwardPass
            ``pre_activations = [z_1, ..., z_L]``, ``activations = [a_0 = X, a_1, ..., a_L]``.
        """
        params = self._check_params(params)
        if params.ndim != 1:
            raise ValueError(
                f"forward takes one parameter vector of shape ({self.dim},); "
                f"got shape {params.shape}"
            )
        X = self._check_X(X, self.layer_sizes[0], what="inputs")
        with np.errstate(over="ignore", invalid="ignore"):
            return self._forward(self._layers(params), X)

    def _forward(self, layers, X) -> ForwardPass:
        """The forward pass through ``layers`` (from :meth:`_layers`); nothing checked."""
        hidden, _ = _ACTIVATIONS[self.activation]
        zs, activations = [], [X]
        for l, (W, b) in enumerate(layers, start=1):
            z = activations[-1] @ W + b  # z_l = a_{l-1} W_l + b_l
            a = hidden(z) if l < self.n_layers else self._output_function(z)
            zs.append(z)
            activations.append(a)
        return ForwardPass(zs, activations)

    def _output_function(self, z):
        if self.output == "sigmoid":
            return sigmoid(z)
        if self.output == "softmax":
            return np.exp(_log_softmax(z))
        return z

    def _data_loss(self, z_out, y):
        """Loss from the output logits ``z_L (..., n_samples, n_out)`` (stable forms)."""
        if self.output == "sigmoid":
            z = z_out[..., 0]
            return np.mean(np.logaddexp(0.0, z) - y * z, axis=-1)
        if self.output == "softmax":
            log_p = _log_softmax(z_out)
            # Contiguous, so that the mean adds in the same order for one vector or many.
            return -np.mean(np.ascontiguousarray(log_p[..., np.arange(len(y)), y]), axis=-1)
        return np.mean(np.sum((z_out - y) ** 2, axis=-1), axis=-1)

    def backward(self, params, cache: ForwardPass, y) -> dict[str, np.ndarray]:
        """Gradients ``{"W1": dL/dW1, "b1": dL/db1, ...}`` from a :meth:`forward` pass.

        ``y`` are the targets of the samples the forward pass saw (already checked by the
        public methods; call :meth:`gradient` if you do not need the intermediate steps).
        """
        params = self._check_params(params)
        if params.ndim != 1:
            raise ValueError(
                f"backward takes one parameter vector of shape ({self.dim},); "
                f"got shape {params.shape}"
            )
        X = cache.activations[0]
        _, y = self._check_data(X, y)
        with np.errstate(over="ignore", invalid="ignore"):
            grads = self._backward(self._layers(params), cache, y)
        blocks = {}
        for l in range(self.n_layers, 0, -1):  # last layer first, as backpropagation runs
            blocks[f"W{l}"], blocks[f"b{l}"] = grads[l - 1]
        return blocks

    def _backward(self, layers, cache: ForwardPass, y) -> list[tuple[np.ndarray, np.ndarray]]:
        """Backpropagation through ``layers`` from a forward pass; nothing checked.

        Returns ``[(dL/dW_1, dL/db_1), ..., (dL/dW_L, dL/db_L)]``.
        """
        _, derivative = _ACTIVATIONS[self.activation]
        zs, activations = cache
        n = activations[0].shape[0]
        output = activations[-1]
        # Output error delta_L = dL/dz_L for the matched output function and loss.
        if self.output == "sigmoid":
            delta = (output - y[:, None]) / n
        elif self.output == "softmax":
            delta = output.copy()
            delta[np.arange(n), y] -= 1.0
            delta /= n
        else:
            delta = 2.0 * (output - y) / n
        grads = [None] * self.n_layers
        for l in range(self.n_layers, 0, -1):
            W, _ = layers[l - 1]
            grads[l - 1] = (
                activations[l - 1].T @ delta + 2.0 * self.l2 * W,  # dL/dW_l
                delta.sum(axis=0),  # dL/db_l
            )
            if l > 1:
                grad_a = delta @ W.T  # dL/da_{l-1}
                delta = grad_a * derivative(zs[l - 2], activations[l - 1])  # dL/dz_{l-1}
        return grads

    @staticmethod
    def _flat_gradient(grads) -> np.ndarray:
        """The flat gradient ``(dim,)`` from :meth:`_backward`'s per-layer pairs."""
        return np.concatenate([piece for dW, db in grads for piece in (dW.ravel(), db)])

    def _loss(self, params, X, y):
        # The loss alone (a loss surface, a line search) needs no backward pass, so it runs
        # many parameter vectors through the network at once, in chunks that bound memory.
        rows = params.reshape(-1, self.dim)
        chunk = max(1, 2**20 // (X.shape[0] * max(self.layer_sizes)))
        losses = np.concatenate(
            [self._stacked_loss(rows[i : i + chunk], X, y) for i in range(0, len(rows), chunk)]
        )
        return losses[0] if params.ndim == 1 else losses.reshape(params.shape[:-1])

    def _stacked_loss(self, params, X, y):
        """Losses ``(m,)`` for ``m`` parameter vectors ``(m, dim)``: the forward pass, stacked."""
        hidden, _ = _ACTIVATIONS[self.activation]
        blocks = self.unflatten(params)
        a, penalty = X, 0.0
        for l in range(1, self.n_layers + 1):
            W, b = blocks[f"W{l}"], blocks[f"b{l}"]  # (m, n_in, n_out), (m, n_out)
            z = a @ W + b[:, None, :]  # (m, n_samples, n_out)
            a = hidden(z) if l < self.n_layers else z
            penalty = penalty + self.l2 * np.sum(W**2, axis=(1, 2))
        return self._data_loss(a, y) + penalty

    def _gradient_row(self, params, X, y):
        layers = self._layers(params)
        return self._flat_gradient(self._backward(layers, self._forward(layers, X), y))

    def _loss_and_gradient_row(self, params, X, y):
        layers = self._layers(params)
        cache = self._forward(layers, X)
        weights = [W for W, _ in layers]
        loss = self._data_loss(cache.pre_activations[-1], y) + self._l2_penalty(weights)
        return loss, self._flat_gradient(self._backward(layers, cache, y))

    def _stacked_losses(self, params, X, y):
        return self._loss(params, X, y)

    def _stacked_gradient(self, params, X, y):
        """:meth:`_forward` and :meth:`_backward` for m vectors ``(m, dim)`` at once, as
        batched matrix products: each row's numbers equal the row code's bit for bit."""
        hidden, derivative = _ACTIVATIONS[self.activation]
        blocks = self.unflatten(params)
        layers = [(blocks[w], blocks[b]) for w, b in self._layer_names]
        zs, activations = [], [X]
        for l, (W, b) in enumerate(layers, start=1):
            z = activations[-1] @ W + b[:, None, :]
            zs.append(z)
            activations.append(hidden(z) if l < self.n_layers else self._output_function(z))
        n, output = X.shape[0], activations[-1]
        if self.output == "sigmoid":
            delta = (output - y[:, None]) / n
        elif self.output == "softmax":
            delta = output.copy()
            delta[:, np.arange(n), y] -= 1.0
            delta /= n
        else:
            delta = 2.0 * (output - y) / n
        pieces = [None] * self.n_layers
        for l in range(self.n_layers, 0, -1):
            W, _ = layers[l - 1]
            dW = np.swapaxes(activations[l - 1], -1, -2) @ delta + 2.0 * self.l2 * W
            pieces[l - 1] = (dW.reshape(len(params), -1), delta.sum(axis=-2))
            if l > 1:
                delta = (delta @ np.swapaxes(W, -1, -2)) * derivative(zs[l - 2],
                                                                       activations[l - 1])
        return np.concatenate([piece for pair in pieces for piece in pair], axis=1)

    # -- predictions ---------------------------------------------------------------------------

    def predict_proba(self, params, X) -> np.ndarray:
        """Network output after the output function.

        Shape ``(..., n_samples)`` for a single output unit, ``(..., n_samples, n_outputs)``
        otherwise: probabilities of class 1 (sigmoid), class probabilities (softmax), or the
        predicted values (identity).
        """
        params = self._check_params(params)
        X = self._check_X(X, self.layer_sizes[0], what="inputs")

        def one(p):
            out = self._forward(self._layers(p), X).activations[-1]
            return out[:, 0] if out.shape[1] == 1 else out

        with np.errstate(over="ignore", invalid="ignore"):
            return self._map_rows(one, params)

    def predict(self, params, X) -> np.ndarray:
        """Labels for classification (sigmoid: probability > 1/2; softmax: argmax), values else."""
        out = self.predict_proba(params, X)
        if self.output == "sigmoid":
            return (out > 0.5).astype(np.int64)
        if self.output == "softmax":
            return np.argmax(out, axis=-1)
        return out


# ---------------------------------------------------------------------------------------------
# Matrix factorization
# ---------------------------------------------------------------------------------------------


class MatrixFactorization(_Model):
    r"""Fit a ratings matrix as ``U @ V.T`` from its observed entries.

    The data are the observed entries: ``X (n, 2)`` holds integer ``(user, item)`` positions and
    ``y (n,)`` the ratings (see :func:`gradlab.data.ratings`). With ``e_k = u_{i_k} \cdot
    v_{j_k} - y_k``:

    .. math::

        L = \frac{1}{n} \sum_k e_k^2 + \lambda (\lVert U \rVert^2 + \lVert V \rVert^2),
        \qquad
        \frac{\partial L}{\partial u_i} = \frac{2}{n} \sum_{k: i_k = i} e_k v_{j_k}
        + 2 \lambda u_i

    and symmetrically for ``v_j``. Passing a subset of the observed entries gives the
    stochastic gradient for SGD: the mean over the subset is an unbiased estimate of the mean
    over all of them, and the penalty is counted once, as in the full loss.

    Parameters
    ----------
    n_users, n_items, rank : int
    l2 : float

    Notes
    -----
    Flat parameters: ``concat(U.ravel(), V.ravel())`` with ``U (n_users, rank)`` and
    ``V (n_items, rank)``. Leading axes of ``params`` are looped over.

    Examples
    --------
    >>> model = MatrixFactorization(n_users=2, n_items=3, rank=1)
    >>> params = model.flatten({"U": [[1.0], [2.0]], "V": [[1.0], [0.0], [-1.0]]})
    >>> model.full_matrix(params).tolist()
    [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0]]
    >>> float(model.loss(params, np.array([[1, 2]]), np.array([-2.0])))
    0.0
    """

    def __init__(self, n_users: int, n_items: int, rank: int, *, l2: float = 0.0):
        self.n_users = check_int("n_users", n_users)
        self.n_items = check_int("n_items", n_items)
        self.rank = check_int("rank", rank)
        self.l2 = check_nonnegative("l2", l2)
        self.shapes = {"U": (self.n_users, self.rank), "V": (self.n_items, self.rank)}

    def __repr__(self) -> str:
        return (
            f"MatrixFactorization(n_users={self.n_users}, n_items={self.n_items}, "
            f"rank={self.rank}, l2={self.l2})"
        )

    def _check_positions(self, X) -> tuple[np.ndarray, np.ndarray]:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(
                f"X must have shape (n, 2): one (user, item) position per observed rating; "
                f"got shape {X.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError("X has no ratings (an empty batch); pass at least one row")
        if X.dtype.kind not in "iu":
            raise ValueError(f"X must hold integer (user, item) positions; got dtype {X.dtype}")
        users, items = X[:, 0], X[:, 1]
        if np.any(users < 0) or np.any(users >= self.n_users):
            raise ValueError(f"user indices (X[:, 0]) must lie in 0..{self.n_users - 1}")
        if np.any(items < 0) or np.any(items >= self.n_items):
            raise ValueError(f"item indices (X[:, 1]) must lie in 0..{self.n_items - 1}")
        return users, items

    def _check_data(self, X, y):
        users, items = self._check_positions(X)
        return (users, items), self._check_targets(y, len(users))

    def init_params(self, rng: np.random.Generator, scale: float = 0.1) -> np.ndarray:
        """Factors drawn with standard deviation ``scale`` (small, but not zero: at ``U = V = 0``
        the gradient vanishes and descent would never start)."""
        rng = check_rng(rng)
        return scale * rng.standard_normal(self.dim)

    def _forward(self, params, X, y):
        """``(U, V, errors)`` for one parameter vector: the factors and ``e_k``."""
        (users, items), blocks = X, self._unflatten_unchecked(params)
        U, V = blocks["U"], blocks["V"]
        return U, V, np.sum(U[users] * V[items], axis=1) - y  # e_k

    def _loss_from(self, U, V, errors):
        return np.mean(errors**2) + self._l2_penalty([U, V])

    def _backward(self, U, V, X, errors):
        """The flat gradient from the forward pass."""
        users, items = X
        n = len(errors)
        grad_U = 2.0 * self.l2 * U
        grad_V = 2.0 * self.l2 * V
        # A user (item) rated several times collects one term per rating: add.at sums them.
        np.add.at(grad_U, users, (2.0 / n) * errors[:, None] * V[items])
        np.add.at(grad_V, items, (2.0 / n) * errors[:, None] * U[users])
        return np.concatenate([grad_U.ravel(), grad_V.ravel()])

    def _loss_row(self, params, X, y):
        return self._loss_from(*self._forward(params, X, y))

    def _gradient_row(self, params, X, y):
        U, V, errors = self._forward(params, X, y)
        return self._backward(U, V, X, errors)

    def _loss_and_gradient_row(self, params, X, y):
        U, V, errors = self._forward(params, X, y)
        return self._loss_from(U, V, errors), self._backward(U, V, X, errors)

    # The row code above for m parameter vectors at once; each row's numbers are equal bit for
    # bit (np.add.at adds a repeated user's terms in the same order).
    def _stacked_forward(self, params, X, y):
        (users, items), m = X, len(params)
        U = params[:, : self.n_users * self.rank].reshape(m, self.n_users, self.rank)
        V = params[:, self.n_users * self.rank :].reshape(m, self.n_items, self.rank)
        # Contiguous errors: a mean over samples then adds as the row code does.
        return U, V, np.ascontiguousarray(np.sum(U[:, users] * V[:, items], axis=2) - y)

    def _stacked_losses(self, params, X, y):
        U, V, errors = self._stacked_forward(params, X, y)
        return np.mean(errors**2, axis=-1) + self.l2 * (
            0 + np.sum(U**2, axis=(1, 2)) + np.sum(V**2, axis=(1, 2)))

    def _stacked_gradient(self, params, X, y):
        U, V, errors = self._stacked_forward(params, X, y)
        (users, items), n = X, errors.shape[1]
        # Users (items) on the first axis, so that add.at takes one index array.
        grad_U = np.ascontiguousarray(np.swapaxes(2.0 * self.l2 * U, 0, 1))
        grad_V = np.ascontiguousarray(np.swapaxes(2.0 * self.l2 * V, 0, 1))
        scaled = (2.0 / n) * errors[:, :, None]
        np.add.at(grad_U, users, np.swapaxes(scaled * V[:, items], 0, 1))
        np.add.at(grad_V, items, np.swapaxes(scaled * U[:, users], 0, 1))
        m = len(params)
        return np.concatenate([np.swapaxes(grad_U, 0, 1).reshape(m, -1),
                               np.swapaxes(grad_V, 0, 1).reshape(m, -1)], axis=1)

    def full_matrix(self, params) -> np.ndarray:
        """The predicted complete matrix ``U @ V.T``, shape ``(..., n_users, n_items)``."""
        blocks = self.unflatten(params)
        with np.errstate(over="ignore", invalid="ignore"):
            return blocks["U"] @ np.swapaxes(blocks["V"], -1, -2)

    def predict(self, params, X) -> np.ndarray:
        """Predicted ratings at the ``(user, item)`` positions ``X``, shape ``(..., n)``."""
        users, items = self._check_positions(X)
        return self.full_matrix(params)[..., users, items]


# ---------------------------------------------------------------------------------------------
# Linear autoencoder for anomaly detection
# ---------------------------------------------------------------------------------------------


class LinearAutoencoder(_Model):
    r"""Compress to ``n_components`` numbers and back; far-off samples reconstruct badly.

    Each sample is encoded as ``h = x @ E`` and decoded as ``x_hat = h @ D + c``. Training by
    gradient descent on the mean reconstruction error

    .. math::

        L = \frac{1}{N} \sum_i \lVert x_i E D + c - x_i \rVert^2
            + \lambda (\lVert E \rVert^2 + \lVert D \rVert^2)

    finds the same subspace as principal component analysis (Baldi & Hornik, 1989): at the
    optimum ``c`` absorbs the mean, and ``E D`` projects onto the top principal directions.
    A sample's squared reconstruction error, :meth:`scores`, is its distance from that
    subspace; samples with a large score are flagged as anomalies. Hand-written gradient, with
    residuals ``R = X E D + c - X`` and ``H = X E``:

    .. math::

        \nabla_D L = \tfrac{2}{N} H^\top R + 2\lambda D, \quad
        \nabla_E L = \tfrac{2}{N} X^\top R D^\top + 2\lambda E, \quad
        \nabla_c L = \tfrac{2}{N} \textstyle\sum_i R_i

    The model has no targets: pass ``y=None`` (any ``y`` is ignored).

    Parameters
    ----------
    n_features, n_components : int
    l2 : float

    Notes
    -----
    Flat parameters: ``concat(E.ravel(), D.ravel(), c)`` with ``E (n_features, n_components)``,
    ``D (n_components, n_features)``, ``c (n_features,)``. The planted anomalies of
    :func:`gradlab.data.anomalies` lie off the subspace, which is exactly what this score
    measures; an outlier far out *along* the subspace would not be flagged.

    References
    ----------
    P. Baldi and K. Hornik, "Neural networks and principal component analysis: learning from
    examples without local minima", Neural Networks 2 (1989) 53-58.

    Examples
    --------
    >>> model = LinearAutoencoder(n_features=2, n_components=1)
    >>> params = model.flatten({"E": [[1.0], [0.0]], "D": [[1.0, 0.0]], "c": [0.0, 0.0]})
    >>> model.scores(params, np.array([[3.0, 0.0], [0.0, 2.0]])).tolist()  # keeps x, drops y
    [0.0, 4.0]
    """

    def __init__(self, n_features: int, n_components: int = 1, *, l2: float = 0.0):
        self.n_features = check_int("n_features", n_features)
        self.n_components = check_int("n_components", n_components)
        self.l2 = check_nonnegative("l2", l2)
        self.shapes = {
            "E": (self.n_features, self.n_components),
            "D": (self.n_components, self.n_features),
            "c": (self.n_features,),
        }
        self.biases = ("c",)

    def __repr__(self) -> str:
        return (
            f"LinearAutoencoder(n_features={self.n_features}, "
            f"n_components={self.n_components}, l2={self.l2})"
        )

    def _check_data(self, X, y=None):
        return self._check_X(X, self.n_features), None

    def loss(self, params, X, y=None):
        """Mean squared reconstruction error (+ penalty); ``y`` is ignored."""
        return super().loss(params, X, y)

    def gradient(self, params, X, y=None) -> np.ndarray:
        """Gradient of :meth:`loss`; ``y`` is ignored."""
        return super().gradient(params, X, y)

    def loss_and_gradient(self, params, X, y=None):
        """``(loss, gradient)``; ``y`` is ignored."""
        return super().loss_and_gradient(params, X, y)

    def bind(self, X, y=None) -> BoundModel:
        """The samples ``X`` checked once (see :meth:`_Model.bind`); ``y`` is ignored."""
        return super().bind(X, y)

    def init_params(self, rng: np.random.Generator) -> np.ndarray:
        """Random ``E`` and ``D`` (standard deviation ``1 / sqrt(n_features)``), zero ``c``."""
        rng = check_rng(rng)
        scale = 1.0 / np.sqrt(self.n_features)
        E = scale * rng.standard_normal((self.n_features, self.n_components))
        D = scale * rng.standard_normal((self.n_components, self.n_features))
        return self.flatten({"E": E, "D": D, "c": np.zeros(self.n_features)})

    def _forward(self, params, X):
        """``(E, D, H, R)`` for one parameter vector: the encoder and decoder, the codes
        ``H = X E`` and the residuals ``R = H D + c - X``."""
        blocks = self._unflatten_unchecked(params)
        E, D, c = blocks["E"], blocks["D"], blocks["c"]
        H = X @ E
        return E, D, H, H @ D + c - X

    def _loss_from(self, E, D, R):
        return np.mean(np.sum(R**2, axis=1)) + self._l2_penalty([E, D])

    def _backward(self, E, D, X, H, R):
        """The flat gradient from the forward pass."""
        n = X.shape[0]
        grad_R = (2.0 / n) * R  # dL/dx_hat
        grad_D = H.T @ grad_R + 2.0 * self.l2 * D
        grad_H = grad_R @ D.T  # dL/dh
        grad_E = X.T @ grad_H + 2.0 * self.l2 * E
        grad_c = grad_R.sum(axis=0)
        return np.concatenate([grad_E.ravel(), grad_D.ravel(), grad_c])

    def _loss_row(self, params, X, y):
        E, D, _, R = self._forward(params, X)
        return self._loss_from(E, D, R)

    def _gradient_row(self, params, X, y):
        E, D, H, R = self._forward(params, X)
        return self._backward(E, D, X, H, R)

    def _loss_and_gradient_row(self, params, X, y):
        E, D, H, R = self._forward(params, X)
        return self._loss_from(E, D, R), self._backward(E, D, X, H, R)

    # The row code above for m parameter vectors at once (batched matrix products; each row's
    # numbers equal bit for bit).
    def _stacked_forward(self, params, X):
        m, f, k = len(params), self.n_features, self.n_components
        E = params[:, : f * k].reshape(m, f, k)
        D = params[:, f * k : 2 * f * k].reshape(m, k, f)
        H = X @ E
        return E, D, H, H @ D + params[:, 2 * f * k :][:, None, :] - X

    def _stacked_losses(self, params, X, y):
        E, D, _, R = self._stacked_forward(params, X)
        return np.mean(np.sum(R**2, axis=2), axis=-1) + self.l2 * (
            0 + np.sum(E**2, axis=(1, 2)) + np.sum(D**2, axis=(1, 2)))

    def _stacked_gradient(self, params, X, y):
        E, D, H, R = self._stacked_forward(params, X)
        grad_R = (2.0 / X.shape[0]) * R
        grad_D = np.swapaxes(H, -1, -2) @ grad_R + 2.0 * self.l2 * D
        grad_E = X.T @ (grad_R @ np.swapaxes(D, -1, -2)) + 2.0 * self.l2 * E
        m = len(params)
        return np.concatenate([grad_E.reshape(m, -1), grad_D.reshape(m, -1),
                               grad_R.sum(axis=1)], axis=1)

    def predict(self, params, X) -> np.ndarray:
        """Reconstructions ``X E D + c``, shape ``(..., n_samples, n_features)``."""
        params = self._check_params(params)
        X = self._check_X(X, self.n_features)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._map_rows(lambda p: self._forward(p, X)[3] + X, params)

    def scores(self, params, X) -> np.ndarray:
        """Anomaly score of each sample: its squared reconstruction error, ``(..., n_samples)``."""
        params = self._check_params(params)
        X = self._check_X(X, self.n_features)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._map_rows(lambda p: np.sum(self._forward(p, X)[3] ** 2, axis=1), params)
