"""Fault trees: model, analyses, Open-PSA MEF exchange, diagrams, diagnostic evidence.

Layout (model, analyses and writers kept apart, as in SCRAM)::

    model.py            FaultTree, GateNode, BasicEvent, HouseEvent (validated, immutable)
    from_kb.py          KB FaultTreeDef -> FaultTree; FaultTree -> KB YAML text
    opsa_mef_reader.py  Open-PSA MEF XML -> FaultTree (errors name file, line, element)
    opsa_mef_writer.py  FaultTree -> Open-PSA MEF XML
    bdd.py              the dd/CUDD adapter: FaultTree -> flat BDD
    probability.py      exact P(top) and Birnbaum factors on the BDD
    zbdd.py             minimal cut sets, BDD -> ZBDD (Rauzy), order limit
    mocus.py            MOCUS baseline (cross-checks, benchmark)
    analysis.py         analyze(): cut sets, probability, rare-event, MCUB, importance
    report_text.py      the text report and the JSON document
    render.py           DOT source and text tree (drawn by diagnosis.diagram)
    evidence.py         tree_factor() and cause_path(): fault trees in the diagnosis

>>> from diagnosis.faulttree import FaultTree, GateNode, BasicEvent, analyze
>>> tree = FaultTree("t", "top", (GateNode("top", "and", ("a", "b")),),
...                  (BasicEvent("a", 0.1), BasicEvent("b", 0.2)))
>>> result = analyze(tree)
>>> round(result.probability, 6), [c.events for c in result.cut_sets]
(0.02, [('a', 'b')])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis._lazy import lazy_attributes

# Eager: ``from_kb`` is also a submodule's name, which the import system would
# set on the package the moment the submodule loads (a lazy name would lose).
from diagnosis.faulttree.from_kb import from_kb, to_kb_yaml

if TYPE_CHECKING:
    from diagnosis.faulttree.analysis import Analysis, CutSet, Importance, analyze
    from diagnosis.faulttree.evidence import cause_path, linked_causes, tree_factor
    from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode, HouseEvent, Location
    from diagnosis.faulttree.opsa_mef_reader import read_mef
    from diagnosis.faulttree.opsa_mef_writer import write_mef

__all__ = [
    "Analysis",
    "BasicEvent",
    "CutSet",
    "FaultTree",
    "GateNode",
    "HouseEvent",
    "Importance",
    "Location",
    "analyze",
    "cause_path",
    "from_kb",
    "linked_causes",
    "read_mef",
    "to_kb_yaml",
    "tree_factor",
    "write_mef",
]


__getattr__ = lazy_attributes(
    __name__,
    {
        "Analysis": "diagnosis.faulttree.analysis",
        "CutSet": "diagnosis.faulttree.analysis",
        "Importance": "diagnosis.faulttree.analysis",
        "analyze": "diagnosis.faulttree.analysis",
        "cause_path": "diagnosis.faulttree.evidence",
        "linked_causes": "diagnosis.faulttree.evidence",
        "tree_factor": "diagnosis.faulttree.evidence",
        "BasicEvent": "diagnosis.faulttree.model",
        "FaultTree": "diagnosis.faulttree.model",
        "GateNode": "diagnosis.faulttree.model",
        "HouseEvent": "diagnosis.faulttree.model",
        "Location": "diagnosis.faulttree.model",
        "read_mef": "diagnosis.faulttree.opsa_mef_reader",
        "write_mef": "diagnosis.faulttree.opsa_mef_writer",
    },
)
