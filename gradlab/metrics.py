"""Scores of a trained model's answers.

:func:`precision_recall` grades a detector's flags against the truth (lesson 09's anomaly
detector).
"""

from __future__ import annotations

import numpy as np

__all__ = ["precision_recall"]


def precision_recall(flagged, truth) -> tuple[float, float]:
    """Precision (share of flagged samples that are true anomalies) and recall (share of true
    anomalies that were flagged); a ratio with nothing to count is reported as 0.

    Examples
    --------
    >>> precision_recall(np.array([1, 1, 0, 0], bool), np.array([1, 0, 1, 0], bool))
    (0.5, 0.5)
    """
    flagged, truth = np.asarray(flagged, bool), np.asarray(truth, bool)
    if flagged.shape != truth.shape:
        raise ValueError(f"flagged and truth must have the same shape; got {flagged.shape} "
                         f"and {truth.shape}")
    hits = int(np.sum(flagged & truth))
    precision = hits / int(flagged.sum()) if flagged.any() else 0.0
    recall = hits / int(truth.sum()) if truth.any() else 0.0
    return precision, recall
