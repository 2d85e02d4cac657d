"""Build a diagnosis report's data from a session's event log and the knowledge base.

The event log is the record: the report replays it (readings with their
undo, alerts and acknowledgements, exclusions, ranking snapshots,
conclusion, 5-Why, 5M, remedy, validation) and looks up in the KB what a
third person needs to read it (names, reference values and thresholds,
instruments, FMEA lines, the fault-tree path). A KB that no longer holds
an entity does not break the report: the id is shown instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from diagnosis.errors import ExportError
from diagnosis.i18n import Text, format_number, link_in, tr
from diagnosis.kb.model import CATEGORIES_5M, EquipmentKB, KnowledgeBase, Measurement
from diagnosis.report.data import (
    AlertLine,
    Audit,
    Conclusion,
    Excluded,
    HandoverLine,
    Hypothesis,
    Named,
    Problem,
    Ranked,
    RankedName,
    RankingPoint,
    ReadingLine,
    Remedy,
    ReportData,
    TreeObservation,
    Validation,
    WhyLine,
)
from diagnosis.report.graphs import dot_available
from diagnosis.report.links import fault_tree_path, fmea_risks
from diagnosis.rules.describe import describe_rule
from diagnosis.session import events as ev

if TYPE_CHECKING:
    from diagnosis.kpi.history import EquipmentHistory

__all__ = ["CHART_CAUSES", "build_report"]

CHART_CAUSES = 5  # causes followed by the hypotheses chart (plus _unknown)
HANDOVER_RANKING = 3  # causes shown with a hand-over: the ranking at that time
UNKNOWN = "_unknown"


def build_report(
    kb: KnowledgeBase,
    events: Sequence[ev.Event],
    *,
    lang: str = "en",
    now: datetime | None = None,
    diagrams: bool = True,
    audit: Audit | None = None,
    history: EquipmentHistory | None = None,
) -> ReportData:
    """Everything a report of this session shows.

    Args:
        kb: the knowledge base the session ran on (or a later version of it).
        events: the session's whole event log, ``SessionStarted`` first.
        lang: language of the KB texts resolved here (``en`` or ``fr``).
        now: the report's generation time (tests pin it).
        audit: the store's hash-chain check of this log, shown in the report.
        history: the equipment's earlier interventions
            (:func:`diagnosis.kpi.history.history_from_store`), shown in the report.
        diagrams: draw the graphviz diagrams (5-Why, fault-tree path) when ``dot``
            is there; False forces the text diagrams (tests, reproducible output).

    Raises:
        ExportError: the log does not start with ``SessionStarted``.
    """
    if not events or not isinstance(events[0], ev.SessionStarted):
        raise ExportError(code="report_doc.no_start")
    start = events[0]
    eq = _equipment(kb, start.equipment)
    b = _Builder(kb, eq, lang)
    for event in events[1:]:
        b.feed(event)

    conclusion = b.conclusion_data()
    end = b.closed_at
    last = events[-1].at
    have_dot = dot_available() if diagrams else False
    return ReportData(
        lang=lang,
        generated_at=now or datetime.now(UTC),
        session_id=start.session_id,
        status=b.status,
        work_order=start.work_order,
        kb_digest=start.kb_digest,
        equipment=start.equipment,
        equipment_name=eq.equipment.name.get(lang) if eq else start.equipment,
        equipment_tag=eq.equipment.tag if eq else None,
        equipment_location=eq.equipment.location if eq else None,
        technician=start.technician,
        habilitations=start.habilitations,
        started_at=start.at,
        ended_at=end,
        duration_min=round(((end or last) - start.at).total_seconds() / 60.0, 1),
        problem=Problem(
            **{k: getattr(start.problem, k) for k in _QQOQCP},
            symptoms=tuple(Named(s, b.symptom_name(s)) for s in start.symptoms),
            absent_symptoms=tuple(Named(s, b.symptom_name(s)) for s in start.absent_symptoms),
        ),
        alerts=tuple(b.alert_lines()),
        readings=tuple(b.readings),
        ranking=tuple(b.ranking),
        chart_causes=b.chart_causes(),
        excluded=tuple(Excluded(c, b.cause_name(c), r) for c, r in b.excluded.items()),
        notes=tuple(b.notes),
        conclusion=conclusion,
        why=tuple(b.why),
        category_5m=b.category_5m or (b.cause_attr(conclusion, "category_5m")),
        hypotheses=b.hypotheses(),
        fmea=fmea_risks(kb, eq, conclusion.root_cause if conclusion else None, lang),
        remedy=b.remedy_data(),
        validation=b.validation_data(),
        fault_tree=fault_tree_path(kb, start.equipment, conclusion, lang),
        diagrams=have_dot,
        warnings=tuple(b.warnings + _kb_changed(kb, start, lang)),
        audit=audit,
        tree_observations=b.tree_observation_lines(),
        history=history,
        validation_pending=bool(
            b.conclusion is not None and b.conclusion.root_cause is not None and b.validation is None
        ),
        handovers=tuple(b.handovers),
    )


_QQOQCP = ("who", "what", "where", "when", "how", "why", "how_much")


def _kb_changed(kb: KnowledgeBase, start: ev.SessionStarted, lang: str) -> list[str]:
    """A warning when the KB files differ from those the session ran on."""
    if not start.kb_digest or not kb.root:
        return []
    from diagnosis.kb.loader import kb_digest

    try:
        current = kb_digest(kb.root, kb.fault_tree_root)
    except OSError:  # an unreadable or removed KB folder: nothing to compare
        return []
    return [] if current == start.kb_digest else [tr("report_doc.kb_changed", lang)]


def _state_label(state: str | None, lang: str) -> str:
    """A reading state in words (``low``, ``yes``); a choice state (no label) as it is.

    Never the raw translation key of a state that has none (issue 10).
    """
    if not state:
        return ""
    key = f"report_doc.state.{state}"
    text = tr(key, lang)
    return state if text == key else text


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _equipment(kb: KnowledgeBase, equipment_id: str) -> EquipmentKB | None:
    try:
        return kb.equipment(equipment_id)
    except KeyError:
        return None


@dataclass
class _Alert:
    """An alert being followed: raised, steps acknowledged, acknowledged."""

    event: ev.AlertRaised
    ack: ev.AlertAcknowledged | None = None
    steps: int = 0
    released: bool = False  # a lockout's release step done (LockoutReleased)


class _Builder:
    """Folds the events after ``SessionStarted`` into report lines."""

    def __init__(self, kb: KnowledgeBase, eq: EquipmentKB | None, lang: str) -> None:
        self.kb, self.eq, self.lang = kb, eq, lang
        self.readings: list[ReadingLine] = []
        self.ranking: list[RankingPoint] = []
        self.alerts: list[_Alert] = []
        self.excluded: dict[str, str] = {}
        self.tree_observations: dict[tuple[str, str], bool] = {}
        self.notes: list[str] = []
        self.note_rules: list[str] = []  # the rule of each note
        self.conclusion: ev.ConclusionReached | None = None
        self.why: list[WhyLine] = []
        self.category_5m: str | None = None
        self.remedy: ev.RemedyRecorded | None = None
        self.validation: ev.ValidationRecorded | None = None
        self.status = "open"
        self.closed_at: datetime | None = None
        self.last_measurement: str | None = None
        self.warnings: list[str] = []
        self.handovers: list[HandoverLine] = []

    # --- KB lookups, tolerant of a KB that changed -------------------------------

    def symptom_name(self, sid: str) -> str:
        s = self.kb.symptoms.get(sid)
        return s.name.get(self.lang) if s else sid

    def cause_name(self, cid: str | None) -> str:
        if cid is None:
            return ""
        if cid == UNKNOWN:
            return tr("report_doc.unknown_cause", self.lang)
        c = self.kb.causes.get(cid)
        return c.name.get(self.lang) if c else cid

    def cause_attr(self, conclusion: Conclusion | None, attr: str) -> Any:
        if conclusion is None or conclusion.root_cause is None:
            return None
        c = self.kb.causes.get(conclusion.root_cause)
        return getattr(c, attr) if c else None

    def measurement(self, mid: str) -> Measurement | None:
        return self.kb.measurements.get(mid)

    def _who(self, actor: str) -> str:
        """A person's name, or "automatically (scripted run)" for :data:`~ev.AUTOMATIC`."""
        return tr("report_doc.alerts.automatic", self.lang) if actor == ev.AUTOMATIC else actor

    def _text(self, value: Text | None) -> str:
        return value.get(self.lang) if value else ""

    def _instrument(self, recorded: str | None, m: Measurement | None) -> str:
        """The instrument used: the KB's, in the report's language, unless another was recorded."""
        if not recorded:
            return self._text(m.instrument) if m else ""
        return self._as_kb_text(recorded, [m.instrument] if m else [])

    def _as_kb_text(self, recorded: str, candidates: Sequence[Text]) -> str:
        """``recorded`` in the report's language when it is a KB text in some language.

        A session records texts in its own language; a report in the other
        language shows the KB's translation of those that were not edited, and
        what the technician wrote, as written.
        """
        for text in candidates:
            if text and recorded in dict(text.values).values():
                return self._text(text)
        return recorded

    def _cause_texts(self, attribute: str) -> list[Text]:
        cause = self.kb.causes.get(self.conclusion.root_cause or "") if self.conclusion else None
        if cause is None:
            return []
        value = getattr(cause, attribute)
        return list(value) if isinstance(value, tuple) else [value]

    # --- folding -------------------------------------------------------------------

    def feed(self, event: ev.Event) -> None:
        handler = getattr(self, "_on_" + event.type, None)
        if handler is not None:
            handler(event)

    def _on_ranking_snapshot(self, e: ev.RankingSnapshot) -> None:
        ranked = tuple(Ranked(c, p) for c, p in e.ranking)
        self.ranking.append(RankingPoint(len(self.ranking), e.at, self.last_measurement, ranked))

    def _on_reading_recorded(self, e: ev.ReadingRecorded) -> None:
        m = self.measurement(e.measurement)
        th = m.thresholds if m else None
        self.readings.append(
            ReadingLine(
                measurement=e.measurement,
                name=m.name.get(self.lang) if m else e.measurement,
                value=e.value,
                unit=e.unit or (m.unit if m else None),
                raw=e.raw,
                state=e.state,
                critical=e.critical,
                available=e.available,
                instrument=self._instrument(e.instrument, m),
                point=self._text(m.point) if m else "",
                nominal=m.nominal if m else None,
                low_critical=th.low_critical if th else None,
                low_alarm=th.low_alarm if th else None,
                high_alarm=th.high_alarm if th else None,
                high_critical=th.high_critical if th else None,
                at=e.at,
                actor=e.actor,
                proposed=e.proposed,
                undone=False,
                taken_by=e.taken_by,
                taken_by_habilitation=e.taken_by_habilitation,
                typed=e.raw if e.typed_unit else "",
                label=m.choice_label(e.value, self.lang)
                if m is not None and m.kind == "choice" and isinstance(e.value, str)
                else "",
            )
        )
        self.last_measurement = e.measurement

    def _on_handed_over(self, e: ev.HandedOver) -> None:
        m = self.measurement(e.measurement)
        needs = {n.id: n.label(self.lang) for n in m.needs} if m is not None else {}
        best = self.measurement(e.best_allowed) if e.best_allowed else None
        last = self.ranking[-1].probabilities if self.ranking else ()
        self.handovers.append(
            HandoverLine(
                measurement=e.measurement,
                name=m.name.get(self.lang) if m else e.measurement,
                habilitation=e.habilitation,
                tools=tuple(Named(t, needs.get(t) or t) for t in e.tools),
                parts=tuple(Named(p, needs.get(p) or p) for p in e.part_refs),
                at=e.at,
                actor=self._who(e.actor),
                gain=e.gain,
                best_allowed=Named(
                    e.best_allowed, best.name.get(self.lang) if best else e.best_allowed
                )
                if e.best_allowed
                else None,
                best_allowed_gain=e.best_allowed_gain,
                ranking=tuple(
                    RankedName(r.cause, self.cause_name(r.cause), r.probability)
                    for r in last[:HANDOVER_RANKING]
                ),
            )
        )

    def _on_reading_undone(self, e: ev.ReadingUndone) -> None:
        self._drop_notes_of(e.measurement)
        for i in range(len(self.readings) - 1, -1, -1):
            r = self.readings[i]
            if r.measurement == e.measurement and not r.undone:
                self.readings[i] = _replace(r, undone=True)
                break
        self.last_measurement = None

    def _on_alert_raised(self, e: ev.AlertRaised) -> None:
        # One alert, one acknowledgement: raised again while the same procedure is
        # still pending (a rule and a critical reading of the same reading), it is
        # the same alert (records written before issue 10 hold both events).
        if any(a.event.procedure == e.procedure and a.ack is None for a in self.alerts):
            return
        self.alerts.append(_Alert(e))

    def _find_alert(self, procedure: str) -> _Alert | None:
        for a in reversed(self.alerts):
            if a.event.procedure == procedure:
                return a
        return None

    def _on_alert_step_acknowledged(self, e: ev.AlertStepAcknowledged) -> None:
        a = self._find_alert(e.procedure)
        if a is not None:
            a.steps = max(a.steps, e.step + 1)

    def _on_alert_acknowledged(self, e: ev.AlertAcknowledged) -> None:
        a = self._find_alert(e.procedure)
        if a is not None and a.ack is None:
            a.ack = e

    def _on_cause_excluded(self, e: ev.CauseExcluded) -> None:
        self.excluded[e.cause] = e.reason or e.rule

    def _on_cause_reinstated(self, e: ev.CauseReinstated) -> None:
        self.excluded.pop(e.cause, None)

    def _on_note_added(self, e: ev.NoteAdded) -> None:
        text = e.text
        rule = self._rule(e.rule)
        if rule is not None and rule.then.note:
            text = self._as_kb_text(e.text, [rule.then.note])  # in the report's language
        if text not in self.notes:
            self.notes.append(text)
            self.note_rules.append(e.rule)

    def _rule(self, rule_id: str) -> Any:
        if not rule_id or self.eq is None:
            return None
        return next((r for r in self.eq.rules if r.id == rule_id), None)

    def _drop_notes_of(self, measurement: str) -> None:
        """An undone reading takes away the notes of the rules it made fire."""
        if self.eq is None:
            return
        rules_on = {
            r.id for r in self.eq.rules if any(c.measurement == measurement for c in r.when)
        }
        kept = [(n, r) for n, r in zip(self.notes, self.note_rules, strict=True) if r not in rules_on]
        self.notes = [n for n, _ in kept]
        self.note_rules = [r for _, r in kept]

    def _on_conclusion_reached(self, e: ev.ConclusionReached) -> None:
        self.conclusion = e

    def _on_why_chain_set(self, e: ev.WhyChainSet) -> None:
        templates = self._cause_texts("why")
        self.why = [
            WhyLine(
                link_in(link.text, templates, self.lang),
                link.evidence,
                self._evidence_text(link.evidence),
            )
            for link in e.links
        ]

    def _on_tree_observed(self, e: ev.TreeObserved) -> None:
        if e.state is None:
            self.tree_observations.pop((e.tree, e.node), None)
        else:
            self.tree_observations[(e.tree, e.node)] = e.state

    def tree_observation_lines(self) -> tuple[TreeObservation, ...]:
        lines = []
        for (tree_id, node_id), state in self.tree_observations.items():
            tree = next((t for t in self.kb.fault_trees if t.id == tree_id), None)
            node = (tree.gate(node_id) or tree.event(node_id)) if tree else None
            lines.append(
                TreeObservation(
                    tree=tree_id,
                    tree_name=(self._text(tree.name) if tree else "") or tree_id,
                    node=node_id,
                    node_name=(self._text(node.name) if node else "") or node_id,
                    state=state,
                )
            )
        return tuple(lines)

    def _on_category_set(self, e: ev.CategorySet) -> None:
        self.category_5m = e.category_5m

    def _on_remedy_recorded(self, e: ev.RemedyRecorded) -> None:
        self.remedy = e

    def _on_validation_recorded(self, e: ev.ValidationRecorded) -> None:
        self.validation = e

    def _on_session_closed(self, e: ev.SessionClosed) -> None:
        self.status, self.closed_at = e.status, e.at

    # --- results ---------------------------------------------------------------------

    def _evidence_text(self, mid: str | None) -> str | None:
        if not mid:
            return None
        for r in reversed(self.readings):
            if r.measurement == mid and not r.undone:
                if not r.available:
                    return f"{r.name}: {tr('report_doc.not_available', self.lang)}"
                value = r.label or _value_text(r.value, self.lang)
                unit = f" {r.unit}" if r.unit and isinstance(r.value, int | float) else ""
                label = r.label or _state_label(r.state, self.lang)
                state = f" ({label})" if label and label != value else ""
                return f"{r.name} = {value}{unit}{state}"
        if mid in self.kb.symptoms:
            return self.symptom_name(mid)
        m = self.measurement(mid)
        return m.name.get(self.lang) if m else mid

    def _reason_text(self, e: ev.AlertRaised) -> str:
        """Why an alert was raised, in words: ``critical reading of Melt temperature``."""
        if not e.reason:
            return e.trigger
        trigger = e.trigger
        if e.reason in ("critical", "lockout"):
            m = self.measurement(e.trigger)
            trigger = m.name.get(self.lang) if m else e.trigger
        elif e.reason == "safety_symptom":
            trigger = self.symptom_name(e.trigger)
        elif e.reason == "rule" and self.eq is not None:
            trigger = describe_rule(self.eq, e.trigger, self.lang)  # its conditions, not its id
        text = tr(f"rules.alert_reason.{e.reason}", self.lang, trigger=trigger)
        return e.reason if text == f"rules.alert_reason.{e.reason}" else text

    def _steps_done(self, a: _Alert, proc: Any) -> int:
        """Steps acknowledged; a lockout's release step (déconsignation) only once released."""
        if proc is None or a.ack is None:
            return a.steps
        if a.ack.release_step is not None and not a.released:
            return a.ack.release_step
        return len(proc.steps)

    def _on_lockout_released(self, e: ev.LockoutReleased) -> None:
        for a in reversed(self.alerts):
            if a.event.procedure == e.procedure and a.ack is not None:
                a.released = True
                break

    def alert_lines(self) -> list[AlertLine]:
        out = []
        for a in self.alerts:
            e, ack = a.event, a.ack
            proc = self.kb.procedures.get(e.procedure)
            out.append(
                AlertLine(
                    procedure=e.procedure,
                    name=proc.name.get(self.lang) if proc else e.procedure,
                    kind=proc.kind if proc else "",
                    trigger=e.trigger,
                    reason=e.reason,
                    raised_at=e.at,
                    acknowledged_at=ack.at if ack else None,
                    acknowledged_by=self._who(ack.actor) if ack else None,
                    steps=tuple(s.get(self.lang) for s in proc.steps) if proc else (),
                    steps_acknowledged=self._steps_done(a, proc),
                    stop_machine=proc.stop_machine if proc else False,
                    previously_acknowledged=_iso(e.acknowledged_at),
                    reason_text=self._reason_text(e),
                )
            )
        return out

    def conclusion_data(self) -> Conclusion | None:
        e = self.conclusion
        if e is None:
            return None
        c = self.kb.causes.get(e.root_cause) if e.root_cause else None
        return Conclusion(
            root_cause=e.root_cause,
            name=self.cause_name(e.root_cause),
            probability=e.probability,
            confirmed=e.confirmed,
            at=e.at,
            actor=e.actor,
            description=self._text(c.description) if c else "",
            evidence=e.evidence,
            ruled_out=tuple(Named(r, self.cause_name(r)) for r in e.ruled_out),
            failure_mode=c.failure_mode if c else None,
            mechanism=c.mechanism if c else None,
            cause_class=c.cause_class if c else None,
            component=c.component if c else None,
        )

    def chart_causes(self) -> tuple[Named, ...]:
        best: dict[str, float] = {}
        for point in self.ranking:
            for r in point.probabilities:
                if r.cause != UNKNOWN:
                    best[r.cause] = max(best.get(r.cause, 0.0), r.probability)
        chosen = sorted(best, key=lambda c: (-best[c], c))[:CHART_CAUSES]
        root = self.conclusion.root_cause if self.conclusion else None
        if root and root != UNKNOWN and root in best and root not in chosen:
            chosen[-1] = root
        if any(r.cause == UNKNOWN for p in self.ranking for r in p.probabilities):
            chosen.append(UNKNOWN)
        return tuple(Named(c, self.cause_name(c)) for c in chosen)

    def hypotheses(self) -> tuple[Hypothesis, ...]:
        last = (
            {r.cause: r.probability for r in self.ranking[-1].probabilities} if self.ranking else {}
        )
        root = self.conclusion.root_cause if self.conclusion else None
        causes = self.eq.causes if self.eq else ()
        out = [
            Hypothesis(
                c.id,
                c.name.get(self.lang),
                c.category_5m,
                last.get(c.id),
                self.excluded.get(c.id),
                c.id == root,
            )
            for c in causes
        ]
        order = {cat: i for i, cat in enumerate(CATEGORIES_5M)}
        out.sort(key=lambda h: (order.get(h.category_5m, 99), -(h.probability or 0.0), h.cause))
        return tuple(out)

    def remedy_data(self) -> Remedy | None:
        e = self.remedy
        if e is None:
            return None
        root = self.conclusion.root_cause if self.conclusion else None
        c = self.kb.causes.get(root) if root else None
        return Remedy(
            text=self._as_kb_text(e.remedy, self._cause_texts("remedy")),
            activity=e.activity,
            parts=e.parts,
            labour_min=e.labour_min,
            downtime_min=e.downtime_min,
            lockout_done=e.lockout_done,
            at=e.at,
            expected_repair_min=c.repair_min if c else None,
        )

    def validation_data(self) -> Validation | None:
        e = self.validation
        if e is None:
            return None
        root = self.conclusion.root_cause if self.conclusion else None
        c = self.kb.causes.get(root) if root else None
        return Validation(
            test=self._as_kb_text(e.test, self._cause_texts("validation")),
            passed=e.passed,
            result=e.result,
            at=e.at,
            actor=e.actor,
            expected=self._text(c.validation) if c else "",
        )


def _replace(line: ReadingLine, **changes: Any) -> ReadingLine:
    return dataclasses.replace(line, **changes)


def _value_text(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return tr("report_doc.yes" if value else "report_doc.no", lang)
    if isinstance(value, int | float):
        return format_number(float(value), lang)
    return "" if value is None else str(value)
