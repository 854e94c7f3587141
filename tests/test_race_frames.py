"""RaceExplorer (lesson 07) draws a step move from the cached static layers: the frame equals a
full redraw pixel for pixel, no move redraws the static layers, and thinning the markers of
settled paths hides no step (every step's point has a drawn marker within one cell)."""

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gradlab.explorers import optimizer_race  # noqa: E402
from gradlab.explorers.optimizer_race import RaceExplorer  # noqa: E402
from gradlab.functions import beale, rosenbrock, saddle  # noqa: E402


def _paths(steps):
    """Paths written out here: one that settles on a point, one that spirals in, one that
    leaves the window and one that blows up (NaN) partway."""
    k = np.arange(steps + 1)[:, None]
    settle = np.hstack([1.0 - 2.5 * 0.9 ** k, 1.0 + 1.0 * 0.9 ** k])      # to (1, 1)
    angle = 0.3 * k
    spiral = np.hstack([1.0 + 1.5 * 0.995 ** k * np.cos(angle),
                        1.0 + 1.5 * 0.995 ** k * np.sin(angle)])
    leave = np.hstack([-1.0 + 0.02 * k, 0.5 + 0.0 * k])                  # out at x = 2
    blow = settle[::-1].copy()
    blow[steps // 3:] = np.nan
    return {"settle": settle, "spiral": spiral, "leave": leave, "blow up": blow}


@pytest.fixture(params=["below", "lower left"])
def explorer(request):
    widget = RaceExplorer({"rosenbrock": (rosenbrock(), _paths(600)),
                           "beale": (beale(), _paths(300)),
                           "saddle": (saddle(), {n: p * 0.5 for n, p in _paths(40).items()})},
                          step=10, legend_location=request.param, resolution=40)
    yield widget
    widget.close()
    plt.close("all")


def test_every_move_is_drawn_on_the_cached_layers_and_equals_a_full_redraw(explorer):
    explorer.frame_rgba()
    before = explorer.full_frames
    for step in (11, 12, 40, 0, 1, 299, 300, 301, 599, 600, 200, 41):
        explorer.set(step=step)
        shown = explorer.frame_rgba()
        assert explorer.full_frames == before, f"step {step} redrew the static layers"
        redrawn = explorer.frame_rgba(full=True)
        before = explorer.full_frames
        assert np.array_equal(shown, redrawn), f"step {step}: the cached frame is not whole"


def test_the_titles_give_each_race_length_and_the_message_the_step(explorer):
    assert [panel.ax.get_title() for panel in explorer.panels] == [
        "rosenbrock (600 steps)", "beale (300 steps)", "saddle (40 steps)"]
    explorer.set(step=123)
    assert explorer.message.startswith("step 123: lowest f — rosenbrock: ")
    assert "; beale: " in explorer.message
    assert "; saddle (ended at step 40): " in explorer.message
    explorer.set(step=40)
    assert "; saddle: " in explorer.message
    assert not any(panel.step_text.get_visible() for panel in explorer.panels)


@pytest.mark.parametrize("step", [0, 1, 5, 150, 600])
def test_thinned_markers_cover_every_step_that_is_drawn(explorer, step):
    explorer.set(step=step)
    cell = optimizer_race._MARKER_CELL
    for panel in explorer.panels:
        to_pixels = panel.ax.transData.transform
        for line in panel.paths.lines:
            xy = np.column_stack(line.get_data())
            marked = np.asarray(line.get_markevery())
            assert marked[-1] == len(xy) - 1  # the newest point always has its marker
            assert np.all(np.diff(marked) > 0)
            drawn = np.isfinite(xy).all(axis=1)
            cells = np.floor(to_pixels(xy[drawn]) / cell)
            covered = {tuple(c) for c in np.floor(to_pixels(xy[marked]) / cell)}
            missing = [tuple(c) for c in cells if tuple(c) not in covered]
            assert missing == [], f"{line.get_label()}: points with no marker in their cell"


def test_a_settled_path_draws_few_markers():
    steps = 5000
    k = np.arange(steps + 1)[:, None]
    settle = np.hstack([1.0 - 2.5 * 0.9 ** k, 1.0 + 1.0 * 0.9 ** k])
    widget = RaceExplorer({"rosenbrock": (rosenbrock(), {"a": settle, "b": settle * 0.9})},
                          resolution=30)
    try:
        widget.set(step=steps)
        for line in widget.panels[0].paths.lines:
            assert len(line.get_xdata()) == steps + 1
            assert len(line.get_markevery()) < 100   # not 5001 markers on one spot
    finally:
        widget.close()
        plt.close("all")


def test_the_first_frame_of_the_lesson_sized_race_is_a_whole_picture():
    # The explorer as lesson 07 builds it: three surfaces, seven paths each, 2000 steps.
    names = ["SGD", "SGD + momentum", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam"]
    k = np.arange(2001)[:, None]
    races = {title: (surface, {name: np.hstack([1.0 - (2.0 + 0.1 * i) * 0.99 ** k,
                                                1.0 + 0.5 * 0.995 ** k])
                               for i, name in enumerate(names)})
             for title, surface in (("rosenbrock", rosenbrock()), ("beale", beale()),
                                    ("saddle", saddle()))}
    widget = RaceExplorer(races, step=40, png_dpi=80, resolution=40)
    try:
        first = widget.frame_rgba()
        assert np.array_equal(first, widget.frame_rgba(full=True))
        widget.set(step=1999)
        assert np.array_equal(widget.frame_rgba(), widget.frame_rgba(full=True))
    finally:
        widget.close()
        plt.close("all")
