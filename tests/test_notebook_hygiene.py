"""What a reader on GitHub and a learner in a fresh kernel see of each stored notebook.

nbval (configured in pyproject.toml) re-runs every notebook and compares its text outputs with the
stored ones; these tests check the rest of what the stored file must be.
"""

import json
import pathlib
import warnings

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _code_cells(path):
    notebook = json.loads(path.read_text())
    return notebook, [c for c in notebook["cells"] if c["cell_type"] == "code" and c["source"]]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_are_one_clean_top_to_bottom_run(path):
    _, cells = _code_cells(path)
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), f"execution counts {counts}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_errors_or_warnings(path):
    _, cells = _code_cells(path)
    for cell in cells:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", "".join(cell["source"])[:200]
            if output["output_type"] == "stream" and output["name"] == "stderr":
                pytest.fail(f"stderr output stored: {''.join(output['text'])[:300]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_readable_without_a_kernel(path):
    notebook, cells = _code_cells(path)
    assert "widgets" not in notebook["metadata"], "metadata.widgets makes GitHub refuse the file"
    assert path.stat().st_size < 2_000_000, f"{path.stat().st_size / 1e6:.1f} MB"
    for cell in cells:
        outputs = cell["outputs"]
        shows_figure = any(
            "Canvas" in "".join(o.get("data", {}).get("text/plain", "")) for o in outputs
        )
        if shows_figure:
            assert any("image/png" in o.get("data", {}) for o in outputs), (
                "an interactive figure stores no picture: " + "".join(cell["source"])[:120]
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_seeds_its_randomness(path):
    _, cells = _code_cells(path)
    source = "\n".join("".join(c["source"]) for c in cells)
    assert "np.random.seed" not in source and "np.random.rand" not in source, (
        "use a seeded numpy.random.default_rng(...) Generator"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_compile_without_warnings_on_any_python(path):
    """A warning at compile time (an invalid escape such as '\\l' in a non-raw string) is printed
    to the learner on Python 3.12+ but only hidden as a DeprecationWarning on 3.11: refuse it
    here, whatever Python runs the tests."""
    _, cells = _code_cells(path)
    for index, cell in enumerate(cells):
        # IPython magics are not Python; the lessons use them only as whole lines.
        lines = ["" if line.lstrip().startswith(("%", "!")) else line
                 for line in "".join(cell["source"]).splitlines()]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                compile("\n".join(lines), f"{path.name} code cell {index}", "exec")
            except (SyntaxError, Warning) as problem:
                pytest.fail(f"{path.name} code cell {index}: {problem}")
