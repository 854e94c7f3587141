"""pyproject.toml and environment.yml must describe the same runtime environment."""

import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _pyproject_runtime_names():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0].lower() for spec in project["dependencies"]
    }


def _environment_conda_pins():
    pins = {}
    dependencies = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    for line in dependencies.splitlines():
        match = re.fullmatch(r"\s*-\s+([A-Za-z0-9_.-]+)(?:=(\S+))?\s*", line)
        if match and match.group(1) != ".":  # "- ." is gradlab itself, under pip
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_every_runtime_dependency_is_in_environment_yml():
    missing = _pyproject_runtime_names() - set(_environment_conda_pins())
    assert not missing, f"in pyproject.toml but not environment.yml: {sorted(missing)}"


def test_environment_yml_has_nothing_pyproject_lacks():
    extra = set(_environment_conda_pins()) - _pyproject_runtime_names() - {"python", "pip"}
    assert not extra, f"in environment.yml but not pyproject.toml: {sorted(extra)}"


def test_python_and_every_package_are_pinned_to_a_minor_version():
    pins = _environment_conda_pins()
    for name, pin in pins.items():
        if name == "pip":
            continue
        assert pin and re.fullmatch(r"\d+\.\d+", pin), (
            f"{name} should be pinned as MAJOR.MINOR, got {pin}"
        )


def test_environment_installs_gradlab_from_the_repository():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"- pip:\s*\n\s*-\s+\.\s*$", text, re.M), (
        "environment.yml must pip-install '.'"
    )


def test_pinned_python_satisfies_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floor = re.search(r">=\s*(\d+)\.(\d+)", project["requires-python"]).groups()
    pinned = _environment_conda_pins()["python"].split(".")
    assert tuple(map(int, pinned)) >= tuple(map(int, floor))
