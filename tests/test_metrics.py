"""Tests of gradlab.metrics: counts made by hand."""

import numpy as np
import pytest

from gradlab.metrics import precision_recall


def test_precision_recall_counts_by_hand():
    flagged = np.array([1, 1, 1, 0, 0, 0, 1], bool)
    truth = np.array([1, 0, 1, 1, 0, 0, 0], bool)
    # 2 hits among 4 flagged; 2 of 3 true anomalies found.
    assert precision_recall(flagged, truth) == (0.5, 2 / 3)
    assert precision_recall(np.zeros(3, bool), np.ones(3, bool)) == (0.0, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        precision_recall(np.zeros(3, bool), np.zeros(4, bool))
