"""Build the course as a static web site from the notebooks' stored outputs (nothing is re-run).

Usage::

    python scripts/build_site.py                      # into site/_build/html
    python scripts/build_site.py --out /some/folder   # anywhere else

Then open ``site/_build/html/index.html`` in a browser. Every lesson becomes one page with its
prose, code, math and every stored figure (the PNG kept beside each interactive widget: a widget
itself cannot run without a kernel, so each page says so and links its lesson on Binder).

Needs the ``test`` extra (``pip install -c requirements/lock.txt -e ".[test]"``). Any Sphinx
warning (a broken link, a JupyterLab anchor that no heading has) fails the build and writes
nothing. A build takes about ten seconds.

How: Sphinx with MyST-NB (``nb_execution_mode = "off"``) and sphinx-book-theme, all from the
``test`` extra of ``pyproject.toml``; the configuration and the page hooks live in ``site/``
(``conf.py``, ``index.md``, ``_ext/gradlab_site.py``). The lessons and ``site/index.md`` are copied
to a scratch source folder, so ``notebooks/`` is only read.

MathJax: the site serves its own copy, so no page loads anything from another host. MathJax 3
comes from the npm registry, fetched once with ``npm install mathjax@3`` into ``site/_cache/npm``
(ignored by git, reused by every later build; delete it to fetch again). Without npm and without
that cache the script stops and says so. Everything else works offline.

(Jupyter Book 2 / mystmd was tried first: its default theme is downloaded from
api.mystmd.org at build time, which fails without the network.)
"""

from __future__ import annotations

import argparse
import io
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = SITE / "_build" / "html"
CACHE = SITE / "_cache"
MATHJAX_SPEC = "mathjax@3"
MATHJAX_ES5 = CACHE / "npm" / "node_modules" / "mathjax" / "es5"
# The parts of MathJax's es5 folder the site loads: the TeX-to-HTML bundle, what it loads on
# demand (TeX extensions, fonts, the menu and its accessibility tools), nothing else.
MATHJAX_PARTS = ["tex-chtml.js", "input/tex/extensions", "output/chtml", "ui", "a11y", "sre"]


def mathjax() -> pathlib.Path:
    """MathJax 3's es5 folder, fetched with npm into the cache the first time."""
    if (MATHJAX_ES5 / "tex-chtml.js").is_file():
        return MATHJAX_ES5
    npm = shutil.which("npm")
    if npm is None:
        sys.exit(
            f"build_site: MathJax is not cached in {MATHJAX_ES5.relative_to(ROOT)} and npm is "
            "not installed, so it cannot be fetched. Install Node.js (which brings npm) and run "
            f"this again; it runs `npm install {MATHJAX_SPEC}` once."
        )
    print(f"build_site: fetching {MATHJAX_SPEC} with npm into {CACHE.relative_to(ROOT)}/npm")
    (CACHE / "npm").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(CACHE / "npm"), MATHJAX_SPEC,
         "--no-audit", "--no-fund", "--no-package-lock"],
        check=True,
    )
    if not (MATHJAX_ES5 / "tex-chtml.js").is_file():
        sys.exit(f"build_site: npm ran but {MATHJAX_ES5 / 'tex-chtml.js'} is missing")
    return MATHJAX_ES5


def lessons() -> list[pathlib.Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def build(out: pathlib.Path) -> None:
    try:
        from sphinx.application import Sphinx
    except ImportError:
        sys.exit('build_site: Sphinx is missing; install the test extra: '
                 'pip install -c requirements/lock.txt -e ".[test]"')

    es5 = mathjax()
    with tempfile.TemporaryDirectory(prefix="gradlab-site-") as scratch:
        scratch = pathlib.Path(scratch)
        source = scratch / "source"
        source.mkdir()
        shutil.copy2(SITE / "index.md", source / "index.md")
        for notebook in lessons():
            shutil.copy2(notebook, source / notebook.name)
        static = scratch / "static"
        for part in MATHJAX_PARTS:
            origin, target = es5 / part, static / "mathjax" / part
            if origin.is_dir():
                shutil.copytree(origin, target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)
        # Built in the scratch folder, then moved: MyST-NB writes its image files beside the
        # output folder (``../jupyter_execute``), which must not litter the parent of ``out``.
        html = scratch / "build" / "html"
        warnings = io.StringIO()
        app = Sphinx(
            srcdir=source, confdir=SITE, outdir=html, doctreedir=scratch / "build" / "doctrees",
            buildername="html", freshenv=True, status=None, warning=warnings,
            confoverrides={"html_static_path": [str(static)]},
        )
        app.build()
        problems = warnings.getvalue().replace(str(source) + os.sep, "")
        if app.statuscode or problems.strip():
            sys.exit(f"build_site: Sphinx failed or warned; nothing written to {out}\n{problems}")
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(html, out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT,
                        help=f"output folder (default: {DEFAULT_OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    started = time.perf_counter()
    build(out)
    print(f"build_site: built {len(lessons())} lessons into {out} "
          f"in {time.perf_counter() - started:.1f} s; open {out / 'index.html'}")


if __name__ == "__main__":
    main()
