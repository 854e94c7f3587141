"""What a slider move costs in the kernel, for every live figure of every lesson.

Usage, from the repository root: ``python -m benchmarks.bench_frames [--moves 10]
[--json out.json] [notebooks/NN_name.ipynb ...]``

Runs each lesson top to bottom in a fresh kernel (as ``%matplotlib widget`` with no browser
attached), then moves every slider of every live figure ``--moves`` times, one position at a
time (right, turning back at an end), and times each move from setting the slider to the
frame being sent: recompute, update the artists, render, encode what changed (a stand-in
browser view on loopback says hello and acknowledges each frame, as frame_view.js does). It also
counts the moves whose frame had to redraw the static layers (``full``) and names the
non-animated artists that made it do so, which is where a slow slider usually loses its time.

This is the kernel's share of what ``python -m benchmarks.bench_browser_latency`` measures in a
real browser (which adds the websocket round trip and the paint); it needs no
browser and is steady enough to compare two versions of an explorer.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


# --- runs inside the lesson's kernel -------------------------------------------------------------

def _positions(control):
    """The values a slider steps through with the arrow keys, in order."""
    import numpy as np

    options = getattr(control, "options", None)
    if options is not None:
        return [value for _label, value in options] if options and isinstance(
            options[0], tuple) else list(options)
    low, high, step = control.min, control.max, control.step
    count = int(round((high - low) / step)) + 1
    values = low + step * np.arange(count)
    return [type(control.value)(v) for v in values]


def _stale_artists(figure):
    """Short names of the non-animated leaf artists that changed since the last frame."""
    from matplotlib.text import Text

    names = set()
    for artist in figure.findobj(lambda a: a.stale and not a.get_animated()):
        if artist is figure or type(artist).__name__ in ("Axes", "Axes3D", "XAxis", "YAxis",
                                                        "ZAxis", "Figure"):
            continue
        label = artist.get_label() if hasattr(artist, "get_label") else ""
        text = artist.get_text()[:20] if isinstance(artist, Text) else ""
        names.add(f"{type(artist).__name__}{'(' + (label or text) + ')' if label or text else ''}")
    return sorted(names)


def measure_live_figures(moves=10):
    """Time ``moves`` arrow-key moves of every slider of every open live figure.

    Returns one dict per slider: figure class, control name, median/p95 ms, how many moves
    redrew the static layers, and the artists that caused it.
    """
    import gc

    import ipywidgets
    import numpy as np

    from gradlab.explorers.status import BACKGROUND
    from gradlab.widgets.base import LiveFigure

    # The runs trained ahead after Run All (a learner reads first). This probe is a running cell,
    # which the worker steps aside for, so the queued work is run here.
    BACKGROUND.run_all()
    sliders = (ipywidgets.FloatSlider, ipywidgets.IntSlider, ipywidgets.FloatLogSlider,
               ipywidgets.SelectionSlider)
    figures = [o for o in gc.get_objects() if isinstance(o, LiveFigure)]
    figures = [f for f in figures if f._layout is not None]  # displayed
    rows = []
    for number, live in enumerate(figures):
        view = live.view
        view._handle_custom_msg({"type": "hello", "view": "bench", "loopback": True,
                                 "ratio": 1}, [])
        for name, control in live.controls.items():
            if (not isinstance(control, sliders) or control.disabled
                    or control.layout.display == "none"):  # a learner cannot move it
                continue
            positions = _positions(control)
            if len(positions) < 2:
                continue
            index = positions.index(control.value) if control.value in positions else 0
            direction, path = 1, []
            for _move in range(moves):  # one position at a time, turning back at an end
                if not 0 <= index + direction < len(positions):
                    direction = -direction
                index += direction
                path.append(positions[index])
            times, full, culprits = [], 0, set()
            apply = live._apply

            def watched(changes, apply=apply, live=live, culprits=culprits):
                apply(changes)
                culprits.update(_stale_artists(live.figure))

            live._apply = watched
            try:
                for value in path:
                    before = live.full_frames
                    # the frame before was painted: this move's frame is sent at once
                    view._handle_custom_msg({"type": "painted", "seq": view.sent}, [])
                    began = time.perf_counter()
                    control.value = value
                    times.append(1e3 * (time.perf_counter() - began))
                    full += live.full_frames > before
            finally:
                live._apply = apply
            rows.append({"figure": f"{number}:{type(live).__name__}", "control": name,
                         "median_ms": round(float(np.median(times)), 1),
                         "p95_ms": round(float(np.percentile(times, 95)), 1),
                         "moves": len(times), "full_redraws": full,
                         "why_full": sorted(culprits)[:6]})
        view._handle_custom_msg({"type": "bye", "view": "bench"}, [])
    return rows


# --- runs here --------------------------------------------------------------------------------

def measure_notebook(path, moves):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    probe = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
             "from benchmarks.bench_frames import measure_live_figures\n"
             f"import json; print('ROWS' + json.dumps(measure_live_figures({moves})))")
    notebook.cells.append(nbformat.v4.new_code_cell(probe))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for output in notebook.cells[-1].outputs:
        text = output.get("text", "")
        if text.startswith("ROWS"):
            return json.loads(text[4:])
    raise RuntimeError(f"{path.name}: the probe printed nothing: {notebook.cells[-1].outputs}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--json", type=pathlib.Path, default=None)
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    results = []
    for path in paths:
        for row in measure_notebook(path, args.moves):
            row["notebook"] = path.name[:2]
            results.append(row)
            why = ", ".join(row["why_full"])
            print(f"{row['notebook']} {row['figure'][:28]:28s} {row['control'][:10]:10s} "
                  f"median {row['median_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms  "
                  f"full {row['full_redraws']}/{row['moves']}  {why[:70]}", flush=True)
    medians = [r["median_ms"] for r in results]
    if medians:
        print(f"\n{len(results)} sliders; median of medians {statistics.median(medians):.1f} ms;"
              f" worst {max(medians):.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
