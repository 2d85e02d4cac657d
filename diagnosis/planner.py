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
Stopping (confidence threshold, nothing informative left, step limit) is
the session's rule; :func:`stop_reason` states it in one place and
:func:`next_best` returns ``None`` when nothing informative is left.

Baseline strategies, for the benchmark and for trainers: ``checklist`` (the
KB's file order of measurements), ``cheapest`` (by ``cost_min``, then file
order) and ``heckerman`` (Heckerman, Breese & Rommelse 1995, probability
over cost: the explanation mass of the causes a measurement can reveal,
divided by its cost). They never drop a measurement for being uninformative.
"""

from __future__ import annotations

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
    "DEFAULT_CONFIDENCE",
    "MIN_GAIN",
    "STRATEGIES",
    "Proposal",
    "StopReason",
    "information_gains",
    "next_best",
    "rank_measurements",
    "stop_reason",
]

STRATEGIES = ("voi", "checklist", "cheapest", "heckerman")
DEFAULT_CONFIDENCE = 0.9
"""Top posterior at which a diagnosis stops (``diagnosis run --confidence``)."""
StopReason = Literal["confident", "unknown", "nothing_informative", "max_steps"]
MIN_GAIN = 1e-6
"""Bits below which a measurement is uninformative (dropped by ``voi``)."""
_SCORE_DIGITS = 12  # scores equal to this many decimals are ties


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


def information_gains(model: DiagnosticModel, evidence: Evidence) -> dict[str, float]:
    """I(explanation; reading) in bits for every measurement not yet answered."""
    weights = model.explanation_weights(evidence)
    return _gains(model, weights, evidence)


def _gains(
    model: DiagnosticModel, weights: npt.NDArray[np.float64], evidence: Evidence
) -> dict[str, float]:
    if not model.measurements:
        return {}
    predictive = weights @ model.single_states  # all states at once
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(predictive > 0, predictive * np.log2(predictive), 0.0)
    marginal_entropy = -np.add.reduceat(plogp, model.state_segments)
    conditional_entropy = weights @ model.single_entropy
    gain = np.maximum(marginal_entropy - conditional_entropy, 0.0)
    return {m: float(gain[j]) for j, m in enumerate(model.measurements) if m not in evidence.states}


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


def stop_reason(
    model: DiagnosticModel,
    evidence: Evidence,
    kb_equipment: EquipmentKB,
    *,
    skip: Collection[str] = (),
    steps: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
    max_steps: int | None = None,
) -> StopReason | None:
    """Why a guided diagnosis should stop now, or ``None`` to go on.

    In order: the top hypothesis reached ``confidence`` (``"unknown"`` when it
    is ``_unknown``, else ``"confident"``), ``max_steps`` measurements were
    taken, or no informative measurement is left.
    """
    top, p = model.posteriors(evidence).top()
    if p >= confidence:
        return "unknown" if top == UNKNOWN else "confident"
    if max_steps is not None and steps >= max_steps:
        return "max_steps"
    if next_best(model, evidence, kb_equipment, skip=skip) is None:
        return "nothing_informative"
    return None
