"""One environment for everyone: README, CI, conda and Binder install the versions of the lock.

``requirements/lock.txt`` (made by ``scripts/lock_dependencies.py`` from ``pyproject.toml``) pins
every runtime and test package. These tests fail when an install route stops using it, when the
lock no longer satisfies ``pyproject.toml``, or when the environment the tests run in holds a
version other than the locked one (so CI tests exactly what learners get).
"""

import importlib.metadata
import json
import pathlib
import re
import subprocess
import sys
import tomllib

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
USE_LOCK = "-c requirements/lock.txt"


def locked_pins() -> dict[str, tuple[str, str | None]]:
    """{name: (version, marker or None)} for every pin of the lock."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        if not line or line.startswith((" ", "#")):
            continue
        requirement, _, marker = line.partition(";")
        name, version = requirement.strip().split("==")
        key = canonicalize_name(name)
        if key in pins:  # the same package pinned twice, for two ranges of Python
            pins[key] = (pins[key][0] + "|" + version, None)
        else:
            pins[key] = (version, marker.strip() or None)
    return pins


def readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    return re.search(re.escape(marker) + r"\s*```bash\n(.+?)\n```", text, re.S).group(1)


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_every_install_route_uses_the_lock():
    routes = {
        "README open command": readme_command("<!-- open-command -->"),
        "README test command (what .ci/run runs)": readme_command("<!-- test-command -->"),
        "environment.yml": (ROOT / "environment.yml").read_text(),
        "binder/postBuild": (ROOT / "binder" / "postBuild").read_text(),
    }
    for route, text in routes.items():
        assert USE_LOCK in text or "- -c requirements/lock.txt" in text, (
            f"{route} installs without {USE_LOCK}"
        )
    assert "pip install" in routes["binder/postBuild"] and "-e ." in routes["binder/postBuild"]
    assert "- -e ." in routes["environment.yml"]


def test_conda_and_binder_take_only_python_and_pip_from_conda():
    pythons = []
    for path in (ROOT / "environment.yml", ROOT / "binder" / "environment.yml"):
        environment = yaml.safe_load(path.read_text())
        assert environment["channels"] == ["conda-forge"]
        from_conda = [item for item in environment["dependencies"] if isinstance(item, str)]
        names = sorted(re.split(r"[=<>]", item)[0] for item in from_conda)
        assert names == ["pip", "python"], f"{path.name} takes {from_conda} from conda"
        pythons.append(next(item for item in from_conda if item.startswith("python=")))
    assert pythons[0] == pythons[1], f"environment.yml and binder disagree: {pythons}"
    floor = re.search(r">=\s*([\d.]+)", pyproject()["requires-python"]).group(1)
    pinned = pythons[0].split("=")[1]
    assert tuple(map(int, pinned.split("."))) >= tuple(map(int, floor.split(".")))


def test_binder_sets_up_jupyterlab_like_the_readme():
    assert "scripts/configure_jupyterlab.py" in (ROOT / "binder" / "postBuild").read_text()
    assert "scripts/configure_jupyterlab.py" in readme_command("<!-- open-command -->")


def test_the_lock_satisfies_pyproject():
    pins = locked_pins()
    wanted = pyproject()["dependencies"] + pyproject()["optional-dependencies"]["test"]
    for spec in wanted:
        requirement = Requirement(spec.split("#")[0].strip())
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in the lock"
        for version in pins[name][0].split("|"):
            assert requirement.specifier.contains(version, prereleases=True), (
                f"the lock pins {requirement.name}=={version}, pyproject asks {requirement}"
            )


def test_this_environment_holds_exactly_the_locked_versions():
    wrong = []
    for name, (versions, marker) in locked_pins().items():
        if marker and not Marker(marker).evaluate():
            continue  # another platform's or Python's package
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{name}: not installed (locked {versions})")
            continue
        if installed not in versions.split("|"):
            wrong.append(f"{name}: {installed} installed, {versions} locked")
    assert not wrong, (
        "install with: pip install -c requirements/lock.txt -e \".[test]\"\n" + "\n".join(wrong)
    )


def test_lock_file_says_how_it_was_made():
    head = LOCK.read_text().splitlines()[:3]
    assert any("scripts/lock_dependencies.py" in line for line in head)


@pytest.fixture
def configure_jupyterlab():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import configure_jupyterlab
        yield configure_jupyterlab
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def test_shipped_jupyterlab_settings_are_valid_for_this_jupyterlab(configure_jupyterlab, tmp_path):
    written = configure_jupyterlab.install(tmp_path)
    settings = json.loads(written.read_text())
    schemas = pathlib.Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    assert written.parent.name == "overrides.d"
    for plugin, values in settings.items():
        package, _, name = plugin.partition(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        for key, value in values.items():
            assert key in schema["properties"], f"{plugin} has no setting {key!r}"
            allowed = schema["properties"][key]
            if "oneOf" in allowed:
                assert value in [choice["const"] for choice in allowed["oneOf"]], (key, value)
            else:
                assert isinstance(value, bool) == (allowed["type"] == "boolean"), (key, value)
    # The news question is off: neither asked ("none") nor fetched ("true").
    notification = settings["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"


def test_configure_script_runs_from_the_command_line(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "configure_jupyterlab.py"), "--prefix",
         str(tmp_path)], capture_output=True, text=True, check=True,
    )
    target = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "gradlab.json"
    assert target.exists() and str(target) in result.stdout
