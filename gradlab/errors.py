"""The errors gradlab raises on purpose: each says what was wrong and what is allowed."""


class ExpressionError(ValueError):
    """Text that :func:`gradlab.symbolic.parse` refuses, with the offending piece named."""


class EvaluationError(ValueError):
    """A function evaluated where it is not defined (log of a negative, division by zero)."""
