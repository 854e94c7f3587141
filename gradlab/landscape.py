r"""A 2-D slice through a trained model's loss, along two random directions.

A network has hundreds of parameters, so its loss cannot be drawn; a plane through the trained
parameters ``theta`` can:

.. math::

    f(\alpha, \beta) = L(\theta + \alpha \delta + \beta \eta)

with two random directions ``delta`` and ``eta``. Drawn raw, such a slice depends on the
arbitrary scale of each layer (a ReLU network computes the same function when one layer is
multiplied by 10 and the next divided by 10, yet its slice looks 10 times flatter or steeper).
Li et al. (2018) remove that effect with *filter normalization*: every filter of the random
direction (the weights into one unit) is rescaled to the norm of the same filter in ``theta``,

.. math::

    \delta_{l,j} \leftarrow \frac{\delta_{l,j}}{\lVert \delta_{l,j} \rVert}
    \lVert \theta_{l,j} \rVert,

so a step ``alpha = 1`` changes every unit by as much as its own weights.

Choices made here, following the paper's experiments (their published code's
``ignore='biasbn'`` setting): bias blocks get a zero direction (the slice moves weights only);
a weight block of shape ``(n_in, n_out)`` has ``n_out`` filters, its columns, which are the rows
of PyTorch's ``(out, in)`` layout; a 1-D weight block (linear and logistic regression's ``w``)
is one filter.

References
----------
H. Li, Z. Xu, G. Taylor, C. Studer and T. Goldstein, "Visualizing the Loss Landscape of Neural
Nets", NeurIPS 2018, section 4.
"""

from __future__ import annotations

import numpy as np

from gradlab.checks import check_rng

__all__ = ["filter_normalize", "loss_slice", "random_directions"]


def _check_vector(name: str, value, dim: int) -> np.ndarray:
    try:
        vector = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of {dim} numbers") from None
    if vector.shape != (dim,):
        raise ValueError(
            f"{name} must be one flat parameter vector of shape ({dim},); got shape {vector.shape}"
        )
    if not np.all(np.isfinite(vector)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return vector


def _check_model(model):
    for attribute in ("shapes", "biases", "unflatten", "flatten", "dim"):
        if not hasattr(model, attribute):
            raise TypeError(
                f"model must be a gradlab.models model (it has no {attribute!r}); "
                f"got {type(model).__name__}"
            )
    return model


def filter_normalize(model, direction, center) -> np.ndarray:
    """Rescale each filter of ``direction`` to the norm of the same filter in ``center``.

    Parameters
    ----------
    model : a :mod:`gradlab.models` model
        Supplies the block layout (``shapes``) and which blocks are biases.
    direction, center : array_like, shape (dim,)
        Flat parameter vectors: the raw direction and the trained parameters.

    Returns
    -------
    ndarray, shape (dim,)
        The normalized direction; zero on bias blocks, and zero on a filter whose weights
        in ``center`` (or in ``direction``) are all zero.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.models import MLP
    >>> model = MLP((2, 1), output="identity")          # W1 (2, 1), b1 (1,)
    >>> center = np.array([3.0, 4.0, 7.0])               # filter norm 5, bias 7
    >>> filter_normalize(model, np.array([1.0, 0.0, 1.0]), center).tolist()
    [5.0, 0.0, 0.0]
    """
    model = _check_model(model)
    direction = _check_vector("direction", direction, model.dim)
    center = _check_vector("center", center, model.dim)
    raw, trained = model.unflatten(direction), model.unflatten(center)
    normalized = {}
    for name in model.shapes:
        d, theta = raw[name], trained[name]
        if name in model.biases:
            normalized[name] = np.zeros_like(d)
            continue
        d2 = d.reshape(d.shape[0], -1) if d.ndim >= 2 else d.reshape(-1, 1)  # columns: filters
        t2 = theta.reshape(d2.shape)
        d_norm = np.linalg.norm(d2, axis=0)
        t_norm = np.linalg.norm(t2, axis=0)
        scale = np.divide(t_norm, d_norm, out=np.zeros_like(d_norm), where=d_norm > 0)
        normalized[name] = (d2 * scale).reshape(d.shape)
    return model.flatten(normalized)


def random_directions(
    model, center, rng: np.random.Generator, *, normalization: str = "filter"
) -> tuple[np.ndarray, np.ndarray]:
    """Two random directions through ``center`` for a loss slice.

    Parameters
    ----------
    model : a :mod:`gradlab.models` model
    center : array_like, shape (dim,)
        The trained parameters the slice passes through.
    rng : numpy.random.Generator
        Draws the two Gaussian directions.
    normalization : {"filter", "none"}
        "filter": filter normalization (see the module notes); "none": the raw standard
        normal directions, to show the scale problem filter normalization fixes.

    Returns
    -------
    (d1, d2) : two ndarrays of shape (dim,)

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.models import MLP
    >>> model = MLP((2, 4, 1))
    >>> center = model.init_params(np.random.default_rng(0))
    >>> d1, d2 = random_directions(model, center, np.random.default_rng(1))
    >>> d1.shape, bool(np.all(model.unflatten(d1)["b1"] == 0))
    ((17,), True)
    """
    model = _check_model(model)
    center = _check_vector("center", center, model.dim)
    check_rng(rng)
    if normalization not in ("filter", "none"):
        raise ValueError(f"normalization must be 'filter' or 'none'; got {normalization!r}")
    d1, d2 = rng.standard_normal((2, model.dim))
    if normalization == "filter":
        d1, d2 = filter_normalize(model, d1, center), filter_normalize(model, d2, center)
    return d1, d2


def loss_slice(loss_fn, center, d1, d2, alphas, betas) -> np.ndarray:
    """The loss on the plane ``center + alpha d1 + beta d2``.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(points)`` with ``points`` of shape ``(len(betas), len(alphas), dim)``,
        returning the losses ``(len(betas), len(alphas))``: e.g.
        ``lambda p: model.loss(p, X, y)`` for any :mod:`gradlab.models` model.
    center, d1, d2 : array_like, shape (dim,)
    alphas, betas : 1-D array_like
        Step sizes along ``d1`` (the horizontal axis) and ``d2`` (the vertical axis).

    Returns
    -------
    ndarray, shape (len(betas), len(alphas))
        ``Z[i, j] = loss_fn(center + alphas[j] d1 + betas[i] d2)``, the layout that
        ``ax.contour(alphas, betas, Z)`` expects.

    Notes
    -----
    All grid points are built at once and handed to ``loss_fn`` in one call; a 41 x 41 slice
    of a (2, 16, 16, 1) network on 200 samples takes a few tens of milliseconds.

    Examples
    --------
    >>> import numpy as np
    >>> bowl = lambda p: np.sum(p ** 2, axis=-1)
    >>> Z = loss_slice(bowl, np.zeros(3), [1.0, 0, 0], [0, 2.0, 0], [-1, 0, 1], [0, 1])
    >>> Z.tolist()   # alpha^2 + (2 beta)^2
    [[1.0, 0.0, 1.0], [5.0, 4.0, 5.0]]
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable; got {type(loss_fn).__name__}")
    center = np.asarray(center, dtype=float)
    if center.ndim != 1 or center.size == 0:
        raise ValueError(f"center must be a flat parameter vector (dim,); got shape {center.shape}")
    dim = center.shape[0]
    center = _check_vector("center", center, dim)
    d1, d2 = _check_vector("d1", d1, dim), _check_vector("d2", d2, dim)
    steps = {}
    for name, values in (("alphas", alphas), ("betas", betas)):
        array = np.asarray(values, dtype=float)
        if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
            raise ValueError(
                f"{name} must be a non-empty 1-D array of finite step sizes; got {values!r}"
            )
        steps[name] = array
    a, b = steps["alphas"], steps["betas"]
    points = center + a[None, :, None] * d1 + b[:, None, None] * d2  # (rows, cols, dim)
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.asarray(loss_fn(points), dtype=float)
    if values.shape != (len(b), len(a)):
        raise ValueError(
            f"loss_fn must map points of shape {points.shape} to losses of shape "
            f"({len(b)}, {len(a)}); it returned shape {values.shape}"
        )
    return values
