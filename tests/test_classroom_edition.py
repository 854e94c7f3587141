"""The graded classroom edition (``scripts/build_classroom_edition.py``), round trip in nbgrader.

In a temporary course folder: build the edition of every lesson that has exercises, hand in two
copies of each student edition — one with the teacher's solutions pasted into its answer cells,
one left blank — run ``nbgrader autograde`` on them, and read the scores from nbgrader's
gradebook. The solutions must get every point, the blank copy none; and the blank copy must
still run to the end, with errors only in the graded test cells.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "build_classroom_edition.py"
STUDENTS = ("solved", "blank")


def _load_script():
    spec = importlib.util.spec_from_file_location("build_classroom_edition", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module       # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


edition = _load_script()
GRADED_LESSONS = sorted(edition.resolve([]))


def nbgrader_env() -> dict[str, str]:
    """The environment for an nbgrader command: it runs ``alembic`` from its own folder."""
    scripts = str(pathlib.Path(sys.executable).parent)
    return {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


def notebook_of(folder: pathlib.Path) -> pathlib.Path:
    (notebook,) = folder.glob("*.ipynb")
    return notebook


def hand_in(course: pathlib.Path, lesson: str, student: str) -> None:
    """Copy the student edition to submitted/<student>/<lesson>, answers filled in or not.

    The "solved" student's answer cells get the source notebook's answer cells, solution
    included: what a student who wrote the teacher's solutions would hand in.
    """
    folder = course / "submitted" / student / lesson
    shutil.copytree(course / "release" / lesson, folder)
    if student == "blank":
        return
    solutions = {grade_id(cell): cell.source
                 for cell in nbformat.read(notebook_of(course / "source" / lesson), 4).cells
                 if cell.metadata.get("nbgrader", {}).get("solution")}
    path = notebook_of(folder)
    nb = nbformat.read(path, 4)
    for cell in nb.cells:
        if grade_id(cell) in solutions:
            cell.source = solutions[grade_id(cell)]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> pathlib.Path:
    """A course folder built by the script's command line, as a teacher would."""
    folder = tmp_path_factory.mktemp("course")
    built = subprocess.run([sys.executable, str(SCRIPT), "--out", str(folder)],
                           capture_output=True, text=True, cwd=ROOT)
    assert built.returncode == 0, built.stderr
    return folder


@pytest.fixture(scope="module")
def graded(course) -> pathlib.Path:
    """The course after both students handed in every lesson and ``nbgrader autograde`` ran."""
    for lesson in GRADED_LESSONS:
        for student in STUDENTS:
            hand_in(course, lesson, student)
    result = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "*"], cwd=course,
                            env=nbgrader_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return course


def scores(course: pathlib.Path, lesson: str, student: str) -> dict[str, tuple[float, float]]:
    """``{test cell: (score, max score)}`` of one submission, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    notebook = notebook_of(course / "release" / lesson).stem
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(notebook, lesson, student)
        return {grade.name: (grade.score, grade.max_score) for grade in submission.grades}


def errors_outside_tests(path: pathlib.Path) -> list[str]:
    """Every error (or printed traceback) of an executed notebook outside its test cells."""
    found = []
    for index, cell in enumerate(nbformat.read(path, 4).cells):
        if cell.cell_type != "code" or is_test(cell):
            continue
        for output in cell.outputs:
            if output.output_type == "error" or "Traceback (most recent call last)" in \
                    output.get("text", ""):
                found.append(f"cell {index}: {output.get('ename', '')} "
                             f"{output.get('evalue', output.get('text', ''))[:300]}")
    return found


# ---- the build --------------------------------------------------------------------------------


def test_every_lesson_with_exercises_is_graded():
    assert GRADED_LESSONS == [f"lesson_0{n}" for n in range(1, 10)]


def test_the_release_holds_no_answer(course):
    """No solution, hidden test, stored output or exercise checker reaches the students."""
    for lesson in GRADED_LESSONS:
        release = course / "release" / lesson
        nb = nbformat.read(notebook_of(release), 4)
        text = "\n".join(cell.source for cell in nb.cells)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert not any(cell.source.startswith("# Solution") for cell in nb.cells)
        assert not any(cell.get("outputs") for cell in nb.cells)
        assert sum(is_test(cell) for cell in nb.cells) >= 3
        for module in release.rglob("*.py"):
            assert not re.search(r"^def check_", module.read_text(), re.M), module
    assert not list((course / "release").rglob("common.py"))   # the checkers' helpers
    assert (course / "answer_key" / "answers" / "lesson_02.py").exists()


def test_a_literal_answer_gets_a_variable_and_the_solution_fills_it():
    stub, checks = edition.learner_stub(
        ["answers.check_first_step(0.0)   # replace 0.0 with your answer"], "lesson_07")
    assert stub == "my_first_step = 0.0   # replace 0.0 with your answer"
    assert [(c.checker, c.args) for c in checks] == [("check_first_step", ["my_first_step"])]
    body = edition.solution_body("# Solution\nanswers.check_first_step(0.1 / 0.1)\nx = 1",
                                 checks, {"my_first_step"}, "lesson_07")
    assert body == "# Solution\nx = 1\nmy_first_step = 0.1 / 0.1"


def test_a_solution_may_not_change_the_lessons_data():
    _, checks = edition.learner_stub(["answers.check_exercise_3(answer_3, data)"], "lesson_02")
    with pytest.raises(edition.BuildError, match="where the learner cell passes 'data'"):
        edition.solution_body("answers.check_exercise_3(7, other_data)", checks, {"answer_3"},
                              "lesson_02")


@pytest.mark.parametrize("name, message", [
    ("lesson_42", "no lesson 'lesson_42'; the lessons are lesson_00, lesson_01"),
    ("00", "lesson_00 has no exercise with a check"),
])
def test_the_command_line_names_the_lessons_it_knows(tmp_path, capsys, name, message):
    with pytest.raises(SystemExit) as stop:
        edition.main(["--out", str(tmp_path / "course"), name])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "course").exists()          # nothing written


# ---- the round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("lesson", GRADED_LESSONS)
def test_the_solutions_get_full_marks(graded, lesson):
    got = scores(graded, lesson, "solved")
    assert got and all(score == maximum > 0 for score, maximum in got.values()), got
    source = nbformat.read(notebook_of(graded / "source" / lesson), 4)
    assert sorted(got) == sorted(grade_id(cell) for cell in source.cells if is_test(cell))
    assert errors_outside_tests(notebook_of(graded / "autograded" / "solved" / lesson)) == []


@pytest.mark.parametrize("lesson", GRADED_LESSONS)
def test_a_blank_notebook_gets_zero_and_still_runs_to_the_end(graded, lesson):
    got = scores(graded, lesson, "blank")
    assert got and all(score == 0 for score, _ in got.values()), got
    path = notebook_of(graded / "autograded" / "blank" / lesson)
    assert errors_outside_tests(path) == []
    cells = [cell for cell in nbformat.read(path, 4).cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in cells)     # every cell ran
    tests = [cell for cell in cells if is_test(cell)]
    assert all(any(o.output_type == "error" and o.ename == "AssertionError" for o in cell.outputs)
               for cell in tests)
