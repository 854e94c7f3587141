"""Tests of gradlab.plotting: figures draw, updates move data in place, nothing global changes.

Expected numbers come from closed forms written here (a hand-made bowl, sine and cosine),
bisection on the window boundary, and Mahalanobis distances — never from the plotting code.
"""

import doctest
import io
import pathlib
import re
import warnings

import matplotlib

matplotlib.use("Agg")  # tests only: the library never chooses a backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import gradlab.plotting as gp  # noqa: E402
from gradlab.plotting import (  # noqa: E402
    OKABE_ITO,
    basin_labels,
    basin_map,
    color_for,
    contour_levels,
    contour_map,
    directional_derivative,
    ghost_trails,
    gradient_cloud,
    gradient_field,
    loss_curves,
    lr_sweep,
    race,
    surface_3d,
    tangent_line,
    trajectory_lines,
    uses_log_scale,
)

PACKAGE = pathlib.Path(gp.__file__).parent


class Bowl:
    """Stand-in objective f(x, y) = x² + 4 y² with its gradient written by hand."""

    name = "bowl"
    dim = 2
    variables = ("x", "y")
    window = ((-2.0, 2.0), (-1.0, 1.0))
    minima = np.array([[0.0, 0.0]])
    saddles = np.empty((0, 2))
    minimum_value = 0.0

    def value(self, points):
        points = np.asarray(points, dtype=float)
        return points[..., 0] ** 2 + 4 * points[..., 1] ** 2

    def gradient(self, points):
        points = np.asarray(points, dtype=float)
        return np.stack([2 * points[..., 0], 8 * points[..., 1]], axis=-1)


class Cubic1D:
    """Stand-in one-variable objective f(x) = x³ - x."""

    name = "cubic"
    dim = 1
    variables = ("w",)
    window = ((-2.0, 2.0),)

    def value(self, points):
        x = np.asarray(points, dtype=float)[..., 0]
        return x**3 - x

    def gradient(self, points):
        x = np.asarray(points, dtype=float)[..., 0]
        return (3 * x**2 - 1)[..., None]


@pytest.fixture(autouse=True)
def strict_and_global_state_unchanged():
    """Every test: any warning is an error, and rcParams are the same afterwards."""
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    assert dict(matplotlib.rcParams) == before
    plt.close("all")


@pytest.fixture
def ax():
    return Figure(figsize=(6.4, 4.8), dpi=100).add_subplot()


@pytest.fixture
def ax3d():
    return Figure(figsize=(6.4, 4.8), dpi=100).add_subplot(projection="3d")


def child_count(axes):
    return len(axes.get_children())


def render(axes):
    """Draw the whole figure with Agg, as a widget callback would."""
    axes.figure.canvas.draw()


def bisect_exit(inside_point, outside_point, window, iterations=60):
    """Where the segment leaves the window, by bisection on 'is inside'."""
    (xlo, xhi), (ylo, yhi) = window

    def inside(t):
        x, y = inside_point + t * (outside_point - inside_point)
        return xlo <= x <= xhi and ylo <= y <= yhi

    low, high = 0.0, 1.0
    for _ in range(iterations):
        middle = (low + high) / 2
        low, high = (middle, high) if inside(middle) else (low, middle)
    return inside_point + low * (outside_point - inside_point)


# --- palette and small helpers -------------------------------------------------------------

def test_palette_is_the_eight_okabe_ito_colours_and_color_for_cycles():
    assert isinstance(OKABE_ITO, tuple) and len(set(OKABE_ITO)) == 8
    assert {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
            "#000000"} == set(OKABE_ITO)
    assert [color_for(i) for i in range(8)] == [color_for(i + 8) for i in range(8)]
    assert set(color_for(i) for i in range(8)) == set(OKABE_ITO)
    with pytest.raises(TypeError, match="index"):
        color_for(1.5)


@pytest.mark.parametrize(("values", "expected"), [
    (0.5 ** np.arange(30), True),  # 1 .. 1.9e-9: nine decades
    (np.linspace(1.0, 50.0, 10), False),  # under two decades
    (np.array([1.0, 2.0, -0.5]), False),  # a negative value cannot go on a log axis
    (np.array([1e3, 1.0, 0.0, np.nan]), True),  # zeros and NaN are allowed
    (np.array([np.nan, np.nan]), False),
])
def test_log_scale_decision(values, expected):
    assert uses_log_scale(values) is expected


def test_contour_levels_linear_and_log():
    z = np.linspace(0.0, 10.0, 101)
    np.testing.assert_allclose(contour_levels(z, 6, log_levels=False), [0, 2, 4, 6, 8, 10])
    # Rosenbrock-like heights: most of the area low, walls very high -> log spacing.
    x = y = np.linspace(-2, 2, 120)
    xx, yy = np.meshgrid(x, y)
    rosen = (1 - xx) ** 2 + 100 * (yy - xx**2) ** 2
    levels = contour_levels(rosen, 12)
    assert levels[0] == rosen.min() and np.isclose(levels[-1], rosen.max())
    ratios = np.diff(levels[1:] - rosen.min()) / np.diff(levels[:-1] - rosen.min())[0]
    assert np.all(np.diff(levels) > 0) and ratios[-1] > 100  # geometric, not even
    # A round bowl stays linear.
    bowl = xx**2 + yy**2
    assert np.allclose(np.diff(contour_levels(bowl, 10)), np.diff(contour_levels(bowl, 10))[0])
    with pytest.raises(ValueError, match="log_levels"):
        contour_levels(bowl, 10, log_levels="yes")


# --- contour map -----------------------------------------------------------------------------

def test_contour_map_of_an_objective_marks_minima_and_labels_axes(ax):
    bowl = Bowl()
    artists = contour_map(ax, bowl, resolution=50)
    assert artists.filled is not None and artists.lines is not None
    np.testing.assert_array_equal(artists.minima.get_offsets(), bowl.minima)
    assert artists.saddles is None  # no saddle points to mark
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 1.0)
    # The grid holds the bowl's values at the grid points.
    x0, y0 = artists.grid.x[7], artists.grid.y[31]
    assert np.isclose(artists.grid.z[31, 7], x0**2 + 4 * y0**2)
    render(ax)


def test_contour_map_takes_a_plain_grid_and_rejects_bad_ones(ax):
    x, y = np.linspace(0, 1, 5), np.linspace(0, 2, 7)
    artists = contour_map(ax, (x, y, np.add.outer(y, x)), filled=False)
    assert artists.filled is None and artists.minima is None
    assert ax.get_ylim() == (0.0, 2.0)
    with pytest.raises(ValueError, match=r"shape \(len\(y\), len\(x\)\)"):
        contour_map(ax, (x, y, np.zeros((5, 7))))
    with pytest.raises(TypeError, match="objective"):
        contour_map(ax, 42)
    with pytest.raises(ValueError, match="filled=True or lines=True"):
        contour_map(ax, Bowl(), filled=False, lines=False)


# --- trajectories ----------------------------------------------------------------------------

def test_one_run_line_start_and_end(ax):
    points = np.array([[1.5, 0.8], [1.0, 0.2], [0.5, -0.1], [0.2, 0.0]])
    artists = trajectory_lines(ax, points, window=Bowl.window)
    (line,) = artists.lines
    np.testing.assert_array_equal(np.column_stack(line.get_data()), points)
    assert line.get_marker() == "o"
    np.testing.assert_array_equal(artists.starts.get_offsets(), points[:1])
    np.testing.assert_array_equal(artists.ends.get_offsets(), points[-1:])
    assert len(artists.exits.get_offsets()) == 0
    assert not any(note.get_visible() for note in artists.notes)


@pytest.mark.parametrize("outside", [[3.0, 1.0], [0.9, -4.0], [-6.0, 0.7], [2.1, 1.05]])
def test_an_escaping_run_is_clipped_where_it_crosses_the_edge(ax, outside):
    window = ((-2.0, 2.0), (-1.0, 1.0))
    last_inside = np.array([0.5, 0.5])
    points = np.array([[0.0, 0.0], last_inside, outside])
    artists = trajectory_lines(ax, points, window=window)
    expected = bisect_exit(last_inside, np.array(outside), window)
    (exit_point,) = artists.exits.get_offsets()
    np.testing.assert_allclose(exit_point, expected, atol=1e-9)
    drawn = np.column_stack(artists.lines[0].get_data())
    np.testing.assert_allclose(drawn, [[0.0, 0.0], last_inside, expected], atol=1e-9)
    assert len(artists.ends.get_offsets()) == 0  # no end star for an escaped run
    assert artists.notes[0].get_visible() and artists.notes[0].get_text() == "left at step 2"


def test_random_escapes_match_bisection(ax):
    rng = np.random.default_rng(3)
    window = ((-1.0, 3.0), (-2.0, 0.5))
    (xlo, xhi), (ylo, yhi) = window
    starts = rng.uniform([xlo, ylo], [xhi, yhi], size=(40, 2))
    angles = rng.uniform(0, 2 * np.pi, 40)
    ends = starts + 20 * np.column_stack([np.cos(angles), np.sin(angles)])  # always outside
    runs = np.stack([starts, ends])  # (2, 40, 2): one step each
    artists = trajectory_lines(ax, runs, window=window)
    expected = np.array([bisect_exit(s, e, window) for s, e in zip(starts, ends, strict=True)])
    np.testing.assert_allclose(artists.exits.get_offsets(), expected, atol=1e-9)


def test_last_exit_counts_and_nan_marks_divergence_inside(ax):
    window = ((-1.0, 1.0), (-1.0, 1.0))
    out_and_back = [[0.0, 0.0], [2.0, 0.0], [0.5, 0.0], [0.5, 5.0]]
    blew_up = [[0.0, 0.0], [0.5, 0.2], [np.nan, np.nan], [np.nan, np.nan]]
    runs = np.stack([out_and_back, blew_up], axis=1)
    artists = trajectory_lines(ax, runs, window=window)
    np.testing.assert_allclose(artists.exits.get_offsets(), [[0.5, 1.0], [0.5, 0.2]])
    np.testing.assert_allclose(np.column_stack(artists.lines[0].get_data()),
                               [[0, 0], [2, 0], [0.5, 0], [0.5, 1.0]])
    np.testing.assert_allclose(np.column_stack(artists.lines[1].get_data()),
                               [[0, 0], [0.5, 0.2], [0.5, 0.2]])
    texts = [note.get_text() for note in artists.notes if note.get_visible()]
    assert texts == ["left at step 3", "diverged at step 2"]
    render(ax)


def test_trajectory_update_moves_data_without_new_artists(ax):
    contour_map(ax, Bowl(), resolution=40)
    first = np.stack([np.linspace([1.5, 0.8], [0, 0], 11), np.linspace([-1.5, 0.5], [0, 0], 11)],
                     axis=1)
    artists = trajectory_lines(ax, first, labels=["a", "b"])
    render(ax)
    before = child_count(ax)
    second = first * 0.5
    second[-1, 1] = [5.0, 0.0]  # run b now escapes through the right edge
    artists.update(second)
    assert child_count(ax) == before
    np.testing.assert_array_equal(np.column_stack(artists.lines[0].get_data()), second[:, 0])
    np.testing.assert_array_equal(artists.starts.get_offsets(), second[0])
    np.testing.assert_array_equal(artists.ends.get_offsets(), second[-1:, 0])
    np.testing.assert_allclose(artists.exits.get_offsets(),
                               [bisect_exit(second[-2, 1], second[-1, 1], Bowl.window)])
    render(ax)
    assert child_count(ax) == before
    with pytest.raises(ValueError, match="drawn for 2"):
        artists.update(second[:, :1])


def test_many_runs_share_one_line_collection_and_notes_are_a_fixed_pool(ax):
    rng = np.random.default_rng(0)
    starts = rng.uniform(-0.9, 0.9, size=(200, 2))
    runs = np.stack([starts, 0.5 * starts, 0.25 * starts])
    runs[2, :5] = 10.0  # five runs escape
    artists = trajectory_lines(ax, runs, window=((-1, 1), (-1, 1)), max_notes=3)
    assert artists.collection is not None and artists.lines == []
    segments = artists.collection.get_segments()
    assert len(segments) == 200
    np.testing.assert_allclose(segments[10], runs[:, 10])
    assert len(artists.exits.get_offsets()) == 5
    assert sum(note.get_visible() for note in artists.notes) == 3
    before = child_count(ax)
    artists.update(runs[:2])
    assert child_count(ax) == before and not any(n.get_visible() for n in artists.notes)
    assert len(artists.ends.get_offsets()) == 200


def test_trajectory_input_errors(ax):
    with pytest.raises(ValueError, match=r"\(steps \+ 1, n, 2\)"):
        trajectory_lines(ax, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="labels"):
        trajectory_lines(ax, np.zeros((5, 2, 2)), labels=["only one"])
    with pytest.raises(ValueError, match="window"):
        trajectory_lines(ax, np.zeros((5, 2)), window=((1, 0), (0, 1)))


# --- gradient field --------------------------------------------------------------------------

def test_gradient_field_arrows_follow_the_hand_written_gradient(ax):
    bowl = Bowl()
    artists = gradient_field(ax, bowl, resolution=8)
    quiver = artists.quiver
    positions = quiver.get_offsets()
    assert positions.shape == (64, 2)
    gradients = np.column_stack([2 * positions[:, 0], 8 * positions[:, 1]])
    lengths = np.hypot(quiver.U, quiver.V)
    np.testing.assert_allclose(lengths, artists.arrow_length)  # normalized arrows
    unit = gradients / np.linalg.norm(gradients, axis=1, keepdims=True)
    np.testing.assert_allclose(np.column_stack([quiver.U, quiver.V]) / artists.arrow_length,
                               unit, atol=1e-12)
    np.testing.assert_allclose(quiver.get_array(), np.linalg.norm(gradients, axis=1))
    # An odd grid puts one arrow on the minimum, where the gradient is zero: no arrow, no warning.
    centre = gradient_field(Figure().add_subplot(), bowl, resolution=9).quiver
    middle = np.flatnonzero(np.all(np.isclose(centre.get_offsets(), 0.0), axis=1))
    assert middle.size == 1 and centre.U[middle[0]] == 0 and centre.V[middle[0]] == 0
    before = child_count(ax)
    artists.update(descent=True)
    np.testing.assert_allclose(np.column_stack([quiver.U, quiver.V]) / artists.arrow_length,
                               -unit, atol=1e-12)
    assert child_count(ax) == before
    render(ax)


# --- derivatives -----------------------------------------------------------------------------

def test_tangent_line_is_f_plus_slope_times_offset(ax):
    artists = tangent_line(ax, np.sin, np.cos, 0.4, window=((-3.0, 3.0),))
    ends = np.array([-3.0, 3.0])
    np.testing.assert_allclose(artists.tangent.get_ydata(),
                               np.sin(0.4) + np.cos(0.4) * (ends - 0.4))
    assert "0.921" in artists.text.get_text()  # cos(0.4) = 0.92106...
    before = child_count(ax)
    artists.update(-1.2)
    assert child_count(ax) == before
    np.testing.assert_allclose(artists.point.get_data(), [[-1.2], [np.sin(-1.2)]])
    np.testing.assert_allclose(artists.tangent.get_ydata(),
                               np.sin(-1.2) + np.cos(-1.2) * (ends + 1.2))
    render(ax)


def test_tangent_line_of_a_one_variable_objective_matches_finite_differences(ax):
    cubic = Cubic1D()
    artists = tangent_line(ax, cubic, None, 0.8)
    xs, ys = artists.tangent.get_data()
    h = 1e-6
    slope = (cubic.value(np.array([[0.8 + h]])) - cubic.value(np.array([[0.8 - h]])))[0] / (2 * h)
    assert np.isclose((ys[1] - ys[0]) / (xs[1] - xs[0]), slope, rtol=1e-6)
    assert ax.get_xlabel() == "w"
    with pytest.raises(ValueError, match="window"):
        tangent_line(ax, np.sin, np.cos, 0.0)


def test_directional_derivative_text_and_arrows(ax):
    bowl = Bowl()
    contour_map(ax, bowl, resolution=30)
    point, angle = np.array([1.0, 0.5]), 0.3
    artists = directional_derivative(ax, bowl, point, angle)
    gradient = np.array([2.0, 4.0])
    u = np.array([np.cos(angle), np.sin(angle)])
    assert f"∇f·u = {gradient @ u:.3g}" in artists.text.get_text()
    length = artists.arrow_length
    np.testing.assert_allclose(np.column_stack([artists.arrows.U, artists.arrows.V]),
                               [gradient / np.linalg.norm(gradient) * length, u * length])
    before = child_count(ax)
    artists.update(point=[-1.0, 0.25], angle=np.pi)
    assert child_count(ax) == before
    # At (-1, 0.25) the gradient is (-2, 2); u = (-1, 0), so ∇f·u = 2.
    assert "∇f·u = 2 " in artists.text.get_text() + " "
    np.testing.assert_allclose(artists.arrows.get_offsets(), [[-1.0, 0.25], [-1.0, 0.25]])
    render(ax)


def test_surface_path_is_lifted_onto_the_surface(ax3d):
    bowl = Bowl()
    artists = surface_3d(ax3d, bowl, resolution=25)
    grid_x, grid_y = np.linspace(-2, 2, 25), np.linspace(-1, 1, 25)
    heights = np.add.outer(4 * grid_y**2, grid_x**2)
    lift = 0.01 * (heights.max() - heights.min())
    path = np.array([[1.5, 0.5], [0.75, -0.25], [0.3, 0.1]])
    before = child_count(ax3d)
    artists.update(path)
    assert child_count(ax3d) == before
    x, y, z = artists.path.get_data_3d()
    np.testing.assert_allclose(np.column_stack([x, y]), path)
    np.testing.assert_allclose(z, path[:, 0] ** 2 + 4 * path[:, 1] ** 2 + lift)
    # An escaping path stops at its last point over the surface.
    artists.update(np.vstack([path, [[9.0, 0.0]]]))
    assert len(artists.path.get_data_3d()[0]) == 3
    render(ax3d)
    with pytest.raises(ValueError, match="3-D axes"):
        surface_3d(Figure().add_subplot(), bowl)


# --- curves ----------------------------------------------------------------------------------

def test_loss_curves_choose_log_and_handle_divergence(ax):
    steps = np.arange(51)
    converging = 3.0 * 0.8**steps
    diverging = 3.0 * 1.1**steps
    diverging[30:] = np.nan
    artists = loss_curves(ax, np.column_stack([converging, diverging]), ["lr 0.1", "lr 0.3"])
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(artists.lines[1].get_ydata(), diverging)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr 0.1", "lr 0.3"]
    before = child_count(ax)
    flat = np.column_stack([np.linspace(5, 4, 51), np.linspace(5, 3, 51)])
    artists.update(flat)
    assert child_count(ax) == before and ax.get_yscale() == "linear"
    np.testing.assert_array_equal(artists.lines[0].get_ydata(), flat[:, 0])
    render(ax)


def test_many_loss_curves_share_one_collection_without_nan(ax):
    values = np.outer(0.9 ** np.arange(31), np.linspace(1, 2, 40))
    values[20:, 0] = np.nan  # run 0 diverged at step 20
    artists = loss_curves(ax, values)
    assert artists.lines == [] and len(artists.collection.get_segments()) == 40
    first = artists.collection.get_segments()[0]
    np.testing.assert_array_equal(first, np.column_stack([np.arange(20), values[:20, 0]]))
    before = child_count(ax)
    artists.update(values * 2)
    assert child_count(ax) == before
    np.testing.assert_array_equal(artists.collection.get_segments()[5][:, 1], 2 * values[:, 5])
    render(ax)


def test_loss_curves_offset_and_log_errors(ax):
    values = -1.0 + 0.5 ** np.arange(20)  # approaches the minimum -1
    artists = loss_curves(ax, values, minimum_value=-1.0)
    np.testing.assert_allclose(artists.lines[0].get_ydata(), 0.5 ** np.arange(20))
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "f − f*"
    with pytest.raises(ValueError, match="log=True needs positive values"):
        loss_curves(Figure().add_subplot(), values, log=True)
    with pytest.raises(ValueError, match="labels"):
        loss_curves(Figure().add_subplot(), values, ["a", "b"])


def test_lr_sweep_marks_bound_and_diverged_runs(ax):
    lrs = np.geomspace(1e-3, 1.0, 30)
    diverged = lrs > 0.25
    finals = np.where(diverged, np.nan, np.exp(-100 * lrs))
    artists = lr_sweep(ax, lrs, finals, diverged, stability_bound=0.25)
    assert ax.get_xscale() == "log"
    np.testing.assert_allclose(artists.bound_line.get_xdata(), [0.25, 0.25])
    assert artists.bound_text.get_text().strip() == "2/λmax = 0.25"
    np.testing.assert_array_equal(artists.diverged.get_xdata(), lrs[diverged])
    assert np.isnan(artists.finals.get_ydata()[diverged]).all()
    before = child_count(ax)
    artists.update(lrs, finals, np.zeros(30, bool), stability_bound=None)
    assert child_count(ax) == before and not artists.bound_line.get_visible()
    assert len(artists.diverged.get_xdata()) == 0
    render(ax)
    with pytest.raises(ValueError, match="positive"):
        lr_sweep(Figure().add_subplot(), -lrs, finals, diverged)


# --- basins ----------------------------------------------------------------------------------

def test_basin_labels_on_a_hand_made_example():
    minima = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    finals = np.array([[0.01, -0.02], [2.97, 0.0], [0.0, 3.04], [1.5, 1.5], [np.nan, np.nan],
                       [3.0, 0.05]])
    np.testing.assert_array_equal(basin_labels(finals, minima, tolerance=0.05),
                                  [0, 1, 2, -1, -1, 0 + 1])
    grid = np.broadcast_to(finals[:4], (3, 4, 2))
    assert basin_labels(grid, minima, tolerance=0.05).shape == (3, 4)
    with pytest.raises(ValueError, match="minima"):
        basin_labels(finals, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="tolerance"):
        basin_labels(finals, minima, tolerance=0)


def test_basin_map_image_colours_each_basin(ax):
    minima = np.array([[-1.0, 0.0], [1.0, 0.0]])
    labels = np.array([[0, 0, 1, 1], [0, -1, 1, 1], [0, 0, 0, 1]])
    artists = basin_map(ax, labels, minima, window=((-2, 2), (-1, 1)))
    image = artists.image
    np.testing.assert_array_equal(image.get_array(), labels)
    for label, colour in [(-1, "#BBBBBB"), (0, color_for(0)), (1, color_for(1))]:
        assert image.cmap(image.norm(label)) == to_rgba(colour)
    before = child_count(ax)
    artists.update(labels[::-1].copy())
    assert child_count(ax) == before
    np.testing.assert_array_equal(image.get_array(), labels[::-1])
    with pytest.raises(ValueError, match="-1 .. 1"):
        artists.update(labels + 1)
    render(ax)


def test_basin_map_scatter_of_start_points(ax):
    starts = np.random.default_rng(1).uniform(-2, 2, size=(3000, 2))
    labels = (starts[:, 0] > 0).astype(int)
    artists = basin_map(ax, labels, [[-1, 0], [1, 0]], starts=starts, window=((-2, 2), (-2, 2)))
    np.testing.assert_array_equal(artists.points.get_offsets(), starts)
    np.testing.assert_array_equal(artists.points.get_array(), labels)
    artists.update(1 - labels)
    np.testing.assert_array_equal(artists.points.get_array(), 1 - labels)
    with pytest.raises(ValueError, match="starts"):
        basin_map(Figure().add_subplot(), labels, [[-1, 0], [1, 0]])


# --- race and ghost trails -------------------------------------------------------------------

def test_race_reveals_steps(ax):
    t = np.linspace(0, 1, 21)[:, None]
    paths = {"SGD": np.hstack([1.5 - t, 0.8 - 0.8 * t]),
             "Adam": np.hstack([-1.5 + t, 0.8 - t])}
    artists = race(ax, Bowl(), paths, step=5, contour_options={"resolution": 40})
    assert [t.get_text() for t in artists.legend.get_texts()] == ["SGD", "Adam"]
    np.testing.assert_array_equal(np.column_stack(artists.paths.lines[1].get_data()),
                                  paths["Adam"][:6])
    assert artists.step_text.get_text() == "step 5 / 20"
    before = child_count(ax)
    for step in (0, 13, 20):
        artists.update(step)
        assert len(artists.paths.lines[0].get_xdata()) == step + 1
    assert child_count(ax) == before
    with pytest.raises(ValueError, match=r"step must be an integer in \[0, 20\]"):
        artists.update(21)
    with pytest.raises(ValueError, match="same number of steps"):
        race(Figure().add_subplot(), None, {"a": paths["SGD"], "b": paths["Adam"][:5]})
    render(ax)


def test_ghost_trails_reuse_a_bounded_pool(ax):
    trails = ghost_trails(ax, max_ghosts=3)
    lines_before = len(ax.lines)
    pushed = [np.column_stack([np.linspace(0, 1, 4), np.full(4, float(k))]) for k in range(7)]
    for path in pushed:
        trails.push(path)
    assert len(ax.lines) == lines_before == 4
    np.testing.assert_array_equal(np.column_stack(trails.current.get_data()), pushed[-1])
    for age, ghost in enumerate(trails.ghosts):  # newest ghost first
        np.testing.assert_array_equal(np.column_stack(ghost.get_data()), pushed[-2 - age])
    alphas = [ghost.get_alpha() for ghost in trails.ghosts]
    assert all(a > b for a, b in zip(alphas, alphas[1:], strict=False))
    trails.clear()
    assert all(len(line.get_xdata()) == 0 for line in (trails.current, *trails.ghosts))
    assert trails.count == 0
    trails.push(pushed[0])
    assert all(len(ghost.get_xdata()) == 0 for ghost in trails.ghosts)
    render(ax)


# --- gradient cloud and state panel ----------------------------------------------------------

def test_gradient_cloud_tips_arrow_and_ellipse(ax):
    rng = np.random.default_rng(5)
    full = np.array([2.0, -1.0])
    origin = np.array([0.5, 0.5])
    grads = full + rng.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 0.5]], size=200)
    artists = gradient_cloud(ax, grads, full, origin, scale=-0.1)
    tips = origin - 0.1 * grads
    np.testing.assert_allclose(artists.tips.get_offsets(), tips)
    np.testing.assert_allclose([artists.full.U[0], artists.full.V[0]], -0.1 * full)
    # Every point of the ellipse's outline is n_std = 2 Mahalanobis units from the tips' mean.
    angles = np.linspace(0, 2 * np.pi, 25)
    outline = artists.ellipse.get_patch_transform().transform(  # maps the unit circle
        np.column_stack([np.cos(angles), np.sin(angles)]))
    centred = outline - tips.mean(axis=0)
    inverse = np.linalg.inv(np.cov(tips, rowvar=False))
    distances = np.sqrt(np.einsum("ij,jk,ik->i", centred, inverse, centred))
    np.testing.assert_allclose(distances, 2.0, rtol=1e-6)
    before = child_count(ax)
    artists.update(grads[:10], full, origin + 1)
    assert child_count(ax) == before
    np.testing.assert_allclose(artists.tips.get_offsets(), origin + 1 - 0.1 * grads[:10])
    render(ax)


# --- the whole set ---------------------------------------------------------------------------

def test_every_kind_on_one_figure_renders_to_png():
    bowl = Bowl()
    fig = Figure(figsize=(16, 12), dpi=60)
    axes = [fig.add_subplot(3, 4, i + 1) for i in range(10)]
    contour_map(axes[0], bowl, resolution=60)
    trajectory_lines(axes[0], [[1.5, 0.8], [-1.2, -0.5], [3.0, 0.5]])
    contour_map(axes[1], bowl, filled=False, resolution=60)
    gradient_field(axes[1], bowl)
    contour_map(axes[2], bowl, resolution=60)
    directional_derivative(axes[2], bowl, [1.0, 0.5], 1.0)
    tangent_line(axes[3], np.sin, np.cos, 1.0, window=((-3, 3),))
    loss_curves(axes[4], 0.9 ** np.arange(40))
    lr_sweep(axes[5], np.geomspace(1e-2, 1, 20), np.linspace(1, 0, 20), np.arange(20) > 15, 0.5)
    basin_map(axes[6], np.eye(4, dtype=int), [[0, 0], [1, 1]], window=((0, 1), (0, 1)))
    race(axes[7], bowl, {"a": [[1.5, 0.8], [0.5, 0.2]], "b": [[-1.5, 0.8], [-0.5, 0.1]]})
    ghost_trails(axes[8]).push([[0, 0], [1, 1]])
    gradient_cloud(axes[9], [[1, 0], [0, 1], [1, 1]], [0.7, 0.7], [0, 0])
    surface_3d(fig.add_subplot(3, 4, 12, projection="3d"), bowl, [[1.5, 0.8], [0.5, 0.2]])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n" and len(buffer.getvalue()) > 50_000


def test_with_the_real_objectives_and_runner():
    functions = pytest.importorskip("gradlab.functions")
    runner = pytest.importorskip("gradlab.runner")
    optimizers = pytest.importorskip("gradlab.optimizers")
    rosen = functions.rosenbrock()
    starts = np.array([[-1.5, 2.0], [1.5, 2.5]])
    trajectory = runner.run(optimizers.SGD(lr=np.array([1e-3, 4e-3])), rosen.gradient, starts,
                            60, value=rosen.value)
    ax = Figure().add_subplot()
    background = contour_map(ax, rosen)
    assert not np.allclose(np.diff(background.levels), np.diff(background.levels)[0])  # log
    paths = trajectory_lines(ax, trajectory.points)
    (xlo, xhi), (ylo, yhi) = rosen.window
    escaped = trajectory.diverged | ~np.all(
        (trajectory.final_points >= [xlo, ylo]) & (trajectory.final_points <= [xhi, yhi]), axis=1)
    assert escaped.any() and not escaped.all()
    assert len(paths.exits.get_offsets()) == int(escaped.sum())
    loss_curves(Figure().add_subplot(), trajectory.values, minimum_value=rosen.minimum_value)
    render(ax)


def test_plotting_docstring_examples():
    import importlib

    for name in ("_base", "contours", "trajectories", "derivatives", "curves", "basins",
                 "stochastic", "surfaces", "__init__"):
        module = importlib.import_module("gradlab.plotting" + ("" if name == "__init__"
                                                               else f".{name}"))
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, f"doctest failures in {module.__name__}"


def test_library_never_touches_global_matplotlib_settings():
    forbidden = re.compile(r"rcParams|rc_context|style\.use|matplotlib\.use|plt\.rc\(")
    for source in PACKAGE.glob("*.py"):
        assert not forbidden.search(source.read_text()), source.name


def test_gradient_field_colours_ignore_an_arrow_on_a_stationary_point():
    from gradlab.plotting.contours import _magnitude_norm

    # Magnitudes 1..1000 (three decades) plus one arrow on the minimum (|grad f| = 1e-15).
    spread = np.geomspace(1.0, 1000.0, 12)
    norm = _magnitude_norm(np.append(spread, 1e-15))
    assert norm.vmin == pytest.approx(1.0) and norm.vmax == pytest.approx(1000.0)
    colours = norm(spread)
    assert colours.min() == pytest.approx(0.0) and colours.max() == pytest.approx(1.0)
    assert norm(np.array([1e-15]))[0] == pytest.approx(0.0)  # clipped to the lowest colour


def test_gradient_cloud_legend_names_what_the_dots_are():
    from gradlab.plotting.stochastic import gradient_cloud

    fig, ax = plt.subplots()
    try:
        grads = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        gradient_cloud(ax, grads, grads.mean(axis=0), np.zeros(2), label="single examples")
        labels = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
        assert "single examples" in labels and "mini-batch gradients" not in labels
    finally:
        plt.close(fig)
