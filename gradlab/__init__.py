"""gradlab: the plumbing behind an interactive course on gradients.

The lessons live in ``notebooks/``; this package keeps them short. Modules, one idea each:

- :mod:`gradlab.errors`     the two errors a learner can meet (bad formula, undefined value)
- :mod:`gradlab.checks`     argument checks shared by every module, with specific messages
- :mod:`gradlab.formatting` one way to print a number (``∞``, ``-∞``, ``nan``)
- :mod:`gradlab.colors`     the named colours of the course (Okabe–Ito)
- :mod:`gradlab.formula`    read a formula a learner types, safely, into a sympy expression
- :mod:`gradlab.symbolic`   differentiate a formula, evaluate it and its derivatives with numpy
- :mod:`gradlab.functions`  the surfaces the course descends (an objective and its catalogue)
- :mod:`gradlab.quadratics` quadratic bowls and the rate theory of (heavy-ball, Nesterov) descent
- :mod:`gradlab.optimizers` SGD, momentum, AdaGrad, RMSprop, Adam, ... vectorized over runs
- :mod:`gradlab.schedules`  learning-rate schedules
- :mod:`gradlab.runner`     run an optimizer and keep the trajectory
- :mod:`gradlab.linesearch` choose every step along the way (backtracking, exact line search)
- :mod:`gradlab.lr_search`  search for one learning rate (grid, random, range test)
- :mod:`gradlab.data`       seeded data sets (regression, classes, digits, ratings, anomalies)
- :mod:`gradlab.models`     models whose loss and gradient are written by hand
- :mod:`gradlab.batches`    mini-batch sampling: full batch, stochastic and mini-batch alike
- :mod:`gradlab.training`   train a model on data (epochs of mini-batches; streamed fits)
- :mod:`gradlab.metrics`    scores of a trained model (precision and recall)
- :mod:`gradlab.landscape`  2-D slices of a trained network's loss
- :mod:`gradlab.plotting`   figures drawn once and updated in place
- :mod:`gradlab.widgets`    slider figures and predict-then-reveal checks for the notebooks
- :mod:`gradlab.explorers`  interactive figures made for one lesson each (views only)
- :mod:`gradlab.display`    static figures stored as pictures every reader sees

See ``docs/design.md`` for the contracts between them.
"""

from gradlab.errors import EvaluationError, ExpressionError

__all__ = ["EvaluationError", "ExpressionError"]
__version__ = "0.1.0"
