"""How long a slider move takes in each widget: recompute, update the artists, draw on Agg.

Each widget kind is built once; then one control is moved through ``--moves`` values and each
move is timed from setting the control to the end of ``figure.canvas.draw()``. The table gives
the median and the 95th percentile in milliseconds; the target is a median of at most 40 ms.

    .venv/bin/python benchmarks/bench_widgets.py [--moves 30] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gradlab import widgets  # noqa: E402
from gradlab.data import linear_regression  # noqa: E402
from gradlab.functions import parabola, quadratic_bowl, rosenbrock  # noqa: E402
from gradlab.optimizers import SGD, Adam  # noqa: E402

TARGET_MS = 40.0


def _cases(moves):
    """(label, widget factory, control name, values to move through)."""
    sweep = np.geomspace(1e-3, 0.15, moves)
    data = linear_regression(np.random.default_rng(0), 200, weights=[2.0], bias=-1.0, noise=0.5)
    yield (
        "DescentExplorer: lr",
        lambda: widgets.DescentExplorer(quadratic_bowl(), {"SGD": SGD, "Adam": Adam}, steps=50),
        "lr",
        list(sweep),
    )
    yield (
        "DescentExplorer: start x0",
        lambda: widgets.DescentExplorer(rosenbrock(), {"Adam": Adam}, steps=50, lr=0.05),
        "x0",
        list(np.linspace(-1.9, 1.9, moves)),
    )
    yield (
        "DescentExplorer: Play step",
        lambda: widgets.DescentExplorer(quadratic_bowl(), {"SGD": SGD}, steps=50),
        "step",
        [k % 51 for k in range(moves)],
    )
    yield (
        "OptimizerStateExplorer: step",
        lambda: widgets.OptimizerStateExplorer(quadratic_bowl(), steps=50, lr=0.3),
        "step",
        [k % 51 for k in range(moves)],
    )
    yield (
        "OneDimExplorer: lr",
        lambda: widgets.OneDimExplorer(parabola(), steps=20),
        "lr",
        list(np.geomspace(0.01, 0.9, moves)),
    )

    def batch_widget():
        return widgets.BatchSizeExplorer(data.X, data.y, seed=0, steps=30)

    options = None
    with plt.ioff():
        probe = batch_widget()
        options = list(probe.controls["batch"].options)
        probe.close()
    yield (
        "BatchSizeExplorer: batch",
        batch_widget,
        "batch",
        [options[k % len(options)] for k in range(moves)],
    )
    yield ("BatchSizeExplorer: lr", batch_widget, "lr", list(np.geomspace(0.01, 0.5, moves)))
    yield (
        "ExpressionBox: point",
        lambda: widgets.ExpressionBox("x^2*y + sin(y)"),
        "point",
        [f"{x:.3f}, 1" for x in np.linspace(-2, 2, moves)],
    )


def measure(moves):
    rows = []
    for label, factory, control, values in _cases(moves):
        widget = factory()
        widget.figure.canvas.draw()  # the first draw builds caches; not what a move costs
        times = []
        for value in values:
            start = time.perf_counter()
            widget.controls[control].value = value
            widget.figure.canvas.draw()
            times.append(1e3 * (time.perf_counter() - start))
        widget.close()
        rows.append(
            {
                "widget": label,
                "moves": len(times),
                "median_ms": float(np.median(times)),
                "p95_ms": float(np.percentile(times, 95)),
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30, help="slider moves per widget")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    rows = measure(args.moves)
    width = max(len(r["widget"]) for r in rows)
    print(f"{'widget: control':<{width}}  median ms    p95 ms  target {TARGET_MS:g} ms")
    for r in rows:
        verdict = "ok" if r["median_ms"] <= TARGET_MS else "SLOW"
        print(f"{r['widget']:<{width}}  {r['median_ms']:9.1f}  {r['p95_ms']:8.1f}  {verdict}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(
                {
                    "machine": platform.platform(),
                    "python": platform.python_version(),
                    "matplotlib": matplotlib.__version__,
                    "target_ms": TARGET_MS,
                    "results": rows,
                },
                handle,
                indent=2,
            )


if __name__ == "__main__":
    main()
