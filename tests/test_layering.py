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


# The floors of docs/design.md ("Layers"): a module imports only from floors below its own.
FLOORS = {
    "errors": 0, "checks": 0, "formatting": 0, "colors": 0,
    "formula": 1, "quadratics": 1, "optimizers": 1, "schedules": 1, "runner": 1, "data": 1,
    "models": 1, "batches": 1, "landscape": 1, "metrics": 1,
    "symbolic": 2, "linesearch": 2, "lr_search": 2, "training": 2,
    "functions": 3,
    "plotting": 4, "display": 4,
    "widgets": 5,
    "explorers": 6,
}


def _imports():
    """(importing file, its top-level gradlab part, imported module) for every gradlab import."""
    for path in PACKAGE.rglob("*.py"):
        part = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gradlab"):
                modules = [node.module] if node.module != "gradlab" else [
                    f"gradlab.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names if a.name.startswith("gradlab")]
            else:
                continue
            for module in modules:
                yield path, part, module


def test_every_module_has_a_floor():
    parts = {path.relative_to(PACKAGE).parts[0].removesuffix(".py")
             for path in PACKAGE.rglob("*.py")} - {"__init__"}
    assert parts == set(FLOORS), parts ^ set(FLOORS)


def test_imports_only_run_down_the_floors():
    upward = []
    for path, part, module in _imports():
        imported = module.split(".")[1] if "." in module else None
        if part == "__init__" or imported in (None, part):
            continue
        if FLOORS[imported] >= FLOORS[part]:
            upward.append(f"{path.relative_to(PACKAGE)} (floor {FLOORS[part]}) imports {module} "
                          f"(floor {FLOORS[imported]})")
    assert upward == []


def test_no_module_imports_a_private_module_of_another_package():
    offenders = []
    for path, part, module in _imports():
        names = module.split(".")
        if any(name.startswith("_") for name in names[2:]) and names[1] != part:
            offenders.append(f"{path.relative_to(PACKAGE)}: {module}")
    assert offenders == []
