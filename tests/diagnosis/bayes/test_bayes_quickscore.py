"""Quickscore (Heckerman 1989): findings shared by many causes stay exact and cheap.

A positive finding with more than ``WIDE_PARENTS`` parents is summed by
inclusion-exclusion over the wide positive findings instead of a table of
2**parents entries. These tests check it against the brute-force oracle,
against enumeration / elimination (the threshold lowered so every positive
finding goes through inclusion-exclusion) and against pgmpy with a
46-parent symptom, and that a limit gives a clear InferenceError.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bayes_oracle import oracle
from tiny_equipment import synthetic

import diagnosis.bayes.exact as exact
from diagnosis.bayes import DiagnosticModel, Evidence
from diagnosis.bayes.pgmpy_adapter import pgmpy_posteriors
from diagnosis.errors import InferenceError

TOLERANCE = 1e-9


def hub_equipment(n_causes: int, hub: int, seed: int) -> DiagnosticModel:
    eq = synthetic().synthetic_equipment(
        n_causes, seed=seed, symptoms_per_cause=0.1, hub_parents=hub
    )
    return DiagnosticModel(eq)


def some_evidence(model: DiagnosticModel, rng: np.random.Generator, n_states: int) -> Evidence:
    states = {
        str(m): str(rng.choice(model.states[str(m)]))
        for m in rng.choice(model.measurements, size=n_states, replace=False)
    }
    symptoms = {"hub": True} | {s: bool(rng.random() < 0.5) for s in model.symptoms[:2]}
    return Evidence(symptoms, states)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), n_causes=st.integers(2, 6))
def test_inclusion_exclusion_equals_the_brute_force_oracle(seed: int, n_causes: int) -> None:
    rng = np.random.default_rng(seed)
    eq = synthetic().synthetic_equipment(
        n_causes, seed=seed, symptoms_per_cause=0.5, hub_parents=n_causes
    )
    model = DiagnosticModel(eq)
    symptoms = {"hub": True} | {s.id: bool(rng.random() < 0.7) for s in eq.symptoms[:2]}
    states = {m.id: str(rng.choice(m.states)) for m in eq.measurements if rng.random() < 0.5}
    evidence = Evidence(symptoms, states)
    old = exact.WIDE_PARENTS
    exact.WIDE_PARENTS = 1  # every positive finding with 2+ parents by inclusion-exclusion
    try:
        fast = model.posteriors(evidence).probabilities
    finally:
        exact.WIDE_PARENTS = old
    expected = oracle(eq, evidence)
    for h, p in expected.items():
        assert abs(fast[h] - p) < TOLERANCE, (h, fast[h], p)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_inclusion_exclusion_equals_enumeration_and_elimination(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    model = hub_equipment(30, 10, seed)
    for n_states in (3, 4, 8):  # 8: inclusion-exclusion cancels, falls back on tables
        evidence = some_evidence(model, rng, n_states)
        findings = model.findings(evidence)
        reference, log_ref = exact.exact_marginals(model, findings)
        monkeypatch.setattr(exact, "WIDE_PARENTS", 1)
        quick, log_quick = exact.exact_marginals(model, findings)
        monkeypatch.setattr(exact, "WIDE_PARENTS", 12)
        assert np.abs(reference - quick).max() < TOLERANCE
        assert log_ref == pytest.approx(log_quick, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_46_parent_symptom_equals_pgmpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = hub_equipment(60, 46, seed)
    parents = [i for i, _ in model.channels[model.symptom_channel["hub"]].links]
    assert len(parents) == 47  # 46 causes and _unknown
    for evidence in (Evidence({"hub": True}), some_evidence(model, rng, 6)):
        fast = model.posteriors(evidence).probabilities
        reference = pgmpy_posteriors(model, evidence).probabilities
        worst = max(abs(fast[h] - reference[h]) for h in fast)
        assert worst < TOLERANCE, worst


def test_hundreds_of_parents_at_5000_causes_run_without_error() -> None:
    model = hub_equipment(5000, 400, 5000)
    evidence = Evidence({"hub": True, "s0": True})
    post = model.posteriors(evidence)
    assert 0.0 < post.evidence_probability < 1.0
    assert sum(post.probabilities.values()) > 0.99  # the hub demands at least one cause
    from diagnosis.planner import next_best

    eq = synthetic().synthetic_equipment(
        5000, seed=5000, symptoms_per_cause=0.1, hub_parents=400
    )
    assert next_best(model, evidence, eq) is not None


def test_too_many_wide_findings_is_a_clear_inference_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = hub_equipment(40, 30, 9)
    monkeypatch.setattr(exact, "WIDE_PARENTS", 0)
    monkeypatch.setattr(exact, "MAX_WIDE", 2)
    evidence = Evidence({s: True for s in model.symptoms})
    with pytest.raises(InferenceError, match="too many reported findings shared by more than 0"):
        model.posteriors(evidence)
