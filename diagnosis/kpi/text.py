"""Human-readable output of the indicators, in English or French."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from diagnosis.i18n import format_datetime, tr

__all__ = [
    "fixed",
    "hours",
    "monitor_text",
    "oee_text",
    "pct",
    "reliability_text",
    "weibull_text",
]


def fixed(value: float, lang: str, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals, decimal comma in French."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def pct(value: float | None, lang: str, digits: int = 1) -> str:
    """A ratio as a percentage (``72.2%`` / ``72,2 %``), ``-`` when undefined."""
    if value is None:
        return "-"
    text = fixed(value * 100, lang, digits)
    return f"{text} %" if lang == "fr" else f"{text}%"


def hours(seconds: float, lang: str) -> str:
    return fixed(seconds / 3600.0, lang, 2)


def when(moment: datetime, lang: str) -> str:
    return format_datetime(moment, lang)  # in the log's own offset


def _sayer(out: list[str], lang: str) -> Callable[..., None]:
    """``say(key, **params)``: append the message ``key`` in ``lang`` to ``out``."""

    def say(key: str, **params: Any) -> None:
        out.append(tr(key, lang, **params))

    return say


def oee_text(results: list[dict[str, Any]], lang: str) -> str:
    """The OEE report of :func:`diagnosis.kpi.oee.compute_oee` results (their ``to_dict``)."""
    if not results:
        return tr("kpi.oee.empty", lang)
    out: list[str] = []
    say = _sayer(out, lang)
    for r in results:
        first = datetime.fromisoformat(r["from"])
        last = datetime.fromisoformat(r["to"])
        t, loss = r["times"], r["losses"]
        say("kpi.oee.head", equipment=r["equipment"], start=when(first, lang), end=when(last, lang))
        say(
            "kpi.oee.trs",
            trs=pct(r["trs"], lang),
            availability=pct(r["availability"], lang),
            performance=pct(r["performance"], lang),
            quality=pct(r["quality"], lang),
        )
        say(
            "kpi.oee.trg",
            trg=pct(r["trg"], lang),
            tre=pct(r["tre"], lang),
            load=pct(r["load"], lang),
        )
        say(
            "kpi.oee.times",
            **{k: hours(v, lang) for k, v in t.items()},
        )
        say("kpi.oee.losses", **{k: hours(v, lang) for k, v in loss.items()})
        say("kpi.oee.parts", good=r["parts"]["good"], scrap=r["parts"]["scrap"])
        if r["uncovered"] > 0:
            say("kpi.oee.uncovered", hours=hours(r["uncovered"], lang))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def weibull_text(groups: list[dict[str, Any]], lang: str) -> str:
    """The fits of :func:`diagnosis.kpi.weibull.weibull_groups`, with β read in plain words."""
    from diagnosis.i18n import format_number

    if not groups:
        return tr("kpi.weibull.empty", lang) + "\n"

    def num(value: float) -> str:
        return format_number(value, lang, 3) if abs(value) < 100 else f"{round(value):d}"

    out: list[str] = []
    say = _sayer(out, lang)
    for g in groups:
        say(
            "kpi.weibull.head",
            equipment=g["equipment"],
            component=g["component"] or "-",
            failures=g["failures"],
            censored=g["censored"],
        )
        if "error" in g:
            reason = tr(f"kpi.weibull.why.{g['error']}", lang)
            say("kpi.weibull.cannot", reason=reason)
            continue
        say(
            "kpi.weibull.params",
            beta=num(g["beta"]),
            beta_low=num(g["beta_ci"][0]),
            beta_high=num(g["beta_ci"][1]),
            eta=num(round(g["eta_h"])),
            eta_low=num(round(g["eta_ci"][0])),
            eta_high=num(round(g["eta_ci"][1])),
            confidence=pct(g["confidence"], lang, 0),
        )
        say(
            "kpi.weibull.life",
            b10=num(round(g["b10_h"])),
            b10_low=num(round(g["b10_ci"][0])),
            b10_high=num(round(g["b10_ci"][1])),
            mttf=num(round(g["mttf_h"])),
        )
        say(f"kpi.weibull.{g['regime']}")
        if not g["regime_certain"] and g["regime"] != "random":
            say("kpi.weibull.uncertain")
    return "\n".join(out) + "\n"


def monitor_text(series: list[dict[str, Any]], lang: str) -> str:
    """The drift watch of :func:`diagnosis.kpi.drift.watch`, one block per series."""
    from diagnosis.i18n import format_number

    if not series:
        return tr("kpi.monitor.empty", lang) + "\n"

    def num(value: float) -> str:
        return format_number(value, lang, 4)

    def day(text: str | None) -> str:
        if text is None:
            return tr("kpi.monitor.never", lang)
        return format_datetime(datetime.fromisoformat(text), lang).split(" ")[0]

    out: list[str] = []
    say = _sayer(out, lang)
    for s in series:
        unit = f" ({s['unit']})" if s["unit"] else ""
        say(
            "kpi.monitor.head",
            equipment=s["equipment"],
            measurement=s["measurement"],
            unit=unit,
            n=s["readings"],
            first=day(s["first"]),
            last=day(s["last"]),
            value=num(s["last_value"]),
            state=tr(f"kpi.monitor.state.{s['state']}", lang),
        )
        if s["slope_per_day"] is not None:
            low, high = s["slope_interval"]
            say(
                "kpi.monitor.trend",
                slope=("+" if s["slope_per_day"] > 0 else "") + num(s["slope_per_day"]),
                low=num(low),
                high=num(high),
                reading=tr(f"kpi.monitor.drift.{s['drift'] or 'none'}", lang),
            )
        side = "high" if s["drift"] == "up" else "low"
        for level in ("alarm", "critical"):
            if s[f"{level}_eta"] is None:
                continue
            early, late = s[f"{level}_eta_interval"]
            say(
                "kpi.monitor.eta",
                level=tr(f"kpi.monitor.level.{level}", lang),
                threshold=num(s["thresholds"][f"{side}_{level}"]),
                eta=day(s[f"{level}_eta"]),
                early=day(early),
                late=day(late),
            )
        if s["crossings"]:
            items = ", ".join(
                f"{day(c['at'])} {tr('kpi.monitor.state.' + c['state'], lang)} {num(c['value'])}"
                for c in s["crossings"]
            )
            say("kpi.monitor.crossings", items=items)
        if s["causes"]:
            items = ", ".join(
                tr(
                    "kpi.monitor.cause",
                    lang,
                    cause=c["cause"],
                    ap=c["ap"] or "-",
                    rpn=c["rpn"] or "-",
                )
                for c in s["causes"][:4]
            )
            say("kpi.monitor.causes", items=items)
        if s.get("start_command"):
            say("kpi.monitor.start", command=s["start_command"])
        elif s.get("start_command", 0) is None:
            say("kpi.monitor.no_symptom", equipment=s["equipment"])
    flagged = sum(1 for s in series if s.get("flagged"))
    say("kpi.monitor.summary", n=len(series), flagged=flagged)
    return "\n".join(out) + "\n"


def reliability_text(doc: dict[str, Any], lang: str, top: int = 10) -> str:
    """The report of :func:`diagnosis.kpi.reliability.reliability`."""
    if not doc["failures"]:
        return tr("kpi.reliability.empty", lang) + "\n"

    def h(value: float | None) -> str:
        return "-" if value is None else fixed(value, lang, 1)

    period = doc["period"]
    out: list[str] = []
    say = _sayer(out, lang)
    say(
        "kpi.reliability.period",
        start=when(datetime.fromisoformat(period["from"]), lang),
        end=when(datetime.fromisoformat(period["to"]), lang),
        hours=fixed(period["hours"], lang, 0),
        failures=doc["failures"],
    )

    def counts(row: dict[str, Any]) -> dict[str, Any]:
        """The columns an equipment line and a component line share."""
        return {"failures": row["failures"], "mtbf": h(row["mtbf_h"]), "mttr": h(row["mttr_h"])}

    for e in doc["equipment"]:
        say(
            "kpi.reliability.equipment",
            equipment=e["equipment"],
            availability=pct(e["availability"], lang, 2),
            downtime=h(e["downtime_h"]),
            **counts(e),
        )
        for c in e["components"][:top]:
            say("kpi.reliability.component", component=c["component"], **counts(c))
    for criterion, rows in doc["pareto"].items():
        out.append("")
        say(
            "kpi.reliability.pareto",
            criterion=tr(f"kpi.reliability.criterion.{criterion}", lang),
        )
        for r in rows[:top]:
            value = str(int(r["value"])) if criterion == "count" else fixed(r["value"], lang, 1)
            say(
                "kpi.reliability.pareto_row",
                abc=r["class"],
                value=value,
                share=pct(r["share"], lang),
                cumulative=pct(r["cumulative"], lang),
                equipment=r["equipment"],
                cause=r["cause"],
            )
    out.append("")
    days = fixed(doc["recurrences"][0]["within_days"], lang, 0) if doc["recurrences"] else ""
    say("kpi.reliability.recurrences", days=days or "N")
    for r in doc["recurrences"][:top]:
        say(
            "kpi.reliability.recurrence",
            equipment=r["equipment"],
            cause=r["cause"],
            count=r["count"],
            days=days,
            occurrences=r["occurrences"],
        )
    if not doc["recurrences"]:
        say("kpi.reliability.none")
    return "\n".join(out) + "\n"
