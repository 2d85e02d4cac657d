"""A KB rule in words, from its conditions (rules have ids, not names).

``Fumée au fourreau et Température matière < 150 °C``: what the technician
reads in an alert or an exclusion instead of ``im-r-smoke-low-temp``. Used by
the report and the terminal UI alike (one wording).
"""

from __future__ import annotations

from typing import Any

from diagnosis.i18n import format_number, tr

__all__ = ["describe_rule", "state_words"]


def state_words(m: Any, state: str, lang: str) -> str:
    """A measurement state in words: ``bas``, ``oui``, a choice by its label."""
    if m is not None and m.kind == "choice":
        return str(m.choice_label(state, lang))
    key = f"report_doc.state.{state}"
    text = tr(key, lang)
    return state if text == key else text


def describe_rule(eq: Any, rule_id: str, lang: str) -> str:
    """The conditions of rule ``rule_id`` of equipment ``eq`` in words; the id when unknown."""
    rule = next((r for r in getattr(eq, "rules", ()) if r.id == rule_id), None)
    if rule is None:
        return rule_id
    parts: list[str] = []
    for c in rule.when:
        if getattr(c, "finding", None) is not None:
            found = next(
                (f for r in eq.rules for f in r.then.derive if f.id == c.finding), None
            )
            parts.append(str(found.name.get(lang)) if found is not None else str(c.finding))
            continue
        if c.symptom is not None:
            known = eq.has("symptom", c.symptom)
            name = str(eq.symptom(c.symptom).name.get(lang)) if known else c.symptom
            parts.append(name if c.present else tr("rules.describe.absent", lang, symptom=name))
            continue
        m = eq.measurement(c.measurement) if eq.has("measurement", c.measurement) else None
        name = str(m.name.get(lang)) if m is not None else str(c.measurement)
        unit = f" {m.unit}" if m is not None and m.unit else ""
        if c.below is not None:
            parts.append(f"{name} < {format_number(c.below, lang)}{unit}")
        elif c.above is not None:
            parts.append(f"{name} > {format_number(c.above, lang)}{unit}")
        elif c.state is not None:
            state = state_words(m, str(c.state), lang)
            parts.append(tr("rules.describe.state", lang, measurement=name, state=state))
        else:
            parts.append(name)
    return tr("rules.describe.and", lang).join(parts) or rule_id
