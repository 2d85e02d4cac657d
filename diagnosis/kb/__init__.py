"""The knowledge base: load, validate, and look up (``shared/kb-format.md`` v1).

>>> from diagnosis.kb import load_kb
>>> kb = load_kb()                      # the bundled knowledge_base/ + fault_trees/
>>> sorted(kb.summary())[:2]
['causes', 'components']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis._lazy import lazy_attributes

if TYPE_CHECKING:
    from diagnosis.kb.loader import (
        bundled_fault_tree_dir,
        bundled_kb_dir,
        check_kb,
        kb_digest,
        load_fault_tree_file,
        load_kb,
    )
    from diagnosis.kb.model import (
        Action,
        Cause,
        Component,
        Condition,
        Effect,
        Equipment,
        EquipmentKB,
        FaultTreeDef,
        FmeaLine,
        FtEvent,
        Gate,
        KnowledgeBase,
        Measurement,
        Part,
        Procedure,
        Requires,
        Rule,
        SourcePos,
        Symptom,
        Thresholds,
    )

__all__ = [
    "Action",
    "Cause",
    "Component",
    "Condition",
    "Effect",
    "Equipment",
    "EquipmentKB",
    "FaultTreeDef",
    "FmeaLine",
    "FtEvent",
    "Gate",
    "KnowledgeBase",
    "Measurement",
    "Part",
    "Procedure",
    "Requires",
    "Rule",
    "SourcePos",
    "Symptom",
    "Thresholds",
    "bundled_fault_tree_dir",
    "bundled_kb_dir",
    "check_kb",
    "kb_digest",
    "load_fault_tree_file",
    "load_kb",
]


__getattr__ = lazy_attributes(
    __name__,
    {
        "bundled_fault_tree_dir": "diagnosis.kb.loader",
        "bundled_kb_dir": "diagnosis.kb.loader",
        "check_kb": "diagnosis.kb.loader",
        "kb_digest": "diagnosis.kb.loader",
        "load_fault_tree_file": "diagnosis.kb.loader",
        "load_kb": "diagnosis.kb.loader",
        "Action": "diagnosis.kb.model",
        "Cause": "diagnosis.kb.model",
        "Component": "diagnosis.kb.model",
        "Condition": "diagnosis.kb.model",
        "Effect": "diagnosis.kb.model",
        "Equipment": "diagnosis.kb.model",
        "EquipmentKB": "diagnosis.kb.model",
        "FaultTreeDef": "diagnosis.kb.model",
        "FmeaLine": "diagnosis.kb.model",
        "FtEvent": "diagnosis.kb.model",
        "Gate": "diagnosis.kb.model",
        "KnowledgeBase": "diagnosis.kb.model",
        "Measurement": "diagnosis.kb.model",
        "Part": "diagnosis.kb.model",
        "Procedure": "diagnosis.kb.model",
        "Requires": "diagnosis.kb.model",
        "Rule": "diagnosis.kb.model",
        "SourcePos": "diagnosis.kb.model",
        "Symptom": "diagnosis.kb.model",
        "Thresholds": "diagnosis.kb.model",
    },
)
