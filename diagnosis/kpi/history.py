"""History at diagnosis time: what was done on this equipment before, and whether the cause recurs.

:func:`equipment_history` is pure (it takes the interventions of the store);
:func:`history_from_store` reads them through :meth:`Store.interventions`.
The report (``build_report(..., history=...)``), the TUI and the CLI show:

* the last interventions on the equipment (before this session), newest first;
* the earlier interventions that found the cause now leading or concluded, and
  what fixed them (remedy, activity, parts, validation);
* ``recurrence``: how many times this cause was found on this equipment within
  ``window_days`` up to now, this session included, and the flag text
  ("third time in 90 days: look for the deeper cause") from two on;
* the other causes recurring on the equipment in the window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase
    from diagnosis.store import Intervention, Store

__all__ = [
    "EquipmentHistory",
    "PastIntervention",
    "dashboard_data",
    "equipment_history",
    "history_from_store",
    "reading_series",
    "recurrence_text",
    "report_history",
]

UNKNOWN = "_unknown"


@dataclass(frozen=True)
class PastIntervention:
    session_id: str
    at: datetime
    root_cause: str | None
    name: str
    remedy: str
    activity: str | None
    parts: tuple[str, ...]
    downtime_min: float | None
    validation_passed: bool | None


@dataclass(frozen=True)
class EquipmentHistory:
    equipment: str
    cause: str | None  # the cause the history is about (leading or concluded)
    window_days: float
    recent: tuple[PastIntervention, ...]
    same_cause: tuple[PastIntervention, ...]
    recurrence: int  # occurrences of ``cause`` within the window, this session included
    flag: str  # the recurrence flag text ("" under two occurrences)
    recurrent: tuple[tuple[str, str, int], ...]  # (cause, name, occurrences in the window)

    def to_dict(self) -> dict[str, Any]:
        from diagnosis.report.data import to_json_data

        data: dict[str, Any] = to_json_data(self)
        return data


def _name(kb: KnowledgeBase | None, cause: str | None, lang: str) -> str:
    from diagnosis.i18n import tr

    if not cause:
        return ""
    if cause == UNKNOWN:
        return tr("kpi.history.unknown_cause", lang)
    if kb is not None and cause in kb.causes:
        return kb.causes[cause].name.get(lang) or cause
    return cause


def recurrence_text(count: int, days: float, lang: str) -> str:
    """``Third time in 90 days: look for the deeper cause`` (empty under 2)."""
    from diagnosis.i18n import tr

    if count < 2:
        return ""
    key = f"kpi.history.ordinal.{count}"
    ordinal = tr(key, lang)
    if ordinal == key:
        ordinal = tr("kpi.history.ordinal.n", lang, n=count)
    text = tr("kpi.history.flag", lang, ordinal=ordinal, days=f"{days:g}")
    return text[:1].upper() + text[1:]


def equipment_history(
    interventions: Sequence[Intervention],
    equipment: str,
    cause: str | None,
    *,
    now: datetime | None = None,
    session_id: str | None = None,
    window_days: float = 90.0,
    limit: int = 5,
    kb: KnowledgeBase | None = None,
    lang: str = "en",
) -> EquipmentHistory:
    """The history of ``equipment`` before ``now`` (this session ``session_id`` excluded)."""
    moment = now or datetime.now(UTC)
    past = sorted(
        (
            i
            for i in interventions
            if i.equipment == equipment
            and i.session_id != session_id
            and i.request_time <= moment
            and i.status != "abandoned"
            and not i.is_exercise  # a trainee's exercise on a simulated machine
        ),
        key=lambda i: (i.request_time, i.session_id),
        reverse=True,
    )

    def line(i: Intervention) -> PastIntervention:
        return PastIntervention(
            session_id=i.session_id,
            at=i.request_time,
            root_cause=i.root_cause,
            name=_name(kb, i.root_cause, lang),
            remedy=i.remedy or "",
            activity=i.activity,
            parts=tuple(f"{p.ref} x{p.qty:g}" for p in i.parts),
            downtime_min=i.downtime_min,
            validation_passed=i.validation_passed,
        )

    start = moment - timedelta(days=window_days)
    in_window = [i for i in past if i.request_time >= start and i.root_cause]
    same = [i for i in past if cause and i.root_cause == cause]
    recurrence = 0
    if cause and cause != UNKNOWN:
        recurrence = 1 + sum(1 for i in in_window if i.root_cause == cause)
    counts = Counter(i.root_cause for i in in_window if i.root_cause != UNKNOWN)
    recurrent = tuple(
        (c, _name(kb, c, lang), n)
        for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
        if c and n >= 2
    )
    return EquipmentHistory(
        equipment=equipment,
        cause=cause,
        window_days=window_days,
        recent=tuple(line(i) for i in past[:limit]),
        same_cause=tuple(line(i) for i in same[:limit]),
        recurrence=recurrence,
        flag=recurrence_text(recurrence, window_days, lang),
        recurrent=recurrent,
    )


def history_from_store(
    store: Store,
    equipment: str,
    cause: str | None,
    *,
    now: datetime | None = None,
    session_id: str | None = None,
    window_days: float = 90.0,
    limit: int = 5,
    kb: KnowledgeBase | None = None,
    lang: str = "en",
) -> EquipmentHistory:
    """:func:`equipment_history` on the store's interventions of ``equipment``."""
    return equipment_history(
        store.interventions(equipment=equipment),
        equipment,
        cause,
        now=now,
        session_id=session_id,
        window_days=window_days,
        limit=limit,
        kb=kb,
        lang=lang,
    )


def report_history(
    store: Store,
    events: Sequence[Any],
    kb: KnowledgeBase | None,
    lang: str = "en",
    window_days: float = 90.0,
) -> EquipmentHistory | None:
    """The history of a session's equipment for its report: about the concluded cause,
    else the leading one of the last ranking; as it stood when the session started."""
    from diagnosis.session.events import ConclusionReached, RankingSnapshot, SessionStarted

    if not events or not isinstance(events[0], SessionStarted):
        return None
    start = events[0]
    cause: str | None = None
    for event in events:
        if isinstance(event, RankingSnapshot) and event.ranking:
            cause = event.ranking[0][0]
        elif isinstance(event, ConclusionReached) and event.root_cause:
            cause = event.root_cause
    return history_from_store(
        store,
        start.equipment,
        cause,
        now=start.at,
        session_id=start.session_id,
        window_days=window_days,
        kb=kb,
        lang=lang,
    )


def reading_series(
    store: Store, equipment: str, *, since: datetime | None = None
) -> dict[str, list[tuple[datetime, float]]]:
    """Numeric readings recorded in the diagnoses of ``equipment``, per measurement, in time order.

    Replays each session's events (a reading undone is dropped); for trends on screen.
    """
    from diagnosis.session.events import ReadingRecorded, ReadingUndone

    out: dict[str, list[tuple[datetime, float]]] = {}
    from diagnosis.store.base import is_exercise

    for summary in store.sessions(equipment=equipment, since=since):
        if is_exercise(summary.work_order):
            continue  # simulated readings of a trainee's exercise
        live: dict[str, tuple[datetime, float]] = {}
        for event in store.events(summary.id):
            if isinstance(event, ReadingRecorded):
                value = event.value
                if isinstance(value, int | float) and not isinstance(value, bool):
                    live[event.measurement] = (event.at, float(value))
                else:
                    live.pop(event.measurement, None)
            elif isinstance(event, ReadingUndone):
                live.pop(event.measurement, None)
        for mid, point in live.items():
            out.setdefault(mid, []).append(point)
    for points in out.values():
        points.sort()
    return out


def dashboard_data(
    store: Store,
    kb: KnowledgeBase,
    equipment: str | None,
    *,
    days: float = 365.0,
    now: datetime | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """What the TUI dashboard shows: reliability over ``days``, history and store trends."""
    from diagnosis.kpi.reliability import reliability

    moment = now or datetime.now(UTC)
    since = moment - timedelta(days=days)
    interventions = store.interventions(since=since)
    doc: dict[str, Any] = {
        "reliability": reliability(interventions, kb, since=since, until=moment),
        "history": None,
        "trends": {},
    }
    if equipment:
        doc["history"] = equipment_history(
            interventions, equipment, None, now=moment, kb=kb, lang=lang, limit=8
        )
        doc["trends"] = reading_series(store, equipment, since=since)
    return doc
