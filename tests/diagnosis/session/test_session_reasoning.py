"""Reasoning regressions of issue 14 on the bundled knowledge base.

* A listed choice ``none`` is a reading, not *not available*; the
  injection-press rule ``im-rule-no-visible-leak`` that depends on it fires.
"""

from __future__ import annotations

from functools import cache

import pytest

from diagnosis.kb.model import KnowledgeBase
from diagnosis.rules import interpret
from diagnosis.session import Session


@cache
def bundled() -> KnowledgeBase:
    from diagnosis.kb import load_kb
    from diagnosis.kb.loader import bundled_kb_dir

    if not any(bundled_kb_dir().glob("*.yaml")):
        pytest.skip("no bundled knowledge base yet")
    return load_kb()


def test_listed_none_choice_is_a_reading_on_every_bundled_measurement() -> None:
    kb = bundled()
    listing = [
        m for eq in kb.equipments for m in eq.measurements if m.kind == "choice" and "none" in m.choices
    ]
    assert len(listing) >= 4
    for m in listing:
        it = interpret(m, "none")
        assert (it.available, it.state, it.value) == (True, "none", "none"), m.id
        assert interpret(m, "None").state == "none"
        assert interpret(m, "n/a").available is False  # other words still mean not available
        assert interpret(m, None).available is False


def test_no_visible_leak_rule_fires_on_the_injection_press() -> None:
    kb = bundled()
    session = Session.start(
        kb, "injection-press-01", ["im-press-stops"], absent_symptoms=["im-oil-on-floor"]
    )
    assert "im-hose-leak" not in session.excluded
    session.answer("im-oil-leak-location", "none")
    assert session.readings[-1].state == "none"
    assert session.excluded.get("im-hose-leak") == "im-rule-no-visible-leak"
    assert session.excluded.get("im-cylinder-rod-seal-worn") == "im-rule-no-visible-leak"


@pytest.mark.parametrize(
    ("equipment", "cause", "weak"),
    [
        ("pp-cell-01", "pp-cup-worn", {"pp-cup-condition": "torn"}),
        ("cv-line-01", "cv-pulley-bearing-worn", {"cv-vsd-fault-code": "olf-motor-overload"}),
    ],
)
def test_a_weak_effect_of_the_true_cause_is_not_a_contradiction(
    equipment: str, cause: str, weak: dict[str, str]
) -> None:
    from diagnosis.session import SimulatedMachine, run_session

    kb = bundled()
    eq = kb.equipment(equipment)
    assert any(e.measurement in weak and e.p < 0.2 for e in eq.cause(cause).effects)
    machine = SimulatedMachine(eq, cause, overrides=weak)
    session = Session.start(kb, equipment, list(machine.symptoms))
    for mid, value in weak.items():
        session.answer(mid, value)
    run_session(session, machine)
    assert session.verification() != "contradicted"
    assert session.default_root_cause() == cause


def test_a_symptom_alone_stops_when_nothing_is_worth_its_minutes() -> None:
    from diagnosis.session import SimulatedMachine, run_session
    from diagnosis.session.base import WORTH_BITS_PER_MIN
    from diagnosis.session.run_json import run_json

    kb = bundled()
    eq = kb.equipment("cv-line-01")
    session = Session.start(kb, eq.id, ["cv-belt-slip"])
    run_session(session, SimulatedMachine(eq))  # a healthy machine: every reading normal
    assert session.stop_reason == "exhausted"
    assert len(session.readings) == 26  # was 43 (every informative measurement)
    assert len(session.readings) < len(eq.measurements)
    data = run_json(session)
    assert data["root_cause"] is None
    worth = data["worth_measuring"]
    assert [w["measurement"] for w in worth] == [
        "cv-oil-leak-location",
        "cv-dc-bus-ripple",
        "cv-vsd-params",
    ]
    for w in worth:  # each would be worth it, were it quicker than it is
        assert w["worth_up_to_min"] == round(w["gain"] / WORTH_BITS_PER_MIN, 1)
        assert w["worth_up_to_min"] < w["cost_min"]
