"""Formatting shared by the Markdown and HTML writers: numbers, times, values, thresholds.

French readers get ``4,2`` and ``28/11/2026 14:05``; English readers ``4.2``
and ``2026-11-28 14:05``. Times are recorded in UTC and shown in the local
time zone of the machine that writes the report, with its offset (``UTC+01:00``),
said once at the top of the report.
"""

from __future__ import annotations

from datetime import UTC, datetime

from diagnosis.i18n import format_datetime, format_number, format_percent, tr
from diagnosis.readings import reading_text
from diagnosis.report.data import ReadingLine

__all__ = ["Fmt", "utc_offset", "wrap_words"]


def wrap_words(text: str, width: int) -> list[str]:
    """The words of ``text`` in lines of about ``width`` characters (a longer word
    stands alone); no line for a text without words."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def _local(moment: datetime) -> datetime:
    """``moment`` in the local time zone (a naive time is taken as UTC, as recorded)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def utc_offset(moment: datetime | None = None) -> str:
    """``UTC+01:00``: the local offset at ``moment`` (now when None)."""
    local = _local(moment) if moment is not None else datetime.now(UTC).astimezone()
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class Fmt:
    """Formatting bound to one language (used as jinja2 filters too)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.colon = tr("report_doc.colon", lang)  # French puts a space before the colon

    def t(self, key: str, **kwargs: object) -> str:
        return tr(f"report_doc.{key}", self.lang, **kwargs)

    def num(self, value: float | None, digits: int = 6) -> str:
        return "" if value is None else format_number(float(value), self.lang, digits)

    def pct(self, p: float | None) -> str:
        return "" if p is None else format_percent(p, self.lang)

    def dt(self, moment: datetime | None) -> str:
        return "" if moment is None else format_datetime(_local(moment), self.lang)

    def offset(self, moment: datetime | None) -> str:
        return utc_offset(moment)

    def tz_note(self, moment: datetime | None) -> str:
        """``Times are local (UTC+01:00).`` for the time zone of ``moment`` (the start)."""
        return self.t("times_local", offset=utc_offset(moment))

    def by(self, r: ReadingLine) -> str:
        """Who recorded a reading, and the habilitated colleague who took it, if one did."""
        if not r.taken_by:
            return r.actor
        taken = self.t("readings.taken_by", name=r.taken_by, habilitation=r.taken_by_habilitation)
        return f"{r.actor} ({taken})"

    def time(self, moment: datetime | None, day: datetime | None = None) -> str:
        """``14:08:00``; with the date too when it is not the day of ``day`` (the start)."""
        if moment is None:
            return ""
        moment = _local(moment)
        day = _local(day) if day is not None else None
        if day is not None and moment.date() != day.date():
            return format_datetime(moment, self.lang, seconds=True)
        return moment.strftime("%H:%M:%S")

    def minutes(self, value: float | None) -> str:
        return "" if value is None else self.t("minutes", n=self.num(value, 4))

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return ""
        return self.t("yes" if value else "no")

    def state(self, state: str | None, label: str = "") -> str:
        """A reading state in words; ``label``: a choice's name (never its raw id)."""
        if label:
            return label
        if not state:
            return ""
        key = f"report_doc.state.{state}"
        text = tr(key, self.lang)
        return state if text == key else text

    def value(self, r: ReadingLine) -> str:
        """A reading's value: ``205 °C (typed: 401 °F)``, ``yes``, a choice's name."""
        return reading_text(
            r.value, self.lang, unit=r.unit, available=r.available, label=r.label, typed=r.typed
        )

    def nominal(self, r: ReadingLine) -> str:
        if r.nominal is None:
            return ""
        return self.num(r.nominal) + (f" {r.unit}" if r.unit else "")

    def thresholds(self, r: ReadingLine) -> str:
        """``LL 2 · L 3 · H 8 · HH 9`` (critical low, alarm low, alarm high, critical high)."""
        parts = []
        for label, value in (
            ("LL", r.low_critical),
            ("L", r.low_alarm),
            ("H", r.high_alarm),
            ("HH", r.high_critical),
        ):
            if value is not None:
                parts.append(f"{label} {self.num(value)}")
        return " · ".join(parts)

    def activity(self, code: str | None) -> str:
        """An ISO 14224 activity code (``repair``) in words, in the report's language."""
        if not code:
            return ""
        text = tr(f"activity.{code}", self.lang)
        return code if text == f"activity.{code}" else text

    def kind(self, kind: str) -> str:
        return self.t(f"kind.{kind}") if kind else ""

    def category(self, category: str | None) -> str:
        return self.t(f"5m.{category}") if category else ""

    def status(self, status: str) -> str:
        text = tr(f"report_doc.status.{status}", self.lang)
        return status if text == f"report_doc.status.{status}" else text
