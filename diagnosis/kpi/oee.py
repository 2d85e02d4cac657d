"""OEE / TRS by the NF E60-182 time decomposition, from a production log.

The production log (``docs/kpi.md``) has one row per interval of one
equipment: ``equipment,start,end,state,good,scrap,ideal_cycle_s``. Times
are summed per state, then decomposed::

    Tt total       = every interval the log covers
    To opening     = Tt - closed
    Tr required    = To - planned_stop
    Tf operating   = Tr - breakdown - changeover       (minor stops stay inside Tf)
    Tn net         = (good + scrap) x ideal cycle
    Tu useful      = good x ideal cycle

    TRS = Tu/Tr = availability (Tf/Tr) x performance (Tn/Tf) x quality (Tu/Tn)
    TRG = Tu/To,  TRE = Tu/Tt

A row belongs to a ``--from``/``--to`` period when it *starts* in it (rows
are not cut, so part counts are never prorated).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from diagnosis.errors import Problem
from diagnosis.kpi.csvin import CsvError, parse_float, parse_moment, read_csv

__all__ = ["STATES", "OeeResult", "ProductionRow", "compute_oee", "ratio", "read_production"]

STATES = ("closed", "planned_stop", "running", "minor_stop", "breakdown", "changeover")
COLUMNS = ("equipment", "start", "end", "state", "good", "scrap", "ideal_cycle_s")


@dataclass(frozen=True)
class ProductionRow:
    line: int
    equipment: str
    start: datetime
    end: datetime
    state: str
    good: int = 0
    scrap: int = 0
    ideal_cycle_s: float = 0.0

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def read_production(path: str | Path) -> list[ProductionRow]:
    """Every row of a production log, checked; raises :class:`CsvError` listing bad lines."""
    name = str(path)
    problems: list[Problem] = []
    rows: list[ProductionRow] = []

    def bad(line: int, key: str, **kw: object) -> None:
        problems.append(Problem.coded(name, line, 0, f"kpi.oee.err.{key}", **kw))

    for raw in read_csv(path, COLUMNS):
        n = raw.line
        equipment = raw.get("equipment")
        state = raw.get("state").lower()
        if not equipment:
            bad(n, "no_equipment")
            continue
        if state not in STATES:
            bad(n, "state", state=raw.get("state"), known=", ".join(STATES))
            continue
        try:
            start = parse_moment(raw.get("start"))
            end = parse_moment(raw.get("end"))
        except ValueError:
            bad(n, "date", start=raw.get("start"), end=raw.get("end"))
            continue
        if end <= start:
            bad(n, "order", start=raw.get("start"), end=raw.get("end"))
            continue
        counts = {c: raw.get(c) for c in ("good", "scrap", "ideal_cycle_s")}
        if state != "running":
            if any(v and parse_float(v) != 0 for v in counts.values()):
                bad(n, "counts_not_running", state=state)
                continue
            rows.append(ProductionRow(n, equipment, start, end, state))
            continue
        good, scrap = parse_float(counts["good"]), parse_float(counts["scrap"])
        cycle = parse_float(counts["ideal_cycle_s"])
        if good is None or scrap is None or cycle is None:
            bad(n, "missing_counts")
            continue
        if good < 0 or scrap < 0 or good != int(good) or scrap != int(scrap):
            bad(n, "counts", good=counts["good"], scrap=counts["scrap"])
            continue
        if cycle <= 0:
            bad(n, "cycle", value=counts["ideal_cycle_s"])
            continue
        row = ProductionRow(n, equipment, start, end, state, int(good), int(scrap), cycle)
        net = (row.good + row.scrap) * cycle
        if net > row.seconds + 1e-6:
            bad(n, "too_fast", net=round(net, 3), span=round(row.seconds, 3))
            continue
        rows.append(row)
    by_equipment: dict[str, list[ProductionRow]] = defaultdict(list)
    for row in rows:
        by_equipment[row.equipment].append(row)
    for series in by_equipment.values():
        series.sort(key=lambda r: (r.start, r.line))
        latest = series[0]  # the row reaching furthest so far
        for after in series[1:]:
            if after.start < latest.end:
                bad(after.line, "overlap", other=latest.line, equipment=after.equipment)
            if after.end > latest.end:
                latest = after
    if problems:
        raise CsvError(problems)
    return rows


def ratio(num: float, den: float) -> float | None:
    """``num / den``, None when ``den`` is zero (an indicator with no time to measure)."""
    return num / den if den > 0 else None


@dataclass
class OeeResult:
    """The decomposition of one equipment over the period (times in seconds)."""

    equipment: str
    first: datetime
    last: datetime
    by_state: dict[str, float] = field(default_factory=dict)
    good: int = 0
    scrap: int = 0
    net: float = 0.0
    useful: float = 0.0
    uncovered: float = 0.0  # gaps between rows inside [first, last]

    @property
    def total(self) -> float:
        return sum(self.by_state.values())

    @property
    def opening(self) -> float:
        return self.total - self.by_state.get("closed", 0.0)

    @property
    def required(self) -> float:
        return self.opening - self.by_state.get("planned_stop", 0.0)

    @property
    def operating(self) -> float:
        return (
            self.required
            - self.by_state.get("breakdown", 0.0)
            - self.by_state.get("changeover", 0.0)
        )

    def indicators(self) -> dict[str, float | None]:
        return {
            "trs": ratio(self.useful, self.required),
            "trg": ratio(self.useful, self.opening),
            "tre": ratio(self.useful, self.total),
            "availability": ratio(self.operating, self.required),
            "performance": ratio(self.net, self.operating),
            "quality": ratio(self.useful, self.net),
            "load": ratio(self.required, self.opening),
        }

    def to_dict(self) -> dict[str, Any]:
        running = self.by_state.get("running", 0.0)
        return {
            "equipment": self.equipment,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            **self.indicators(),
            "times": {
                "total": self.total,
                "opening": self.opening,
                "required": self.required,
                "operating": self.operating,
                "net": self.net,
                "useful": self.useful,
            },
            "states": {s: self.by_state.get(s, 0.0) for s in STATES},
            "losses": {
                "closed": self.by_state.get("closed", 0.0),
                "planned_stop": self.by_state.get("planned_stop", 0.0),
                "breakdown": self.by_state.get("breakdown", 0.0),
                "changeover": self.by_state.get("changeover", 0.0),
                "minor_stop": self.by_state.get("minor_stop", 0.0),
                "speed": running - self.net,
                "quality": self.net - self.useful,
            },
            "parts": {"good": self.good, "scrap": self.scrap},
            "uncovered": self.uncovered,
        }


def compute_oee(
    rows: list[ProductionRow],
    *,
    equipment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[OeeResult]:
    """One :class:`OeeResult` per equipment (sorted by id) over rows starting in [since, until)."""
    chosen = [
        r
        for r in rows
        if (equipment is None or r.equipment == equipment)
        and (since is None or r.start >= since)
        and (until is None or r.start < until)
    ]
    out: dict[str, OeeResult] = {}
    for row in sorted(chosen, key=lambda r: (r.equipment, r.start)):
        res = out.get(row.equipment)
        if res is None:
            res = out[row.equipment] = OeeResult(row.equipment, row.start, row.end)
        elif row.start > res.last:
            res.uncovered += (row.start - res.last).total_seconds()
        res.last = max(res.last, row.end)
        res.by_state[row.state] = res.by_state.get(row.state, 0.0) + row.seconds
        if row.state == "running":
            res.good += row.good
            res.scrap += row.scrap
            res.net += (row.good + row.scrap) * row.ideal_cycle_s
            res.useful += row.good * row.ideal_cycle_s
    return [out[k] for k in sorted(out)]
