"""RaceExplorer: revealed paths match the given runs, no new artists, clear errors."""

import matplotlib
import matplotlib.text

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gradlab.explorers.optimizer_race import RaceExplorer  # noqa: E402
from gradlab.functions import beale, rosenbrock, saddle  # noqa: E402


def _paths(steps, shift):
    """Two straight paths inside the Rosenbrock window (independent of any optimizer)."""
    s = np.linspace(0.0, 1.0, steps + 1)[:, None]
    return {
        "A": np.hstack([-1.5 + 2.5 * s, 2.0 - 1.0 * s + shift]),
        "B": np.hstack([-1.5 + 1.0 * s, 2.0 - 2.0 * s + shift]),
    }


@pytest.fixture
def explorer():
    widget = RaceExplorer({
        "rosenbrock": (rosenbrock(), _paths(20, 0.0)),
        "saddle": (saddle(), {k: v * 0.5 for k, v in _paths(8, 0.0).items()}),
    })
    yield widget
    widget.close()


def test_lines_show_the_paths_up_to_the_step(explorer):
    paths = _paths(20, 0.0)
    explorer.set(step=5)
    for line, name in zip(explorer.panels[0].paths.lines, ["A", "B"], strict=True):
        x, y = line.get_data()
        np.testing.assert_allclose(np.column_stack([x, y]), paths[name][:6])
    # the shorter race shows all of its 8 steps once the slider passes it
    explorer.set(step=15)
    x, _ = explorer.panels[1].paths.lines[0].get_data()
    assert len(x) == 9
    assert explorer.steps == 20


def test_message_names_the_lowest_value_so_far(explorer):
    explorer.set(step=20)
    a, b = _paths(20, 0.0)["A"], _paths(20, 0.0)["B"]

    def rosen(p):  # written out here, independent of gradlab.functions
        return (1 - p[:, 0]) ** 2 + 100 * (p[:, 1] - p[:, 0] ** 2) ** 2

    best = {"A": rosen(a).min(), "B": rosen(b).min()}
    leader = min(best, key=best.get)
    assert f"rosenbrock: {leader} {best[leader]:.3g}" in explorer.message


def test_no_new_artists_per_update(explorer):
    def count():
        return [len(ax.get_children()) for ax in explorer.figure.axes]

    explorer.set(step=3)
    before = count()
    for step in (0, 7, 20, 11):
        explorer.set(step=step)
    assert count() == before


def test_a_step_beyond_the_slider_is_clipped_with_a_note(explorer):
    explorer.set(step=500)
    assert explorer.controls["step"].value == 20
    assert "outside" in explorer.message


def test_nan_after_divergence_is_shown_without_warnings():
    paths = _paths(10, 0.0)
    paths["B"][6:] = np.nan
    widget = RaceExplorer({"beale": (beale(), paths)})
    widget.set(step=10)
    x, _ = widget.panels[0].paths.lines[1].get_data()
    assert np.all(np.isfinite(x))
    widget.close()


@pytest.mark.parametrize("races, words", [
    ({}, "non-empty"),
    ({"r": rosenbrock()}, "pair"),
    ({"r": (rosenbrock(), {"A": np.zeros((5, 3))})}, "shape (steps + 1, 2)"),
    ({"r": (rosenbrock(), {"A": np.zeros((5, 2)), "B": np.zeros((6, 2))})}, "same number"),
    ({"r": (rosenbrock(), {"A": np.zeros((5, 2))}),
      "s": (saddle(), {"B": np.zeros((5, 2))})}, "same optimizers"),
])
def test_bad_races_are_refused_clearly(races, words):
    with pytest.raises(ValueError) as error:
        RaceExplorer(races)
    assert words in str(error.value)


def test_bad_initial_step_is_refused():
    with pytest.raises(ValueError, match=r"step must be an integer in \[0, 4\]"):
        RaceExplorer({"r": (rosenbrock(), {"A": np.zeros((5, 2))})}, step=9)


@pytest.mark.parametrize("count", [1, 2, 3])
def test_default_figure_fits_a_934_px_output(count):
    surfaces = [("rosenbrock", rosenbrock()), ("beale", beale()), ("saddle", saddle())][:count]
    names = [f"optimizer {k}" for k in range(7)]
    widget = RaceExplorer({title: (objective, {n: np.zeros((3, 2)) for n in names})
                           for title, objective in surfaces})
    width, height = widget.figure.get_size_inches() * widget.figure.dpi
    assert width <= 934
    texts = [t for t in widget.figure.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text()]
    assert min(t.get_fontsize() for t in texts) >= 8
    # one legend under the panels names every optimizer once; the panels show none
    assert [t.get_text() for t in widget.legend.get_texts()] == names
    assert not any(panel.legend.get_visible() for panel in widget.panels)
    # the legend sits below every panel's axes
    renderer = widget.figure.canvas.get_renderer()
    legend_top = widget.legend.get_window_extent(renderer).y1
    assert all(legend_top < ax.get_tightbbox(renderer).y0 + 1 for ax in widget.figure.axes)
    widget.close()


def test_legend_inside_the_first_panel_on_request():
    widget = RaceExplorer({"rosenbrock": (rosenbrock(), _paths(4, 0.0)),
                           "saddle": (saddle(), _paths(4, 0.0))}, legend_location="lower left")
    assert widget.panels[0].legend.get_visible()
    assert not widget.panels[1].legend.get_visible()
    assert widget.legend is widget.panels[0].legend
    widget.close()


def test_escapes_are_crosses_without_notes():
    paths = {"A": np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]]),
             "B": np.array([[0.0, 0.0], [-1.0, 1.0], [-5.0, 5.0]])}
    widget = RaceExplorer({"saddle": (saddle(), paths)})
    widget.set(step=2)
    assert len(widget.panels[0].paths.exits.get_offsets()) == 2
    assert not any(note.get_visible() for note in widget.panels[0].paths.notes)
    widget.close()
