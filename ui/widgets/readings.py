"""The readings taken so far, newest last, with their interpreted state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text as RichText
from textual.widgets import Static

from diagnosis.i18n import tr
from diagnosis.kb.model import EquipmentKB, Measurement
from diagnosis.readings import reading_text
from diagnosis.ui.text import kb_text

if TYPE_CHECKING:
    from diagnosis.session.types import Reading

__all__ = ["ReadingsPanel", "reading_value"]


def reading_value(r: Reading, lang: str, m: Measurement | None = None) -> str:
    """How a reading shows: ``205 °C``, ``yes``, ``wet`` (a choice by its name in ``lang``
    when ``m``, its measurement, names it), ``n/a``."""
    return reading_text(
        r.value,
        lang,
        voice="screen",
        unit=r.unit,
        available=getattr(r, "available", True) and r.value is not None,
        label=m.choice_label(str(r.value), lang) if m is not None and m.kind == "choice" else "",
    )


class ReadingsPanel(Static):
    """A compact table of :class:`diagnosis.session.Reading` values."""

    DEFAULT_CLASSES = "readings"

    def __init__(self, equipment: EquipmentKB, lang: str, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.equipment = equipment
        self.lang = lang

    def show(self, readings: Sequence[Reading]) -> None:
        lang = self.lang
        if not readings:
            self.update(RichText(tr("reading.none", lang), style="dim italic"))
            return
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(justify="right", style="dim", no_wrap=True)
        table.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        for i, r in enumerate(readings, 1):
            try:
                m: Measurement | None = self.equipment.measurement(r.measurement)
            except KeyError:
                m = None
            name = kb_text(m.name, lang) if m is not None else r.measurement
            flag = _flag(self.equipment, r, lang)
            mark = "" if getattr(r, "proposed", True) else " *"
            table.add_row(str(i), name + mark, reading_value(r, lang, m), flag)
        self.update(table)


def _flag(eq: EquipmentKB, r: Reading, lang: str) -> RichText:
    """The state column: numeric states in words, abnormal ones coloured, critical in red."""
    state = r.state or ""
    try:
        kind = eq.measurement(r.measurement).kind
    except KeyError:
        kind = "numeric"
    label = tr(f"state.{state}", lang) if kind == "numeric" and state else ""
    if r.critical:
        return RichText(tr("reading.critical", lang, state=label or state), style="bold red")
    if not state:
        return RichText("")
    if _is_normal(eq, r):
        return RichText(label or "✓", style="green")
    return RichText(label or "!", style="bold yellow")


def _is_normal(eq: EquipmentKB, r: Reading) -> bool:
    try:
        return bool(r.state == eq.measurement(r.measurement).normal_state)
    except KeyError:
        return False
