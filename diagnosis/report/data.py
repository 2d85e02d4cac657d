"""What a diagnosis report shows, computed once by :func:`~diagnosis.report.build.build_report`.

Every writer (Markdown, HTML, JSON, PDF) formats these values and computes
nothing. KB texts are already resolved to the report's language; numbers
and times stay raw (the writers format them for the language). The JSON
form of this tree is the versioned report JSON (``docs/report-json.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from diagnosis.session.events import PartUsed as PartLine  # a part: the event's own record
from diagnosis.session.events import ProblemStatement
from diagnosis.session.events import to_json as to_json_data  # the one JSON converter

if TYPE_CHECKING:
    from diagnosis.kpi.history import EquipmentHistory

__all__ = [
    "REPORT_VERSION",
    "AlertLine",
    "Audit",
    "Conclusion",
    "Excluded",
    "FaultTreePath",
    "FmeaRisk",
    "HandoverLine",
    "Hypothesis",
    "Named",
    "PartLine",
    "Problem",
    "Ranked",
    "RankedName",
    "RankingPoint",
    "ReadingLine",
    "Remedy",
    "ReportData",
    "TreeObservation",
    "Validation",
    "WhyLine",
    "to_json_data",
]

REPORT_VERSION = 1


@dataclass(frozen=True)
class Named:
    """An entity id and its name in the report's language."""

    id: str
    name: str


@dataclass(frozen=True)
class Ranked:
    cause: str
    probability: float


@dataclass(frozen=True)
class Excluded:
    cause: str
    name: str
    reason: str


@dataclass(frozen=True)
class TreeObservation:
    """A fault-tree gate or event observed during the session, used as evidence."""

    tree: str
    tree_name: str
    node: str
    node_name: str
    state: bool


@dataclass(frozen=True)
class Problem(ProblemStatement):
    """The QQOQCP(C) problem statement (its fields first) and the symptoms as reported."""

    symptoms: tuple[Named, ...] = ()  # present
    absent_symptoms: tuple[Named, ...] = ()  # checked absent


@dataclass(frozen=True)
class AlertLine:
    """A safety procedure raised during the session and whether it was acknowledged."""

    procedure: str
    name: str
    kind: str  # alert | safeguard | lockout | "" when the KB no longer has it
    trigger: str
    reason: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    steps: tuple[str, ...]
    steps_acknowledged: int
    stop_machine: bool
    # raised again by a new reading after being acknowledged at this time (issue 10)
    previously_acknowledged: datetime | None = None
    reason_text: str = ""  # the reason in words, in the report's language


@dataclass(frozen=True)
class ReadingLine:
    """One answer with the reference values it was judged against."""

    measurement: str
    name: str
    value: float | bool | str | None
    unit: str | None
    raw: str
    state: str | None
    critical: bool
    available: bool
    instrument: str
    point: str
    nominal: float | None
    low_critical: float | None
    low_alarm: float | None
    high_alarm: float | None
    high_critical: float | None
    at: datetime
    actor: str
    proposed: bool
    undone: bool
    taken_by: str = ""  # the habilitated colleague who took it (outside the technician's)
    taken_by_habilitation: str = ""
    typed: str = ""  # what was typed, when in another unit than the KB's (converted)
    label: str = ""  # a choice reading's name in the report's language (issue 10)


@dataclass(frozen=True)
class RankingPoint:
    """The hypotheses' probabilities after one update (a ``RankingSnapshot``)."""

    step: int
    at: datetime
    after: str | None  # measurement whose answer caused this update (None: the start)
    probabilities: tuple[Ranked, ...]  # sorted, decreasing

    def of(self, cause: str) -> float | None:
        """The probability of ``cause`` at this point, None when not ranked."""
        return next((r.probability for r in self.probabilities if r.cause == cause), None)


@dataclass(frozen=True)
class RankedName:
    """A cause, its name in the report's language, and its probability."""

    cause: str
    name: str
    probability: float


@dataclass(frozen=True)
class HandoverLine:
    """The session stopped for a colleague (a ``HandedOver`` event, issue 10).

    What could not be measured, why (a habilitation nobody at hand holds, tools
    or parts the technician lacks), when, and the ranking at that time.
    """

    measurement: str
    name: str
    habilitation: str  # "" when only a tool or a part is missing
    tools: tuple[Named, ...]
    parts: tuple[Named, ...]
    at: datetime
    actor: str
    gain: float  # bits the measurement out of reach would bring
    best_allowed: Named | None  # the best measurement within reach (None: none informative)
    best_allowed_gain: float
    ranking: tuple[RankedName, ...]  # the latest ranking before the hand-over, top first


@dataclass(frozen=True)
class Hypothesis:
    """A cause considered, for the 5M fishbone."""

    cause: str
    name: str
    category_5m: str
    probability: float | None  # last known probability (None when never ranked)
    excluded: str | None  # reason, when a rule excluded it
    root: bool


@dataclass(frozen=True)
class WhyLine:
    text: str
    evidence: str | None  # measurement id
    evidence_text: str | None  # "melt temperature = 205 °C (low)"


@dataclass(frozen=True)
class Conclusion:
    root_cause: str | None
    name: str
    probability: float
    confirmed: bool
    at: datetime
    actor: str
    description: str
    evidence: tuple[str, ...]  # measurement ids
    ruled_out: tuple[Named, ...]
    failure_mode: str | None
    mechanism: str | None
    cause_class: str | None
    component: str | None


@dataclass(frozen=True)
class FmeaRisk:
    line: str
    severity: int
    occurrence: int
    detection: int
    rpn: int
    ap: str | None  # AIAG-VDA action priority H/M/L; None when diagnosis.fmea is absent
    criticality: int | None  # machine FMECA (AMDEC) C = F x G x N; None without diagnosis.fmea
    act: bool | None  # C at or above the site's threshold: action required
    failure_mode: str
    effect: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Remedy:
    text: str
    activity: str
    parts: tuple[PartLine, ...]
    labour_min: float | None
    downtime_min: float | None
    lockout_done: bool
    at: datetime
    expected_repair_min: float | None  # from the KB, for comparison


@dataclass(frozen=True)
class Validation:
    test: str
    passed: bool
    result: str
    at: datetime
    actor: str
    expected: str  # the KB's validation test for the cause


@dataclass(frozen=True)
class FaultTreePath:
    """The confirmed cause's path to the top event of one fault tree."""

    tree: str
    name: str
    path: tuple[Named, ...]  # basic event first, top event last
    dot: str = ""  # graphviz DOT of the tree with the path highlighted


@dataclass(frozen=True)
class Audit:
    """The store's check of the session's hash chain when the report was made."""

    ok: bool
    events: int
    first_bad_seq: int | None = None
    head: str | None = None  # hash of the last event of a closed session (its anchor)


@dataclass(frozen=True)
class ReportData:
    """Everything one diagnosis report shows."""

    lang: str
    generated_at: datetime
    session_id: str
    status: str  # open | done | abandoned
    work_order: str | None
    kb_digest: str
    equipment: str
    equipment_name: str
    equipment_tag: str | None
    equipment_location: str | None
    technician: str
    habilitations: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    duration_min: float
    problem: Problem
    alerts: tuple[AlertLine, ...]
    readings: tuple[ReadingLine, ...]
    ranking: tuple[RankingPoint, ...]
    chart_causes: tuple[Named, ...]  # the causes the chart follows
    excluded: tuple[Excluded, ...]
    notes: tuple[str, ...]
    conclusion: Conclusion | None
    why: tuple[WhyLine, ...]
    category_5m: str | None
    hypotheses: tuple[Hypothesis, ...]
    fmea: tuple[FmeaRisk, ...]
    remedy: Remedy | None
    validation: Validation | None
    fault_tree: FaultTreePath | None
    diagrams: bool  # draw graphviz diagrams (``dot`` was available when the data was built)
    report_version: int = REPORT_VERSION
    warnings: tuple[str, ...] = field(default=())
    audit: Audit | None = None  # None: the log did not come from a store
    tree_observations: tuple[TreeObservation, ...] = ()
    history: EquipmentHistory | None = None  # earlier interventions (None: no store at hand)
    # a root cause was concluded and no validation test result is recorded (issue 10)
    validation_pending: bool = False
    handovers: tuple[HandoverLine, ...] = ()  # the session stopped for a colleague (issue 10)
