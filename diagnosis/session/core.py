"""One guided diagnosis: the :class:`Session` engine object.

A session goes: problem statement and symptoms -> (alerts to acknowledge) ->
next-best measurement -> answer -> rules and posteriors updated -> … ->
conclusion (root cause confirmed by its evidence) -> 5-Why, 5M -> remedy ->
validation test -> closed. Every decision is an event of the append-only log
(:mod:`diagnosis.session.events`), sent to the sink (the store) when it is
made, and the state is a fold of that log (:mod:`diagnosis.session.state`):
:meth:`Session.replay` rebuilds the same session from stored events.

Decisions documented here (and tested):

* **Verification of the leading cause** (:meth:`Session.verification`, rule
  and thresholds in :mod:`diagnosis.planner`): a cause at the threshold is
  *confirmed* by an observed abnormal reading it predicts (P >= 0.5) more
  strongly than ``_unknown`` and the runner-up cause, *contradicted* by an
  observed finding it makes unlikely (P < 0.2), else *unconfirmed*. An
  unconfirmed cause is verified first: :meth:`Session.proposal` proposes a
  measurement on which it predicts an abnormal state with P >= 0.8, with
  ``purpose="confirm"``. A contradicted cause is never concluded: the
  diagnosis goes on with the most informative measurements.
* **Re-measuring** (``purpose="remeasure"``, minutes counted like any
  reading): a reading whose state has P < 0.02 given the other findings
  (:meth:`Session._remeasure_due`); a *decisive* reading, once the leader is
  at the threshold with nothing else to verify: read once, and doubting it (a
  5 % misread, soft evidence) would drop the leader below ``confidence``
  (:meth:`Session._decisive_due`: a conclusion never rests on one unrepeated
  reading); and a third read when two reads of a measurement disagree
  (:meth:`Session._tie_due`). Each is asked once; agreeing reads become firm.
* **Stop rule** (:attr:`Session.stop_reason`): ``"confidence"`` when the top
  hypothesis (a cause or ``_unknown``) reaches ``confidence`` and no
  verification is due (not contradicted, no confirmation step left to
  propose); else ``"max_steps"`` when that many readings (not-available ones
  included) were recorded; else ``"exhausted"`` when no measurement left
  is worth its minutes (``WORTH_BITS_PER_MIN`` bits of expected information
  per minute; verification steps are exempt). :meth:`Session.not_worth`
  then says what would still be worth measuring and for how many minutes
  (``worth_measuring`` in the run JSON).
* **Default conclusion** (:meth:`Session.conclude`): the top hypothesis when
  it reached ``confidence`` and the evidence does not contradict it; else
  ``"_unknown"`` when the measurements are exhausted and ``_unknown`` leads
  the ranking or the leading cause is contradicted (the evidence fits no KB
  cause); else None (stopped short: no cause named rather than a guess).
* **Safety**: while an alert is pending, :meth:`proposal`, :meth:`answer`,
  :meth:`undo` and :meth:`conclude` raise :class:`SessionError`; an alert is
  acknowledged step by step, then as a whole. A measurement the technician's
  habilitations do not cover is marked ``habilitation_ok=False`` and proposed
  only when no informative measurement he may take is left.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from diagnosis.errors import SessionError
from diagnosis.i18n import tr
from diagnosis.kb.model import KnowledgeBase, Measurement
from diagnosis.rules import Observation, interpret, rules_engine
from diagnosis.session.base import MIN_GAIN, digest_of, worth_its_minutes
from diagnosis.session.events import (
    AlertAcknowledged,
    AlertRaised,
    AlertStepAcknowledged,
    CauseExcluded,
    CauseReinstated,
    ColleagueJoined,
    Event,
    HandedOver,
    LackingDeclared,
    LockoutReleased,
    MeasurementProposed,
    MeasurementSuggested,
    NoteAdded,
    ProblemStatement,
    RankingSnapshot,
    ReadingRecorded,
    ReadingUndone,
    SessionResumed,
    SessionStarted,
    TreeObserved,
)
from diagnosis.session.record import RecordMixin
from diagnosis.session.types import EventSink, Reading, StepProposal

__all__ = ["MIN_GAIN", "Session"]


class Session(RecordMixin):
    """A guided diagnosis of one equipment; build it with :meth:`start` or :meth:`replay`."""

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
        lacking_tools: Sequence[str] = (),
        lacking_parts: Sequence[str] = (),
    ) -> Session:
        """Open a session: check the input, record SessionStarted, run the rules.

        ``lacking_tools`` / ``lacking_parts``: what the technician says he does
        not have here (ids, refs or names of the KB's ``needs``), recorded as a
        LackingDeclared event right after SessionStarted.

        Raises:
            SessionError: unknown equipment or symptom, confidence outside (0, 1],
                max_steps below 1.
        """
        try:
            equipment = kb.equipment(equipment_id)
        except KeyError as exc:
            raise SessionError(
                code="session.error.unknown_equipment", equipment=equipment_id
            ) from exc
        for sid in (*symptoms, *absent_symptoms):
            if not equipment.has("symptom", sid):
                raise SessionError(
                    code="session.error.unknown_symptom", symptom=sid, equipment=equipment_id
                )
        both = set(symptoms) & set(absent_symptoms)
        if both:
            raise SessionError(
                code="session.error.present_and_absent", symptom=sorted(both)[0]
            )
        if not 0.0 < confidence <= 1.0:
            raise SessionError(code="session.error.bad_confidence", value=confidence)
        if max_steps is not None and max_steps < 1:
            raise SessionError(code="session.error.bad_max_steps", value=max_steps)
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
            kb_digest=digest_of(kb),
            work_order=work_order,
            actor=technician or "technician",
        )
        session = cls(kb, started, sink)
        tools = [session.need_id("tool", n) for n in lacking_tools]
        parts = [session.need_id("part", n) for n in lacking_parts]
        session._emit(started)
        if tools or parts:
            session.lack(tools=tools, parts=parts)
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
            raise SessionError(code="session.error.bad_log")
        session = cls(kb, events[0], sink)
        for event in events:
            session._state.apply(event)
            session._events.append(event)
        return session

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
        best = self.confirmation()
        if best is None:
            best = next((p for p in self._candidates() if worth_its_minutes(p)), None)
        if best is None:
            return None
        last = self._state.last_proposed
        if (
            not self._state.proposal_open
            or last is None
            or last.measurement != best.measurement.id
            or last.purpose != best.purpose
        ):
            if best.note:  # before the proposal: a note must not close it
                self._emit(NoteAdded(text=best.note, rule="remeasure"))
            self._emit(
                MeasurementProposed(
                    measurement=best.measurement.id,
                    gain=best.gain,
                    cost_min=best.cost_min,
                    score=best.score,
                    purpose=best.purpose,
                )
            )
        return best

    # ------------------------------------------------------------------- answers
    def _measurement(self, measurement_id: str) -> Measurement:
        """The equipment's measurement ``measurement_id``; SessionError when unknown."""
        if not self.equipment.has("measurement", measurement_id):
            raise SessionError(
                code="session.error.unknown_measurement",
                measurement=measurement_id,
                equipment=self.equipment.id,
            )
        return self.equipment.measurement(measurement_id)

    def answer(
        self,
        measurement_id: str,
        raw: str | float | bool | None,
        *,
        taken_by: tuple[str, str] | None = None,
        sure: bool = True,
    ) -> Reading:
        """Record a reading of ``measurement_id`` (see :func:`diagnosis.rules.interpret`).

        ``sure=False`` (or a text answer starting with ``?``, e.g. ``"?4,2 bar"``)
        records a doubted reading: soft evidence, and no exclusion rule fires
        on it. Answering a ``"remeasure"`` proposal keeps the earlier reads:
        every read of the measurement counts.

        Args:
            measurement_id: the measurement answered.
            raw: what was typed or read; None (or ``"n/a"``) for *not available*.
            taken_by: ``(name, habilitation)`` of the habilitated colleague who
                took the reading, for a measurement the technician's own
                habilitations do not cover (recorded with the reading).
            sure: False when the technician is not sure of the reading.

        Raises:
            SessionError: unknown measurement, bad value or unit (the log is
                unchanged), a reading outside the technician's habilitations
                without a named colleague holding one that covers it, an alert
                pending, or the session is closed.
        """
        self._check_open()
        self._check_no_alert()
        m = self._measurement(measurement_id)
        if isinstance(raw, str) and raw.strip().startswith("?") and raw.strip() != "?":
            raw, sure = raw.strip()[1:].strip(), False
        it = interpret(m, raw, self.lang)
        taker = self.check_habilitation(m, taken_by) if it.available else None
        last = self._state.last_proposed
        proposed = bool(
            self._state.proposal_open and last is not None and last.measurement == measurement_id
        )
        previous: tuple[str, ...] = ()
        if proposed and last is not None and last.purpose == "remeasure":
            before = next((r for r in self.readings if r.measurement == measurement_id), None)
            if before is not None and before.available and before.state is not None:
                previous = (*before.previous, before.state)
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
                taken_by=taker[0] if taker else "",
                taken_by_habilitation=taker[1] if taker else "",
                typed_unit=it.typed_unit,
                sure=sure and it.available,
                previous=previous,
                actor=self._actor(),
            )
        )
        self._update()
        return self.readings[-1]

    def check_habilitation(
        self, m: Measurement, taken_by: tuple[str, str] | None = None
    ) -> tuple[str, str] | None:
        """Who may take ``m``: None for the technician himself, else the colleague.

        Raises:
            SessionError: the technician's habilitations do not cover ``m`` and no
                colleague is named, or the colleague's habilitation does not
                cover it either (nothing is recorded).
        """
        from diagnosis.rules.habilitation import covers

        need = m.requires.habilitation
        if covers(self.habilitations, need):
            return None
        name = m.name.get(self.lang) or m.id
        if taken_by is None or not taken_by[0].strip():
            raise SessionError(
                code="session.error.habilitation_needed", measurement=name, need=need
            )
        who, held = taken_by[0].strip(), taken_by[1].strip()
        if not covers([held], need):
            raise SessionError(
                code="session.error.colleague_not_habilitated",
                measurement=name,
                need=need,
                colleague=who,
                held=held or "-",
            )
        return who, held

    def join_colleague(self, name: str, habilitations: Sequence[str]) -> None:
        """A habilitated colleague is at hand to take what the technician may not."""
        self._check_open()
        if not name.strip():
            raise SessionError(code="session.error.colleague_name")
        self._emit(
            ColleagueJoined(
                name=name.strip(), habilitations=tuple(habilitations), actor=self._actor()
            )
        )

    # ------------------------------------------------------- tools and parts lacking
    def _needs_known(self, kind: str) -> dict[str, str]:
        """Every tool (``kind="tool"``) or part (``"part"``) the equipment's
        measurements ``need``: id -> name in the session's language."""
        out: dict[str, str] = {}
        for m in self.equipment.measurements:
            for n in m.needs:
                if n.kind == kind:
                    out.setdefault(n.id, n.label(self.lang))
        return out

    def need_id(self, kind: str, text: str) -> str:
        """The id of the tool or part ``text`` names (its id or a name, any case).

        Raises:
            SessionError: no measurement of the equipment needs such a tool or part.
        """
        known = self._needs_known(kind)
        wanted = text.strip().casefold()
        for nid in known:
            m_names = {
                v.casefold()
                for m in self.equipment.measurements
                for n in m.needs
                if n.id == nid and n.kind == kind
                for _, v in n.name.values
            }
            if wanted == nid.casefold() or wanted in m_names or wanted == known[nid].casefold():
                return nid
        listed = ", ".join(f"{i} ({name})" for i, name in known.items()) or "-"
        raise SessionError(code=f"session.error.unknown_{kind}", name=text.strip(), known=listed)

    def lack(self, *, tools: Sequence[str] = (), parts: Sequence[str] = (), measurement: str = "") -> None:
        """Record that the technician lacks these tools / parts (ids or refs) here."""
        self._check_open()
        if not tools and not parts:
            return
        self._emit(
            LackingDeclared(
                tools=tuple(dict.fromkeys(tools)),
                part_refs=tuple(dict.fromkeys(parts)),
                measurement=measurement,
                actor=self._actor(),
            )
        )

    def lack_for(self, measurement_id: str) -> tuple[str, ...]:
        """"I don't have the instrument / the part here" at ``measurement_id``:
        every tool and part it ``needs`` is recorded lacking (unlike *not
        available*, nothing is recorded about the measurement itself; it stays
        proposable after a resume). Returns their names.

        Raises:
            SessionError: the KB names no tool or part for this measurement
                (answer *not available* instead), an alert pending, closed.
        """
        self._check_open()
        self._check_no_alert()
        m = self._measurement(measurement_id)
        if not m.needs:
            raise SessionError(
                code="session.error.needs_nothing", measurement=m.name if m.name.values else m.id
            )
        self.lack(
            tools=[n.id for n in m.needs if n.kind == "tool"],
            parts=[n.id for n in m.needs if n.kind == "part"],
            measurement=measurement_id,
        )
        return tuple(n.label(self.lang) for n in m.needs)

    def hand_over(self) -> HandedOver | None:
        """Record the hand-over due now (see :mod:`diagnosis.session.handover`), if any.

        The session stays open for a colleague to :meth:`resume`.
        """
        self._check_open()
        due = self.handover()
        if due is None:
            return None
        last = self._state.handed_over
        if last is not None and last.measurement == due.measurement.measurement.id:
            return last
        best = due.best_allowed
        event = HandedOver(
            measurement=due.measurement.measurement.id,
            habilitation=due.habilitation,
            gain=due.measurement.gain,
            best_allowed=best.measurement.id if best is not None else None,
            best_allowed_gain=best.gain if best is not None else 0.0,
            tools=due.tools,
            part_refs=due.parts,
            actor=self._actor(),
        )
        self._emit(event)
        return event

    def resume(
        self,
        *,
        technician: str = "",
        habilitations: Sequence[str] = (),
        max_steps: int | None = None,
        lacking_tools: Sequence[str] = (),
        lacking_parts: Sequence[str] = (),
    ) -> None:
        """Take a stopped session up again (a SessionResumed event).

        What was declared lacking before is lifted; ``lacking_tools`` /
        ``lacking_parts`` say what whoever goes on lacks.

        Args:
            technician: who takes it over ("" keeps the current technician, and
                ``habilitations`` are added to his).
            habilitations: the habilitations of whoever goes on.
            max_steps: readings allowed *from now on* (None: no limit).
        """
        self._check_open()
        if max_steps is not None and max_steps < 1:
            raise SessionError(code="session.error.bad_max_steps", value=max_steps)
        total = len(self.readings) + max_steps if max_steps is not None else None
        tools = [self.need_id("tool", n) for n in lacking_tools]
        parts = [self.need_id("part", n) for n in lacking_parts]
        self._emit(
            SessionResumed(
                technician=technician.strip(),
                habilitations=tuple(habilitations),
                max_steps=total,
                actor=technician.strip() or self._actor(),
            )
        )
        if tools or parts:
            self.lack(tools=tools, parts=parts)

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
                code="session.error.unknown_cause", cause=cause_id, equipment=self.equipment.id
            )
        if not reason.strip():
            raise SessionError(code="session.error.empty_reason")
        if cause_id in self._state.excluded:
            return
        self._emit(CauseExcluded(cause=cause_id, reason=reason, actor=self._actor()))
        self._emit(RankingSnapshot(ranking=tuple(self.ranking())))

    def reinstate(self, cause_id: str) -> None:
        """Withdraw the technician's own exclusion of ``cause_id`` (rule exclusions stay)."""
        self._check_open()
        self._check_no_alert()
        if cause_id not in self._state.manual_excluded:
            raise SessionError(code="session.error.not_excluded", cause=cause_id)
        self._emit(CauseReinstated(cause=cause_id, actor=self._actor()))
        self._update()

    def observe_tree(self, tree_id: str, node_id: str, state: bool | None) -> None:
        """Record that a fault-tree gate (or event) is observed true or false.

        The tree's basic events linked to causes turn the observation into a
        likelihood over those causes (the classic fault-tree-to-BN mapping), so
        the ranking moves. ``state=None`` withdraws the observation.

        Raises:
            SessionError: unknown tree or node, a tree of another equipment,
                alert pending, session closed.
        """
        self._check_open()
        self._check_no_alert()
        try:
            tree = self.kb.fault_tree(tree_id)
        except KeyError:
            raise SessionError(code="session.error.unknown_tree", tree=tree_id) from None
        linked = {e.cause for e in tree.events if e.cause}
        if tree.equipment != self.equipment.id and not any(
            self.equipment.has("cause", c) for c in linked if c
        ):
            raise SessionError(
                code="session.error.tree_other_equipment", tree=tree_id, equipment=self.equipment.id
            )
        if tree.gate(node_id) is None and tree.event(node_id) is None:
            raise SessionError(
                code="session.error.unknown_tree_node", tree=tree_id, node=node_id
            )
        self._emit(TreeObserved(tree=tree_id, node=node_id, state=state, actor=self._actor()))
        self._update()

    # -------------------------------------------------------------------- alerts
    def prepare(
        self, measurement_id: str, *, taken_by: tuple[str, str] | None = None
    ) -> AlertRaised | None:
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
            SessionError: unknown measurement, a measurement outside the
                technician's habilitations without a habilitated colleague
                (``taken_by``, as in :meth:`answer`), or the session is closed.
        """
        self._check_open()
        m = self._measurement(measurement_id)
        # The habilitation is checked before the lockout: nobody goes through a
        # consignation to be told afterwards that he may not measure.
        self.check_habilitation(m, taken_by)
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

    def acknowledge_step(self, procedure: str, step: int, *, actor: str | None = None) -> None:
        """Acknowledge one step (0-based) of a pending alert procedure.

        ``actor``: who acknowledges (default: the technician);
        :data:`~diagnosis.session.events.AUTOMATIC` for a scripted run.
        A lockout's release step (déconsignation) is not a step to do before
        the measurement: it is refused here and done by :meth:`release_lockout`.
        """
        alert = self._pending(procedure)
        steps = self._procedure_steps(alert.procedure)
        if not 0 <= step < max(steps, 1):
            raise SessionError(
                code="session.error.bad_step", step=step + 1, procedure=procedure
            )
        if step == self._release_step(procedure):
            raise SessionError(
                code="session.error.release_before_work", step=step + 1, procedure=procedure
            )
        if step not in self.acknowledged_steps(procedure):
            self._emit(
                AlertStepAcknowledged(procedure=procedure, step=step, actor=actor or self._actor())
            )

    def acknowledge(self, procedure: str, *, actor: str | None = None) -> None:
        """Acknowledge a pending alert once each of its steps is acknowledged."""
        self._pending(procedure)
        release = self._release_step(procedure)
        missing = [
            i + 1
            for i in range(self._procedure_steps(procedure))
            if i not in self.acknowledged_steps(procedure) and i != release
        ]
        if missing:
            raise SessionError(
                code="session.error.steps_left",
                procedure=procedure,
                steps=", ".join(map(str, missing)),
            )
        self._emit(
            AlertAcknowledged(
                procedure=procedure, release_step=release, actor=actor or self._actor()
            )
        )

    @property
    def applied_lockouts(self) -> list[str]:
        """Lockout procedures applied and not released yet (their déconsignation is due)."""
        return list(self._state.applied_lockouts)

    def _lockout_reading(self, procedure: str) -> Reading | None:
        """The reading taken under ``procedure`` (the last one it was raised for), or None."""
        triggers = [
            a.trigger for a in self._state.alerts if a.procedure == procedure and a.reason == "lockout"
        ]
        if not triggers:
            return None
        return next((r for r in reversed(self.readings) if r.measurement == triggers[-1]), None)

    @property
    def lockouts_to_release(self) -> list[str]:
        """Applied lockouts whose measurement is taken and normal enough to re-energise.

        A lockout whose reading is critical (insulation under 1 MΩ, say) is *held*
        (:attr:`_lockouts_held`): releasing it would put a faulty machine back under
        energy, so the release (with its trial run) waits for the repair.
        """
        out = []
        for procedure in self._state.applied_lockouts:
            reading = self._lockout_reading(procedure)
            if reading is not None and not reading.critical:
                out.append(procedure)
        return out

    @property
    def _lockouts_held(self) -> list[str]:
        """Applied lockouts kept in place because the reading taken under them is critical."""
        return [
            p
            for p in self._state.applied_lockouts
            if (r := self._lockout_reading(p)) is not None and r.critical
        ]

    def release_lockout(self, procedure: str, *, actor: str | None = None) -> None:
        """Do the release step (déconsignation) of an applied lockout, after the measurement.

        Raises:
            SessionError: no such lockout applied, or one still pending.
        """
        self._check_no_alert()
        if procedure not in self._state.applied_lockouts:
            raise SessionError(code="session.error.no_lockout_applied", procedure=procedure)
        step = self._release_step(procedure)
        self._emit(
            LockoutReleased(procedure=procedure, step=step or 0, actor=actor or self._actor())
        )

    def steps_to_acknowledge(self, procedure: str) -> tuple[int, ...]:
        """The 0-based steps of ``procedure`` to acknowledge now (a lockout's release comes later)."""
        release = self._release_step(procedure)
        return tuple(i for i in range(self._procedure_steps(procedure)) if i != release)

    def _release_step(self, procedure: str) -> int | None:
        proc = self.kb.procedures.get(procedure)
        return proc.release_step if proc is not None else None

    def _pending(self, procedure: str) -> AlertRaised:
        for alert in self._state.pending:
            if alert.procedure == procedure:
                return alert
        raise SessionError(code="session.error.no_such_alert", procedure=procedure)

    def _worse(self, procedure: str, keys: Sequence[tuple[str, str]]) -> bool:
        """A reading behind ``keys`` is new or worse than what was acknowledged for
        ``procedure``: another measurement, or farther from its nominal value (numbers),
        or another state (booleans, choices)."""
        seen = self._state.acknowledged_values.get(procedure, {})
        current = {r.measurement: r for r in self.readings if r.available}
        for trigger, _reason in keys:
            # (a rule on symptoms only: the symptoms do not change, nothing new)
            for mid in self._state.trigger_measurements(trigger):
                reading = current.get(mid)
                if reading is None:
                    continue
                if mid not in seen:
                    return True
                if _farther(self.equipment.measurement(mid), reading.value, seen[mid]):
                    return True
        return False

    def _procedure_steps(self, procedure: str) -> int:
        proc = self.kb.procedures.get(procedure)
        return len(proc.steps) if proc is not None else 0

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
        engine = rules_engine(self.kb, self.equipment.id)
        outcome = engine.evaluate(symptoms, observations)
        doubted = self._doubted()
        if doubted:  # exclusions only from readings not in doubt (alerts from all)
            firm = [o for o in observations if o.measurement not in doubted]
            excluded = engine.evaluate(symptoms, firm).excluded
        else:
            excluded = outcome.excluded
        for cause, rule in excluded.items():
            if cause not in state.excluded and self.equipment.has("cause", cause):
                self._emit(CauseExcluded(cause=cause, rule=rule))
        for cause, rule in list(state.excluded.items()):
            if cause not in excluded and cause not in state.manual_excluded:
                self._emit(CauseReinstated(cause=cause, rule=rule))
        # One alert per procedure for what one update raised (a reading that both
        # fires a rule and crosses on_critical for the same procedure: one alert);
        # raised while the same procedure is still pending, it joins that alert
        # (SessionState folds it in, the report shows one entry).
        grouped: dict[str, list[tuple[str, str]]] = {}
        pending = {a.procedure for a in state.pending}
        for due in outcome.alerts:
            key = (due.trigger, due.reason)
            if (due.procedure, due.trigger) not in state.raised_keys or (
                # raised and acknowledged before: again only for a new, worse reading
                due.procedure in state.acknowledged_at
                and due.procedure not in pending
                and self._worse(due.procedure, [key])
            ):
                grouped.setdefault(due.procedure, []).append(key)
        for procedure, keys in grouped.items():
            acked = state.acknowledged_at.get(procedure)
            if acked is not None and not self._worse(procedure, keys):
                continue  # already acknowledged, and no new, worse reading behind it
            self._emit(
                AlertRaised(
                    procedure=procedure,
                    trigger=keys[0][0],
                    reason=keys[0][1],
                    also=tuple(keys[1:]),
                    acknowledged_at=acked.isoformat() if acked is not None else "",
                )
            )
        for rule, text in outcome.notes:
            if rule not in state.noted_rules:
                self._emit(NoteAdded(text=text.get(self.lang), rule=rule))
        for finding, rule in outcome.findings:  # named findings the rules derived (KB extension)
            noted = f"{rule}:{finding}"
            if noted not in state.noted_rules:
                name = next(
                    f.name for r in self.equipment.rules for f in r.then.derive if f.id == finding
                )
                said = tr("session.finding", self.lang, name=name.get(self.lang) or finding)
                self._emit(NoteAdded(text=said, rule=noted))
        answered = {r.measurement for r in self.readings}
        for mid, rule in outcome.suggestions:
            if (
                mid not in state.suggestions
                and mid not in answered
                and self.equipment.has("measurement", mid)
            ):
                self._emit(MeasurementSuggested(measurement=mid, rule=rule))
        self._emit(RankingSnapshot(ranking=tuple(self.ranking())))


def _farther(m: Measurement, value: object, before: object) -> bool:
    """``value`` is worse than ``before``: farther from the nominal (or the middle of the
    alarm band) for a number, a different value otherwise."""
    if isinstance(value, int | float) and isinstance(before, int | float):
        t = m.thresholds
        ref = m.nominal
        if ref is None and t.low_alarm is not None and t.high_alarm is not None:
            ref = (t.low_alarm + t.high_alarm) / 2
        if ref is None:
            return value != before
        return abs(float(value) - ref) > abs(float(before) - ref)
    return value != before
