"""Runs for every position of a slider at once, so that moving the slider is a lookup.

An explorer that re-runs an optimizer on every move spends most of a move descending. The
optimizers of :mod:`gradlab.optimizers` take one hyperparameter value per row, and
:func:`gradlab.runner.run` one start point per row, so the runs of all positions of one slider
(every learning rate, every start x) are one vectorized run, about as fast as two single runs.
:class:`SweepCache` keeps such sweeps, each for the values of the other controls it was run
with; a move of the swept slider, or a return to settings seen before, finds its run there.
"""

from __future__ import annotations

from collections import OrderedDict

import ipywidgets
import numpy as np

from gradlab.runner import Trajectory

__all__ = ["SweepCache", "slider_positions", "sweep_values", "trajectory_row"]


#: A slider with more positions than this is not swept (none of the explorers has one).
MAX_POSITIONS = 5000


def slider_positions(control):
    """Every value a slider can take from the mouse or the arrow keys, as a float array.

    A selection slider (:class:`~gradlab.widgets.base.LogSlider`) offers its options; a float
    or int slider ``min + k * step``. ``None`` for other controls and for sliders with more
    than ``MAX_POSITIONS`` positions.

    >>> import ipywidgets
    >>> slider_positions(ipywidgets.FloatSlider(min=-1.0, max=1.0, step=0.5)).tolist()
    [-1.0, -0.5, 0.0, 0.5, 1.0]
    >>> slider_positions(ipywidgets.IntText(value=3)) is None
    True
    """
    if isinstance(control, ipywidgets.SelectionSlider):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        try:
            values = np.array(values, dtype=float)
        except (TypeError, ValueError):
            return None
    elif isinstance(control, ipywidgets.FloatSlider | ipywidgets.IntSlider) and control.step:
        count = int(round((control.max - control.min) / control.step)) + 1
        if count > MAX_POSITIONS:
            return None
        values = control.min + control.step * np.arange(count)
    else:
        return None
    return values if 2 <= values.size <= MAX_POSITIONS else None


def _index(values, value, tolerance):
    """Row of ``values`` equal to ``value`` (within ``tolerance``), else ``None``."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    row = int(np.argmin(np.abs(values - value)))
    return row if abs(values[row] - value) <= tolerance else None


def trajectory_row(trajectory, row):
    """Row ``row`` of a :class:`~gradlab.runner.Trajectory` as a one-row trajectory (views)."""
    rows = slice(row, row + 1)
    states = None if trajectory.states is None else {
        name: array[:, rows] for name, array in trajectory.states.items()}
    return Trajectory(points=trajectory.points[:, rows], values=trajectory.values[:, rows],
                      lrs=trajectory.lrs[:, rows], diverged_at=trajectory.diverged_at[rows],
                      states=states, has_values=trajectory.has_values)


class SweepCache:
    """Sweeps over one slider each, found again by the settings of all the other controls.

    ``store(name, values, settings, result)`` keeps ``result`` (anything indexable by row, e.g.
    a :class:`~gradlab.runner.Trajectory` of ``len(values)`` rows) as the runs for slider
    ``name`` at each of ``values``, with the other controls as in ``settings``. ``find(settings)``
    returns ``(result, row)`` for the current settings, or ``None``. The ``size`` most recently
    used sweeps are kept.

    A float slider's value may come from the browser a rounding error away from
    ``min + k * step``: a value within ``1e-9`` of a position's spacing counts as that position.
    """

    def __init__(self, size=4):
        self.size = int(size)
        self._sweeps = OrderedDict()  # name -> (others, values, tolerance, result)
        self._failed = set()  # (name, others) whose sweep the optimizer refused

    @staticmethod
    def _others(settings, name):
        return tuple(sorted((k, v) for k, v in settings.items() if k != name))

    def get(self, settings, name, control, run_rows):
        """``(result, row)`` for ``settings``: found in a sweep, or from a new sweep of slider
        ``name`` (``control``) made by ``run_rows(name, values)``.

        When that raises ``ValueError`` or ``TypeError`` (an optimizer that takes no value per
        row, or refuses one of the positions), ``run_rows(None, None)`` runs the current
        settings alone (row 0), and so do the next moves with the same other settings.
        """
        found = self.find(settings)
        if found is not None:
            return found
        if not self.refused(name, settings):
            values = sweep_values(control, settings[name])
            try:
                result = run_rows(name, values)
            except (ValueError, TypeError):
                self.refuse(name, settings)
            else:
                self.store(name, values, settings, result)
                return self.find(settings)
        return run_rows(None, None), 0

    def find(self, settings):
        for name, (others, values, tolerance, result) in self._sweeps.items():
            if name in settings and others == self._others(settings, name):
                row = _index(values, settings[name], tolerance)
                if row is not None:
                    self._sweeps.move_to_end(name)
                    return result, row
        return None

    def store(self, name, values, settings, result):
        values = np.asarray(values, dtype=float)
        gaps = np.diff(np.sort(values))
        gaps = gaps[gaps > 0]
        tolerance = 1e-9 * (float(gaps.min()) if gaps.size else 1.0)
        self._sweeps[name] = (self._others(settings, name), values, tolerance, result)
        self._sweeps.move_to_end(name)
        while len(self._sweeps) > self.size:
            self._sweeps.popitem(last=False)

    def refused(self, name, settings):
        """Whether a sweep of ``name`` failed with the other controls as in ``settings``."""
        return (name, self._others(settings, name)) in self._failed

    def refuse(self, name, settings):
        """Remember that a sweep of ``name`` failed with these settings (run singly instead)."""
        if len(self._failed) > 1000:  # a long drag through refused settings
            self._failed.clear()
        self._failed.add((name, self._others(settings, name)))

    def clear(self):
        self._sweeps.clear()
        self._failed.clear()


def sweep_values(control, value):
    """The positions of ``control`` plus ``value`` itself when it is not one of them.

    ``value`` may be off the grid (set from code: ``set(x0=0.5)``); it gets its own row, so the
    run shown is the run of exactly that value, and the grid's rows stay the grid's.
    """
    values = slider_positions(control)
    if values is None:
        return np.array([float(value)])
    gaps = np.diff(values)
    tolerance = 1e-9 * (float(np.min(np.abs(gaps))) if gaps.size else 1.0)
    if _index(values, value, tolerance) is None:
        values = np.append(values, float(value))
    return values
