"""History at diagnosis time, in one line or two (issue 13, item 4).

The screens read the store's interventions once, in a worker, and call these
pure functions on that list whenever the highlighted equipment or the leading
cause changes: no database read on a keystroke. The engine side is
:func:`diagnosis.kpi.history.equipment_history` (exercise sessions and
abandoned ones left out, the current session excluded).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from diagnosis.i18n import format_number, tr

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase
    from diagnosis.kpi.history import PastIntervention
    from diagnosis.store.base import Intervention

__all__ = ["cause_line", "date_text", "equipment_lines"]

RECENT = 3  # interventions named on the equipment screen
WINDOW_DAYS = 90.0


def date_text(moment: datetime, lang: str) -> str:
    """``12/11/2026`` in French, ``2026-11-12`` in English, in local time."""
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return local.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")


def _fix(p: PastIntervention) -> str:
    """What fixed a past intervention: its remedy, else its activity, else its parts."""
    text = p.remedy or p.activity or ", ".join(p.parts)
    return " ".join(str(text).split())  # one line


def equipment_lines(
    interventions: Sequence[Intervention], equipment: str, kb: KnowledgeBase | None, lang: str
) -> list[str]:
    """The last interventions on ``equipment`` (date, cause, downtime) and its recurrent
    causes; or "no intervention recorded"."""
    from diagnosis.kpi.history import equipment_history

    history = equipment_history(
        interventions, equipment, None, kb=kb, lang=lang, limit=RECENT, window_days=WINDOW_DAYS
    )
    if not history.recent:
        return [tr("equipment.history.none", lang)]
    items = []
    for p in history.recent:
        cause = p.name or tr("equipment.history.no_cause", lang)
        item = tr("equipment.history.item", lang, date=date_text(p.at, lang), cause=cause)
        if p.downtime_min is not None:
            minutes = format_number(p.downtime_min, lang, 4)
            item = tr("equipment.history.downtime", lang, item=item, minutes=minutes)
        items.append(item)
    lines = [tr("equipment.history.last", lang, items=" · ".join(items))]
    if history.recurrent:
        causes = ", ".join(
            tr("equipment.history.recurrent_item", lang, cause=name, n=n)
            for _, name, n in history.recurrent
        )
        lines.append(
            tr("equipment.history.recurrent", lang, days=f"{WINDOW_DAYS:g}", items=causes)
        )
    return lines


def cause_line(
    interventions: Sequence[Intervention],
    equipment: str,
    cause: str | None,
    lang: str,
    *,
    session_id: str | None = None,
) -> str:
    """Whether ``cause`` was found on ``equipment`` before, how often, when last and what
    fixed it; "" when the equipment has no recorded intervention (or no cause leads)."""
    from diagnosis.kpi.history import UNKNOWN, equipment_history

    if not cause or cause == UNKNOWN:
        return ""
    history = equipment_history(
        interventions,
        equipment,
        cause,
        session_id=session_id,
        lang=lang,
        limit=max(1, len(interventions)),
    )
    if not history.recent:
        return ""
    found = history.same_cause
    if not found:
        return tr("diag.history.never", lang, n=len(history.recent))
    last = found[0]
    key = "diag.history.found_once" if len(found) == 1 else "diag.history.found_n"
    text = tr(key, lang, n=len(found), date=date_text(last.at, lang))
    fix = _fix(last)
    return tr("diag.history.fixed", lang, text=text, remedy=fix) if fix else text
