"""How long each lesson's Run All takes, and how much memory its kernel needs.

Usage, from the repository root: ``python -m benchmarks.bench_lessons [--cells 3]
[--repeats 1] [--json out.json] [notebooks/NN_name.ipynb ...]`` (default: every lesson).

Each lesson runs top to bottom in a fresh kernel, as ``scripts/regenerate_notebooks.py`` runs
it, but nothing is saved. Reported per lesson:

- ``run all``: from the first cell's start to the last cell's end, as the kernel records them
  (what a learner waits for after Run All, the kernel being already started);
- ``+start``: the same plus starting the kernel (what ``regenerate_notebooks.py`` prints);
- ``peak MB``: the kernel's peak resident memory (``VmHWM`` of ``/proc/<pid>/status``, read by
  a probe cell appended at the end), and ``above base``: that peak minus the peak of a bare
  kernel that only ran ``%matplotlib widget`` and imported every module of gradlab;
- the slowest ``--cells`` cells, by index in the notebook, with their seconds.

The issue's limits: Run All at most 10 s per lesson, and under 200 MB of kernel memory for
the runs a lesson precomputes (the ``above base`` column). Timings on a shared machine are
inflated by whatever else runs: repeat (``--repeats``, the best run is kept) and compare
before/after back to back.
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
LIMIT_SECONDS = 10.0
LIMIT_MB = 200.0

# Runs in the kernel: peak and current resident memory, in MB.
_PROBE = """\
def _gradlab_bench_memory():
    fields = {}
    with open('/proc/self/status') as handle:
        for line in handle:
            key, _, rest = line.partition(':')
            if key in ('VmHWM', 'VmRSS'):
                fields[key] = int(rest.split()[0]) / 1024  # kB -> MB
    print('MEMORY', fields['VmHWM'], fields['VmRSS'])
_gradlab_bench_memory()
"""

_BASELINE = """\
%matplotlib widget
import importlib, pkgutil
import gradlab
for _module in pkgutil.walk_packages(gradlab.__path__, 'gradlab.'):
    importlib.import_module(_module.name)
"""


def _stamp(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _memory(cell):
    for output in cell.outputs:
        text = output.get("text", "")
        if text.startswith("MEMORY"):
            peak, now = (float(word) for word in text.split()[1:3])
            return peak, now
    raise RuntimeError(f"the memory probe printed nothing: {cell.outputs}")


def execute(notebook, path, timeout=600):
    """Run ``notebook`` (with the probe appended) in a fresh kernel; return the timings."""
    import nbformat
    from nbclient import NotebookClient

    notebook.cells.append(nbformat.v4.new_code_cell(_PROBE))
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    with_start = time.perf_counter() - started
    cells = []
    for index, cell in enumerate(notebook.cells[:-1]):
        timing = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type == "code" and "iopub.execute_input" in timing:
            began = _stamp(timing["iopub.execute_input"])
            ended = _stamp(timing["shell.execute_reply"])
            cells.append((index, began, ended))
    run_all = (cells[-1][2] - cells[0][1]).total_seconds() if cells else 0.0
    slowest = sorted(((index, (end - begin).total_seconds()) for index, begin, end in cells),
                     key=lambda pair: -pair[1])
    peak, now = _memory(notebook.cells[-1])
    return {"run_all_s": run_all, "with_start_s": with_start, "peak_mb": peak, "rss_mb": now,
            "cells": slowest}


def baseline(repeats=1):
    """Peak memory (MB) of a bare kernel that imported gradlab: the smallest of ``repeats``."""
    import nbformat

    peaks = []
    for _ in range(repeats):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_BASELINE)])
        peaks.append(execute(notebook, ROOT / "notebooks" / "baseline.ipynb")["peak_mb"])
    return min(peaks)


def measure(path, repeats=1):
    """Run the lesson ``repeats`` times; keep the fastest run (the least disturbed)."""
    import nbformat

    runs = [execute(nbformat.read(path, as_version=4), path) for _ in range(repeats)]
    best = min(runs, key=lambda run: run["run_all_s"])
    best["peak_mb"] = max(run["peak_mb"] for run in runs)  # memory does not need luck
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--cells", type=int, default=3, help="slowest cells shown per lesson")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", type=pathlib.Path, default=None)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    base = baseline()
    print(f"bare kernel with gradlab imported: peak {base:.0f} MB")
    print(f"{'lesson':38s} {'run all':>8s} {'+start':>7s} {'peak MB':>8s} {'above base':>10s}"
          "   slowest cells (index: s)")
    results = []
    for path in paths:
        row = measure(path, args.repeats)
        row["notebook"] = path.name
        row["above_base_mb"] = row["peak_mb"] - base
        row["within_limits"] = (row["run_all_s"] <= LIMIT_SECONDS
                                and row["above_base_mb"] < LIMIT_MB)
        results.append(row)
        cells = ", ".join(f"{i}: {s:.1f}" for i, s in row["cells"][:args.cells])
        flag = "" if row["within_limits"] else "  OVER"
        print(f"{path.stem[:38]:38s} {row['run_all_s']:7.1f}s {row['with_start_s']:6.1f}s "
              f"{row['peak_mb']:8.0f} {row['above_base_mb']:10.0f}   {cells}{flag}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"baseline_mb": base, "lessons": results}, indent=1))
    return results


if __name__ == "__main__":
    main()
