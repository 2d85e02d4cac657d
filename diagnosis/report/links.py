"""What the report takes from other parts of the project: FMEA priorities and fault-tree paths.

The FMEA module (``diagnosis.fmea.fmea_for_cause``: AIAG-VDA action priority,
AMDEC criticality) and the fault-tree package (``cause_path``, ``from_kb``,
``render.to_dot``) are plain dependencies: an error in them surfaces, it is
never turned into a silently shorter report. The fault-tree modules are
imported when a report has a root cause to place in a tree, so that
``import diagnosis.report`` stays cheap (no BDD library).
"""

from __future__ import annotations

import dataclasses

from diagnosis.fmea import fmea_for_cause
from diagnosis.kb.model import EquipmentKB, FaultTreeDef, KnowledgeBase
from diagnosis.report.data import Conclusion, FaultTreePath, FmeaRisk, Named

__all__ = ["fault_tree_path", "fmea_risks"]

UNKNOWN = "_unknown"


def fmea_risks(
    kb: KnowledgeBase, eq: EquipmentKB | None, cause: str | None, lang: str
) -> tuple[FmeaRisk, ...]:
    """The FMEA risk of the cause: RPN, and AP and criticality from ``diagnosis.fmea``."""
    if not cause or eq is None:
        return ()
    lines = eq.fmea_for(cause)
    extra = {
        item.line.id: (item.ap, item.criticality, item.act)
        for item in fmea_for_cause(kb, cause)
    }
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


def fault_tree_path(
    kb: KnowledgeBase, equipment: str, conclusion: Conclusion | None, lang: str
) -> FaultTreePath | None:
    """The root cause's path in the equipment's fault tree (``faulttree.evidence.cause_path``).

    Its DOT text is the whole tree with the path highlighted
    (``diagnosis.faulttree.render.to_dot``).
    """
    if conclusion is None or not conclusion.root_cause or conclusion.root_cause == UNKNOWN:
        return None
    from diagnosis.faulttree.evidence import cause_path

    for tree in kb.trees_for(equipment):
        ids = cause_path(tree, conclusion.root_cause)  # top first, basic event last
        if not ids:
            continue
        labels = []
        for nid in reversed(ids):  # shown from the basic event up to the top event
            node = tree.gate(nid) or tree.event(nid)
            name = node.name.get(lang) if node is not None and node.name else ""
            labels.append(Named(nid, name or nid))
        result = FaultTreePath(tree.id, tree.name.get(lang) or tree.id, tuple(labels))
        return dataclasses.replace(result, dot=_tree_dot(tree, ids, lang))
    return None


def _tree_dot(tree: FaultTreeDef, ids: list[str], lang: str) -> str:
    """The whole tree with the path in red (``diagnosis.faulttree.render.to_dot``)."""
    from diagnosis.faulttree.from_kb import from_kb
    from diagnosis.faulttree.render import to_dot

    return to_dot(from_kb(tree, lang), highlight=ids, lang=lang)
