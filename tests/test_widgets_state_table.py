"""The state table of lesson 07's OptimizerStateExplorer: HTML in the live view, drawn in the
stored picture, the same numbers in both and in ``table_text()``; NAdam's own m̂; Adam's v̂ from
the running maximum with amsgrad; Adamax's m̂; the gradient the step used with weight decay.

The live view shows the table as an ``ipywidgets.HTML`` beside a figure of the map alone, so a
move of the step slider draws no table glyphs; the stored picture (``static_png``) draws the
table beside the map as before.
"""

import base64
import html.parser
import io
import re
from functools import partial

import matplotlib

matplotlib.use("Agg")  # noqa: E402 - tests draw off-screen

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from gradlab.functions import quadratic_bowl
from gradlab.optimizers import SGD, Adagrad, Adam, Adamax, AdamW, NAdam, RMSprop
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


def test_the_live_frame_draws_no_table_and_the_stored_picture_does(drawn_texts):
    w = lesson_07()
    w.set(step=5)
    panel = [w.state_header, *w.state_names, *w.state_numbers, w.state_note,
             w.state_ax.title]
    drawn = drawn_texts  # tests/conftest.py
    drawn.clear()
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


def test_a_step_move_in_the_live_view_redraws_no_static_layer_and_draws_few_texts(drawn_texts):
    w = lesson_07()
    assert w.layout is not None
    w.frame_rgba()
    before = w.full_frames
    drawn = drawn_texts  # tests/conftest.py
    for step in range(12):
        w.set(step=step)
        drawn.clear()
        w.frame_rgba()
        glyphs = sum(len(text) for _artist, text in drawn)
        assert glyphs <= 20, drawn  # the path's notes at most; was ~240 table glyphs
    assert w.full_frames == before
    html_before = w.state_html.value
    w.set(step=12)
    assert w.state_html.value != html_before and "step 12 → 13" in w.state_html.value


def _nadam_by_the_equations(gradient, start, steps, lr, betas=(0.9, 0.999), eps=1e-8,
                            momentum_decay=4e-3, weight_decay=0.0):
    """Per step t: (g_t, Π_t, m_t, v_t, m̂_t, v̂_t, Δθ_t), written from the NAdam algorithm in
    PyTorch's documentation (torch.optim.NAdam, after Dozat 2016), with weight decay λ in the
    gradient (not decoupled):

        g_t = ∇f(θ_t−1) + λ θ_t−1
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
        g = gradient(theta) + weight_decay * theta
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


# --- Adam with amsgrad, Adamax, weight decay in the gradient -----------------------------------

BOWL = quadratic_bowl(condition_number=100.0)
CURVATURES = np.diag(BOWL.hessian(np.zeros(2)))  # an independent gradient: diag(H) θ
START = (-2.5, 2.0)
BETAS = (0.8, 0.99)


def _gradient(theta):
    return CURVATURES * theta


def _explorer(optimizers, lr=0.3, live=False):
    w = OptimizerStateExplorer(BOWL, optimizers, start=np.array(START), steps=40, lr=lr,
                               hyperparameters={"beta1": BETAS[0], "beta2": BETAS[1],
                                                "momentum": 0.5})
    if live:
        assert w.layout is not None
    return w


def _adam_by_the_equations(steps, lr, betas=BETAS, eps=1e-8, weight_decay=0.0, amsgrad=False,
                           decoupled=False, bias_correction=True):
    """Per step t a dict of g_t, m_t, v_t, v_t^max, m̂_t, v̂_t, Δθ_t, written from the Adam and
    AdamW algorithms in PyTorch's documentation (torch.optim.Adam, torch.optim.AdamW):

        g_t = ∇f(θ_t−1)                      (+ λ θ_t−1 for Adam's weight decay)
        θ_t = θ_t−1 − γ λ θ_t−1              (AdamW's decoupled weight decay instead)
        m_t = β1 m_t−1 + (1 − β1) g_t,  v_t = β2 v_t−1 + (1 − β2) g_t²
        m̂_t = m_t / (1 − β1^t)
        v_t^max = max(v_t−1^max, v_t),  v̂_t = v_t^max / (1 − β2^t)     (amsgrad)
        v̂_t = v_t / (1 − β2^t)                                          (otherwise)
        θ_t = θ_t − γ m̂_t / (√v̂_t + ε)

    ``bias_correction=False`` (gradlab's switch, not a torch option) drops both divisions.
    """
    beta1, beta2 = betas
    theta = np.array(START, dtype=float)
    m = v = v_max = np.zeros_like(theta)
    out = []
    for t in range(1, steps + 1):
        g = _gradient(theta)
        shrunk = theta
        if decoupled:
            shrunk = theta - lr * weight_decay * theta
        else:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = np.maximum(v_max, v)
        second = v_max if amsgrad else v
        if bias_correction:
            m_hat, v_hat = m / (1 - beta1**t), second / (1 - beta2**t)
        else:
            m_hat, v_hat = m, second
        new_theta = shrunk - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append({"g": g, "m": m, "v": v, "v_max": v_max, "m_hat": m_hat, "v_hat": v_hat,
                    "step": new_theta - theta})
        theta = new_theta
    return out


def _adamax_by_the_equations(steps, lr, betas=BETAS, eps=1e-8, weight_decay=0.0):
    """Per step t a dict of g_t, m_t, u_t, m̂_t, Δθ_t, written from the Adamax algorithm in
    PyTorch's documentation (torch.optim.Adamax):

        g_t = ∇f(θ_t−1) + λ θ_t−1
        m_t = β1 m_t−1 + (1 − β1) g_t
        u_t = max(β2 u_t−1, |g_t| + ε)
        θ_t = θ_t−1 − γ m_t / ((1 − β1^t) u_t)

    with m̂_t = m_t / (1 − β1^t), the momentum the step divides by u_t.
    """
    beta1, beta2 = betas
    theta = np.array(START, dtype=float)
    m = u = np.zeros_like(theta)
    out = []
    for t in range(1, steps + 1):
        g = _gradient(theta) + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        u = np.maximum(beta2 * u, np.abs(g) + eps)
        step = -lr * m / ((1 - beta1**t) * u)
        out.append({"g": g, "m": m, "u": u, "m_hat": m / (1 - beta1**t), "step": step})
        theta = theta + step
    return out


def _shown(w):
    """The rows of the live view's HTML table, ``{name: cells}``, after checking that they are
    table_text()'s."""
    text = w.table_text()
    rows = _Cells(w.state_html.value).rows
    assert rows == text_rows(text), (rows, text)
    return {row[0]: row[1:] for row in rows[1:]}


def test_the_gradient_row_of_the_bowl_is_the_independent_gradient():
    np.testing.assert_allclose(_gradient(np.array([0.3, -0.7])), BOWL.gradient([0.3, -0.7]))


@pytest.mark.parametrize("live", [False, True])
def test_adam_with_amsgrad_shows_the_v_hat_of_the_running_maximum(live):
    w = _explorer({"Adam (amsgrad)": partial(Adam, amsgrad=True), "Adam": Adam}, live=live)
    expected = _adam_by_the_equations(40, lr=0.3, amsgrad=True)
    # On this run v falls below its maximum: the two v̂ differ where the step is shown.
    below = [k for k in range(40)
             if np.any(expected[k]["v_max"] > expected[k]["v"] * (1 + 1e-3))]
    assert len(below) >= 5, below
    for k in sorted({0, 1, *below[:3], below[-1], 39}):
        w.set(step=k)
        rows = w.state_at(k)
        e = expected[k]
        assert list(rows) == ["g = ∇f", "m (exp_avg)", "v (exp_avg_sq)", "v max", "m̂",
                              "v̂ (from v max)", "Δθ", "−Δθ / g"]
        np.testing.assert_allclose(rows["g = ∇f"], e["g"], rtol=1e-9)
        np.testing.assert_allclose(rows["m (exp_avg)"], e["m"], rtol=1e-9)
        np.testing.assert_allclose(rows["v (exp_avg_sq)"], e["v"], rtol=1e-9)
        np.testing.assert_allclose(rows["v max"], e["v_max"], rtol=1e-9)
        np.testing.assert_allclose(rows["m̂"], e["m_hat"], rtol=1e-9)
        np.testing.assert_allclose(rows["v̂ (from v max)"], e["v_hat"], rtol=1e-9)
        np.testing.assert_allclose(rows["Δθ"], e["step"], rtol=1e-9, atol=1e-15)
        # The rows shown give the step: Δθ = −η m̂ / (√v̂ + ε), v̂ = v max / (1 − β2ᵗ).
        np.testing.assert_allclose(rows["Δθ"],
                                   -0.3 * rows["m̂"] / (np.sqrt(rows["v̂ (from v max)"]) + 1e-8),
                                   rtol=1e-9)
        np.testing.assert_allclose(rows["v̂ (from v max)"], rows["v max"] / (1 - BETAS[1]**(k + 1)),
                                   rtol=1e-12)
        shown = _shown(w)
        assert "v̂ (from v max)" in shown and "v̂" not in shown
    # Where v is below its maximum, v / (1 − β2ᵗ) (the row shown before) is not what Adam used.
    k = below[0]
    w.set(step=k)
    assert not np.allclose(w.state_at(k)["v̂ (from v max)"],
                           expected[k]["v"] / (1 - BETAS[1]**(k + 1)), rtol=1e-3)
    # Without bias correction the step divides by √(v max) + ε itself.
    w.set(bias_correction=False)
    off = _adam_by_the_equations(40, lr=0.3, amsgrad=True, bias_correction=False)
    for k in (0, 12, 39):
        w.set(step=k)
        rows = w.state_at(k)
        assert "v̂ = v (off)" not in rows and "v̂ (from v max)" not in rows
        np.testing.assert_allclose(rows["v̂ = v max (off)"], off[k]["v_max"], rtol=1e-9)
        np.testing.assert_allclose(rows["m̂ = m (off)"], off[k]["m"], rtol=1e-9)
        np.testing.assert_allclose(rows["Δθ"], off[k]["step"], rtol=1e-9, atol=1e-15)
        assert "v̂ = v max (off)" in _shown(w)
    # Plain Adam in the same explorer keeps v̂ = v / (1 − β2ᵗ) and no v max row.
    w.set(optimizer="Adam", bias_correction=True, step=3)
    rows = w.state_at(3)
    assert "v max" not in rows and "v̂ (from v max)" not in rows
    np.testing.assert_allclose(rows["v̂"], _adam_by_the_equations(40, lr=0.3)[3]["v_hat"],
                               rtol=1e-9)


@pytest.mark.parametrize("live", [False, True])
def test_adamax_shows_the_m_hat_and_u_its_step_uses(live):
    w = _explorer({"Adamax": Adamax}, live=live)
    expected = _adamax_by_the_equations(40, lr=0.3)
    for k in (0, 1, 4, 17, 39):
        w.set(step=k)
        rows = w.state_at(k)
        e = expected[k]
        assert list(rows) == ["g = ∇f", "m (exp_avg)", "u (exp_inf)", "m̂", "Δθ", "−Δθ / g"]
        np.testing.assert_allclose(rows["g = ∇f"], e["g"], rtol=1e-9)
        np.testing.assert_allclose(rows["m (exp_avg)"], e["m"], rtol=1e-9)
        np.testing.assert_allclose(rows["u (exp_inf)"], e["u"], rtol=1e-9)
        np.testing.assert_allclose(rows["m̂"], e["m_hat"], rtol=1e-9)
        np.testing.assert_allclose(rows["Δθ"], e["step"], rtol=1e-9, atol=1e-15)
        # The rows shown give the step: Δθ = −η m̂ / u.
        np.testing.assert_allclose(rows["Δθ"], -0.3 * rows["m̂"] / rows["u (exp_inf)"],
                                   rtol=1e-9)
        assert "m̂" in _shown(w)


def _weight_decay_cases():
    """(name, factory, lr, the rows by the published equations, the m row's name or None)."""
    lam = 0.1
    nadam = _nadam_by_the_equations(_gradient, START, 40, lr=0.3, betas=BETAS,
                                    weight_decay=lam)
    return [
        ("Adam", partial(Adam, weight_decay=lam),
         _adam_by_the_equations(40, lr=0.3, weight_decay=lam)),
        ("Adam amsgrad", partial(Adam, weight_decay=lam, amsgrad=True),
         _adam_by_the_equations(40, lr=0.3, weight_decay=lam, amsgrad=True)),
        ("Adamax", partial(Adamax, weight_decay=lam),
         _adamax_by_the_equations(40, lr=0.3, weight_decay=lam)),
        ("NAdam", partial(NAdam, weight_decay=lam),
         [{"g": g, "m": m, "v": v, "m_hat": m_hat, "v_hat": v_hat, "step": step}
          for g, _product, m, v, m_hat, v_hat, step in nadam]),
    ]


@pytest.mark.parametrize("live", [False, True])
@pytest.mark.parametrize("case", range(4))
def test_weight_decay_in_the_gradient_shows_the_gradient_the_step_used(case, live):
    name, factory, expected = _weight_decay_cases()[case]
    w = _explorer({name: factory}, live=live)
    for k in (0, 1, 4, 17, 39):
        w.set(step=k)
        rows = w.state_at(k)
        e = expected[k]
        assert "g = ∇f" not in rows
        assert list(rows)[0] == "g = ∇f + λθ"
        g = rows["g = ∇f + λθ"]
        np.testing.assert_allclose(g, e["g"], rtol=1e-9)
        theta = w.trajectory.points[k, 0]
        np.testing.assert_allclose(g, _gradient(theta) + 0.1 * theta, rtol=1e-9)
        np.testing.assert_allclose(rows["m (exp_avg)"], e["m"], rtol=1e-9)
        np.testing.assert_allclose(rows["Δθ"], e["step"], rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(rows["−Δθ / g"], -e["step"] / e["g"], rtol=1e-9)
        for row, key in (("m̂", "m_hat"), ("m̂ (Nesterov)", "m_hat"), ("v̂", "v_hat"),
                         ("v̂ (from v max)", "v_hat"), ("u (exp_inf)", "u")):
            if row in rows:
                np.testing.assert_allclose(rows[row], e[key], rtol=1e-9)
        if k:  # m follows from the g row and the m before it: m = β1 m_prev + (1 − β1) g
            previous = w.state_at(k - 1)["m (exp_avg)"]
            np.testing.assert_allclose(rows["m (exp_avg)"],
                                       BETAS[0] * previous + (1 - BETAS[0]) * g, rtol=1e-9)
        assert "g = ∇f + λθ" in _shown(w)


def test_sgd_with_weight_decay_shows_the_gradient_its_buffer_takes():
    # torch.optim.SGD: g_t = ∇f(θ_t−1) + λ θ_t−1, b_1 = g_1, b_t = μ b_t−1 + g_t,
    # θ_t = θ_t−1 − γ b_t
    lam, mu, lr = 0.1, 0.5, 0.01
    w = _explorer({"SGD": partial(SGD, weight_decay=lam)}, lr=lr)
    theta, b, expected = np.array(START), None, []
    for _t in range(40):
        g = _gradient(theta) + lam * theta
        b = g if b is None else mu * b + g
        expected.append((g, b, -lr * b))
        theta = theta - lr * b
    for k in (0, 1, 9, 39):
        w.set(step=k)
        rows = w.state_at(k)
        g, b, step = expected[k]
        assert list(rows) == ["g = ∇f + λθ", "b (buffer)", "Δθ", "−Δθ / g"]
        np.testing.assert_allclose(rows["g = ∇f + λθ"], g, rtol=1e-9)
        np.testing.assert_allclose(rows["b (buffer)"], b, rtol=1e-9)
        np.testing.assert_allclose(rows["Δθ"], step, rtol=1e-9, atol=1e-15)
    w.set(momentum=0.0, step=5)  # plain SGD: −Δθ / g is the learning rate itself
    np.testing.assert_allclose(w.state_at(5)["−Δθ / g"], lr, rtol=1e-9)


def test_decoupled_weight_decay_leaves_the_gradient_row_as_it_is():
    # AdamW and NAdam(decoupled_weight_decay=True) shrink θ; the moments take ∇f itself.
    w = _explorer({"AdamW": partial(AdamW, weight_decay=0.1),
                   "NAdam decoupled": partial(NAdam, weight_decay=0.1,
                                              decoupled_weight_decay=True)})
    expected = _adam_by_the_equations(40, lr=0.3, weight_decay=0.1, decoupled=True)
    for k in (0, 7, 39):
        w.set(step=k)
        rows = w.state_at(k)
        assert "g = ∇f + λθ" not in rows
        np.testing.assert_allclose(rows["g = ∇f"], expected[k]["g"], rtol=1e-9)
        np.testing.assert_allclose(rows["m (exp_avg)"], expected[k]["m"], rtol=1e-9)
        np.testing.assert_allclose(rows["v̂"], expected[k]["v_hat"], rtol=1e-9)
        np.testing.assert_allclose(rows["Δθ"], expected[k]["step"], rtol=1e-9, atol=1e-15)
    w.set(optimizer="NAdam decoupled", step=4)
    rows = w.state_at(4)
    theta = w.trajectory.points[4, 0]
    np.testing.assert_allclose(rows["g = ∇f"], _gradient(theta), rtol=1e-12)


def test_lesson_07_defaults_show_the_rows_they_showed():
    w = lesson_07()
    rows = {"Adam": ["g = ∇f", "m (exp_avg)", "v (exp_avg_sq)", "m̂", "v̂", "Δθ", "−Δθ / g"],
            "RMSprop": ["g = ∇f", "v (square_avg)", "Δθ", "−Δθ / g"],
            "Adagrad": ["g = ∇f", "G (sum of g²)", "Δθ", "−Δθ / g"],
            "SGD": ["g = ∇f", "Δθ", "−Δθ / g"]}
    assert list(w.controls["optimizer"].options) == list(rows)
    for name, names in rows.items():
        w.set(optimizer=name, step=1)
        assert list(w.state_at(1)) == names, name
    w.set(optimizer="Adam", step=0)
    assert w.table_text() == "\n".join([
        "                        x          y",
        "g = ∇f               -2.5        200",
        "m (exp_avg)         -0.25         20",
        "v (exp_avg_sq)    0.00625         40",
        "m̂                    -2.5        200",
        "v̂                    6.25      4e+04",
        "Δθ                    0.3       -0.3",
        "−Δθ / g              0.12     0.0015",
    ])
