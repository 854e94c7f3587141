"""gradlab's optimizers and schedules against torch.optim itself, when PyTorch is installed.

PyTorch is not a CI dependency: without it this module is skipped, and
``tests/test_torch_fixture.py`` checks gradlab against PyTorch's stored answers instead. Here
every case of ``tests/torch_oracle.py`` runs live, and the stored answers
(``tests/fixtures/torch_trajectories.npz``) are checked to still be what PyTorch gives; to
regenerate them run ``python -m tests.torch_oracle`` from the repository root. The comparisons
run in float64 (PyTorch keeps some scalar state, such as NAdam's ``mu_product``, in the default
dtype, so the default is switched to float64 for the duration of each test).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tests.torch_oracle import (  # noqa: E402
    ATOL,
    CASES,
    LR_ATOL,
    LR_RTOL,
    RTOL,
    SCHEDULE_BASE_LR,
    SCHEDULE_CASES,
    SCHEDULES,
    float64_default,
    load_fixture,
    torch_answers,
    torch_schedule_lrs,
)


@pytest.fixture(autouse=True)
def float64():
    with float64_default():
        yield


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_option_matches_torch_step_by_step(case):
    np.testing.assert_allclose(case.gradlab_points(), case.torch_points(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", SCHEDULE_CASES)
def test_schedules_match_torch_lr_scheduler(name):
    expected = torch_schedule_lrs(name)
    for t in range(len(expected)):
        assert SCHEDULES[name](t, SCHEDULE_BASE_LR) == pytest.approx(
            expected[t], rel=LR_RTOL, abs=LR_ATOL)


def test_the_stored_answers_are_what_torch_gives_now():
    stored, header = load_fixture()
    fresh = torch_answers()
    assert sorted(stored) == sorted(fresh), "cases changed: python -m tests.torch_oracle"
    for key, array in fresh.items():
        np.testing.assert_allclose(stored[key], array, rtol=RTOL, atol=ATOL, err_msg=key)
    if header["torch"] != torch.__version__:
        pytest.skip(f"fixture made with torch {header['torch']}, this is {torch.__version__}; "
                    "the numbers agree")
