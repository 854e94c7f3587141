"""The package's layering: no private names cross modules, no colour outside the palette."""

import ast
import pathlib
import re

import gradlab

PACKAGE = pathlib.Path(gradlab.__file__).parent


def test_no_hex_colour_outside_the_palette():
    pattern = re.compile(r"#[0-9a-fA-F]{6}\b")
    offenders = [f"{path.relative_to(PACKAGE)}:{number}"
                 for path in PACKAGE.rglob("*.py") if path.name != "colors.py"
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


def test_no_module_imports_a_private_name_of_another():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gradlab"):
                offenders += [f"{path.relative_to(PACKAGE)}: {node.module}.{alias.name}"
                              for alias in node.names if alias.name.startswith("_")
                              and alias.name != "__future__"]
    assert offenders == []
