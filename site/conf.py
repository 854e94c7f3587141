"""Sphinx configuration of the course site, built by ``scripts/build_site.py`` (see there).

The lessons are rendered from the outputs stored in the notebooks (``nb_execution_mode = "off"``):
nothing runs, every figure is the PNG kept with its cell. The build script copies the lessons and
``index.md`` into a scratch source folder and passes the MathJax folder in ``html_static_path``;
``_ext/gradlab_site.py`` adds the kernel note and Binder link to every page and maps JupyterLab's
heading anchors (``lesson.ipynb#2.-Some-heading``) to the section ids Sphinx gives.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "_ext"))

project = "gradlab"
author = "the gradlab authors"
copyright = "the gradlab authors"
html_title = "gradlab: see how gradients drive learning"

extensions = ["myst_nb", "gradlab_site"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Notebooks: stored outputs only, never executed.
nb_execution_mode = "off"
nb_merge_streams = True
# A widget cannot run without a kernel: show the PNG (or HTML) stored beside each widget view,
# and load no widget JavaScript (it would come from a CDN).
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}

myst_enable_extensions = ["dollarmath", "amsmath"]
# Headings are registered with MyST, so a link to a section id of another lesson resolves (the
# JupyterLab anchors of the lessons' links are mapped to those ids by _ext/gradlab_site.py).
myst_heading_anchors = 6
# Text as written, as in JupyterLab (no curly quotes: they would also change heading names).
smartquotes = False
# The checks store their question as HTML holding $...$ math: let MathJax read cell outputs too.
myst_mathjax_classes = "tex2jax_process|mathjax_process|math|output_area|cell_output"

# MathJax 3, served from the site itself (the build script copies it to _static/mathjax).
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {
    "tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]], "processEscapes": True},
}

html_theme = "sphinx_book_theme"
html_theme_options = {
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
}
# The stored figures have white backgrounds: light by default (and without it the theme logs a
# console error, "invalid theme mode", on a first visit).
html_context = {"default_mode": "light"}
html_copy_source = False
html_show_sourcelink = False
html_use_index = False
html_static_path: list[str] = []  # the build script adds the MathJax folder
