"""What the report takes from other parts of the project, when they are installed.

The FMEA module (``diagnosis.fmea.fmea_for_cause``: AIAG-VDA action priority,
AMDEC criticality) and the fault-tree package (``cause_path``, ``from_kb``,
``render.to_dot``) are optional for the report: without them it still shows
the RPN (S x O x D, computed here) and leaves out the fault-tree path.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from diagnosis.kb.model import EquipmentKB, KnowledgeBase
from diagnosis.report.data import Conclusion, FaultTreePath, FmeaRisk, Named
from diagnosis.report.graphs import fault_tree_dot

__all__ = ["fault_tree_path", "fmea_risks"]

UNKNOWN = "_unknown"


def fmea_risks(
    kb: KnowledgeBase, eq: EquipmentKB | None, cause: str | None, lang: str
) -> tuple[FmeaRisk, ...]:
    """The FMEA risk of the cause: diagnosis.fmea when present, else RPN only."""
    if not cause or eq is None:
        return ()
    lines = eq.fmea_for(cause)
    helper = _optional("diagnosis.fmea", "fmea_for_cause")
    extra: dict[str, tuple[str | None, int | None, bool | None]] = {}
    if helper is not None:
        try:
            for item in helper(kb, cause):
                line = getattr(item, "line", None)
                line_id = getattr(line, "id", None) or getattr(item, "id", None)
                ap = getattr(item, "ap", None)
                crit = getattr(item, "criticality", None)
                act = getattr(item, "act", None)
                if line_id is not None:
                    extra[str(line_id)] = (
                        None if ap is None else str(getattr(ap, "value", ap)),
                        None if crit is None else int(crit),
                        None if act is None else bool(act),
                    )
        except Exception:  # a helper bug must not cost the technician the report
            extra = {}
    out = []
    for f in lines:
        ap, crit, act = extra.get(f.id, (None, None, None))
        out.append(
            FmeaRisk(
                line=f.id,
                severity=f.severity,
                occurrence=f.occurrence,
                detection=f.detection,
                rpn=f.severity * f.occurrence * f.detection,
                ap=ap,
                criticality=crit,
                act=act,
                failure_mode=f.failure_mode.get(lang),
                effect=f.effect.get(lang),
                actions=tuple(a.get(lang) for a in f.actions),
            )
        )
    return tuple(out)


def _optional(module: str, name: str) -> Any:
    """``module.name`` when another part of the project provides it, else None."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(mod, name, None)


def fault_tree_path(
    kb: KnowledgeBase, equipment: str, conclusion: Conclusion | None, lang: str
) -> FaultTreePath | None:
    """The root cause's path in the equipment's fault tree (the fault-tree helper's ``cause_path``).

    The DOT text is the whole tree with the path highlighted
    (``diagnosis.faulttree.render.to_dot``) when that module is there, else
    the path alone.
    """
    if conclusion is None or not conclusion.root_cause or conclusion.root_cause == UNKNOWN:
        return None
    cause_path = _optional("diagnosis.faulttree", "cause_path") or _optional(
        "diagnosis.faulttree.evidence", "cause_path"
    )
    if cause_path is None:
        return None
    for tree in kb.trees_for(equipment):
        try:
            path = cause_path(tree, conclusion.root_cause)
        except Exception:  # a tree the helper cannot read: try the next one
            continue
        if not path:
            continue
        ids = [str(getattr(node, "id", node)) for node in path]
        if ids[-1] == tree.top:
            ids.reverse()  # top first, basic event last
        labels = []
        for nid in reversed(ids):  # shown from the basic event up to the top event
            node = tree.gate(nid) or tree.event(nid)
            name = node.name.get(lang) if node is not None and node.name else ""
            labels.append(Named(nid, name or nid))
        result = FaultTreePath(tree.id, tree.name.get(lang) or tree.id, tuple(labels))
        return dataclasses.replace(result, dot=_tree_dot(tree, ids, lang) or fault_tree_dot(result))
    return None


def _tree_dot(tree: Any, ids: list[str], lang: str) -> str | None:
    """The whole tree with the path in red, drawn by the fault-tree helper's renderer."""
    from_kb = _optional("diagnosis.faulttree.from_kb", "from_kb")
    to_dot = _optional("diagnosis.faulttree.render", "to_dot")
    if from_kb is None or to_dot is None:
        return None
    try:
        return str(to_dot(from_kb(tree, lang), highlight=ids, lang=lang))
    except Exception:  # fall back to the path alone
        return None
