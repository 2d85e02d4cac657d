"""Reliability indicators from the recorded interventions: MTBF, MTTR, Pareto/ABC, recurrence.

Read through :meth:`diagnosis.store.Store.interventions` (the CMMS view).
A *failure* is an intervention whose session was closed ``done`` (abandoned and
still-open sessions are not failures). Over the period [``since`` or the first
failure's day, ``until`` or now]:

* MTBF = (period − downtime) / failures: calendar time in service per failure
  (the store does not know opening hours; give a production log to ``kpi oee`` for
  the operating-time view);
* MTTR = mean downtime (failure to return to service: diagnosis, repair, restart),
  from the remedy's ``downtime_min``; MRT = mean active labour (``labour_min``);
* availability = MTBF / (MTBF + MTTR) (intrinsic availability, not the
  NF E60-182 Tf/Tr of ``kpi oee``);
* per component: the KB component of the root cause (``--kb``);
* Pareto/ABC of root causes by count, downtime and cost, where
  cost = labour hours × labour rate + downtime hours × downtime rate (the store has
  no part prices); class A while the cumulative share before the item is < 80 %,
  B while < 95 %, else C;
* recurrence: the same root cause on the same equipment again within N days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase
    from diagnosis.store import Intervention

__all__ = ["CostRates", "abc_class", "failures_of", "pareto", "recurrences", "reliability"]

UNKNOWN = "_unknown"


@dataclass(frozen=True)
class CostRates:
    labour_per_h: float = 50.0
    downtime_per_h: float = 250.0

    def cost(self, i: Intervention) -> float:
        return (i.labour_min or 0.0) / 60.0 * self.labour_per_h + (
            i.downtime_min or 0.0
        ) / 60.0 * self.downtime_per_h


def failures_of(interventions: Sequence[Intervention]) -> list[Intervention]:
    """The interventions that count as failures (session closed ``done``), oldest first.

    A trainee's exercise (work order ``exercise:…``, a simulated machine) is no failure.
    """
    return sorted(
        (i for i in interventions if i.status == "done" and not i.is_exercise),
        key=lambda i: (i.request_time, i.session_id),
    )


def abc_class(cumulative_before: float) -> str:
    return "A" if cumulative_before < 0.8 else "B" if cumulative_before < 0.95 else "C"


def pareto(items: dict[tuple[str, str], float]) -> list[dict[str, Any]]:
    """Items (equipment, cause) -> value, sorted decreasing with share, cumulative and class."""
    total = sum(items.values())
    rows = sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))
    out: list[dict[str, Any]] = []
    cumulative = 0.0
    for (equipment, cause), value in rows:
        share = value / total if total > 0 else 0.0
        out.append(
            {
                "equipment": equipment,
                "cause": cause,
                "value": value,
                "share": share,
                "cumulative": cumulative + share,
                "class": abc_class(cumulative),
            }
        )
        cumulative += share
    return out


def recurrences(failures: Sequence[Intervention], days: float = 90.0) -> list[dict[str, Any]]:
    """Causes found again on the same equipment within ``days``: the longest such run each.

    Each entry: equipment, cause, ``count`` (the most occurrences inside one window of
    ``days``), ``dates`` (ISO, of every occurrence in the period) and ``within_days``.
    """
    groups: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for f in failures:
        if f.root_cause and f.root_cause != UNKNOWN:
            groups[(f.equipment, f.root_cause)].append(f.request_time)
    out: list[dict[str, Any]] = []
    window = timedelta(days=days)
    for (equipment, cause), dates in sorted(groups.items()):
        dates.sort()
        best, j = 1, 0
        for k in range(len(dates)):
            while dates[k] - dates[j] > window:
                j += 1
            best = max(best, k - j + 1)
        if best >= 2:
            out.append(
                {
                    "equipment": equipment,
                    "cause": cause,
                    "count": best,
                    "occurrences": len(dates),
                    "dates": [d.isoformat() for d in dates],
                    "within_days": days,
                }
            )
    out.sort(key=lambda r: (-r["count"], -r["occurrences"], r["equipment"], r["cause"]))
    return out


def _indicators(
    failures: Sequence[Intervention], period_h: float
) -> dict[str, float | int | None]:
    n = len(failures)
    downtime_h = sum((f.downtime_min or 0.0) for f in failures) / 60.0
    labour_h = sum((f.labour_min or 0.0) for f in failures) / 60.0
    with_downtime = [f.downtime_min for f in failures if f.downtime_min is not None]
    with_labour = [f.labour_min for f in failures if f.labour_min is not None]
    mtbf = (period_h - downtime_h) / n if n else None
    mttr = sum(with_downtime) / len(with_downtime) / 60.0 if with_downtime else None
    mrt = sum(with_labour) / len(with_labour) / 60.0 if with_labour else None
    availability = (
        mtbf / (mtbf + mttr) if mtbf is not None and mttr is not None and mtbf + mttr > 0 else None
    )
    return {
        "failures": n,
        "downtime_h": downtime_h,
        "labour_h": labour_h,
        "mtbf_h": mtbf,
        "mttr_h": mttr,
        "mrt_h": mrt,
        "availability": availability,
    }


def reliability(
    interventions: Sequence[Intervention],
    kb: KnowledgeBase | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    equipment: str | None = None,
    recurrence_days: float = 90.0,
    rates: CostRates = CostRates(),
) -> dict[str, Any]:
    """The JSON-ready reliability report of the interventions (see the module docstring)."""
    chosen = [
        i
        for i in failures_of(interventions)
        if (equipment is None or i.equipment == equipment)
        and (since is None or i.request_time >= since)
        and (until is None or i.request_time < until)
    ]
    end = until or datetime.now(UTC)
    if chosen and end < chosen[-1].request_time:
        end = chosen[-1].request_time
    if since is not None:
        start = since
    elif chosen:
        first = chosen[0].request_time
        start = first.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        start = end
    period_h = max((end - start).total_seconds() / 3600.0, 0.0)
    by_eq: dict[str, list[Intervention]] = defaultdict(list)
    for f in chosen:
        by_eq[f.equipment].append(f)
    equipments: list[dict[str, Any]] = []
    for eq_id in sorted(by_eq):
        items = by_eq[eq_id]
        by_comp: dict[str, list[Intervention]] = defaultdict(list)
        for f in items:
            by_comp[_component(kb, f.root_cause)].append(f)
        components = [
            {"component": comp, **_indicators(fs, period_h)}
            for comp, fs in sorted(by_comp.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]
        equipments.append({"equipment": eq_id, **_indicators(items, period_h), "components": components})
    count: dict[tuple[str, str], float] = defaultdict(float)
    downtime: dict[tuple[str, str], float] = defaultdict(float)
    cost: dict[tuple[str, str], float] = defaultdict(float)
    for f in chosen:
        key = (f.equipment, f.root_cause or UNKNOWN)
        count[key] += 1
        downtime[key] += (f.downtime_min or 0.0) / 60.0
        cost[key] += rates.cost(f)
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat(), "hours": period_h},
        "failures": len(chosen),
        "equipment": equipments,
        "pareto": {"count": pareto(count), "downtime_h": pareto(downtime), "cost": pareto(cost)},
        "recurrences": recurrences(chosen, recurrence_days),
        "cost_rates": {"labour_per_h": rates.labour_per_h, "downtime_per_h": rates.downtime_per_h},
    }


def _component(kb: KnowledgeBase | None, cause: str | None) -> str:
    if kb is None or not cause:
        return UNKNOWN
    found = kb.causes.get(cause)
    return found.component or UNKNOWN if found is not None else UNKNOWN
