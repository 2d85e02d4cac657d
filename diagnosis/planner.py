"""Which measurement to take next: value of information per minute.

Strategy ``voi`` (the default, what the session proposes): the measurement
with the highest expected information gain about *the explanation of the
reported problem* per minute of ``cost_min``. The explanation is the
distribution of :meth:`DiagnosticModel.explanation_distribution`: which single
hypothesis (a cause, ``_unknown``, or ``_none``) explains the evidence. The
gain of a measurement M is the mutual information I(H; M) in bits, with
P(h) the current explanation distribution and P(M = s | h) the noisy-MAX
reading under h alone. It is exact within that single-explanation model and
costs one matrix product for all measurements at once. A measurement that
only bears on causes unrelated to the symptoms gains almost nothing: those
causes hardly take part in any explanation (unlike the sum of every cause's
marginal entropy, which would reward checking them).

Candidates skip measurements already answered, those in ``skip`` (not
available, refused), and, for ``voi``, those gaining less than
:data:`MIN_GAIN` bits. Ties on the score go to the safer measurement: no
lockout first, then no habilitation, then the cheaper, then file order. The
technician may always measure something else; the session records it.
Stopping is the session's rule, in one place with one vocabulary
(:attr:`diagnosis.session.Session.stop_reason`: ``confidence``,
``max_steps``, ``exhausted``, ``handover``); the planner only ranks, and
:func:`next_best` returns ``None`` when nothing informative is left.

Verification of the leading cause (:func:`verification`,
:func:`confirmation_steps`): the domain rule (CQPM) verifies a hypothesis
with evidence before it is called the root cause. The leading cause is
*contradicted* when a finding it would make unlikely was observed: a
reading, or a reported (or denied) symptom, of probability below
:data:`CONTRADICTED_P` under that cause alone, unless the cause names that
finding as one of its own (weak) effects. A high posterior then only
means its rivals fit even worse: evidence no known cause explains, which
the session must say rather than crown the least-bad cause. A cause that
reached the confidence threshold only by *elimination*
(its rivals ruled out, nothing it predicts actually seen) may be a stand-in
for a cause the KB does not hold. A cause is *confirmed* by a reading when
the observed state is abnormal, the cause alone predicts it with
P >= :data:`CONFIRMED_P` and more strongly than each of its closest
competitors (``_unknown`` and the runner-up KB cause) alone. A reading's
*specificity* is the number of other non-excluded causes predicting that
state with P >= 0.5 (fewer is more specific: a reading many causes share
is as likely shared by a cause the KB lacks). Confirmation steps are the
unanswered measurements (outside ``skip``) with an abnormal state the cause
predicts with P >= :data:`CONFIRM_P` and, when a reading already confirms
it, strictly more specific than the best such reading; the cause is
*confirmed* when a reading confirms it, no confirmation step is left and
its *strongest predicted reading* (:func:`strongest_reading`: the abnormal
state it alone predicts most strongly, P >= :data:`CONFIRM_P`, among the
measurements still available) has been read, and so have the next strongest ones, up to
:data:`STRONGEST_READINGS` in all (distinct measurements, P >= CONFIRM_P): a
cause missing from the KB that looks like a known one rarely also produces all
of them (leave-one-out on the bundled KB: confidently wrong 33/28/11 % -> 20/6/7 %
with one; with a technician holding the habilitations the KB asks for, 13.3/6.2/7.4 %
with one, 6.7/0.0/7.4 % with two, 6.7/0.0/3.7 % with three, for 20.3 / 25.3 / 25.7
noise-free minutes: two, issue 14). From a posterior
of :data:`EARLY_CONFIRM` the leading cause's strongest reading can be proposed
first (off for now: it ignored the reading's cost).
While the leading cause is neither confirmed nor contradicted, the best
confirmation step is proposed (most specific, then no lockout, then the
cheaper, then file order): if its reading contradicts the cause, the
posterior drops and the diagnosis goes on.

Baseline strategies, for the benchmark and for trainers: ``checklist`` (the
KB's file order of measurements), ``cheapest`` (by ``cost_min``, then file
order) and ``heckerman`` (Heckerman, Breese & Rommelse 1995, probability
over cost: the explanation mass of the causes a measurement can reveal,
divided by its cost). They never drop a measurement for being uninformative.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from diagnosis.bayes.evidence import UNKNOWN, Evidence
from diagnosis.bayes.model import DiagnosticModel
from diagnosis.errors import InferenceError
from diagnosis.kb.model import EquipmentKB

__all__ = [
    "CONFIRMED_P",
    "CONFIRM_P",
    "CONTRADICTED_P",
    "DEFAULT_CONFIDENCE",
    "MIN_GAIN",
    "STRATEGIES",
    "Confirmation",
    "Proposal",
    "confirmation_steps",
    "confirming_reading",
    "contradicting_finding",
    "information_gains",
    "next_best",
    "pair_verification",
    "rank_measurements",
    "second_cause_steps",
    "verification",
]

STRATEGIES = ("voi", "checklist", "cheapest", "heckerman")
DEFAULT_CONFIDENCE = 0.9
"""Top posterior at which a diagnosis stops (``diagnosis run --confidence``)."""
MIN_GAIN = 1e-6
"""Bits below which a measurement is uninformative (dropped by ``voi``)."""
_SCORE_DIGITS = 12  # scores equal to this many decimals are ties
CONFIRMED_P = 0.5
"""P(state | cause alone) from which an observed abnormal state confirms the cause."""
CONFIRM_P = 0.8
"""P(abnormal state | cause alone) from which a measurement can confirm the cause."""
CONTRADICTED_P = 0.2
"""P(observed finding | cause alone) below which the finding contradicts the cause."""
EARLY_CONFIRM = 1.0
"""Posterior from which the leading cause's strongest predicted reading is proposed first.

Off (1.0): at 0.4 it preempted the value-of-information choice without looking at the
reading's cost (a 5-minute check of the leader before the 2-minute one that separates it
from its rival; a 30-minute one on a hand-made KB). The strongest reading is still
required before concluding (:func:`verification`). bench/RESULTS.md's robustness table
was measured with 0.4."""
STRONGEST_READINGS = 2
"""How many of the leading cause's strongest predicted readings verification needs
(distinct measurements, each P >= CONFIRM_P; fewer when the cause predicts fewer)."""
Verification = Literal["confirmed", "unconfirmed", "contradicted"]


@dataclass(frozen=True)
class Proposal:
    """One candidate measurement, as the planner ranks it.

    Attributes:
        measurement: the measurement id.
        gain: expected information gain about the explanation, in bits.
        cost_min: minutes to perform it (from the KB).
        score: what the strategy sorts by (``voi``: gain per minute).
        lockout: it needs energy isolation first.
        habilitation: the electrical habilitation it needs, if any.
    """

    measurement: str
    gain: float
    cost_min: float
    score: float
    lockout: bool
    habilitation: str | None


@dataclass(frozen=True)
class Confirmation:
    """A measurement that can verify the leading cause.

    Attributes:
        cause: the leading cause to verify.
        measurement: the measurement id.
        state: the abnormal state the cause predicts.
        p: P(state | the cause alone).
        shared: other non-excluded causes predicting that state with P >= 0.5.
        cost_min: minutes to perform it (from the KB).
        lockout: it needs energy isolation first.
    """

    cause: str
    measurement: str
    state: str
    p: float
    shared: int
    cost_min: float
    lockout: bool


def _single(model: DiagnosticModel, hypothesis: str, measurement: str, state: str) -> float:
    """P(measurement reads ``state`` | only ``hypothesis`` present)."""
    column = model.state_offsets[measurement] + model.states[measurement].index(state)
    return model.single_state(model.cause_index[hypothesis], column)


def _competitors(model: DiagnosticModel, evidence: Evidence, cause: str) -> tuple[str, ...]:
    """``_unknown`` and the runner-up KB cause (by posterior) of ``cause``."""
    ranking = model.posteriors(evidence).ranking()
    runner_up = next((c for c, _ in ranking if c not in (cause, UNKNOWN)), None)
    return (UNKNOWN,) if runner_up is None else (UNKNOWN, runner_up)


def _shared(model: DiagnosticModel, evidence: Evidence, cause: str, mid: str, state: str) -> int:
    """Other non-excluded causes predicting ``state`` of ``mid`` with P >= CONFIRMED_P."""
    column = model.state_offsets[mid] + model.states[mid].index(state)
    if model.state_base[column] >= CONFIRMED_P:  # every cause predicts it
        return sum(
            _single(model, c, mid, state) >= CONFIRMED_P
            for c in model.causes
            if c != cause and c not in evidence.excluded
        )
    rows, values = model.column_rows(column)  # only causes linked to mid can reach 0.5
    n = len(model.causes)
    return sum(
        1
        for r, v in zip(rows, values, strict=True)
        if r < n
        and v >= CONFIRMED_P
        and model.causes[r] != cause
        and model.causes[r] not in evidence.excluded
    )


def confirming_reading(model: DiagnosticModel, evidence: Evidence, cause: str) -> str | None:
    """The most specific answered measurement whose reading confirms ``cause``, or None."""
    rivals = _competitors(model, evidence, cause)
    found: list[tuple[int, str]] = []
    for mid, state in evidence.states.items():
        if state == model.normal[mid]:
            continue
        p = _single(model, cause, mid, state)
        if p >= CONFIRMED_P and all(p > _single(model, r, mid, state) for r in rivals):
            found.append((_shared(model, evidence, cause, mid, state), mid))
    return min(found)[1] if found else None


def _names(model: DiagnosticModel, i: int, f: int) -> bool:
    """Whether hypothesis ``i`` has a link (an effect in the KB) to channel ``f``."""
    return bool((model.parents(f)[0] == i).any())


def contradicting_finding(model: DiagnosticModel, evidence: Evidence, cause: str) -> str | None:
    """The first symptom or measurement whose observation contradicts ``cause``, or None.

    A finding the cause itself names as an effect (a reported symptom it
    produces, an abnormal state it gives) never contradicts it, however weak
    the effect: a worn cup that shows ``torn`` (p = 0.08) is still that cup.
    """
    i = model.cause_index[cause]
    for sid, present in evidence.symptoms.items():
        f = model.symptom_channel[sid]
        if present and _names(model, i, f):
            continue
        p_on = -math.expm1(model.single_log_off(i, f))
        if (p_on if present else 1.0 - p_on) < CONTRADICTED_P:
            return sid
    for mid, state in evidence.states.items():
        if state != model.normal[mid] and any(
            s == state and _names(model, i, f) for s, f in model.state_channels[mid]
        ):
            continue
        if _single(model, cause, mid, state) < CONTRADICTED_P:
            return mid
    return None


def _candidates(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    cause: str,
    skip: Collection[str],
) -> list[Confirmation]:
    """Unanswered measurements with an abnormal state ``cause`` predicts with P >= CONFIRM_P."""
    order = {m: j for j, m in enumerate(model.measurements)}
    steps = []
    for mid in model.measurements:
        if mid in evidence.states or mid in skip:
            continue
        for state in model.states[mid]:
            p = _single(model, cause, mid, state)
            if state == model.normal[mid] or p < CONFIRM_P:
                continue
            spec = kb_equipment.measurement(mid)
            shared = _shared(model, evidence, cause, mid, state)
            steps.append(
                Confirmation(
                    cause, mid, state, p, shared, float(spec.cost_min), spec.requires.lockout
                )
            )
            break
    steps.sort(key=lambda c: (c.shared, c.lockout, c.cost_min, -c.p, order[c.measurement]))
    return steps


def strongest_reading(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    cause: str,
    skip: Collection[str] = (),
    unqualified: Collection[str] = (),
    *,
    exclude: Collection[str] = (),
    floor: float = CONFIRM_P,
) -> Confirmation | None:
    """The cause's strongest predicted reading that can still be had, or None.

    ``unqualified``: measurements the technician may not take (a habilitation
    they lack); left out unless already answered.

    The abnormal state ``cause`` alone predicts most strongly (P >=
    :data:`CONFIRM_P`; ties: more specific, cheaper, file order) among the
    measurements answered or still available (outside ``skip`` unless answered).
    A cause missing from the KB rarely produces the strongest reading of the
    cause taken for it: this one reading catches most such stand-ins.
    """
    order = {m: j for j, m in enumerate(model.measurements)}
    best: tuple[tuple[float, int, float, int], Confirmation] | None = None
    for mid in model.measurements:
        if mid in exclude or ((mid in skip or mid in unqualified) and mid not in evidence.states):
            continue
        for state in model.states[mid]:
            if state == model.normal[mid]:
                continue
            p = _single(model, cause, mid, state)
            if p < floor:
                continue
            spec = kb_equipment.measurement(mid)
            shared = _shared(model, evidence, cause, mid, state)
            key = (-p, shared, float(spec.cost_min), order[mid])
            if best is None or key < best[0]:
                best = (
                    key,
                    Confirmation(
                        cause, mid, state, p, shared, float(spec.cost_min), spec.requires.lockout
                    ),
                )
    return best[1] if best is not None else None


def _strongest_due(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    cause: str,
    skip: Collection[str],
    unqualified: Collection[str] = (),
) -> Confirmation | None:
    """The strongest predicted reading when verification still needs it, else None.

    The :data:`STRONGEST_READINGS` strongest predicted readings (distinct
    measurements, P >= :data:`CONFIRM_P`) must have been read: a cause missing
    from the KB that looks like a known one (shares its strongest reading)
    rarely also produces the next one.
    """
    excluded: set[str] = set()
    for _ in range(STRONGEST_READINGS):
        strongest = strongest_reading(
            model,
            evidence,
            kb_equipment,
            cause,
            skip,
            unqualified,
            exclude=excluded,
            floor=CONFIRM_P,
        )
        if strongest is None:
            return None
        if strongest.measurement not in evidence.states:
            return strongest
        excluded.add(strongest.measurement)
    return None


def verification(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    cause: str,
    *,
    skip: Collection[str] = (),
    unqualified: Collection[str] = (),
) -> Verification:
    """Whether the evidence confirms, contradicts or merely leaves ``cause`` standing.

    Confirmed needs a confirming reading at least as specific as any
    confirmation step still available (see the module doc).
    """
    if contradicting_finding(model, evidence, cause) is not None:
        return "contradicted"
    seen = confirming_reading(model, evidence, cause)
    if seen is None:
        return "unconfirmed"
    if _strongest_due(model, evidence, kb_equipment, cause, skip, unqualified) is not None:
        return "unconfirmed"
    level = _shared(model, evidence, cause, seen, evidence.states[seen])
    pending = _candidates(model, evidence, kb_equipment, cause, skip)
    if pending and pending[0].shared < level:
        return "unconfirmed"
    return "confirmed"


def confirmation_steps(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    *,
    skip: Collection[str] = (),
    confidence: float = DEFAULT_CONFIDENCE,
    unqualified: Collection[str] = (),
) -> list[Confirmation]:
    """Measurements that can verify the leading cause, best first (see the module doc).

    Empty when no confirmation is due: the top hypothesis is below
    ``confidence`` or is ``_unknown``, the evidence already confirms or
    contradicts it, or no unanswered measurement (outside ``skip``) can.
    """
    top, p_top = model.posteriors(evidence).top()
    if top == UNKNOWN or p_top < min(confidence, EARLY_CONFIRM):
        return []
    if p_top < confidence:  # a clear leader: its strongest reading first
        strongest = strongest_reading(model, evidence, kb_equipment, top, skip, unqualified)
        if strongest is None or strongest.measurement in evidence.states:
            return []
        return [strongest]
    status = verification(model, evidence, kb_equipment, top, skip=skip, unqualified=unqualified)
    if status != "unconfirmed":
        return []
    seen = confirming_reading(model, evidence, top)
    steps = _candidates(model, evidence, kb_equipment, top, skip)
    if seen is not None:  # only a more specific reading can add to it
        level = _shared(model, evidence, top, seen, evidence.states[seen])
        steps = [c for c in steps if c.shared < level]
        due = _strongest_due(model, evidence, kb_equipment, top, skip, unqualified)
        if due is not None:
            steps = [due, *(c for c in steps if c.measurement != due.measurement)]
    return steps


def _joint_log_off(model: DiagnosticModel, hypotheses: tuple[int, ...], f: int) -> float:
    """log P(channel ``f`` off | exactly ``hypotheses`` present)."""
    heads, values = model.parents(f)
    return float(model.log1m_leak[f]) + float(values[np.isin(heads, hypotheses)].sum())


def _joint_finding_p(
    model: DiagnosticModel, hypotheses: tuple[int, ...], mid: str, state: str
) -> float:
    """P(``mid`` reads ``state`` | exactly ``hypotheses`` present) (noisy-MAX)."""
    log_before = 0.0
    for s, f in model.state_channels[mid]:
        lq = _joint_log_off(model, hypotheses, f)
        if s == state:
            return math.exp(log_before) * -math.expm1(lq)
        log_before += lq
    return math.exp(log_before)


def pair_verification(
    model: DiagnosticModel, evidence: Evidence, first: str, second: str
) -> Verification:
    """Whether the evidence confirms that ``first`` and ``second`` are both present.

    *Contradicted*: a finding neither cause names is unlikely (P <
    :data:`CONTRADICTED_P`) with both present. *Confirmed*: each cause has an
    observed abnormal reading it alone predicts with P >= :data:`CONFIRMED_P`,
    more strongly than the other cause alone and than ``_unknown`` alone (each
    explains evidence the other does not). Else *unconfirmed*.
    """
    pair = (model.cause_index[first], model.cause_index[second])
    for sid, present in evidence.symptoms.items():
        f = model.symptom_channel[sid]
        if present and any(_names(model, i, f) for i in pair):
            continue
        p_on = -math.expm1(_joint_log_off(model, pair, f))
        if (p_on if present else 1.0 - p_on) < CONTRADICTED_P:
            return "contradicted"
    for mid, state in evidence.states.items():
        if state != model.normal[mid] and any(
            s == state and any(_names(model, i, f) for i in pair)
            for s, f in model.state_channels[mid]
        ):
            continue
        if _joint_finding_p(model, pair, mid, state) < CONTRADICTED_P:
            return "contradicted"
    for cause, other in ((first, second), (second, first)):
        if not any(
            state != model.normal[mid]
            and (p := _single(model, cause, mid, state)) >= CONFIRMED_P
            and p > _single(model, other, mid, state)
            and p > _single(model, UNKNOWN, mid, state)
            for mid, state in evidence.states.items()
        ):
            return "unconfirmed"
    return "confirmed"


def second_cause_steps(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    top: str,
    *,
    skip: Collection[str] = (),
    unqualified: Collection[str] = (),
) -> list[Confirmation]:
    """Steps that can verify a second fault explaining what contradicts ``top``.

    When a finding contradicts the leading cause, another cause that names
    that finding may be present too (two simultaneous faults). The causes
    naming it, by posterior, each give their strongest predicted reading not
    yet taken (or, once taken, their other confirmation steps).
    """
    finding = contradicting_finding(model, evidence, top)
    if finding is None:
        return []
    if finding in evidence.symptoms:
        channels = [model.symptom_channel[finding]]
    else:
        state = evidence.states[finding]
        channels = [f for s, f in model.state_channels[finding] if s == state]
    if not channels:
        return []  # a normal reading: no other cause "names" it
    posteriors = model.posteriors(evidence)
    explainers = sorted(
        {
            model.causes[int(i)]
            for f in channels
            for i in model.parents(f)[0]
            if int(i) < len(model.causes)
        }
        - {top}
        - set(evidence.excluded),
        key=lambda c: (-posteriors.probabilities.get(c, 0.0), c),
    )
    for cause in explainers:
        strongest = strongest_reading(model, evidence, kb_equipment, cause, skip, unqualified)
        if strongest is not None and strongest.measurement not in evidence.states:
            return [strongest]
        steps = _candidates(model, evidence, kb_equipment, cause, [*skip, *unqualified])
        if steps:
            return steps
    return []


def information_gains(model: DiagnosticModel, evidence: Evidence) -> dict[str, float]:
    """I(explanation; reading) in bits for every measurement not yet answered."""
    weights = model.explanation_weights(evidence)
    return _gains(model, weights, evidence)


def _gains(
    model: DiagnosticModel, weights: npt.NDArray[np.float64], evidence: Evidence
) -> dict[str, float]:
    if not model.measurements:
        return {}
    predictive, conditional_entropy = model.predictive_single(weights)  # all states at once
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(predictive > 0, predictive * np.log2(predictive), 0.0)
    marginal_entropy = -np.add.reduceat(plogp, model.state_segments)
    gain = np.maximum(marginal_entropy - conditional_entropy, 0.0)
    done = {**evidence.states, **evidence.soft}
    return {m: float(gain[j]) for j, m in enumerate(model.measurements) if m not in done}


def rank_measurements(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    *,
    skip: Collection[str] = (),
    strategy: str = "voi",
) -> list[Proposal]:
    """Every candidate measurement, best first, for ``strategy``.

    Raises:
        InferenceError: unknown strategy or evidence the model rejects.
    """
    if strategy not in STRATEGIES:
        raise InferenceError(f"unknown strategy {strategy!r} (use {', '.join(STRATEGIES)})")
    weights = model.explanation_weights(evidence)
    gains = _gains(model, weights, evidence)
    order = {m: j for j, m in enumerate(model.measurements)}
    mass = _revealable_mass(model, weights) if strategy == "heckerman" else {}
    proposals = []
    for mid, gain in gains.items():
        if mid in skip:
            continue
        if strategy == "voi" and gain < MIN_GAIN:
            continue
        spec = kb_equipment.measurement(mid)
        cost = max(float(spec.cost_min), 1e-3)
        if strategy == "voi":
            score = gain / cost
        elif strategy == "checklist":
            score = -float(order[mid])
        elif strategy == "cheapest":
            score = -cost
        else:
            score = mass.get(mid, 0.0) / cost
        proposals.append(
            Proposal(
                mid,
                gain,
                float(spec.cost_min),
                score,
                spec.requires.lockout,
                spec.requires.habilitation,
            )
        )
    proposals.sort(
        key=lambda p: (
            -round(p.score, _SCORE_DIGITS),
            p.lockout,
            p.habilitation is not None,
            p.cost_min,
            order[p.measurement],
        )
    )
    return proposals


def next_best(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    *,
    skip: Collection[str] = (),
    strategy: str = "voi",
) -> Proposal | None:
    """The best candidate of :func:`rank_measurements`, or ``None`` when none is left."""
    ranked = rank_measurements(model, evidence, kb_equipment, skip=skip, strategy=strategy)
    return ranked[0] if ranked else None


def _revealable_mass(model: DiagnosticModel, weights: npt.NDArray[np.float64]) -> dict[str, float]:
    """Per measurement, the explanation mass of the causes whose effects name it."""
    n = len(model.causes)
    revealed: dict[str, set[int]] = {}
    for ch in model.channels:
        if ch.state is not None:
            revealed.setdefault(ch.target, set()).update(i for i, _ in ch.links if i < n)
    return {m: float(sum(weights[i] for i in causes)) for m, causes in revealed.items()}
