"""Interactive figures for the notebooks: build the figure once, update artists on each change.

Every widget here is a small class holding a matplotlib figure, its artists, and a dict of
ipywidgets ``controls``. A change of a control goes through one pure-Python path,
``set(**changes)`` → ``_apply(changes)``, which recomputes only what the change touches and then
updates the artists in place (``set_data``, ``set_offsets``, ``set_text``); then the frame is
drawn and sent to the browser.
Nothing in that path needs a browser, so the tests drive the widgets directly.

The figure draws with Agg whatever the notebook's matplotlib backend, and is shown by a
:class:`~gradlab.widgets.frame_view.FrameView` (an anywidget) that paints each frame and sends
mouse clicks back.

Displaying a widget emits one output that holds both the live widget view and a PNG of its
current state, so a reader on GitHub or nbviewer, without a kernel, still sees the figure.

Widget kinds, one module each
-----------------------------
:class:`LiveFigure`              (:mod:`~gradlab.widgets.base`) the base class: figure,
                                 controls, layout, message, picture; also :func:`log_slider`
:class:`DescentExplorer`         (:mod:`~gradlab.widgets.descent`) one optimizer on a 2-D
                                 surface: contours, path, loss curve
:class:`OptimizerStateExplorer`  (:mod:`~gradlab.widgets.state`) the same with the optimizer's
                                 state (m, v, m̂, v̂) per step
:class:`OneDimExplorer`          (:mod:`~gradlab.widgets.onedim`) gradient descent on a curve,
                                 with the tangent at each step
:class:`BatchSizeExplorer`       (:mod:`~gradlab.widgets.batches`) the cloud of mini-batch
                                 gradients on a loss built from data
:class:`ExpressionBox`           (:mod:`~gradlab.widgets.expression`) type a function, see its
                                 derivatives, check them numerically (:func:`central_differences`)
:class:`PredictRevealCheck`      (:mod:`~gradlab.widgets.checks`) answer a question, get
                                 feedback, then read the explanation

Every name above is importable from ``gradlab.widgets`` itself.

Speed: a frame copies a cached picture of the static layers (contours, axes, legends) and
draws only the artists marked animated, the ones a move changes (:meth:`LiveFigure.animate`);
a move that changes nothing static needs no full redraw. The explorers run the optimizer for
every position of a slider at once (:mod:`~gradlab.widgets.sweeps`), at build for the learning
rate and at the first move of any other slider, so later moves look their run up.
:meth:`LiveFigure.hold` (or :meth:`LiveFigure.set`) applies several changes in one update.
``benchmarks/bench_frames.py`` times every slider of every lesson's figures in a kernel.
"""

from gradlab.widgets.base import LiveFigure, log_slider
from gradlab.widgets.batches import BatchSizeExplorer
from gradlab.widgets.checks import PredictRevealCheck
from gradlab.widgets.descent import DescentExplorer
from gradlab.widgets.expression import ExpressionBox, central_differences
from gradlab.widgets.onedim import OneDimExplorer
from gradlab.widgets.state import OptimizerStateExplorer

__all__ = [
    "BatchSizeExplorer",
    "DescentExplorer",
    "ExpressionBox",
    "LiveFigure",
    "OneDimExplorer",
    "OptimizerStateExplorer",
    "PredictRevealCheck",
    "central_differences",
    "log_slider",
]
