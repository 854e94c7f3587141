r"""Gradient-based optimizers, vectorized over many trajectories at once.

Each class follows the algorithm that ``torch.optim`` documents for the class of the same name,
with the same hyperparameter names and defaults, so the numbers a learner sees here are the
numbers PyTorch gives. Each one is a pair of pure functions on explicit state:

>>> import numpy as np
>>> from gradlab.optimizers import Adam
>>> params = np.array([[1.0, 2.0], [-3.0, 0.5]])     # two trajectories in two variables
>>> opt = Adam(lr=0.1)
>>> state = opt.init(params)
>>> params, state = opt.update(2 * params, state, params)   # one step on |x|^2
>>> params
array([[ 0.9,  1.9],
       [-2.9,  0.4]])
>>> state.step
array([1., 1.])

Shapes: ``params`` and ``grad`` are ``(n, dim)``, one row per trajectory. Every hyperparameter may
be a scalar or an array of shape ``(n,)`` (one value per trajectory), so a sweep over 500 learning
rates is a single call. ``update`` never changes its inputs; it returns new arrays. Each
``update`` docstring lists the step's equations, one per line of the code below it, and which
symbol is which argument, hyperparameter or state field.

State fields are named like PyTorch's ``optimizer.state[p]`` entries (``step``, ``exp_avg``,
``exp_avg_sq``, ...). ``step`` has shape ``(n,)`` and counts finished updates (a float, as in
PyTorch); the buffers have the shape of ``params``. A field that the chosen options do not use
(``max_exp_avg_sq`` without ``amsgrad``, say) is ``None``, as PyTorch keeps no such entry.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adadelta",
    "Adamax",
    "NAdam",
    "Optimizer",
    "SGDState",
    "AdagradState",
    "RMSpropState",
    "AdamState",
    "AdadeltaState",
    "AdamaxState",
    "NAdamState",
]


# --------------------------------------------------------------------------- checking input


def _hyperparameter(name, value, *, low=0.0, high=None, low_open=False, high_open=False):
    """Check one hyperparameter; return it as a float or a read-only ``(n,)`` float array."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number or a 1-D array of numbers, got {value!r}"
        ) from None
    if array.ndim > 1 or (array.ndim == 1 and array.size == 0):
        raise ValueError(
            f"{name} must be a scalar or a 1-D array with one value per trajectory, "
            f"got shape {array.shape}"
        )
    too_low = array <= low if low_open else array < low
    too_high = np.zeros(array.shape, bool) if high is None else (
        array >= high if high_open else array > high
    )
    bad = ~np.isfinite(array) | too_low | too_high
    if bad.any():
        if high is None:
            allowed = f"> {low:g}" if low_open else f">= {low:g}"
        else:
            allowed = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        index = int(np.argmax(bad.ravel()))
        where = f" at index {index}" if array.ndim else ""
        raise ValueError(f"{name} must be {allowed}, got {float(array.ravel()[index])!r}{where}")
    if array.ndim == 0:
        return float(array)
    array.flags.writeable = False
    return array


def _betas(betas):
    """Split ``betas`` into two checked coefficients, each in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return (
        _hyperparameter("betas[0]", betas[0], high=1.0, high_open=True),
        _hyperparameter("betas[1]", betas[1], high=1.0, high_open=True),
    )


def _nonzero(value):
    """True when a scalar or array hyperparameter has any non-zero entry."""
    return bool(np.any(value != 0))


def _power(base, step, uniform=None):
    """``base ** step`` as a column for ``(n, dim)`` arithmetic.

    ``step`` is ``(n,)``. When ``base`` is a scalar and every row is at the same step (as in a
    run), one scalar power replaces ``n`` of them: a plain speed-up, the same numbers.
    ``uniform`` (:func:`_uniform` of ``step``) saves checking that again for a second base.
    """
    if uniform is None:
        uniform = _uniform(step)
    if not isinstance(base, np.ndarray) and uniform:  # a float: one value for every row
        return base ** step[0]
    return base ** step[:, None]


def _uniform(step):
    """Whether every row is at the same step."""
    return step[0] == step[-1] and bool((step == step[0]).all())


def _show(value):
    """Short text for a hyperparameter value: the number, or a summary of a per-row array."""
    if isinstance(value, np.ndarray):
        return f"<{value.size} values in [{value.min():g}, {value.max():g}]>"
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return repr(value)


# --------------------------------------------------------------------------- the shared base


class Optimizer:
    """What every optimizer here shares: checked hyperparameters and their broadcasting.

    Subclasses call :meth:`_store` in ``__init__`` and implement ``init`` and ``update``;
    ``update`` reads its hyperparameters with :meth:`_columns`. A per-trajectory hyperparameter of
    shape ``(n,)`` is kept as a column ``(n, 1)`` so that it broadcasts against ``params`` of
    shape ``(n, dim)``: row ``i`` gets value ``i``.
    """

    name = "optimizer"

    def _store(self, **hyperparameters):
        lengths = {k: v.size for k, v in hyperparameters.items() if isinstance(v, np.ndarray)}
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{k} has {size}" for k, size in lengths.items())
            raise ValueError(
                f"per-trajectory hyperparameters must all have the same length; {listed}"
            )
        self._n = next(iter(lengths.values()), None)
        self._values = hyperparameters
        self._broadcast = {k: v[:, None] if isinstance(v, np.ndarray) else v
                           for k, v in hyperparameters.items()}
        self._full_shape = {}

    def _full(self, name, shape):
        """The hyperparameter as a float, or repeated to ``shape`` ``(n, dim)`` (cached).

        The same numbers as the ``(n, 1)`` column of :meth:`_columns`: an operation between a
        column and an ``(n, dim)`` array runs one short inner loop per row, several times slower
        than between two arrays of the same shape.
        """
        value = self._broadcast[name]
        if not isinstance(value, np.ndarray):
            return value
        full = self._full_shape.get((name, shape))
        if full is None:
            full = np.repeat(value, shape[1], axis=1)
            full.flags.writeable = False
            self._full_shape[name, shape] = full
        return full

    def _columns(self, *names):
        """The named hyperparameters, each a float or an ``(n, 1)`` column, as a tuple."""
        return tuple(self._broadcast[name] for name in names)

    @property
    def lr(self):
        """The base learning rate: a float, or an ``(n,)`` array with one value per row."""
        return self._values["lr"]

    @property
    def n(self):
        """The number of trajectories the hyperparameters fix, or ``None`` if all are scalars."""
        return self._n

    def hyperparameters(self) -> dict:
        """The hyperparameters by their PyTorch names (``betas`` as a pair), for display."""
        shown = {}
        for key, value in self._values.items():
            if key == "beta1":
                shown["betas"] = (value, self._values["beta2"])
            elif key != "beta2":
                shown[key] = value
        return shown | self._flags()

    def _flags(self) -> dict:
        return {}

    def __repr__(self):
        inside = ", ".join(f"{k}={_show(v)}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({inside})"

    def _check_params(self, params):
        params = np.asarray(params, dtype=float)
        if params.ndim != 2:
            raise ValueError(
                f"params must have shape (n, dim) with one row per trajectory, "
                f"got shape {params.shape}"
            )
        if self._n is not None and params.shape[0] != self._n:
            raise ValueError(
                f"{self.name} has hyperparameters for {self._n} trajectories, "
                f"but params has {params.shape[0]} rows"
            )
        return params

    def _prepare(self, grad, params, lr):
        """Check shapes; return ``grad``, ``params`` and the learning rate to use as a column."""
        params = self._check_params(params)
        grad = np.asarray(grad, dtype=float)
        if grad.shape != params.shape:
            raise ValueError(
                f"grad has shape {grad.shape} but params has shape {params.shape}; "
                "they must match"
            )
        if lr is None:
            return grad, params, self._full("lr", params.shape)
        if np.ndim(lr) == 0:
            lr = float(lr)
            if not lr >= 0:
                raise ValueError(f"lr must be >= 0, got {lr!r}")
            return grad, params, lr
        lr = np.asarray(lr, dtype=float)
        if lr.shape != (params.shape[0],):
            raise ValueError(
                f"lr must be a scalar or have shape ({params.shape[0]},), one value per row "
                f"of params; got shape {lr.shape}"
            )
        if not (lr >= 0).all():
            raise ValueError(f"lr must be >= 0, got {float(lr[~(lr >= 0)][0])!r}")
        return grad, params, lr[:, None]


# --------------------------------------------------------------------------- SGD


class SGDState(NamedTuple):
    """State of :class:`SGD`.

    step : (n,) finished updates; momentum_buffer : (n, dim), ``None`` when momentum is 0.
    """

    step: np.ndarray
    momentum_buffer: np.ndarray | None


class SGD(Optimizer):
    r"""Gradient descent, with optional momentum, as ``torch.optim.SGD``.

    The update, equation by equation beside the code that carries it out, is in
    :meth:`update`. Without momentum (:math:`\mu = 0`) it is plain gradient descent,
    :math:`\theta_t = \theta_{t-1} - \gamma g_t`.

    Parameters
    ----------
    lr : float or (n,) array, default 1e-3
        Learning rate :math:`\gamma`, >= 0.
    momentum : float or (n,) array, default 0
        Momentum factor :math:`\mu`, >= 0.
    dampening : float or (n,) array, default 0
        Dampening :math:`\tau` for momentum, in [0, 1].
    weight_decay : float or (n,) array, default 0
        L2 penalty :math:`\lambda` added to the gradient, >= 0.
    nesterov : bool, default False
        Nesterov momentum; needs momentum > 0 and dampening = 0 in every row (as PyTorch).

    Notes
    -----
    PyTorch's convention differs from the usual textbook form
    :math:`v_t = \mu v_{t-1} - \gamma g_t,\ \theta_t = \theta_{t-1} + v_t` (Sutskever et al.):
    the buffer holds gradients, not steps, so the learning rate multiplies it at the end, and the
    buffer starts at the first gradient itself rather than at zero. With a constant learning rate
    and no dampening the two forms give the same points. The Nesterov variant is the
    reformulation that evaluates gradients at the current point only.

    References
    ----------
    Sutskever, Martens, Dahl, Hinton (2013). On the importance of initialization and momentum in
    deep learning. ICML.

    Examples
    --------
    >>> import numpy as np
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> x = np.array([[1.0]])
    >>> state = opt.init(x)
    >>> x, state = opt.update(np.array([[2.0]]), state, x)   # buffer starts at the gradient
    >>> x, state.momentum_buffer
    (array([[0.8]]), array([[2.]]))
    >>> x, state = opt.update(np.array([[2.0]]), state, x)   # buffer = 0.9 * 2 + 2
    >>> x, state.momentum_buffer
    (array([[0.42]]), array([[3.8]]))
    """

    name = "SGD"
    State = SGDState

    def __init__(self, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        self._store(
            lr=_hyperparameter("lr", lr),
            momentum=_hyperparameter("momentum", momentum),
            dampening=_hyperparameter("dampening", dampening, high=1.0),
            weight_decay=_hyperparameter("weight_decay", weight_decay),
        )
        self.nesterov = bool(nesterov)
        momentum, dampening = self._values["momentum"], self._values["dampening"]
        if self.nesterov and (np.any(momentum <= 0) or np.any(dampening != 0)):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening = 0 in every row, "
                f"got momentum={_show(momentum)}, dampening={_show(dampening)}"
            )
        self._uses_momentum = _nonzero(momentum)
        # PyTorch keeps no buffer where momentum is 0: those rows take the plain gradient step
        self._some_rows_without_momentum = self._uses_momentum and bool(np.any(momentum == 0))
        self._uses_weight_decay = _nonzero(self._values["weight_decay"])

    def _flags(self):
        return {"nesterov": self.nesterov}

    def init(self, params) -> SGDState:
        """Fresh state for ``params`` of shape ``(n, dim)``."""
        params = self._check_params(params)
        buffer = np.zeros_like(params) if self._uses_momentum else None
        return SGDState(step=np.zeros(params.shape[0]), momentum_buffer=buffer)

    def update(self, grad, state: SGDState, params, lr=None):
        """One step: return ``(new_params, new_state)``; ``lr`` overrides the base rate.

        With t counting from 1, one line of code per line here::

            g   ← g + λ θ                          (when λ ≠ 0)
            b_t ← g at t = 1, else μ b_{t-1} + (1 − τ) g
            d   ← g + μ b_t  (nesterov)   or   d ← b_t
            d   ← g where μ = 0
            θ   ← θ − γ d

        θ ↔ params, g ↔ grad, γ ↔ lr, λ ↔ weight_decay, μ ↔ momentum, τ ↔ dampening,
        b_t ↔ state.momentum_buffer, t ↔ state.step + 1.
        """
        grad, params, lr = self._prepare(grad, params, lr)
        shape = params.shape
        if self._uses_weight_decay:
            grad = grad + self._full("weight_decay", shape) * params
        buffer, direction = state.momentum_buffer, grad
        if self._uses_momentum:
            momentum = self._full("momentum", shape)
            first_step = state.step == 0
            if first_step.all():  # what np.where would pick in every row
                buffer = grad.copy()
            else:
                dampening = self._full("dampening", shape)
                # (1 - 0) * g is g exactly: skip the product when no row is dampened
                undamped = not isinstance(dampening, np.ndarray) and dampening == 0
                later = momentum * buffer + (grad if undamped else (1 - dampening) * grad)
                buffer = later if not first_step.any() else np.where(
                    first_step[:, None], grad, later)
            direction = grad + momentum * buffer if self.nesterov else buffer
            if self._some_rows_without_momentum:
                direction = np.where(momentum == 0, grad, direction)  # no buffer in torch there
        new_params = params - lr * direction
        return new_params, SGDState(step=state.step + 1.0, momentum_buffer=buffer)


# --------------------------------------------------------------------------- Adagrad


class AdagradState(NamedTuple):
    """State of :class:`Adagrad`: step (n,) and the running sum of squared gradients (n, dim)."""

    step: np.ndarray
    sum: np.ndarray


class Adagrad(Optimizer):
    r"""AdaGrad, as ``torch.optim.Adagrad``.

    Each coordinate's step is divided by the root of its summed squared gradients, so
    coordinates with large past gradients slow down. The update, equation by equation beside the
    code, is in :meth:`update`.

    Parameters
    ----------
    lr : float or (n,) array, default 1e-2
    lr_decay : float or (n,) array, default 0
        :math:`\eta` >= 0.
    weight_decay : float or (n,) array, default 0
    initial_accumulator_value : float or (n,) array, default 0
        Starting value of the sum :math:`s_0`, >= 0.
    eps : float or (n,) array, default 1e-10
        Added to the root, > 0 (PyTorch also accepts 0; here it could divide 0 by 0).

    Notes
    -----
    Duchi et al. have no learning-rate decay; ``lr_decay`` is PyTorch's addition. The
    :math:`\epsilon` is added outside the square root.

    References
    ----------
    Duchi, Hazan, Singer (2011). Adaptive subgradient methods for online learning and stochastic
    optimization. JMLR 12.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Adagrad(lr=0.5)
    >>> x = np.array([[1.0]])
    >>> x, state = opt.update(np.array([[3.0]]), opt.init(x), x)   # 1 - 0.5 * 3 / sqrt(9)
    >>> x, state.sum
    (array([[0.5]]), array([[9.]]))
    """

    name = "Adagrad"
    State = AdagradState

    def __init__(self, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):
        self._store(
            lr=_hyperparameter("lr", lr),
            lr_decay=_hyperparameter("lr_decay", lr_decay),
            weight_decay=_hyperparameter("weight_decay", weight_decay),
            initial_accumulator_value=_hyperparameter(
                "initial_accumulator_value", initial_accumulator_value),
            eps=_hyperparameter("eps", eps, low_open=True),
        )
        self._uses_weight_decay = _nonzero(self._values["weight_decay"])

    def init(self, params) -> AdagradState:
        """Fresh state: ``sum`` starts at ``initial_accumulator_value``."""
        params = self._check_params(params)
        (start,) = self._columns("initial_accumulator_value")
        start = np.broadcast_to(start, params.shape)
        return AdagradState(step=np.zeros(params.shape[0]), sum=np.array(start, dtype=float))

    def update(self, grad, state: AdagradState, params, lr=None):
        """One step: return ``(new_params, new_state)``; ``lr`` overrides the base rate.

        With t counting from 1 and s_0 = initial_accumulator_value, one line of code per line::

            g   ← g + λ θ                          (when λ ≠ 0)
            γ̃_t ← γ / (1 + (t − 1) η)
            s_t ← s_{t-1} + g²
            θ   ← θ − γ̃_t g / (√s_t + ε)

        θ ↔ params, g ↔ grad, γ ↔ lr, η ↔ lr_decay, λ ↔ weight_decay, ε ↔ eps,
        γ̃_t ↔ decayed_lr, s_t ↔ state.sum, t ↔ state.step + 1.
        """
        grad, params, lr = self._prepare(grad, params, lr)
        shape = params.shape
        lr_decay, eps = self._full("lr_decay", shape), self._full("eps", shape)
        step = state.step + 1.0
        if self._uses_weight_decay:
            grad = grad + self._full("weight_decay", shape) * params
        if not isinstance(lr_decay, np.ndarray) and lr_decay == 0:
            decayed_lr = lr  # lr / (1 + (t - 1) 0) is lr exactly
        else:
            decayed_lr = lr / (1 + (step[:, None] - 1) * lr_decay)
        square_sum = state.sum + grad * grad
        new_params = params - decayed_lr * (grad / (np.sqrt(square_sum) + eps))
        return new_params, AdagradState(step=step, sum=square_sum)


# --------------------------------------------------------------------------- RMSprop


class RMSpropState(NamedTuple):
    """State of :class:`RMSprop`: step (n,); square_avg, and when used momentum_buffer and
    grad_avg (centered), each (n, dim)."""

    step: np.ndarray
    square_avg: np.ndarray
    momentum_buffer: np.ndarray | None
    grad_avg: np.ndarray | None


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    Each coordinate's step is divided by a running root mean square of its gradients. The
    update, equation by equation beside the code, is in :meth:`update`; all buffers start at
    zero.

    Parameters
    ----------
    lr : float or (n,) array, default 1e-2
    alpha : float or (n,) array, default 0.99
        Smoothing constant :math:`\alpha` in [0, 1].
    eps : float or (n,) array, default 1e-8
        Added to the root, > 0.
    weight_decay : float or (n,) array, default 0
    momentum : float or (n,) array, default 0
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation instead of its RMS.

    Notes
    -----
    RMSprop was proposed in Hinton's lecture notes, the centered form by Graves (2013).
    PyTorch adds :math:`\epsilon` outside the root (TensorFlow inside). In exact arithmetic
    :math:`v_t \ge \bar g_t^2`; rounding can make the difference a hair below zero, where
    PyTorch would return NaN, so here it is clipped at zero first.

    References
    ----------
    Hinton, Srivastava, Swersky. Neural networks for machine learning, lecture 6e.
    Graves (2013). Generating sequences with recurrent neural networks. arXiv:1308.0850.

    Examples
    --------
    >>> import numpy as np
    >>> opt = RMSprop(lr=0.01, alpha=0.75, eps=1e-8)
    >>> x = np.array([[1.0]])
    >>> x, state = opt.update(np.array([[2.0]]), opt.init(x), x)   # v = 0.25 * 4 = 1
    >>> state.square_avg
    array([[1.]])
    """

    name = "RMSprop"
    State = RMSpropState

    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        self._store(
            lr=_hyperparameter("lr", lr),
            alpha=_hyperparameter("alpha", alpha, high=1.0),
            eps=_hyperparameter("eps", eps, low_open=True),
            weight_decay=_hyperparameter("weight_decay", weight_decay),
            momentum=_hyperparameter("momentum", momentum),
        )
        self.centered = bool(centered)
        self._uses_momentum = _nonzero(self._values["momentum"])
        self._uses_weight_decay = _nonzero(self._values["weight_decay"])

    def _flags(self):
        return {"centered": self.centered}

    def init(self, params) -> RMSpropState:
        """Fresh state: every buffer zero."""
        params = self._check_params(params)
        return RMSpropState(
            step=np.zeros(params.shape[0]),
            square_avg=np.zeros_like(params),
            momentum_buffer=np.zeros_like(params) if self._uses_momentum else None,
            grad_avg=np.zeros_like(params) if self.centered else None,
        )

    def update(self, grad, state: RMSpropState, params, lr=None):
        """One step: return ``(new_params, new_state)``; ``lr`` overrides the base rate.

        One line of code per line here::

            g   ← g + λ θ                          (when λ ≠ 0)
            v_t ← α v_{t-1} + (1 − α) g²
            ḡ_t ← α ḡ_{t-1} + (1 − α) g            (centered)
            a_t ← √(v_t − ḡ_t²) + ε  (centered)   or   a_t ← √v_t + ε
            d   ← g / a_t
            b_t ← μ b_{t-1} + d,  d ← b_t          (when μ ≠ 0)
            θ   ← θ − γ d

        θ ↔ params, g ↔ grad, γ ↔ lr, α ↔ alpha, μ ↔ momentum, λ ↔ weight_decay, ε ↔ eps,
        v_t ↔ state.square_avg, ḡ_t ↔ state.grad_avg, b_t ↔ state.momentum_buffer,
        a_t ↔ avg.
        """
        grad, params, lr = self._prepare(grad, params, lr)
        shape = params.shape
        alpha, eps, weight_decay, momentum = (self._full(name, shape) for name in (
            "alpha", "eps", "weight_decay", "momentum"))
        if self._uses_weight_decay:
            grad = grad + weight_decay * params
        square_avg = alpha * state.square_avg + (1 - alpha) * grad * grad
        grad_avg = state.grad_avg
        if self.centered:
            grad_avg = alpha * grad_avg + (1 - alpha) * grad
            # v_t ≥ ḡ_t² exactly, but rounding can dip below zero, where torch gives NaN
            avg = np.sqrt(np.maximum(square_avg - grad_avg * grad_avg, 0.0)) + eps
        else:
            avg = np.sqrt(square_avg) + eps
        direction = grad / avg
        buffer = state.momentum_buffer
        if self._uses_momentum:
            buffer = momentum * buffer + direction
            direction = buffer
        new_params = params - lr * direction
        new_state = RMSpropState(step=state.step + 1.0, square_avg=square_avg,
                                 momentum_buffer=buffer, grad_avg=grad_avg)
        return new_params, new_state


# --------------------------------------------------------------------------- Adam and AdamW


class AdamState(NamedTuple):
    """State of :class:`Adam` and :class:`AdamW`: step (n,); exp_avg, exp_avg_sq and (amsgrad)
    max_exp_avg_sq, each (n, dim)."""

    step: np.ndarray
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray | None


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam``.

    Running averages of the gradient and of its square, both bias-corrected, set each
    coordinate's step. The update, equation by equation beside the code, is in :meth:`update`;
    all moments start at zero.

    Parameters
    ----------
    lr : float or (n,) array, default 1e-3
    betas : pair of (float or (n,) array), default (0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)` of the two moments, each in [0, 1).
    eps : float or (n,) array, default 1e-8
        Added to the bias-corrected root, > 0.
    weight_decay : float or (n,) array, default 0
        L2 penalty :math:`\lambda` added to the gradient (see :class:`AdamW` for the decoupled
        form).
    amsgrad : bool, default False
        Divide by the largest second moment seen so far.
    bias_correction : bool, default True
        Divide by :math:`1-\beta_1^t` and :math:`\sqrt{1-\beta_2^t}` (PyTorch's algorithm).
        ``False`` drops both factors, so the step is :math:`\gamma\, m_t / (\sqrt{v_t} +
        \epsilon)`. **This flag is not in** ``torch.optim.Adam``: it exists to show what the
        correction does (with the default betas and a constant gradient the first step is then
        :math:`\gamma (1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16\,\gamma` instead of
        :math:`\gamma`).

    Notes
    -----
    This is Algorithm 1 of Kingma & Ba with the bias corrections folded into the step size, and
    :math:`\epsilon` added after the second-moment correction, as in the paper. For AMSGrad,
    Reddi et al. use the running maximum without bias correction; PyTorch takes the maximum of
    the uncorrected :math:`v_t` and then divides by :math:`\sqrt{1-\beta_2^t}` of the current
    step, which is what is done here.

    References
    ----------
    Kingma, Ba (2015). Adam: a method for stochastic optimization. ICLR.
    Reddi, Kale, Kumar (2018). On the convergence of Adam and beyond. ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Adam(lr=0.1)
    >>> x = np.array([[1.0, 1.0]])
    >>> x, state = opt.update(np.array([[5.0, -0.01]]), opt.init(x), x)
    >>> x.round(6)        # the first step has length lr in every coordinate
    array([[0.9, 1.1]])
    """

    name = "Adam"
    State = AdamState

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                 bias_correction=True):
        beta1, beta2 = _betas(betas)
        self._store(
            lr=_hyperparameter("lr", lr),
            beta1=beta1,
            beta2=beta2,
            eps=_hyperparameter("eps", eps, low_open=True),
            weight_decay=_hyperparameter("weight_decay", weight_decay),
        )
        self.amsgrad = bool(amsgrad)
        if not isinstance(bias_correction, (bool, np.bool_)):
            raise TypeError(f"bias_correction must be True or False, got {bias_correction!r}")
        self.bias_correction = bool(bias_correction)
        self._uses_weight_decay = _nonzero(self._values["weight_decay"])

    def _flags(self):
        # The default (PyTorch's algorithm) is not shown: repr stays as torch's names.
        flags = {"amsgrad": self.amsgrad}
        if not self.bias_correction:
            flags["bias_correction"] = False
        return flags

    def init(self, params) -> AdamState:
        """Fresh state: both moments zero (and their running maximum, with ``amsgrad``)."""
        params = self._check_params(params)
        return AdamState(
            step=np.zeros(params.shape[0]),
            exp_avg=np.zeros_like(params),
            exp_avg_sq=np.zeros_like(params),
            max_exp_avg_sq=np.zeros_like(params) if self.amsgrad else None,
        )

    def update(self, grad, state: AdamState, params, lr=None):
        """One step: return ``(new_params, new_state)``; ``lr`` overrides the base rate.

        With t counting from 1; the first line is here, the rest one line of code each in
        :meth:`_adam_step` just below::

            g   ← g + λ θ                          (L2 penalty, when λ ≠ 0)
            m_t ← β₁ m_{t-1} + (1 − β₁) g
            v_t ← β₂ v_{t-1} + (1 − β₂) g²
            v̂_t ← max(v̂_{t-1}, v_t)  (amsgrad)   or   v̂_t ← v_t
            d_t ← √v̂_t / √(1 − β₂ᵗ) + ε            bias_correction=False:  d_t ← √v̂_t + ε
            θ   ← θ − γ / (1 − β₁ᵗ) · m_t / d_t                            θ ← θ − γ · m_t / d_t

        θ ↔ params, g ↔ grad, γ ↔ lr, (β₁, β₂) ↔ betas, λ ↔ weight_decay, ε ↔ eps,
        m_t ↔ state.exp_avg, v_t ↔ state.exp_avg_sq, v̂_t ↔ state.max_exp_avg_sq (amsgrad),
        d_t ↔ denom, t ↔ state.step + 1. The factors 1/√(1 − β₂ᵗ) and 1/(1 − β₁ᵗ) are the bias
        corrections; ``bias_correction=False`` (not a ``torch.optim`` option) drops them.
        """
        grad, params, lr = self._prepare(grad, params, lr)
        if self._uses_weight_decay:
            grad = grad + self._full("weight_decay", params.shape) * params
        return self._adam_step(grad, state, params, lr)

    def _adam_step(self, grad, state: AdamState, params, lr):
        """The Adam step proper, from m_t on; shared by :class:`Adam` and :class:`AdamW`."""
        shape = params.shape
        beta1, beta2, eps = (self._full(name, shape) for name in ("beta1", "beta2", "eps"))
        step = state.step + 1.0
        exp_avg = beta1 * state.exp_avg + (1 - beta1) * grad
        exp_avg_sq = beta2 * state.exp_avg_sq + (1 - beta2) * grad * grad
        max_exp_avg_sq = state.max_exp_avg_sq
        if self.amsgrad:
            max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
        second_moment = max_exp_avg_sq if self.amsgrad else exp_avg_sq
        if not self.bias_correction:  # not a torch option: the step without the two factors
            denom = np.sqrt(second_moment) + eps
            new_params = params - lr * (exp_avg / denom)
            return new_params, AdamState(step, exp_avg, exp_avg_sq, max_exp_avg_sq)
        uniform = _uniform(step)
        bias_correction1 = 1 - _power(self._broadcast["beta1"], step, uniform)
        bias_correction2 = 1 - _power(self._broadcast["beta2"], step, uniform)
        denom = np.sqrt(second_moment) / np.sqrt(bias_correction2) + eps
        new_params = params - (lr / bias_correction1) * (exp_avg / denom)
        return new_params, AdamState(step, exp_avg, exp_avg_sq, max_exp_avg_sq)


class AdamW(Adam):
    r"""Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    The same update as :class:`Adam`, except that the weight decay no longer enters the gradient
    (and so the moments): it is a step of its own that shrinks the parameters,
    :math:`\theta \leftarrow \theta - \gamma \lambda \theta`, before the Adam step. The update,
    equation by equation beside the code, is in :meth:`update`.

    Parameters are those of :class:`Adam`; only the default ``weight_decay`` differs (1e-2).

    Notes
    -----
    Loshchilov & Hutter scale the decay by a schedule multiplier :math:`\eta_t` only, so it is
    independent of the learning rate; PyTorch multiplies it by the learning rate
    :math:`\gamma` (as a schedule changes :math:`\gamma`, the decay follows). This class does
    what PyTorch does.

    References
    ----------
    Loshchilov, Hutter (2019). Decoupled weight decay regularization. ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> opt = AdamW(lr=0.1, weight_decay=0.5)
    >>> x = np.array([[2.0]])
    >>> x, state = opt.update(np.array([[0.0]]), opt.init(x), x)   # zero gradient: decay only
    >>> x
    array([[1.9]])
    """

    name = "AdamW"

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    def update(self, grad, state: AdamState, params, lr=None):
        """One step: return ``(new_params, new_state)``; ``lr`` overrides the base rate.

        With t counting from 1; the decay step is here, the Adam step one line of code per line
        in :meth:`Adam._adam_step`::

            θ   ← θ − γ λ θ                        (decay step, when λ ≠ 0; g is untouched)
            m_t ← β₁ m_{t-1} + (1 − β₁) g
            v_t ← β₂ v_{t-1} + (1 − β₂) g²
            v̂_t ← max(v̂_{t-1}, v_t)  (amsgrad)   or   v̂_t ← v_t
            d_t ← √v̂_t / √(1 − β₂ᵗ) + ε
            θ   ← θ − γ / (1 − β₁ᵗ) · m_t / d_t

        θ ↔ params, g ↔ grad, γ ↔ lr, (β₁, β₂) ↔ betas, λ ↔ weight_decay, ε ↔ eps,
        m_t ↔ state.exp_avg, v_t ↔ state.exp_avg_sq, v̂_t ↔ state.max_exp_avg_sq (amsgrad),
        d_t ↔ denom, t ↔ state.step + 1.
        """
        grad, params, lr = self._prepare(grad, params, lr)
        if self._uses_weight_decay:
            weight_decay = self._full("weight_decay", params.shape)
            params = params * (1 - lr * weight_decay)  # θ − γλθ, factored as torch computes it
        return self._adam_step(grad, state, params, lr)


# --------------------------------------------------------------------------- Adadelta


class AdadeltaState(NamedTuple):
    """State of :class:`Adadelta`: step (n,); square_avg and acc_delta, each (n, dim)."""

    step: np.ndarray
    square_avg: np.ndarray
    acc_delta: np.ndarray


class Adadelta(Optimizer):
    r"""Adadelta, as ``torch.optim.Adadelta``.

    Each step is the gradient scaled by the ratio of two running roots: of past squared steps
    over past squared gradients. The update, equation by equation beside the code, is in
    :meth:`update`; both accumulators start at zero.

    Parameters
    ----------
    lr : float or (n,) array, default 1.0
        Scales :math:`\Delta_t` before it is applied.
    rho : float or (n,) array, default 0.9
        Decay :math:`\rho` of both running averages, in [0, 1].
    eps : float or (n,) array, default 1e-6
        Added inside both roots, > 0.
    weight_decay : float or (n,) array, default 0

    Notes
    -----
    Zeiler's method has no learning rate: it is this update with :math:`\gamma = 1`, PyTorch's
    default.

    References
    ----------
    Zeiler (2012). ADADELTA: an adaptive learning rate method. arXiv:1212.5701.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Adadelta(rho=0.0, eps=1e-6)
    >>> x = np.array([[1.0]])
    >>> x, state = opt.update(np.array([[3.0]]), opt.init(x), x)   # step sqrt(eps/(9+eps)) * 3
    >>> print(f"{1 - x[0, 0]:.9f}")
    0.001000000
    """

    name = "Adadelta"
    State = AdadeltaState

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        self._store(
            lr=_hyperparameter("lr", lr),
            rho=_hyperparameter("rho", rho, high=1.0),
            eps=_hyperparameter("eps", eps, low_open=True),
            weight_decay=_hyperparameter("weight_decay", weight_decay),
        )
        self._uses_weight_decay = _nonzero(self._values["weight_decay"])

    def init(self, params) -> AdadeltaState:
        """Fresh state: both accumulators zero."""
        params = self._check_params(params)
        return AdadeltaState(step=np.zeros(params.shape[0]), square_avg=np.zeros_like(params),
                             acc_delta=np.zeros_like(params))

    def update(self, grad, state: AdadeltaState, params, lr=None):
        """One step: return ``(new_params, new_state)``; ``lr`` overrides the base rate.

        One line of code per line here::

            g   ← g + λ θ                          (when λ ≠ 0)
            v_t ← ρ v_{t-1} + (1 − ρ) g²
            Δ_t ← √(u_{t-1} + ε) / √(v_t + ε) · g
            u_t ← ρ u_{t-1} + (1 − ρ) Δ_t²
            θ   ← θ − γ Δ_t

        θ ↔ params, g ↔ grad, γ ↔ lr, ρ ↔ rho, λ ↔ weight_decay, ε ↔ eps,
        v_t ↔ state.square_avg, u_t ↔ state.acc_delta, Δ_t ↔ delta.
        """
        grad, params, lr = self._prepare(grad, params, lr)
        rho, eps, weight_decay = (self._full(name, params.shape)
                                  for name in ("rho", "eps", "weight_decay"))
        if self._uses_weight_decay:
            grad = grad + weight_decay * params
        square_avg = rho * state.square_avg + (1 - rho) * grad * grad
        delta = np.sqrt(state.acc_delta + eps) / np.sqrt(square_avg + eps) * grad
        acc_delta = rho * state.acc_delta + (1 - rho) * delta * delta
        new_params = params - lr * delta
        return new_params, AdadeltaState(state.step + 1.0, square_avg, acc_delta)


# --------------------------------------------------------------------------- Adamax


class AdamaxState(NamedTuple):
    """State of :class:`Adamax`: step (n,); exp_avg and exp_inf, each (n, dim)."""

    step: np.ndarray
    exp_avg: np.ndarray
    exp_inf: np.ndarray


class Adamax(Optimizer):
    r"""Adamax, the infinity-norm variant of Adam, as ``torch.optim.Adamax``.

    Adam's root of the second moment is replaced by a decaying maximum of :math:`|g|`. The
    update, equation by equation beside the code, is in :meth:`update`.

    Parameters
    ----------
    lr : float or (n,) array, default 2e-3
    betas : pair of (float or (n,) array), default (0.9, 0.999)
        Each in [0, 1).
    eps : float or (n,) array, default 1e-8
        > 0.
    weight_decay : float or (n,) array, default 0

    Notes
    -----
    Kingma & Ba (section 7.1) use :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)`; PyTorch adds
    :math:`\epsilon` to :math:`|g_t|` inside the maximum so :math:`u_t` is never zero.

    References
    ----------
    Kingma, Ba (2015). Adam: a method for stochastic optimization. ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Adamax(lr=0.1)
    >>> x = np.array([[1.0]])
    >>> x, state = opt.update(np.array([[4.0]]), opt.init(x), x)
    >>> x.round(6), state.exp_inf.round(6)     # u = |g| + eps
    (array([[0.9]]), array([[4.]]))
    """

    name = "Adamax"
    State = AdamaxState

    def __init__(self, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        beta1, beta2 = _betas(betas)
        self._store(
            lr=_hyperparameter("lr", lr),
            beta1=beta1,
            beta2=beta2,
            eps=_hyperparameter("eps", eps, low_open=True),
            weight_decay=_hyperparameter("weight_decay", weight_decay),
        )
        self._uses_weight_decay = _nonzero(self._values["weight_decay"])

    def init(self, params) -> AdamaxState:
        """Fresh state: both buffers zero."""
        params = self._check_params(params)
        return AdamaxState(step=np.zeros(params.shape[0]), exp_avg=np.zeros_like(params),
                           exp_inf=np.zeros_like(params))

    def update(self, grad, state: AdamaxState, params, lr=None):
        """One step: return ``(new_params, new_state)``; ``lr`` overrides the base rate.

        With t counting from 1, one line of code per line here::

            g   ← g + λ θ                          (when λ ≠ 0)
            m_t ← β₁ m_{t-1} + (1 − β₁) g
            u_t ← max(β₂ u_{t-1}, |g| + ε)
            θ   ← θ − γ / (1 − β₁ᵗ) · m_t / u_t

        θ ↔ params, g ↔ grad, γ ↔ lr, (β₁, β₂) ↔ betas, λ ↔ weight_decay, ε ↔ eps,
        m_t ↔ state.exp_avg, u_t ↔ state.exp_inf, t ↔ state.step + 1.
        """
        grad, params, lr = self._prepare(grad, params, lr)
        beta1, beta2, eps, weight_decay = (self._full(name, params.shape)
                                           for name in ("beta1", "beta2", "eps", "weight_decay"))
        step = state.step + 1.0
        if self._uses_weight_decay:
            grad = grad + weight_decay * params
        exp_avg = beta1 * state.exp_avg + (1 - beta1) * grad
        exp_inf = np.maximum(beta2 * state.exp_inf, np.abs(grad) + eps)
        bias_correction = 1 - _power(self._broadcast["beta1"], step)
        new_params = params - (lr / bias_correction) * (exp_avg / exp_inf)
        return new_params, AdamaxState(step, exp_avg, exp_inf)


# --------------------------------------------------------------------------- NAdam


class NAdamState(NamedTuple):
    """State of :class:`NAdam`: step and mu_product (n,); exp_avg and exp_avg_sq (n, dim)."""

    step: np.ndarray
    mu_product: np.ndarray
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


class NAdam(Optimizer):
    r"""Adam with Nesterov momentum, as ``torch.optim.NAdam``.

    Adam whose step looks one momentum step ahead, with a momentum coefficient :math:`\mu_t`
    that warms up over the first steps. The update, equation by equation beside the code, is in
    :meth:`update`; :math:`\Pi_0 = 1` and the moments start at zero.

    Parameters
    ----------
    lr : float or (n,) array, default 2e-3
    betas : pair of (float or (n,) array), default (0.9, 0.999)
        Each in [0, 1).
    eps : float or (n,) array, default 1e-8
        > 0.
    weight_decay : float or (n,) array, default 0
    momentum_decay : float or (n,) array, default 4e-3
        :math:`\psi` >= 0, how fast the momentum coefficient :math:`\mu_t` warms up.
    decoupled_weight_decay : bool, default False
        Shrink the parameters directly (as :class:`AdamW`) instead of adding
        :math:`\lambda\theta` to the gradient.

    Notes
    -----
    Dozat's NAdam with his momentum schedule :math:`\mu_t` (the 0.96 and :math:`\psi = 0.004`
    come from the paper). Unlike Adam, the first moment is bias-corrected with the product
    of the :math:`\mu` (:math:`\Pi_t`), not with :math:`1 - \beta_1^t`.

    References
    ----------
    Dozat (2016). Incorporating Nesterov momentum into Adam. ICLR workshop.

    Examples
    --------
    >>> import numpy as np
    >>> opt = NAdam(lr=0.1)
    >>> x = np.array([[1.0]])
    >>> x, state = opt.update(np.array([[2.0]]), opt.init(x), x)
    >>> state.mu_product.round(6)        # 0.9 * (1 - 0.5 * 0.96 ** 0.004)
    array([0.450073])
    """

    name = "NAdam"
    State = NAdamState

    def __init__(self, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3, decoupled_weight_decay=False):
        beta1, beta2 = _betas(betas)
        self._store(
            lr=_hyperparameter("lr", lr),
            beta1=beta1,
            beta2=beta2,
            eps=_hyperparameter("eps", eps, low_open=True),
            weight_decay=_hyperparameter("weight_decay", weight_decay),
            momentum_decay=_hyperparameter("momentum_decay", momentum_decay),
        )
        self.decoupled_weight_decay = bool(decoupled_weight_decay)
        self._uses_weight_decay = _nonzero(self._values["weight_decay"])

    def _flags(self):
        return {"decoupled_weight_decay": self.decoupled_weight_decay}

    def init(self, params) -> NAdamState:
        """Fresh state: ``mu_product`` one, both moments zero."""
        params = self._check_params(params)
        n = params.shape[0]
        return NAdamState(step=np.zeros(n), mu_product=np.ones(n),
                          exp_avg=np.zeros_like(params), exp_avg_sq=np.zeros_like(params))

    def update(self, grad, state: NAdamState, params, lr=None):
        """One step: return ``(new_params, new_state)``; ``lr`` overrides the base rate.

        With t counting from 1, one line of code per line here::

            θ     ← θ − γ λ θ      (decoupled)  or  g ← g + λ θ     (when λ ≠ 0)
            μ_t   ← β₁ (1 − ½ · 0.96^(t ψ))
            μ_t+1 ← β₁ (1 − ½ · 0.96^((t + 1) ψ))
            Π_t   ← Π_{t-1} μ_t
            m_t   ← β₁ m_{t-1} + (1 − β₁) g
            v_t   ← β₂ v_{t-1} + (1 − β₂) g²
            d_t   ← √(v_t / (1 − β₂ᵗ)) + ε
            θ     ← θ − γ (1 − μ_t) / (1 − Π_t) · g / d_t
                      − γ μ_t+1 / (1 − Π_t μ_t+1) · m_t / d_t

        θ ↔ params, g ↔ grad, γ ↔ lr, (β₁, β₂) ↔ betas, λ ↔ weight_decay, ε ↔ eps,
        ψ ↔ momentum_decay, μ_t ↔ mu, μ_t+1 ↔ mu_next, Π_t ↔ state.mu_product,
        m_t ↔ state.exp_avg, v_t ↔ state.exp_avg_sq, d_t ↔ denom, t ↔ state.step + 1.
        """
        grad, params, lr = self._prepare(grad, params, lr)
        shape = params.shape
        beta1, beta2, eps, weight_decay, momentum_decay = self._columns(
            "beta1", "beta2", "eps", "weight_decay", "momentum_decay")
        step = state.step + 1.0
        uniform = _uniform(step)
        if self._uses_weight_decay and self.decoupled_weight_decay:
            params = params * (1 - lr * self._full("weight_decay", shape))  # as torch factors it
        elif self._uses_weight_decay:
            grad = grad + self._full("weight_decay", shape) * params
        if uniform and not isinstance(momentum_decay, np.ndarray) and not isinstance(
                beta1, np.ndarray):
            # One step, ψ and β₁ for all rows: μ_t is one number. Its powers are still taken on
            # an array (a scalar power may differ in the last bit), of two entries, not 2n.
            t = step[0]
            powers = 0.96 ** np.array([t * momentum_decay, (t + 1) * momentum_decay])
            mu = beta1 * (1 - 0.5 * powers[0])
            mu_next = beta1 * (1 - 0.5 * powers[1])
        else:
            t = step[:, None]
            mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
            mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_product = state.mu_product[:, None] * mu
        full_beta1, full_beta2 = self._full("beta1", shape), self._full("beta2", shape)
        exp_avg = full_beta1 * state.exp_avg + (1 - full_beta1) * grad
        exp_avg_sq = full_beta2 * state.exp_avg_sq + (1 - full_beta2) * grad * grad
        denom = np.sqrt(exp_avg_sq / (1 - _power(beta2, step, uniform))) + self._full("eps", shape)
        new_params = (
            params
            - (lr * (1 - mu) / (1 - mu_product)) * (grad / denom)
            - (lr * mu_next / (1 - mu_product * mu_next)) * (exp_avg / denom)
        )
        return new_params, NAdamState(step, mu_product[:, 0], exp_avg, exp_avg_sq)
