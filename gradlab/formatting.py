"""How gradlab writes a number in a message, a title or a label: :func:`format_number`.

One function, so a number reads the same everywhere: ``digits`` significant digits, infinity
as ``∞`` / ``-∞``, not-a-number as ``nan``, and zero as ``0`` (never ``-0``).

This module sits at the bottom of the package and imports nothing from gradlab.
"""

from __future__ import annotations

import math

__all__ = ["format_number"]


def format_number(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits (``format(value, f".{digits}g")``).

    Parameters
    ----------
    value : float
        Anything ``float()`` accepts (a numpy scalar, an int).
    digits : int
        Significant digits.

    Returns
    -------
    str
        ``'∞'`` and ``'-∞'`` for the infinities, ``'nan'`` for not-a-number, ``'0'`` for both
        zeros, else the ``g`` format.

    Examples
    --------
    >>> format_number(0.0123456), format_number(12345.0), format_number(2 / 3, 5)
    ('0.0123', '1.23e+04', '0.66667')
    >>> format_number(float("inf")), format_number(-float("inf")), format_number(float("nan"))
    ('∞', '-∞', 'nan')
    >>> format_number(-0.0)
    '0'
    """
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"
