"""Argument checks shared by gradlab's modules: each returns the clean value or raises an error
that names the argument, says what is allowed and shows what it got.

A check used by one module only stays private in that module; the checks here are the ones
several modules need. This module sits at the bottom of the package: it imports numpy and
nothing from gradlab.

A wrong *kind* of value (a float where an integer is needed, text where a number is needed)
raises ``TypeError``; a value of the right kind outside the allowed range raises ``ValueError``.

Examples
--------
>>> check_int("steps", 40)
40
>>> check_positive("lr", 0.1)
0.1
>>> check_window([(-2, 2), (-1, 3)], 2)
((-2.0, 2.0), (-1.0, 3.0))
>>> check_start([0.5, 1.0], ((-2.0, 2.0), (-1.0, 3.0))).tolist()
[0.5, 1.0]
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "as_rows",
    "check_int",
    "check_nonnegative",
    "check_positive",
    "check_rng",
    "check_start",
    "check_window",
]


def check_rng(rng: Any) -> np.random.Generator:
    """``rng`` itself if it is a ``numpy.random.Generator``, else ``TypeError``.

    Examples
    --------
    >>> check_rng(np.random.default_rng(0)) is not None
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )
    return rng


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an ``int`` after checking it is an integer ``>= minimum``.

    ``True``/``False`` and whole floats such as ``2.0`` are refused (``TypeError``): a count
    is written as an integer.

    Examples
    --------
    >>> check_int("seed", np.int64(3), minimum=0)
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_real(name: str, value: Any, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number {allowed}, got {value!r}")
    return float(value)


def check_positive(name: str, value: Any) -> float:
    """``value`` as a ``float`` after checking it is a finite number ``> 0``."""
    number = _check_real(name, value, "> 0")
    if not (np.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def check_nonnegative(name: str, value: Any) -> float:
    """``value`` as a ``float`` after checking it is a finite number ``>= 0``."""
    number = _check_real(name, value, ">= 0")
    if not (np.isfinite(number) and number >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return number


def check_window(window: Any, dim: int, name: str = "window") -> tuple[tuple[float, float], ...]:
    """``window`` as ``dim`` float pairs ``(low, high)``, each finite with ``low < high``.

    Examples
    --------
    >>> check_window([(0, 1)], 1)
    ((0.0, 1.0),)
    """
    try:
        pairs = np.asarray(window, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {dim} pair(s) (low, high), got {window!r}") from None
    if pairs.shape != (dim, 2):
        raise ValueError(f"{name} must be {dim} pair(s) (low, high), got {window!r}")
    if not np.all(np.isfinite(pairs)) or np.any(pairs[:, 0] >= pairs[:, 1]):
        raise ValueError(f"{name} needs finite pairs with low < high, got {window!r}")
    return tuple((float(lo), float(hi)) for lo, hi in pairs)


def check_start(start: Any, window: Any, name: str = "start") -> np.ndarray:
    """One point, ``len(window)`` finite numbers inside the (closed) ``window``, as floats.

    ``window`` is a sequence of ``(low, high)`` pairs, one per coordinate.
    """
    try:
        point = np.asarray(start, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {len(window)} finite number(s), got {start!r}") from None
    if point.shape != (len(window),) or not np.all(np.isfinite(point)):
        raise ValueError(f"{name} must be {len(window)} finite number(s), got {point.tolist()}")
    for value, (lo, hi), axis in zip(point, window, "xyz", strict=False):
        if not lo <= value <= hi:
            raise ValueError(
                f"{name} {tuple(point.tolist())} lies outside the window: "
                f"{axis} must be in [{lo:g}, {hi:g}]"
            )
    return point


def as_rows(name: str, array) -> tuple[np.ndarray, bool]:
    """Return ``array`` as finite rows ``(n, dim)`` and whether it was a single ``(dim,)`` point."""
    try:
        rows = np.array(array, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers, got {array!r}") from error
    if rows.ndim not in (1, 2) or rows.shape[-1] == 0 or rows.size == 0:
        raise ValueError(
            f"{name} must have shape (dim,) or (n, dim) with n, dim >= 1, got shape {rows.shape}"
        )
    if not np.all(np.isfinite(rows)):
        raise ValueError(f"{name} must be finite, got {array!r}")
    single = rows.ndim == 1
    return (rows[np.newaxis, :] if single else rows), single
