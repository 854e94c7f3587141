"""Interactive figures made for one lesson each, built on :class:`gradlab.widgets.LiveFigure`.

One module per idea (e.g. ``momentum``: :class:`~gradlab.explorers.momentum.MomentumExplorer`);
they only draw. What they compute lives one layer down: training loops in
:mod:`gradlab.training`, the rate theory of quadratic bowls in :mod:`gradlab.quadratics`, data
sets in :mod:`gradlab.data`. The general-purpose widgets live in :mod:`gradlab.widgets`.
"""
