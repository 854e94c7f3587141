"""Write requirements/lock.txt, the one pinned environment every install of the course uses.

Usage (needs uv: ``pip install uv``)::

    python scripts/lock_dependencies.py            # re-resolve, keeping the pins already locked
    python scripts/lock_dependencies.py --upgrade  # move every pin to the newest release
    python scripts/lock_dependencies.py --check    # only check that every pin has a wheel

The lock is resolved from ``pyproject.toml`` (the runtime dependencies and the ``test`` extra)
for every platform and every Python the package admits at once (``uv pip compile --universal``),
so one file serves Linux, macOS and Windows and Python 3.11 to the newest. Hand-kept limits,
each with its reason, live in ``requirements/constraints.in``.

Then every pin is checked to install from a wheel (no compiler on a learner's laptop) on each
platform and Python of ``TARGETS``: ``uv pip compile --only-binary :all:`` of the lock for that
platform and Python fails if any pinned release has no wheel whose tags fit.

README's commands, ``.ci/run``, ``environment.yml`` and ``binder/`` all install with
``-c requirements/lock.txt``; ``tests/test_environment.py`` checks that they do, and that the
environment the tests run in holds exactly the locked versions.
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
CONSTRAINTS = ROOT / "requirements" / "constraints.in"
PLATFORMS = {
    "Linux x86_64": "x86_64-manylinux_2_28",
    "Linux aarch64": "aarch64-manylinux_2_28",
    "macOS Intel": "x86_64-apple-darwin",
    "macOS Apple silicon": "aarch64-apple-darwin",
    "Windows x86_64": "x86_64-pc-windows-msvc",
}
PYTHONS = ["3.11", "3.12", "3.13", "3.14"]
OLDEST_PYTHON = PYTHONS[0]


def uv() -> list[str]:
    found = shutil.which("uv")
    if found:
        return [found]
    try:
        import uv as uv_module  # noqa: F401  (the PyPI package ships the binary)
    except ImportError:
        sys.exit("this script needs uv: pip install uv")
    return [sys.executable, "-m", "uv"]


def lock(upgrade: bool) -> None:
    command = uv() + [
        "pip", "compile", str(ROOT / "pyproject.toml"), "--extra", "test",
        "--universal", "--python-version", OLDEST_PYTHON,
        "--constraint", str(CONSTRAINTS),
        "--output-file", str(LOCK),
        "--no-header", "--quiet",
    ]
    if upgrade:
        command.append("--upgrade")
    subprocess.run(command, check=True, cwd=ROOT)
    body = LOCK.read_text()
    LOCK.write_text(
        "# The course's pinned environment (runtime and test), for every platform and Python.\n"
        "# Made by: python scripts/lock_dependencies.py   (do not edit by hand)\n"
        "# Install with: pip install -c requirements/lock.txt -e \".[test]\"\n" + body
    )


def wheels_everywhere() -> bool:
    """Print one line per platform and Python; True when every pin has a wheel on all."""
    every_one = True
    with tempfile.TemporaryDirectory() as scratch:
        for label, platform in PLATFORMS.items():
            for python in PYTHONS:
                result = subprocess.run(
                    uv() + [
                        "pip", "compile", str(LOCK), "--no-deps", "--only-binary", ":all:",
                        "--python-platform", platform, "--python-version", python,
                        "--output-file", str(pathlib.Path(scratch) / "out.txt"), "--quiet",
                    ],
                    capture_output=True, text=True, cwd=ROOT,
                )
                if result.returncode == 0:
                    print(f"{label:20s} Python {python}: every pin has a wheel")
                else:
                    every_one = False
                    reason = (result.stderr.strip().splitlines() or ["?"])[-1]
                    print(f"{label:20s} Python {python}: MISSING  {reason}")
    return every_one


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to the newest")
    parser.add_argument("--check", action="store_true", help="only check the wheels")
    args = parser.parse_args(argv)
    if not args.check:
        lock(args.upgrade)
    return 0 if wheels_everywhere() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
