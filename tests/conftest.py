"""Test-wide settings: property tests draw the same examples on every run.

Hypothesis would otherwise pick new random examples each time, so a run could fail on one
machine and pass on the next. Derandomized, every run (and CI) checks the same examples; to
explore new ones locally, run ``HYPOTHESIS_PROFILE=explore pytest``.
"""

import os

from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
