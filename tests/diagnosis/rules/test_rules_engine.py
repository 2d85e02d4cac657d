"""The KB rules run by experta: exclude, alert, suggest, note; critical and safety alerts."""

from __future__ import annotations

from diagnosis.i18n import Text
from diagnosis.kb.model import (
    Action,
    Cause,
    Condition,
    Effect,
    Equipment,
    EquipmentKB,
    KnowledgeBase,
    Measurement,
    Procedure,
    Rule,
    Symptom,
    Thresholds,
)
from diagnosis.rules import AlertDue, Observation, rules_engine

M = (
    Measurement(
        "p",
        Text.of("Pressure"),
        "numeric",
        unit="bar",
        nominal=6,
        thresholds=Thresholds(2, 5, 7, 9),
        on_critical="stop",
    ),
    Measurement(
        "t",
        Text.of("Temperature"),
        "numeric",
        unit="°C",
        nominal=40,
        thresholds=Thresholds(None, None, 60, 80),
    ),  # no on_critical
    Measurement("lamp", Text.of("Lamp"), "boolean", normal="true"),
)
CAUSES = (
    Cause("c1", Text.of("C1"), "machine", 0.05, (Effect(0.9, measurement="p", state="low"),)),
    Cause("c2", Text.of("C2"), "machine", 0.05, (Effect(0.9, symptom="noise"),)),
)
RULES = (
    Rule("lamp-on", (Condition(measurement="lamp", state="true"),), Action(exclude=("c1",))),
    Rule("smoke-stop", (Condition(symptom="smoke"),), Action(alert="stop")),
    Rule(
        "very-low",
        (Condition(measurement="p", below=4.0),),
        Action(suggest=("lamp",), note=Text.of({"en": "Check leaks", "fr": "Chercher les fuites"})),
    ),
    Rule("hot", (Condition(measurement="t", above=50.0),), Action(exclude=("c2",))),
    Rule(
        "no-noise",
        (Condition(symptom="noise", present=False), Condition(measurement="lamp", state="false")),
        Action(exclude=("c2",)),
    ),
)
SYMPTOMS = (
    Symptom("smoke", Text.of("Smoke"), "safety"),
    Symptom("fire", Text.of("Fire"), "safety"),
    Symptom("noise", Text.of("Noise"), "productivity"),
)
PROCS = (
    Procedure("stop", "alert", Text.of("Stop"), (Text.of("a"), Text.of("b"))),
    Procedure("lock", "lockout", Text.of("Lock"), (Text.of("a"),)),
)
KB = KnowledgeBase((EquipmentKB(Equipment("e", Text.of("E")), SYMPTOMS, M, CAUSES, RULES, PROCS),))


def evaluate(symptoms: dict[str, bool], *obs: Observation):  # type: ignore[no-untyped-def]
    return rules_engine(KB, "e").evaluate(symptoms, obs)


def test_no_facts_nothing_fires() -> None:
    out = evaluate({})
    assert (dict(out.excluded), out.alerts, out.suggestions, out.notes, out.fired) == (
        {},
        (),
        (),
        (),
        (),
    )


def test_exclusion_by_state() -> None:
    out = evaluate({}, Observation("lamp", True, "true"))
    assert dict(out.excluded) == {"c1": "lamp-on"}
    assert evaluate({}, Observation("lamp", False, "false")).excluded == {}


def test_below_and_above_are_strict_and_numeric_only() -> None:
    assert evaluate({}, Observation("p", 4.0, "low")).fired == ()
    out = evaluate({}, Observation("p", 3.99, "low"))
    assert out.fired == ("very-low",)
    assert out.suggestions == (("lamp", "very-low"),)
    assert out.notes[0][0] == "very-low" and out.notes[0][1].get("fr") == "Chercher les fuites"
    assert evaluate({}, Observation("t", 50.0, "normal")).excluded == {}
    assert dict(evaluate({}, Observation("t", 50.5, "normal")).excluded) == {"c2": "hot"}
    assert evaluate({}, Observation("p", None, None)).fired == ()


def test_symptom_alert_rule_and_safety_fallback() -> None:
    out = evaluate({"smoke": True})
    assert out.alerts == (AlertDue("stop", "smoke-stop", "rule"),)
    # 'fire' is a safety symptom no rule alerts on: the equipment's alert procedure is raised.
    out = evaluate({"fire": True})
    assert out.alerts == (AlertDue("stop", "fire", "safety_symptom"),)
    assert evaluate({"smoke": False, "noise": True}).alerts == ()


def test_critical_reading_fires_on_critical_or_the_alert_procedure() -> None:
    assert evaluate({}, Observation("p", 1.0, "low", True)).alerts == (
        AlertDue("stop", "p", "critical"),
    )
    assert evaluate({}, Observation("p", 2.0, "low", False)).alerts == ()
    assert evaluate({}, Observation("t", 90.0, "high", True)).alerts == (
        AlertDue("stop", "t", "critical"),
    )


def test_absent_symptom_condition_needs_a_reported_absence() -> None:
    lamp_off = Observation("lamp", False, "false")
    assert evaluate({}, lamp_off).excluded == {}  # noise not reported: unknown
    assert evaluate({"noise": True}, lamp_off).excluded == {}
    assert dict(evaluate({"noise": False}, lamp_off).excluded) == {"c2": "no-noise"}


def test_outcome_is_in_kb_order_and_first_rule_names_the_exclusion() -> None:
    out = evaluate(
        {"noise": False, "smoke": True},
        Observation("lamp", False, "false"),
        Observation("t", 70.0, "high"),
    )
    assert out.fired == ("smoke-stop", "hot", "no-noise")
    assert dict(out.excluded) == {"c2": "hot"}


def test_engine_is_cached_per_kb() -> None:
    assert rules_engine(KB, "e") is rules_engine(KB, "e")
