"""The README's lesson table and Binder links point at the lessons that exist."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_every_lesson_has_a_row_with_a_local_and_a_binder_link():
    for name in LESSONS:
        assert f"](notebooks/{name})" in README, f"no README link to {name}"
        assert f"?urlpath=lab/tree/notebooks/{name})" in README, f"no Binder link to {name}"


def test_every_linked_notebook_exists_and_binder_links_share_one_repository():
    linked = set(re.findall(r"notebooks/([0-9][0-9]_[a-z_]+\.ipynb)", README))
    assert linked and linked <= set(LESSONS), sorted(linked - set(LESSONS))
    repositories = set(re.findall(r"mybinder\.org/v2/gh/([^/]+/[^/]+)/", README))
    assert len(repositories) == 1, repositories


def test_binder_badge_opens_the_start_page():
    badge = re.search(r"\[!\[Binder\]\([^)]*\)\]\(([^)]*)\)", README)
    assert badge and badge.group(1).endswith("urlpath=lab/tree/notebooks/00_start_here.ipynb")
