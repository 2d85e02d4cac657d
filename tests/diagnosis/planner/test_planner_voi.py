"""Next-best measurement: information about the explanation, per minute, safety ties."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bayes"))
from tiny_equipment import boolean, cause, equipment, numeric, symptom, synthetic

from diagnosis.bayes import DiagnosticModel, Evidence
from diagnosis.bayes.model import NONE
from diagnosis.errors import InferenceError
from diagnosis.kb.model import Effect
from diagnosis.planner import (
    MIN_GAIN,
    Proposal,
    information_gains,
    next_best,
    rank_measurements,
)

# Symptom s is explained by c1 or c2; m12 separates them (low vs high).
# c3 is unrelated to s (it has its own symptom t, not reported), has a larger prior,
# and m3 (a boolean whose one abnormal state c3 names) checks only c3 - five times
# cheaper than m12. Summing every cause's marginal entropy
# would favour m3 (c3's marginal stays at its large prior); the explanation does not.
EQ = equipment(
    (symptom("s"), symptom("t")),
    (boolean("m3", cost=1.0), numeric("m12", cost=5.0)),
    (
        cause("c1", 0.05, Effect(0.9, symptom="s"), Effect(0.95, measurement="m12", state="low")),
        cause("c2", 0.05, Effect(0.9, symptom="s"), Effect(0.95, measurement="m12", state="high")),
        cause("c3", 0.3, Effect(0.9, symptom="t"), Effect(0.95, measurement="m3", state="false")),
    ),
)


def binary_entropy(p: float) -> float:
    return entropy({"yes": p, "no": 1.0 - p})


def entropy(dist: dict[str, float]) -> float:
    return -sum(p * math.log2(p) for p in dist.values() if p > 0)


def test_the_explanation_not_an_unrelated_cause_drives_the_choice() -> None:
    model = DiagnosticModel(EQ)
    evidence = Evidence(symptoms={"s": True})
    best = next_best(model, evidence, EQ)
    assert best is not None and best.measurement == "m12"
    ranked = rank_measurements(model, evidence, EQ)
    assert ranked[0].gain > 5 * next(p.gain for p in ranked if p.measurement == "m3")

    # the criterion rejected in the docstring (expected drop of the sum of every cause's
    # marginal entropy, per minute) would have proposed m3 first
    def marginal_drop_per_minute(m: str, cost: float) -> float:
        before = sum(binary_entropy(p) for p in model.posteriors(evidence).probabilities.values())
        after = sum(
            q
            * sum(
                binary_entropy(p)
                for p in model.posteriors(evidence.with_state(m, s)).probabilities.values()
            )
            for s, q in model.predictive(evidence, m).items()
        )
        return (before - after) / cost

    assert marginal_drop_per_minute("m3", 1.0) > marginal_drop_per_minute("m12", 5.0)


def test_gain_is_the_mutual_information_of_explanation_and_reading() -> None:
    # I(H; M) = H(H) - sum over states of P(state) H(H | state), with P(state) and
    # P(H | state) from the single-explanation model (explanation_distribution).
    model = DiagnosticModel(EQ)
    evidence = Evidence(symptoms={"s": True})
    prior = model.explanation_distribution(evidence)
    names = list(prior)
    table = model.single_state_probabilities("m12")  # rows: hypotheses then _none
    index = {h: i for i, h in enumerate((*model.hypotheses, NONE))}
    expected = entropy(prior)
    for k, state in enumerate(model.states["m12"]):
        p_state = sum(prior[h] * table[index[h], k] for h in names)
        after = model.explanation_distribution(evidence.with_state("m12", state))
        expected -= p_state * entropy(after)
    assert information_gains(model, evidence)["m12"] == pytest.approx(expected, rel=1e-9)


def test_answered_and_skipped_measurements_are_not_proposed() -> None:
    model = DiagnosticModel(EQ)
    evidence = Evidence(symptoms={"s": True}, states={"m12": "low"})
    assert all(p.measurement != "m12" for p in rank_measurements(model, evidence, EQ))
    assert next_best(model, evidence, EQ, skip={"m3"}) is None


def test_uninformative_measurements_are_dropped() -> None:
    model = DiagnosticModel(EQ)
    evidence = Evidence(symptoms={"s": True}, excluded=frozenset({"c3"}))
    gains = information_gains(model, evidence)
    ranked = {p.measurement for p in rank_measurements(model, evidence, EQ)}
    assert all((m in ranked) == (g >= MIN_GAIN) for m, g in gains.items())


def test_ties_go_to_the_measurement_without_lockout() -> None:
    # Two measurements with identical links and cost; the locked-out one comes first
    # in the file but the safe one is proposed first.
    eq = equipment(
        (symptom("s"),),
        (numeric("locked", cost=5.0, lockout=True, habilitation="B2V"), numeric("safe", cost=5.0)),
        (
            cause(
                "a",
                0.05,
                Effect(0.9, symptom="s"),
                Effect(0.9, measurement="locked", state="low"),
                Effect(0.9, measurement="safe", state="low"),
            ),
            cause("b", 0.05, Effect(0.9, symptom="s")),
        ),
    )
    ranked = rank_measurements(DiagnosticModel(eq), Evidence(symptoms={"s": True}), eq)
    assert [p.measurement for p in ranked] == ["safe", "locked"]
    assert ranked[0].gain == pytest.approx(ranked[1].gain, rel=1e-12)
    assert ranked[1] == Proposal("locked", ranked[1].gain, 5.0, ranked[1].score, True, "B2V")


def test_score_is_gain_per_minute() -> None:
    model = DiagnosticModel(EQ)
    for p in rank_measurements(model, Evidence(symptoms={"s": True}), EQ):
        assert p.score == pytest.approx(p.gain / p.cost_min)


def test_baseline_orders() -> None:
    model = DiagnosticModel(EQ)
    evidence = Evidence(symptoms={"s": True})

    def order(strategy: str) -> list[str]:
        return [p.measurement for p in rank_measurements(model, evidence, EQ, strategy=strategy)]

    assert order("checklist") == ["m3", "m12"]
    assert order("cheapest") == ["m3", "m12"]
    assert order("heckerman") == ["m12", "m3"]  # explanation mass of c1 + c2 over 5 min
    with pytest.raises(InferenceError, match="unknown strategy"):
        rank_measurements(model, evidence, EQ, strategy="random")


def test_planner_scales_to_a_large_equipment() -> None:
    eq = synthetic().synthetic_equipment(200, seed=4)
    model = DiagnosticModel(eq)
    evidence = Evidence(symptoms={eq.symptoms[0].id: True})
    ranked = rank_measurements(model, evidence, eq)
    assert ranked and all(p.gain >= MIN_GAIN for p in ranked)
    assert ranked == sorted(ranked, key=lambda p: -p.score)


def test_the_planner_ranks_and_the_session_stops() -> None:
    # One stop rule, one vocabulary: the session's (confidence, max_steps, exhausted,
    # handover; tests/diagnosis/session). The planner keeps what that rule asks of it:
    # nothing informative left -> next_best is None; the posterior it reads.
    import diagnosis.planner as planner

    assert not hasattr(planner, "stop_reason") and not hasattr(planner, "StopReason")
    model = DiagnosticModel(EQ)
    start = Evidence(symptoms={"s": True})
    assert next_best(model, start, EQ) is not None
    assert next_best(model, start, EQ, skip={"m3", "m12"}) is None
    top, p = model.posteriors(start.with_state("m12", "low")).top()
    assert top == "c1" and p >= planner.DEFAULT_CONFIDENCE
    # a reading no cause explains: the top hypothesis is _unknown
    odd = Evidence(symptoms={"s": True, "t": False}, states={"m12": "normal", "m3": "true"})
    assert model.posteriors(odd).top()[0] == "_unknown"
