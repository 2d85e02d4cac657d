"""The typed, append-only event log of a guided diagnosis.

A session's state is a pure function of its events: replaying the log
rebuilds it (this is what the store keeps and what ``resume`` reads). Each
event is a frozen dataclass with a ``type`` tag; ``to_dict`` / ``from_dict``
give the JSON form stored in the database and printed in reports. Times are
timezone-aware UTC; ``actor`` is who caused the event (technician name, or
``"engine"`` for what the engine decided).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any, ClassVar

__all__ = [
    "AUTOMATIC",
    "EVENT_TYPES",
    "AlertAcknowledged",
    "AlertRaised",
    "AlertStepAcknowledged",
    "CategorySet",
    "CauseExcluded",
    "CauseReinstated",
    "ColleagueJoined",
    "ConclusionReached",
    "Event",
    "HandedOver",
    "LackingDeclared",
    "LockoutReleased",
    "MeasurementProposed",
    "MeasurementSuggested",
    "NoteAdded",
    "PartUsed",
    "ProblemStatement",
    "RankingSnapshot",
    "ReadingRecorded",
    "ReadingUndone",
    "RemedyRecorded",
    "SessionClosed",
    "SessionResumed",
    "SessionStarted",
    "TreeObserved",
    "ValidationRecorded",
    "WhyChainSet",
    "WhyLink",
    "event_from_dict",
    "now_utc",
    "to_json",
]


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True)
class ProblemStatement:
    """QQOQCP(C): who, what, where, when, how, why (it matters), how much."""

    who: str = ""
    what: str = ""
    where: str = ""
    when: str = ""
    how: str = ""
    why: str = ""
    how_much: str = ""


@dataclasses.dataclass(frozen=True)
class WhyLink:
    """One link of a 5-Why chain and the reading (measurement id) that verified it."""

    text: str
    evidence: str | None = None


@dataclasses.dataclass(frozen=True)
class PartUsed:
    ref: str
    name: str = ""
    qty: float = 1.0


AUTOMATIC = "automatic:scripted-run"
"""The actor of what a scripted run does on nobody's behalf (alert acknowledgements):
a report says "acknowledged automatically", never a person's name."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event: when and who."""

    type: ClassVar[str] = "event"
    at: datetime = dataclasses.field(default_factory=now_utc)
    actor: str = "engine"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: ``{"type": ..., "at": ISO-8601, ...}``."""
        out: dict[str, Any] = {"type": self.type}
        for f in dataclasses.fields(self):
            out[f.name] = to_json(getattr(self, f.name))
        return out


def to_json(value: Any) -> Any:
    """JSON-ready: dataclasses to dicts, tuples to lists, datetimes to ISO 8601 strings.

    The one converter of the engine: events here, report data (``to_json_data``) too.
    """
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class SessionStarted(Event):
    type: ClassVar[str] = "session_started"
    session_id: str
    equipment: str
    symptoms: tuple[str, ...] = ()
    absent_symptoms: tuple[str, ...] = ()
    technician: str = ""
    habilitations: tuple[str, ...] = ()
    problem: ProblemStatement = dataclasses.field(default_factory=ProblemStatement)
    lang: str = "en"
    confidence: float = 0.9
    max_steps: int | None = None
    kb_digest: str = ""  # sha256 of the KB files, to detect a KB changed under a session
    work_order: str | None = None  # CMMS work-order id, when known


@dataclasses.dataclass(frozen=True, kw_only=True)
class MeasurementProposed(Event):
    type: ClassVar[str] = "measurement_proposed"
    measurement: str
    gain: float = 0.0  # expected information gain, bits
    cost_min: float = 0.0
    score: float = 0.0  # gain per minute, as ranked
    purpose: str = "discriminate"  # or "confirm": verifies the leading cause


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReadingRecorded(Event):
    """An answer. ``available`` False means *not available* (value None)."""

    type: ClassVar[str] = "reading_recorded"
    measurement: str
    value: float | bool | str | None = None
    unit: str | None = None
    raw: str = ""  # what the technician typed
    state: str | None = None  # low / normal / high / true / false / a choice
    critical: bool = False
    available: bool = True
    instrument: str | None = None
    proposed: bool = True  # False when the technician chose to measure something else
    # A reading outside the technician's habilitations, taken by a habilitated colleague:
    # who, and the habilitation that covers it (issue 10: never silently around it).
    taken_by: str = ""
    taken_by_habilitation: str = ""
    # A numeric answer typed in another unit: what was typed, before conversion
    # (``raw`` keeps the whole text); empty when typed in the KB's unit.
    typed_unit: str = ""
    sure: bool = True  # False: the technician answered "not sure" (soft evidence)
    previous: tuple[str, ...] = ()  # states of the earlier reads this re-measure repeats


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReadingUndone(Event):
    type: ClassVar[str] = "reading_undone"
    measurement: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlertRaised(Event):
    """A procedure (alert, safeguard, lockout) that must be acknowledged to go on."""

    type: ClassVar[str] = "alert_raised"
    procedure: str
    trigger: str = ""  # rule id, or measurement id of a critical reading / prerequisite
    reason: str = ""
    # Other (trigger, reason) that raised the same procedure from the same reading:
    # one alert, one acknowledgement (issue 10).
    also: tuple[tuple[str, str], ...] = ()
    # When this procedure was last acknowledged in the session (ISO-8601), "" if never:
    # raised again by a new reading, it says so.
    acknowledged_at: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlertStepAcknowledged(Event):
    type: ClassVar[str] = "alert_step_acknowledged"
    procedure: str
    step: int  # 0-based step index


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlertAcknowledged(Event):
    type: ClassVar[str] = "alert_acknowledged"
    procedure: str
    # A lockout acknowledged up to its release step (déconsignation), which is
    # done after the measurement (LockoutReleased); None when there is none.
    release_step: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class LockoutReleased(Event):
    """The release step (déconsignation) of a lockout, done after the measurement."""

    type: ClassVar[str] = "lockout_released"
    procedure: str
    step: int  # 0-based index of the release step


@dataclasses.dataclass(frozen=True, kw_only=True)
class CauseExcluded(Event):
    type: ClassVar[str] = "cause_excluded"
    cause: str
    rule: str = ""
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CauseReinstated(Event):
    """An exclusion withdrawn: the reading that made the rule fire was undone."""

    type: ClassVar[str] = "cause_reinstated"
    cause: str
    rule: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class MeasurementSuggested(Event):
    """A KB rule suggests taking this measurement (shown to the technician)."""

    type: ClassVar[str] = "measurement_suggested"
    measurement: str
    rule: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoteAdded(Event):
    type: ClassVar[str] = "note_added"
    text: str
    rule: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class RankingSnapshot(Event):
    """Posterior ranking after an update: ``((cause, probability), ...)``, sorted."""

    type: ClassVar[str] = "ranking_snapshot"
    ranking: tuple[tuple[str, float], ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConclusionReached(Event):
    """The root cause (``"_unknown"`` or None for no conclusion) and its evidence."""

    type: ClassVar[str] = "conclusion_reached"
    root_cause: str | None
    probability: float = 0.0
    evidence: tuple[str, ...] = ()  # measurement ids whose readings support it
    confirmed: bool = False  # confirmed by the technician
    ruled_out: tuple[str, ...] = ()  # for _unknown: what was ruled out


@dataclasses.dataclass(frozen=True, kw_only=True)
class WhyChainSet(Event):
    type: ClassVar[str] = "why_chain_set"
    links: tuple[WhyLink, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class CategorySet(Event):
    type: ClassVar[str] = "category_set"
    category_5m: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class RemedyRecorded(Event):
    type: ClassVar[str] = "remedy_recorded"
    remedy: str
    activity: str = ""  # ISO 14224 activity (replace, repair, adjust…)
    parts: tuple[PartUsed, ...] = ()
    labour_min: float | None = None
    downtime_min: float | None = None
    lockout_done: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class ValidationRecorded(Event):
    type: ClassVar[str] = "validation_recorded"
    test: str
    passed: bool
    result: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TreeObserved(Event):
    """A gate or event of a fault tree observed true or false (``None`` withdraws it).

    Basic events linked to causes make the tree evidence about those causes
    (the classic fault-tree-to-Bayesian-network mapping).
    """

    type: ClassVar[str] = "tree_observed"
    tree: str
    node: str
    state: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ColleagueJoined(Event):
    """A habilitated colleague is at hand to take the readings the technician may not."""

    type: ClassVar[str] = "colleague_joined"
    name: str
    habilitations: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class HandedOver(Event):
    """The session stops and waits for a colleague (see :mod:`diagnosis.session.handover`)."""

    type: ClassVar[str] = "handed_over"
    measurement: str
    habilitation: str = ""
    gain: float = 0.0  # expected information of that measurement, bits
    best_allowed: str | None = None  # the best measurement the technician may take
    best_allowed_gain: float = 0.0
    tools: tuple[str, ...] = ()  # the tools it needs that the technician lacks
    part_refs: tuple[str, ...] = ()  # the parts it needs that the technician lacks


@dataclasses.dataclass(frozen=True, kw_only=True)
class LackingDeclared(Event):
    """The technician lacks tools or parts here: at the start, or at a measurement
    (``measurement``: "I don't have the instrument / the part here").

    A measurement that ``needs`` one of them is out of his reach (see
    :mod:`diagnosis.session.handover`) until a resume (SessionResumed) lifts it.
    """

    type: ClassVar[str] = "lacking_declared"
    tools: tuple[str, ...] = ()
    part_refs: tuple[str, ...] = ()
    measurement: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class SessionResumed(Event):
    """A stopped session taken up again, possibly by someone else, with a new step limit."""

    type: ClassVar[str] = "session_resumed"
    technician: str = ""
    habilitations: tuple[str, ...] = ()
    max_steps: int | None = None  # total readings allowed from now on; None: no limit


@dataclasses.dataclass(frozen=True, kw_only=True)
class SessionClosed(Event):
    type: ClassVar[str] = "session_closed"
    status: str = "done"  # done | abandoned


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        SessionStarted,
        MeasurementProposed,
        ReadingRecorded,
        ReadingUndone,
        AlertRaised,
        AlertStepAcknowledged,
        AlertAcknowledged,
        CauseExcluded,
        NoteAdded,
        RankingSnapshot,
        ConclusionReached,
        WhyChainSet,
        CategorySet,
        RemedyRecorded,
        ValidationRecorded,
        SessionClosed,
        CauseReinstated,
        MeasurementSuggested,
        TreeObserved,
        ColleagueJoined,
        HandedOver,
        SessionResumed,
        LockoutReleased,
        LackingDeclared,
    )
}

_NESTED: dict[str, type[Any]] = {
    "problem": ProblemStatement,
    "links": WhyLink,
    "parts": PartUsed,
}


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its ``to_dict`` form.

    Raises:
        ValueError: unknown event type or missing field.
    """
    kind = data.get("type")
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown event type {kind!r}")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name == "at" and isinstance(value, str):
            value = datetime.fromisoformat(value)
        elif f.name in _NESTED:
            nested = _NESTED[f.name]
            if isinstance(value, list):
                value = tuple(nested(**v) for v in value)
            elif isinstance(value, dict):
                value = nested(**value)
        elif f.name in ("ranking", "also") and value is not None:
            value = tuple((str(a), b if f.name == "also" else float(b)) for a, b in value)
        elif f.name == "ranking" and value is not None:
            value = tuple((str(c), float(p)) for c, p in value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"bad {kind} event: {exc}") from exc
