"""The ranked hypotheses: probability bars, 5M family, component, exclusions.

Excluded causes stay visible, dimmed and struck through, with the rule or
reason that excluded them: a technician must see *why* a cause is gone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text as RichText
from textual.widgets import Static

from diagnosis.i18n import format_percent, tr
from diagnosis.kb.model import EquipmentKB
from diagnosis.ui.text import kb_text, rule_text

__all__ = ["HypothesesPanel", "bar"]

UNKNOWN = "_unknown"


def bar(p: float, width: int = 10) -> str:
    """A probability bar with eighth-block resolution, ``width`` cells wide."""
    eighths = round(max(0.0, min(1.0, p)) * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest].strip()
    return ("█" * full + partial).ljust(width, "·")


def _color(p: float) -> str:
    if p >= 0.6:
        return "green"
    if p >= 0.25:
        return "yellow"
    return "bright_black"


class HypothesesPanel(Static):
    """A table of the current ranking; call :meth:`show` after every update."""

    DEFAULT_CLASSES = "hypotheses"

    def __init__(self, equipment: EquipmentKB, lang: str, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.equipment = equipment
        self.lang = lang

    def show(
        self,
        ranking: Sequence[tuple[str, float]],
        excluded: Mapping[str, str],
        *,
        limit: int | None = None,
    ) -> None:
        """Render ``ranking`` (cause id, probability), then the excluded causes."""
        lang = self.lang
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(justify="right", width=5, no_wrap=True)
        table.add_column(width=10, no_wrap=True)
        table.add_column(ratio=2, overflow="ellipsis", no_wrap=True)
        table.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
        rows = list(ranking)[:limit] if limit else list(ranking)
        for cause_id, p in rows:
            pct = format_percent(p, lang, 0) if p >= 0.005 else "<" + format_percent(0.01, lang, 0)
            if cause_id == UNKNOWN:
                name = RichText(tr("hyp.unknown", lang), style="italic")
                tag = RichText("?", style="dim")
            else:
                cause = self._cause(cause_id)
                name = RichText(kb_text(cause.name, lang) if cause else cause_id)
                tag = self._tag(cause_id)
            table.add_row(pct, RichText(bar(p), style=_color(p)), name, tag)
        hidden = len(ranking) - len(rows)
        if hidden > 0:
            more = RichText(tr("hyp.more", lang, n=hidden), style="dim italic")
            table.add_row("", "", more, "")
        for cause_id, reason in excluded.items():
            cause = self._cause(cause_id)
            name = RichText(kb_text(cause.name, lang) if cause else cause_id, style="dim strike")
            # A rule by its conditions in words (rules have no names), a manual reason as typed.
            reason = rule_text(self.equipment, reason, lang)
            why = RichText(tr("hyp.excluded_by", lang, reason=reason), style="dim italic")
            table.add_row(RichText("—", style="dim"), RichText("✕", style="dim"), name, why)
        self.update(table)

    def _cause(self, cause_id: str):  # type: ignore[no-untyped-def]
        try:
            return self.equipment.cause(cause_id)
        except KeyError:
            return None

    def _tag(self, cause_id: str) -> RichText:
        cause = self._cause(cause_id)
        if cause is None:
            return RichText("")
        family = tr(f"5m.{cause.category_5m}", self.lang)
        comp = ""
        if cause.component:
            c = self.equipment.equipment.component(cause.component)
            comp = kb_text(c.name, self.lang) if c else cause.component
        out = RichText(family, style="cyan")
        if comp:
            out.append(" · " + comp, style="dim")
        return out
