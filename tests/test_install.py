"""A plain (non-editable) ``pip install .`` gives a gradlab that every notebook can import.

The package is built from the repository and installed into a scratch folder; a fresh Python
then imports every gradlab module, and every module any notebook imports, from there (not
from the source tree), with the runtime dependencies of this environment.
"""

import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _notebook_imports():
    modules = set()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            for line in "".join(cell["source"]).splitlines():
                match = re.match(r"\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", line)
                if match:
                    modules.add(match.group(1) or match.group(2))
    return sorted(modules)


def test_installed_package_serves_every_module_and_notebook_import(tmp_path):
    target = tmp_path / "site"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    sources = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "gradlab").rglob("*.py")
    )
    wanted = sources + _notebook_imports()
    script = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(target)!r})\n"
        # The lessons' own folder (notebooks/answers) is on their path, as in a kernel.
        f"sys.path.append({str(ROOT / 'notebooks')!r})\n"
        f"for name in {wanted!r}:\n"
        "    module = importlib.import_module(name)\n"
        "    if name.startswith('gradlab'):\n"
        f"        assert module.__file__.startswith({str(target)!r}), (name, module.__file__)\n"
        "print('ok')\n"
    )
    # Run outside the repository so the source tree cannot shadow the installed copy.
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
    assert "gradlab.plotting.contours" in wanted and "gradlab.explorers.momentum" in wanted
