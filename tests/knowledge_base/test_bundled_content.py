"""The bundled knowledge base: coverage the issue asks for, two languages, distinguishable causes.

The Bayesian check that the diagnosis *finds* every cause from the readings it
alone produces lives with the session tests; here we check the content itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from diagnosis.i18n import Text
from diagnosis.kb import EquipmentKB, KnowledgeBase, load_kb
from diagnosis.kb.model import CATEGORIES_5M, SYMPTOM_CATEGORIES


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def _equipments(kb: KnowledgeBase) -> Iterator[EquipmentKB]:
    yield from kb.equipments


def test_kb_size(kb: KnowledgeBase) -> None:
    summary = kb.summary()
    assert summary["equipment"] >= 3
    assert summary["causes"] >= 60
    assert summary["fault_trees"] >= 3


def test_each_equipment_is_complete(kb: KnowledgeBase) -> None:
    for eq in _equipments(kb):
        assert len(eq.causes) >= 20, eq.id
        assert {c.category_5m for c in eq.causes} == set(CATEGORIES_5M), eq.id
        assert len(eq.measurements) >= 15, eq.id
        assert len(eq.symptoms) >= 5, eq.id
        assert {s.category for s in eq.symptoms} == set(SYMPTOM_CATEGORIES), eq.id
        assert eq.equipment.components, eq.id
        assert any(r.then.exclude for r in eq.rules), eq.id
        assert any(r.then.alert for r in eq.rules), eq.id
        kinds = {p.kind for p in eq.procedures} | {
            kb.procedure(m.requires.procedure).kind for m in eq.measurements if m.requires.procedure
        }
        assert {"alert", "lockout"} <= kinds, eq.id
        assert kb.trees_for(eq.id), eq.id


def test_every_cause_has_what_a_technician_needs(kb: KnowledgeBase) -> None:
    for eq in _equipments(kb):
        fmea_causes = {f.cause for f in eq.fmea}
        for cause in eq.causes:
            where = f"{eq.id}/{cause.id}"
            assert cause.remedy, where
            assert cause.repair_min, where
            assert cause.why, where
            assert cause.id in fmea_causes, f"{where}: no FMEA line"
            assert any(e.symptom and e.p >= 0.5 for e in cause.effects), where


def test_numeric_measurements_are_real(kb: KnowledgeBase) -> None:
    for eq in _equipments(kb):
        for m in eq.measurements:
            assert m.instrument, f"{eq.id}/{m.id}: no instrument"
            assert m.point, f"{eq.id}/{m.id}: no test point"
            if m.kind == "numeric":
                th = m.thresholds
                assert m.unit and m.nominal is not None, m.id
                assert th.low_alarm is not None or th.high_alarm is not None, m.id
                lo = th.low_alarm if th.low_alarm is not None else float("-inf")
                hi = th.high_alarm if th.high_alarm is not None else float("inf")
                assert lo < m.nominal < hi, f"{m.id}: nominal outside its alarm band"
        assert any(m.requires.lockout for m in eq.measurements), eq.id


def _texts(eq: EquipmentKB) -> Iterator[tuple[str, Text]]:
    yield f"{eq.id} name", eq.equipment.name
    for comp in eq.equipment.components:
        yield f"component {comp.id}", comp.name
    for s in eq.symptoms:
        yield f"symptom {s.id}", s.name
    for m in eq.measurements:
        yield f"measurement {m.id}", m.name
        if m.instrument:
            yield f"measurement {m.id} instrument", m.instrument
        if m.point:
            yield f"measurement {m.id} point", m.point
    for c in eq.causes:
        yield f"cause {c.id}", c.name
        yield f"cause {c.id} remedy", c.remedy
        for i, why in enumerate(c.why):
            yield f"cause {c.id} why {i}", why
    for p in eq.procedures:
        yield f"procedure {p.id}", p.name
        for i, step in enumerate(p.steps):
            yield f"procedure {p.id} step {i}", step


def test_every_text_in_english_and_french(kb: KnowledgeBase) -> None:
    missing = [
        where
        for eq in _equipments(kb)
        for where, text in _texts(eq)
        if not (dict(text.values).get("en") and dict(text.values).get("fr"))
    ]
    assert missing == []


def signature(eq: EquipmentKB, cause_id: str) -> frozenset[tuple[str, str]]:
    """The measurement states a cause produces with p >= 0.5."""
    cause = eq.cause(cause_id)
    return frozenset(
        (str(e.measurement), str(e.state)) for e in cause.effects if e.measurement and e.p >= 0.5
    )


def test_no_two_causes_share_a_signature(kb: KnowledgeBase) -> None:
    for eq in _equipments(kb):
        seen: dict[frozenset[tuple[str, str]], str] = {}
        for cause in eq.causes:
            sig = signature(eq, cause.id)
            assert sig, f"{cause.id}: no measurement effect with p >= 0.5"
            assert sig not in seen, f"{cause.id} and {seen[sig]} share {sorted(sig)}"
            seen[sig] = cause.id


def test_no_rule_excludes_a_cause_in_its_own_situation(kb: KnowledgeBase) -> None:
    for eq in _equipments(kb):
        for cause in eq.causes:
            sig = dict(signature(eq, cause.id))
            produced = {e.symptom for e in cause.effects if e.symptom and e.p >= 0.5}
            for rule in eq.rules:
                if cause.id not in rule.then.exclude:
                    continue
                holds = all(
                    (c.symptom is not None and (c.symptom in produced) == c.present)
                    or (
                        c.measurement is not None
                        and c.state is not None
                        and sig.get(c.measurement, eq.measurement(c.measurement).normal_state)
                        == c.state
                    )
                    for c in rule.when
                )
                assert not holds, f"rule {rule.id} excludes {cause.id} in its own situation"
