"""Small hand-made equipment for exact-number tests of the Bayesian layer and planner."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from diagnosis.i18n import Text
from diagnosis.kb.model import (
    Cause,
    Effect,
    Equipment,
    EquipmentKB,
    KnowledgeBase,
    Measurement,
    Requires,
    Symptom,
)

ROOT = Path(__file__).resolve().parents[3]


def synthetic() -> ModuleType:
    """bench/synthetic.py, imported by path (bench/ is not a package on sys.path)."""
    name = "bench_synthetic_for_tests"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def cause(cid: str, prior: float, *effects: Effect) -> Cause:
    return Cause(cid, Text.of(cid), "machine", prior, tuple(effects), equipment="eq")


def symptom(sid: str, leak: float = 0.01) -> Symptom:
    return Symptom(sid, Text.of(sid), "quality", leak=leak)


def numeric(
    mid: str, cost: float = 5.0, lockout: bool = False, habilitation: str | None = None
) -> Measurement:
    return Measurement(
        mid,
        Text.of(mid),
        "numeric",
        unit="V",
        nominal=1.0,
        cost_min=cost,
        requires=Requires(lockout=lockout, habilitation=habilitation),
    )


def boolean(mid: str, cost: float = 5.0) -> Measurement:
    return Measurement(mid, Text.of(mid), "boolean", normal="true", cost_min=cost)


def choice(mid: str, choices: tuple[str, ...], cost: float = 5.0) -> Measurement:
    return Measurement(
        mid, Text.of(mid), "choice", choices=choices, normal=choices[0], cost_min=cost
    )


def equipment(
    symptoms: tuple[Symptom, ...],
    measurements: tuple[Measurement, ...],
    causes: tuple[Cause, ...],
    eid: str = "eq",
) -> EquipmentKB:
    return EquipmentKB(Equipment(eid, Text.of(eid)), symptoms, measurements, causes)


def kb_of(*equipments: EquipmentKB) -> KnowledgeBase:
    return KnowledgeBase(equipments=equipments)
