"""A realistic, deterministic year of plant data for the bundled equipment.

:func:`generate` writes, from a seed:

* ``production.csv``: the production log of each equipment (two shifts 06:00–22:00
  on weekdays, breaks, a monthly planned maintenance, changeovers, micro-stops,
  breakdowns matching the interventions), for ``diagnosis kpi oee``;
* ``readings.csv``: daily condition-monitoring readings of a few measurements, with
  two drifts over the last months (conveyor motor bearing vibration rising, pick-and-place
  vacuum level falling), for ``diagnosis monitor``;
* ``failures.csv``: times between failures per (equipment, component), the running
  time since the last one censored, for ``diagnosis kpi weibull``;
* a store (``demo.db``) with one recorded diagnosis per failure: symptoms, readings
  matching the cause, a confirmed conclusion, remedy, parts, labour and downtime;
  about 5 % of them end on ``_unknown`` (cause not in the KB) with their readings.

Failures of each cause follow a Weibull renewal process whose rate follows the KB
prior (a few causes made more frequent, so that Pareto, recurrence and learning have
something to show); the shape is 2.5 for wear causes (worn, stretched, aged,
clogged…), 0.7 for set-up causes (misadjusted, loose, misset…), 1 otherwise.
"""

from __future__ import annotations

import csv
import itertools
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diagnosis.kb.model import Cause, EquipmentKB, KnowledgeBase, Measurement
    from diagnosis.store import Store

__all__ = ["DemoSummary", "FailureEvent", "generate"]

FAILURES_PER_YEAR = 24.0  # per equipment, before the boosts
BOOST = {  # causes made more frequent (recurrent problems of the demo plant)
    "pp-cup-worn": 5.0,
    "cv-belt-tension-low": 4.0,
    "im-check-ring-worn": 4.0,
    "im-heater-z2-burnt": 3.0,
    "cv-photocell-dirty": 3.0,
}
CYCLE_S = {"cv-line-01": 4.0, "injection-press-01": 30.0, "pp-cell-01": 2.5}
CHANGEOVER_MIN = {"injection-press-01": 45, "pp-cell-01": 20}
WATCHED = {
    "cv-line-01": ("cv-vib-motor-de", "cv-motor-temp", "cv-motor-current"),
    "injection-press-01": ("im-oil-temp", "im-cushion"),
    "pp-cell-01": ("pp-vacuum-level", "pp-frl-pressure"),
}
# (measurement, days before the end when the drift starts, value reached at the end)
DRIFTS = {"cv-vib-motor-de": (90, 1.65), "pp-vacuum-level": (120, 56.5)}
TECHNICIANS = (("A. Martin", ("BR", "B2V")), ("B. Durand", ("BR",)), ("C. Leroy", ("B1V", "BR")))
_WEAR = ("worn", "stretched", "aged", "clogged", "scaled", "saturated", "burnt", "fouled")
_SETUP = ("misadjusted", "misaligned", "loose", "misset", "not-adjusted", "wrong")
OPEN, CLOSE = 6 * 60, 22 * 60  # opening hours, minutes of the day


@dataclass(frozen=True)
class FailureEvent:
    equipment: str
    cause: str
    component: str
    at: datetime
    downtime_min: float
    labour_min: float
    unknown: bool = False


@dataclass
class DemoSummary:
    folder: str
    db: str
    start: str
    days: int
    production_rows: int = 0
    readings: int = 0
    interventions: int = 0
    unknown: int = 0
    failures_rows: int = 0
    per_equipment: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _shape(cause_id: str) -> float:
    if any(w in cause_id for w in _WEAR):
        return 2.5
    if any(w in cause_id for w in _SETUP):
        return 0.7
    return 1.0


def _failures(
    eq: EquipmentKB, start: datetime, days: int, rng: Any
) -> list[FailureEvent]:
    total_prior = sum(c.prior for c in eq.causes) or 1.0
    end = start + timedelta(days=days)
    out: list[FailureEvent] = []
    for cause in eq.causes:
        rate = FAILURES_PER_YEAR * cause.prior / total_prior * BOOST.get(cause.id, 1.0)
        mean_days = 365.0 / rate
        beta = _shape(cause.id)
        eta = mean_days / math.gamma(1.0 + 1.0 / beta)
        # first failure: the item is already in service, at a random fraction of a life
        t = start + timedelta(days=float(eta * rng.weibull(beta) * rng.uniform()))
        while t < end:
            t = _in_opening_hours(t, rng)
            if t >= end:
                break
            repair = (cause.repair_min or 60.0) * float(rng.lognormal(0.0, 0.3))
            downtime = round(repair + 15.0 + float(rng.uniform(0, 30)), 1)
            labour = round(repair * float(rng.uniform(0.8, 1.2)) + 10.0, 1)
            unknown = bool(rng.uniform() < 0.05)
            out.append(
                FailureEvent(eq.id, cause.id, cause.component or "", t, downtime, labour, unknown)
            )
            t = t + timedelta(minutes=downtime) + timedelta(days=float(eta * rng.weibull(beta)))
    out.sort(key=lambda f: f.at)
    # two failures of one equipment cannot overlap: push the later one after the repair
    fixed: list[FailureEvent] = []
    for f in out:
        if fixed:
            prev = fixed[-1]
            free = prev.at + timedelta(minutes=prev.downtime_min + 30)
            if f.at < free:
                moved = _in_opening_hours(free, rng)
                if moved >= end:
                    continue
                f = FailureEvent(
                    f.equipment, f.cause, f.component, moved, f.downtime_min, f.labour_min,
                    f.unknown,
                )
        fixed.append(f)
    return fixed


def _in_opening_hours(t: datetime, rng: Any) -> datetime:
    """The first weekday opening minute at or after ``t`` (failures show while running)."""
    minute = t.hour * 60 + t.minute
    day = datetime(t.year, t.month, t.day, tzinfo=t.tzinfo)
    if minute >= CLOSE - 30:
        day += timedelta(days=1)
        minute = OPEN + int(rng.integers(0, 120))
    elif minute < OPEN:
        minute = OPEN + int(rng.integers(0, 120))
    while day.weekday() >= 5:
        day += timedelta(days=1)
        minute = OPEN + int(rng.integers(0, 120))
    return day + timedelta(minutes=minute)


_CODES = ("closed", "planned_stop", "running", "minor_stop", "breakdown", "changeover")


def _production_rows(
    eq_id: str, start: datetime, days: int, failures: Sequence[FailureEvent], rng: Any
) -> list[list[str]]:
    import numpy as np

    by_day: dict[date, list[FailureEvent]] = {}
    for f in failures:
        by_day.setdefault(f.at.date(), []).append(f)
    cycle = CYCLE_S.get(eq_id, 10.0)
    rows: list[list[str]] = []
    carry = 0  # breakdown minutes running over into the next opening
    for d in range(days):
        day = start + timedelta(days=d)
        minutes = np.zeros(1440, dtype=np.int8)  # 0 closed
        if day.weekday() < 5:
            minutes[OPEN:CLOSE] = 2
            for a, b in ((10 * 60, 10 * 60 + 20), (13 * 60, 13 * 60 + 30), (18 * 60, 18 * 60 + 20)):
                minutes[a:b] = 1
            if day.day <= 7 and day.weekday() == 0:
                minutes[OPEN : OPEN + 120] = 1  # monthly planned maintenance
            if eq_id in CHANGEOVER_MIN:
                a = 14 * 60
                minutes[a : a + CHANGEOVER_MIN[eq_id] + int(rng.integers(-5, 10))] = 5
            for _ in range(int(rng.integers(2, 7))):
                a = int(rng.integers(OPEN, CLOSE - 10))
                if minutes[a] == 2:
                    minutes[a : a + int(rng.integers(2, 8))] = 3
            if carry:
                minutes[OPEN : OPEN + carry] = 4
                carry = 0
            for f in by_day.get(day.date(), []):
                a = f.at.hour * 60 + f.at.minute
                b = a + round(f.downtime_min)
                minutes[a : min(b, CLOSE)] = 4
                carry = max(0, min(b - CLOSE, 240))
        # run-length encode
        change = np.flatnonzero(np.diff(minutes)) + 1
        bounds = [0, *change.tolist(), 1440]
        for a, b in itertools.pairwise(bounds):
            state = _CODES[int(minutes[a])]
            t0 = day + timedelta(minutes=a)
            t1 = day + timedelta(minutes=b)
            good = scrap = cycle_text = ""
            if state == "running":
                made = int((b - a) * 60 * float(rng.uniform(0.86, 0.97)) / cycle)
                bad = int(rng.binomial(made, 0.02))
                good, scrap, cycle_text = str(made - bad), str(bad), f"{cycle:g}"
            rows.append(
                [eq_id, t0.isoformat(), t1.isoformat(), state, good, scrap, cycle_text]
            )
    return rows


def _reading_value(m: Measurement, state: str, rng: Any) -> float | str | bool:
    """A value of ``m`` in ``state`` (numeric between the alarm and critical thresholds)."""
    if m.kind == "boolean":
        return state == "true"
    if m.kind == "choice":
        return state
    t = m.thresholds
    nominal = m.nominal if m.nominal is not None else 0.0
    if state == "high":
        lo = t.high_alarm if t.high_alarm is not None else nominal * 1.2 + 1
        hi = t.high_critical if t.high_critical is not None else lo + abs(lo - nominal) + 1
        return round(float(rng.uniform(lo, lo + 0.8 * (hi - lo))), 3)
    if state == "low":
        hi = t.low_alarm if t.low_alarm is not None else nominal * 0.8 - 1
        lo = t.low_critical if t.low_critical is not None else hi - abs(nominal - hi) - 1
        return round(float(rng.uniform(hi - 0.8 * (hi - lo), hi)), 3)
    return nominal


def _record(store: Store, kb: KnowledgeBase, f: FailureEvent, rng: Any) -> None:
    from diagnosis.kb import kb_digest
    from diagnosis.session.events import (
        ConclusionReached,
        PartUsed,
        ReadingRecorded,
        RemedyRecorded,
        SessionClosed,
        SessionStarted,
        ValidationRecorded,
    )

    cause: Cause = kb.causes[f.cause]
    eq = kb.equipment(f.equipment)
    tech, habs = TECHNICIANS[int(rng.integers(0, len(TECHNICIANS)))]
    sid = str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63))))
    symptoms = sorted(
        {e.symptom for e in cause.effects if e.symptom is not None and e.p >= 0.5}
    )[:2] or [eq.symptoms[0].id]
    at = f.at
    events: list[Any] = [
        SessionStarted(
            at=at,
            actor=tech,
            session_id=sid,
            equipment=f.equipment,
            symptoms=tuple(symptoms),
            technician=tech,
            habilitations=habs,
            kb_digest=kb_digest(kb.root) if kb.root else "",
            work_order=f"WO-{at:%y%m%d}-{int(rng.integers(100, 999))}",
        )
    ]
    evidence: list[str] = []
    for e in cause.effects:
        if e.measurement is None or e.state is None or not eq.has("measurement", e.measurement):
            continue
        if e.measurement in evidence:
            continue  # one reading per measurement (the first effect naming it)
        m = eq.measurement(e.measurement)
        # the reading shows the effect with its probability, else the normal state
        shown = e.state if rng.uniform() < e.p else m.normal
        value = _reading_value(m, shown, rng)
        at += timedelta(minutes=float(m.cost_min))
        events.append(
            ReadingRecorded(
                at=at,
                actor=tech,
                measurement=m.id,
                value=value,
                unit=m.unit if m.kind == "numeric" else None,
                raw=str(value),
                state=shown if m.kind != "boolean" else ("true" if value else "false"),
            )
        )
        evidence.append(m.id)
    at += timedelta(minutes=2)
    if f.unknown:
        events.append(
            ConclusionReached(
                at=at, actor=tech, root_cause="_unknown", probability=0.0, confirmed=False,
                ruled_out=tuple(c.id for c in eq.causes[:3]),
            )
        )
    else:
        events.append(
            ConclusionReached(
                at=at,
                actor=tech,
                root_cause=cause.id,
                probability=round(float(rng.uniform(0.9, 0.99)), 3),
                evidence=tuple(evidence),
                confirmed=True,
            )
        )
    parts = tuple(PartUsed(ref=p.ref, name=p.name.get("en"), qty=p.qty) for p in cause.parts)
    end = f.at + timedelta(minutes=f.downtime_min)
    events.append(
        RemedyRecorded(
            at=end - timedelta(minutes=5),
            actor=tech,
            remedy=cause.remedy.get("en") if not f.unknown else "temporary fix, to investigate",
            activity="replace" if parts else "adjust",
            parts=parts if not f.unknown else (),
            labour_min=f.labour_min,
            downtime_min=f.downtime_min,
            lockout_done=True,
        )
    )
    events.append(
        ValidationRecorded(at=end - timedelta(minutes=1), actor=tech, test="restart", passed=True)
    )
    events.append(SessionClosed(at=end, actor=tech, status="done"))
    for event in events:
        store.append(sid, event)


def _readings_rows(
    kb: KnowledgeBase, start: datetime, days: int, rng: Any
) -> list[list[str]]:
    rows: list[list[str]] = []
    for eq_id, mids in WATCHED.items():
        try:
            eq = kb.equipment(eq_id)
        except KeyError:
            continue
        for mid in mids:
            if not eq.has("measurement", mid):
                continue
            m = eq.measurement(mid)
            nominal = m.nominal if m.nominal is not None else 0.0
            t = m.thresholds
            near = [x for x in (t.low_alarm, t.high_alarm) if x is not None]
            band = min((abs(x - nominal) for x in near), default=abs(nominal) * 0.1 or 1.0)
            noise = band * 0.06
            drift = DRIFTS.get(mid)
            for d in range(days):
                day = start + timedelta(days=d)
                if day.weekday() >= 5:
                    continue
                value = nominal + float(rng.normal(0.0, noise))
                if drift is not None and d >= days - drift[0]:
                    progress = (d - (days - drift[0])) / drift[0]
                    value += (drift[1] - nominal) * progress
                at = day + timedelta(hours=7, minutes=int(rng.integers(0, 30)))
                rows.append([at.isoformat(), eq_id, mid, f"{value:.4g}", m.unit or ""])
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return rows


def _failure_rows(
    failures: Sequence[FailureEvent], start: datetime, days: int
) -> list[list[str]]:
    end = start + timedelta(days=days)
    last: dict[tuple[str, str], datetime] = {}
    rows: list[list[str]] = []
    for f in failures:
        key = (f.equipment, f.component)
        since = last.get(key, start)
        if key in last:  # the first life is of unknown age: not used
            hours = (f.at - since).total_seconds() / 3600.0
            rows.append([f.equipment, f.component, f"{hours:.1f}", "0"])
        last[key] = f.at + timedelta(minutes=f.downtime_min)
    for (eq, comp), since in sorted(last.items()):
        rows.append([eq, comp, f"{(end - since).total_seconds() / 3600.0:.1f}", "1"])
    return rows


def generate(
    kb: KnowledgeBase,
    folder: str | Path,
    *,
    db: str | None = None,
    seed: int = 1,
    start: date = date(2025, 1, 1),
    days: int = 365,
) -> DemoSummary:
    """Write the demo files into ``folder`` and the interventions into the store ``db``.

    ``db`` defaults to ``folder/demo.db`` (never the user's own store). The store must
    be empty (checked before writing anything to it).

    Raises:
        UsageError: the store already holds sessions.
    """
    import numpy as np

    from diagnosis.store import open_store

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    url = db or str(out / "demo.db")
    with open_store(url, kb=kb) as store:
        if store.sessions():
            from diagnosis.errors import UsageError

            raise UsageError(code="kpi.demo.not_empty", db=url)
    rng = np.random.default_rng(seed)
    origin = datetime(start.year, start.month, start.day, tzinfo=UTC)
    summary = DemoSummary(str(out), url, origin.isoformat(), days)
    failures: list[FailureEvent] = []
    production: list[list[str]] = []
    for eq in kb.equipments:
        events = _failures(eq, origin, days, rng)
        failures += events
        summary.per_equipment[eq.id] = len(events)
        production += _production_rows(eq.id, origin, days, events, rng)
    failures.sort(key=lambda f: (f.at, f.equipment))
    _write(out / "production.csv",
           ["equipment", "start", "end", "state", "good", "scrap", "ideal_cycle_s"], production)
    readings = _readings_rows(kb, origin, days, rng)
    _write(out / "readings.csv", ["timestamp", "equipment", "measurement", "value", "unit"],
           readings)
    failure_rows = _failure_rows(failures, origin, days)
    _write(out / "failures.csv", ["equipment", "component", "time_h", "censored"], failure_rows)
    with open_store(url, kb=kb) as store:
        for name, habs in TECHNICIANS:
            store.save_technician(name, habs)
        for f in failures:
            _record(store, kb, f, rng)
    summary.production_rows = len(production)
    summary.readings = len(readings)
    summary.interventions = len(failures)
    summary.unknown = sum(f.unknown for f in failures)
    summary.failures_rows = len(failure_rows)
    return summary


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
