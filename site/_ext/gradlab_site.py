"""Sphinx hooks of the course site (``site/conf.py`` loads this as an extension).

* Every lesson page opens with a note: the figures are stored pictures, the sliders need a live
  kernel, and a "launch on Binder" link to that lesson (the README's URL pattern).
* Links between lessons use JupyterLab's heading anchors (``01_x.ipynb#2.-Some-heading``: the
  heading's rendered text with each space replaced by ``-``). Sphinx names sections differently
  (``some-heading``), so each such fragment is looked up among the target lesson's headings and
  replaced by that section's id. A fragment that matches no heading is a build warning.
* A stored figure's alternative text says which figure of which section it is (MyST-NB leaves
  the picture's file name there, which a screen reader would spell out).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

BINDER = "https://mybinder.org/v2/gh/gradlab/gradlab/main?urlpath=lab/tree/notebooks/{}.ipynb"
LESSON = re.compile(r"\d\d_\w+")
START = "00_start_here"


def jupyterlab_anchor(title: nodes.Node) -> str:
    """The name JupyterLab 4 gives a heading: its rendered text, each space replaced by ``-``."""
    return title.astext().strip().replace(" ", "-")


def kernel_note(docname: str) -> nodes.Element:
    lesson = docname if LESSON.fullmatch(docname) else START
    link_text = f"launch {'this lesson' if lesson == docname else 'the course'} on Binder"
    link = nodes.reference("", link_text, refuri=BINDER.format(lesson),
                           classes=["gradlab-binder-link"])
    note = nodes.admonition(classes=["note", "gradlab-kernel-note"])
    note += nodes.title("", "The sliders need a live kernel")
    note += nodes.paragraph(
        "", "",
        nodes.Text("This page is a static copy: every figure is a picture of its default state "
                   "and the checks show their answers folded. The sliders, clicks and checks "
                   "need a running Python kernel: "),
        link,
        nodes.Text(f", or open notebooks/{lesson}.ipynb in JupyterLab on your own machine "
                   "(the README's Quick start)."),
    )
    return note


def describe_figures(doctree: nodes.document) -> None:
    """Give every output picture without a description one: its number and its section."""
    counts: dict[str, int] = {}
    for image in doctree.findall(nodes.image):
        if image.get("alt") not in (None, "", image.get("uri")):
            continue
        section = image.parent
        while section is not None and not isinstance(section, nodes.section):
            section = section.parent
        heading = (section[0].astext() if section is not None and section.children
                   and isinstance(section[0], nodes.title) else "this page")
        counts[heading] = counts.get(heading, 0) + 1
        image["alt"] = f"Figure {counts[heading]} of the section “{heading}”"


def on_doctree_read(app, doctree: nodes.document) -> None:
    docname = app.env.docname
    sections = list(doctree.findall(nodes.section))
    if sections:
        top = sections[0]
        top.insert(1 if top.children and isinstance(top[0], nodes.title) else 0,
                   kernel_note(docname))
    describe_figures(doctree)
    anchors = {}
    for section in sections:
        if section.children and isinstance(section[0], nodes.title) and section["ids"]:
            anchors.setdefault(jupyterlab_anchor(section[0]), section["ids"][0])
    app.env.gradlab_anchors = getattr(app.env, "gradlab_anchors", {})
    app.env.gradlab_anchors[docname] = anchors


def on_env_purge_doc(app, env, docname: str) -> None:
    getattr(env, "gradlab_anchors", {}).pop(docname, None)


def on_env_merge_info(app, env, docnames, other) -> None:
    env.gradlab_anchors = getattr(env, "gradlab_anchors", {})
    env.gradlab_anchors.update(getattr(other, "gradlab_anchors", {}))


class JupyterLabAnchors(SphinxPostTransform):
    """``lesson.ipynb#JupyterLab-anchor`` -> the id of the section with that heading.

    Runs just before MyST's own resolver (priority 9), which then finds a real section id.
    """

    default_priority = 8

    def run(self, **kwargs) -> None:
        known = getattr(self.env, "gradlab_anchors", {})
        for node in self.document.findall(pending_xref):
            if node.get("reftype") != "myst" or node.get("refdomain") != "doc":
                continue
            fragment = node.get("reftargetid")
            anchors = known.get(node.get("reftarget"), {})
            if not fragment or fragment in anchors.values():
                continue
            section_id = anchors.get(unquote(fragment))
            if section_id is None:
                logger.warning("no heading of %s has the JupyterLab anchor %r",
                               node["reftarget"], fragment, location=node)
                continue
            node["reftargetid"] = section_id


def setup(app):
    app.add_post_transform(JupyterLabAnchors)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
