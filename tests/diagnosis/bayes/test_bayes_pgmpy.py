"""The fast exact path equals pgmpy's variable elimination to 1e-9; export round-trips."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_equipment import synthetic

import diagnosis.bayes.exact as exact
from diagnosis.bayes import CauseFactor, DiagnosticModel, Evidence
from diagnosis.bayes.export import export_network
from diagnosis.bayes.network import cause_node, measurement_node, symptom_node
from diagnosis.bayes.pgmpy_adapter import pgmpy_posteriors, to_pgmpy
from diagnosis.errors import UsageError
from diagnosis.kb.model import KnowledgeBase

TOLERANCE = 1e-9


def random_evidence(
    model: DiagnosticModel,
    rng: np.random.Generator,
    *,
    n_symptoms: int = 2,
    n_states: int = 5,
    exclude: int = 1,
    factor: bool = True,
) -> Evidence:
    symptoms = {
        str(s): bool(rng.random() < 0.7)
        for s in rng.choice(
            model.symptoms, size=min(n_symptoms, len(model.symptoms)), replace=False
        )
    }
    states = {
        str(m): str(rng.choice(model.states[str(m)]))
        for m in rng.choice(
            model.measurements, size=min(n_states, len(model.measurements)), replace=False
        )
    }
    excluded = frozenset(str(c) for c in rng.choice(model.causes, size=exclude, replace=False))
    factors: tuple[CauseFactor, ...] = ()
    if factor:
        pair = tuple(str(c) for c in rng.choice(model.causes, size=2, replace=False))
        factors = (
            CauseFactor(pair, tuple(float(x) for x in rng.uniform(0.05, 1.0, 4)), label="ft"),
        )
    return Evidence(symptoms, states, excluded, factors)


def assert_same(model: DiagnosticModel, evidence: Evidence) -> None:
    fast = model.posteriors(evidence).probabilities
    reference = pgmpy_posteriors(model, evidence).probabilities
    assert set(fast) == set(reference)
    worst = max(abs(fast[h] - reference[h]) for h in fast)
    assert worst < TOLERANCE, (evidence, worst)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_path_equals_pgmpy_on_random_networks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    model = DiagnosticModel(synthetic().synthetic_equipment(int(rng.integers(6, 14)), seed=seed))
    for _ in range(3):
        assert_same(model, random_evidence(model, rng))


def test_variable_elimination_equals_enumeration(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    model = DiagnosticModel(synthetic().synthetic_equipment(40, seed=7))
    for _ in range(4):
        evidence = random_evidence(model, rng, n_symptoms=4, n_states=12)
        findings = model.findings(evidence)
        enumerated, log_e = exact.exact_marginals(model, findings)
        monkeypatch.setattr(exact, "ENUMERATE_MAX", 0)
        eliminated, log_v = exact.exact_marginals(model, findings)
        monkeypatch.setattr(exact, "ENUMERATE_MAX", 14)
        assert np.abs(enumerated - eliminated).max() < 1e-12
        assert log_e == pytest.approx(log_v, abs=1e-10)


def test_fast_path_equals_pgmpy_on_a_large_component() -> None:
    # Many positive findings: components above ENUMERATE_MAX go through elimination.
    rng = np.random.default_rng(11)
    model = DiagnosticModel(synthetic().synthetic_equipment(24, seed=11))
    evidence = Evidence(
        symptoms={s: True for s in model.symptoms},
        states={
            m: next(s for s in model.states[m] if s != model.normal[m])
            for m in model.measurements[:8]
        },
    )
    assert_same(model, evidence)
    assert_same(model, random_evidence(model, rng, n_symptoms=5, n_states=10))


def bundled_kb() -> KnowledgeBase:
    from diagnosis.kb.loader import load_kb

    kb = load_kb()  # a bundled KB that does not load is a failure, never a skip
    assert kb.equipments
    return kb


def test_fast_path_equals_pgmpy_on_every_bundled_equipment() -> None:
    kb = bundled_kb()
    rng = np.random.default_rng(2026)
    for eq in kb.equipments:
        model = DiagnosticModel(eq)
        assert_same(model, Evidence())
        assert_same(model, random_evidence(model, rng, n_symptoms=2, n_states=4, factor=False))


def test_network_is_a_valid_pgmpy_model_with_the_documented_nodes() -> None:
    eq = synthetic().synthetic_equipment(5, seed=3)
    model = DiagnosticModel(eq)
    bn = to_pgmpy(model)
    assert bn.check_model()
    nodes = set(bn.nodes())
    assert {cause_node(c) for c in model.hypotheses} <= nodes
    assert {symptom_node(s) for s in model.symptoms} <= nodes
    assert {measurement_node(m) for m in model.measurements} <= nodes
    assert (
        max(
            len(bn.get_parents(n))
            for n in nodes
            if not n.startswith("measurement.") or n.count(".") > 1
        )
        <= 2
    )


@pytest.mark.parametrize("fmt", ["bif", "xmlbif"])
def test_export_reads_back_in_pgmpy(fmt: str) -> None:
    from pgmpy.inference import VariableElimination
    from pgmpy.readwrite import BIFReader, XMLBIFReader

    eq = synthetic().synthetic_equipment(4, seed=5, equipment_id="export-me")
    kb = KnowledgeBase(equipments=(eq,))
    text = export_network(kb, "export-me", fmt)
    reader = BIFReader(string=text) if fmt == "bif" else XMLBIFReader(string=text)
    back = reader.get_model()
    model = DiagnosticModel(eq)
    assert set(back.nodes()) == set(to_pgmpy(model).nodes())
    symptom = model.symptoms[0]
    evidence = {symptom_node(symptom): "present"}
    cause = model.causes[0]
    answer = VariableElimination(back).query(
        [cause_node(cause)], evidence=evidence, show_progress=False
    )
    expected = model.posteriors(Evidence(symptoms={symptom: True}))[cause]
    assert float(answer.get_value(**{cause_node(cause): "present"})) == pytest.approx(
        expected, abs=1e-6
    )  # text formats round the tables


def test_export_rejects_an_unknown_format() -> None:
    eq = synthetic().synthetic_equipment(3, seed=1, equipment_id="x")
    with pytest.raises(UsageError, match="unknown network format"):
        export_network(KnowledgeBase(equipments=(eq,)), "x", "dot")
