"""Fault-tree drawings: DOT source, text tree, and the graphviz adapter (with and without dot)."""

from __future__ import annotations

import shutil

import pytest

from diagnosis import diagram
from diagnosis.errors import ExportError
from diagnosis.faulttree.bdd import gate_probabilities
from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode, HouseEvent
from diagnosis.faulttree.render import to_dot, to_text


def tree() -> FaultTree:
    return FaultTree(
        "ft",
        "top",
        (
            GateNode("top", "or", ("g", "c", "h"), name='Line "stops"'),
            GateNode("g", "atleast", ("a", "b", "c"), k=2),
        ),
        (BasicEvent("a", 0.1, name="Pump A"), BasicEvent("b", 0.2), BasicEvent("c", 0.5)),
        (HouseEvent("h", False, name="Bypass"),),
    )


def test_gate_probabilities() -> None:
    probs = gate_probabilities(tree())
    p_g = 0.1 * 0.2 + 0.1 * 0.5 + 0.2 * 0.5 - 2 * 0.1 * 0.2 * 0.5
    assert probs["g"] == pytest.approx(p_g)
    assert probs["top"] == pytest.approx(0.5 + 0.5 * 0.1 * 0.2)  # c is shared with g


def test_dot_source_shapes_labels_and_highlight() -> None:
    dot = to_dot(tree(), gate_probabilities(tree()), highlight=["top", "g", "a"])
    assert dot.startswith("digraph ft {")
    assert 'label="2/3"' in dot and "shape=hexagon" in dot
    assert "label=OR" in dot and "shape=invtriangle" in dot
    assert "Line &quot;stops&quot;" in dot  # HTML-escaped label
    assert "p = 0.5" in dot
    assert '"g (gate)" -> a [color="#c0392b" penwidth=2.5]' in dot
    assert '"g (gate)" -> b\n' in dot
    assert "shape=house" in dot


def test_text_tree_marks_path_and_shared_nodes() -> None:
    text = to_text(tree(), gate_probabilities(tree()), highlight=["top", "g", "a"], lang="fr")
    lines = text.splitlines()
    assert lines[0].startswith('* top  [OR]  Line "stops"  p = 0,')
    assert lines[1].startswith("├─ * g  [2/3]")
    assert lines[2] == "│  ├─ * a  Pump A  p = 0,1"
    assert lines[-1] == "└─ h  [faux]  Bypass"


def test_escaping_helpers() -> None:
    graph = diagram.digraph("t")
    graph.node("n", diagram.text_label('a "b"\\\nc'))
    assert 'n [label="a \\"b\\"\\\\\\nc"]' in graph.source
    assert diagram.html_label(["<a & b>", "", "x"], bold=(2,)) == "<&lt;a &amp; b&gt;<BR/><B>x</B>>"


def test_ids_that_dot_would_misread_get_stand_in_names() -> None:
    tree = FaultTree("t:1", "top:x", (GateNode("top:x", "or", ("a:b",)),), (BasicEvent("a:b", 0.1),))
    dot = to_dot(tree)
    assert "a:b" not in dot.replace("<B>a:b</B>", "")
    assert f"{diagram.node_name('top:x (gate)')} -> {diagram.node_name('a:b')}" in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' is not installed")
def test_render_svg_and_png() -> None:
    dot = to_dot(tree())
    assert diagram.have_dot()
    assert b"<svg" in diagram.render(dot, "svg")
    assert diagram.render(dot, "png").startswith(b"\x89PNG")


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' is not installed")
def test_render_bad_dot_is_one_line_error() -> None:
    with pytest.raises(ExportError, match="graphviz 'dot' failed"):
        diagram.render("digraph {", "svg")


def test_missing_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    assert not diagram.have_dot()
    with pytest.raises(ExportError, match="graphviz 'dot' is not installed"):
        diagram.render("digraph {}", "svg")


def test_unknown_format() -> None:
    with pytest.raises(ExportError, match="unknown image format 'gif'"):
        diagram.render("digraph {}", "gif")


def test_draw_api_for_reports() -> None:
    from diagnosis.faulttree.render import draw
    from diagnosis.kb.model import FaultTreeDef, FtEvent, Gate

    definition = FaultTreeDef(
        "ft",
        "top",
        (Gate("top", "or", ("a", "b")),),
        (FtEvent("a", probability=0.1, cause="c-a"), FtEvent("b", probability=0.2)),
    )
    text = draw(definition, "text", cause="c-a").decode("utf-8")
    assert text.splitlines()[:2] == ["* top  [OR]  p = 0.28", "├─ * a  p = 0.1"]
    assert draw(definition, "dot").startswith(b"digraph ft {")
    with pytest.raises(ExportError, match="unknown diagram format 'bmp'"):
        draw(definition, "bmp")
