"""Static figures for the notebooks: drawn once, stored as a picture every reader can see.

Under ``%matplotlib widget`` every figure made with ``pyplot`` becomes a live ipympl canvas,
which GitHub and nbviewer cannot show. A figure that has nothing to drag is better made with
:func:`figure` (a plain matplotlib ``Figure`` that pyplot does not manage, so nothing displays
it behind your back) and shown with :func:`picture`, which turns it into a PNG output.

>>> fig = figure(figsize=(3, 2))
>>> ax = fig.subplots()
>>> _ = ax.plot([0, 1, 2], [0, 1, 4])
>>> image = picture(fig)
>>> image.data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io

from IPython.display import Image
from matplotlib.figure import Figure

__all__ = ["figure", "picture"]


def figure(figsize=(6.4, 4.0), dpi=100, **kwargs) -> Figure:
    """A new matplotlib ``Figure`` outside pyplot's bookkeeping (no global state touched).

    Parameters
    ----------
    figsize : (float, float)
        Width and height in inches.
    dpi : float
        Resolution used when it is turned into a picture.
    **kwargs
        Passed to :class:`matplotlib.figure.Figure` (e.g. ``layout="constrained"``).
    """
    return Figure(figsize=figsize, dpi=dpi, **kwargs)


def picture(fig: Figure, dpi: float | None = None) -> Image:
    """The figure as a PNG image for a notebook output.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : float, optional
        Resolution of the picture; the figure's own by default.

    Returns
    -------
    IPython.display.Image
        Displayed as a PNG by Jupyter, GitHub and nbviewer alike.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"picture() takes a matplotlib Figure, got {type(fig).__name__}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi if dpi is not None else fig.dpi)
    return Image(data=buffer.getvalue(), format="png")
