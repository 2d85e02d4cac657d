"""Human-readable output of the indicators, in English or French."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from diagnosis.i18n import format_datetime, tr

__all__ = ["fixed", "hours", "oee_text", "pct", "weibull_text"]


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


def oee_text(results: list[dict[str, Any]], lang: str) -> str:
    """The OEE report of :func:`diagnosis.kpi.oee.compute_oee` results (their ``to_dict``)."""
    if not results:
        return tr("kpi.oee.empty", lang)
    out: list[str] = []
    for r in results:
        first = datetime.fromisoformat(r["from"])
        last = datetime.fromisoformat(r["to"])
        t, loss = r["times"], r["losses"]
        out.append(
            tr("kpi.oee.head", lang, equipment=r["equipment"], start=when(first, lang),
               end=when(last, lang))
        )
        out.append(
            tr(
                "kpi.oee.trs",
                lang,
                trs=pct(r["trs"], lang),
                availability=pct(r["availability"], lang),
                performance=pct(r["performance"], lang),
                quality=pct(r["quality"], lang),
            )
        )
        out.append(
            tr("kpi.oee.trg", lang, trg=pct(r["trg"], lang), tre=pct(r["tre"], lang),
               load=pct(r["load"], lang))
        )
        out.append(
            tr(
                "kpi.oee.times",
                lang,
                **{k: hours(v, lang) for k, v in t.items()},
            )
        )
        out.append(tr("kpi.oee.losses", lang, **{k: hours(v, lang) for k, v in loss.items()}))
        out.append(tr("kpi.oee.parts", lang, good=r["parts"]["good"], scrap=r["parts"]["scrap"]))
        if r["uncovered"] > 0:
            out.append(tr("kpi.oee.uncovered", lang, hours=hours(r["uncovered"], lang)))
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
    for g in groups:
        out.append(
            tr(
                "kpi.weibull.head",
                lang,
                equipment=g["equipment"],
                component=g["component"] or "-",
                failures=g["failures"],
                censored=g["censored"],
            )
        )
        if "error" in g:
            reason = tr(f"kpi.weibull.why.{g['error']}", lang)
            out.append(tr("kpi.weibull.cannot", lang, reason=reason))
            continue
        out.append(
            tr(
                "kpi.weibull.params",
                lang,
                beta=num(g["beta"]),
                beta_low=num(g["beta_ci"][0]),
                beta_high=num(g["beta_ci"][1]),
                eta=num(round(g["eta_h"])),
                eta_low=num(round(g["eta_ci"][0])),
                eta_high=num(round(g["eta_ci"][1])),
                confidence=pct(g["confidence"], lang, 0),
            )
        )
        out.append(
            tr(
                "kpi.weibull.life",
                lang,
                b10=num(round(g["b10_h"])),
                b10_low=num(round(g["b10_ci"][0])),
                b10_high=num(round(g["b10_ci"][1])),
                mttf=num(round(g["mttf_h"])),
            )
        )
        out.append(tr(f"kpi.weibull.{g['regime']}", lang))
        if not g["regime_certain"] and g["regime"] != "random":
            out.append(tr("kpi.weibull.uncertain", lang))
    return "\n".join(out) + "\n"
