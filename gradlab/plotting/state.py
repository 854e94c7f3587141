"""A compact panel of an optimizer's state, one column per coordinate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradlab.plotting._base import check_positive_int, color_for, format_number, new_axes


def _state_rows(state: Mapping[str, Any]) -> tuple[list[str], list[np.ndarray]]:
    if not isinstance(state, Mapping) or not state:
        raise ValueError("state must be a non-empty dict {name: value per coordinate}")
    names, rows = [], []
    for name, value in state.items():
        try:
            row = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"state[{name!r}] must be numbers, got {value!r}") from None
        if row.ndim > 1:
            raise ValueError(f"state[{name!r}] must be a number or one value per coordinate "
                             f"(1-D), got shape {row.shape}")
        names.append(str(name))
        rows.append(row.reshape(-1))
    return names, rows


@dataclass(eq=False)
class StatePanelArtists:
    """What :func:`state_panel` drew; :meth:`update` rewrites the numbers."""

    ax: Any
    table: Any
    names: list
    columns: int
    digits: int

    def update(self, state: Mapping[str, Any]) -> None:
        """Show new numbers; ``state`` needs the same names and lengths as when drawn."""
        names, rows = _state_rows(state)
        if names != self.names:
            raise ValueError(f"update needs the state names {self.names}, got {names}")
        for row_index, (name, row) in enumerate(zip(names, rows, strict=True)):
            if row.size not in (1, self.columns):
                raise ValueError(f"state[{name!r}] must have 1 or {self.columns} values, "
                                 f"got {row.size}")
            for column in range(self.columns):
                text = (format_number(row[column], self.digits)
                        if column < row.size else "")
                self.table[row_index + 1, column].get_text().set_text(text)


def state_panel(ax: Any, state: Mapping[str, Any], *,
                coordinate_names: Sequence[str] | None = None, title: str | None = None,
                digits: int = 3, fontsize: float = 10) -> StatePanelArtists:
    """Draw an optimizer's state as a small table: one row per quantity, one column per coordinate.

    Typical rows for Adam: ``m``, ``v``, ``m̂`` and ``v̂`` (bias-corrected) and the effective
    step ``lr · m̂ / (√v̂ + ε)``. Scalars (the step count ``t``) fill the first column.

    Parameters
    ----------
    ax : matplotlib Axes or None
        The axes is used as a panel (its frame and ticks are hidden).
    state : dict
        ``{name: value}``, each value a number or one number per coordinate.
    coordinate_names : list of str, optional
        Column headers; ``x``, ``y`` for two coordinates, else ``θ1, θ2, ...``.
    title : str, optional
    digits : int
        Significant digits of every number.
    fontsize : float

    Returns
    -------
    StatePanelArtists

    Examples
    --------
    >>> panel = state_panel(None, {"m": [0.1, -0.2], "t": 3})
    >>> panel.table[1, 1].get_text().get_text(), panel.table[2, 0].get_text().get_text()
    ('-0.2', '3')
    """
    names, rows = _state_rows(state)
    digits = check_positive_int(digits, "digits")
    columns = max(row.size for row in rows)
    if coordinate_names is None:
        coordinate_names = (["x", "y"] if columns == 2
                            else [f"θ{i + 1}" for i in range(columns)])
    elif len(coordinate_names) != columns:
        raise ValueError(f"coordinate_names must have {columns} entries, got "
                         f"{len(coordinate_names)}")
    ax = new_axes(figsize=(1.5 + 1.2 * columns, 0.45 * (len(names) + 2))) if ax is None else ax
    ax.set_axis_off()
    table = ax.table(cellText=[[""] * columns for _ in names], rowLabels=names,
                     colLabels=list(coordinate_names), loc="center", cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(fontsize)
    table.scale(1.0, 1.3)
    for (row, column), cell in table.get_celld().items():
        cell.set_edgecolor("0.8")
        if row == 0 or column == -1:
            cell.get_text().set_fontweight("bold")
            cell.set_facecolor("#EEF4FA")
    if title:
        ax.set_title(title, fontsize=fontsize + 1, color=color_for(6))
    artists = StatePanelArtists(ax, table, names, columns, digits)
    artists.update(state)
    return artists
