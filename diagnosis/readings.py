"""How a reading is written for people: ``205 °C``, ``58 psi`` converted, ``yes``, ``wet``.

The one formatter of a reading's value. The CLI transcript, the report and the
TUI each speak with their own words (``not available`` in a report, ``n/a`` in
a narrow TUI column), named by a :data:`VOICES` entry; the rules are here once.
A leaf module: it imports only :mod:`diagnosis.i18n`.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.i18n import format_number, tr

__all__ = ["VOICES", "Voice", "reading_text"]


@dataclass(frozen=True)
class Voice:
    """The translation keys one place writes a reading with."""

    not_available: str
    yes: str
    no: str
    typed: str = ""  # ``{raw}``: what was typed in another unit ("" when not shown)
    typed_sep: str = ""  # between the value and the typed note
    digits: int = 6  # significant digits of a number


VOICES: dict[str, Voice] = {
    "report": Voice(
        "report_doc.not_available",
        "report_doc.yes",
        "report_doc.no",
        "report_doc.readings.typed",
        " ",
    ),
    "transcript": Voice(
        "session.run.not_available",
        "session.run.state.true",
        "session.run.state.false",
        "session.run.typed",
    ),
    "screen": Voice("reading.not_available", "bool.true", "bool.false", digits=4),
}


def reading_text(
    value: object,
    lang: str,
    *,
    voice: str = "report",
    unit: str | None = "",
    available: bool = True,
    label: str = "",
    typed: str = "",
) -> str:
    """A reading's value in words, in ``lang``.

    Args:
        value: the recorded value (a number, a boolean, a choice id, None).
        lang: the language.
        voice: which words (a :data:`VOICES` key).
        unit: the measurement's unit, written after a number.
        available: False when the measurement could not be taken.
        label: a choice's name in ``lang`` (written instead of its raw id).
        typed: what was typed in another unit (``58 psi``), shown beside the converted value.
    """
    words = VOICES[voice]
    if not available:
        return tr(words.not_available, lang)
    if isinstance(value, bool):
        return tr(words.yes if value else words.no, lang)
    if isinstance(value, int | float):
        shown = format_number(float(value), lang, words.digits) + (f" {unit}" if unit else "")
        if typed and words.typed:
            shown += words.typed_sep + tr(words.typed, lang, raw=typed)
        return shown
    if label:
        return label
    return "" if value is None else str(value)
