"""One guided diagnosis: the :class:`Session` engine object.

A session goes: problem statement and symptoms -> (alerts to acknowledge) ->
next-best measurement -> answer -> rules and posteriors updated -> … ->
conclusion (root cause confirmed by its evidence) -> 5-Why, 5M -> remedy ->
validation test -> closed. Every decision is an event of the append-only log
(:mod:`diagnosis.session.events`), sent to the sink (the store) when it is
made, and the state is a fold of that log (:mod:`diagnosis.session.state`):
:meth:`Session.replay` rebuilds the same session from stored events.

Decisions documented here (and tested):

* **Stop rule** (:attr:`Session.stop_reason`): ``"confidence"`` when the top
  hypothesis (a cause or ``_unknown``) reaches ``confidence``; else
  ``"max_steps"`` when that many readings (not-available ones included) were
  recorded; else ``"exhausted"`` when no measurement left carries information.
* **Default conclusion** (:meth:`Session.conclude`): the top hypothesis when
  it reached ``confidence``; else ``"_unknown"`` when the measurements are
  exhausted and ``_unknown`` leads the ranking (the evidence fits no KB cause);
  else None (stopped short: no cause named rather than a guess).
* **Safety**: while an alert is pending, :meth:`proposal`, :meth:`answer`,
  :meth:`undo` and :meth:`conclude` raise :class:`SessionError`; an alert is
  acknowledged step by step, then as a whole. A measurement the technician's
  habilitations do not cover is marked ``habilitation_ok=False`` and proposed
  only when no informative measurement he may take is left.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from diagnosis.bayes.evidence import UNKNOWN, Evidence, Posteriors
from diagnosis.errors import SessionError
from diagnosis.i18n import tr
from diagnosis.kb.model import CATEGORIES_5M, Cause, EquipmentKB, KnowledgeBase
from diagnosis.rules import Observation, interpret, prerequisites, rules_engine
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
    PartUsed,
    ProblemStatement,
    RankingSnapshot,
    ReadingRecorded,
    ReadingUndone,
    RemedyRecorded,
    SessionClosed,
    SessionStarted,
    ValidationRecorded,
    WhyChainSet,
    WhyLink,
)
from diagnosis.session.state import SessionState
from diagnosis.session.types import EventSink, Reading, StepProposal
from diagnosis.session.why import suggest_why, supporting_readings

__all__ = ["MIN_GAIN", "Session"]

MIN_GAIN = 1e-3
"""Expected information (bits) below which a measurement is not worth proposing."""

_DEFAULT: Any = object()
_STATUSES = ("done", "abandoned")


class Session:
    """A guided diagnosis of one equipment; build it with :meth:`start` or :meth:`replay`."""

    def __init__(self, kb: KnowledgeBase, started: SessionStarted, sink: EventSink | None) -> None:
        try:
            equipment = kb.equipment(started.equipment)
        except KeyError as exc:
            raise SessionError(
                tr("session.error.unknown_equipment", started.lang, equipment=started.equipment)
            ) from exc
        self.kb = kb
        self.equipment: EquipmentKB = equipment
        self.sink = sink
        self._started = started
        self._state = SessionState(equipment, started)
        self._events: list[Event] = []
        self._model: Any = None
        self._posteriors: dict[tuple[object, ...], Posteriors] = {}
        self._candidates_cache: tuple[tuple[object, ...], list[StepProposal]] | None = None

    # ----------------------------------------------------------------- building
    @classmethod
    def start(
        cls,
        kb: KnowledgeBase,
        equipment_id: str,
        symptoms: Sequence[str],
        *,
        technician: str = "",
        habilitations: Sequence[str] = (),
        problem: ProblemStatement | None = None,
        absent_symptoms: Sequence[str] = (),
        lang: str = "en",
        confidence: float = 0.9,
        max_steps: int | None = None,
        sink: EventSink | None = None,
        session_id: str | None = None,
        work_order: str | None = None,
    ) -> Session:
        """Open a session: check the input, record SessionStarted, run the rules.

        Raises:
            SessionError: unknown equipment or symptom, confidence outside (0, 1],
                max_steps below 1.
        """
        try:
            equipment = kb.equipment(equipment_id)
        except KeyError as exc:
            raise SessionError(
                tr("session.error.unknown_equipment", lang, equipment=equipment_id)
            ) from exc
        for sid in (*symptoms, *absent_symptoms):
            if not equipment.has("symptom", sid):
                raise SessionError(
                    tr("session.error.unknown_symptom", lang, symptom=sid, equipment=equipment_id)
                )
        both = set(symptoms) & set(absent_symptoms)
        if both:
            raise SessionError(
                tr("session.error.present_and_absent", lang, symptom=sorted(both)[0])
            )
        if not 0.0 < confidence <= 1.0:
            raise SessionError(tr("session.error.bad_confidence", lang, value=confidence))
        if max_steps is not None and max_steps < 1:
            raise SessionError(tr("session.error.bad_max_steps", lang, value=max_steps))
        started = SessionStarted(
            session_id=session_id or str(uuid.uuid4()),
            equipment=equipment_id,
            symptoms=tuple(dict.fromkeys(symptoms)),
            absent_symptoms=tuple(dict.fromkeys(absent_symptoms)),
            technician=technician,
            habilitations=tuple(habilitations),
            problem=problem or ProblemStatement(),
            lang=lang,
            confidence=confidence,
            max_steps=max_steps,
            kb_digest=_digest(kb),
            work_order=work_order,
            actor=technician or "technician",
        )
        session = cls(kb, started, sink)
        session._emit(started)
        session._update()
        return session

    @classmethod
    def replay(
        cls, kb: KnowledgeBase, events: Sequence[Event], sink: EventSink | None = None
    ) -> Session:
        """Rebuild a session from its log, emitting nothing; later events go to ``sink``.

        Raises:
            SessionError: the log does not start with SessionStarted, or names an
                equipment the KB does not hold.
        """
        if not events or not isinstance(events[0], SessionStarted):
            raise SessionError(tr("session.error.bad_log", "en"))
        session = cls(kb, events[0], sink)
        for event in events:
            session._state.apply(event)
            session._events.append(event)
        return session

    # ---------------------------------------------------------------- properties
    @property
    def id(self) -> str:
        return self._started.session_id

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._events)

    @property
    def technician(self) -> str:
        return self._started.technician

    @property
    def habilitations(self) -> tuple[str, ...]:
        return self._started.habilitations

    @property
    def symptoms(self) -> tuple[str, ...]:
        return self._started.symptoms

    @property
    def absent_symptoms(self) -> tuple[str, ...]:
        return self._started.absent_symptoms

    @property
    def problem(self) -> ProblemStatement:
        return self._started.problem

    @property
    def lang(self) -> str:
        return self._started.lang

    @property
    def confidence(self) -> float:
        return self._started.confidence

    @property
    def max_steps(self) -> int | None:
        return self._started.max_steps

    @property
    def kb_changed(self) -> bool:
        """The KB's digest differs from the one the session started with."""
        return bool(self._started.kb_digest) and self._started.kb_digest != _digest(self.kb)

    @property
    def readings(self) -> list[Reading]:
        return self._state.readings

    @property
    def steps_proposals(self) -> list[MeasurementProposed | None]:
        """The proposal each current reading answered (None: measured on the technician's choice)."""
        return [s.proposal for s in self._state.steps]

    @property
    def steps_rankings(self) -> list[tuple[tuple[str, float], ...]]:
        """The ranking snapshot taken after each current reading (same order)."""
        return [s.ranking for s in self._state.steps]

    @property
    def excluded(self) -> Mapping[str, str]:
        return dict(self._state.excluded)

    @property
    def pending_alerts(self) -> list[AlertRaised]:
        return list(self._state.pending)

    @property
    def alerts(self) -> list[AlertRaised]:
        """Every alert raised in this session, acknowledged or not."""
        return list(self._state.alerts)

    def acknowledged_steps(self, procedure: str) -> frozenset[int]:
        return frozenset(self._state.acked_steps.get(procedure, set()))

    @property
    def notes(self) -> list[str]:
        return list(self._state.notes)

    @property
    def suggestions(self) -> list[str]:
        return list(self._state.suggestions)

    @property
    def conclusion(self) -> ConclusionReached | None:
        return self._state.conclusion

    @property
    def why(self) -> tuple[WhyLink, ...]:
        return self._state.why

    @property
    def category_5m(self) -> str | None:
        return self._state.category_5m

    @property
    def remedy(self) -> RemedyRecorded | None:
        return self._state.remedy

    @property
    def validation(self) -> ValidationRecorded | None:
        return self._state.validation

    @property
    def closed(self) -> bool:
        return self._state.closed is not None

    # ----------------------------------------------------------------- inference
    def evidence(self) -> Evidence:
        """What the Bayesian model is told: symptoms, current states, exclusions."""
        eq = self.equipment
        # Ids the KB no longer holds (a session resumed on an edited KB) are left out.
        symptoms = {s: True for s in self.symptoms if eq.has("symptom", s)}
        symptoms.update({s: False for s in self.absent_symptoms if eq.has("symptom", s)})
        states = {
            r.measurement: r.state
            for r in self.readings
            if r.available
            and r.state is not None
            and eq.has("measurement", r.measurement)
            and r.state in eq.measurement(r.measurement).states
        }
        excluded = frozenset(c for c in self._state.excluded if eq.has("cause", c))
        return Evidence(symptoms, states, excluded)

    def posteriors(self) -> Posteriors:
        evidence = self.evidence()
        key = evidence.key()
        cached = self._posteriors.get(key)
        if cached is None:
            cached = self._diagnostic_model().posteriors(evidence)
            if len(self._posteriors) > 64:
                self._posteriors.clear()
            self._posteriors[key] = cached
        return cached

    def ranking(self) -> list[tuple[str, float]]:
        """Every non-excluded cause and ``_unknown``, by decreasing probability."""
        return [(c, p) for c, p in self.posteriors().ranking() if c not in self._state.excluded]

    def _diagnostic_model(self) -> Any:
        if self._model is None:
            from diagnosis.bayes import compile_equipment

            self._model = compile_equipment(self.kb, self.equipment.id)
        return self._model

    # ------------------------------------------------------------------ planning
    @property
    def stop_reason(self) -> str | None:
        """``"confidence"``, ``"max_steps"``, ``"exhausted"`` or None (see module doc)."""
        ranking = self.ranking()
        if ranking and ranking[0][1] >= self.confidence:
            return "confidence"
        if self.max_steps is not None and len(self.readings) >= self.max_steps:
            return "max_steps"
        if not any(p.gain > MIN_GAIN for p in self._candidates()):
            return "exhausted"
        return None

    def alternatives(self) -> list[StepProposal]:
        """Every measurement not answered yet, best first, habilitation gating applied."""
        return list(self._candidates())

    def proposal(self) -> StepProposal | None:
        """The next-best measurement, or None when the session stops.

        Records a MeasurementProposed event when the proposal is new.

        Raises:
            SessionError: an alert is pending, or the session is closed.
        """
        self._check_open()
        self._check_no_alert()
        if self.stop_reason is not None:
            return None
        best = next((p for p in self._candidates() if p.gain > MIN_GAIN), None)
        if best is None:
            return None
        last = self._state.last_proposed
        if not self._state.proposal_open or last is None or last.measurement != best.measurement.id:
            self._emit(
                MeasurementProposed(
                    measurement=best.measurement.id,
                    gain=best.gain,
                    cost_min=best.cost_min,
                    score=best.score,
                )
            )
        return best

    def _candidates(self) -> list[StepProposal]:
        evidence = self.evidence()
        key = (
            *evidence.key(),
            tuple(r.measurement for r in self.readings),
            tuple(self._state.suggestions),
        )
        if self._candidates_cache is not None and self._candidates_cache[0] == key:
            return self._candidates_cache[1]
        from diagnosis.planner import rank_measurements

        skip = tuple(r.measurement for r in self.readings)
        ranked = rank_measurements(self._diagnostic_model(), evidence, self.equipment, skip=skip)
        planned = {
            (p.measurement if isinstance(p.measurement, str) else p.measurement.id): p
            for p in ranked
        }
        # The planner drops uninformative measurements; "measure something else"
        # still lists them, last, with no expected information.
        order = list(planned) + [
            m.id for m in self.equipment.measurements if m.id not in planned and m.id not in skip
        ]
        proposals = []
        for mid in order:
            if mid in skip:
                continue
            m = self.equipment.measurement(mid)
            pre = prerequisites(m, self.habilitations)
            p = planned.get(mid)
            proposals.append(
                StepProposal(
                    measurement=m,
                    gain=float(p.gain) if p is not None else 0.0,
                    cost_min=float(m.cost_min),
                    score=float(p.score) if p is not None else 0.0,
                    lockout=pre.lockout,
                    lockout_procedure=pre.lockout_procedure,
                    habilitation=pre.habilitation,
                    ppe=pre.ppe,
                    habilitation_ok=pre.habilitation_ok,
                    suggested=mid in self._state.suggestions,
                )
            )
        # Habilitation gating: informative measurements the technician may take first.
        proposals.sort(key=lambda s: (s.gain <= MIN_GAIN, not s.habilitation_ok))
        self._candidates_cache = (key, proposals)
        return proposals

    # ------------------------------------------------------------------- answers
    def answer(self, measurement_id: str, raw: str | float | bool | None) -> Reading:
        """Record a reading of ``measurement_id`` (see :func:`diagnosis.rules.interpret`).

        Raises:
            SessionError: unknown measurement, bad value or unit (the log is
                unchanged), an alert pending, or the session is closed.
        """
        self._check_open()
        self._check_no_alert()
        if not self.equipment.has("measurement", measurement_id):
            raise SessionError(
                tr(
                    "session.error.unknown_measurement",
                    self.lang,
                    measurement=measurement_id,
                    equipment=self.equipment.id,
                )
            )
        m = self.equipment.measurement(measurement_id)
        it = interpret(m, raw, self.lang)
        last = self._state.last_proposed
        proposed = bool(
            self._state.proposal_open and last is not None and last.measurement == measurement_id
        )
        self._emit(
            ReadingRecorded(
                measurement=measurement_id,
                value=it.value,
                unit=it.unit if it.available else None,
                raw=it.raw,
                state=it.state,
                critical=it.critical,
                available=it.available,
                instrument=m.instrument.get(self.lang) or None,
                proposed=proposed,
                actor=self._actor(),
            )
        )
        self._update()
        return self.readings[-1]

    def not_available(self, measurement_id: str) -> Reading:
        """Record that ``measurement_id`` cannot be taken; the engine moves on."""
        return self.answer(measurement_id, None)

    def undo(self) -> Reading | None:
        """Withdraw the last reading (a ReadingUndone event); None when there is none."""
        self._check_open()
        self._check_no_alert()
        if not self.readings:
            return None
        last = self.readings[-1]
        self._emit(ReadingUndone(measurement=last.measurement, actor=self._actor()))
        self._update()
        return last

    def exclude(self, cause_id: str, reason: str) -> None:
        """The technician rules a cause out (checked otherwise: visual check, history…).

        Unlike a rule's exclusion it stays until :meth:`reinstate`, whatever the readings.

        Raises:
            SessionError: unknown cause, empty reason, alert pending, session closed.
        """
        self._check_open()
        self._check_no_alert()
        if not self.equipment.has("cause", cause_id):
            raise SessionError(
                tr(
                    "session.error.unknown_cause",
                    self.lang,
                    cause=cause_id,
                    equipment=self.equipment.id,
                )
            )
        if not reason.strip():
            raise SessionError(tr("session.error.empty_reason", self.lang))
        if cause_id in self._state.excluded:
            return
        self._emit(CauseExcluded(cause=cause_id, reason=reason, actor=self._actor()))
        self._emit(RankingSnapshot(ranking=tuple(self.ranking())))

    def reinstate(self, cause_id: str) -> None:
        """Withdraw the technician's own exclusion of ``cause_id`` (rule exclusions stay)."""
        self._check_open()
        self._check_no_alert()
        if cause_id not in self._state.manual_excluded:
            raise SessionError(tr("session.error.not_excluded", self.lang, cause=cause_id))
        self._emit(CauseReinstated(cause=cause_id, actor=self._actor()))
        self._update()

    # -------------------------------------------------------------------- alerts
    def prepare(self, measurement_id: str) -> AlertRaised | None:
        """Raise the lockout procedure a measurement needs, before it is taken.

        The procedure is the measurement's ``requires.procedure``, else the
        equipment's first ``lockout`` procedure. It is raised once per
        measurement (an undo does not raise it again) and, like any alert,
        blocks the session until each step is acknowledged: the log then shows
        who applied the consignation, step by step, and when.

        Returns:
            The raised alert, or None when there is nothing to apply (no lockout,
            no lockout procedure in the KB, or already raised).

        Raises:
            SessionError: unknown measurement, or the session is closed.
        """
        self._check_open()
        if not self.equipment.has("measurement", measurement_id):
            raise SessionError(
                tr(
                    "session.error.unknown_measurement",
                    self.lang,
                    measurement=measurement_id,
                    equipment=self.equipment.id,
                )
            )
        m = self.equipment.measurement(measurement_id)
        if not m.requires.lockout:
            return None
        procedure = m.requires.procedure or next(
            (p.id for p in self.equipment.procedures if p.kind == "lockout"), None
        )
        if procedure is None or (procedure, measurement_id) in self._state.raised_keys:
            return None
        event = AlertRaised(procedure=procedure, trigger=measurement_id, reason="lockout")
        self._emit(event)
        return event

    def acknowledge_step(self, procedure: str, step: int) -> None:
        """Acknowledge one step (0-based) of a pending alert procedure."""
        alert = self._pending(procedure)
        steps = self._procedure_steps(alert.procedure)
        if not 0 <= step < max(steps, 1):
            raise SessionError(
                tr("session.error.bad_step", self.lang, step=step + 1, procedure=procedure)
            )
        if step not in self.acknowledged_steps(procedure):
            self._emit(AlertStepAcknowledged(procedure=procedure, step=step, actor=self._actor()))

    def acknowledge(self, procedure: str) -> None:
        """Acknowledge a pending alert once each of its steps is acknowledged."""
        self._pending(procedure)
        missing = [
            i + 1
            for i in range(self._procedure_steps(procedure))
            if i not in self.acknowledged_steps(procedure)
        ]
        if missing:
            raise SessionError(
                tr(
                    "session.error.steps_left",
                    self.lang,
                    procedure=procedure,
                    steps=", ".join(map(str, missing)),
                )
            )
        self._emit(AlertAcknowledged(procedure=procedure, actor=self._actor()))

    def _pending(self, procedure: str) -> AlertRaised:
        for alert in self._state.pending:
            if alert.procedure == procedure:
                return alert
        raise SessionError(tr("session.error.no_such_alert", self.lang, procedure=procedure))

    def _procedure_steps(self, procedure: str) -> int:
        proc = self.kb.procedures.get(procedure)
        return len(proc.steps) if proc is not None else 0

    # ---------------------------------------------------------------- conclusion
    def default_root_cause(self) -> str | None:
        """The conclusion the engine would draw now (see the module docstring)."""
        ranking = self.ranking()
        if not ranking:
            return None
        top, p = ranking[0]
        if p >= self.confidence:
            return top
        if top == UNKNOWN and self.stop_reason == "exhausted":
            return UNKNOWN
        return None

    def conclude(
        self, root_cause: str | None = _DEFAULT, *, confirmed: bool = True
    ) -> ConclusionReached:
        """Record the root cause and the readings that support it.

        Args:
            root_cause: a cause id of the equipment, ``"_unknown"`` or None; by
                default :meth:`default_root_cause`.
            confirmed: the technician confirms it (False: the engine's proposal).

        Raises:
            SessionError: unknown or excluded cause, alert pending, session closed.
        """
        self._check_open()
        self._check_no_alert()
        root = self.default_root_cause() if root_cause is _DEFAULT else root_cause
        if root is not None and root != UNKNOWN:
            if not self.equipment.has("cause", root):
                raise SessionError(
                    tr(
                        "session.error.unknown_cause",
                        self.lang,
                        cause=root,
                        equipment=self.equipment.id,
                    )
                )
            if root in self._state.excluded:
                raise SessionError(
                    tr(
                        "session.error.excluded_cause",
                        self.lang,
                        cause=root,
                        rule=self._state.excluded[root],
                    )
                )
        probs = dict(self.ranking())
        ruled_out: tuple[str, ...] = ()
        if root == UNKNOWN:
            ruled_out = tuple(
                sorted(
                    {c.id for c in self.equipment.causes if probs.get(c.id, 0.0) < 0.05}
                    | set(self._state.excluded)
                )
            )
        event = ConclusionReached(
            root_cause=root,
            probability=probs.get(root, 0.0) if root else 0.0,
            evidence=supporting_readings(self.equipment, root, self.readings),
            confirmed=confirmed,
            ruled_out=ruled_out,
            actor=self._actor() if confirmed else "engine",
        )
        self._emit(event)
        return event

    def suggested_why(self) -> list[WhyLink]:
        """The 5-Why chain prefilled from the concluded cause's ``why`` template."""
        root = self.conclusion.root_cause if self.conclusion else self.default_root_cause()
        return suggest_why(self.equipment, root, self.readings, self.lang)

    def _root_cause_entity(self) -> Cause | None:
        root = self.conclusion.root_cause if self.conclusion else self.default_root_cause()
        if root is None or not self.equipment.has("cause", root):
            return None
        return self.equipment.cause(root)

    def suggested_remedy(self) -> tuple[str, tuple[PartUsed, ...]]:
        """The concluded cause's ``remedy`` text and spare ``parts``, prefilled for the record."""
        cause = self._root_cause_entity()
        if cause is None:
            return "", ()
        parts = tuple(PartUsed(p.ref, p.name.get(self.lang), p.qty) for p in cause.parts)
        return cause.remedy.get(self.lang), parts

    def suggested_validation(self) -> str:
        """The concluded cause's test after repair (its ``validation`` text), or ""."""
        cause = self._root_cause_entity()
        return cause.validation.get(self.lang) if cause is not None else ""

    def set_why(self, links: Sequence[WhyLink], *, actor: str | None = None) -> None:
        """Record (or replace) the 5-Why chain; links without text are refused."""
        self._check_open()
        chain = tuple(links)
        if any(not link.text.strip() for link in chain):
            raise SessionError(tr("session.error.empty_why", self.lang))
        self._emit(WhyChainSet(links=chain, actor=actor or self._actor()))

    def set_category(self, category_5m: str, *, actor: str | None = None) -> None:
        """Record the 5M family (``matiere``, ``machine``, ``methode``, ``main_oeuvre``…)."""
        self._check_open()
        category = _category(category_5m)
        if category is None:
            raise SessionError(
                tr(
                    "session.error.bad_category",
                    self.lang,
                    category=category_5m,
                    choices=", ".join(CATEGORIES_5M),
                )
            )
        self._emit(CategorySet(category_5m=category, actor=actor or self._actor()))

    def record_remedy(
        self,
        remedy: str,
        *,
        activity: str = "",
        parts: Sequence[PartUsed] = (),
        labour_min: float | None = None,
        downtime_min: float | None = None,
        lockout_done: bool = False,
    ) -> None:
        """Record what was done to repair."""
        self._check_open()
        if not remedy.strip():
            raise SessionError(tr("session.error.empty_remedy", self.lang))
        for value in (labour_min, downtime_min):
            if value is not None and value < 0:
                raise SessionError(tr("session.error.negative_time", self.lang, value=value))
        self._emit(
            RemedyRecorded(
                remedy=remedy,
                activity=activity,
                parts=tuple(parts),
                labour_min=labour_min,
                downtime_min=downtime_min,
                lockout_done=lockout_done,
                actor=self._actor(),
            )
        )

    def record_validation(self, test: str, passed: bool, result: str = "") -> None:
        """Record the test after repair and its outcome."""
        self._check_open()
        if not test.strip():
            raise SessionError(tr("session.error.empty_test", self.lang))
        self._emit(ValidationRecorded(test=test, passed=passed, result=result, actor=self._actor()))

    def close(self, status: str = "done") -> None:
        """Close the session (``done`` or ``abandoned``); nothing can be added afterwards."""
        self._check_open()
        if status not in _STATUSES:
            raise SessionError(tr("session.error.bad_status", self.lang, status=status))
        self._emit(SessionClosed(status=status, actor=self._actor()))

    def to_run_json(self) -> dict[str, Any]:
        """The ``diagnosis run`` JSON of cli-contract.md, plus ``session`` and extras."""
        from diagnosis.session.run_json import run_json

        return run_json(self)

    # ------------------------------------------------------------------ internal
    def _actor(self) -> str:
        return self.technician or "technician"

    def _check_open(self) -> None:
        if self.closed:
            raise SessionError(tr("session.error.closed", self.lang, session=self.id))

    def _check_no_alert(self) -> None:
        if self._state.pending:
            raise SessionError(
                tr(
                    "session.error.alert_pending",
                    self.lang,
                    procedure=self._state.pending[0].procedure,
                )
            )

    def _emit(self, event: Event) -> None:
        """Send ``event`` to the sink, then fold it in (a failing sink changes nothing)."""
        if self.sink is not None:
            self.sink.append(self.id, event)
        self._events.append(event)
        self._state.apply(event)

    def _update(self) -> None:
        """Run the rules on the current facts, emit what changed, snapshot the ranking."""
        state = self._state
        symptoms = {s: True for s in self.symptoms}
        symptoms.update({s: False for s in self.absent_symptoms})
        observations = [
            Observation(r.measurement, r.value, r.state, r.critical)
            for r in self.readings
            if r.available
        ]
        outcome = rules_engine(self.kb, self.equipment.id).evaluate(symptoms, observations)
        for cause, rule in outcome.excluded.items():
            if cause not in state.excluded and self.equipment.has("cause", cause):
                self._emit(CauseExcluded(cause=cause, rule=rule))
        for cause, rule in list(state.excluded.items()):
            if cause not in outcome.excluded and cause not in state.manual_excluded:
                self._emit(CauseReinstated(cause=cause, rule=rule))
        for due in outcome.alerts:
            if (due.procedure, due.trigger) not in state.raised_keys:
                self._emit(
                    AlertRaised(procedure=due.procedure, trigger=due.trigger, reason=due.reason)
                )
        for rule, text in outcome.notes:
            if rule not in state.noted_rules:
                self._emit(NoteAdded(text=text.get(self.lang), rule=rule))
        answered = {r.measurement for r in self.readings}
        for mid, rule in outcome.suggestions:
            if (
                mid not in state.suggestions
                and mid not in answered
                and self.equipment.has("measurement", mid)
            ):
                self._emit(MeasurementSuggested(measurement=mid, rule=rule))
        self._emit(RankingSnapshot(ranking=tuple(self.ranking())))


def _digest(kb: KnowledgeBase) -> str:
    if not kb.root:
        return ""
    try:
        from diagnosis.kb.loader import kb_digest

        return str(kb_digest(kb.root, kb.fault_tree_root))
    except Exception:  # a KB built in memory, or a loader without digest: no digest
        return ""


def _category(text: str) -> str | None:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.strip().lower()).encode("ascii", "ignore")
    key = folded.decode().replace("-", "_").replace(" ", "_").replace("'", "_")
    aliases = {
        "material": "matiere",
        "materiel": "machine",
        "method": "methode",
        "manpower": "main_oeuvre",
        "main_d_oeuvre": "main_oeuvre",
        "environment": "milieu",
        "measurement": "mesure",
        "measure": "mesure",
    }
    key = aliases.get(key, key)
    return key if key in CATEGORIES_5M else None
