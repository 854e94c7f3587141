"""Development tools shared by the tests and the benchmarks; not part of the gradlab package.

``devtools.browser`` drives the course's notebooks in a real browser (JupyterLab on loopback,
Debian's Chromium): ``tests/browser/`` checks every control with it and
``benchmarks/bench_browser_latency.py`` times slider repaints with it. Import it from the
repository root (pytest puts the root on ``sys.path``; run the benchmark as
``python -m benchmarks.bench_browser_latency``).
"""
