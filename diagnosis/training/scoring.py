"""Scoring an exercise from its event log, and the engine's own path on it.

The score is a pure function of the exercise and the session's log (see
:mod:`diagnosis.training.run` for the events a run records), so a trainer
can recompute it from the store at any time. Points are grouped by CQPM
competence; each deduction names its code, points, step and reason:

========================  ===========  ======  ===========================================
code                      competence   points  when
========================  ===========  ======  ===========================================
safety-lockout-skipped    safety       15      a measurement needing lockout taken without it
alert-not-acknowledged    safety       15      the trainee went on past a raised alert
habilitation-missing      safety       10      a measurement needing a habilitation not held
                                               (refused: no habilitated colleague took it)
wrong-root-cause          diagnose     25      the conclusion is not the hidden cause
hint                      diagnose      5      each engine suggestion asked for
no-hypothesis             diagnose      5      the first measurement before any hypothesis
conclusion-unverified     diagnose     10      right cause, but the readings did not verify it yet
redundant-measurement     measure       3      a reading that could not change the ranking
over-time                 measure       5      measurement minutes above the time budget
why-unsupported           justify       3      a 5-Why link with no evidence observed
why-missing               justify      10      no 5-Why chain at all
wrong-5m                  justify       5      a 5M family other than the cause's
========================  ===========  ======  ===========================================

A lockout counts as applied for a measurement when its steps before the work
were acknowledged and its release (déconsignation, done by the run after a
measurement) has not happened yet. A measurement refused for want of a
habilitation is not in the trainee's path (nothing was read); it is listed in
``refused``. A reading taken by a named habilitated colleague costs nothing.

A competence's score never goes below zero; the total is the sum of the
competences touched (safety only when the exercise or the path involves a
lockout, an alert or a habilitation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from diagnosis.bayes.evidence import UNKNOWN
from diagnosis.i18n import format_number, format_percent, tr
from diagnosis.kb.model import EquipmentKB, KnowledgeBase
from diagnosis.rules import prerequisites
from diagnosis.session import MIN_GAIN, Session
from diagnosis.session.events import (
    AlertAcknowledged,
    AlertRaised,
    ConclusionReached,
    Event,
    LockoutReleased,
    MeasurementProposed,
    NoteAdded,
    ReadingRecorded,
)
from diagnosis.training.model import Exercise

__all__ = [
    "COMPETENCES",
    "POINTS",
    "Assessment",
    "Deduction",
    "EngineStep",
    "PathStep",
    "assess",
    "engine_path",
]

COMPETENCES: dict[str, int] = {"measure": 20, "safety": 30, "diagnose": 35, "justify": 15}
POINTS: dict[str, tuple[str, int]] = {
    "safety-lockout-skipped": ("safety", 15),
    "alert-not-acknowledged": ("safety", 15),
    "habilitation-missing": ("safety", 10),
    "wrong-root-cause": ("diagnose", 25),
    "hint": ("diagnose", 5),
    "no-hypothesis": ("diagnose", 5),
    "conclusion-unverified": ("diagnose", 10),
    "redundant-measurement": ("measure", 3),
    "over-time": ("measure", 5),
    "why-unsupported": ("justify", 3),
    "why-missing": ("justify", 10),
    "wrong-5m": ("justify", 5),
}


@dataclass(frozen=True)
class Deduction:
    code: str
    points: int
    step: int
    reason: str

    @property
    def competence(self) -> str:
        return POINTS[self.code][0]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "points": self.points,
            "step": self.step,
            "reason": self.reason,
            "competence": self.competence,
        }


@dataclass(frozen=True)
class PathStep:
    """One trainee reading, judged against the engine's value-of-information ranking then.

    ``verdict``: ``best`` (the engine's own choice), ``useful`` (informative),
    ``redundant`` (no expected information, or no outcome could change the
    leading cause nor its side of the confidence threshold) or ``repeat`` (already read).
    """

    step: int
    measurement: str
    value: Any
    unit: str | None
    state: str | None
    critical: bool
    minutes: float
    gain: float
    verdict: str
    engine_best: str | None
    engine_gain: float
    critique: str

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "measurement": self.measurement,
            "value": self.value,
            "unit": self.unit,
            "state": self.state,
            "critical": self.critical,
            "minutes": self.minutes,
            "gain": round(self.gain, 6),
            "verdict": self.verdict,
            "engine_best": self.engine_best,
            "engine_gain": round(self.engine_gain, 6),
            "critique": self.critique,
        }


@dataclass(frozen=True)
class EngineStep:
    measurement: str
    state: str | None
    gain: float
    minutes: float
    lockout: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "measurement": self.measurement,
            "state": self.state,
            "gain": round(self.gain, 6),
            "minutes": self.minutes,
            "lockout": self.lockout,
        }


@dataclass
class Assessment:
    exercise: Exercise
    trainee: str
    mode: str
    group: str
    session: str
    root_cause: str | None
    deductions: list[Deduction]
    path: list[PathStep]
    engine: list[EngineStep]
    engine_root_cause: str | None
    hypotheses: list[str]
    hints: int
    lang: str
    touched: list[str] = field(default_factory=list)
    positives: dict[str, list[str]] = field(default_factory=dict)
    # measurements refused for want of a habilitation: {step, measurement, habilitation}
    refused: list[dict[str, Any]] = field(default_factory=list)

    @property
    def root_cause_correct(self) -> bool:
        return self.root_cause in self.exercise.expected

    @property
    def minutes(self) -> float:
        return sum(s.minutes for s in self.path)

    @property
    def engine_minutes(self) -> float:
        return sum(s.minutes for s in self.engine)

    def competence_scores(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for comp in self.touched:
            maximum = COMPETENCES[comp]
            lost = sum(d.points for d in self.deductions if d.competence == comp)
            reasons = [d.reason for d in self.deductions if d.competence == comp]
            out[comp] = {
                "name": tr(f"training.competence.{comp}", self.lang),
                "score": max(0, maximum - lost),
                "max": maximum,
                "reasons": reasons or self.positives.get(comp, []),
            }
        return out

    @property
    def total(self) -> int:
        return sum(int(c["score"]) for c in self.competence_scores().values())

    @property
    def maximum(self) -> int:
        return sum(COMPETENCES[c] for c in self.touched)

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise.id,
            "title": self.exercise.title.get(self.lang),
            "equipment": self.exercise.equipment,
            "level": self.exercise.level,
            "trainee": self.trainee,
            "mode": self.mode,
            "group": self.group,
            "root_cause": self.root_cause,
            "expected": list(self.exercise.expected),
            "root_cause_correct": self.root_cause_correct,
            "score": {"total": self.total, "max": self.maximum},
            "competences": self.competence_scores(),
            "deductions": [d.to_json() for d in self.deductions],
            "hypotheses": self.hypotheses,
            "hints": self.hints,
            "path": [s.to_json() for s in self.path],
            "refused": list(self.refused),
            "engine_path": [s.to_json() for s in self.engine],
            "engine_root_cause": self.engine_root_cause,
            "minutes": self.minutes,
            "engine_minutes": self.engine_minutes,
            "time_budget_min": self.exercise.time_budget_min,
            "session": self.session,
        }


_ENGINE_CACHE: dict[tuple[int, str, str, tuple[str, ...]], tuple[list[EngineStep], str | None]] = {}


def engine_path(
    kb: KnowledgeBase, exercise: Exercise, habilitations: Sequence[str] | None = None
) -> tuple[list[EngineStep], str | None]:
    """The engine's own sequence on the exercise (run as ``diagnosis run`` would) and its conclusion."""
    habs = tuple(exercise.habilitations if habilitations is None else habilitations)
    key = (id(kb), exercise.path, exercise.id, habs)
    cached = _ENGINE_CACHE.get(key)
    if cached is not None:
        return cached
    from diagnosis.session import run_session
    from diagnosis.training.machine import ExerciseMachine

    eq = kb.equipment(exercise.equipment)
    session = Session.start(
        kb,
        eq.id,
        exercise.symptoms,
        absent_symptoms=exercise.absent_symptoms,
        habilitations=habs,
    )
    for colleague in exercise.colleagues:
        session.join_colleague(colleague.name, colleague.habilitations)
    run_session(session, ExerciseMachine(exercise, eq))
    steps = []
    proposal: MeasurementProposed | None = None
    for event in session.events:  # every read, a re-measure the engine asked for included
        if isinstance(event, MeasurementProposed):
            proposal = event
        elif isinstance(event, ReadingRecorded):
            asked = event.proposed and proposal is not None and proposal.measurement == event.measurement
            m = eq.measurement(event.measurement)
            steps.append(
                EngineStep(
                    event.measurement,
                    event.state,
                    float(proposal.gain) if asked and proposal is not None else 0.0,
                    float(m.cost_min),
                    _lockout_procedure(eq, event.measurement),
                )
            )
    result = (steps, session.default_root_cause())
    _ENGINE_CACHE[key] = result
    return result


def _lockout_procedure(eq: EquipmentKB, mid: str) -> str | None:
    m = eq.measurement(mid)
    if not m.requires.lockout:
        return None
    return m.requires.procedure or next((p.id for p in eq.procedures if p.kind == "lockout"), None)


def _walk(kb: KnowledgeBase, events: Sequence[Event]) -> Any:
    """Yield (session as it stood before the event, event) along the log."""
    session = Session.replay(kb, events[:1])
    yield session, events[0]
    for event in events[1:]:
        yield session, event
        # Folding one more event into a replayed session (its own replay, one event at a time).
        session._state.apply(event)
        session._events.append(event)


def _name(eq: EquipmentKB, kind: str, item: str, lang: str) -> str:
    if kind == "cause" and item == UNKNOWN:
        return tr("training.unknown_cause", lang)
    if eq.has(kind, item):
        entity: Any = getattr(eq, kind)(item)
        return str(entity.name.get(lang) or item)
    return item


def _cannot_change(session: Session, mid: str) -> bool:
    """Whatever it reads, ``mid`` leaves the leading cause and its side of the confidence threshold."""
    ranking = session.ranking()
    if not ranking:
        return True
    top, p = ranking[0]
    evidence = session.evidence()
    model = session._diagnostic_model()  # the session's compiled network, reused
    excluded = session.excluded
    m = session.equipment.measurement(mid)
    for state in m.states:
        post = model.posteriors(evidence.with_state(mid, state))
        head = next(((c, q) for c, q in post.ranking() if c not in excluded), None)
        if head is None:
            continue
        if head[0] != top or (head[1] >= session.confidence) != (p >= session.confidence):
            return False
    return True


def _redundancy_reason(session: Session, mid: str, lang: str) -> str:
    """Why a reading could not change the ranking: what the causes it tests had become."""
    eq = session.equipment
    testing = [c.id for c in eq.causes if any(e.measurement == mid for e in c.effects)]
    probs = dict(session.ranking())
    excluded = session.excluded
    parts = []
    for cid in testing:
        if cid in excluded:
            rule = excluded[cid]
            parts.append(
                tr("training.critique.excluded_by", lang, cause=_name(eq, "cause", cid, lang), rule=rule)
            )
        else:
            parts.append(
                tr(
                    "training.critique.improbable",
                    lang,
                    cause=_name(eq, "cause", cid, lang),
                    p=format_percent(probs.get(cid, 0.0), lang),
                )
            )
    if not testing:
        return tr("training.critique.tests_nothing", lang)
    top, p = session.ranking()[0] if session.ranking() else (UNKNOWN, 0.0)
    return tr(
        "training.critique.redundant",
        lang,
        causes="; ".join(parts),
        top=_name(eq, "cause", top, lang),
        p=format_percent(p, lang),
    )


def assess(
    kb: KnowledgeBase,
    exercise: Exercise,
    events: Sequence[Event],
    *,
    lang: str = "en",
    trainee: str | None = None,
) -> Assessment:
    """Score a trainee's session (its event log) on ``exercise``."""
    from diagnosis.training.run import engine_next, parse_marker

    eq = kb.equipment(exercise.equipment)
    started: Any = events[0]
    habilitations = tuple(started.habilitations)
    engine, engine_root = engine_path(kb, exercise, habilitations)
    deductions: list[Deduction] = []
    path: list[PathStep] = []
    hypotheses: list[str] = []
    lockouts: set[str] = set()  # applied by the trainee (or through an alert), not released
    refused: list[dict[str, Any]] = []
    hints = 0
    mode = exercise.mode
    group = ""
    conclusion: ConclusionReached | None = None
    verified = False
    safety_involved = bool(exercise.critical)
    final_why: tuple[Any, ...] = ()
    category: str | None = None

    def deduct(code: str, step: int, key: str, **kw: object) -> None:
        deductions.append(
            Deduction(code, POINTS[code][1], step, tr(f"training.deduction.{key}", lang, **kw))
        )

    for before, event in _walk(kb, events):
        step_now = len(path) + 1
        if isinstance(event, NoteAdded) and event.rule.startswith("training:"):
            kind, _, arg = event.rule[len("training:") :].partition(":")
            if kind == "exercise":
                marker = parse_marker(event.rule)
                if marker is not None:
                    mode, group = marker["mode"], marker["group"]
            elif kind == "hypothesis":
                hypotheses.append(arg)
            elif kind == "hint":
                hints += 1
                deduct("hint", step_now, "hint", measurement=_name(eq, "measurement", arg, lang))
            elif kind == "habilitation-refused":
                safety_involved = True
                mid, _, need = arg.partition("|")
                refused.append({"step": step_now, "measurement": mid, "habilitation": need})
                deduct(
                    "habilitation-missing",
                    step_now,
                    "habilitation_refused",
                    measurement=_name(eq, "measurement", mid, lang),
                    habilitation=need or "-",
                )
            elif kind == "alert-forced":
                safety_involved = True
                proc = kb.procedures.get(arg)
                deduct(
                    "alert-not-acknowledged",
                    step_now,
                    "alert_not_acknowledged",
                    procedure=(proc.name.get(lang) if proc is not None else "") or arg,
                )
        elif isinstance(event, AlertRaised):
            safety_involved = True
            if event.reason == "lockout" and event.trigger == "training":
                lockouts.add(event.procedure)
        elif isinstance(event, AlertAcknowledged):
            proc = kb.procedures.get(event.procedure)
            if proc is not None and proc.kind == "lockout":
                lockouts.add(event.procedure)
        elif isinstance(event, LockoutReleased):
            lockouts.discard(event.procedure)
        elif isinstance(event, ReadingRecorded):
            mid = event.measurement
            m = eq.measurement(mid)
            if step_now == 1 and not hypotheses:
                deduct("no-hypothesis", 1, "no_hypothesis")
            cards = {c.measurement.id: c for c in before.alternatives()}
            best = engine_next(before)
            already = any(r.measurement == mid for r in before.readings)
            gain = cards[mid].gain if mid in cards else 0.0
            name = _name(eq, "measurement", mid, lang)
            asked_again = best is not None and best.purpose == "remeasure"
            if best is not None and best.measurement.id == mid and (not already or asked_again):
                verdict, critique = "best", tr("training.critique.best", lang)
            elif already:
                verdict, critique = "repeat", tr("training.critique.repeat", lang)
            elif gain <= MIN_GAIN or _cannot_change(before, mid):
                verdict, critique = "redundant", _redundancy_reason(before, mid, lang)
            else:
                verdict = "useful"
                critique = tr(
                    "training.critique.useful",
                    lang,
                    gain=format_number(gain, lang, 3),
                    minutes=format_number(float(m.cost_min), lang),
                    best=_name(eq, "measurement", best.measurement.id, lang) if best else "-",
                    best_gain=format_number(best.gain, lang, 3) if best else "-",
                    best_minutes=format_number(best.cost_min, lang) if best else "-",
                )
            if verdict in ("redundant", "repeat"):
                deduct(
                    "redundant-measurement",
                    step_now,
                    "redundant",
                    measurement=name,
                    why=critique,
                )
            needed = _lockout_procedure(eq, mid)
            if needed is not None:
                safety_involved = True
                if needed not in lockouts:
                    proc = kb.procedures.get(needed)
                    deduct(
                        "safety-lockout-skipped",
                        step_now,
                        "lockout_skipped",
                        measurement=name,
                        procedure=(proc.name.get(lang) if proc is not None else "") or needed,
                    )
            pre = prerequisites(m, habilitations)
            if pre.habilitation:
                safety_involved = True
                # a reading outside the habilitations without a colleague: a log from
                # before the session refused them
                if not pre.habilitation_ok and not event.taken_by:
                    deduct(
                        "habilitation-missing",
                        step_now,
                        "habilitation_missing",
                        measurement=name,
                        habilitation=pre.habilitation,
                    )
            path.append(
                PathStep(
                    step=step_now,
                    measurement=mid,
                    value=event.value,
                    unit=event.unit,
                    state=event.state,
                    critical=event.critical,
                    minutes=float(m.cost_min),
                    gain=gain,
                    verdict=verdict,
                    engine_best=best.measurement.id if best is not None else None,
                    engine_gain=best.gain if best is not None else 0.0,
                    critique=critique,
                )
            )
        elif isinstance(event, ConclusionReached):
            conclusion = event
            verified = event.root_cause is not None and (
                dict(before.ranking()).get(event.root_cause, 0.0) >= before.confidence
                or before.default_root_cause() == event.root_cause
            )
        elif event.type == "why_chain_set":
            final_why = tuple(getattr(event, "links", ()))
        elif event.type == "category_set":
            category = str(getattr(event, "category_5m", "")) or None
    if any(_lockout_procedure(eq, s.measurement) for s in engine) or any(
        prerequisites(eq.measurement(s.measurement), ()).habilitation for s in engine
    ):
        safety_involved = True
    end = len(path) + 1
    root = conclusion.root_cause if conclusion is not None else None
    if root not in exercise.expected:
        deduct(
            "wrong-root-cause",
            end,
            "wrong_root_cause",
            cause=_name(eq, "cause", root, lang) if root else "-",
            expected=", ".join(_name(eq, "cause", c, lang) for c in exercise.expected),
        )
    elif not verified and engine_root in exercise.expected:
        # right, but a guess: the engine (which can verify this exercise) would not conclude yet
        deduct(
            "conclusion-unverified",
            end,
            "conclusion_unverified",
            cause=_name(eq, "cause", root, lang) if root else "-",
        )
    read = {s.measurement for s in path if s.state is not None}
    if not final_why:
        deduct("why-missing", end, "why_missing")
    for index, link in enumerate(final_why, start=1):
        evidence = getattr(link, "evidence", None)
        if not evidence or evidence not in read:
            deduct("why-unsupported", end, "why_unsupported", n=index, text=getattr(link, "text", ""))
    expected_category = exercise.expected_category(kb)
    if expected_category and category != expected_category:
        deduct(
            "wrong-5m",
            end,
            "wrong_5m",
            given=category or "-",
            expected=expected_category,
        )
    minutes = sum(s.minutes for s in path)
    if minutes > exercise.time_budget_min:
        deduct(
            "over-time",
            end,
            "over_time",
            minutes=f"{minutes:g}",
            budget=f"{exercise.time_budget_min:g}",
        )
    touched = ["measure", *(["safety"] if safety_involved else []), "diagnose", "justify"]
    positives = {
        "measure": [tr("training.positive.measure", lang, minutes=f"{minutes:g}")],
        "safety": [tr("training.positive.safety", lang)],
        "diagnose": [tr("training.positive.diagnose", lang)],
        "justify": [tr("training.positive.justify", lang)],
    }
    return Assessment(
        exercise=exercise,
        trainee=trainee if trainee is not None else str(started.technician),
        mode=mode,
        group=group,
        session=str(started.session_id),
        root_cause=root,
        deductions=deductions,
        path=path,
        engine=engine,
        engine_root_cause=engine_root,
        hypotheses=hypotheses,
        hints=hints,
        lang=lang,
        touched=touched,
        positives=positives,
        refused=refused,
    )
