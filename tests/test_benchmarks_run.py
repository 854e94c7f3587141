"""The benchmark scripts still run (tiny sizes; no timing is asserted — speed is measured by
running the scripts themselves, see README)."""

import matplotlib
import numpy as np

matplotlib.use("Agg")

from benchmarks import (  # noqa: E402
    bench_browser_latency,
    bench_core,
    bench_training,
    bench_widgets,
)


def test_core_benchmark_pieces_run_and_return_positive_times():
    best, median = bench_core.batched_adam_run(n=8, steps=20)
    assert 0 < best <= median
    assert bench_core.python_loop_adam_step_cost(trajectories=2, steps=20) > 0
    compile_s, value_s, gradient_s = bench_core.compile_and_grid()
    assert min(compile_s, value_s, gradient_s) > 0


def test_widget_benchmark_measures_every_widget_kind():
    rows = bench_widgets.measure(moves=2)
    kinds = {row["widget"].split(":")[0] for row in rows}
    assert {"DescentExplorer", "OneDimExplorer", "BatchSizeExplorer", "ExpressionBox"} <= kinds
    assert all(row["moves"] == 2 and np.isfinite(row["median_ms"]) for row in rows)


def test_browser_benchmark_imports_the_shared_harness_and_summarises():
    # No browser here: only the import of devtools.browser and the summary statistic.
    assert bench_browser_latency.LabServer.__module__ == "devtools.browser"
    assert bench_browser_latency.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert bench_browser_latency.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 95) == 5.0


def test_training_benchmark_times_the_three_runs():
    results = bench_training.main(["--repeats", "1"])
    assert len(results) == 3
    assert all(entry["best"] > 0 and entry["median"] >= entry["best"] for entry in results.values())
