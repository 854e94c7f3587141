"""The benchmark scripts still run (tiny sizes; no timing is asserted — speed is measured by
running the scripts themselves, see README)."""

import importlib.util
import pathlib

import matplotlib
import numpy as np

matplotlib.use("Agg")

BENCHMARKS = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_core_benchmark_pieces_run_and_return_positive_times():
    core = _load("bench_core")
    best, median = core.batched_adam_run(n=8, steps=20)
    assert 0 < best <= median
    assert core.python_loop_adam_step_cost(trajectories=2, steps=20) > 0
    compile_s, value_s, gradient_s = core.compile_and_grid()
    assert min(compile_s, value_s, gradient_s) > 0


def test_widget_benchmark_measures_every_widget_kind():
    rows = _load("bench_widgets").measure(moves=2)
    kinds = {row["widget"].split(":")[0] for row in rows}
    assert {"DescentExplorer", "OneDimExplorer", "BatchSizeExplorer", "ExpressionBox"} <= kinds
    assert all(row["moves"] == 2 and np.isfinite(row["median_ms"]) for row in rows)
