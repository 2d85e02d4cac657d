"""The knowledge-base model: immutable values, each with its source position.

These types are the contract between the loader (``diagnosis.kb.loader``) and
every consumer (Bayesian network, rules, session, fault trees, FMEA, reports,
UI). They mirror ``shared/kb-format.md`` v1; the fields marked *extension*
are optional additions of this project, documented in ``knowledge_base/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from diagnosis.i18n import Text, readable_id

__all__ = [
    "CATEGORIES_5M",
    "SYMPTOM_CATEGORIES",
    "Action",
    "Cause",
    "Component",
    "Condition",
    "Effect",
    "Equipment",
    "EquipmentKB",
    "FaultTreeDef",
    "Finding",
    "FmeaLine",
    "FtEvent",
    "Gate",
    "KnowledgeBase",
    "Measurement",
    "Need",
    "Part",
    "Procedure",
    "Requires",
    "Rule",
    "SourcePos",
    "Symptom",
    "Thresholds",
    "WhyEvidence",
]

CATEGORIES_5M = ("matiere", "machine", "methode", "main_oeuvre", "milieu", "mesure")
SYMPTOM_CATEGORIES = ("quality", "safety", "productivity", "environment")
MeasurementKind = Literal["numeric", "boolean", "choice"]
ProcedureKind = Literal["alert", "safeguard", "lockout"]
GateType = Literal["and", "or", "atleast", "not", "xor", "nand", "nor"]


@dataclass(frozen=True)
class SourcePos:
    """Where an entity was written: file path, 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


_NOWHERE = SourcePos("<memory>")


@dataclass(frozen=True)
class Component:
    id: str
    name: Text
    parent: str | None = None
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Equipment:
    id: str
    name: Text
    class_: str | None = None
    components: tuple[Component, ...] = ()
    tag: str | None = None  # extension: plant tag number (ISO 14224 level 6)
    location: str | None = None  # extension: line / cell (levels 4-5)
    pos: SourcePos = _NOWHERE

    def component(self, cid: str) -> Component | None:
        return next((c for c in self.components if c.id == cid), None)

    def component_path(self, cid: str) -> tuple[Component, ...]:
        """The component and its ancestors, root first."""
        path: list[Component] = []
        current = self.component(cid)
        while current is not None and current not in path:
            path.insert(0, current)
            current = self.component(current.parent) if current.parent else None
        return tuple(path)


@dataclass(frozen=True)
class Symptom:
    id: str
    name: Text
    category: str
    leak: float = 0.01
    description: Text = field(default_factory=lambda: Text(()))
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Thresholds:
    low_critical: float | None = None
    low_alarm: float | None = None
    high_alarm: float | None = None
    high_critical: float | None = None


@dataclass(frozen=True)
class Requires:
    lockout: bool = False
    habilitation: str | None = None
    ppe: tuple[Text, ...] = ()
    procedure: str | None = None  # extension: lockout procedure id to follow

    @property
    def any(self) -> bool:
        return self.lockout or bool(self.habilitation) or bool(self.ppe)


@dataclass(frozen=True)
class Need:
    """Extension: a tool (``kind="tool"``, ``id``) or a part (``kind="part"``, ``ref``)
    without which a measurement cannot be taken (``needs`` in the KB)."""

    kind: Literal["tool", "part"]
    id: str
    name: Text = field(default_factory=lambda: Text(()))

    def label(self, lang: str) -> str:
        """Its name in ``lang``; the id made readable when the KB names none."""
        return self.name.get(lang) or readable_id(self.id, lang)


@dataclass(frozen=True)
class Measurement:
    id: str
    name: Text
    kind: MeasurementKind
    unit: str | None = None
    nominal: float | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    instrument: Text = field(default_factory=lambda: Text(()))
    point: Text = field(default_factory=lambda: Text(()))
    cost_min: float = 5.0
    requires: Requires = field(default_factory=Requires)
    on_critical: str | None = None
    normal: str = "normal"
    choices: tuple[str, ...] = ()
    # extension: what each choice is called, per language (``choice_labels`` in the KB)
    choice_labels: tuple[tuple[str, Text], ...] = ()
    description: Text = field(default_factory=lambda: Text(()))
    equipment: str = ""
    pos: SourcePos = _NOWHERE
    # extension: "difference" when the value is an interval (actual - setpoint,
    # a rise): unit conversion then ignores the offsets (72 °F difference = 40 K)
    quantity: str | None = None
    # extension: the tools and parts it cannot be taken without (``needs`` in the KB)
    needs: tuple[Need, ...] = ()

    def choice_label(self, choice: str, lang: str) -> str:
        """The name of ``choice`` in ``lang``; when the KB names none, the id made
        readable (:func:`diagnosis.i18n.readable_id`: ``milky`` -> ``Laiteux``)."""
        for key, text in self.choice_labels:
            if key == choice:
                return text.get(lang) or readable_id(choice, lang)
        return readable_id(choice, lang)

    @property
    def states(self) -> tuple[str, ...]:
        """Every state this measurement can be in, the healthy one included."""
        if self.kind == "numeric":
            return ("low", "normal", "high")
        if self.kind == "boolean":
            return ("true", "false")
        return self.choices

    @property
    def normal_state(self) -> str:
        return "normal" if self.kind == "numeric" else self.normal


@dataclass(frozen=True)
class Effect:
    """A noisy-OR link: P(symptom present | cause alone) or P(state | cause alone)."""

    p: float
    symptom: str | None = None
    measurement: str | None = None
    state: str | None = None
    pos: SourcePos = _NOWHERE

    @property
    def target(self) -> str:
        return self.symptom if self.symptom is not None else str(self.measurement)


@dataclass(frozen=True)
class Part:
    """Extension: a spare part the remedy usually needs."""

    ref: str
    name: Text
    qty: float = 1.0


@dataclass(frozen=True)
class WhyEvidence:
    """Extension: what supports one link of a cause's 5-Why chain.

    A measurement (optionally in one state: the link is verified only by a
    reading in that state, else by any abnormal reading of it) or a symptom
    (verified when it was reported present).
    """

    measurement: str | None = None
    state: str | None = None
    symptom: str | None = None
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Cause:
    id: str
    name: Text
    category_5m: str
    prior: float
    effects: tuple[Effect, ...]
    component: str | None = None
    remedy: Text = field(default_factory=lambda: Text(()))
    repair_min: float | None = None
    why: tuple[Text, ...] = ()
    description: Text = field(default_factory=lambda: Text(()))
    validation: Text = field(default_factory=lambda: Text(()))  # extension: test after repair
    parts: tuple[Part, ...] = ()  # extension
    failure_mode: str | None = None  # extension: ISO 14224 mode code (BRD, PDE, …)
    mechanism: str | None = None  # extension: ISO 14224 mechanism code ("2.4")
    cause_class: str | None = None  # extension: ISO 14224 cause code ("3.4")
    equipment: str = ""
    # extension: the evidence each ``why`` link names, aligned with ``why`` (None: none named)
    why_evidence: tuple[WhyEvidence | None, ...] = ()
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Condition:
    """One condition of a rule; exactly one of the shapes of kb-format.md.

    ``finding`` (extension) matches a named finding that another rule derived.
    """

    symptom: str | None = None
    present: bool = True
    measurement: str | None = None
    state: str | None = None
    below: float | None = None
    above: float | None = None
    finding: str | None = None  # extension: a finding derived by another rule
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Finding:
    """A named finding a rule derives (extension): other rules match it by id."""

    id: str
    name: Text
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Action:
    exclude: tuple[str, ...] = ()
    alert: str | None = None
    suggest: tuple[str, ...] = ()
    note: Text = field(default_factory=lambda: Text(()))
    derive: tuple[Finding, ...] = ()  # extension: named findings this rule establishes


@dataclass(frozen=True)
class Rule:
    id: str
    when: tuple[Condition, ...]
    then: Action
    equipment: str = ""
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Procedure:
    id: str
    kind: ProcedureKind
    name: Text
    steps: tuple[Text, ...]
    stop_machine: bool = False
    equipment: str = ""  # "" for a shared procedure file (extension)
    pos: SourcePos = _NOWHERE

    @property
    def release_step(self) -> int | None:
        """The index of a lockout's release step (déconsignation), or None.

        By convention (knowledge_base/README.md) the last step of a ``lockout``
        procedure whose text names the déconsignation (``déconsignation``,
        ``deconsignation``, in any language of the text) releases the lockout:
        it is done after the measurement, not before it.
        """
        if self.kind != "lockout" or not self.steps:
            return None
        import unicodedata

        for _, text in self.steps[-1].values:
            folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore")
            if b"deconsign" in folded:
                return len(self.steps) - 1
        return None

    @property
    def steps_before_work(self) -> tuple[Text, ...]:
        """The steps to acknowledge before working: every step but the release."""
        release = self.release_step
        return self.steps if release is None else self.steps[:release]


@dataclass(frozen=True)
class FmeaLine:
    id: str
    cause: str
    severity: int
    occurrence: int
    detection: int
    component: str | None = None
    function: Text = field(default_factory=lambda: Text(()))
    failure_mode: Text = field(default_factory=lambda: Text(()))
    effect: Text = field(default_factory=lambda: Text(()))
    detection_method: Text = field(default_factory=lambda: Text(()))
    actions: tuple[Text, ...] = ()
    equipment: str = ""
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Gate:
    id: str
    type: GateType
    inputs: tuple[str, ...]
    k: int | None = None
    name: Text = field(default_factory=lambda: Text(()))
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class FtEvent:
    """A basic or house event. ``probability`` is resolved for rate + time."""

    id: str
    probability: float | None = None
    rate: float | None = None
    time: float | None = None
    house: bool = False
    state: bool = False
    cause: str | None = None
    name: Text = field(default_factory=lambda: Text(()))
    pos: SourcePos = _NOWHERE

    @property
    def p(self) -> float:
        """The event's probability (house events: 1 when true, 0 when false)."""
        import math

        if self.house:
            return 1.0 if self.state else 0.0
        if self.probability is not None:
            return self.probability
        if self.rate is not None and self.time is not None:
            return 1.0 - math.exp(-self.rate * self.time)
        return 0.0


@dataclass(frozen=True)
class FaultTreeDef:
    """A fault tree as written in a ``fault_trees/*.yaml`` file."""

    id: str
    top: str
    gates: tuple[Gate, ...]
    events: tuple[FtEvent, ...]
    equipment: str | None = None
    name: Text = field(default_factory=lambda: Text(()))
    pos: SourcePos = _NOWHERE

    def gate(self, gid: str) -> Gate | None:
        return next((g for g in self.gates if g.id == gid), None)

    def event(self, eid: str) -> FtEvent | None:
        return next((e for e in self.events if e.id == eid), None)


@dataclass(frozen=True)
class EquipmentKB:
    """Everything one equipment file defines."""

    equipment: Equipment
    symptoms: tuple[Symptom, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    causes: tuple[Cause, ...] = ()
    rules: tuple[Rule, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    fmea: tuple[FmeaLine, ...] = ()
    file: str = ""

    @property
    def id(self) -> str:
        return self.equipment.id

    @cached_property
    def _index(self) -> dict[str, dict[str, object]]:
        return {
            "symptom": {s.id: s for s in self.symptoms},
            "measurement": {m.id: m for m in self.measurements},
            "cause": {c.id: c for c in self.causes},
            "rule": {r.id: r for r in self.rules},
            "procedure": {p.id: p for p in self.procedures},
            "fmea": {f.id: f for f in self.fmea},
        }

    def symptom(self, sid: str) -> Symptom:
        return self._index["symptom"][sid]  # type: ignore[return-value]

    def measurement(self, mid: str) -> Measurement:
        return self._index["measurement"][mid]  # type: ignore[return-value]

    def cause(self, cid: str) -> Cause:
        return self._index["cause"][cid]  # type: ignore[return-value]

    def has(self, kind: str, eid: str) -> bool:
        return eid in self._index.get(kind, {})

    def fmea_for(self, cause_id: str) -> tuple[FmeaLine, ...]:
        return tuple(f for f in self.fmea if f.cause == cause_id)


@dataclass(frozen=True)
class KnowledgeBase:
    """A whole validated knowledge base: equipment files, shared procedures, fault trees.

    Lookups are by id across the whole KB (ids are unique within their kind).
    """

    equipments: tuple[EquipmentKB, ...] = ()
    fault_trees: tuple[FaultTreeDef, ...] = ()
    shared_procedures: tuple[Procedure, ...] = ()  # extension: files without `equipment`
    root: str = ""
    fault_tree_root: str | None = None

    def __iter__(self) -> Iterator[EquipmentKB]:
        return iter(self.equipments)

    def equipment(self, eid: str) -> EquipmentKB:
        """The equipment ``eid``; KeyError when unknown."""
        for e in self.equipments:
            if e.id == eid:
                return e
        raise KeyError(eid)

    @cached_property
    def procedures(self) -> dict[str, Procedure]:
        out = {p.id: p for p in self.shared_procedures}
        for e in self.equipments:
            out.update({p.id: p for p in e.procedures})
        return out

    @cached_property
    def measurements(self) -> dict[str, Measurement]:
        return {m.id: m for e in self.equipments for m in e.measurements}

    @cached_property
    def symptoms(self) -> dict[str, Symptom]:
        return {s.id: s for e in self.equipments for s in e.symptoms}

    @cached_property
    def causes(self) -> dict[str, Cause]:
        return {c.id: c for e in self.equipments for c in e.causes}

    def procedure(self, pid: str) -> Procedure:
        return self.procedures[pid]

    def fault_tree(self, tid: str) -> FaultTreeDef:
        for t in self.fault_trees:
            if t.id == tid:
                return t
        raise KeyError(tid)

    def trees_for(self, equipment_id: str) -> tuple[FaultTreeDef, ...]:
        return tuple(t for t in self.fault_trees if t.equipment == equipment_id)

    def summary(self) -> dict[str, int]:
        """Counts per kind, as ``kb check`` prints them."""
        return {
            "equipment": len(self.equipments),
            "components": sum(len(e.equipment.components) for e in self.equipments),
            "symptoms": sum(len(e.symptoms) for e in self.equipments),
            "measurements": sum(len(e.measurements) for e in self.equipments),
            "causes": sum(len(e.causes) for e in self.equipments),
            "rules": sum(len(e.rules) for e in self.equipments),
            "procedures": len(self.procedures),
            "fmea": sum(len(e.fmea) for e in self.equipments),
            "fault_trees": len(self.fault_trees),
        }
