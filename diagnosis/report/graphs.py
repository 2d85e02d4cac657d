"""Graphviz diagrams of a report: the 5-Why chain and the root cause's fault-tree path.

The DOT text is built here from the report data; the rendering goes through
``diagnosis.diagram`` (``have_dot()``, ``render(dot, "svg")``), the one
adapter of the project that runs graphviz. Without ``dot`` (or without that
module) the functions return None and the writers show text diagrams with a
note.
"""

from __future__ import annotations

import importlib
from typing import Any

from diagnosis.report.data import FaultTreePath, ReportData

__all__ = ["dot_available", "fault_tree_dot", "render_svg", "why_dot"]


def _diagram(name: str) -> Any:
    try:
        module = importlib.import_module("diagnosis.diagram")
    except ImportError:
        return None
    return getattr(module, name, None)


def dot_available() -> bool:
    """Graphviz ``dot`` can be run (through ``diagnosis.diagram``)."""
    have = _diagram("have_dot")
    try:
        return bool(have()) if have is not None else False
    except Exception:  # a broken graphviz install must not cost the report
        return False


def render_svg(dot: str) -> str | None:
    """The inline SVG of ``dot`` (XML declaration and DOCTYPE removed), or None."""
    render = _diagram("render")
    if render is None or not dot_available():
        return None
    try:
        out = render(dot, "svg")
    except Exception:
        return None
    text = out.decode("utf-8") if isinstance(out, bytes) else str(out)
    start = text.find("<svg")
    return text[start:] if start >= 0 else None


def _q(text: str) -> str:
    """A DOT double-quoted string (graphviz escapes it again in its SVG output)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _label(text: str) -> str:
    """A DOT label: wrapped, quoted, lines joined with DOT's ``\\n``."""
    return '"' + "\\n".join(_q(line)[1:-1] for line in _wrap(text).split("\n")) + '"'


def _wrap(text: str, width: int = 40) -> str:
    """Break each paragraph of ``text`` into lines of about ``width`` characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        lines.append(current)
    return "\n".join(lines)


def why_dot(r: ReportData, why_label: str) -> str | None:
    """The 5-Why chain top-down: the problem, each why (with its evidence), the root cause."""
    if not r.why:
        return None
    problem = ", ".join(s.name for s in r.problem.symptoms) or r.problem.what or r.equipment_name
    lines = [
        "digraph why {",
        '  rankdir=TB; node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
        f'  p [label={_label(problem)}, style="filled", fillcolor="#fff4e5"];',
    ]
    previous = "p"
    for i, link in enumerate(r.why, start=1):
        text = link.text + (f"\n[{link.evidence_text}]" if link.evidence_text else "")
        lines.append(f"  w{i} [label={_label(text)}];")
        lines.append(f"  {previous} -> w{i} [label={_q(f'{why_label} {i}')}];")
        previous = f"w{i}"
    if r.conclusion is not None and r.conclusion.root_cause:
        lines.append(
            f'  root [label={_label(r.conclusion.name)}, style="filled,bold", fillcolor="#fde2e2"];'
        )
        lines.append(f"  {previous} -> root;")
    lines.append("}")
    return "\n".join(lines)


def fault_tree_dot(path: FaultTreePath) -> str:
    """The path from the basic event (highlighted) up to the top event."""
    lines = [
        "digraph path {",
        '  rankdir=BT; node [shape=box, fontname="Helvetica", fontsize=10];',
    ]
    for i, node in enumerate(path.path):
        style = ', shape=ellipse, style="filled,bold", fillcolor="#fde2e2"' if i == 0 else ""
        lines.append(f"  n{i} [label={_label(node.name)}{style}];")
        if i:
            lines.append(f"  n{i - 1} -> n{i};")
    lines.append("}")
    return "\n".join(lines)
