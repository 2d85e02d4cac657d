"""The indicators report: one self-contained HTML file with inline SVG charts.

Sections appear for the inputs given: OEE/TRS (production log), reliability
and Pareto (store), drift watch with trend charts (readings), Weibull
(failure times). Every text is escaped; the charts are hand-made SVG (no
plotting library), so the file opens anywhere and prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from diagnosis.i18n import format_datetime, format_number, tr

__all__ = ["bars_svg", "indicators_html", "pareto_svg", "trend_svg"]

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
ALARM, CRITICAL = "#E69F00", "#D55E00"


def _x(text: object) -> str:
    return escape(str(text), quote=True)


def _pct(value: float | None, lang: str) -> str:
    if value is None:
        return "-"
    text = f"{value * 100:.1f}"
    return text.replace(".", ",") + " %" if lang == "fr" else text + "%"


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_x(label)}" '
        'font-family="sans-serif" font-size="11">'
    )


def bars_svg(
    items: Sequence[tuple[str, float | None]], lang: str, *, label: str = "", width: int = 520
) -> str:
    """Horizontal bars of ratios (0-1), one per item, with their percentage."""
    row, left = 22, 150
    height = row * len(items) + 10
    pw = width - left - 60
    out = [_svg_open(width, height, label)]
    for k, (name, value) in enumerate(items):
        y = 5 + k * row
        v = 0.0 if value is None else max(0.0, min(1.0, value))
        colour = PALETTE[k % len(PALETTE)]
        out.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_x(name)}</text>')
        out.append(f'<rect x="{left}" y="{y + 3}" width="{pw}" height="14" fill="#eeeeee"/>')
        out.append(
            f'<rect x="{left}" y="{y + 3}" width="{pw * v:.1f}" height="14" fill="{colour}"/>'
        )
        out.append(f'<text x="{left + pw + 6}" y="{y + 14}">{_x(_pct(value, lang))}</text>')
    out.append("</svg>")
    return "".join(out)


def pareto_svg(
    rows: Sequence[dict[str, Any]], lang: str, *, label: str = "", width: int = 640, top: int = 12
) -> str:
    """Pareto chart: bars of ``value`` (decreasing) and the cumulative share line, 80 % mark."""
    rows = list(rows)[:top]
    left, right, head, foot = 50, 20, 12, 110
    height = 330
    pw, ph = width - left - right, height - head - foot
    out = [_svg_open(width, height, label)]
    if not rows:
        out.append("</svg>")
        return "".join(out)
    vmax = max(r["value"] for r in rows) or 1.0
    bw = pw / len(rows)
    out.append(
        f'<line x1="{left}" y1="{head + ph}" x2="{left + pw}" y2="{head + ph}" stroke="#333"/>'
    )
    y80 = head + ph * 0.2
    out.append(
        f'<line x1="{left}" y1="{y80:.1f}" x2="{left + pw}" y2="{y80:.1f}" stroke="#999" '
        'stroke-dasharray="4 3"/>'
    )
    out.append(f'<text x="{left + pw}" y="{y80 - 3:.1f}" text-anchor="end">80%</text>')
    points = []
    colours = {"A": PALETTE[1], "B": PALETTE[4], "C": PALETTE[5]}
    for k, r in enumerate(rows):
        h = ph * r["value"] / vmax
        x = left + k * bw
        out.append(
            f'<rect x="{x + 2:.1f}" y="{head + ph - h:.1f}" width="{bw - 4:.1f}" '
            f'height="{h:.1f}" fill="{colours.get(r["class"], PALETTE[0])}">'
            f"<title>{_x(r['cause'])}: {_x(format_number(r['value'], lang, 4))}</title></rect>"
        )
        cx, cy = x + bw / 2, head + ph * (1 - r["cumulative"])
        points.append(f"{cx:.1f},{cy:.1f}")
        name = r["cause"] if len(r["cause"]) <= 22 else r["cause"][:21] + "…"
        out.append(
            f'<text transform="translate({cx:.1f},{head + ph + 8}) rotate(45)">'
            f"{_x(r['class'])} {_x(name)}</text>"
        )
    out.append(
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{PALETTE[0]}" '
        'stroke-width="2"/>'
    )
    out.append(f'<text x="4" y="{head + 10}">{_x(format_number(vmax, lang, 4))}</text>')
    out.append("</svg>")
    return "".join(out)


def trend_svg(
    doc: dict[str, Any],
    points: Sequence[tuple[datetime, float]],
    lang: str,
    *,
    width: int = 640,
    height: int = 220,
) -> str:
    """Readings over time, alarm/critical threshold lines, and the trend line to its ETA."""
    left, right, head, foot = 56, 16, 12, 28
    pw, ph = width - left - right, height - head - foot
    first = points[0][0]
    last = points[-1][0]
    end = last
    for key in ("alarm_eta", "critical_eta"):
        if doc.get(key):
            end = max(end, datetime.fromisoformat(doc[key]))
            break
    span = max((end - first).total_seconds(), 1.0)
    t = doc["thresholds"]
    values = [v for _, v in points]
    side = "high" if doc.get("drift") == "up" or doc["state"].endswith("high") else "low"
    lines = [(t.get(f"{side}_alarm"), ALARM), (t.get(f"{side}_critical"), CRITICAL)]
    if doc.get("drift") is None and not doc["state"].endswith(("high", "low")):
        lines = [(t.get("low_alarm"), ALARM), (t.get("high_alarm"), ALARM)]
    shown = values + [v for v, _ in lines if v is not None]
    lo, hi = min(shown), max(shown)
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad

    def px(moment: datetime) -> float:
        return left + pw * (moment - first).total_seconds() / span

    def py(v: float) -> float:
        return float(head + ph * (1 - (v - lo) / (hi - lo)))

    label = f"{doc['equipment']} / {doc['measurement']}"
    out = [_svg_open(width, height, label)]
    out.append(f'<rect x="{left}" y="{head}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>')
    for value, colour in lines:
        if value is None:
            continue
        y = py(value)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{colour}" '
            'stroke-dasharray="5 3"/>'
        )
        out.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{colour}">'
            f"{_x(format_number(value, lang, 4))}</text>"
        )
    poly = " ".join(f"{px(m):.1f},{py(v):.1f}" for m, v in points)
    out.append(f'<polyline points="{poly}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.2"/>')
    slope = doc.get("slope_per_day")
    if doc.get("drift") and slope is not None and doc.get("trend_readings"):
        recent = points[-int(doc["trend_readings"]) :]
        import statistics

        xs = [(m - first).total_seconds() / 86400.0 for m, _ in recent]
        x_mid = statistics.median(xs)
        y_mid = statistics.median(v for _, v in recent)
        start_day = xs[0]
        end_day = (end - first).total_seconds() / 86400.0
        y0 = y_mid + slope * (start_day - x_mid)
        y1 = y_mid + slope * (end_day - x_mid)
        x0 = left + pw * start_day * 86400.0 / span
        out.append(
            f'<line x1="{x0:.1f}" y1="{py(y0):.1f}" x2="{left + pw:.1f}" y2="{py(y1):.1f}" '
            f'stroke="{PALETTE[1]}" stroke-width="1.5"/>'
        )
    out.append(
        f'<text x="{left}" y="{height - 8}">{_x(format_datetime(first, lang).split(" ")[0])}</text>'
    )
    out.append(
        f'<text x="{left + pw}" y="{height - 8}" text-anchor="end">'
        f"{_x(format_datetime(end, lang).split(' ')[0])}</text>"
    )
    out.append("</svg>")
    return "".join(out)


_CSS = """
body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}
svg{max-width:100%;height:auto}table{font-size:.9em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em}
td.num{text-align:right}.flag{color:#D55E00;font-weight:bold}.note{color:#555;font-size:.9em}
"""


def indicators_html(
    *,
    lang: str,
    oee: Sequence[dict[str, Any]] | None = None,
    reliability: dict[str, Any] | None = None,
    monitor: Sequence[dict[str, Any]] | None = None,
    monitor_points: dict[tuple[str, str], list[tuple[datetime, float]]] | None = None,
    weibull: Sequence[dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> str:
    """The whole indicators report as one HTML document."""

    def t(key: str, **kw: object) -> str:
        return _x(tr(f"kpi.report.{key}", lang, **kw))

    def num(value: float | None, digits: int = 4) -> str:
        return "-" if value is None else _x(format_number(value, lang, digits))

    moment = now or datetime.now(UTC)
    out = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{t('title')}</title><style>{_CSS}</style></head><body>",
        f"<h1>{t('title')}</h1>",
        f'<p class="note">{t("generated", at=format_datetime(moment, lang))}</p>',
    ]
    if oee is not None:
        out.append(f"<h2>{t('oee')}</h2>")
        if not oee:
            out.append(f"<p>{_x(tr('kpi.oee.empty', lang))}</p>")
        for r in oee:
            out.append(f"<h3>{_x(r['equipment'])}</h3>")
            items = [
                (tr("kpi.report.trs", lang), r["trs"]),
                (tr("kpi.report.availability", lang), r["availability"]),
                (tr("kpi.report.performance", lang), r["performance"]),
                (tr("kpi.report.quality", lang), r["quality"]),
                ("TRG", r["trg"]),
                ("TRE", r["tre"]),
            ]
            out.append(bars_svg(items, lang, label=r["equipment"]))
            out.append("<table><tr>")
            for key in ("total", "opening", "required", "operating", "net", "useful"):
                out.append(f"<th>{t('time.' + key)}</th>")
            out.append("</tr><tr>")
            for key in ("total", "opening", "required", "operating", "net", "useful"):
                out.append(f'<td class="num">{num(r["times"][key] / 3600.0, 5)} h</td>')
            out.append("</tr></table>")
    if reliability is not None:
        out.append(f"<h2>{t('reliability')}</h2>")
        out.append(
            "<table><tr>"
            + "".join(
                f"<th>{t('col.' + c)}</th>"
                for c in ("equipment", "failures", "mtbf", "mttr", "availability", "downtime")
            )
            + "</tr>"
        )
        for e in reliability["equipment"]:
            out.append(
                f"<tr><td>{_x(e['equipment'])}</td><td class='num'>{e['failures']}</td>"
                f"<td class='num'>{num(e['mtbf_h'])}</td><td class='num'>{num(e['mttr_h'], 3)}</td>"
                f"<td class='num'>{_x(_pct(e['availability'], lang))}</td>"
                f"<td class='num'>{num(e['downtime_h'], 4)}</td></tr>"
            )
        out.append("</table>")
        for criterion in ("downtime_h", "count", "cost"):
            rows = reliability["pareto"][criterion]
            title = tr(f"kpi.reliability.criterion.{criterion}", lang)
            out.append(f"<h3>{t('pareto', criterion=title)}</h3>")
            out.append(pareto_svg(rows, lang, label=title))
        if reliability["recurrences"]:
            out.append(f"<h3>{t('recurrences')}</h3><ul>")
            for r in reliability["recurrences"]:
                days = f"{r['within_days']:g}"
                text = t("recurrence", count=r["count"], days=days)
                out.append(
                    f"<li class='flag'>{_x(r['equipment'])} / {_x(r['cause'])}: {text}</li>"
                )
            out.append("</ul>")
    if monitor is not None:
        out.append(f"<h2>{t('monitor')}</h2>")
        for s in monitor:
            state = tr(f"kpi.monitor.state.{s['state']}", lang)
            out.append(f"<h3>{_x(s['equipment'])} / {_x(s['measurement'])}: {_x(state)}</h3>")
            pts = (monitor_points or {}).get((s["equipment"], s["measurement"]))
            if pts:
                out.append(trend_svg(s, pts, lang))
            for level in ("alarm", "critical"):
                if s.get(f"{level}_eta"):
                    day = format_datetime(datetime.fromisoformat(s[f"{level}_eta"]), lang)
                    name = tr("kpi.monitor.level." + level, lang)
                    text = t("eta", level=name, at=day.split(" ")[0])
                    out.append(f"<p class='flag'>{text}</p>")
            if s.get("causes"):
                out.append(
                    "<p>"
                    + ", ".join(
                        f"{_x(c['cause'])} (AP {_x(c['ap'] or '-')}, RPN {_x(c['rpn'] or '-')})"
                        for c in s["causes"][:4]
                    )
                    + "</p>"
                )
    if weibull is not None:
        out.append(f"<h2>{t('weibull')}</h2><table><tr>")
        for c in ("equipment", "component", "beta", "eta", "b10", "regime"):
            out.append(f"<th>{t('col.' + c)}</th>")
        out.append("</tr>")
        for g in weibull:
            if "error" in g:
                reason = tr(f"kpi.weibull.why.{g['error']}", lang)
                out.append(
                    f"<tr><td>{_x(g['equipment'])}</td><td>{_x(g['component'] or '-')}</td>"
                    f"<td colspan='4'>{_x(reason)}</td></tr>"
                )
                continue
            regime = tr(f"kpi.report.regime.{g['regime']}", lang)
            out.append(
                f"<tr><td>{_x(g['equipment'])}</td><td>{_x(g['component'] or '-')}</td>"
                f"<td class='num'>{num(g['beta'], 3)} [{num(g['beta_ci'][0], 3)} ; "
                f"{num(g['beta_ci'][1], 3)}]</td><td class='num'>{num(round(g['eta_h']), 7)} h</td>"
                f"<td class='num'>{num(round(g['b10_h']), 7)} h</td><td>{_x(regime)}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>\n")
    return "\n".join(out)
