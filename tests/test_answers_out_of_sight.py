"""A learner reads a lesson top to bottom without meeting an answer before choosing.

The answers, hints and explanations of the predict-then-reveal checks, and the expected values
of the exercise checkers, live in ``notebooks/answers/`` (one module per lesson); a lesson only
asks. These tests read the stored notebooks as a learner (or a GitHub reader) sees them:

- no check cell spells out its answer, hints or explanation, and no lesson defines an exercise
  checker (whose expected value would sit in its source);
- a worked solution is folded, its outputs too, so "x_10 = 2.677877" is not on show;
- no cell before a check, nor the check itself, shows its answer in its prose, code or outputs.
  The stored check keeps its answer only in the folded part of its static fallback (and in
  ``data-answer``, which is how this test knows it).
"""

from __future__ import annotations

import html
import json
import pathlib
import re

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
CHECK_OUTPUT = re.compile(r'<div class="gradlab-check" data-answer="([^"]*)"')
DETAILS = re.compile(r"<details>.*?</details>", re.S)
SPELLED_OUT = re.compile(r"\b(answer|explanation|hints)\s*=")


def _cells(path: pathlib.Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def visible_text(cell: dict) -> str:
    """What a reader sees of a cell: its source and its outputs, folded parts left out."""
    if cell["cell_type"] != "code":
        return _source(cell)
    hidden = cell.get("metadata", {}).get("jupyter", {})
    parts = [] if hidden.get("source_hidden") else [_source(cell)]
    if not hidden.get("outputs_hidden"):
        for output in cell.get("outputs", []):
            if "text" in output:
                parts.append("".join(output["text"]))
            for kind in ("text/plain", "text/markdown", "text/latex"):
                if kind in output.get("data", {}):
                    parts.append("".join(output["data"][kind]))
            if "text/html" in output.get("data", {}):
                page = DETAILS.sub("", "".join(output["data"]["text/html"]))
                parts.append(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    return "\n".join(parts)


def checks_of(path: pathlib.Path) -> list[tuple[int, str]]:
    """(cell index, answer) of every predict-then-reveal check stored in the lesson."""
    found = []
    for index, cell in enumerate(_cells(path)):
        for output in cell.get("outputs", []):
            page = "".join(output.get("data", {}).get("text/html", ""))
            found += [(index, html.unescape(a)) for a in CHECK_OUTPUT.findall(page)]
    return found


def answer_pattern(answer: str) -> re.Pattern | None:
    """How the answer would show in text; None where any text would match it.

    A number is looked for as a number (not inside a longer one); a small whole number, or a
    one-word option such as "yes", stands in too many sentences to mean anything, so those
    checks rest on the source rules alone.
    """
    try:
        value = float(answer)
    except ValueError:
        if len(answer.split()) < 2:
            return None
        return re.compile(re.escape(answer), re.I)
    if value == int(value) and abs(value) < 100:
        return None
    return re.compile(rf"(?<![\d.]){re.escape(answer)}(?![\d])")


def leaks(path: pathlib.Path) -> list[str]:
    cells = _cells(path)
    found = []
    for index, cell in enumerate(cells):
        source = _source(cell)
        if cell["cell_type"] != "code":
            continue
        if "PredictRevealCheck(" in source and SPELLED_OUT.search(source):
            found.append(f"cell {index}: the check spells out its answer, hints or explanation")
        if re.search(r"^def check_", source, re.M):
            found.append(f"cell {index}: an exercise checker defined in the lesson")
        if source.lstrip().startswith("# Solution"):
            hidden = cell.get("metadata", {}).get("jupyter", {})
            if not (hidden.get("source_hidden") and hidden.get("outputs_hidden")):
                found.append(f"cell {index}: a solution whose source or outputs are not folded")
    for index, answer in checks_of(path):
        pattern = answer_pattern(answer)
        if pattern is None:
            continue
        for earlier in range(index + 1):
            if earlier == index:  # the check shows its question and names every choice
                text = re.sub(r"options\s*=\s*\[.*?\]", "", _source(cells[index]), flags=re.S)
            else:
                text = visible_text(cells[earlier])
            if pattern.search(text):
                found.append(f"cell {earlier} shows {answer!r}, the answer of the check in "
                             f"cell {index}")
    return found


def test_every_lesson_has_checks_with_stored_answers():
    assert all(checks_of(path) for path in LESSONS)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_no_answer_is_in_sight_before_its_question(path):
    found = leaks(path)
    assert not found, f"{path.name}:\n" + "\n".join(found)


def test_a_leak_is_caught(tmp_path):
    check = ('<div class="gradlab-check" data-answer="converge, zig-zagging"><p>q</p>'
             "<details><summary>Answer</summary><p>converge, zig-zagging</p></details></div>")
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["It will converge, zig-zagging."]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": [
            'PredictRevealCheck("q", options=["converge, zig-zagging", "diverge"], '
            'answer="converge, zig-zagging", explanation="e")'],
         "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                      "data": {"text/html": check, "text/plain": "Check: q"}}]},
        {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [],
         "source": ["# Solution\n", "x = 1"]},
    ]
    lesson = tmp_path / "01_lesson.ipynb"
    lesson.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                  "nbformat_minor": 5}))
    assert leaks(lesson) == [
        "cell 1: the check spells out its answer, hints or explanation",
        "cell 2: a solution whose source or outputs are not folded",
        "cell 0 shows 'converge, zig-zagging', the answer of the check in cell 1",
        "cell 1 shows 'converge, zig-zagging', the answer of the check in cell 1",
    ]
