"""Convert between the KB's fault-tree definition and the analysis model.

:func:`from_kb` turns a :class:`~diagnosis.kb.model.FaultTreeDef` (what an
engineer wrote in ``fault_trees/*.yaml``) into a :class:`FaultTree`;
:func:`to_kb_yaml` writes a :class:`FaultTree` back as the KB YAML form
(``diagnosis ft import``), turning MEF names into valid KB ids.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode, HouseEvent, Location
from diagnosis.i18n import DEFAULT_LANG

if TYPE_CHECKING:  # the package imports this module: `ft analyze` needs neither the KB nor YAML
    from diagnosis.kb.model import FaultTreeDef, SourcePos

__all__ = ["from_kb", "kb_id", "to_kb_yaml"]


def _loc(pos: SourcePos) -> Location:
    return Location(pos.file, pos.line)


def from_kb(tree: FaultTreeDef, lang: str = DEFAULT_LANG) -> FaultTree:
    """The analysis model of a KB fault tree (names in ``lang``).

    Raises:
        KnowledgeBaseError: the tree is structurally invalid.
    """
    gates = tuple(
        GateNode(g.id, g.type, tuple(g.inputs), g.k, g.name.get(lang), _loc(g.pos))
        for g in tree.gates
    )
    basics = tuple(
        BasicEvent(e.id, e.p, e.rate, e.time, e.cause, e.name.get(lang), _loc(e.pos))
        for e in tree.events
        if not e.house
    )
    houses = tuple(
        HouseEvent(e.id, e.state, e.name.get(lang), _loc(e.pos)) for e in tree.events if e.house
    )
    return FaultTree(tree.id, tree.top, gates, basics, houses, tree.name.get(lang), _loc(tree.pos))


_BAD = re.compile(r"[^a-z0-9_-]+")


def kb_id(name: str) -> str:
    """A KB identifier (``^[a-z0-9][a-z0-9_-]*$``) made from an MEF name."""
    out = _BAD.sub("-", name.lower()).strip("-_")
    return out or "x"


def to_kb_yaml(tree: FaultTree, equipment: str | None = None) -> str:
    """The KB YAML text of ``tree`` (``format: 1``); MEF names are kept as ``name``."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for nid in (
        [g.id for g in tree.gates]
        + [e.id for e in tree.basic_events]
        + [h.id for h in tree.house_events]
    ):
        base = kb_id(nid)
        cand, n = base, 1
        while cand in taken:
            n += 1
            cand = f"{base}-{n}"
        taken.add(cand)
        ids[nid] = cand

    def named(nid: str, label: str) -> dict[str, Any]:
        out: dict[str, Any] = {"id": ids[nid]}
        text = label or (nid if ids[nid] != nid else "")
        if text:
            out["name"] = text
        return out

    gates: list[dict[str, Any]] = []
    for g in tree.gates:
        d = named(g.id, g.name)
        d["type"] = g.type
        if g.k is not None:
            d["k"] = g.k
        d["inputs"] = [ids[i] for i in g.inputs]
        gates.append(d)
    events: list[dict[str, Any]] = []
    for e in tree.basic_events:
        d = named(e.id, e.name)
        if e.rate is not None and e.time is not None:
            d["rate"], d["time"] = e.rate, e.time
        else:
            d["probability"] = e.probability
        if e.cause:
            d["cause"] = e.cause
        events.append(d)
    for h in tree.house_events:
        d = named(h.id, h.name)
        d["house"], d["state"] = True, h.state
        events.append(d)
    body: dict[str, Any] = {"id": kb_id(tree.id)}
    if equipment:
        body["equipment"] = equipment
    if tree.name and kb_id(tree.id) != tree.name:
        body["name"] = tree.name
    body.update({"top": ids[tree.top], "gates": gates, "events": events})
    import yaml

    return yaml.safe_dump(
        {"format": 1, "fault_tree": body}, sort_keys=False, allow_unicode=True, width=100
    )
