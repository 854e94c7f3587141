"""Interactive figures made for one lesson each, built on :class:`gradlab.widgets.LiveFigure`.

One module per idea (e.g. ``momentum_map``); the general-purpose widgets live in
:mod:`gradlab.widgets`.
"""
