"""The state table of lesson 07's OptimizerStateExplorer: HTML in the live view, drawn in the
stored picture, the same numbers in both and in ``table_text()``; NAdam's own m̂.

The live view shows the table as an ``ipywidgets.HTML`` beside a figure of the map alone, so a
move of the step slider draws no table glyphs; the stored picture (``static_png``) draws the
table beside the map as before.
"""

import base64
import html.parser
import io
import re

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from gradlab.functions import quadratic_bowl
from gradlab.optimizers import SGD, Adagrad, Adam, NAdam, RMSprop
from gradlab.widgets import OptimizerStateExplorer
from gradlab.widgets.state import LIVE_TABLE_HEIGHT_PX, LIVE_TABLE_PX
from tests.test_widgets_size import MAX_WIDTH_PX

COLUMNS = 11  # characters per number column of table_text()


@pytest.fixture(autouse=True)
def close_all():
    yield
    plt.close("all")


def lesson_07(optimizers=None):
    """Lesson 07's explorer (its arguments), with more optimizers when asked."""
    return OptimizerStateExplorer(quadratic_bowl(condition_number=100.0), optimizers,
                                  start=np.array([-2.5, 2.0]), steps=40, lr=0.3,
                                  lr_range=(1e-3, 3.0))


class _Cells(html.parser.HTMLParser):
    """The title, the note (``<pre>``) and the rows of cells of the state table's HTML."""

    def __init__(self, text):
        super().__init__()
        self.rows, self.note, self.title = [], None, ""
        self._cell = self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag in ("pre", "div"):
            self._in = tag
            if tag == "pre":
                self.note = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None
        elif tag in ("pre", "div"):
            self._in = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._in == "pre":
            self.note += data
        elif self._in == "div":
            self.title += data


def text_rows(text, columns=2):
    """``table_text()`` read as a fixed-width table: per line, the row name (left) and one cell
    per coordinate, each right-aligned in the last ``columns`` blocks of 11 characters."""
    rows = []
    for line in text.split("\n"):
        numbers = line[-COLUMNS * columns:]
        rows.append([line[:-COLUMNS * columns].rstrip(),
                     *(numbers[i:i + COLUMNS].strip() for i in range(0, len(numbers), COLUMNS))])
    return rows


def test_the_html_table_says_what_table_text_says_cell_for_cell_after_random_moves():
    w = lesson_07({"Adam": Adam, "NAdam": NAdam, "RMSprop": RMSprop, "Adagrad": Adagrad,
                   "SGD": SGD})
    assert w.layout is not None  # the live view: the table is HTML only
    rng = np.random.default_rng(7)
    seen_note = seen_table = False
    for _move in range(60):
        name = rng.choice(["step", "step", "step", "optimizer", "lr", "beta1",
                           "bias_correction", "momentum"])
        control = w.controls[name]
        if name == "step":
            w.set(step=int(rng.integers(0, 41)))
        elif name == "optimizer":
            w.set(optimizer=str(rng.choice(list(control.options))))
        elif name == "lr":
            w.set(lr=float(rng.choice([0.003, 0.03, 0.3, 3.0])))
        elif name == "bias_correction":
            w.set(bias_correction=not control.value)
        else:
            w.set(**{name: float(rng.uniform(control.min, control.max))})
        shown = _Cells(w.state_html.value)
        k = min(w.controls["step"].value, 39)
        assert shown.title.startswith(f"{w.controls['optimizer'].value}"), shown.title
        assert f": step {k} → {k + 1}" in shown.title
        text = w.table_text()
        if shown.note is not None:
            seen_note = True
            assert shown.note == text and not shown.rows
            assert "diverged" in text
            continue
        seen_table = True
        expected = text_rows(text)
        assert shown.rows == expected, (shown.rows, text)
        assert expected[0] == ["", "x", "y"] and expected[-1][0] == "−Δθ / g"
    assert seen_note and seen_table  # both kinds of panel were compared


def test_the_live_frame_draws_no_table_and_the_stored_picture_does(monkeypatch):
    w = lesson_07()
    w.set(step=5)
    panel = [w.state_header, *w.state_names, *w.state_numbers, w.state_note,
             w.state_ax.title]
    drawn = []
    original = Text.draw

    def recording(self, renderer):
        if self.get_visible() and self.get_text():
            drawn.append((self, self.get_text()))
        return original(self, renderer)

    monkeypatch.setattr(Text, "draw", recording)
    w.frame_rgba(full=True)  # without a live view: the figure still holds the table
    assert any(artist in panel for artist, _text in drawn)

    assert w.layout is not None
    for step in (6, 0, 17):
        w.set(step=step)
        drawn.clear()
        frame = w.frame_rgba(full=True)
        assert not [text for artist, text in drawn if artist in panel], drawn
        assert not any("exp_avg" in text or "Δθ" in text for _artist, text in drawn)
        assert np.array_equal(w.frame_rgba(), frame)
    # The map alone, with the HTML table beside it, fits the output area.
    assert frame.shape[1] == round(w.figure.get_figwidth() * w.figure.dpi) < 500
    assert frame.shape[1] + LIVE_TABLE_PX + 8 <= MAX_WIDTH_PX
    figure_box = w.layout.children[-1]
    assert len(figure_box.children) == 2 and figure_box.children[1] is w.state_html
    assert w.state_html.layout.width == f"{LIVE_TABLE_PX}px"
    assert w.state_html.layout.height == f"{LIVE_TABLE_HEIGHT_PX}px"  # fixed: nothing jumps

    drawn.clear()
    picture = Image.open(io.BytesIO(base64.b64decode(w.static_png(dpi=72))))
    assert picture.size == (9 * 72, 4 * 72)  # map and table, as before
    numbers = [text for artist, text in drawn if artist in w.state_numbers]
    lines = w.table_text().split("\n")
    assert len(numbers) == len(lines) - 1
    for line, drawn_numbers in zip(lines[1:], numbers, strict=True):
        assert line.endswith(drawn_numbers)
    assert any(artist is w.state_ax.title and text == "Adam: step 17 → 18 (t = 18)"
               for artist, text in drawn)
    names = [text for artist, text in drawn if artist in w.state_names]
    assert names == [row[0] for row in text_rows("\n".join(lines[1:]))]
    # The picture's message is broken for the picture's width, not the live figure's.
    message = [text for artist, text in drawn if artist is w._message_artist]
    assert message and message[0].split("\n")[0] == w.message[:len(message[0].split("\n")[0])]
    assert len(message[0].split("\n")[0]) > 70

    # Back in the live view: the map alone again, every frame whole.
    drawn.clear()
    w.set(step=18)
    frame = w.frame_rgba()
    assert frame.shape[1] < 500
    assert not [text for artist, text in drawn if artist in panel]
    assert np.array_equal(frame, w.frame_rgba(full=True))


def test_a_step_move_in_the_live_view_redraws_no_static_layer_and_draws_few_texts(monkeypatch):
    w = lesson_07()
    assert w.layout is not None
    w.frame_rgba()
    before = w.full_frames
    drawn = []
    original = Text.draw

    def counting(self, renderer):
        drawn.append(self.get_text())
        return original(self, renderer)

    monkeypatch.setattr(Text, "draw", counting)
    for step in range(12):
        w.set(step=step)
        drawn.clear()
        w.frame_rgba()
        glyphs = sum(len(text) for text in drawn)
        assert glyphs <= 20, drawn  # the path's notes at most; was ~240 table glyphs
    assert w.full_frames == before
    html_before = w.state_html.value
    w.set(step=12)
    assert w.state_html.value != html_before and "step 12 → 13" in w.state_html.value


def _nadam_by_the_equations(gradient, start, steps, lr, betas=(0.9, 0.999), eps=1e-8,
                            momentum_decay=4e-3):
    """Per step t: (g_t, Π_t, m_t, v_t, m̂_t, v̂_t, Δθ_t), written from the NAdam algorithm in
    PyTorch's documentation (torch.optim.NAdam, after Dozat 2016), with no weight decay:

        μ_t = β1 (1 − ½ 0.96^(t ψ)),   μ_t+1 = β1 (1 − ½ 0.96^((t+1) ψ))
        m_t = β1 m_t−1 + (1 − β1) g_t,  v_t = β2 v_t−1 + (1 − β2) g_t²
        m̂_t = μ_t+1 m_t / (1 − ∏_{i=1}^{t+1} μ_i) + (1 − μ_t) g_t / (1 − ∏_{i=1}^{t} μ_i)
        v̂_t = v_t / (1 − β2^t)
        θ_t = θ_t−1 − γ m̂_t / (√v̂_t + ε)
    """
    beta1, beta2 = betas
    theta = np.array(start, dtype=float)
    m = v = np.zeros_like(theta)
    mus = []
    out = []
    for t in range(1, steps + 1):
        g = gradient(theta)
        mus = [beta1 * (1 - 0.5 * 0.96 ** (i * momentum_decay)) for i in range(1, t + 2)]
        mu_t, mu_next = mus[t - 1], mus[t]
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = (mu_next * m / (1 - np.prod(mus[:t + 1]))
                 + (1 - mu_t) * g / (1 - np.prod(mus[:t])))
        v_hat = v / (1 - beta2**t)
        step = -lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append((g, np.prod(mus[:t]), m, v, m_hat, v_hat, step))
        theta = theta + step
    return out


@pytest.mark.parametrize("live", [False, True])
def test_nadam_rows_are_what_nadam_uses(live):
    bowl = quadratic_bowl(condition_number=100.0)
    w = OptimizerStateExplorer(bowl, {"NAdam": NAdam, "Adam": Adam},
                               start=np.array([-2.5, 2.0]), steps=40, lr=0.3,
                               hyperparameters={"beta1": 0.8, "beta2": 0.99})
    if live:
        assert w.layout is not None
    curvatures = np.diag(bowl.hessian(np.zeros(2)))  # an independent gradient: diag(H) θ

    def gradient(theta):
        return curvatures * theta

    np.testing.assert_allclose(gradient(np.array([0.3, -0.7])), bowl.gradient([0.3, -0.7]))
    expected = _nadam_by_the_equations(gradient, [-2.5, 2.0], 40, lr=0.3, betas=(0.8, 0.99))
    for k in (0, 1, 4, 17, 39):
        w.set(step=k)
        rows = w.state_at(k)
        g, product, m, v, m_hat, v_hat, step = expected[k]
        assert "m̂" not in rows  # Adam's m / (1 − β1ᵗ) is not what NAdam divides by √v̂
        np.testing.assert_allclose(rows["g = ∇f"], g, rtol=1e-9)
        np.testing.assert_allclose(rows["Πμ"], product, rtol=1e-12)
        np.testing.assert_allclose(rows["m (exp_avg)"], m, rtol=1e-9)
        np.testing.assert_allclose(rows["v (exp_avg_sq)"], v, rtol=1e-9)
        np.testing.assert_allclose(rows["m̂ (Nesterov)"], m_hat, rtol=1e-9)
        np.testing.assert_allclose(rows["v̂"], v_hat, rtol=1e-9)
        np.testing.assert_allclose(rows["Δθ"], step, rtol=1e-9, atol=1e-15)
        # The rows shown give the step: Δθ = −η m̂ / (√v̂ + ε).
        np.testing.assert_allclose(rows["Δθ"],
                                   -0.3 * rows["m̂ (Nesterov)"] / (np.sqrt(rows["v̂"]) + 1e-8),
                                   rtol=1e-9)
        text = w.table_text()
        assert re.search(r"^m̂ \(Nesterov\) ", text, re.MULTILINE), text
        assert not re.search(r"^m̂ +[-\d]", text, re.MULTILINE)  # no row named m̂ alone
        shown = dict((row[0], row[1:]) for row in _Cells(w.state_html.value).rows)
        assert shown["m̂ (Nesterov)"] == [
            c for c in text_rows(text) if c[0] == "m̂ (Nesterov)"][0][1:]
    # Adam in the same explorer keeps its own m̂ = m / (1 − β1ᵗ).
    w.set(optimizer="Adam", step=3)
    rows = w.state_at(3)
    np.testing.assert_allclose(rows["m̂"], rows["m (exp_avg)"] / (1 - 0.8**4))
    assert "m̂ (Nesterov)" not in rows
