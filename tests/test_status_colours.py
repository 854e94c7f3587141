"""The trainers' status line takes its colour from the palette, like every other gradlab text."""

import pathlib
import re

import gradlab
from gradlab.colors import PROGRESS_GREY
from gradlab.explorers.status import say_training

PACKAGE = pathlib.Path(gradlab.__file__).parent


class _Status:
    value = ""


class _Figure:
    status = _Status()


def test_say_training_writes_in_the_palette_grey():
    figure = _Figure()
    say_training(figure, "training <8 runs> …")
    assert f'color:{PROGRESS_GREY}"' in figure.status.value
    assert "&lt;8 runs&gt;" in figure.status.value  # the text is escaped


def test_no_short_hex_colour_outside_the_palette():
    # tests/test_layering.py looks for six-digit colours; "#555" is one too.
    pattern = re.compile(r"""["'][^"'\n]*#[0-9a-fA-F]{3}\b""")
    offenders = [f"{path.relative_to(PACKAGE)}:{number}"
                 for path in PACKAGE.rglob("*.py") if path.name != "colors.py"
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []
