"""A session's state as a pure fold over its event log.

:class:`SessionState` applies events one by one and never decides anything:
the live :class:`~diagnosis.session.core.Session` decides, emits an event and
applies it; :meth:`~diagnosis.session.core.Session.replay` applies the stored
events. Both therefore end in the same state, which is what persistence and
resume rely on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diagnosis.kb.model import EquipmentKB
from diagnosis.session.events import (
    AlertAcknowledged,
    AlertRaised,
    AlertStepAcknowledged,
    CategorySet,
    CauseExcluded,
    CauseReinstated,
    ConclusionReached,
    Event,
    MeasurementProposed,
    MeasurementSuggested,
    NoteAdded,
    RankingSnapshot,
    ReadingRecorded,
    ReadingUndone,
    RemedyRecorded,
    SessionClosed,
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
    noted_rules: set[str] = field(default_factory=set)
    suggestions: list[str] = field(default_factory=list)
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
        self.proposal_open = False
        self.awaiting_snapshot = False

    def _on_alert_raised(self, e: AlertRaised) -> None:
        self.pending.append(e)
        self.alerts.append(e)
        self.raised_keys[(e.procedure, e.trigger)] = e.reason

    def _on_alert_step_acknowledged(self, e: AlertStepAcknowledged) -> None:
        self.acked_steps.setdefault(e.procedure, set()).add(e.step)

    def _on_alert_acknowledged(self, e: AlertAcknowledged) -> None:
        self.pending = [a for a in self.pending if a.procedure != e.procedure]
        self.acked_steps.pop(e.procedure, None)

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
        if e.rule:
            self.noted_rules.add(e.rule)

    def _on_measurement_suggested(self, e: MeasurementSuggested) -> None:
        if e.measurement not in self.suggestions:
            self.suggestions.append(e.measurement)

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

    def _on_session_closed(self, e: SessionClosed) -> None:
        self.closed = e
