"""A session's state as a pure fold over its event log.

:class:`SessionState` applies events one by one and never decides anything:
the live :class:`~diagnosis.session.core.Session` decides, emits an event and
applies it; :meth:`~diagnosis.session.core.Session.replay` applies the stored
events. Both therefore end in the same state, which is what persistence and
resume rely on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from diagnosis.kb.model import EquipmentKB
from diagnosis.session.events import (
    AlertAcknowledged,
    AlertRaised,
    AlertStepAcknowledged,
    CategorySet,
    CauseExcluded,
    CauseReinstated,
    ColleagueJoined,
    ConclusionReached,
    Event,
    HandedOver,
    LackingDeclared,
    LockoutReleased,
    MeasurementProposed,
    MeasurementSuggested,
    NoteAdded,
    RankingSnapshot,
    ReadingRecorded,
    ReadingUndone,
    RemedyRecorded,
    SessionClosed,
    SessionResumed,
    SessionStarted,
    TreeObserved,
    ValidationRecorded,
    WhyChainSet,
    WhyLink,
)
from diagnosis.session.types import Reading

__all__ = ["SessionState", "Step"]


@dataclass
class Step:
    """A current reading, the proposal it answered and the ranking snapshot after it."""

    reading: Reading
    ranking: tuple[tuple[str, float], ...] = ()
    proposal: MeasurementProposed | None = None


@dataclass
class SessionState:
    """Everything a session knows, rebuilt from events (mutable, internal)."""

    equipment: EquipmentKB
    started: SessionStarted
    steps: list[Step] = field(default_factory=list)
    pending: list[AlertRaised] = field(default_factory=list)
    alerts: list[AlertRaised] = field(default_factory=list)  # every alert raised
    # (procedure, trigger) -> reason of every alert raised and not withdrawn by an undo
    raised_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    acked_steps: dict[str, set[int]] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)  # cause -> rule / reason
    manual_excluded: set[str] = field(default_factory=set)  # excluded by the technician
    notes: list[str] = field(default_factory=list)
    note_rules: list[str] = field(default_factory=list)  # the rule of each note ("" if none)
    noted_rules: set[str] = field(default_factory=set)
    suggestions: list[str] = field(default_factory=list)
    suggestion_rules: dict[str, str] = field(default_factory=dict)  # measurement -> rule
    acknowledged_at: dict[str, datetime] = field(default_factory=dict)  # procedure -> last ack
    # procedure -> triggers of its pending alert (merged ones included)
    pending_triggers: dict[str, set[str]] = field(default_factory=dict)
    # procedure -> {measurement: value acknowledged}: the readings behind the acknowledged alert
    acknowledged_values: dict[str, dict[str, float | bool | str | None]] = field(
        default_factory=dict
    )
    # who diagnoses now (a session resumed by a colleague), and the step limit
    technician: str = ""
    habilitations: tuple[str, ...] = ()
    max_steps: int | None = None
    colleagues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> habilitations
    handed_over: HandedOver | None = None  # the last hand-over, until resumed
    # tools and parts the technician lacks here (LackingDeclared), until resumed
    lacking_tools: tuple[str, ...] = ()
    lacking_parts: tuple[str, ...] = ()
    # lockouts applied (acknowledged up to their release step) and not released yet
    applied_lockouts: list[str] = field(default_factory=list)
    ranking: tuple[tuple[str, float], ...] = ()
    last_proposed: MeasurementProposed | None = None
    proposal_open: bool = False  # a proposal was made since the last answer / undo
    awaiting_snapshot: bool = False  # the next RankingSnapshot belongs to the last step
    conclusion: ConclusionReached | None = None
    why: tuple[WhyLink, ...] = ()
    category_5m: str | None = None
    remedy: RemedyRecorded | None = None
    validation: ValidationRecorded | None = None
    closed: SessionClosed | None = None
    # fault tree id -> {gate or event id: observed state}
    tree_observations: dict[str, dict[str, bool]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.technician = self.started.technician
        self.habilitations = self.started.habilitations
        self.max_steps = self.started.max_steps

    @property
    def readings(self) -> list[Reading]:
        return [s.reading for s in self.steps]

    def apply(self, event: Event) -> None:
        """Fold one event into the state."""
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            handler(event)

    def _on_measurement_proposed(self, e: MeasurementProposed) -> None:
        self.last_proposed = e
        self.proposal_open = True

    def _on_reading_recorded(self, e: ReadingRecorded) -> None:
        self.steps = [s for s in self.steps if s.reading.measurement != e.measurement]
        proposal = self.last_proposed if e.proposed else None
        self.steps.append(Step(Reading.from_event(e), proposal=proposal))
        self.suggestions = [m for m in self.suggestions if m != e.measurement]
        self.proposal_open = False
        self.awaiting_snapshot = True

    def _on_reading_undone(self, e: ReadingUndone) -> None:
        for index in range(len(self.steps) - 1, -1, -1):
            if self.steps[index].reading.measurement == e.measurement:
                del self.steps[index]
                break
        # The alerts that this reading triggered may be raised again by a new answer.
        rules_on = {
            r.id
            for r in self.equipment.rules
            if any(c.measurement == e.measurement for c in r.when)
        }
        # (A lockout already applied for this measurement stays applied.)
        self.raised_keys = {
            k: reason
            for k, reason in self.raised_keys.items()
            if reason == "lockout" or (k[1] != e.measurement and k[1] not in rules_on)
        }
        # ... and the notes and suggestions of the rules it made fire go with it
        # (the rules run again on what is left and raise them anew if they still hold).
        kept = [(n, r) for n, r in zip(self.notes, self.note_rules, strict=True) if r not in rules_on]
        self.notes = [n for n, _ in kept]
        self.note_rules = [r for _, r in kept]
        self.noted_rules -= rules_on
        self.suggestions = [
            m for m in self.suggestions if self.suggestion_rules.get(m, "") not in rules_on
        ]
        self.proposal_open = False
        self.awaiting_snapshot = False

    def _on_alert_raised(self, e: AlertRaised) -> None:
        if e.reason != "lockout":
            triggers = self.pending_triggers.setdefault(e.procedure, set())
            triggers.update((e.trigger, *(t for t, _ in e.also)))
        # The same procedure still pending: one alert, one acknowledgement.
        if not any(a.procedure == e.procedure for a in self.pending):
            self.pending.append(e)
            self.alerts.append(e)
        self.raised_keys[(e.procedure, e.trigger)] = e.reason
        for trigger, reason in e.also:
            self.raised_keys[(e.procedure, trigger)] = reason

    def _on_alert_step_acknowledged(self, e: AlertStepAcknowledged) -> None:
        self.acked_steps.setdefault(e.procedure, set()).add(e.step)

    def trigger_measurements(self, trigger: str) -> set[str]:
        """The measurements behind an alert trigger: itself, or those of the rule it names."""
        if self.equipment.has("measurement", trigger):
            return {trigger}
        for rule in self.equipment.rules:
            if rule.id == trigger:
                return {c.measurement for c in rule.when if c.measurement}
        return set()

    def _on_alert_acknowledged(self, e: AlertAcknowledged) -> None:
        # What the technician acknowledged: the readings behind the alert, so that only a
        # new, worse reading raises the procedure again (issue 10).
        seen = self.acknowledged_values.setdefault(e.procedure, {})
        current = {s.reading.measurement: s.reading.value for s in self.steps}
        for trigger in self.pending_triggers.pop(e.procedure, set()):
            for mid in self.trigger_measurements(trigger):
                if mid in current:
                    seen[mid] = current[mid]
        self.pending = [a for a in self.pending if a.procedure != e.procedure]
        self.acked_steps.pop(e.procedure, None)
        self.acknowledged_at[e.procedure] = e.at
        if e.release_step is not None and e.procedure not in self.applied_lockouts:
            self.applied_lockouts.append(e.procedure)

    def _on_lockout_released(self, e: LockoutReleased) -> None:
        self.applied_lockouts = [p for p in self.applied_lockouts if p != e.procedure]

    def _on_cause_excluded(self, e: CauseExcluded) -> None:
        self.excluded[e.cause] = e.rule or e.reason
        if not e.rule:
            self.manual_excluded.add(e.cause)

    def _on_cause_reinstated(self, e: CauseReinstated) -> None:
        self.excluded.pop(e.cause, None)
        self.manual_excluded.discard(e.cause)

    def _on_tree_observed(self, e: TreeObserved) -> None:
        observed = self.tree_observations.setdefault(e.tree, {})
        if e.state is None:
            observed.pop(e.node, None)
        else:
            observed[e.node] = e.state
        if not observed:
            del self.tree_observations[e.tree]

    def _on_note_added(self, e: NoteAdded) -> None:
        self.notes.append(e.text)
        self.note_rules.append(e.rule)
        if e.rule:
            self.noted_rules.add(e.rule)

    def _on_measurement_suggested(self, e: MeasurementSuggested) -> None:
        if e.measurement not in self.suggestions:
            self.suggestions.append(e.measurement)
            self.suggestion_rules[e.measurement] = e.rule

    def _on_ranking_snapshot(self, e: RankingSnapshot) -> None:
        self.ranking = e.ranking
        if self.awaiting_snapshot and self.steps:
            self.steps[-1].ranking = e.ranking
        self.awaiting_snapshot = False

    def _on_conclusion_reached(self, e: ConclusionReached) -> None:
        self.conclusion = e

    def _on_why_chain_set(self, e: WhyChainSet) -> None:
        self.why = e.links

    def _on_category_set(self, e: CategorySet) -> None:
        self.category_5m = e.category_5m

    def _on_remedy_recorded(self, e: RemedyRecorded) -> None:
        self.remedy = e

    def _on_validation_recorded(self, e: ValidationRecorded) -> None:
        self.validation = e

    def _on_colleague_joined(self, e: ColleagueJoined) -> None:
        self.colleagues[e.name] = e.habilitations

    def _on_handed_over(self, e: HandedOver) -> None:
        self.handed_over = e

    def _on_lacking_declared(self, e: LackingDeclared) -> None:
        self.lacking_tools = tuple(dict.fromkeys((*self.lacking_tools, *e.tools)))
        self.lacking_parts = tuple(dict.fromkeys((*self.lacking_parts, *e.part_refs)))
        if e.measurement:  # said at the measurement: its proposal is answered
            self.proposal_open = False

    def _on_session_resumed(self, e: SessionResumed) -> None:
        if e.technician:
            self.technician = e.technician
            self.habilitations = e.habilitations
        elif e.habilitations:
            self.habilitations = tuple(dict.fromkeys((*self.habilitations, *e.habilitations)))
        self.max_steps = e.max_steps
        self.handed_over = None
        # whoever resumes says anew what he lacks (the tool or part may be here now)
        self.lacking_tools = ()
        self.lacking_parts = ()

    def _on_session_closed(self, e: SessionClosed) -> None:
        self.closed = e
