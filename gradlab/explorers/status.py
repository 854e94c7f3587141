"""The status line of the lessons' trainers: a note shown at once, before a slow run.

A trainer that is about to train for longer than a glance says so beside its controls first;
the figure keeps its last frame and message until the run is done.
"""

from __future__ import annotations

import html

__all__ = ["say_training"]


def say_training(figure, text):
    """Show ``text`` in ``figure``'s status line only (a :class:`gradlab.widgets.LiveFigure`).

    Nothing is rendered: the figure keeps its last frame and message until the run is done (a
    clipped-value note waits for that final message).
    """
    figure.status.value = f'<span style="color:#555">{html.escape(text)}</span>'
