"""gradlab: the plumbing behind an interactive course on gradients.

The lessons live in ``notebooks/``; this package keeps them short. Modules, one idea each:

- :mod:`gradlab.symbolic`   read a formula safely, differentiate it, evaluate it with numpy
- :mod:`gradlab.functions`  the surfaces the course descends (an objective and its catalogue)
- :mod:`gradlab.optimizers` SGD, momentum, AdaGrad, RMSprop, Adam, ... vectorized over runs
- :mod:`gradlab.schedules`  learning-rate schedules
- :mod:`gradlab.runner`     run an optimizer and keep the trajectory
- :mod:`gradlab.stepsize`   ways to choose the learning rate
"""

from gradlab.errors import EvaluationError, ExpressionError

__all__ = ["EvaluationError", "ExpressionError"]
__version__ = "0.1.0"
