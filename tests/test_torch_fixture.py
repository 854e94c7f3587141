"""gradlab against PyTorch's stored answers, in every environment (CI has no PyTorch).

``tests/fixtures/torch_trajectories.npz`` holds the float64 trajectories ``torch.optim`` gave for
every case of ``tests/torch_oracle.py`` (every optimizer and option, the defaults, a sweep of
rates, scheduled runs) and the learning rates of its schedulers; its header says which PyTorch
made it and how. ``tests/test_against_torch.py`` re-checks the same cases live where PyTorch is
installed; ``python -m tests.torch_oracle`` regenerates the file.
"""

import numpy as np
import pytest

from tests.torch_oracle import (
    ATOL,
    CASES,
    LR_ATOL,
    LR_RTOL,
    RTOL,
    SCHEDULE_BASE_LR,
    SCHEDULE_CASES,
    SCHEDULES,
    STEPS,
    load_fixture,
)

STORED, HEADER = load_fixture()


def test_the_fixture_holds_every_case_and_says_how_it_was_made():
    expected = {f"points/{case.id}" for case in CASES} | {f"lrs/{n}" for n in SCHEDULE_CASES}
    assert set(STORED) == expected, "cases changed: regenerate with python -m tests.torch_oracle"
    assert [case["id"] for case in HEADER["cases"]] == [case.id for case in CASES]
    assert HEADER["steps"] == STEPS and HEADER["dtype"] == "float64"
    assert HEADER["torch"] and "tests.torch_oracle" in HEADER["made_by"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_option_matches_the_stored_torch_trajectory(case):
    expected = STORED[f"points/{case.id}"]
    assert expected.shape == (STEPS + 1, len(case.starts), 2)
    np.testing.assert_allclose(case.gradlab_points(), expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", SCHEDULE_CASES)
def test_schedules_match_the_stored_torch_learning_rates(name):
    expected = STORED[f"lrs/{name}"]
    assert expected.shape == (STEPS + 1,)
    for t in range(STEPS + 1):
        assert SCHEDULES[name](t, SCHEDULE_BASE_LR) == pytest.approx(
            expected[t], rel=LR_RTOL, abs=LR_ATOL)
