"""The state-holding part of a session: properties, inference, planning, event emission.

:class:`SessionBase` owns the event log and its fold, answers every question
about the current state (readings, alerts, exclusions, ranking, what to
measure next) and emits events; :class:`~diagnosis.session.core.Session`
adds the operations of the guided flow and
:class:`~diagnosis.session.record.RecordMixin` the conclusion and the record.
The decisions (stop rule, default conclusion, gating) are documented in
:mod:`diagnosis.session.core`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from diagnosis.bayes.evidence import UNKNOWN, CauseFactor, Evidence, Posteriors
from diagnosis.errors import InferenceError, SessionError
from diagnosis.i18n import format_percent, tr
from diagnosis.kb.model import EquipmentKB, KnowledgeBase, Measurement
from diagnosis.rules import prerequisites
from diagnosis.rules.describe import state_words
from diagnosis.session.events import (
    AlertRaised,
    ConclusionReached,
    Event,
    MeasurementProposed,
    ProblemStatement,
    RemedyRecorded,
    SessionStarted,
    ValidationRecorded,
    WhyLink,
)
from diagnosis.session.state import SessionState
from diagnosis.session.types import EventSink, Reading, StepProposal, StopReason

__all__ = ["MIN_GAIN", "WORTH_BITS_PER_MIN", "SessionBase", "worth_its_minutes"]

MIN_GAIN = 1e-3
MISREAD_P = 0.05
"""P that a reading the technician is sure of was misread (re-measures combine with it)."""
UNSURE_P = 0.3
"""P that a reading answered "not sure" is wrong."""
SURPRISE_P = 0.02
"""A reading less likely than this given the other findings is re-measured once."""
HARDEN_RATIO = 1000.0
"""Re-measures that agree this strongly count as a plain reading."""
MAX_DOUBTED = 6
"""Most doubted readings kept soft at once (the least certain); others count as read."""
WORTH_BITS_PER_MIN = 0.005
"""Expected information (bits) a minute of measuring must buy: below it a
measurement is not worth its minutes and the session stops (``"exhausted"``)
rather than ask for every measurement of the equipment (a symptom alone, every
reading normal). Verification steps are exempt."""
"""Expected information (bits) below which a measurement is not worth proposing."""


class SessionBase:
    """Event log, state fold, inference and planning of one session (see Session)."""

    def __init__(self, kb: KnowledgeBase, started: SessionStarted, sink: EventSink | None) -> None:
        try:
            equipment = kb.equipment(started.equipment)
        except KeyError as exc:
            raise SessionError(
                code="session.error.unknown_equipment", equipment=started.equipment
            ) from exc
        self.kb = kb
        self.equipment: EquipmentKB = equipment
        self._sink = sink
        self._started = started
        self._state = SessionState(equipment, started)
        self._events: list[Event] = []
        self._model: Any = None
        self._posteriors: dict[tuple[object, ...], Posteriors] = {}
        self._tree_factors: dict[tuple[str, frozenset[tuple[str, bool]]], CauseFactor] = {}
        self._candidates_cache: tuple[tuple[object, ...], list[StepProposal]] | None = None
        self._surprise_cache: tuple[tuple[object, ...], tuple[str, str, float] | None] | None = (
            None
        )
        self._decisive_cache: tuple[tuple[object, ...], tuple[str, str, float] | None] | None = (
            None
        )

    # ---------------------------------------------------------------- properties
    @property
    def id(self) -> str:
        return self._started.session_id

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._events)

    @property
    def technician(self) -> str:
        """Who diagnoses now: the starter, or the colleague who resumed the session."""
        return self._state.technician

    @property
    def habilitations(self) -> tuple[str, ...]:
        return self._state.habilitations

    @property
    def lacking_tools(self) -> tuple[str, ...]:
        """Tool ids the technician said he lacks here (LackingDeclared), until resumed."""
        return self._state.lacking_tools

    @property
    def lacking_parts(self) -> tuple[str, ...]:
        """Part refs the technician said he lacks here (LackingDeclared), until resumed."""
        return self._state.lacking_parts

    @property
    def colleagues(self) -> dict[str, tuple[str, ...]]:
        """Habilitated colleagues at hand (name -> habilitations), see ColleagueJoined."""
        return dict(self._state.colleagues)

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
        return self._state.max_steps

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

    def notes_in(self, lang: str) -> list[str]:
        """The notes in ``lang``: a rule's note from the KB, else as recorded."""
        rules = {r.id: r for r in self.equipment.rules}
        out = []
        for text, rule_id in zip(self._state.notes, self._state.note_rules, strict=True):
            rule = rules.get(rule_id)
            note = rule.then.note.get(lang) if rule is not None and rule.then.note else ""
            out.append(note or text)
        return out

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
        states: dict[str, str] = {}
        soft: dict[str, dict[str, float]] = {}
        for r in self.readings:
            if not (
                r.available
                and r.state is not None
                and eq.has("measurement", r.measurement)
                and r.state in eq.measurement(r.measurement).states
            ):
                continue
            if r.sure and all(prev == r.state for prev in r.previous):
                # read once, or re-measured and every read agrees: firm
                states[r.measurement] = r.state
                continue
            likelihood = reading_likelihood(eq.measurement(r.measurement).states, r)
            ordered = sorted(likelihood.values(), reverse=True)
            if len(ordered) < 2 or ordered[0] >= HARDEN_RATIO * ordered[1]:
                states[r.measurement] = max(likelihood, key=lambda k: likelihood[k])
            else:
                soft[r.measurement] = likelihood
        if len(soft) > MAX_DOUBTED:  # keep the least certain ones soft
            spread = sorted(soft, key=lambda m: -max(soft[m].values()) / sum(soft[m].values()))
            for mid in spread[: len(soft) - MAX_DOUBTED]:
                states[mid] = max(soft[mid], key=lambda k: soft[mid][k])
                del soft[mid]
        excluded = frozenset(c for c in self._state.excluded if eq.has("cause", c))
        return Evidence(symptoms, states, excluded, self._tree_evidence(), soft)

    def _doubted(self) -> frozenset[str]:
        """Measurements whose reading is in doubt: not sure, re-measures that
        disagree, or a reading the engine asked to re-measure. Exclusion rules
        do not fire on them."""
        ev = self.evidence()
        pending = self._remeasure_due()
        unsure = {r.measurement for r in self.readings if r.available and not r.sure}
        return frozenset(set(ev.soft) | unsure | ({pending[0]} if pending else set()))

    def _remeasure_due(self) -> tuple[str, str, float] | None:
        """The most surprising reading taken once, when one is: (measurement, state, P).

        P is the probability of what was read given every other finding (rule
        exclusions left out: a rule may have fired on that very reading). Below
        :data:`SURPRISE_P` a misread is the likelier story: the engine asks to
        re-measure it once (its minutes count like any reading's).
        """
        ev = self.evidence()
        key = (*ev.key(), len(self._events))
        if self._surprise_cache is not None and self._surprise_cache[0] == key:
            return self._surprise_cache[1]
        model = self._diagnostic_model()
        manual = frozenset(c for c in self._state.manual_excluded if c in ev.excluded)
        found: tuple[str, str, float] | None = None
        asked = {
            e.measurement
            for e in self._events
            if isinstance(e, MeasurementProposed) and e.purpose == "remeasure"
        }
        for r in self.readings:
            mid = r.measurement
            if mid not in ev.states or not r.sure or r.previous or not r.available:
                continue
            last = self._state.last_proposed
            open_now = bool(
                self._state.proposal_open
                and last is not None
                and last.measurement == mid
                and last.purpose == "remeasure"
            )
            if mid in asked and not open_now:  # re-measured once already: never loop
                continue
            rest = Evidence(
                ev.symptoms,
                {m: s for m, s in ev.states.items() if m != mid},
                manual,
                ev.factors,
                ev.soft,
            )
            try:
                p = model.predictive(rest, mid)[ev.states[mid]]
            except InferenceError:
                continue
            if p < SURPRISE_P and (found is None or p < found[2]):
                found = (mid, ev.states[mid], p)
        self._surprise_cache = (key, found)
        return found

    def _tie_due(self) -> str | None:
        """A measurement read twice with two different states, not yet read a third time.

        Its two reads cancel out (one misread, either one): a third read decides
        (it never happens without a misread, so a noise-free diagnosis pays nothing).
        """
        asked: dict[str, int] = {}
        for e in self._events:
            if isinstance(e, MeasurementProposed) and e.purpose == "remeasure":
                asked[e.measurement] = asked.get(e.measurement, 0) + 1
        last = self._state.last_proposed
        for r in self.readings:
            if not (r.available and r.sure and len(r.previous) == 1 and r.previous[0] != r.state):
                continue
            open_now = bool(
                self._state.proposal_open
                and last is not None
                and last.measurement == r.measurement
                and last.purpose == "remeasure"
            )
            if asked.get(r.measurement, 0) < 2 or open_now:
                return r.measurement
        return None

    def _decisive_due(self) -> tuple[str, str, float] | None:
        """A reading the leading cause's conclusion rests on alone, when one is.

        Returns (measurement, state, P) where P is the leading cause's posterior
        were that reading doubted (a misread with :data:`MISREAD_P`, soft
        evidence). Only once the leading cause (not ``_unknown``) is at the
        threshold and no other verification step is due: a reading read once,
        sure, whose doubt drops the leader below ``confidence`` is re-measured
        once before concluding (the lowest such P first). A later reading that
        agrees with it makes it firm; one that disagrees leaves the two reads
        to the rest of the evidence.
        """
        ranking = self.ranking()
        if not ranking or ranking[0][0] == UNKNOWN or ranking[0][1] < self.confidence:
            return None
        top = ranking[0][0]
        ev = self.evidence()
        if len(ev.soft) >= MAX_DOUBTED:
            return None
        key = (*ev.key(), len(self._events), "decisive")
        if self._decisive_cache is not None and self._decisive_cache[0] == key:
            return self._decisive_cache[1]
        model = self._diagnostic_model()
        asked = {
            e.measurement
            for e in self._events
            if isinstance(e, MeasurementProposed) and e.purpose == "remeasure"
        }
        last = self._state.last_proposed
        found: tuple[str, str, float] | None = None
        for r in self.readings:
            mid = r.measurement
            if mid not in ev.states or not r.sure or r.previous or not r.available:
                continue
            open_now = bool(
                self._state.proposal_open
                and last is not None
                and last.measurement == mid
                and last.purpose == "remeasure"
            )
            if mid in asked and not open_now:
                continue
            state = ev.states[mid]
            states = model.states[mid]
            wrong = MISREAD_P / max(len(states) - 1, 1) / (1.0 - MISREAD_P)
            doubt = {s: 1.0 if s == state else wrong for s in states}
            doubted = Evidence(
                ev.symptoms,
                {m: s for m, s in ev.states.items() if m != mid},
                ev.excluded,
                ev.factors,
                {**ev.soft, mid: doubt},
            )
            try:
                p = model.posteriors(doubted).probabilities.get(top, 0.0)
            except InferenceError:
                continue
            if p < self.confidence and (found is None or p < found[2]):
                found = (mid, state, p)
        self._decisive_cache = (key, found)
        return found

    def _contradiction_due(self) -> tuple[str, str, str] | None:
        """A single reading that alone contradicts the leading cause, when one is.

        Returns (measurement, state, cause): the leading cause (not ``_unknown``)
        is at the threshold, and the finding that contradicts it
        (:func:`diagnosis.planner.contradicting_finding`) is a reading read
        once, sure, not re-measured yet. Concluding "cause not in the KB" on one
        read is what a single misread does: it is re-measured once first. A
        doubted reading never contradicts (it is soft evidence); two that agree
        make it firm and the contradiction stands.
        """
        ranking = self.ranking()
        if not ranking or ranking[0][0] == UNKNOWN or ranking[0][1] < self.confidence:
            return None
        from diagnosis.planner import contradicting_finding

        top = ranking[0][0]
        ev = self.evidence()
        mid = contradicting_finding(self._diagnostic_model(), ev, top)
        if mid is None or mid not in ev.states:
            return None
        reading = next((r for r in self.readings if r.measurement == mid), None)
        if reading is None or not reading.available or not reading.sure or reading.previous:
            return None
        last = self._state.last_proposed
        open_now = bool(
            self._state.proposal_open
            and last is not None
            and last.measurement == mid
            and last.purpose == "remeasure"
        )
        asked = any(
            isinstance(e, MeasurementProposed) and e.purpose == "remeasure" and e.measurement == mid
            for e in self._events
        )
        if asked and not open_now:
            return None
        return mid, ev.states[mid], top

    @property
    def tree_observations(self) -> dict[str, dict[str, bool]]:
        """Fault-tree observations: tree id -> {gate or event id: observed state}."""
        return {t: dict(obs) for t, obs in self._state.tree_observations.items()}

    def _tree_evidence(self) -> tuple[CauseFactor, ...]:
        """One likelihood factor per observed fault tree (compiled once per observation set)."""
        factors = []
        for tree_id, observed in sorted(self._state.tree_observations.items()):
            key = (tree_id, frozenset(observed.items()))
            factor = self._tree_factors.get(key)
            if factor is None:
                try:
                    tree = self.kb.fault_tree(tree_id)
                except KeyError:
                    continue  # a tree the KB no longer holds (a session resumed on an edited KB)
                from diagnosis.faulttree.evidence import tree_factor

                factor = tree_factor(tree, observed)
                self._tree_factors[key] = factor
            factors.append(factor)
        return tuple(factors)

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
    def verification(self) -> str | None:
        """How the evidence stands towards the leading cause at the threshold.

        ``"confirmed"``, ``"unconfirmed"`` or ``"contradicted"`` (see
        :func:`diagnosis.planner.verification`); None while the top hypothesis
        is below ``confidence`` or is ``_unknown``.
        """
        ranking = self.ranking()
        if not ranking or ranking[0][0] == UNKNOWN or ranking[0][1] < self.confidence:
            return None
        from diagnosis.planner import verification

        skip = tuple(r.measurement for r in self.readings)
        model, evidence = self._diagnostic_model(), self.evidence()
        return verification(
            model,
            evidence,
            self.equipment,
            ranking[0][0],
            skip=skip,
            unqualified=self._unqualified(),
        )

    def _unqualified(self) -> tuple[str, ...]:
        """Measurements needing a habilitation, a tool or a part the technician lacks
        (not asked to verify)."""
        return tuple(c.measurement.id for c in self._candidates() if not c.takeable)

    def _remeasure(
        self,
        mid: str,
        key: str,
        states: Mapping[str, str],
        cause: str | None = None,
        **params: str,
    ) -> StepProposal:
        """A re-measure card of ``mid`` with its note ``key``: the measurement,
        ``states`` (name -> state, shown in words; an empty one stays empty) and
        ``cause`` by their names in the session's language."""
        m = self.equipment.measurement(mid)
        words = {k: state_words(m, v, self.lang) if v else "" for k, v in states.items()}
        if cause is not None:
            params["cause"] = self.equipment.cause(cause).name.get(self.lang) or cause
        note = tr(key, self.lang, measurement=m.name.get(self.lang) or mid, **words, **params)
        return self._proposal(m, purpose="remeasure", note=note)

    def confirmation(self) -> StepProposal | None:
        """The verification step due (a re-measure, or a confirmation of the
        leading cause or of a second cause), or None (see Session)."""
        from diagnosis.planner import confirmation_steps

        again = self._remeasure_due()
        if again is not None:
            mid, state, p = again
            return self._remeasure(
                mid, "session.remeasure_note", {"state": state}, p=format_percent(p, self.lang)
            )
        tie = self._tie_due()
        if tie is not None:
            reads = next(r for r in self.readings if r.measurement == tie)
            states = {"first": reads.previous[0], "second": reads.state or ""}
            return self._remeasure(tie, "session.tie_note", states)
        against = self._contradiction_due()
        if against is not None:
            mid, state, cause = against
            return self._remeasure(mid, "session.contradiction_note", {"state": state}, cause)

        skip = tuple(r.measurement for r in self.readings)
        # A decisive reading is re-measured before the leader's other strongest readings.
        decisive = self._decisive_due()
        due = [] if decisive is not None else confirmation_steps(
            self._diagnostic_model(),
            self.evidence(),
            self.equipment,
            skip=skip,
            confidence=self.confidence,
            unqualified=self._unqualified(),
        )
        if not due and self.verification() == "contradicted" and self._verified_pair() is None:
            from diagnosis.planner import second_cause_steps

            due = second_cause_steps(
                self._diagnostic_model(),
                self.evidence(),
                self.equipment,
                self.ranking()[0][0],
                skip=skip,
                unqualified=self._unqualified(),
            )
        if not due:
            if decisive is None:
                return None
            mid, state, p = decisive
            return self._remeasure(
                mid,
                "session.decisive_note",
                {"state": state},
                self.ranking()[0][0],
                p=format_percent(p, self.lang),
            )
        cards = {c.measurement.id: c for c in self._candidates()}
        options = [cards[d.measurement] for d in due if d.measurement in cards]
        best = next((c for c in options if c.takeable), options[0] if options else None)
        return replace(best, purpose="confirm") if best is not None else None

    def _verified_pair(self) -> tuple[str, str] | None:
        """Two causes both at ``confidence`` that the evidence confirms together, or None.

        Two simultaneous faults: each marginal posterior reached the
        threshold and :func:`diagnosis.planner.pair_verification` confirms
        the pair (each has a reading of its own, nothing observed contradicts
        the two together).
        """
        leaders = [c for c, p in self.ranking() if c != UNKNOWN and p >= self.confidence][:2]
        if len(leaders) < 2:
            return None
        from diagnosis.planner import pair_verification

        model, evidence = self._diagnostic_model(), self.evidence()
        if pair_verification(model, evidence, leaders[0], leaders[1]) != "confirmed":
            return None
        return leaders[0], leaders[1]

    def default_root_causes(self) -> list[str]:
        """Every cause the engine would conclude now: two when a pair is verified."""
        pair = self._verified_pair()
        if pair is not None:
            return list(pair)
        root = self.default_root_cause()
        return [root] if root is not None else []

    @property
    def stop_reason(self) -> StopReason | None:
        """``"confidence"``, ``"max_steps"``, ``"exhausted"``, ``"handover"`` or None.

        The one stop rule (the planner has none: it ranks). See the module doc of :mod:`diagnosis.session.core`; the hand-over rule
        is in :mod:`diagnosis.session.handover`.
        """
        ranking = self.ranking()
        if self._verified_pair() is not None:
            return "confidence"
        if (
            ranking
            and ranking[0][1] >= self.confidence
            and self.verification() != "contradicted"
            and self.confirmation() is None
        ):
            return "confidence"
        if self.max_steps is not None and len(self.readings) >= self.max_steps:
            return "max_steps"
        if self.confirmation() is not None:
            return None  # a verification step is due (exempt from the minutes rule)
        if not any(worth_its_minutes(p) for p in self._candidates()):
            return "exhausted"
        if self.handover() is not None:
            return "handover"
        return None

    def handover(self) -> Any:
        """The hand-over due now (:mod:`diagnosis.session.handover`), or None."""
        from diagnosis.session.handover import handover_due

        return handover_due(self._candidates(), self._state.colleagues, min_gain=MIN_GAIN)

    def not_worth(self, limit: int = 3) -> list[tuple[StepProposal, float]]:
        """What would still be worth measuring, had it been cheaper, when none is now.

        The most informative measurements left (gain > MIN_GAIN) that are not
        worth their minutes, with the minutes each would be worth
        (gain / WORTH_BITS_PER_MIN); empty while a worthwhile one is left.
        """
        candidates = self._candidates()
        if any(worth_its_minutes(p) for p in candidates):
            return []
        left = sorted(
            (p for p in candidates if p.gain > MIN_GAIN),
            key=lambda p: (-p.gain, p.cost_min, p.measurement.id),
        )
        return [(p, p.gain / WORTH_BITS_PER_MIN) for p in left[:limit]]

    def alternatives(self) -> list[StepProposal]:
        """Every measurement not answered yet, best first, habilitation gating applied.

        A measurement answered *not available* is listed last (with no expected
        information): it can still be taken later, and its reading then replaces
        the *not available* one.
        """
        later = []
        for r in self.readings:
            if r.available or not self.equipment.has("measurement", r.measurement):
                continue
            later.append(self._proposal(self.equipment.measurement(r.measurement)))
        return [*self._candidates(), *later]

    def _candidates(self) -> list[StepProposal]:
        evidence = self.evidence()
        key = (
            *evidence.key(),
            tuple(r.measurement for r in self.readings),
            tuple(self._state.suggestions),
            self.habilitations,
            self._state.lacking_tools,
            self._state.lacking_parts,
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
            p = planned.get(mid)
            proposals.append(
                self._proposal(
                    self.equipment.measurement(mid),
                    gain=float(p.gain) if p is not None else 0.0,
                    score=float(p.score) if p is not None else 0.0,
                    suggested=mid in self._state.suggestions,
                )
            )
        # Gating: informative measurements the technician may take first (habilitation
        # held, no tool or part lacking).
        proposals.sort(key=lambda s: (s.gain <= MIN_GAIN, not s.takeable))
        self._candidates_cache = (key, proposals)
        return proposals

    def _proposal(
        self, m: Measurement, *, gain: float = 0.0, score: float = 0.0, **extra: Any
    ) -> StepProposal:
        """A proposal of ``m`` with its prerequisites for this technician (lockout,
        habilitation, PPE); ``extra``: purpose, note, suggested."""
        pre = prerequisites(m, self.habilitations)
        lacking = tuple(
            n
            for n in m.needs
            if n.id in (self._state.lacking_tools if n.kind == "tool" else self._state.lacking_parts)
        )
        return StepProposal(
            measurement=m,
            gain=gain,
            cost_min=float(m.cost_min),
            score=score,
            lockout=pre.lockout,
            lockout_procedure=pre.lockout_procedure,
            habilitation=pre.habilitation,
            ppe=pre.ppe,
            habilitation_ok=pre.habilitation_ok,
            lacking=lacking,
            **extra,
        )

    # ---------------------------------------------------------------- conclusion
    def default_root_cause(self) -> str | None:
        """The conclusion the engine would draw now (see the module docstring)."""
        ranking = self.ranking()
        if not ranking:
            return None
        top, p = ranking[0]
        contradicted = self.verification() == "contradicted"
        if p >= self.confidence and (not contradicted or self._verified_pair() is not None):
            return top
        if (top == UNKNOWN or contradicted) and self.stop_reason == "exhausted":
            return UNKNOWN
        return None

    # ------------------------------------------------------------------ internal
    def _actor(self) -> str:
        return self.technician or "technician"

    def _check_open(self) -> None:
        if self.closed:
            raise SessionError(code="session.error.closed", session=self.id)

    def _check_no_alert(self) -> None:
        if self._state.pending:
            raise SessionError(
                code="session.error.alert_pending", procedure=self._state.pending[0].procedure
            )

    def _emit(self, event: Event) -> None:
        """Send ``event`` to the sink, then fold it in (a failing sink changes nothing)."""
        if self._sink is not None:
            self._sink.append(self.id, event)
        self._events.append(event)
        self._state.apply(event)


def reading_likelihood(states: Sequence[str], reading: Reading) -> dict[str, float]:
    """P(what was read, every read of it | the true state), up to a constant.

    Each read is right with 1 - MISREAD_P (1 - UNSURE_P for the last one when
    the technician was not sure), else any other state alike.
    """
    reads = [(s, MISREAD_P) for s in reading.previous]
    if reading.state is not None:
        reads.append((reading.state, MISREAD_P if reading.sure else UNSURE_P))
    others = max(len(states) - 1, 1)
    out = {}
    for true in states:
        value = 1.0
        for read, eps in reads:
            value *= (1.0 - eps) if read == true else eps / others
        out[true] = value
    top = max(out.values())
    return {k: v / top for k, v in out.items()}


def worth_its_minutes(proposal: StepProposal) -> bool:
    """Informative (> MIN_GAIN bits) and at least WORTH_BITS_PER_MIN bits per minute."""
    return proposal.gain > MIN_GAIN and proposal.gain >= WORTH_BITS_PER_MIN * proposal.cost_min


def digest_of(kb: KnowledgeBase) -> str:
    if not kb.root:
        return ""
    try:
        from diagnosis.kb.loader import kb_digest

        return str(kb_digest(kb.root, kb.fault_tree_root))
    except Exception:  # a KB built in memory, or a loader without digest: no digest
        return ""
