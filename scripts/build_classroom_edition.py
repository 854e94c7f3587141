"""Build the graded classroom edition of the lessons: an nbgrader course folder.

Usage::

    python scripts/build_classroom_edition.py --out COURSE                # every graded lesson
    python scripts/build_classroom_edition.py --out COURSE lesson_02 05   # some of them

The lessons in ``notebooks/`` are read, never changed. For each lesson ``lesson_NN`` the script
writes into COURSE (creating it, or updating those lessons in an existing course folder):

``source/lesson_NN/<lesson>.ipynb``
    The teacher's version. Every exercise's learner cells and its hidden ``# Solution`` cell
    become one *autograded answer* cell: the learner's starting lines (``answer_1 = None``, a
    ``def`` that returns None), then the solution between ``### BEGIN SOLUTION`` and
    ``### END SOLUTION``. Each check the learner cells called (``answers.check_...``) becomes an
    *autograder test* cell worth one point that asserts the check passes; the assertion is a
    hidden test, so students see only which check it is. A check that took its answer as a
    literal (``answers.check_first_step(0.0)``) gets a variable (``my_first_step = 0.0``).
    An open exercise (a solution with no check) becomes an ungraded answer cell.
``source/lesson_NN/answers/``
    The student's copy of the lesson's answers module: only what the lesson body still uses (the
    predict-then-reveal answers, ungraded). The exercise checkers are left out, since reading
    them would give the graded answers away.
``answer_key/answers/``
    The course's whole answers package, checkers included. It sits outside ``source/``, so
    nbgrader never copies it into ``release/``; ``nbgrader_config.py`` puts it first on the
    autograder kernels' ``sys.path``, where the lesson's ``from answers import lesson_NN`` finds
    it instead of the student's copy.
``nbgrader_config.py``
    The course's settings (see ``CONFIG`` below).

Then ``nbgrader generate_assignment`` writes the student edition to ``release/lesson_NN``. The
PredictRevealCheck widgets stay as they are, ungraded: a choice made in a widget is not saved in
the notebook, so there is nothing for the autograder to read.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import pathlib
import re
import shutil
import sys
from dataclasses import dataclass

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ANSWERS = NOTEBOOKS / "answers"
POINTS_PER_CHECK = 1
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE: your answer, in the lines above or below"

CONFIG = '''\
"""nbgrader settings for gradlab's classroom edition (written by build_classroom_edition.py)."""
import pathlib

c = get_config()  # noqa: F821  (nbgrader defines it)
c.CourseDirectory.course_id = "gradlab"

# A blank answer keeps its starting line (answer_1 = None, a def that returns None), so the
# notebook runs to the end and only that exercise's graded test fails.
c.ClearSolutions.code_stub = {{"python": {stub!r}}}

# Some lessons train small networks: give a cell as long as the course's own tests do.
c.Execute.timeout = 300

# The answer key (the exercise checkers) lives in answer_key/, outside source/, so it is never
# released. The autograder's kernels put it first on sys.path, where the lessons'
# `from answers import lesson_NN` finds it instead of the student's copy, which has no checkers.
ANSWER_KEY = pathlib.Path(__file__).resolve().parent / "answer_key"
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    f"--IPKernelApp.exec_lines=import sys; sys.path.insert(0, {{str(ANSWER_KEY)!r}})",
]
'''

GRADED_EDITION_NOTE = """\
**Graded edition.** Work in the cells that say `# YOUR CODE HERE`: keep the names they start
with (`answer_1`, `descend`, ...) and do not delete or move cells. The exercise checks are not in
this copy: they run when your notebook is graded, one point each (the cell under each answer
says which check). The predict-then-reveal questions are for you and are not graded. Before you
hand in, choose *Kernel → Restart Kernel and Run All Cells* and check that the notebook runs to
the end."""


class BuildError(Exception):
    """A lesson whose exercises do not have the shape this script knows how to grade."""


# --------------------------------------------------------------------------------------------
# Reading a lesson's exercises


@dataclass
class Check:
    """One ``answers.check_...(...)`` call of a learner cell, as the test cell will make it."""

    checker: str
    args: list[str]          # each argument's source, literals replaced by their variable


@dataclass
class Exercise:
    """Learner cells (none for an open exercise) and the hidden solution cell after them."""

    learner: list[int]
    solution: int


def lessons() -> dict[str, pathlib.Path]:
    """Every lesson notebook by assignment name: ``{"lesson_01": .../01_....ipynb, ...}``."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    return {f"lesson_{path.name[:2]}": path for path in paths}


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and cell.source.startswith("# Solution")


def check_calls(tree: ast.Module) -> list[tuple[ast.stmt, ast.Call]]:
    """The top-level statements of a cell that are a call ``answers.check_...(...)``."""
    found = []
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "answers"
                and call.func.attr.startswith("check_")):
            found.append((statement, call))
    return found


def parse(source: str, where: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise BuildError(f"{where} is not plain Python: {error}") from None


def calls_a_checker(cell, where: str) -> bool:
    # Only cells that mention a checker need to be plain Python (others may hold %magics).
    return (cell.cell_type == "code" and "answers.check_" in cell.source
            and bool(check_calls(parse(cell.source, where))))


def exercises(nb, lesson: str) -> list[Exercise]:
    """Group the cells: learner cells that call a checker, then the solution cell after them."""
    found, pending = [], []
    for index, cell in enumerate(nb.cells):
        if is_solution(cell):
            found.append(Exercise(learner=pending, solution=index))
            pending = []
        elif calls_a_checker(cell, f"{lesson} cell {index}"):
            pending.append(index)
        elif pending:
            raise BuildError(f"{lesson}: cell {pending[-1]} calls a checker but no '# Solution' "
                             "cell follows it")
    if pending:
        raise BuildError(f"{lesson}: cell {pending[-1]} calls a checker but has no solution")
    return found


# --------------------------------------------------------------------------------------------
# Editing cell sources by the positions ast gives (columns count UTF-8 bytes)


def _offset(lines: list[bytes], line: int, column: int) -> int:
    return sum(len(text) for text in lines[:line - 1]) + column


def replace_nodes(source: str, edits: list[tuple[ast.AST, str]]) -> str:
    """``source`` with each node's text replaced; a node replaced by "" loses its whole line."""
    data = source.encode()
    lines = data.splitlines(keepends=True)
    for node, text in sorted(edits, key=lambda edit: (edit[0].lineno, edit[0].col_offset),
                             reverse=True):
        start = _offset(lines, node.lineno, node.col_offset)
        end = _offset(lines, node.end_lineno, node.end_col_offset)
        if not text:  # drop the statement's lines, up to and including the newline
            start = _offset(lines, node.lineno, 0)
            end = data.find(b"\n", end) + 1 or len(data)
        data = data[:start] + text.encode() + data[end:]
    return data.decode()


def _source_of(node: ast.AST, source: str) -> str:
    return ast.get_source_segment(source, node)


def learner_stub(sources: list[str], lesson: str) -> tuple[str, list[Check]]:
    """The learner cells without their check calls, and the checks the tests will make.

    An argument that is not a name (``answers.check_first_step(0.0)``) becomes a variable named
    after the checker (``my_first_step = 0.0``), so the test can read the learner's answer.
    """
    parts, checks = [], []
    for source in sources:
        edits = []
        for statement, call in check_calls(parse(source, lesson)):
            if call.keywords:
                raise BuildError(f"{lesson}: {call.func.attr} is called with keywords")
            args, assignments = [], []
            for arg in call.args:
                if isinstance(arg, ast.Name):
                    args.append(arg.id)
                else:
                    variable = "my_" + call.func.attr.removeprefix("check_")
                    assignments.append(f"{variable} = {_source_of(arg, source)}")
                    args.append(variable)
            if len(assignments) > 1:
                raise BuildError(f"{lesson}: {call.func.attr} takes two literal answers")
            checks.append(Check(call.func.attr, args))
            edits.append((statement, "\n".join(assignments)))
        parts.append(replace_nodes(source, edits).strip())
    return "\n\n".join(part for part in parts if part), checks


def bound_names(source: str) -> set[str]:
    """The names a cell binds at its top level (its variables, functions and imports)."""
    return set().union(*(_defined(statement) for statement in ast.parse(source).body))


def solution_body(source: str, checks: list[Check], answers: set[str], lesson: str) -> str:
    """The solution without its check calls, then the lines that hand its results to the
    learner's names ``answers`` (``answer_1 = x_10`` where the solution checked ``x_10``)."""
    calls = check_calls(parse(source, lesson))
    by_checker = {call.func.attr: call for _, call in calls}
    bridges = []
    for check in checks:
        call = by_checker.get(check.checker)
        if call is None or len(call.args) != len(check.args):
            raise BuildError(f"{lesson}: the solution does not call {check.checker} as the "
                             "learner cell does")
        for mine, arg in zip(check.args, call.args, strict=True):
            theirs = _source_of(arg, source)
            if mine == theirs:
                continue
            if mine not in answers:  # the lesson's data must reach the check unchanged
                raise BuildError(f"{lesson}: {check.checker} gets {theirs!r} in the solution "
                                 f"where the learner cell passes {mine!r}")
            bridges.append(f"{mine} = {theirs}")
    extra = set(by_checker) - {check.checker for check in checks}
    if extra:
        raise BuildError(f"{lesson}: the solution calls {sorted(extra)}, which no learner cell "
                         "calls")
    body = replace_nodes(source, [(statement, "") for statement, _ in calls]).rstrip()
    return "\n".join([body, *dict.fromkeys(bridges)])


# --------------------------------------------------------------------------------------------
# The nbgrader notebook


def nbgrader_metadata(grade_id: str, *, solution: bool, points: int | None = None) -> dict:
    """nbgrader's cell metadata: an autograded answer (solution) or an autograder test."""
    meta = {"schema_version": 3, "grade_id": grade_id, "solution": solution,
            "grade": points is not None, "locked": points is not None, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def answer_cell(stub: str, solution: str, grade_id: str):
    """The learner's starting lines, then the solution that nbgrader replaces by the stub."""
    parts = [stub] if stub else []
    cell = nbformat.v4.new_code_cell("\n".join([*parts, BEGIN_SOLUTION, solution.strip(),
                                                END_SOLUTION]))
    cell.metadata["nbgrader"] = nbgrader_metadata(grade_id, solution=True)
    return cell


def test_cell(check: Check):
    """A hidden test, worth POINTS_PER_CHECK, that asserts the learner's check passes."""
    call = f"answers.{check.checker}({', '.join(check.args)})"
    source = "\n".join([
        f"# Graded ({POINTS_PER_CHECK} point): {call} runs here when your notebook is graded.",
        BEGIN_HIDDEN,
        f'assert {call}, "not right yet: the sentence above says why"',
        END_HIDDEN,
    ])
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = nbgrader_metadata(check.checker, solution=False,
                                                  points=POINTS_PER_CHECK)
    return cell


def clean(cell):
    """A copy of a lesson cell without its outputs and run times: the edition starts blank."""
    cell = nbformat.from_dict(dict(cell))
    cell.metadata = {k: v for k, v in cell.metadata.items() if k != "execution"}
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def graded_cells(nb, exercise: Exercise, number: int, lesson: str) -> tuple[list, int]:
    """The cells that replace one exercise's learner and solution cells, and its check count."""
    stub, checks = learner_stub([nb.cells[i].source for i in exercise.learner], lesson)
    solution = solution_body(nb.cells[exercise.solution].source, checks, bound_names(stub),
                             lesson)
    grade_id = f"answer_{number}" if exercise.learner else f"open_{number}"
    return [answer_cell(stub, solution, grade_id), *map(test_cell, checks)], len(checks)


def source_notebook(path: pathlib.Path, lesson: str):
    """The lesson as an nbgrader source notebook, and the number of graded checks."""
    nb = nbformat.read(path, as_version=4)
    groups = exercises(nb, lesson)
    if not any(group.learner for group in groups):
        raise BuildError(f"{lesson} has no exercise with a check, so nothing to grade")
    replacing = {}         # the solution cell's index -> the cells that take the group's place
    dropped, graded = set(), 0
    for number, group in enumerate(groups, start=1):
        replacing[group.solution], count = graded_cells(nb, group, number, lesson)
        dropped.update(group.learner)
        graded += count
    cells = [clean(nb.cells[0]), nbformat.v4.new_markdown_cell(GRADED_EDITION_NOTE)]
    for index, cell in enumerate(nb.cells[1:], start=1):
        if index in replacing:
            cells.extend(replacing[index])
        elif index not in dropped:
            cells.append(clean(cell))
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb, graded


# --------------------------------------------------------------------------------------------
# The student's answers module: only what the student's notebook uses


def answers_used(nb, skip_regions: bool = True) -> set[str]:
    """Every ``answers.<name>`` the code cells refer to (solution and hidden-test text left out,
    since nbgrader removes it from the student's copy)."""
    transform = TransformerManager().transform_cell
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        if skip_regions:
            for begin, end in ((BEGIN_SOLUTION, END_SOLUTION), (BEGIN_HIDDEN, END_HIDDEN)):
                source = re.sub(rf"{re.escape(begin)}.*?{re.escape(end)}", "", source, flags=re.S)
        for node in ast.walk(ast.parse(transform(source))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "answers"):
                names.add(node.attr)
    return names


def _defined(statement: ast.stmt) -> set[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    targets = statement.targets if isinstance(statement, ast.Assign) else \
        [getattr(statement, "target", None)]
    return {node.id for target in targets if target is not None
            for node in ast.walk(target) if isinstance(node, ast.Name)}


def _used(statement: ast.stmt) -> set[str]:
    return {node.id for node in ast.walk(statement) if isinstance(node, ast.Name)}


def student_module(text: str, wanted: set[str]) -> str:
    """``text`` (an answers module) cut down to ``wanted`` and what those need, comments kept."""
    tree = ast.parse(text)
    lines = text.splitlines()
    body = tree.body
    docstring = body[0] if body and isinstance(body[0], ast.Expr) and \
        isinstance(body[0].value, ast.Constant) else None
    statements = [s for s in body if s is not docstring]
    missing = wanted - set().union(*(_defined(s) for s in statements))
    if missing:
        raise BuildError(f"the lesson uses answers.{sorted(missing)[0]}, which is not defined")
    keep = set(wanted)
    while True:  # the closure: what kept statements use, defined at the top level
        more = set().union(*(_used(s) for s in statements if _defined(s) & keep)) - keep
        more &= set().union(*(_defined(s) for s in statements))
        if not more:
            break
        keep |= more
    chunks = []
    for statement in statements:
        if not _defined(statement) & keep:
            continue
        first = min([statement.lineno] + [d.lineno for d in
                                          getattr(statement, "decorator_list", [])])
        while first > 1 and lines[first - 2].startswith("#"):  # the comment just above it
            first -= 1
        chunks.append("\n".join(lines[first - 1:statement.end_lineno]))
    head = ('"""The answers to this lesson\'s predict-then-reveal checks: open it only after '
            'answering.\n\nThe graded edition leaves the exercise checkers out; your exercises '
            'are checked when\nyour notebook is graded."""')
    return "\n\n\n".join([head, *chunks]) + "\n"


STUDENT_INIT = '"""The answers to the lessons\' predict-then-reveal checks (graded edition)."""\n'


# --------------------------------------------------------------------------------------------
# The course folder


def write_lesson(course: pathlib.Path, lesson: str, name: str, nb) -> None:
    """Write source/<lesson>/: the notebook ``nb`` as ``name``, and the student's answers."""
    folder = course / "source" / lesson
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "answers").mkdir(parents=True)
    nbformat.write(nb, folder / name)
    module = f"{lesson}.py"
    (folder / "answers" / "__init__.py").write_text(STUDENT_INIT)
    (folder / "answers" / module).write_text(
        student_module((ANSWERS / module).read_text(), answers_used(nb)))


def write_course(course: pathlib.Path) -> None:
    """nbgrader_config.py and the answer key, shared by every lesson."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG.format(stub=CODE_STUB))
    key = course / "answer_key" / "answers"
    if key.exists():
        shutil.rmtree(key)
    shutil.copytree(ANSWERS, key, ignore=shutil.ignore_patterns("__pycache__"))


@contextlib.contextmanager
def nbgrader_scripts_on_path():
    """Put this Python's scripts folder on PATH for a while: nbgrader runs the ``alembic``
    command installed beside it, also when this environment is not activated."""
    before = os.environ.get("PATH", "")
    os.environ["PATH"] = str(pathlib.Path(sys.executable).parent) + os.pathsep + before
    try:
        yield
    finally:
        os.environ["PATH"] = before


def generate(course: pathlib.Path, names: list[str]) -> None:
    """``nbgrader generate_assignment`` for each lesson (through nbgrader's Python API, in this
    process): release/<lesson>, the student edition."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    api = NbGraderAPI(CourseDirectory(config=config, root=str(course)), config=config)
    with nbgrader_scripts_on_path():
        for lesson in names:
            result = api.generate_assignment(lesson, force=True)
            if not result["success"]:
                raise BuildError(f"nbgrader generate_assignment {lesson} failed:\n"
                                 f"{result.get('error', '')}{result.get('log', '')}")


def check_release(course: pathlib.Path, lesson: str) -> None:
    """The student edition uses only what its answers module holds, and holds no checker."""
    release = course / "release" / lesson
    (notebook,) = release.glob("*.ipynb")
    text = (release / "answers" / f"{lesson}.py").read_text()
    defined = set().union(*(_defined(s) for s in ast.parse(text).body))
    missing = answers_used(nbformat.read(notebook, as_version=4), skip_regions=False) - defined
    if missing or any(name.startswith("check_") for name in defined):
        raise BuildError(f"{lesson}: the release's answers module does not fit its notebook "
                         f"(missing {sorted(missing)})")


def resolve(names: list[str]) -> dict[str, pathlib.Path]:
    """The lessons named on the command line (``lesson_02`` or ``02``), all with exercises by
    default."""
    available = lessons()
    if not names:
        return {name: path for name, path in available.items()
                if any(group.learner for group in exercises(nbformat.read(path, 4), name))}
    chosen = {}
    for name in names:
        key = f"lesson_{name}" if re.fullmatch(r"\d\d", name) else name
        if key not in available:
            raise BuildError(f"no lesson {name!r}; the lessons are {', '.join(available)}")
        chosen[key] = available[key]
    return chosen


def build(course: pathlib.Path, names: list[str]) -> dict[str, int]:
    """Write the course folder for the lessons ``names``; return each lesson's graded checks."""
    course = course.resolve()
    if course == ROOT or ROOT / "notebooks" in [course, *course.parents]:
        raise BuildError(f"{course} is inside the course's own notebooks; choose another folder")
    chosen = resolve(names)
    # Every lesson is converted before anything is written: a lesson that cannot be graded
    # leaves the course folder as it was.
    converted = {lesson: source_notebook(path, lesson) for lesson, path in chosen.items()}
    write_course(course)
    for lesson, (nb, _) in converted.items():
        write_lesson(course, lesson, chosen[lesson].name, nb)
    generate(course, list(chosen))
    for lesson in chosen:
        check_release(course, lesson)
    return {lesson: graded for lesson, (_, graded) in converted.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=pathlib.Path,
                        help="the nbgrader course folder to write (created if missing)")
    parser.add_argument("lessons", nargs="*", help="lesson_NN or NN (default: every lesson "
                        "with exercises)")
    args = parser.parse_args(argv)
    try:
        counts = build(args.out, args.lessons)
    except BuildError as error:
        parser.error(str(error))
    for lesson, graded in counts.items():
        print(f"{lesson}: {graded} graded checks, {graded * POINTS_PER_CHECK} points")
    print(f"Student edition in {args.out / 'release'}; teacher's versions in "
          f"{args.out / 'source'}; answer key in {args.out / 'answer_key'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
