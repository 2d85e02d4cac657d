"""Layering rules that keep the engine a library: no UI imports, a declared public surface."""

from __future__ import annotations

import ast
from pathlib import Path

import diagnosis
import diagnosis.errors
import diagnosis.kb

ENGINE = Path(diagnosis.__file__).parent
UI = ENGINE / "ui"


def test_engine_never_imports_textual_or_ui() -> None:
    offenders = []
    for path in ENGINE.rglob("*.py"):
        if UI in path.parents:
            continue  # the UI itself (ui/, installed as diagnosis.ui)
        if path.parent.name == "cli" and path.name == "tui.py":
            continue  # the CLI's launcher imports the UI lazily, by design
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path}: {n}"
                for n in names
                if n.split(".")[0] in ("textual", "ui") or n.startswith("diagnosis.ui")
            ]
    assert offenders == []


def test_public_surfaces_are_declared() -> None:
    for module in (diagnosis.errors, diagnosis.kb):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
