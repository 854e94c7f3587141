"""The static course site (``scripts/build_site.py``): built, served on loopback, read in Chromium.

The site is built once per session into a temporary folder (from the notebooks' stored outputs,
nothing re-run) and served by ``http.server`` on 127.0.0.1 with a free port. The build and
the static checks need no browser: every lesson has a page holding every stored PNG, each page
has the kernel note and its lesson's Binder link, and lesson 00's question links land on the
headings they name. Then every page is opened in Chromium, which must show zero console errors,
make no request to any host but 127.0.0.1, decode every image, leave no TeX untypeset, and hold
every fragment that an internal link points to.

Without Chromium or Playwright the browser tests are skipped with the reason shown, except under
CI (the ``CI`` environment variable set), where they fail instead (as in ``tests/browser/``).
"""

from __future__ import annotations

import functools
import http.server
import json
import pathlib
import re
import subprocess
import sys
import threading
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.test_question_map import heading_anchor

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LESSONS = [path.stem for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
PAGES = ["index", *LESSONS, "search"]
BINDER = "https://mybinder.org/v2/gh/gradlab/gradlab/main?urlpath=lab/tree/notebooks/{}.ipynb"
LESSON_LINK = re.compile(r"\]\((\d\d_\w+)\.ipynb#([^)\s]+)\)")

# Text nodes of the page that still read as TeX (outside code, and outside MathJax's output).
RAW_TEX = r"""() => {
  const skip = 'PRE, CODE, SCRIPT, STYLE, TEXTAREA, MJX-CONTAINER, MJX-ASSISTIVE-MML';
  const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                           NodeFilter.SHOW_TEXT);
  const raw = [];
  const tex = /\$[^$\s][^$]*\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\\frac|\\nabla/;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(skip)) continue;
    if (tex.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 120));
  }
  return raw;
}"""

IMAGES = """async () => Promise.all([...document.images].map(async (img) => {
  img.loading = 'eager';
  try { await img.decode(); } catch (error) { /* naturalWidth stays 0 */ }
  return [img.getAttribute('src'), img.naturalWidth];
}))"""


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("site") / "html"
    built = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, f"build_site failed:\n{built.stdout}\n{built.stderr}"
    return out


@functools.cache
def _soup(path: pathlib.Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _article(site: pathlib.Path, page: str):
    return _soup(site / f"{page}.html").select_one("article")


def _stored_pngs(lesson: str) -> int:
    notebook = json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text())
    return sum("image/png" in output.get("data", {})
               for cell in notebook["cells"] for output in cell.get("outputs", []))


# ---- the build, read as files ---------------------------------------------------------------


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_stored_figure_is_on_the_lesson_page(site, lesson):
    article = _article(site, lesson)
    images = [img["src"] for img in article.select("img")]
    assert len(images) == _stored_pngs(lesson), images
    assert all((site / src).is_file() for src in images)
    assert not article.select('script[type="application/vnd.jupyter.widget-view+json"]')
    # a screen reader reads the description, not the file name
    unnamed = [img["src"] for img in article.select("img")
               if not img.get("alt") or img["alt"] == img["src"] or "Figure" not in img["alt"]]
    assert not unnamed, f"pictures without a description: {unnamed[:3]}"


@pytest.mark.parametrize("page", ["index", *LESSONS])
def test_each_page_says_the_sliders_need_a_kernel_and_links_binder(site, page):
    article = _article(site, page)
    note = article.select_one(".gradlab-kernel-note")
    assert note is not None and "live kernel" in note.get_text()
    # near the top: the note comes right after the page's title, before any prose or figure
    assert note.find_previous_sibling() is not None and note.find_previous_sibling().name == "h1"
    link = note.select_one("a.gradlab-binder-link")
    lesson = page if page in LESSONS else LESSONS[0]
    assert link is not None and link["href"] == BINDER.format(lesson)


def test_question_links_land_on_the_headings_they_name(site):
    """Lesson 00's ``NN.ipynb#JupyterLab-anchor`` links open the section with that heading."""
    notebook = json.loads((NOTEBOOKS / "00_start_here.ipynb").read_text())
    markdown = "".join("".join(cell["source"]) for cell in notebook["cells"]
                       if cell["cell_type"] == "markdown")
    wanted = {(lesson, unquote(anchor)) for lesson, anchor in LESSON_LINK.findall(markdown)}
    assert wanted, "lesson 00 links no lesson section"
    landed = set()
    for link in _article(site, "00_start_here").select("a[href]"):
        path, _, fragment = link["href"].partition("#")
        if not (fragment and path.endswith(".html")):
            continue
        section = _soup(site / path).find(id=unquote(fragment))
        assert section is not None, link["href"]
        heading = section.find(re.compile(r"h\d"))
        for permalink in heading.select("a.headerlink"):
            permalink.extract()
        landed.add((path.removesuffix(".html"), heading_anchor(_heading_source(heading))))
    assert wanted <= landed, sorted(wanted - landed)


def _heading_source(heading) -> str:
    """A built heading back in markdown terms: its math as ``$...$`` (as JupyterLab names it)."""
    for math in heading.select(".math"):
        math.replace_with("$" + math.get_text().strip().removeprefix("\\(").removesuffix("\\)")
                          + "$")
    return heading.get_text().strip()


# ---- the site, read in Chromium -------------------------------------------------------------


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.mark.browser
@pytest.mark.parametrize("page_name", PAGES)
def test_page_in_chromium(site, server, chromium, page_name):
    context = chromium.new_context()
    errors, requests = [], []
    try:
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(
            f"{message.text} ({message.location.get('url')})"))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
        page.on("request", lambda request: requests.append(request.url))
        # Nothing may leave loopback: such a request is recorded above, and aborted here.
        context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        page.goto(f"{server}/{page_name}.html", wait_until="networkidle")
        typeset = page.evaluate("""async () => {
          if (!window.MathJax || !MathJax.startup) return null;
          await MathJax.startup.promise;
          return document.querySelectorAll('mjx-container').length;
        }""")
        images = page.evaluate(IMAGES)
        raw_tex = page.evaluate(RAW_TEX)
        maths = page.evaluate("() => document.querySelectorAll('main .math').length")
        untypeset = page.evaluate(
            "() => [...document.querySelectorAll('main .math')]"
            ".filter(m => !m.querySelector('mjx-container')).length"
        )
        links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()

    assert not errors, errors
    outside = [url for url in requests
               if urlsplit(url).scheme in ("http", "https", "ws", "wss")
               and urlsplit(url).hostname != "127.0.0.1"]
    assert not outside, outside
    assert all(width > 0 for _, width in images), [src for src, width in images if not width]
    assert not raw_tex, raw_tex
    if maths:
        assert typeset and not untypeset, f"{untypeset} of {maths} math elements not typeset"
    if page_name in LESSONS:
        assert maths, "a lesson page without math: the page lost its TeX"
        assert len(images) == _stored_pngs(page_name)
    _assert_internal_links_resolve(site, server, page_name, links)


def _assert_internal_links_resolve(site: pathlib.Path, server: str, page_name: str, links):
    broken = []
    for href in links:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != server or not parts.path.endswith(".html"):
            continue
        target = site / unquote(parts.path).lstrip("/")
        if not target.is_file():
            broken.append(f"{href}: no such page")
        elif parts.fragment and _soup(target).find(id=unquote(parts.fragment)) is None:
            broken.append(f"{href}: no element with that id")
    assert not broken, f"{page_name}: {broken}"
