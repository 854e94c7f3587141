"""Re-run lessons and list every stored text output that comes out different.

Usage::

    python scripts/compare_outputs.py [notebooks/NN_name.ipynb ...]
    OPENBLAS_CORETYPE=SkylakeX python scripts/compare_outputs.py

The stored notebooks are not touched. Text outputs are compared the way the test suite's nbval
run compares them (images and widget ids are skipped, memory addresses and figure sizes
sanitized). Its use is the by-hand check that what a lesson prints does not depend on the CPU:
run it once per BLAS kernel or numpy SIMD setting (environment variables in front of the
command, never in tests or CI) and expect "same" for every lesson. Exit status 1 if any differ.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import pathlib
import re
import sys

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
SKIPPED_KEYS = {"image/png", "image/jpeg", "application/vnd.jupyter.widget-view+json"}
SANITIZE = [
    (re.compile(r"0x[0-9a-fA-F]+"), "0xADDRESS"),
    (re.compile(r"<Figure size \d+x\d+ with \d+ Axes>"), "<Figure>"),
]


def _text(value) -> str:
    text = "".join(value) if isinstance(value, list) else str(value)
    for pattern, replacement in SANITIZE:
        text = pattern.sub(replacement, text)
    return text


def text_outputs(notebook) -> list[tuple[int, str, str]]:
    """(cell index, kind, text) for every text output of every code cell, in order."""
    rows = []
    for index, cell in enumerate(notebook.cells):
        # Cells nbval is told not to compare (timings) are skipped here too.
        if cell.cell_type != "code" or "NBVAL_IGNORE_OUTPUT" in cell.source:
            continue
        for output in cell.get("outputs", []):
            if "text" in output:
                name, text = output.get("name", "stream"), _text(output["text"])
                # A kernel may split one stream into several outputs; nbval joins them.
                if rows and rows[-1][:2] == (index, name):
                    rows[-1] = (index, name, rows[-1][2] + text)
                else:
                    rows.append((index, name, text))
            for key, value in sorted(output.get("data", {}).items()):
                if key not in SKIPPED_KEYS:
                    rows.append((index, key, _text(value)))
    return rows


def run_copy(path: pathlib.Path, timeout: int = 300):
    notebook = nbformat.read(path, as_version=4)
    fresh = copy.deepcopy(notebook)
    client = NotebookClient(
        fresh, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook, fresh


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    differing = 0
    for path in paths:
        stored, fresh = run_copy(path.resolve())
        before, after = text_outputs(stored), text_outputs(fresh)
        if before == after:
            print(f"{path.name:45s} same")
            continue
        differing += 1
        print(f"{path.name:45s} DIFFERENT")
        lines_before = [f"c{i} {kind}: {line}" for i, kind, text in before
                        for line in text.splitlines()]
        lines_after = [f"c{i} {kind}: {line}" for i, kind, text in after
                       for line in text.splitlines()]
        for line in difflib.unified_diff(lines_before, lines_after, "stored", "this run",
                                         lineterm="", n=0):
            print("    " + line)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
