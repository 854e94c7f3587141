r"""Learning-rate schedules: how the learning rate changes from step to step.

A schedule is a callable ``schedule(step, base_lr) -> lr``. ``step`` counts from 0 (the rate used
for the first update is ``schedule(0, base_lr)``); ``base_lr`` is a scalar or an ``(n,)`` array
with one rate per trajectory. Both may be arrays and broadcast as numpy does, so
``schedule(np.arange(100), 0.1)`` gives a curve to plot and
``schedule(np.arange(100)[:, None], lrs)`` a ``(100, n)`` table for a sweep.

The formulas are the closed forms of ``torch.optim.lr_scheduler``, with one scheduler step per
optimizer step:

>>> from gradlab.schedules import step_decay
>>> schedule = step_decay(step_size=10, gamma=0.5)
>>> [float(schedule(t, 0.1)) for t in (0, 9, 10, 25)]
[0.1, 0.1, 0.05, 0.025]

Pass a schedule to :func:`gradlab.runner.run` (``schedule=...``), or call it yourself and hand
the rate to an optimizer's ``update(..., lr=schedule(t, opt.lr))``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "Schedule",
    "step_decay",
    "exponential_decay",
    "inverse_time_decay",
    "cosine_annealing",
    "warmup_cosine",
]


def _number(name, value, *, low=None, high=None, low_open=False, high_open=False,
            integer=False):
    """Check one schedule argument; return it as a float (or an int with ``integer=True``)."""
    kind = "an integer" if integer else "a number"
    is_number = isinstance(value, numbers.Integral if integer else numbers.Real)
    if not is_number or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        lower = "" if low is None else f"{'>' if low_open else '>='} {low:g}"
        upper = "" if high is None else f"{'<' if high_open else '<='} {high:g}"
        allowed = " and ".join(part for part in (lower, upper) if part)
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(value) if integer else float(value)


def _steps(step):
    """``step`` as a float array of whole, non-negative step counts."""
    steps = np.asarray(step, dtype=float)
    if not (np.all(steps >= 0) and np.all(steps == np.floor(steps))):
        raise ValueError(f"step must be a whole number >= 0 (or an array of them), got {step!r}")
    return steps


class Schedule:
    """A named learning-rate schedule: call it as ``schedule(step, base_lr)``.

    Subclasses set ``name``, keep their arguments in ``arguments`` and implement
    ``rate(steps, base_lr)`` on arrays.
    """

    name = "schedule"

    def __init__(self, **arguments):
        self.arguments = arguments

    def __call__(self, step, base_lr):
        """The learning rate at ``step`` (counting from 0) for base rate ``base_lr``.

        A float when both are scalars, else an array of their broadcast shape.
        """
        rate = self.rate(_steps(step), np.asarray(base_lr, dtype=float))
        return rate[()]  # a 0-d result becomes a numpy float

    def rate(self, steps, base_lr):
        raise NotImplementedError

    def __repr__(self):
        inside = ", ".join(f"{k}={v!r}" for k, v in self.arguments.items())
        return f"{self.name}({inside})"


class _StepDecay(Schedule):
    name = "step_decay"

    def rate(self, steps, base_lr):
        return base_lr * self.arguments["gamma"] ** np.floor(steps / self.arguments["step_size"])


def step_decay(step_size, gamma=0.1) -> Schedule:
    r"""Multiply the rate by ``gamma`` every ``step_size`` steps (``torch``'s ``StepLR``).

    .. math:: \gamma_t = \gamma_0 \cdot \text{gamma}^{\lfloor t / \text{step\_size} \rfloor}

    Parameters
    ----------
    step_size : int
        Steps between drops, >= 1.
    gamma : float, default 0.1
        Factor applied at each drop, in (0, 1].

    Returns
    -------
    Schedule

    Examples
    --------
    >>> schedule = step_decay(step_size=3, gamma=0.1)
    >>> schedule(np.arange(7), 1.0).round(6)
    array([1.  , 1.  , 1.  , 0.1 , 0.1 , 0.1 , 0.01])
    """
    return _StepDecay(
        step_size=_number("step_size", step_size, low=1, integer=True),
        gamma=_number("gamma", gamma, low=0.0, high=1.0, low_open=True),
    )


class _ExponentialDecay(Schedule):
    name = "exponential_decay"

    def rate(self, steps, base_lr):
        return base_lr * self.arguments["gamma"] ** steps


def exponential_decay(gamma) -> Schedule:
    r"""Multiply the rate by ``gamma`` at every step (``torch``'s ``ExponentialLR``).

    .. math:: \gamma_t = \gamma_0 \cdot \text{gamma}^{t}

    Parameters
    ----------
    gamma : float
        Factor per step, in (0, 1].

    Returns
    -------
    Schedule

    Examples
    --------
    >>> exponential_decay(0.5)(np.arange(4), 1.0)
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    return _ExponentialDecay(gamma=_number("gamma", gamma, low=0.0, high=1.0, low_open=True))


class _InverseTimeDecay(Schedule):
    name = "inverse_time_decay"

    def rate(self, steps, base_lr):
        return base_lr / (1.0 + self.arguments["decay_rate"] * steps)


def inverse_time_decay(decay_rate) -> Schedule:
    r"""Let the rate fall like :math:`1/t` (the classic Robbins–Monro choice).

    .. math:: \gamma_t = \frac{\gamma_0}{1 + \text{decay\_rate} \cdot t}

    PyTorch has no class for this one; it is Keras's ``InverseTimeDecay`` with
    ``decay_steps=1`` and :class:`~gradlab.optimizers.Adagrad`'s ``lr_decay`` rule.

    Parameters
    ----------
    decay_rate : float
        >= 0; 0 keeps the rate constant.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> inverse_time_decay(1.0)(np.arange(4), 1.0).round(4)
    array([1.    , 0.5   , 0.3333, 0.25  ])
    """
    return _InverseTimeDecay(decay_rate=_number("decay_rate", decay_rate, low=0.0))


class _CosineAnnealing(Schedule):
    name = "cosine_annealing"

    def rate(self, steps, base_lr):
        eta_min = self.arguments["eta_min"]
        cosine = 0.5 * (1 + np.cos(np.pi * steps / self.arguments["total_steps"]))
        return eta_min + (base_lr - eta_min) * cosine


def cosine_annealing(total_steps, eta_min=0.0) -> Schedule:
    r"""Fall from the base rate to ``eta_min`` along half a cosine (``CosineAnnealingLR``).

    .. math::

        \gamma_t = \eta_{\min} + (\gamma_0 - \eta_{\min})
                   \frac{1 + \cos(\pi t / T)}{2}, \qquad T = \text{total\_steps}

    Parameters
    ----------
    total_steps : int
        :math:`T` (PyTorch's ``T_max``), >= 1: the rate reaches ``eta_min`` at step :math:`T`.
    eta_min : float, default 0
        The lowest rate, >= 0.

    Returns
    -------
    Schedule

    Notes
    -----
    This is PyTorch's closed form, which for :math:`t > T` climbs back up along the cosine;
    choose ``total_steps`` at least the number of steps you run.

    Examples
    --------
    >>> cosine_annealing(total_steps=4)(np.arange(5), 1.0).round(4)
    array([1.    , 0.8536, 0.5   , 0.1464, 0.    ])
    """
    return _CosineAnnealing(
        total_steps=_number("total_steps", total_steps, low=1, integer=True),
        eta_min=_number("eta_min", eta_min, low=0.0),
    )


class _WarmupCosine(Schedule):
    name = "warmup_cosine"

    def rate(self, steps, base_lr):
        warmup = self.arguments["warmup_steps"]
        total = self.arguments["total_steps"]
        start = self.arguments["warmup_start_factor"]
        eta_min = self.arguments["eta_min"]
        # max(warmup, 1): with no warm-up this branch is never chosen, but must not divide by 0
        warming = base_lr * (start + (1 - start) * steps / max(warmup, 1))
        cosine = 0.5 * (1 + np.cos(np.pi * (steps - warmup) / (total - warmup)))
        annealing = eta_min + (base_lr - eta_min) * cosine
        return np.where(steps < warmup, warming, annealing)


def warmup_cosine(warmup_steps, total_steps, eta_min=0.0, warmup_start_factor=1 / 3) -> Schedule:
    r"""Rise linearly for ``warmup_steps`` steps, then fall along a cosine to ``eta_min``.

    .. math::

        \gamma_t = \begin{cases}
            \gamma_0 \left(f + (1 - f) \dfrac{t}{W}\right) & t < W \\[1ex]
            \eta_{\min} + (\gamma_0 - \eta_{\min})
                \dfrac{1 + \cos\left(\pi \frac{t - W}{T - W}\right)}{2} & t \ge W
        \end{cases}

    with :math:`W` = ``warmup_steps``, :math:`T` = ``total_steps``, :math:`f` =
    ``warmup_start_factor``. This is PyTorch's ``SequentialLR`` of ``LinearLR(start_factor=f,
    total_iters=W)`` followed, from step :math:`W`, by ``CosineAnnealingLR(T_max=T - W,
    eta_min)``.

    Parameters
    ----------
    warmup_steps : int
        :math:`W`, >= 0 and < ``total_steps``; 0 gives plain cosine annealing.
    total_steps : int
        :math:`T`, >= 1: the rate reaches ``eta_min`` at step :math:`T`.
    eta_min : float, default 0
        The lowest rate, >= 0.
    warmup_start_factor : float, default 1/3
        :math:`f`, the fraction of the base rate used at step 0, in (0, 1] (``LinearLR``'s
        default is 1/3).

    Returns
    -------
    Schedule

    Examples
    --------
    >>> schedule = warmup_cosine(warmup_steps=2, total_steps=6, warmup_start_factor=0.5)
    >>> schedule(np.arange(7), 1.0).round(4)
    array([0.5   , 0.75  , 1.    , 0.8536, 0.5   , 0.1464, 0.    ])
    """
    total_steps = _number("total_steps", total_steps, low=1, integer=True)
    warmup_steps = _number("warmup_steps", warmup_steps, low=0, integer=True)
    if warmup_steps >= total_steps:
        raise ValueError(
            f"warmup_steps must be < total_steps, got warmup_steps={warmup_steps}, "
            f"total_steps={total_steps}"
        )
    return _WarmupCosine(
        warmup_steps=warmup_steps,
        total_steps=total_steps,
        eta_min=_number("eta_min", eta_min, low=0.0),
        warmup_start_factor=_number("warmup_start_factor", warmup_start_factor, low=0.0,
                                    high=1.0, low_open=True),
    )
