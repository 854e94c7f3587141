"""benchmarks/bench_lessons.py measures what it says: a notebook that sleeps 0.3 s and keeps
80 MB for a moment is reported as taking at least 0.3 s and peaking at least 80 MB above one
that does not, though that memory is given back before the end."""

import nbformat

from benchmarks import bench_lessons


def _notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_run_all_time_and_peak_memory_of_a_known_notebook(tmp_path):
    path = tmp_path / "probe.ipynb"
    bare = bench_lessons.execute(_notebook("x = 1"), path)
    heavy = bench_lessons.execute(_notebook(
        "import time\ntime.sleep(0.3)",
        "import numpy as np\nheld = np.ones(10_000_000)   # 80 MB, touched\ndel held",
        "y = 2"), path)
    assert heavy["run_all_s"] >= 0.3
    assert heavy["with_start_s"] > heavy["run_all_s"]
    assert heavy["peak_mb"] - bare["peak_mb"] >= 75
    assert heavy["rss_mb"] < heavy["peak_mb"] - 50   # the peak is a high-water mark
    seconds = dict(heavy["cells"])
    assert sorted(seconds) == [0, 1, 2]  # every cell once, the probe not among them
    assert seconds[0] >= 0.3
    assert [s for _, s in heavy["cells"]] == sorted(seconds.values(), reverse=True)  # slowest first
