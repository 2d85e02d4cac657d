"""Draw a fault tree: a graphviz graph (DOT source), and a text tree for the terminal.

The DOT form follows the usual fault-tree look: each gate is a box holding
its description, id and probability, above its logic symbol (AND, OR, k/n,
NOT, XOR, NAND, NOR); basic events are circles and house events houses,
labelled with their probability. An optional highlighted path (the path
from the top to a diagnosed cause) is drawn thick and red. Shared gates
and events are drawn once with several incoming edges (a DAG); the text
form prints a shared sub-tree once and refers back to it.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from diagnosis.diagram import digraph, html_label, node_name, text_label
from diagnosis.faulttree.model import FaultTree, GateNode
from diagnosis.i18n import DEFAULT_LANG, format_number, tr
from diagnosis.kb.model import FaultTreeDef

if TYPE_CHECKING:
    import graphviz

__all__ = ["draw", "gate_symbol", "to_dot", "to_text"]

_SHAPES = {
    "and": "house",
    "nand": "house",
    "or": "invtriangle",
    "nor": "invtriangle",
    "xor": "invtriangle",
    "atleast": "hexagon",
    "not": "circle",
}
_HIGHLIGHT = {"color": "#c0392b", "penwidth": "2.5"}


def gate_symbol(gate: GateNode) -> str:
    """The short symbol of a gate: ``AND``, ``OR``, ``2/3``, ``NOT``…"""
    if gate.type == "atleast":
        return f"{gate.k}/{len(gate.inputs)}"
    return gate.type.upper()


def _p(value: float | None, lang: str) -> str:
    return "" if value is None else f"p = {format_number(value, lang, digits=3)}"


def to_dot(
    tree: FaultTree,
    gate_probs: Mapping[str, float] | None = None,
    highlight: Sequence[str] = (),
    lang: str = DEFAULT_LANG,
) -> str:
    """DOT source of ``tree``, built with the ``graphviz`` package (which quotes and escapes).

    Args:
        tree: the fault tree.
        gate_probs: probability of each gate, shown under its name when given.
        highlight: node ids of a path to draw in red (e.g. from ``cause_path``).
        lang: language of numbers.
    """
    hl = set(highlight)
    hl_edges = set(itertools.pairwise(highlight))
    graph = digraph(tree.id, rankdir="TB", nodesep="0.3", ranksep="0.35")
    graph.attr("node", fontname="Helvetica", fontsize="10")
    graph.attr("edge", arrowhead="none")
    for g in tree.gates:
        colour = _HIGHLIGHT if g.id in hl else {}
        p = _p(gate_probs.get(g.id) if gate_probs else None, lang)
        label = html_label((_wrap(g.name), g.id, p), bold=(1,))
        graph.node(node_name(g.id), label, shape="box", **colour)
        sym = node_name(g.id + " (gate)")
        graph.node(
            sym,
            text_label(gate_symbol(g)),
            shape=_SHAPES[g.type],
            width="0.5",
            height="0.4",
            fixedsize="true",
            fontsize="8",
            **colour,
        )
        graph.edge(node_name(g.id), sym, **colour)
        for i in g.inputs:
            graph.edge(sym, node_name(i), **(_HIGHLIGHT if (g.id, i) in hl_edges else {}))
    for e in tree.basic_events:
        colour = _HIGHLIGHT if e.id in hl else {}
        _leaf(graph, e.id, e.name, _p(e.probability, lang), "circle", colour)
    for h in tree.house_events:
        state = tr("ft.render.house_true" if h.state else "ft.render.house_false", lang)
        _leaf(graph, h.id, h.name, state, "house", {})
    return str(graph.source)


def _wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def _leaf(
    graph: graphviz.Digraph,
    nid: str,
    name: str,
    detail: str,
    symbol: str,
    colour: Mapping[str, str],
) -> None:
    """A described event: a box with its text above a small event symbol."""
    label = html_label((_wrap(name), nid, detail), bold=(1,))
    graph.node(node_name(nid), label, shape="box", style="rounded", **colour)
    sym = node_name(nid + " (symbol)")
    graph.node(sym, "", shape=symbol, width="0.3", height="0.3", fixedsize="true", **colour)
    graph.edge(node_name(nid), sym, **colour)


def to_text(
    tree: FaultTree,
    gate_probs: Mapping[str, float] | None = None,
    highlight: Sequence[str] = (),
    lang: str = DEFAULT_LANG,
) -> str:
    """An indented text tree, one node per line, for the terminal.

    Highlighted nodes are marked with ``*``; a shared gate met again is
    printed as ``(see above)`` instead of being expanded twice.
    """
    hl = set(highlight)
    out: list[str] = []
    shown: set[str] = set()
    see_above = tr("ft.render.see_above", lang)

    def describe(nid: str) -> str:
        mark = "* " if nid in hl else ""
        if tree.is_gate(nid):
            g = tree.gate(nid)
            p = _p(gate_probs.get(nid) if gate_probs else None, lang)
            parts = [f"{mark}{nid}", f"[{gate_symbol(g)}]", g.name, p]
        elif tree.is_basic(nid):
            e = tree.basic_event(nid)
            parts = [f"{mark}{nid}", e.name, _p(e.probability, lang)]
        else:
            h = tree.house_event(nid)
            state = tr("ft.render.house_true" if h.state else "ft.render.house_false", lang)
            parts = [f"{mark}{nid}", f"[{state}]", h.name]
        return "  ".join(p for p in parts if p)

    # Iterative pre-order walk: (node, prefix for its children, connector).
    stack: list[tuple[str, str, str]] = [(tree.top, "", "")]
    while stack:
        nid, prefix, connector = stack.pop()
        again = tree.is_gate(nid) and nid in shown
        out.append(prefix + connector + describe(nid) + (f"  ({see_above})" if again else ""))
        if not tree.is_gate(nid) or again:
            continue
        shown.add(nid)
        child_prefix = prefix + ("" if not connector else ("│  " if connector == "├─ " else "   "))
        inputs = tree.gate(nid).inputs
        for idx in range(len(inputs) - 1, -1, -1):
            last = idx == len(inputs) - 1
            stack.append((inputs[idx], child_prefix, "└─ " if last else "├─ "))
    return "\n".join(out) + "\n"


def draw(
    tree: FaultTree | FaultTreeDef,
    fmt: str,
    *,
    cause: str | None = None,
    lang: str = DEFAULT_LANG,
    probabilities: bool = True,
) -> bytes:
    """One call for reports and the UI: the tree drawn as ``svg``, ``png``, ``dot`` or ``text``.

    Args:
        tree: a KB fault tree or an analysis model.
        fmt: ``svg`` / ``png`` (need graphviz), ``dot`` or ``text`` (UTF-8 bytes).
        cause: a KB cause id whose path from the top is highlighted.
        lang: language of the names and numbers.
        probabilities: show each gate's exact probability.

    Raises:
        ExportError: an unknown format, or graphviz missing for svg/png
            (check :func:`diagnosis.diagram.have_dot` first to fall back).
    """
    from diagnosis.diagram import render
    from diagnosis.errors import ExportError
    from diagnosis.faulttree.bdd import gate_probabilities
    from diagnosis.faulttree.evidence import cause_path
    from diagnosis.faulttree.from_kb import from_kb

    model = tree if isinstance(tree, FaultTree) else from_kb(tree, lang)
    path = cause_path(model, cause) if cause else []
    probs = gate_probabilities(model) if probabilities else None
    if fmt == "text":
        return to_text(model, probs, path, lang).encode("utf-8")
    if fmt not in ("dot", "svg", "png"):
        raise ExportError(f"unknown diagram format '{fmt}' (expected svg, png, dot or text)")
    dot = to_dot(model, probs, path, lang)
    return dot.encode("utf-8") if fmt == "dot" else render(dot, fmt)
