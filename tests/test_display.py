import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradlab.display import figure, picture


def test_figure_is_not_managed_by_pyplot_and_changes_no_setting():
    before = dict(matplotlib.rcParams)
    open_before = plt.get_fignums()
    fig = figure(figsize=(3, 2))
    fig.subplots().plot([0, 1], [1, 0])
    picture(fig)
    assert plt.get_fignums() == open_before
    assert dict(matplotlib.rcParams) == before


def test_picture_is_the_drawn_figure_as_png():
    fig = figure(figsize=(2, 1), dpi=50)
    ax = fig.subplots()
    ax.set_facecolor("red")
    ax.set_axis_off()
    fig.patch.set_facecolor("red")
    image = picture(fig)
    decoded = plt.imread(io.BytesIO(image.data), format="png")
    assert decoded.shape[:2] == (50, 100)  # 2 x 1 inches at 50 dpi
    np.testing.assert_allclose(decoded[25, 50, :3], [1.0, 0.0, 0.0])


def test_picture_refuses_what_is_not_a_figure():
    with pytest.raises(TypeError, match="matplotlib Figure"):
        picture("not a figure")
