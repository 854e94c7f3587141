"""Every link in every lesson's prose opens something that exists.

A link to another lesson must name an existing notebook, and its ``#fragment`` (or a bare
``#fragment`` within the same lesson) must be the anchor JupyterLab gives one of that lesson's
headings. Links to the web are left alone: the tests run without a network.
"""

from __future__ import annotations

import json
import pathlib
import re
from urllib.parse import unquote

import pytest

from tests.test_question_map import anchors_of

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# [label](target): a markdown link; the target ends at the first space or closing parenthesis.
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
HTML_LINK = re.compile(r"""<a\s[^>]*href=["']([^"']+)["']""")


def links_in(path: pathlib.Path) -> list[str]:
    notebook = json.loads(path.read_text())
    targets = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        targets += [target for _, target in MARKDOWN_LINK.findall(text)]
        targets += HTML_LINK.findall(text)
    return targets


def broken_links(path: pathlib.Path) -> list[str]:
    broken = []
    for target in links_in(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):      # http:, https:, mailto: ...
            continue
        name, _, fragment = target.partition("#")
        linked = (path.parent / unquote(name)) if name else path
        if not linked.exists():
            broken.append(f"{target}: no file {linked.name}")
        elif fragment and linked.suffix == ".ipynb" and unquote(fragment) not in anchors_of(linked):
            broken.append(f"{target}: {linked.name} has no heading with that anchor")
    return broken


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_link_in_the_lesson_resolves(path):
    broken = broken_links(path)
    assert not broken, f"{path.name}:\n" + "\n".join(broken)


def test_a_broken_link_is_caught(tmp_path):
    lesson = tmp_path / "01_lesson.ipynb"
    lesson.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": [
            "# 1. A heading\n", "See [here](#1.-A-heading), [there](#nowhere), ",
            "[next](02_missing.ipynb) and [the web](https://example.org).",
        ]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert broken_links(lesson) == [
        "#nowhere: 01_lesson.ipynb has no heading with that anchor",
        "02_missing.ipynb: no file 02_missing.ipynb",
    ]
