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

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diagnosis.faulttree.analysis import Analysis, CutSet, Importance, analyze
    from diagnosis.faulttree.evidence import cause_path, linked_causes, tree_factor
    from diagnosis.faulttree.from_kb import from_kb, to_kb_yaml
    from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode, HouseEvent, Location
    from diagnosis.faulttree.opsa_mef_reader import read_mef
    from diagnosis.faulttree.opsa_mef_writer import write_mef

# Imported on first use (PEP 562): ``ft analyze`` on a small model must not pay
# for the Bayesian network (numpy, the KB loader) that only ``evidence`` needs.
_WHERE = {
    "Analysis": "analysis",
    "CutSet": "analysis",
    "Importance": "analysis",
    "analyze": "analysis",
    "cause_path": "evidence",
    "linked_causes": "evidence",
    "tree_factor": "evidence",
    "from_kb": "from_kb",
    "to_kb_yaml": "from_kb",
    "BasicEvent": "model",
    "FaultTree": "model",
    "GateNode": "model",
    "HouseEvent": "model",
    "Location": "model",
    "read_mef": "opsa_mef_reader",
    "write_mef": "opsa_mef_writer",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'diagnosis.faulttree' has no attribute '{name}'")
    value = getattr(import_module(f"diagnosis.faulttree.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
