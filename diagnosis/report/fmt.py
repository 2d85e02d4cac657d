"""Formatting shared by the Markdown and HTML writers: numbers, times, values, thresholds.

French readers get ``4,2`` and ``28/11/2026 14:05``; English readers ``4.2``
and ``2026-11-28 14:05``. Times are shown in UTC, as recorded, and say so.
"""

from __future__ import annotations

from datetime import datetime

from diagnosis.i18n import format_datetime, format_number, format_percent, tr
from diagnosis.report.data import ReadingLine

__all__ = ["Fmt"]


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
        return "" if moment is None else format_datetime(moment, self.lang)

    def time(self, moment: datetime | None, day: datetime | None = None) -> str:
        """``14:08:00``; with the date too when it is not the day of ``day`` (the start)."""
        if moment is None:
            return ""
        if day is not None and moment.date() != day.date():
            return format_datetime(moment, self.lang, seconds=True)
        return moment.strftime("%H:%M:%S")

    def minutes(self, value: float | None) -> str:
        return "" if value is None else self.t("minutes", n=self.num(value, 4))

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return ""
        return self.t("yes" if value else "no")

    def state(self, state: str | None) -> str:
        if not state:
            return ""
        key = f"report_doc.state.{state}"
        text = tr(key, self.lang)
        return state if text == key else text

    def value(self, r: ReadingLine) -> str:
        if not r.available:
            return self.t("not_available")
        v = r.value
        if isinstance(v, bool):
            return self.yes_no(v)
        if isinstance(v, int | float):
            return self.num(float(v)) + (f" {r.unit}" if r.unit else "")
        return "" if v is None else str(v)

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

    def kind(self, kind: str) -> str:
        return self.t(f"kind.{kind}") if kind else ""

    def category(self, category: str | None) -> str:
        return self.t(f"5m.{category}") if category else ""

    def status(self, status: str) -> str:
        text = tr(f"report_doc.status.{status}", self.lang)
        return status if text == f"report_doc.status.{status}" else text
