"""A small hand-made equipment for the session tests (exact numbers, every feature)."""

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
    Requires,
    Rule,
    Symptom,
    Thresholds,
    WhyEvidence,
)


def t(en: str, fr: str | None = None) -> Text:
    return Text.of({"en": en, "fr": fr or en})


MEASUREMENTS = (
    Measurement(
        "oil-level",
        t("Oil level sight glass", "Niveau d'huile au voyant"),
        "boolean",
        normal="true",
        cost_min=1,
        equipment="test-press",
    ),
    Measurement(
        "granule-aspect",
        t("Granule aspect", "Aspect des granulés"),
        "choice",
        choices=("dry", "wet", "contaminated"),
        normal="dry",
        cost_min=2,
        equipment="test-press",
    ),
    Measurement(
        "melt-temp",
        t("Melt temperature at nozzle", "Température matière en buse"),
        "numeric",
        unit="°C",
        nominal=230,
        thresholds=Thresholds(190, 215, 245, 270),
        cost_min=5,
        on_critical="stop-and-alert",
        equipment="test-press",
    ),
    Measurement(
        "heater-current",
        t("Heater zone 2 current", "Courant collier zone 2"),
        "boolean",
        normal="true",
        cost_min=3,
        requires=Requires(habilitation="BR", ppe=(t("Insulating gloves", "Gants isolants"),)),
        equipment="test-press",
    ),
    Measurement(
        "hyd-pressure",
        t("Hydraulic pressure", "Pression hydraulique"),
        "numeric",
        unit="bar",
        nominal=140,
        thresholds=Thresholds(None, 120, 160, None),
        cost_min=10,
        requires=Requires(lockout=True, procedure="lockout-press"),
        equipment="test-press",
    ),
)

CAUSES = (
    Cause(
        "heater-burnt",
        t("Heater band zone 2 burnt out", "Collier zone 2 grillé"),
        "machine",
        0.04,
        (
            Effect(0.7, symptom="short-shot"),
            Effect(0.9, measurement="melt-temp", state="low"),
            Effect(0.95, measurement="heater-current", state="false"),
        ),
        why=(
            t("Melt is too cold to fill the mould", "La matière est trop froide"),
            t("Zone 2 heater current is missing", "Pas de courant dans le collier zone 2"),
            t("Heater band burnt out", "Collier grillé"),
        ),
        # each link names its own evidence (issue 10: no word matching)
        why_evidence=(
            WhyEvidence(measurement="melt-temp", state="low"),
            WhyEvidence(measurement="heater-current", state="false"),
            None,
        ),
        remedy=t("Replace heater band", "Remplacer le collier"),
        equipment="test-press",
    ),
    Cause(
        "wet-granules",
        t("Wet granules", "Granulés humides"),
        "matiere",
        0.05,
        (Effect(0.6, symptom="short-shot"), Effect(0.9, measurement="granule-aspect", state="wet")),
        why=(t("Granule aspect is wet", "Granulés humides"), t("Dryer off", "Étuve arrêtée")),
        equipment="test-press",
    ),
    Cause(
        "pump-worn",
        t("Hydraulic pump worn", "Pompe hydraulique usée"),
        "machine",
        0.03,
        (
            Effect(0.5, symptom="short-shot"),
            Effect(0.6, symptom="noise"),
            Effect(0.9, measurement="hyd-pressure", state="low"),
        ),
        equipment="test-press",
    ),
    Cause(
        "oil-leak",
        t("Hydraulic oil leak", "Fuite d'huile hydraulique"),
        "machine",
        0.02,
        (
            Effect(0.6, symptom="noise"),
            Effect(0.9, measurement="oil-level", state="false"),
            Effect(0.6, measurement="hyd-pressure", state="low"),
        ),
        equipment="test-press",
    ),
)

RULES = (
    Rule(
        "heater-ok",
        (Condition(measurement="heater-current", state="true"),),
        Action(exclude=("heater-burnt",)),
        equipment="test-press",
    ),
    Rule(
        "smoke-stop",
        (Condition(symptom="smoke"),),
        Action(alert="stop-and-alert"),
        equipment="test-press",
    ),
    Rule(
        "very-low-pressure",
        (Condition(measurement="hyd-pressure", below=100.0),),
        Action(suggest=("oil-level",), note=t("Look for leaks", "Chercher les fuites")),
        equipment="test-press",
    ),
)

PROCEDURES = (
    Procedure(
        "stop-and-alert",
        "alert",
        t("Stop the press and alert", "Arrêter et alerter"),
        (t("Press emergency stop"), t("Isolate the area"), t("Call the supervisor")),
        stop_machine=True,
        equipment="test-press",
    ),
    Procedure(
        "lockout-press",
        "lockout",
        t("Lock out the press", "Consigner la presse"),
        (t("Separate"), t("Lock and tag"), t("Purge"), t("Verify")),
        equipment="test-press",
    ),
)

SYMPTOMS = (
    Symptom("short-shot", t("Short shot", "Manque matière"), "quality", leak=0.02),
    Symptom("smoke", t("Smoke from barrel", "Fumée au fourreau"), "safety"),
    Symptom("noise", t("Pump noise", "Bruit de pompe"), "productivity"),
    Symptom("oil-spill", t("Oil on the floor", "Huile au sol"), "environment"),
)


def make_equipment() -> EquipmentKB:
    return EquipmentKB(
        Equipment("test-press", t("Test press", "Presse d'essai")),
        symptoms=SYMPTOMS,
        measurements=MEASUREMENTS,
        causes=CAUSES,
        rules=RULES,
        procedures=PROCEDURES,
    )


def make_kb() -> KnowledgeBase:
    return KnowledgeBase((make_equipment(),))
