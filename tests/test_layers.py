"""The apps stand in layers: localities (the register) at the bottom, then agreements, then
activities (with the reports), then the site (ketnghia). A lower app never imports a higher
one: what it must tell the layers above, it says through an interface of its own
(localities.changes, localities.signals)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["localities", "agreements", "activities", "ketnghia"]


def imported(path):
    """The top-level packages a module imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_a_lower_app_never_imports_a_higher_one(app):
    higher = set(LAYERS[LAYERS.index(app) + 1 :])
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for package, line in imported(path)
        if package in higher
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from ketnghia import pagecache\n", encoding="utf-8")
    assert list(imported(module)) == [("ketnghia", 2)]
