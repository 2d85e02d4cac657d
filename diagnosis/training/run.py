"""A trainee's run of an exercise: the same session as a technician's, on the simulated machine.

:class:`TrainingRun` wraps a :class:`~diagnosis.session.Session` whose readings
come from the exercise's :class:`~diagnosis.training.machine.ExerciseMachine`.
Every trainee action is an event of the session's ordinary log, so the
store keeps (and hash-chains) an exercise like any session:

- the session is marked as an exercise by its work order ``exercise:<id>``
  and a first note whose rule is ``training:exercise:<id>:<mode>``;
- a hypothesis is a note ``training:hypothesis:<cause>``, a hint a note
  ``training:hint:<measurement>``;
- a lockout applied is the procedure raised (reason ``lockout``, trigger
  ``training``) and acknowledged step by step by the trainee, up to its
  release step (déconsignation): the run releases it
  (:meth:`Session.release_lockout`) after the next measurement, as the
  scripted runner of ``diagnosis run`` does;
- a measurement the trainee's habilitations do not cover, with no habilitated
  colleague named (``taken_by``, or one of the exercise's colleagues at hand),
  is refused like at the machine: nothing is recorded as the trainee's
  reading, a note ``training:habilitation-refused:<measurement>|<habilitation>``
  keeps the attempt (scored ``habilitation-missing``);
- an alert the trainee went past without acknowledging is noted
  ``training:alert-forced:<procedure>`` and acknowledged by ``trainer``.

The score is then a pure function of the exercise and this log
(:func:`diagnosis.training.scoring.assess`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from diagnosis.bayes.evidence import UNKNOWN
from diagnosis.errors import SessionError
from diagnosis.i18n import tr
from diagnosis.kb.model import KnowledgeBase
from diagnosis.session import MIN_GAIN, Reading, Session, StepProposal, WhyLink
from diagnosis.session.events import (
    AlertRaised,
    AlertStepAcknowledged,
    ConclusionReached,
    Event,
    NoteAdded,
)
from diagnosis.session.types import EventSink
from diagnosis.training.machine import ExerciseMachine
from diagnosis.training.model import MODES, Exercise

__all__ = [
    "TRAINER",
    "TrainingRun",
    "Why",
    "engine_next",
    "exercise_marker",
    "marker_rule",
    "parse_marker",
]

TRAINER = "trainer"
NOTE = "training:"


def exercise_marker(exercise_id: str) -> str:
    """The work order that marks a session as an exercise."""
    from diagnosis.store.base import EXERCISE_PREFIX

    return f"{EXERCISE_PREFIX}{exercise_id}"


def marker_rule(exercise_id: str, mode: str, group: str = "") -> str:
    """The rule of the exercise note (after ``training:``): id, mode and the trainee's group."""
    return f"exercise:{exercise_id}|mode={mode}|group={group}"


def parse_marker(rule: str) -> dict[str, str] | None:
    """``{"exercise", "mode", "group"}`` from an exercise note's rule, or None."""
    if not rule.startswith(NOTE + "exercise:"):
        return None
    head, *fields = rule[len(NOTE + "exercise:") :].split("|")
    out = {"exercise": head, "mode": "learning", "group": ""}
    for item in fields:
        key, _, value = item.partition("=")
        if key in ("mode", "group"):
            out[key] = value
    return out


def engine_next(session: Session) -> StepProposal | None:
    """The measurement the engine would propose now, without recording a proposal."""
    if session.closed or session.stop_reason is not None:
        return None
    best = session.confirmation()
    if best is None:
        best = next((p for p in session.alternatives() if p.gain > MIN_GAIN), None)
    return best


def _emit(session: Session, event: Event) -> None:
    # The training events are ordinary session events (notes, alerts); the
    # session has no public method for a note or for a lockout applied on the
    # trainee's initiative, so they go through its one emission point.
    session._emit(event)


@dataclass(frozen=True)
class Why:
    """One 5-Why link as the trainee states it: its text and the reading that supports it."""

    text: str
    evidence: str | None = None


class TrainingRun:
    """One trainee on one exercise.

    Args:
        kb: the knowledge base the exercise is about.
        exercise: the exercise.
        trainee: the trainee's name (the session's technician).
        mode: ``learning`` (hints allowed) or ``exam``; default the exercise's.
        sink: the store (None: not recorded).
        habilitations: override the exercise's trainee habilitations.

    Raises:
        SessionError: the exercise does not fit the KB.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        exercise: Exercise,
        trainee: str,
        *,
        mode: str | None = None,
        lang: str = "en",
        sink: EventSink | None = None,
        habilitations: Sequence[str] | None = None,
        group: str = "",
    ) -> None:
        self.kb = kb
        self.group = group
        self.exercise = exercise
        self.trainee = trainee
        self.mode = mode or exercise.mode
        if self.mode not in MODES:
            raise SessionError(code="training.run.bad_mode", mode=self.mode)
        self.lang = lang
        try:
            equipment = kb.equipment(exercise.equipment)
        except KeyError as exc:
            raise SessionError(
                code="session.error.unknown_equipment", equipment=exercise.equipment
            ) from exc
        self.machine = ExerciseMachine(exercise, equipment)
        self.session = Session.start(
            kb,
            exercise.equipment,
            exercise.symptoms,
            absent_symptoms=exercise.absent_symptoms,
            technician=trainee,
            habilitations=exercise.habilitations if habilitations is None else habilitations,
            problem=exercise.problem_statement(lang),
            lang=lang,
            sink=sink,
            work_order=exercise_marker(exercise.id),
        )
        self._note(
            marker_rule(exercise.id, self.mode, group),
            tr(
                "training.note.exercise",
                lang,
                id=exercise.id,
                title=exercise.title.get(lang),
                mode=tr(f"training.mode.{self.mode}", lang),
            ),
        )
        for colleague in exercise.colleagues:
            self.session.join_colleague(colleague.name, colleague.habilitations)
        # lockouts applied without a release step (they are "released" after the measurement)
        self._held: list[str] = []
        # lockouts applied when the last measurement was taken: released once no alert is pending
        self._release_due: list[str] = []
        # why the last measurement was refused ("" when it was taken)
        self.last_refusal = ""

    @property
    def lockouts(self) -> list[str]:
        """The lockout procedures applied now (their release comes after the next measurement)."""
        out = list(self.session.applied_lockouts)
        return out + [p for p in self._held if p not in out]

    @property
    def equipment(self) -> str:
        return self.exercise.equipment

    def _note(self, rule: str, text: str, actor: str | None = None) -> None:
        _emit(self.session, NoteAdded(text=text, rule=NOTE + rule, actor=actor or self.trainee))

    def _cause_name(self, cause: str) -> str:
        eq = self.session.equipment
        if eq.has("cause", cause):
            return eq.cause(cause).name.get(self.lang) or cause
        return tr("training.unknown_cause", self.lang)

    # ------------------------------------------------------------------ actions
    def hypothesis(self, cause: str) -> None:
        """State a hypothesis (a cause id of the equipment, or ``_unknown``)."""
        self._check_cause(cause)
        self._note(
            f"hypothesis:{cause}",
            tr("training.note.hypothesis", self.lang, cause=self._cause_name(cause)),
        )

    def _check_cause(self, cause: str) -> None:
        if cause != UNKNOWN and not self.session.equipment.has("cause", cause):
            raise SessionError(
                code="session.error.unknown_cause",
                cause=cause,
                equipment=self.session.equipment.id,
            )

    def lockout(self, procedure: str) -> None:
        """Apply a lockout (consignation) procedure: raised and acknowledged step by step."""
        proc = self.kb.procedures.get(procedure)
        if proc is None or proc.kind != "lockout":
            known = ", ".join(p.id for p in self.session.equipment.procedures if p.kind == "lockout")
            raise SessionError(
                code="training.run.not_lockout", procedure=procedure, known=known
            )
        self.release_due()
        if procedure in self.lockouts:
            return
        self.begin_lockout(procedure)
        for index in self.session.steps_to_acknowledge(procedure):
            self.session.acknowledge_step(procedure, index)
        self.end_lockout(procedure)

    def begin_lockout(self, procedure: str) -> bool:
        """Raise a lockout procedure the trainee is about to apply (then acknowledge its steps).

        Returns False when it is already applied.
        """
        proc = self.kb.procedures.get(procedure)
        if proc is None or proc.kind != "lockout":
            known = ", ".join(p.id for p in self.session.equipment.procedures if p.kind == "lockout")
            raise SessionError(
                code="training.run.not_lockout", procedure=procedure, known=known
            )
        self.release_due()
        if procedure in self.lockouts:
            return False
        _emit(
            self.session,
            AlertRaised(procedure=procedure, trigger="training", reason="lockout", actor=self.trainee),
        )
        return True

    def end_lockout(self, procedure: str) -> None:
        """The lockout's steps before the work are all acknowledged: it is applied.

        Its release step (déconsignation) is not acknowledged here: the run
        does it after the measurement (:meth:`release_due`).
        """
        self.session.acknowledge(procedure)
        if procedure not in self.session.applied_lockouts and procedure not in self._held:
            self._held.append(procedure)

    def steps_before_work(self, procedure: str) -> tuple[int, ...]:
        """The 0-based steps of ``procedure`` the trainee acknowledges now (not the release)."""
        return self.session.steps_to_acknowledge(procedure)

    def release_due(self) -> list[str]:
        """Release (déconsignation) the lockouts the last measurement was taken under.

        Done once no alert is pending (an alert blocks the session); returns
        the procedures released.
        """
        if not self._release_due or self.session.closed or self.session.pending_alerts:
            return []
        released = []
        for procedure in self._release_due:
            if procedure in self.session.applied_lockouts:
                self.session.release_lockout(procedure)
                released.append(procedure)
            elif procedure in self._held:
                self._held.remove(procedure)
                released.append(procedure)
        self._release_due = []
        return released

    def acknowledge_alert(self, procedure: str) -> None:
        """Acknowledge a pending alert whose steps the trainee acknowledged (the TUI's dialog)."""
        self.session.acknowledge(procedure)
        self.release_due()

    def acknowledge(self, procedure: str) -> None:
        """Acknowledge a pending alert (each of its steps, then the alert)."""
        if not any(a.procedure == procedure for a in self.session.pending_alerts):
            raise SessionError(code="session.error.no_such_alert", procedure=procedure)
        self._acknowledge(procedure, self.trainee)
        self.release_due()

    def _acknowledge(self, procedure: str, actor: str) -> None:
        for index in self.session.steps_to_acknowledge(procedure):
            if index not in self.session.acknowledged_steps(procedure):
                _emit(
                    self.session,
                    AlertStepAcknowledged(procedure=procedure, step=index, actor=actor),
                )
        self.session.acknowledge(procedure, actor=actor)

    def _force_pending(self) -> list[str]:
        """Alerts the trainee went past: noted, then acknowledged by the trainer."""
        forced = []
        while self.session.pending_alerts:
            procedure = self.session.pending_alerts[0].procedure
            self._note(
                f"alert-forced:{procedure}",
                tr("training.note.alert_forced", self.lang, procedure=procedure),
                actor=TRAINER,
            )
            self._acknowledge(procedure, TRAINER)
            forced.append(procedure)
        return forced

    def measure(
        self, measurement: str, taken_by: tuple[str, str] | None = None
    ) -> Reading | None:
        """Take a measurement: the simulated machine answers.

        Args:
            measurement: the measurement id.
            taken_by: ``(name, habilitation)`` of the habilitated colleague who
                takes it, for a measurement the trainee's habilitations do not
                cover (default: a colleague of the exercise who holds one).

        Returns:
            The reading, or None when it is refused: the trainee lacks the
            habilitation and no habilitated colleague takes it. The refusal is
            noted (``training:habilitation-refused:...``) and scored; the
            simulated value is not recorded as the trainee's reading.
        """
        eq = self.session.equipment
        if not eq.has("measurement", measurement):
            raise SessionError(
                code="session.error.unknown_measurement", measurement=measurement, equipment=eq.id
            )
        self._force_pending()
        self.release_due()
        m = eq.measurement(measurement)
        self.last_refusal = ""
        if taken_by is None:
            taken_by = self._colleague_for(m.requires.habilitation)
        try:
            self.session.check_habilitation(m, taken_by)
        except SessionError as exc:
            # the refusal is part of the exercise's notes, written in the run's language
            self.last_refusal = exc.message(self.lang)
            self._note(
                f"habilitation-refused:{measurement}|{m.requires.habilitation}",
                tr("training.note.habilitation_refused", self.lang, reason=self.last_refusal),
            )
            return None
        applied = self.lockouts
        if self.session.stop_reason is None:
            due = self.session.confirmation()
            if due is not None and due.purpose == "remeasure" and due.measurement.id == measurement:
                # the engine asks to re-measure this reading: record the request so the
                # new read counts as a re-measure (kept with the first), not a replacement
                self.session.proposal()
        reading = self.session.answer(measurement, self.machine.read(m), taken_by=taken_by)
        self._release_due = applied
        self.release_due()
        return reading

    def _colleague_for(self, need: str | None) -> tuple[str, str] | None:
        """A colleague at hand whose habilitation covers ``need`` (None: none needed or none)."""
        from diagnosis.rules.habilitation import covers

        if not need or covers(self.session.habilitations, need):
            return None
        for name, held in self.session.colleagues.items():
            for code in held:
                if covers([code], need):
                    return name, code
        return None

    def hint(self) -> StepProposal | None:
        """The engine's suggestion (learning mode only; it costs points)."""
        if self.mode == "exam":
            raise SessionError(code="training.run.no_hint_in_exam")
        best = engine_next(self.session)
        mid = best.measurement.id if best is not None else "-"
        name = (best.measurement.name.get(self.lang) or mid) if best is not None else "-"
        self._note(f"hint:{mid}", tr("training.note.hint", self.lang, measurement=name))
        return best

    def conclude(
        self, cause: str, category_5m: str | None = None, why: Sequence[Why | str] = ()
    ) -> None:
        """Conclude the root cause, with the 5-Why chain and the 5M family, and close."""
        self._check_cause(cause)
        self._force_pending()
        # the machine goes back to production: every lockout still applied is released
        self._release_due = self.lockouts
        self.release_due()
        if cause in self.session.excluded:
            # a wrong conclusion is the trainee's to make (and is scored), not an error
            _emit(
                self.session,
                ConclusionReached(root_cause=cause, probability=0.0, confirmed=True, actor=self.trainee),
            )
        else:
            self.session.conclude(cause, confirmed=True)
        links = [w if isinstance(w, Why) else Why(str(w)) for w in why]
        if links:
            self.session.set_why([WhyLink(w.text, w.evidence) for w in links])
        if category_5m:
            self.session.set_category(category_5m)

    def finish(self) -> None:
        """Record the score note and close the session."""
        from diagnosis.training.scoring import assess

        self.release_due()
        result = assess(self.kb, self.exercise, self.session.events, lang=self.lang)
        total, maximum = result.total, result.maximum
        self._note(
            f"score:{total}/{maximum}",
            tr("training.note.score", self.lang, total=total, max=maximum),
            actor=TRAINER,
        )
        self.session.close("done")
