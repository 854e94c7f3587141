"""Seeded data sets for the course: small, reproducible, and with the truth attached.

Every generator takes a ``numpy.random.Generator`` and explicit sizes, and returns a small frozen
record whose arrays are read-only. Where the data were planted (regression weights, anomalies,
the factors behind a ratings matrix) the record carries the planted truth too, so a lesson can
compare what gradient descent found with what was put in.

=========================  ===============================================================
:func:`linear_regression`  ``y = X w + b + noise`` with known ``w`` and ``b``
:func:`blobs`              Gaussian clusters in 2-D, one per class
:func:`moons`              two interleaving half circles
:func:`spirals`            ``k`` interleaved spiral arms
:func:`xor`                four clusters labelled by the XOR of the coordinate signs
:func:`digits`             scikit-learn's 8x8 handwritten digits (ships with it, no network)
:func:`ratings`            a low-rank users x items matrix with most entries missing
:func:`anomalies`          points near a low-dimensional subspace plus planted outliers
:func:`trend_chunks`       a large trend data set streamed chunk by chunk (lesson 09)
:func:`train_test_split`   a seeded split of any of the above
=========================  ===============================================================

:func:`trend_chunks` is the one generator that takes a seed instead of a Generator: each chunk
is drawn from its own generator ``default_rng([seed, k])``, so a pass can be repeated exactly
without the rows ever sitting in memory all at once.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from gradlab.checks import check_int, check_nonnegative, check_rng

__all__ = [
    "AnomalyData",
    "ClassificationData",
    "Dataset",
    "ImageData",
    "RatingsData",
    "RegressionData",
    "TREND_COEFFICIENTS",
    "TREND_CYCLES",
    "anomalies",
    "blobs",
    "digits",
    "linear_regression",
    "moons",
    "ratings",
    "spirals",
    "train_test_split",
    "trend_chunks",
    "trend_features",
    "xor",
]


# ---------------------------------------------------------------------------------------------
# The records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class Dataset:
    """Samples ``X`` (one row each) and targets ``y``.

    Attributes
    ----------
    X : ndarray, shape (n_samples, n_features)
    y : ndarray, shape (n_samples,)

    Notes
    -----
    The arrays are made read-only so that a lesson cannot change a data set by accident;
    take ``data.X.copy()`` to get a writable array. ``per_sample`` names the fields that hold
    one entry per sample (a split or a subset takes those rows and keeps the rest).
    """

    X: np.ndarray
    y: np.ndarray

    per_sample = ("X", "y")

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def n_samples(self) -> int:
        """Number of samples (rows of ``X``)."""
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        """Number of features (columns of ``X``)."""
        return self.X.shape[1]

    def subset(self, indices) -> Dataset:
        """The same kind of record restricted to the samples at ``indices``."""
        indices = np.asarray(indices)
        picked = {name: np.array(getattr(self, name)[indices]) for name in self.per_sample}
        return dataclasses.replace(self, **picked)

    def __repr__(self) -> str:
        parts = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                parts.append(f"{field.name}=<{value.dtype} array {value.shape}>")
            else:
                parts.append(f"{field.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


@dataclass(frozen=True, eq=False, kw_only=True)
class RegressionData(Dataset):
    """Regression samples with the planted parameters.

    Attributes
    ----------
    true_weights : ndarray, shape (n_features,)
    true_bias : float
    noise : float
        Standard deviation of the Gaussian noise added to ``y``.
    """

    true_weights: np.ndarray
    true_bias: float
    noise: float


@dataclass(frozen=True, eq=False, kw_only=True)
class ClassificationData(Dataset):
    """Labelled samples; ``y`` holds integer labels ``0 .. n_classes - 1``.

    Attributes
    ----------
    classes : ndarray, shape (n_classes,)
        The labels, ``arange(n_classes)``.
    """

    classes: np.ndarray

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.classes)


@dataclass(frozen=True, eq=False, kw_only=True)
class ImageData(ClassificationData):
    """Labelled images; ``X`` holds the flattened pixels, ``images`` the pictures to draw.

    Attributes
    ----------
    images : ndarray, shape (n_samples, height, width)
        Pixel intensities in ``[0, 1]``; ``X[i] == images[i].ravel()``.
    """

    images: np.ndarray

    per_sample = ("X", "y", "images")


@dataclass(frozen=True, eq=False, kw_only=True)
class AnomalyData(Dataset):
    """Samples near a low-dimensional subspace, some of them planted far from it.

    Attributes
    ----------
    anomaly_mask : ndarray of bool, shape (n_samples,)
        True for the planted anomalies; ``y`` is the same as integers.
    center : ndarray, shape (n_features,)
        The mean of the normal samples' distribution.
    basis : ndarray, shape (n_components, n_features)
        Orthonormal rows spanning the subspace the normal samples lie near.
    """

    anomaly_mask: np.ndarray
    center: np.ndarray
    basis: np.ndarray

    per_sample = ("X", "y", "anomaly_mask")


@dataclass(frozen=True, eq=False, kw_only=True)
class RatingsData(Dataset):
    """A ratings matrix seen through its observed entries.

    ``X[k] = (user, item)`` is the position of the k-th observed rating and ``y[k]`` its value,
    so a mini-batch of ratings is a subset of rows, exactly as for any other data set.

    Attributes
    ----------
    mask : ndarray of bool, shape (n_users, n_items)
        True where a rating was observed (all of them, before any split).
    complete_ratings : ndarray, shape (n_users, n_items)
        Every rating, the unobserved ones included: what a recommender would like to predict.
    user_factors : ndarray, shape (n_users, rank)
    item_factors : ndarray, shape (n_items, rank)
        The planted factors: ``complete_ratings = user_factors @ item_factors.T + noise``.
    """

    mask: np.ndarray
    complete_ratings: np.ndarray
    user_factors: np.ndarray
    item_factors: np.ndarray

    @property
    def n_users(self) -> int:
        """Number of rows of the ratings matrix."""
        return self.mask.shape[0]

    @property
    def n_items(self) -> int:
        """Number of columns of the ratings matrix."""
        return self.mask.shape[1]


# ---------------------------------------------------------------------------------------------
# Checks shared by the generators
# ---------------------------------------------------------------------------------------------


def _balanced_labels(rng: np.random.Generator, n_samples: int, n_classes: int) -> np.ndarray:
    """Labels with class sizes differing by at most one, in a random order."""
    labels = np.arange(n_samples) % n_classes
    return rng.permutation(labels)


def _classification(X: np.ndarray, y: np.ndarray, n_classes: int) -> ClassificationData:
    return ClassificationData(X=X, y=y.astype(np.int64), classes=np.arange(n_classes))


# ---------------------------------------------------------------------------------------------
# Generators
# ---------------------------------------------------------------------------------------------


def linear_regression(
    rng: np.random.Generator,
    n_samples: int,
    n_features: int = 1,
    *,
    weights=None,
    bias: float | None = None,
    noise: float = 0.1,
    x_range: tuple[float, float] = (-1.0, 1.0),
) -> RegressionData:
    """Samples of ``y = X @ w + b + noise`` with known ``w`` and ``b``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws ``X`` (uniform on ``x_range`` in every feature), the noise, and ``w`` and ``b``
        when they are not given.
    n_samples, n_features : int
    weights : array_like, shape (n_features,), optional
        The true weights; standard normal draws when omitted.
    bias : float, optional
        The true bias; a standard normal draw when omitted.
    noise : float
        Standard deviation of the Gaussian noise on ``y``.
    x_range : (low, high)

    Returns
    -------
    RegressionData
        ``X (n_samples, n_features)``, ``y (n_samples,)``, ``true_weights``, ``true_bias``.

    Examples
    --------
    >>> import numpy as np
    >>> data = linear_regression(np.random.default_rng(0), 50, weights=[2.0], bias=-1.0)
    >>> data.X.shape, data.y.shape, data.true_weights.tolist(), data.true_bias
    ((50, 1), (50,), [2.0], -1.0)
    """
    rng = check_rng(rng)
    n_samples = check_int("n_samples", n_samples)
    n_features = check_int("n_features", n_features)
    noise = check_nonnegative("noise", noise)
    low, high = _check_range("x_range", x_range)
    if weights is None:
        weights = rng.standard_normal(n_features)
    try:
        weights = np.array(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"weights must be {n_features} numbers; got {weights!r}") from None
    if weights.shape != (n_features,) or not np.all(np.isfinite(weights)):
        raise ValueError(
            f"weights must be {n_features} finite numbers (one per feature); got {weights!r}"
        )
    if bias is None:
        bias = float(rng.standard_normal())
    if isinstance(bias, bool) or not isinstance(bias, numbers.Real) or not np.isfinite(bias):
        raise ValueError(f"bias must be a finite number; got {bias!r}")
    X = rng.uniform(low, high, size=(n_samples, n_features))
    y = X @ weights + bias + noise * rng.standard_normal(n_samples)
    return RegressionData(X=X, y=y, true_weights=weights, true_bias=float(bias), noise=noise)


def _check_range(name: str, pair) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers; got {pair!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be a pair (low, high) with low < high; got {pair!r}")
    return low, high


def blobs(
    rng: np.random.Generator,
    n_samples: int,
    *,
    n_classes: int = 2,
    spread: float = 0.5,
    radius: float = 2.0,
) -> ClassificationData:
    """Gaussian clusters in 2-D, one per class, centred on a circle.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_samples : int
        Total number of samples; class sizes differ by at most one.
    n_classes : int
        Number of clusters (at least 2).
    spread : float
        Standard deviation of each cluster in each coordinate.
    radius : float
        Radius of the circle the centres are equally spaced on (first centre at ``(radius, 0)``).

    Returns
    -------
    ClassificationData
        ``X (n_samples, 2)``, integer labels ``y``, ``classes = arange(n_classes)``.

    Examples
    --------
    >>> import numpy as np
    >>> data = blobs(np.random.default_rng(0), 90, n_classes=3)
    >>> data.X.shape, np.bincount(data.y).tolist()
    ((90, 2), [30, 30, 30])
    """
    rng = check_rng(rng)
    n_samples = check_int("n_samples", n_samples)
    n_classes = check_int("n_classes", n_classes, minimum=2)
    spread = check_nonnegative("spread", spread)
    radius = check_nonnegative("radius", radius)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = _balanced_labels(rng, n_samples, n_classes)
    X = centers[y] + spread * rng.standard_normal((n_samples, 2))
    return _classification(X, y, n_classes)


def moons(rng: np.random.Generator, n_samples: int, *, noise: float = 0.1) -> ClassificationData:
    """Two interleaving half circles (class 0 on top, class 1 below and shifted right).

    Class 0 lies on ``(cos t, sin t)`` and class 1 on ``(1 - cos t, 0.5 - sin t)`` with ``t``
    uniform on ``[0, pi]``; Gaussian noise of standard deviation ``noise`` is added.

    Examples
    --------
    >>> import numpy as np
    >>> data = moons(np.random.default_rng(0), 100, noise=0.05)
    >>> data.X.shape, data.n_classes
    ((100, 2), 2)
    """
    rng = check_rng(rng)
    n_samples = check_int("n_samples", n_samples)
    noise = check_nonnegative("noise", noise)
    y = _balanced_labels(rng, n_samples, 2)
    t = rng.uniform(0.0, np.pi, n_samples)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 0, upper, lower) + noise * rng.standard_normal((n_samples, 2))
    return _classification(X, y, 2)


def spirals(
    rng: np.random.Generator,
    n_samples: int,
    *,
    n_classes: int = 2,
    turns: float = 1.0,
    noise: float = 0.1,
) -> ClassificationData:
    """Interleaved spiral arms, one per class, inside the unit disc.

    A sample of class ``k`` sits at radius ``r`` (uniform on ``[0, 1]``) and angle
    ``2 pi (turns r + k / n_classes)``; Gaussian noise of standard deviation ``noise``
    (relative to the unit radius) is added to both coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> data = spirals(np.random.default_rng(0), 300, n_classes=3)
    >>> data.X.shape, np.bincount(data.y).tolist()
    ((300, 2), [100, 100, 100])
    """
    rng = check_rng(rng)
    n_samples = check_int("n_samples", n_samples)
    n_classes = check_int("n_classes", n_classes, minimum=2)
    noise = check_nonnegative("noise", noise)
    turns = check_nonnegative("turns", turns)
    y = _balanced_labels(rng, n_samples, n_classes)
    r = rng.uniform(0.0, 1.0, n_samples)
    angle = 2 * np.pi * (turns * r + y / n_classes)
    X = r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    X = X + noise * rng.standard_normal((n_samples, 2))
    return _classification(X, y, n_classes)


def xor(rng: np.random.Generator, n_samples: int, *, spread: float = 0.3) -> ClassificationData:
    """Four clusters at ``(+-1, +-1)``; the label is 1 where the two signs differ.

    No straight line separates the classes, which is why a linear model fails here and a
    network with one hidden layer succeeds.

    Examples
    --------
    >>> import numpy as np
    >>> data = xor(np.random.default_rng(0), 200, spread=0.1)
    >>> bool(np.all((np.sign(data.X[:, 0]) != np.sign(data.X[:, 1])) == (data.y == 1)))
    True
    """
    rng = check_rng(rng)
    n_samples = check_int("n_samples", n_samples)
    spread = check_nonnegative("spread", spread)
    quadrant = _balanced_labels(rng, n_samples, 4)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])
    X = corners[quadrant] + spread * rng.standard_normal((n_samples, 2))
    y = (quadrant >= 2).astype(np.int64)
    return _classification(X, y, 2)


def digits() -> ImageData:
    """scikit-learn's 8x8 handwritten digits, pixels scaled to ``[0, 1]``.

    The 1797 images ship with scikit-learn, so loading needs no network. The data are fixed;
    split them with :func:`train_test_split`, which takes the random generator.

    Returns
    -------
    ImageData
        ``X (1797, 64)`` in ``[0, 1]``, labels ``y`` in ``0..9``, ``images (1797, 8, 8)``.

    References
    ----------
    The UCI "Optical Recognition of Handwritten Digits" data, as packaged by
    ``sklearn.datasets.load_digits``.

    Examples
    --------
    >>> data = digits()
    >>> data.X.shape, data.images.shape, float(data.X.max()), data.n_classes
    ((1797, 64), (1797, 8, 8), 1.0, 10)
    """
    from sklearn.datasets import load_digits

    raw = load_digits()
    images = np.asarray(raw.images, dtype=float) / 16.0  # pixel counts run 0..16
    X = images.reshape(len(images), -1)
    y = np.asarray(raw.target, dtype=np.int64)
    return ImageData(X=X, y=y, classes=np.arange(10), images=images)


def ratings(
    rng: np.random.Generator,
    n_users: int,
    n_items: int,
    *,
    rank: int = 2,
    observed_fraction: float = 0.3,
    noise: float = 0.1,
) -> RatingsData:
    """A low-rank ratings matrix of which only a fraction is observed.

    The complete matrix is ``U @ V.T + noise`` with ``U (n_users, rank)`` and
    ``V (n_items, rank)`` standard normal, so the ratings are centred on 0 (think "stars
    minus the average"). Each entry is observed with probability ``observed_fraction``;
    every user and every item is then given at least one observed rating, so that no row or
    column of the factorisation is left without data.

    Returns
    -------
    RatingsData
        ``X (n_observed, 2)`` integer ``(user, item)`` pairs in row-major order, ``y`` the
        observed ratings, plus ``mask``, ``complete_ratings``, ``user_factors``, ``item_factors``.

    Examples
    --------
    >>> import numpy as np
    >>> data = ratings(np.random.default_rng(0), 6, 8, rank=2, observed_fraction=0.5)
    >>> data.mask.shape, data.X.shape[1], bool(data.mask.any(axis=1).all())
    ((6, 8), 2, True)
    """
    rng = check_rng(rng)
    n_users = check_int("n_users", n_users)
    n_items = check_int("n_items", n_items)
    rank = check_int("rank", rank)
    noise = check_nonnegative("noise", noise)
    if isinstance(observed_fraction, bool) or not isinstance(observed_fraction, numbers.Real) or (
        not 0 < observed_fraction <= 1
    ):
        raise ValueError(f"observed_fraction must be in (0, 1]; got {observed_fraction!r}")
    user_factors = rng.standard_normal((n_users, rank))
    item_factors = rng.standard_normal((n_items, rank))
    complete = user_factors @ item_factors.T + noise * rng.standard_normal((n_users, n_items))
    mask = rng.random((n_users, n_items)) < observed_fraction
    for user in np.flatnonzero(~mask.any(axis=1)):
        mask[user, rng.integers(n_items)] = True
    for item in np.flatnonzero(~mask.any(axis=0)):
        mask[rng.integers(n_users), item] = True
    X = np.argwhere(mask).astype(np.int64)
    y = complete[mask]
    return RatingsData(
        X=X,
        y=y,
        mask=mask,
        complete_ratings=complete,
        user_factors=user_factors,
        item_factors=item_factors,
    )


def anomalies(
    rng: np.random.Generator,
    n_samples: int,
    n_anomalies: int,
    *,
    n_features: int = 2,
    n_components: int = 1,
    spread: float = 2.0,
    noise: float = 0.1,
    distance: float = 1.5,
) -> AnomalyData:
    """Normal samples near a random subspace, and anomalies planted away from it.

    A normal sample is ``center + z @ basis + noise e`` with ``z`` of standard deviation
    ``spread`` along each of the ``n_components`` orthonormal rows of ``basis`` and ``e``
    standard normal in all ``n_features`` coordinates. An anomaly starts as a normal sample
    without noise and is pushed off the subspace, orthogonally to it, by a distance drawn
    uniformly from ``[distance, 2 distance]``. The anomalies sit at random rows.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_samples : int
        Total number of samples, anomalies included.
    n_anomalies : int
        How many of them are anomalies (``0 <= n_anomalies < n_samples``).
    n_features, n_components : int
        Dimension of the space and of the subspace (``n_components < n_features``).
    spread, noise, distance : float

    Returns
    -------
    AnomalyData
        ``X``, ``y`` (1 for an anomaly), ``anomaly_mask``, ``center``, ``basis``.

    Examples
    --------
    >>> import numpy as np
    >>> data = anomalies(np.random.default_rng(0), 200, 10)
    >>> data.X.shape, int(data.anomaly_mask.sum())
    ((200, 2), 10)
    """
    rng = check_rng(rng)
    n_samples = check_int("n_samples", n_samples, minimum=2)
    n_anomalies = check_int("n_anomalies", n_anomalies, minimum=0)
    if n_anomalies >= n_samples:
        raise ValueError(
            f"n_anomalies must be smaller than n_samples={n_samples}; got {n_anomalies}"
        )
    n_features = check_int("n_features", n_features, minimum=2)
    n_components = check_int("n_components", n_components)
    if n_components >= n_features:
        raise ValueError(
            f"n_components must be smaller than n_features={n_features}; got {n_components}"
        )
    spread = check_nonnegative("spread", spread)
    noise = check_nonnegative("noise", noise)
    distance = check_nonnegative("distance", distance)

    # Orthonormal basis of the whole space: the first rows span the subspace.
    q, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
    basis, complement = q.T[:n_components], q.T[n_components:]
    center = rng.uniform(-1.0, 1.0, n_features)
    z = spread * rng.standard_normal((n_samples, n_components))
    X = center + z @ basis
    anomaly_mask = np.zeros(n_samples, dtype=bool)
    anomaly_mask[rng.choice(n_samples, size=n_anomalies, replace=False)] = True

    normal = ~anomaly_mask
    X[normal] += noise * rng.standard_normal((int(normal.sum()), n_features))
    away = rng.standard_normal((n_anomalies, n_features - n_components)) @ complement
    away /= np.linalg.norm(away, axis=1, keepdims=True)
    X[anomaly_mask] += rng.uniform(distance, 2 * distance, (n_anomalies, 1)) * away
    return AnomalyData(
        X=X,
        y=anomaly_mask.astype(np.int64),
        anomaly_mask=anomaly_mask,
        center=center,
        basis=basis,
    )


#: The planted trend: intercept, slope per unit of t, and the yearly cycle's sine and cosine.
TREND_COEFFICIENTS = np.array([2.0, 3.0, 0.8, -0.5])
#: Cycles of the seasonal term over t in [0, 1] (ten "years").
TREND_CYCLES = 10


def trend_features(t) -> np.ndarray:
    """Design rows ``(1, t, sin 2πct, cos 2πct)`` for times ``t`` in ``[0, 1]`` (c cycles)."""
    t = np.asarray(t, dtype=float)
    angle = 2 * np.pi * TREND_CYCLES * t
    return np.stack([np.ones_like(t), t, np.sin(angle), np.cos(angle)], axis=-1)


def trend_chunks(seed, n_rows, chunk_rows, *, noise=1.0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X, y)`` chunks of a large seeded trend data set, one chunk at a time.

    Row ``i`` has a time ``t`` uniform in ``[0, 1]``, features ``trend_features(t)`` and
    ``y = X @ TREND_COEFFICIENTS + noise * e`` with ``e`` standard normal. Chunk ``k`` is drawn
    from ``numpy.random.default_rng([seed, k])``, so every pass over the stream sees the same
    rows and only one chunk is in memory at a time: a data set too large for one batch.

    Examples
    --------
    >>> chunks = list(trend_chunks(0, 10, 4))
    >>> [len(y) for X, y in chunks], chunks[0][0].shape
    ([4, 4, 2], (4, 4))
    >>> bool(np.array_equal(next(trend_chunks(0, 10, 4))[1], chunks[0][1]))
    True
    """
    seed = check_int("seed", seed, minimum=0)
    n_rows = check_int("n_rows", n_rows)
    chunk_rows = check_int("chunk_rows", chunk_rows)
    for k, first in enumerate(range(0, n_rows, chunk_rows)):
        rng = np.random.default_rng([seed, k])
        size = min(chunk_rows, n_rows - first)
        X = trend_features(rng.random(size))
        yield X, X @ TREND_COEFFICIENTS + noise * rng.standard_normal(size)


def train_test_split(
    data: Dataset, rng: np.random.Generator, *, test_fraction: float = 0.25
) -> tuple[Dataset, Dataset]:
    """Split a data set's samples at random into a training and a test part.

    Parameters
    ----------
    data : Dataset
        Any record from this module; its per-sample fields are split, the rest is kept.
    rng : numpy.random.Generator
        Draws the permutation.
    test_fraction : float
        Share of the samples that go to the test part, in ``(0, 1)``; rounded to a whole
        number of samples, and each part keeps at least one.

    Returns
    -------
    (train, test)
        Two records of the same type as ``data``.

    Examples
    --------
    >>> import numpy as np
    >>> train, test = train_test_split(digits(), np.random.default_rng(0), test_fraction=0.25)
    >>> train.n_samples, test.n_samples
    (1348, 449)
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a gradlab.data Dataset; got {type(data).__name__}")
    rng = check_rng(rng)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or (
        not 0 < test_fraction < 1
    ):
        raise ValueError(f"test_fraction must be strictly between 0 and 1; got {test_fraction!r}")
    n = data.n_samples
    if n < 2:
        raise ValueError(f"a split needs at least 2 samples; the data set has {n}")
    n_test = min(max(int(round(test_fraction * n)), 1), n - 1)
    order = rng.permutation(n)
    return data.subset(order[n_test:]), data.subset(order[:n_test])
