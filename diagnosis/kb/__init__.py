"""The knowledge base: load, validate, and look up (``shared/kb-format.md`` v1).

>>> from diagnosis.kb import load_kb
>>> kb = load_kb()                      # the bundled knowledge_base/ + fault_trees/
>>> sorted(kb.summary())[:2]
['causes', 'components']
"""

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
