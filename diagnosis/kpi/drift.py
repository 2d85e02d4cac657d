"""Drift watch: readings against the KB's thresholds, a robust trend, crossing dates.

For each series (equipment, measurement) of a readings CSV
(``timestamp,equipment,measurement,value[,unit]``):

* every value is converted to the KB's unit (:func:`diagnosis.rules.units.convert`)
  and classified like a diagnosis reading
  (:func:`diagnosis.rules.interpret.classify`): ``normal``, ``alarm_low``,
  ``alarm_high``, ``critical_low``, ``critical_high``;
* the moments the series entered an alarm or critical state are listed;
* the trend is the Theil–Sen slope (:func:`scipy.stats.theilslopes`: the
  median of pairwise slopes, insensitive to outliers), per day, with its
  confidence interval; a series **drifts** when that interval excludes 0;
* a drift towards a threshold gets the date its trend line (through the
  median point) crosses the alarm and critical thresholds; the interval of
  that date is bounded by the steepest line (slope bound, median level moved
  towards the threshold by its uncertainty) and the shallowest one (other
  slope bound, level moved away); a shallow bound of 0 or of the other sign
  gives no late date (``null``). The level's uncertainty is
  z × 1.2533 × 1.4826 MAD(residuals) / √n;
* a series drifting or out of its normal band lists the KB causes with an
  effect on that measurement in that direction, with their FMEA risk
  (RPN, AIAG-VDA action priority), highest priority first.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diagnosis.errors import Problem
from diagnosis.kpi.csvin import CsvError, parse_float, parse_moment, read_csv

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase, Measurement

__all__ = ["Reading", "analyse_series", "read_readings", "watch"]

COLUMNS = ("timestamp", "equipment", "measurement", "value")
MAX_TREND_POINTS = 2000  # readings used for one trend (evenly spaced over the window)


@dataclass(frozen=True)
class Reading:
    line: int
    at: datetime
    equipment: str
    measurement: str
    value: float  # in the KB's unit
    raw: str


def read_readings(path: str | Path, kb: KnowledgeBase) -> list[Reading]:
    """Every reading, converted to the KB unit; :class:`CsvError` names each bad line."""
    from diagnosis.rules.units import convert

    name = str(path)
    problems: list[Problem] = []
    out: list[Reading] = []

    def bad(line: int, key: str, **kw: object) -> None:
        problems.append(Problem.coded(name, line, 0, f"kpi.monitor.err.{key}", **kw))

    for row in read_csv(path, COLUMNS):
        n = row.line
        equipment, mid = row.get("equipment"), row.get("measurement")
        try:
            eq = kb.equipment(equipment)
        except KeyError:
            bad(n, "equipment", equipment=equipment)
            continue
        if not eq.has("measurement", mid):
            bad(n, "measurement", measurement=mid, equipment=equipment)
            continue
        m = eq.measurement(mid)
        if m.kind != "numeric":
            bad(n, "not_numeric", measurement=mid)
            continue
        try:
            at = parse_moment(row.get("timestamp"))
        except ValueError:
            bad(n, "date", value=row.get("timestamp"))
            continue
        value = parse_float(row.get("value"))
        if value is None or not math.isfinite(value):
            bad(n, "value", value=row.get("value"))
            continue
        unit = row.get("unit")
        if unit and m.unit:
            converted = convert(value, unit, m.unit)
            if converted is None:
                bad(n, "unit", unit=unit, expected=m.unit)
                continue
            value = converted
        raw = row.get("value") + (f" {unit}" if unit else "")
        out.append(Reading(n, at, equipment, mid, value, raw))
    if problems:
        raise CsvError(problems)
    return out


def state_of(m: Measurement, value: float) -> str:
    from diagnosis.rules.interpret import classify

    state, critical = classify(m, value)
    if state == "normal":
        return "normal"
    return f"{'critical' if critical else 'alarm'}_{state}"


def _crossing(
    threshold: float | None, slope: float, x_mid: float, y_mid: float
) -> float | None:
    """Day (from the series start) where the line of ``slope`` through the median point hits it."""
    if threshold is None or slope == 0:
        return None
    return x_mid + (threshold - y_mid) / slope


def analyse_series(
    m: Measurement,
    readings: list[Reading],
    kb: KnowledgeBase | None = None,
    confidence: float = 0.95,
    window_days: float | None = 60.0,
) -> dict[str, Any]:
    """The JSON-ready analysis of one series (readings of one measurement, any order).

    The trend uses the readings of the last ``window_days`` (None: all): a drift that
    began recently is not diluted by months of steady values.
    """
    import numpy as np
    from scipy.stats import theilslopes

    series = sorted(readings, key=lambda r: (r.at, r.line))
    first, last = series[0], series[-1]
    states = [state_of(m, r.value) for r in series]
    crossings = []
    previous = "normal"
    for r, state in zip(series, states, strict=True):
        if state != previous and state != "normal":
            crossings.append({"at": r.at.isoformat(), "value": r.value, "state": state})
        previous = state
    t = m.thresholds
    doc: dict[str, Any] = {
        "equipment": first.equipment,
        "measurement": m.id,
        "unit": m.unit,
        "nominal": m.nominal,
        "thresholds": {
            "low_critical": t.low_critical,
            "low_alarm": t.low_alarm,
            "high_alarm": t.high_alarm,
            "high_critical": t.high_critical,
        },
        "readings": len(series),
        "first": first.at.isoformat(),
        "last": last.at.isoformat(),
        "last_value": last.value,
        "state": states[-1],
        "crossings": crossings,
        "slope_per_day": None,
        "slope_interval": None,
        "drift": None,
        "alarm_eta": None,
        "alarm_eta_interval": None,
        "critical_eta": None,
        "critical_eta_interval": None,
        "causes": [],
    }
    recent = series
    if window_days is not None:
        cut = last.at - timedelta(days=window_days)
        recent = [r for r in series if r.at >= cut]
    days = np.array([(r.at - first.at).total_seconds() / 86400.0 for r in recent])
    values = np.array([r.value for r in recent])
    doc["trend_readings"] = len(recent)
    if len(recent) > MAX_TREND_POINTS:  # Theil–Sen is O(n²) in memory: keep an even sample
        keep = np.linspace(0, len(recent) - 1, MAX_TREND_POINTS).round().astype(int)
        days, values = days[keep], values[keep]
    if len(days) >= 3 and days[-1] > days[0]:
        slope, _, low, high = theilslopes(values, days, alpha=confidence)
        slope, low, high = float(slope), float(low), float(high)
        x_mid, y_mid = float(np.median(days)), float(np.median(values))
        doc["slope_per_day"] = slope
        doc["slope_interval"] = [low, high]
        direction = "up" if low > 0 else "down" if high < 0 else None
        doc["drift"] = direction
        # Uncertainty of the level at the median point: robust residual spread (1.4826 MAD)
        # over sqrt(n), times 1.2533 (the median's efficiency), times the normal quantile.
        from scipy.stats import norm

        residuals = values - (y_mid + slope * (days - x_mid))
        spread = 1.4826 * float(np.median(np.abs(residuals - np.median(residuals))))
        level_sd = float(norm.ppf(0.5 + confidence / 2.0)) * 1.2533 * spread / math.sqrt(len(series))
        if direction is not None:
            if direction == "up":
                targets = {"alarm": t.high_alarm, "critical": t.high_critical}
            else:
                targets = {"alarm": t.low_alarm, "critical": t.low_critical}
            now = float(days[-1])
            fitted_now = y_mid + slope * (now - x_mid)
            for level, threshold in targets.items():
                if threshold is None:
                    continue
                beyond = (fitted_now > threshold) if direction == "up" else (fitted_now < threshold)
                if beyond or _already(states[-1], level, direction):
                    continue  # crossed already: see state and crossings
                toward = level_sd if direction == "up" else -level_sd
                central = _crossing(threshold, slope, x_mid, y_mid)
                steep, shallow = (high, low) if direction == "up" else (low, high)
                early = _crossing(threshold, steep, x_mid, y_mid + toward)
                late = (
                    _crossing(threshold, shallow, x_mid, y_mid - toward)
                    if shallow * slope > 0
                    else None
                )
                doc[f"{level}_eta"] = _moment(first.at, central, now)
                doc[f"{level}_eta_interval"] = [
                    _moment(first.at, early, now),
                    None if late is None else _moment(first.at, late, now),
                ]
    direction = doc["drift"] or (
        "up" if states[-1].endswith("high") else "down" if states[-1].endswith("low") else None
    )
    if kb is not None and direction is not None:
        doc["causes"] = causes_for(kb, first.equipment, m.id, "high" if direction == "up" else "low")
    return doc


def _already(state: str, level: str, direction: str) -> bool:
    side = "high" if direction == "up" else "low"
    if level == "alarm":
        return state in (f"alarm_{side}", f"critical_{side}")
    return state == f"critical_{side}"


def _moment(origin: datetime, day: float | None, now: float) -> str | None:
    if day is None:
        return None
    day = max(day, now)
    if day - now > 3652.5:
        return None  # further than ten years: no date worth printing
    return (origin + timedelta(days=day)).isoformat(timespec="seconds")


def causes_for(kb: KnowledgeBase, equipment: str, measurement: str, state: str) -> list[dict[str, Any]]:
    """Causes whose effect is ``measurement`` in ``state``, with their FMEA risk, riskiest first."""
    from diagnosis.fmea import fmea_for_cause

    rank = {"H": 0, "M": 1, "L": 2}
    out: list[dict[str, Any]] = []
    eq = kb.equipment(equipment)
    for cause in eq.causes:
        p = max(
            (e.p for e in cause.effects if e.measurement == measurement and e.state == state),
            default=None,
        )
        if p is None:
            continue
        lines = fmea_for_cause(kb, cause.id)
        best = lines[0] if lines else None
        out.append(
            {
                "cause": cause.id,
                "name": cause.name.get("en"),
                "names": dict(cause.name.values),
                "effect_p": p,
                "prior": cause.prior,
                "fmea": None if best is None else best.line.id,
                "rpn": None if best is None else best.rpn,
                "ap": None if best is None else best.ap,
                "severity": None if best is None else best.line.severity,
            }
        )
    out.sort(
        key=lambda c: (
            rank.get(c["ap"], 3),
            -(c["rpn"] or 0),
            -c["effect_p"] * c["prior"],
            c["cause"],
        )
    )
    return out


def watch(
    readings: list[Reading],
    kb: KnowledgeBase,
    confidence: float = 0.95,
    window_days: float | None = 60.0,
) -> list[dict[str, Any]]:
    """The analysis of every series, sorted by equipment then measurement."""
    groups: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for r in readings:
        groups[(r.equipment, r.measurement)].append(r)
    return [
        analyse_series(kb.equipment(eq).measurement(mid), items, kb, confidence, window_days)
        for (eq, mid), items in sorted(groups.items())
    ]


def flagged(doc: dict[str, Any], horizon_days: float = 180.0) -> bool:
    """A series to act on: out of its normal band, or due to cross a threshold within
    ``horizon_days`` of its last reading."""
    if doc["state"] != "normal":
        return True
    last = datetime.fromisoformat(doc["last"])
    limit = last + timedelta(days=horizon_days)
    return any(
        doc[key] is not None and datetime.fromisoformat(doc[key]) <= limit
        for key in ("alarm_eta", "critical_eta")
    )


def diagnosis_start(kb: KnowledgeBase, doc: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The symptom to open a diagnosis with, and the answers pre-filled from the series.

    The symptom is the equipment's symptom most expected from the causes the drift points
    to (sum of their effect probabilities); None when no cause names a symptom.
    """
    eq = kb.equipment(doc["equipment"])
    causes = {c["cause"] for c in doc["causes"]}
    weight: dict[str, float] = defaultdict(float)
    for cause in eq.causes:
        if cause.id in causes:
            for e in cause.effects:
                if e.symptom is not None:
                    weight[e.symptom] += e.p
    symptom = max(sorted(weight), key=lambda s: weight[s]) if weight else None
    value = f"{doc['last_value']:.6g}" + (f" {doc['unit']}" if doc["unit"] else "")
    return symptom, {doc["measurement"]: value}
