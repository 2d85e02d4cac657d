"""The knowledge-base model: immutable values, each with its source position.

These types are the contract between the loader (``diagnosis.kb.loader``) and
every consumer (Bayesian network, rules, session, fault trees, FMEA, reports,
UI). They mirror ``shared/kb-format.md`` v1; the fields marked *extension*
are optional additions of this project, documented in ``knowledge_base/README.md``.

They are also the one description of what a KB file may hold: each field a
file writes carries its kind, whether required, and its documentation
(``diagnosis.kb.fields``), from which ``diagnosis.kb.schema`` validates and
exports the JSON Schema and ``diagnosis.kb.build`` makes the values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Literal, get_args

from diagnosis.i18n import Text, readable_id
from diagnosis.kb.fields import F, kb, many, opt, text

__all__ = [
    "CATEGORIES_5M",
    "SYMPTOM_CATEGORIES",
    "Action",
    "Cause",
    "ChoiceLabel",
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
    "NeededPart",
    "NeededTool",
    "Needs",
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
MEASUREMENT_KINDS: tuple[str, ...] = get_args(MeasurementKind)
PROCEDURE_KINDS: tuple[str, ...] = get_args(ProcedureKind)
GATE_TYPES: tuple[str, ...] = get_args(GateType)


@dataclass(frozen=True)
class SourcePos:
    """Where an entity was written: file path, 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


_NOWHERE = SourcePos("<memory>")


_ID: dict[str, Any] = kb("id", True)
_NAME: dict[str, Any] = kb("text", True)
FORMAT = F("int", True, doc="Format version: 1")


@dataclass(frozen=True)
class Component:
    KB_NAME: ClassVar[str] = "component"
    id: str = field(metadata=_ID)
    name: Text = field(metadata=_NAME)
    parent: str | None = opt("id")
    description: Text = text()
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Equipment:
    KB_NAME: ClassVar[str] = "equipment"
    id: str = field(metadata=_ID)
    name: Text = field(metadata=_NAME)
    class_: str | None = opt("str", key="class")
    tag: str | None = opt("str")  # extension: plant tag number (ISO 14224 level 6)
    location: str | None = opt("str")  # extension: line / cell (levels 4-5)
    description: Text = text()
    components: tuple[Component, ...] = many(Component)
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
    KB_NAME: ClassVar[str] = "symptom"
    id: str = field(metadata=_ID)
    name: Text = field(metadata=_NAME)
    category: str = field(metadata=kb("enum", True, choices=SYMPTOM_CATEGORIES))
    leak: float = opt("prob", 0.01)
    description: Text = text()
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Thresholds:
    KB_NAME: ClassVar[str] = "thresholds"
    low_critical: float | None = opt("number")
    low_alarm: float | None = opt("number")
    high_alarm: float | None = opt("number")
    high_critical: float | None = opt("number")


@dataclass(frozen=True)
class Requires:
    KB_NAME: ClassVar[str] = "requires"
    lockout: bool = opt("bool", False)
    habilitation: str | None = opt("str", nullable=True)
    ppe: tuple[Text, ...] = many(F("text"))
    procedure: str | None = opt("id", nullable=True)  # extension: lockout procedure to follow

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
class NeededTool:
    """How a file names a needed tool (kept as a :class:`Need`)."""

    KB_NAME: ClassVar[str] = "needed tool"
    KB_DOC: ClassVar[str] = (
        "A tool or instrument the measurement cannot be taken without (extension)."
    )
    id: str = field(metadata=_ID)
    name: Text = text()


@dataclass(frozen=True)
class NeededPart:
    """How a file names a needed part (kept as a :class:`Need`)."""

    KB_NAME: ClassVar[str] = "needed part"
    KB_DOC: ClassVar[str] = (
        "A spare part or consumable the measurement cannot be taken without (extension)."
    )
    ref: str = field(metadata=kb("str", True, max_len=80))
    name: Text = text()


@dataclass(frozen=True)
class Needs:
    """How a file writes ``needs`` (kept as ``Measurement.needs``, tools then parts)."""

    KB_NAME: ClassVar[str] = "needs"
    KB_DOC: ClassVar[str] = (
        "Extension: what the technician must have at hand to take the measurement. "
        "A technician who lacks one may be handed over (docs/handover.md)."
    )
    tools: tuple[NeededTool, ...] = many(NeededTool)
    parts: tuple[NeededPart, ...] = many(NeededPart)


@dataclass(frozen=True)
class ChoiceLabel:
    """Extension: what a choice is called (kept as ``Measurement.choice_labels`` pairs)."""

    KB_NAME: ClassVar[str] = "choice_label"
    KB_DOC: ClassVar[str] = "What a choice of a choice measurement is called, per language."
    choice: str = field(metadata=kb("str", True))
    name: Text = field(metadata=_NAME)


@dataclass(frozen=True)
class Measurement:
    KB_NAME: ClassVar[str] = "measurement"
    id: str = field(metadata=_ID)
    name: Text = field(metadata=_NAME)
    kind: MeasurementKind = field(metadata=kb("enum", True, choices=MEASUREMENT_KINDS))
    unit: str | None = opt("str", max_len=40)
    nominal: float | None = opt("number")
    thresholds: Thresholds = field(default_factory=Thresholds, metadata=kb("obj", item=Thresholds))
    instrument: Text = text()
    point: Text = text()
    cost_min: float = opt("nonneg", 5.0)
    # extension: what each choice is called, per language
    choice_labels: tuple[tuple[str, Text], ...] = many(ChoiceLabel)
    requires: Requires = field(default_factory=Requires, metadata=kb("obj", item=Requires))
    # extension: the tools and parts it cannot be taken without (``needs`` in the KB)
    needs: tuple[Need, ...] = field(default=(), metadata=kb("obj", item=Needs))
    on_critical: str | None = opt("id", nullable=True)
    normal: str = opt("state", "normal")
    choices: tuple[str, ...] = many(F("str"), min_items=2)
    description: Text = text()
    # extension: "difference" when the value is an interval (actual - setpoint,
    # a rise): unit conversion then ignores the offsets (72 °F difference = 40 K)
    quantity: str | None = opt(
        "enum",
        choices=("absolute", "difference"),
        doc="'difference' when the value is an interval (actual - setpoint, a rise): "
        "a unit typed is then converted without offset (72 °F difference = 40 K).",
    )
    equipment: str = ""
    pos: SourcePos = _NOWHERE

    def choice_label(self, choice: str, lang: str) -> str:
        """The name of ``choice`` in ``lang``; when the KB names none, the id made
        readable (:func:`diagnosis.i18n.readable_id`: ``milky`` -> ``Laiteux``)."""
        for key, label in self.choice_labels:
            if key == choice:
                return label.get(lang) or readable_id(choice, lang)
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

    KB_NAME: ClassVar[str] = "effect"
    p: float = field(metadata=kb("prob", True))
    symptom: str | None = opt("id")
    measurement: str | None = opt("id")
    state: str | None = opt("state")
    pos: SourcePos = _NOWHERE

    @property
    def target(self) -> str:
        return self.symptom if self.symptom is not None else str(self.measurement)


@dataclass(frozen=True)
class Part:
    """Extension: a spare part the remedy usually needs."""

    KB_NAME: ClassVar[str] = "part"
    ref: str = field(metadata=kb("str", True))
    name: Text = text()
    qty: float = opt("positive", 1.0)


@dataclass(frozen=True)
class WhyEvidence:
    """Extension: what supports one link of a cause's 5-Why chain.

    A measurement (optionally in one state: the link is verified only by a
    reading in that state, else by any abnormal reading of it) or a symptom
    (verified when it was reported present). In the file the link also has
    its ``text``, kept in ``Cause.why``.
    """

    KB_NAME: ClassVar[str] = "why link"
    KB_DOC: ClassVar[str] = "A 5-Why link tied to the evidence that verifies it (extension)."
    KB_LEAD: ClassVar[dict[str, F]] = {"text": F("text", True)}
    measurement: str | None = opt("id", doc="The measurement whose reading supports this link.")
    state: str | None = opt("state", doc="The state of that measurement that supports it.")
    symptom: str | None = opt("id", doc="The symptom whose report supports this link.")
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Cause:
    KB_NAME: ClassVar[str] = "cause"
    id: str = field(metadata=_ID)
    name: Text = field(metadata=_NAME)
    category_5m: str = field(metadata=kb("enum", True, choices=CATEGORIES_5M))
    prior: float = field(metadata=kb("prob", True))
    effects: tuple[Effect, ...] = field(metadata=kb("list", True, item=Effect, min_items=1))
    component: str | None = opt("id")
    remedy: Text = text()
    repair_min: float | None = opt("nonneg")
    why: tuple[Text, ...] = many(
        F("why", item=WhyEvidence),
        doc="The 5-Why chain, symptom to cause: each link a text, or "
        "{text, measurement[, state] | symptom} naming the evidence that verifies it.",
    )
    description: Text = text()
    validation: Text = text()  # extension: test after repair
    parts: tuple[Part, ...] = many(Part)  # extension
    failure_mode: str | None = opt("code", max_len=40)  # extension: ISO 14224 mode (BRD, PDE…)
    mechanism: str | None = opt("code", max_len=40)  # extension: ISO 14224 mechanism ("2.4")
    cause_class: str | None = opt("code", max_len=40)  # extension: ISO 14224 cause ("3.4")
    equipment: str = ""
    # extension: the evidence each ``why`` link names, aligned with ``why`` (None: none named)
    why_evidence: tuple[WhyEvidence | None, ...] = ()
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Condition:
    """One condition of a rule; exactly one of the shapes of kb-format.md.

    ``finding`` (extension) matches a named finding that another rule derived.
    """

    KB_NAME: ClassVar[str] = "condition"
    symptom: str | None = opt("id")
    present: bool = opt("bool", True)
    measurement: str | None = opt("id")
    state: str | None = opt("state")
    below: float | None = opt("number")
    above: float | None = opt("number")
    finding: str | None = opt("id", doc="Extension: a named finding that another rule derives")
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Finding:
    """A named finding a rule derives (extension): other rules match it by id."""

    KB_NAME: ClassVar[str] = "finding"
    KB_DOC: ClassVar[str] = (
        "Extension: a named finding, matched by other rules' {finding: ID} conditions"
    )
    id: str = field(metadata=_ID)
    name: Text = field(metadata=_NAME)
    description: Text = text()
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Action:
    KB_NAME: ClassVar[str] = "action"
    exclude: tuple[str, ...] = many(F("id"))
    alert: str | None = opt("id")
    suggest: tuple[str, ...] = many(F("id"))
    note: Text = text()
    derive: tuple[Finding, ...] = many(
        Finding, doc="Extension: named findings this rule establishes (other rules use them)"
    )


@dataclass(frozen=True)
class Rule:
    KB_NAME: ClassVar[str] = "rule"
    id: str = field(metadata=_ID)
    when: tuple[Condition, ...] = field(metadata=kb("list", True, item=Condition, min_items=1))
    then: Action = field(metadata=kb("obj", True, item=Action))
    description: Text = text()
    equipment: str = ""
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Procedure:
    KB_NAME: ClassVar[str] = "procedure"
    id: str = field(metadata=_ID)
    kind: ProcedureKind = field(metadata=kb("enum", True, choices=PROCEDURE_KINDS))
    name: Text = field(metadata=_NAME)
    steps: tuple[Text, ...] = field(metadata=kb("list", True, item=F("text", True), min_items=1))
    stop_machine: bool = opt("bool", False)
    description: Text = text()
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

        for _, step in self.steps[-1].values:
            folded = unicodedata.normalize("NFKD", step.lower()).encode("ascii", "ignore")
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
    KB_NAME: ClassVar[str] = "fmea line"
    id: str = field(metadata=_ID)
    cause: str = field(metadata=kb("id", True))
    severity: int = field(metadata=kb("sod", True))
    occurrence: int = field(metadata=kb("sod", True))
    detection: int = field(metadata=kb("sod", True))
    component: str | None = opt("id")
    function: Text = text()
    failure_mode: Text = text()
    effect: Text = text()
    detection_method: Text = text()
    actions: tuple[Text, ...] = many(F("text"))
    equipment: str = ""
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class Gate:
    KB_NAME: ClassVar[str] = "gate"
    id: str = field(metadata=_ID)
    type: GateType = field(metadata=kb("enum", True, choices=GATE_TYPES))
    inputs: tuple[str, ...] = field(metadata=kb("list", True, item=F("id"), min_items=1))
    k: int | None = opt("int")
    name: Text = text()
    pos: SourcePos = _NOWHERE


@dataclass(frozen=True)
class FtEvent:
    """A basic or house event. ``probability`` is resolved for rate + time."""

    KB_NAME: ClassVar[str] = "event"
    id: str = field(metadata=_ID)
    probability: float | None = opt("prob")
    rate: float | None = opt("positive")
    time: float | None = opt("positive")
    house: bool = opt("bool", False)
    state: bool = opt("bool", False)
    cause: str | None = opt("id")
    name: Text = text()
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

    KB_NAME: ClassVar[str] = "fault tree"
    id: str = field(metadata=_ID)
    top: str = field(metadata=kb("id", True))
    gates: tuple[Gate, ...] = field(metadata=kb("list", True, item=Gate))
    events: tuple[FtEvent, ...] = field(metadata=kb("list", True, item=FtEvent))
    equipment: str | None = opt("id")
    name: Text = text()
    description: Text = text()
    pos: SourcePos = _NOWHERE

    def gate(self, gid: str) -> Gate | None:
        return next((g for g in self.gates if g.id == gid), None)

    def event(self, eid: str) -> FtEvent | None:
        return next((e for e in self.events if e.id == eid), None)


@dataclass(frozen=True)
class EquipmentKB:
    """Everything one equipment file defines."""

    KB_NAME: ClassVar[str] = "file"
    KB_LEAD: ClassVar[dict[str, F]] = {"format": FORMAT}
    equipment: Equipment = field(metadata=kb("obj", item=Equipment))
    symptoms: tuple[Symptom, ...] = many(Symptom)
    measurements: tuple[Measurement, ...] = many(Measurement)
    causes: tuple[Cause, ...] = many(Cause)
    rules: tuple[Rule, ...] = many(Rule)
    procedures: tuple[Procedure, ...] = many(Procedure)
    fmea: tuple[FmeaLine, ...] = many(FmeaLine)
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
