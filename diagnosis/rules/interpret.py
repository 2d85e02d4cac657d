"""From what a technician typed to a measurement state: parsing and thresholds.

Threshold semantics (kb-format.md: "``low`` below ``low_alarm``"), decided
and tested here: a threshold is *strictly* exceeded to count.

========================  ==========================================
value v                   state, critical
========================  ==========================================
v < low_critical          ``low``, critical
low_critical <= v < low_alarm   ``low``
low_alarm <= v <= high_alarm    ``normal`` (both alarm values are normal)
high_alarm < v <= high_critical ``high``
v > high_critical         ``high``, critical
========================  ==========================================

So a reading exactly *on* an alarm threshold is still normal and a reading
exactly on a critical threshold is an alarm, not critical. Omitted thresholds
simply do not apply; a critical threshold without its alarm threshold still
makes the value ``low``/``high`` as well as critical. Rule conditions
``below: X`` / ``above: X`` use the same strict comparison.

Answers are parsed leniently but never guessed: ``"4,2 bar"``, ``"4.2"``,
``4.2`` (from YAML), ``"58 psi"`` (converted to the KB's unit), ``oui`` /
``non`` / ``yes`` / ``no`` / ``true`` / ``false`` / ``o`` / ``n`` / ``1`` / ``0``,
a choice by its number in the list (``1``…), its id or its label in any
language, or a prefix of one of them that names a single choice (case,
accents and ``-``/``_``/space ignored; see :func:`match_choice`). ``None``, ``"n/a"``,
``"nd"``, ``"non disponible"``… mean *not available*, except where the word is
one of the measurement's own choices (``none`` on a leak-location
measurement is the observation "no leak", not a missing reading). Anything else raises a
:class:`~diagnosis.errors.SessionError` with a one-line translated message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from diagnosis.errors import Phrase, SessionError
from diagnosis.i18n import Text, format_number, split_value_unit
from diagnosis.kb.model import Measurement
from diagnosis.rules.units import convert, normalize_unit, physical_floor

__all__ = [
    "LACKING",
    "NOT_AVAILABLE",
    "Interpretation",
    "classify",
    "interpret",
    "is_lacking",
    "is_not_available",
    "physical_floor_of",
]

NOT_AVAILABLE = frozenset(
    {
        "n/a",
        "na",
        "n.a.",
        "nd",
        "n.d.",
        "n/d",
        "-",
        "?",
        "none",
        "null",
        "unknown",
        "not available",
        "unavailable",
        "non disponible",
        "indisponible",
        "inconnu",
        "pas disponible",
        "sans objet",
    }
)
LACKING = frozenset({"lacking", "no tool", "no part", "manque", "pas d'outil", "pas de piece"})
"""Answers meaning "I don't have the instrument / the part here" (not *not available*)."""


def is_lacking(measurement: Measurement, raw: object) -> bool:
    """``raw`` is a :data:`LACKING` answer (and not one of the measurement's own choices)."""
    if not isinstance(raw, str):
        return False
    text = _fold(raw)
    return text in {_fold(w) for w in LACKING} and not any(
        _fold(c) == text for c in measurement.choices
    )


# a comma followed by exactly three digits and nothing else numeric: "1,500", "-12,000 rpm"
_THOUSANDS = re.compile(r"^\s*[-+−]?\d{1,3},\d{3}(?![\d.,])")
_TRUE = frozenset({"true", "yes", "y", "oui", "o", "vrai", "1", "on", "ok"})
_FALSE = frozenset({"false", "no", "n", "non", "faux", "0", "off", "nok"})


@dataclass(frozen=True)
class Interpretation:
    """A parsed answer and what it means.

    Attributes:
        value: the number (in the measurement's unit), the boolean, the choice id,
            or None when not available.
        unit: the measurement's unit for numeric readings.
        state: ``low``/``normal``/``high``, ``true``/``false`` or a choice; None if
            not available.
        critical: beyond a critical threshold (fires ``on_critical``).
        available: False for *not available*.
        raw: what was typed, as text.
    """

    value: float | bool | str | None
    unit: str | None
    state: str | None
    critical: bool
    available: bool
    raw: str
    typed_unit: str = ""  # the unit typed when it is not the KB's (the value is converted)


def classify(measurement: Measurement, value: float) -> tuple[str, bool]:
    """The state and criticality of a numeric ``value`` (see the module table)."""
    t = measurement.thresholds
    if t.low_critical is not None and value < t.low_critical:
        return "low", True
    if t.high_critical is not None and value > t.high_critical:
        return "high", True
    if t.low_alarm is not None and value < t.low_alarm:
        return "low", False
    if t.high_alarm is not None and value > t.high_alarm:
        return "high", False
    return "normal", False


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-]+", "-", text)


def is_not_available(raw: object) -> bool:
    """Whether ``raw`` says *not available* (None or one of :data:`NOT_AVAILABLE`)."""
    return raw is None or (isinstance(raw, str) and raw.strip().lower() in NOT_AVAILABLE)


def interpret(
    measurement: Measurement, raw: str | float | bool | None, lang: str = "en"
) -> Interpretation:
    """Parse ``raw`` for ``measurement`` and interpret it.

    Args:
        measurement: the KB measurement answered.
        raw: what was typed or read (str), a YAML number or boolean, or None.
        lang: the language of the error messages.

    Returns:
        The interpretation (``available`` False for *not available*).

    Raises:
        SessionError: the answer cannot be a reading of this measurement.
    """
    text = _raw_text(raw)
    if is_not_available(raw) and not _is_listed_choice(measurement, raw):
        return Interpretation(None, measurement.unit, None, False, False, text)
    # the name stays multilingual: the error is translated where it is shown
    name: Text | str = measurement.name if measurement.name else measurement.id
    if measurement.kind == "numeric":
        return _numeric(measurement, raw, text, name, lang)
    if measurement.kind == "boolean":
        return _boolean(measurement, raw, text, name)
    return _choice(measurement, raw, text, name, lang)


def _is_listed_choice(measurement: Measurement, raw: object) -> bool:
    """Whether ``raw`` names one of a choice measurement's choices (``none`` can be one)."""
    if measurement.kind != "choice" or not isinstance(raw, str):
        return False
    wanted = _fold(raw)
    return any(_fold(choice) == wanted for choice in measurement.choices)


def _raw_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float):
        return format_number(raw)
    return str(raw).strip()


def _numeric(m: Measurement, raw: object, text: str, name: Text | str, lang: str) -> Interpretation:
    if isinstance(raw, bool):
        raise SessionError(code="rules.error.not_a_number", measurement=name, raw=text)
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        if lang != "fr" and _THOUSANDS.match(text):
            # "1,500": one thousand five hundred to an English reader, 1.5 to a French one
            raise SessionError(code="rules.error.ambiguous_comma", measurement=name, raw=text)
        parsed = split_value_unit(text)
        if parsed is None:
            raise SessionError(code="rules.error.not_a_number", measurement=name, raw=text)
        value, unit = parsed
        if unit and m.unit:
            converted = convert(value, unit, m.unit, difference=m.quantity == "difference")
            if converted is None:
                raise SessionError(
                    code="rules.error.bad_unit", measurement=name, unit=unit, expected=m.unit
                )
            value = converted
        elif unit:
            raise SessionError(code="rules.error.no_unit", measurement=name, unit=unit)
    if not math.isfinite(value):
        raise SessionError(code="rules.error.not_a_number", measurement=name, raw=text)
    floor = _floor(m)
    if floor is not None and value < floor[0]:
        raise SessionError(
            code="rules.error.below_floor",
            measurement=name,
            raw=text,
            limit=f"{format_number(floor[0], lang)} {m.unit}",
            what=Phrase(f"rules.floor.{floor[1]}"),
        )
    state, critical = classify(m, value)
    typed = ""
    if isinstance(raw, str) and m.unit:
        parsed_unit = (split_value_unit(text) or (0.0, ""))[1]
        if parsed_unit and normalize_unit(parsed_unit) != normalize_unit(m.unit):
            typed = parsed_unit
    return Interpretation(value, m.unit, state, critical, True, text, typed)


def _floor(m: Measurement) -> tuple[float, str] | None:
    """The physical floor of ``m``'s unit, unless the KB itself goes below it (a
    measurement of a difference, such as a temperature rise in K, may be negative)."""
    floor = None if m.quantity == "difference" else physical_floor(m.unit)
    if floor is None:
        return None
    t = m.thresholds
    given = [m.nominal, t.low_critical, t.low_alarm, t.high_alarm, t.high_critical]
    if any(v is not None and v < floor[0] for v in given):
        return None
    return floor


def physical_floor_of(measurement: Measurement) -> float | None:
    """The lowest reading :func:`interpret` accepts for ``measurement`` (None: no floor)."""
    floor = _floor(measurement)
    return None if floor is None else floor[0]


def _boolean(m: Measurement, raw: object, text: str, name: Text | str) -> Interpretation:
    if isinstance(raw, bool):
        value = raw
    elif isinstance(raw, int) and raw in (0, 1):
        value = bool(raw)
    else:
        key = text.lower()
        if key in _TRUE:
            value = True
        elif key in _FALSE:
            value = False
        else:
            raise SessionError(code="rules.error.not_a_boolean", measurement=name, raw=text)
    return Interpretation(value, None, "true" if value else "false", False, True, text)


def match_choice(
    text: str, choices: Sequence[str], labels: Mapping[str, Sequence[str]] | None = None
) -> list[str]:
    """The choices that ``text`` may name: one = a match, none or several = not a match.

    Tried in order, case, accents and ``-``/``_``/space ignored: the number of
    its id or one of its ``labels`` exactly, then its number in the list
    (1-based), then the choices whose id or a label starts with ``text``.
    """
    wanted = _fold(text)
    if not wanted:
        return []
    names = {c: [_fold(c), *(_fold(lb) for lb in (labels or {}).get(c, ()))] for c in choices}
    exact = [c for c in choices if wanted in names[c]]
    if exact:
        return exact
    if wanted.isdigit():
        n = int(wanted)
        return [choices[n - 1]] if 1 <= n <= len(choices) else []
    return [c for c in choices if any(n.startswith(wanted) for n in names[c])]


def _choice(m: Measurement, raw: object, text: str, name: Text | str, lang: str) -> Interpretation:
    labels: dict[str, list[str]] = {}
    for choice, label in m.choice_labels:
        labels.setdefault(choice, []).extend(v for _, v in label.values)
    for choice in m.choices:  # no label in the KB: the name shown is accepted too
        if choice not in labels:
            labels[choice] = [m.choice_label(choice, lang), m.choice_label(choice, "en")]
    found = match_choice(text, m.choices, labels)
    if len(found) == 1:
        return Interpretation(found[0], None, found[0], False, True, text)
    listed = ", ".join(
        f"{m.choices.index(c) + 1} {m.choice_label(c, lang)}" for c in found or m.choices
    )
    key = "rules.error.ambiguous_choice" if found else "rules.error.bad_choice"
    raise SessionError(code=key, measurement=name, raw=text, choices=listed)
