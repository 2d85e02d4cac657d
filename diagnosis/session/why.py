"""The evidence behind a conclusion and the prefilled 5-Why chain.

A cause's ``why`` template (kb-format.md) runs from the observed symptom down
to the cause. A link is tied to evidence **only through the KB** (issue 10):
a ``why`` entry may name the measurement (optionally the state) or the
symptom that supports it (``{text, measurement, state}`` or ``{text,
symptom}``, knowledge_base/README.md). The prefilled link then carries that
measurement (or symptom) id as its ``evidence`` when — and only when — its
own evidence was observed: a current reading of that measurement in that
state (in an abnormal state when no state is named), or the symptom reported
present. A ``{value}`` in the link's text is replaced by the measured value
(number and unit, in the session's language), so that a template figure is
never shown as if it had been measured. Links that name no evidence, or whose
evidence was not observed, keep ``evidence=None``: the technician must justify
them (an observation, the history), which is why the chain stays editable.
No word of the texts is compared: "last" in a link says nothing about the
fault history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from diagnosis.bayes.evidence import UNKNOWN
from diagnosis.i18n import format_number, link_in
from diagnosis.kb.model import EquipmentKB, WhyEvidence
from diagnosis.session.events import WhyLink
from diagnosis.session.types import Reading

__all__ = ["link_in", "suggest_why", "supporting_readings"]


def supporting_readings(
    equipment: EquipmentKB, root: str | None, readings: Iterable[Reading]
) -> tuple[str, ...]:
    """Measurement ids whose current reading supports ``root``.

    For a KB cause: available readings in a state the cause produces (an effect
    on that measurement and state) that is not the healthy state. For
    ``_unknown``: abnormal readings that no cause of the equipment names.
    """
    readings = [r for r in readings if r.available and r.state is not None]
    if root is None:
        return ()
    if root == UNKNOWN:
        named = {
            (e.measurement, e.state) for c in equipment.causes for e in c.effects if e.measurement
        }
        return tuple(
            r.measurement
            for r in readings
            if r.state != equipment.measurement(r.measurement).normal_state
            and (r.measurement, r.state) not in named
        )
    if not equipment.has("cause", root):
        return ()
    produced = {(e.measurement, e.state) for e in equipment.cause(root).effects if e.measurement}
    return tuple(
        r.measurement
        for r in readings
        if (r.measurement, r.state) in produced
        and r.state != equipment.measurement(r.measurement).normal_state
    )


def _observed(
    equipment: EquipmentKB,
    ev: WhyEvidence | None,
    readings: dict[str, Reading],
    symptoms: Iterable[str],
) -> str | None:
    """The id of ``ev``'s measurement or symptom when it was observed, else None."""
    if ev is None:
        return None
    if ev.symptom is not None and ev.symptom in set(symptoms):
        return ev.symptom
    if ev.measurement is not None and equipment.has("measurement", ev.measurement):
        r = readings.get(ev.measurement)
        if r is None or r.state is None:
            return None
        normal = equipment.measurement(ev.measurement).normal_state
        if (ev.state is not None and r.state == ev.state) or (
            ev.state is None and r.state != normal
        ):
            return ev.measurement
    return None


def _value_text(equipment: EquipmentKB, ev: WhyEvidence | None, readings: dict[str, Reading], lang: str) -> str:
    """The measured value for a ``{value}`` in a link's text: ``30 °C``; ``?`` when unmeasured."""
    if ev is None or ev.measurement is None or ev.measurement not in readings:
        return "?"
    r = readings[ev.measurement]
    if isinstance(r.value, bool):
        return str(r.value).lower()
    if isinstance(r.value, int | float):
        return format_number(float(r.value), lang) + (f" {r.unit}" if r.unit else "")
    return "?" if r.value is None else str(r.value)


def suggest_why(
    equipment: EquipmentKB,
    root: str | None,
    readings: Sequence[Reading],
    lang: str = "en",
    symptoms: Iterable[str] = (),
) -> list[WhyLink]:
    """The cause's 5-Why template in ``lang``, each link tied to its own KB evidence.

    Args:
        equipment: the equipment diagnosed.
        root: the concluded cause.
        readings: the session's current readings.
        lang: the language of the texts.
        symptoms: the symptoms reported present.
    """
    if root is None or root == UNKNOWN or not equipment.has("cause", root):
        return []
    cause = equipment.cause(root)
    current = {r.measurement: r for r in readings if r.available}
    present = tuple(symptoms)
    evidence = list(cause.why_evidence) + [None] * (len(cause.why) - len(cause.why_evidence))
    links = []
    for text, ev in zip(cause.why, evidence, strict=False):
        shown = text.get(lang)
        if "{value}" in shown:
            shown = shown.replace("{value}", _value_text(equipment, ev, current, lang))
        links.append(WhyLink(shown, _observed(equipment, ev, current, present)))
    return links
