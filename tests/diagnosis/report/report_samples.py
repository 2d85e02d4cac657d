"""A small hand-made KB matching the event log of ``store_samples`` (imported by name:
``from report_samples import make_kb``)."""

from __future__ import annotations

import sys
from pathlib import Path

from diagnosis.i18n import Text
from diagnosis.kb.model import (
    Cause,
    Effect,
    Equipment,
    EquipmentKB,
    FmeaLine,
    KnowledgeBase,
    Measurement,
    Part,
    Procedure,
    Symptom,
    Thresholds,
)

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))
from store_samples import T0, make_events


def T(en: str, fr: str) -> Text:
    return Text.of({"en": en, "fr": fr})


def make_kb(evil: str | None = None) -> KnowledgeBase:
    """The press KB; ``evil`` replaces the heater cause's name (escaping tests)."""
    heater = Cause(
        id="heater",
        name=Text.of(evil) if evil else T("Heater band burnt", "Collier chauffant grillé"),
        category_5m="machine",
        prior=0.05,
        effects=(
            Effect(0.9, symptom="short-shot"),
            Effect(0.9, measurement="melt-temp", state="low"),
        ),
        remedy=T("Replace the heater band", "Remplacer le collier"),
        repair_min=60,
        validation=T("Run 50 shots", "Faire 50 injections"),
        parts=(Part("HB-220", T("heater band", "collier")),),
        failure_mode="LOO",
        mechanism="4.2",
        cause_class="3.4",
        description=T("Zone 2 heater open circuit", "Collier zone 2 coupé"),
    )
    nozzle = Cause(
        id="nozzle",
        name=T("Nozzle blocked", "Buse bouchée"),
        category_5m="matiere",
        prior=0.03,
        effects=(Effect(0.8, symptom="short-shot"),),
    )
    operator = Cause(
        id="setting",
        name=T("Wrong setting", "Mauvais réglage"),
        category_5m="methode",
        prior=0.02,
        effects=(Effect(0.5, symptom="short-shot"),),
    )
    eq = EquipmentKB(
        equipment=Equipment(
            "press-01",
            T("Injection press 1", "Presse à injecter 1"),
            tag="PR-01",
            location="Line 2",
        ),
        symptoms=(Symptom("short-shot", T("Short shots", "Pièces incomplètes"), "quality"),),
        measurements=(
            Measurement(
                "melt-temp",
                T("Melt temperature", "Température matière"),
                "numeric",
                unit="°C",
                nominal=230.0,
                thresholds=Thresholds(
                    low_critical=180, low_alarm=215, high_alarm=245, high_critical=260
                ),
                instrument=T("thermocouple", "thermocouple"),
                point=T("nozzle", "buse"),
            ),
            Measurement(
                "heater-current",
                T("Heater current", "Courant collier"),
                "numeric",
                unit="A",
                nominal=4.0,
                instrument=T("clamp meter", "pince ampèremétrique"),
            ),
        ),
        causes=(heater, nozzle, operator),
        procedures=(
            Procedure(
                "lockout-press",
                "lockout",
                T("Lock out the press", "Consigner la presse"),
                (T("Stop", "Arrêter"), T("Lock", "Condamner")),
                stop_machine=True,
            ),
        ),
        fmea=(
            FmeaLine(
                "F1",
                "heater",
                7,
                4,
                3,
                failure_mode=T("No heat", "Pas de chauffe"),
                effect=T("Short shots", "Pièces incomplètes"),
                actions=(T("Monitor current", "Surveiller le courant"),),
            ),
        ),
    )
    return KnowledgeBase(equipments=(eq,))


__all__ = ["T0", "make_events", "make_kb"]
