"""The README's two commands are what a newcomer copies; CI must run the second verbatim."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _command_after(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(re.escape(marker) + r"\s*```bash\n(.+?)\n```", text, re.S)
    assert match, f"README.md has no bash block after {marker}"
    return match.group(1).strip()


def test_readme_has_exactly_one_line_per_command():
    for marker in ("<!-- open-command -->", "<!-- test-command -->"):
        assert "\n" not in _command_after(marker)


def test_test_command_installs_the_test_extra_and_runs_pytest_and_ruff():
    command = _command_after("<!-- test-command -->")
    assert '".[test]"' in command
    assert "pytest" in command and "ruff check" in command


def test_ci_script_reads_the_readme_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci and "README.md" in ci


def test_ci_runs_the_oldest_and_newest_supported_python():
    """CI reads the lower bound from pyproject.toml rather than a copy of it."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert "requires-python" in ci and "pyproject.toml" in ci
    assert "oldest" in ci and "newest" in ci
