"""Slider latency as a learner feels it: key press to repainted figure, in a real browser.

Usage, from the repository root: ``python -m benchmarks.bench_browser_latency [--moves 10]
[--json out.json] [notebooks/NN_name.ipynb ...]``

Starts JupyterLab on loopback, opens each lesson in Debian's Chromium (Playwright), runs all
cells, and moves every visible slider that drives a figure ``--moves`` times with the arrow keys
(right, then back left). For each move it records the time, measured inside the page, from the
key press to the first frame the figure's canvas shows afterwards. Prints the median and 95th
percentile per slider as a table (with the median time at which the frame arrived from the
kernel: the rest is the browser decoding and painting it), and each lesson's Run All time, and
writes them to JSON.

Needs ``/usr/bin/chromium`` (``apt-get install chromium``) and the ``test`` extra; the
browser harness is ``devtools/browser.py``, shared with ``tests/browser/``.
Targets on a 2-core machine: every slider's median <= 100 ms, 95th percentile <= 200 ms.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import tempfile

from devtools.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CONTROL_SELECTORS,
    NOT_LOOPBACK,
    PAINT_PROBE,
    LabServer,
    arrival_ms,
    figure_of,
    latency_ms,
    open_and_run_all,
    paints,
    press_slider,
    wait_for_repaint,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]


def percentile(values, q):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure_notebook(page, server, name, moves, settle_ms, run_all):
    run_all[name] = open_and_run_all(page, server, name)
    print(f"{name[:34]:34s} Run All {run_all[name]:.1f} s", flush=True)
    page.wait_for_timeout(500)  # let the first frames land before timing
    results = []
    handles = page.locator(CONTROL_SELECTORS["slider"])
    for index in range(handles.count()):
        handle = handles.nth(index)
        if not handle.is_visible():
            continue
        canvas = figure_of(handle)
        if canvas is None:
            continue
        handle.scroll_into_view_if_needed()
        label = handle.evaluate(
            "e => e.closest('.widget-slider')?.querySelector('.widget-label')?.innerText || ''"
        ).strip()
        samples, arrivals = [], []
        for move in range(moves):
            key = "ArrowRight" if move < moves // 2 else "ArrowLeft"
            count = paints(canvas)
            before, after = press_slider(page, handle, key)
            if before == after:  # at an end of its range: go the other way
                count = paints(canvas)
                before, after = press_slider(
                    page, handle, "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
                )
            if wait_for_repaint(page, canvas, count, timeout_ms=5000):
                samples.append(latency_ms(canvas))
                arrivals.append(arrival_ms(canvas))
            page.wait_for_timeout(settle_ms)
        if samples:
            results.append(
                {
                    "notebook": name,
                    "slider": f"#{index} {label}",
                    "moves": len(samples),
                    "median_ms": round(statistics.median(samples), 1),
                    "p95_ms": round(percentile(samples, 95), 1),
                    # key press -> frame arrived; the rest is the browser decoding and painting
                    "arrival_median_ms": round(statistics.median(
                        [a for a in arrivals if a == a] or [float("nan")]), 1),
                    "samples_ms": [round(s, 1) for s in samples],
                }
            )
    return results


def main():
    parser = argparse.ArgumentParser(description="Measure slider -> repaint latency.")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--settle-ms", type=int, default=250)
    parser.add_argument("--json", type=pathlib.Path, default=None)
    args = parser.parse_args()
    names = [p.name for p in args.notebooks] or sorted(
        p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )

    from playwright.sync_api import sync_playwright

    results, run_all = [], {}
    with tempfile.TemporaryDirectory() as scratch:
        server = LabServer(ROOT / "notebooks", pathlib.Path(scratch))
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                for name in names:
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    context.add_init_script(PAINT_PROBE)
                    context.route(NOT_LOOPBACK, lambda route: route.abort())
                    page = context.new_page()
                    try:
                        rows = measure_notebook(page, server, name, args.moves, args.settle_ms,
                                                run_all)
                    finally:
                        context.close()
                    results.extend(rows)
                    for row in rows:
                        print(
                            f"{row['notebook'][:34]:34s} {row['slider'][:28]:28s} "
                            f"median {row['median_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms  "
                            f"(frame arrived {row['arrival_median_ms']:5.1f} ms)",
                            flush=True,
                        )
                browser.close()
        finally:
            server.stop()

    medians = [r["median_ms"] for r in results]
    if medians:
        over = [r for r in results if r["median_ms"] > 100 or r["p95_ms"] > 200]
        arrived = [r["arrival_median_ms"] for r in results if r["arrival_median_ms"] == r[
            "arrival_median_ms"]]
        print(
            f"\n{len(results)} sliders; median of medians {statistics.median(medians):.1f} ms; "
            f"worst median {max(medians):.1f} ms; {len(over)} over target"
            + (f"; frames arrived after {statistics.median(arrived):.1f} ms (median)"
               if arrived else "")
        )
    if run_all:
        print("Run All, seconds: " + ", ".join(f"{n[:2]} {s:.1f}" for n, s in run_all.items()))
    if args.json:
        args.json.write_text(json.dumps({"sliders": results, "run_all_s": run_all}, indent=1))


if __name__ == "__main__":
    main()
