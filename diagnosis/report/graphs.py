"""Graphviz diagrams of a report: the 5-Why chain (the fault-tree path is drawn by
``diagnosis.faulttree.render``).

The graphs are built here from the report data with the ``graphviz`` package
(through ``diagnosis.diagram``, the one adapter of the project that runs
graphviz: it quotes, escapes and renders). Without the ``dot`` program the
writers show text diagrams with a note; any other error surfaces.
"""

from __future__ import annotations

from diagnosis import diagram
from diagnosis.errors import ExportError
from diagnosis.report.data import ReportData
from diagnosis.report.fmt import wrap_words

__all__ = ["dot_available", "render_svg", "why_dot"]


def dot_available() -> bool:
    """Graphviz ``dot`` can be run (``diagnosis.diagram.have_dot``)."""
    return diagram.have_dot()


def render_svg(dot: str) -> str | None:
    """The inline SVG of ``dot`` (XML declaration and DOCTYPE removed).

    None when ``dot`` is missing or fails on this graph (the writers then show
    the text diagram with a note).
    """
    if not dot_available():
        return None
    try:
        out = diagram.render(dot, "svg")
    except ExportError:
        return None
    text = out.decode("utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else None


def _label(text: str) -> str:
    """A plain DOT label: wrapped, escaped (lines joined with DOT's ``\\n``)."""
    return diagram.text_label(_wrap(text))


def _wrap(text: str, width: int = 40) -> str:
    """Break each paragraph of ``text`` into lines of about ``width`` characters."""
    return "\n".join(
        line for paragraph in text.split("\n") for line in wrap_words(paragraph, width) or [""]
    )


def why_dot(r: ReportData, why_label: str) -> str | None:
    """The 5-Why chain top-down: the problem, each why (with its evidence), the root cause."""
    if not r.why:
        return None
    problem = ", ".join(s.name for s in r.problem.symptoms) or r.problem.what or r.equipment_name
    graph = diagram.digraph("why", rankdir="TB")
    graph.attr("node", shape="box", style="rounded", fontname="Helvetica", fontsize="10")
    graph.attr("edge", fontname="Helvetica", fontsize="9")
    graph.node("p", _label(problem), style="filled", fillcolor="#fff4e5")
    previous = "p"
    for i, link in enumerate(r.why, start=1):
        text = link.text + (f"\n[{link.evidence_text}]" if link.evidence_text else "")
        graph.node(f"w{i}", _label(text))
        graph.edge(previous, f"w{i}", label=diagram.text_label(f"{why_label} {i}"))
        previous = f"w{i}"
    if r.conclusion is not None and r.conclusion.root_cause:
        graph.node(
            "root", _label(r.conclusion.name), style="filled,bold", fillcolor="#fde2e2"
        )
        graph.edge(previous, "root")
    return str(graph.source)
