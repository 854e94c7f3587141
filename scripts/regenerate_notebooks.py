"""Re-run every lesson top to bottom in a fresh kernel and store its outputs.

Usage: ``python scripts/regenerate_notebooks.py [notebooks/NN_name.ipynb ...]``

Each notebook runs in its own fresh kernel with ``notebooks/`` as the working directory. The
stored file keeps the outputs of that one clean run, without ``metadata.widgets`` (GitHub refuses
to render notebooks that carry widget state). The time each notebook took is printed, so slow
lessons are noticed.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def regenerate(path: pathlib.Path, timeout: int = 300) -> float:
    """Execute ``path`` in a fresh kernel, save the outputs, return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    # JupyterLab asks which kernel to use when a notebook names none; name the one it runs in.
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        seconds = regenerate(path.resolve())
        print(f"{path.name:45s} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
