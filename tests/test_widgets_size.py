"""Every live figure fits JupyterLab's output area and writes no text smaller than 8 pt.

JupyterLab at 1366 × 768 with the file browser open leaves a 934-px output area; an ipympl
canvas is the figure's width in inches × its dpi, nothing added. Each widget and explorer is
built with the arguments its lesson uses (data sets smaller where the lesson's are large: the
figure's size does not depend on the number of rows). RaceExplorer (lesson 07) is another
module's and is not built here.
"""

import functools
import math

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen; notebooks use ipympl

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from gradlab.data import (
    anomalies,
    digits,
    linear_regression,
    moons,
    ratings,
    train_test_split,
    trend_chunks,
    xor,
)
from gradlab.explorers.applications import (
    AnomalyExplorer,
    DigitsExplorer,
    RecommenderExplorer,
    TrendExplorer,
)
from gradlab.explorers.basins import BasinExplorer
from gradlab.explorers.conditioning import ConditioningExplorer
from gradlab.explorers.directions import DirectionExplorer
from gradlab.explorers.lr_decay import DecayingRateExplorer
from gradlab.explorers.momentum import MomentumExplorer
from gradlab.explorers.network_trainer import LossSliceExplorer, NetworkTrainer
from gradlab.explorers.slopes import SliceExplorer, TangentExplorer
from gradlab.formula import parse
from gradlab.functions import (
    Objective,
    catalogue,
    himmelblau,
    parabola,
    quadratic_bowl,
    rosenbrock,
    six_hump_camel,
    styblinski_tang,
    two_basin_quartic,
)
from gradlab.models import MLP, LinearAutoencoder, MatrixFactorization, SoftmaxRegression
from gradlab.optimizers import SGD, Adam
from gradlab.training import stream_normal_equations
from gradlab.widgets import (
    BatchSizeExplorer,
    DescentExplorer,
    ExpressionBox,
    OneDimExplorer,
    OptimizerStateExplorer,
)
from tests.test_widgets_honest import fit_objective

#: The widest canvas allowed: the 934-px output area less a few pixels of margin.
MAX_WIDTH_PX = 930
MIN_FONT_PT = 8


def _lesson_00():
    surface = Objective.from_expr(parse("x^2/2 + 5*y^2/2"), window=((-3, 3), (-3, 3)),
                                  minima=[[0.0, 0.0]], name="$x^2/2 + 5y^2/2$")
    return [OneDimExplorer(parabola(), start=2.5, steps=20, lr=0.2, lr_range=(0.01, 2.0)),
            DescentExplorer(surface, {"gradient descent": lambda lr: SGD(lr=lr)}, steps=30,
                            figsize=(9.0, 3.8))]


def _lesson_01():
    curve = Objective.from_text("x^3/3 - x", window=(-2, 2))
    bowl = Objective.from_text("x^2 + x*y + 2*y^2", window=(-2, 2))
    return [TangentExplorer(curve, x0=1.5, h=0.5, h_range=(1e-3, 1.0)),
            SliceExplorer(bowl, point=(1.0, 0.5)),
            DirectionExplorer(bowl, point=(1.0, 0.5), angle=0.0),
            ExpressionBox("x^2*y + sin(y)", point=(1.0, 2.0))]


def _lesson_02():
    bowl = Objective.from_expr(parse("x^2 + 5*y^2"), window=((-3, 3), (-2, 2)),
                               minima=[[0.0, 0.0]], name="x² + 5y²")
    return [DescentExplorer(bowl, {"SGD": SGD}, start=(2.5, 1.5), steps=40, lr=0.05,
                            lr_range=(0.002, 0.3)),
            OneDimExplorer(two_basin_quartic(), start=0.5, steps=40, lr=0.02,
                           lr_range=(0.001, 0.3)),
            DescentExplorer(fit_objective(), {"SGD": SGD}, start=(0.0, 0.0), steps=40, lr=0.3,
                            lr_range=(0.01, 1.5))]


def _lesson_03():
    bowl = quadratic_bowl(condition_number=10.0, angle=math.pi / 6)
    return [OneDimExplorer(parabola(), start=2.5, steps=20, lr=0.05, lr_range=(0.005, 3.0)),
            DescentExplorer(bowl, {"SGD": SGD}, start=np.array([-2.4, 1.6]), steps=40, lr=0.02,
                            lr_range=(0.002, 0.5)),
            ConditioningExplorer(condition_number=10.0, lr=0.17, angle=math.pi / 6,
                                 start=(-2.4, 1.6), steps=30)]


def _lesson_04():
    two_variable = {name: factory() for name, factory in catalogue().items()}
    two_variable = {name: s for name, s in two_variable.items() if s.dim == 2}
    plateau = Objective.from_text("1 - exp(-(x^2 + y^2)/20)", window=((-10, 10), (-10, 10)))
    return [DescentExplorer(two_variable["himmelblau"], {"SGD": SGD}, surfaces=two_variable,
                            lr=0.01, lr_range=(1e-4, 0.1), steps=150),
            BasinExplorer(styblinski_tang(), grid=60, steps=200, lr=0.01, lr_range=(1e-3, 0.1),
                          surfaces={"styblinski_tang": styblinski_tang,
                                    "six_hump_camel": six_hump_camel,
                                    "himmelblau": himmelblau}),
            DescentExplorer(plateau, {"SGD": SGD, "Adam": Adam}, start=(-8.0, 0.0), lr=1.0,
                            lr_range=(0.01, 30.0), steps=200)]


def _lesson_05():
    data = linear_regression(np.random.default_rng(5), 200, weights=[2.0], bias=-1.0,
                             noise=0.5)
    window, start = ((-3.0, 5.0), (-4.0, 3.0)), np.array([-2.0, 2.0])
    return [BatchSizeExplorer(data.X, data.y, seed=0, batch_size=16, lr=0.1,
                              lr_range=(1e-3, 2.0), steps=40, start=start, window=window,
                              n_cloud=40),
            DecayingRateExplorer(data.X, data.y, seed=4, start=start, window=window,
                                 batch_size=1, lr=0.2, decay_rate=0.02, lr_range=(1e-3, 2.0),
                                 steps=600)]


def _lesson_06():
    bowl = quadratic_bowl(condition_number=50.0)
    return [DescentExplorer(rosenbrock(), {"GD": lambda lr: SGD(lr=lr), "heavy ball": SGD,
                                           "Nesterov": functools.partial(SGD, nesterov=True)},
                            optimizer="heavy ball", start=[-1.5, 2.0], steps=300, lr=1e-3,
                            lr_range=(1e-5, 1e-2), hyperparameters={"momentum": 0.9},
                            surfaces={"rosenbrock": rosenbrock, "ravine bowl (κ = 50)": bowl}),
            MomentumExplorer(bowl, start=np.array([-2.0, 1.5]), steps=100, lr=0.02,
                             momentum=0.9)]


def _lesson_07():
    bowl = quadratic_bowl(condition_number=100.0)
    return [OptimizerStateExplorer(bowl, start=np.array([-2.5, 2.0]), steps=40, lr=0.3,
                                   lr_range=(1e-3, 3.0))]


def _lesson_08():
    def split(data, seed):
        return train_test_split(data, np.random.default_rng(seed), test_fraction=0.25)

    data = xor(np.random.default_rng(0), 200, spread=0.35)
    train_xor, test_xor = split(data, 1)
    model = MLP((2, 3, 1), activation="tanh", output="sigmoid")
    params = model.init_params(np.random.default_rng(8))
    datasets = {"moons": split(moons(np.random.default_rng(1), 80, noise=0.2), 11),
                "xor": (train_xor, test_xor)}
    return [NetworkTrainer(datasets, dataset="moons", optimizer="Adam", lr=0.03, batch_size=16,
                           width=8, epochs=5, seed=0),
            LossSliceExplorer(model, params, train_xor.X, train_xor.y, seed=0, span=1.5)]


def _lesson_09():
    train, test = train_test_split(digits(), np.random.default_rng(0), test_fraction=0.25)
    rdata = ratings(np.random.default_rng(3), 200, 150, rank=3, observed_fraction=0.2,
                    noise=0.3)
    rtrain, rtest = train_test_split(rdata, np.random.default_rng(4), test_fraction=0.2)
    mf = MatrixFactorization(n_users=200, n_items=150, rank=3)
    adata = anomalies(np.random.default_rng(6), 1000, 40, n_features=10, n_components=2,
                      spread=2.0, noise=0.3, distance=1.5)
    atrain, atest = train_test_split(adata, np.random.default_rng(7), test_fraction=0.3)
    autoencoder = LinearAutoencoder(n_features=10, n_components=2)
    n_rows, chunk_rows = 20_000, 5_000
    exact, _ = stream_normal_equations(trend_chunks(0, n_rows, chunk_rows))
    first_X, first_y = next(trend_chunks(0, n_rows, chunk_rows))
    return [DigitsExplorer(SoftmaxRegression(n_features=64, n_classes=10), train, test, lr=0.5,
                           batch_size=32, epochs=3, seed=0),
            RecommenderExplorer(mf, rtrain, rtest,
                                start=mf.init_params(np.random.default_rng(5), scale=0.3),
                                baselines={"global mean": 1.0, "item mean": 0.9},
                                floor=0.3, lr=1.0, batch_size=32, epochs=3, seed=0),
            AnomalyExplorer(autoencoder, atrain, atest,
                            start=autoencoder.init_params(np.random.default_rng(8)),
                            quantile=0.95, lr=0.03, batch_size=32, epochs=3, seed=0),
            TrendExplorer(0, n_rows, chunk_rows, exact=exact,
                          sample=(first_X[:3000, 1], first_y[:3000]), lr=0.3, batch_size=1000,
                          passes=1)]


LESSONS = {"00": _lesson_00, "01": _lesson_01, "02": _lesson_02, "03": _lesson_03,
           "04": _lesson_04, "05": _lesson_05, "06": _lesson_06, "07": _lesson_07,
           "08": _lesson_08, "09": _lesson_09}


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_every_live_figure_fits_the_output_area_with_readable_text(lesson):
    widgets = LESSONS[lesson]()
    try:
        problems = []
        for widget in widgets:
            figure = widget.figure
            name = type(widget).__name__
            width = figure.get_figwidth() * figure.dpi
            if width > MAX_WIDTH_PX:
                problems.append(f"{name}: canvas {width:.0f} px wide > {MAX_WIDTH_PX}")
            figure.canvas.draw()  # tick labels exist only once drawn
            for text in figure.findobj(Text):
                if text.get_visible() and text.get_text() and text.get_fontsize() < MIN_FONT_PT:
                    problems.append(f"{name}: {text.get_text()[:30]!r} at "
                                    f"{text.get_fontsize():g} pt")
        assert not problems, "\n".join(problems)
    finally:
        for widget in widgets:
            widget.close()
        plt.close("all")
