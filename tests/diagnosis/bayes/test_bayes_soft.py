"""Soft evidence: a doubted reading as likelihoods over the measurement's true state."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tiny_equipment import synthetic

from diagnosis.bayes import DiagnosticModel, Evidence
from diagnosis.errors import InferenceError


def model_and_evidence() -> tuple[DiagnosticModel, Evidence, str]:
    model = DiagnosticModel(synthetic().synthetic_equipment(12, seed=4))
    mid = model.measurements[0]
    evidence = Evidence({model.symptoms[0]: True}, {model.measurements[1]: "normal"})
    return model, evidence, mid


def test_a_certain_likelihood_is_the_hard_reading() -> None:
    model, evidence, mid = model_and_evidence()
    state = model.states[mid][-1]
    soft = Evidence(evidence.symptoms, evidence.states, soft={mid: {state: 1.0}})
    hard = evidence.with_state(mid, state)
    a, b = model.posteriors(soft).probabilities, model.posteriors(hard).probabilities
    assert max(abs(a[h] - b[h]) for h in a) < 1e-12


def test_a_flat_likelihood_says_nothing() -> None:
    model, evidence, mid = model_and_evidence()
    flat = {s: 0.3 for s in model.states[mid]}
    soft = Evidence(evidence.symptoms, evidence.states, soft={mid: flat})
    a, b = model.posteriors(soft).probabilities, model.posteriors(evidence).probabilities
    assert max(abs(a[h] - b[h]) for h in a) < 1e-12


def test_soft_posterior_is_the_likelihood_weighted_mixture() -> None:
    model, evidence, mid = model_and_evidence()
    likelihood = dict(zip(model.states[mid], (0.7, 0.2, 0.1), strict=False))
    soft = Evidence(evidence.symptoms, evidence.states, soft={mid: likelihood})
    got = model.posteriors(soft)
    weights, mixtures = [], []
    for s, v in likelihood.items():
        post = model.posteriors(evidence.with_state(mid, s))
        weights.append(v * post.evidence_probability)
        mixtures.append(post.probabilities)
    total = sum(weights)
    for h in got.probabilities:
        expected = sum(w * m[h] for w, m in zip(weights, mixtures, strict=True)) / total
        assert got[h] == pytest.approx(expected, abs=1e-12)
    assert got.evidence_probability == pytest.approx(total, rel=1e-12)
    # the planner's explanation distribution takes it too (and sums to one)
    assert math.isclose(float(np.sum(model.explanation_weights(soft))), 1.0)


def test_bad_soft_evidence_is_an_inference_error() -> None:
    model, evidence, mid = model_and_evidence()
    with pytest.raises(InferenceError, match="every likelihood is 0"):
        model.posteriors(Evidence(evidence.symptoms, soft={mid: {}}))
    with pytest.raises(InferenceError, match="bad soft state"):
        model.posteriors(Evidence(evidence.symptoms, soft={mid: {"nope": 1.0}}))
