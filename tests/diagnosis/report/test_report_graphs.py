"""Graphviz diagrams of the HTML report (5-Why chain, fault-tree path), and the text fallback."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from report_samples import make_events, make_kb

from diagnosis import diagram
from diagnosis.report import build_report, render
from diagnosis.report.graphs import why_dot

NOW = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
EVIL = '<script>alert("x")</script> "quoted" \\ back'


@pytest.fixture
def real_dot() -> None:
    """The real ``dot`` program (graphviz), or a skip naming it."""
    if shutil.which("dot") is None:
        pytest.skip("graphviz 'dot' is not installed")


def test_why_and_fault_tree_dot_text() -> None:
    r = build_report(make_kb(), make_events(), now=NOW, diagrams=False)
    dot = why_dot(r, "why")
    assert dot is not None
    assert 'p [label="Short shots"' in dot
    assert 'w2 [label="zone 2 heater gives no heat\\n[Heater current = 0.1 A (low)]"]' in dot
    assert 'w1 -> w2 [label="why 2"]' in dot and "w2 -> root" in dot


def test_dot_labels_are_escaped_by_the_graphviz_package() -> None:
    graph = diagram.digraph("t")
    graph.node("a", diagram.text_label(EVIL + "\nline 2"))
    graph.node("b", diagram.html_label([EVIL, "id"], bold=(1,)))
    graph.edge("a", "b")
    text = graph.source
    # quotes and the backslash escaped for DOT; a line break is DOT's \n; not an HTML label
    assert 'a [label="<script>alert(\\"x\\")</script> \\"quoted\\" \\\\ back\\nline 2"]' in text
    # the HTML-like label escapes markup and bolds the id
    assert "&lt;script&gt;" in text and "<B>id</B>" in text and "<script>" not in text.split("b [")[1]
    assert diagram.node_name("a:b") != "a:b" and diagram.node_name("g (gate)") == "g (gate)"


def test_html_draws_graphviz_diagrams_and_escapes(real_dot: None) -> None:
    r = build_report(make_kb(evil=EVIL), make_events(), now=NOW)
    assert r.diagrams
    html = render(r, "html")
    assert isinstance(html, str)
    assert html.count("<svg") == 3  # chart, 5-Why (graphviz), fishbone
    assert "<script>" not in html
    start = html.index("<svg", html.index("<ol>"))
    ET.fromstring(html[start : html.index("</svg>", start) + 6])


def test_without_dot_text_and_no_note(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without graphviz the diagrams are text; the report for a supervisor never says
    "Graphviz is not available" (issue 10)."""
    monkeypatch.setattr(diagram, "have_dot", lambda: False)
    r = build_report(make_kb(), make_events(), now=NOW)
    assert not r.diagrams
    html = render(r, "html")
    assert isinstance(html, str)
    assert "Graphviz" not in html and "graphviz" not in html and html.count("<svg") == 2
    assert 'class="textdiagram"' in html or "<ol>" in html


def test_bundled_kb_cause_path_in_the_fault_tree(real_dot: None) -> None:
    from diagnosis.kb import load_kb
    from diagnosis.session import Session, SimulatedMachine, run_session

    kb = load_kb()
    eq = kb.equipment("injection-press-01")
    assert eq.has("cause", "im-check-ring-worn")
    machine = SimulatedMachine(eq, "im-check-ring-worn")
    session = Session.start(kb, eq.id, list(machine.symptoms), technician="bob")
    run_session(session, machine)
    session.conclude("im-check-ring-worn")
    session.set_why(session.suggested_why())
    r = build_report(kb, list(session.events), now=NOW)
    assert r.fault_tree is not None
    ids = [n.id for n in r.fault_tree.path]
    assert ids[0] == "im-ev-check-ring" and ids[-1] == kb.fault_tree(r.fault_tree.tree).top
    assert "digraph" in r.fault_tree.dot
    html = render(r, "html")
    assert isinstance(html, str) and html.count("<svg") == 4  # chart, 5-Why, fishbone, tree
