"""Hand-made inline SVG: the hypotheses chart and the 5M fishbone.

No plotting library: a report must open anywhere (one self-contained HTML
file, or a PDF through weasyprint) and every text that comes from the KB or
the technician is XML-escaped here. These functions only draw what
:class:`~diagnosis.report.data.ReportData` holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from diagnosis.i18n import format_number, tr
from diagnosis.kb.model import CATEGORIES_5M
from diagnosis.report.data import Hypothesis, Named, RankingPoint
from diagnosis.report.fmt import wrap_words

__all__ = ["CHAR_EM", "DASHES", "PALETTE", "fishbone_svg", "ranking_svg", "text_width"]

# Colour-blind-safe (Okabe-Ito) series colours; grey is kept for _unknown.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
UNKNOWN_COLOUR = "#777777"
# Each series also has its own dash pattern and marker, so that two lines that run
# close together (the two leading causes) stay clearly different, in grey print too.
DASHES = ("", "9,3", "2,3", "9,3,2,3", "5,2,5,6", "1,2")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")

CHAR_EM = 0.62
"""Width of one character, in em, used to fit labels: above the mean advance of
DejaVu Sans / Liberation Sans (about 0.55 em), bold included (about 0.6 em)."""


def text_width(text: str, font_size: float) -> float:
    """A safe (wide) estimate of the width of ``text`` drawn at ``font_size`` px."""
    return len(text) * CHAR_EM * font_size


def _fit(name: str, suffix: str, width: float, font_size: float) -> str:
    """``name`` shortened with "…" so that ``name + suffix`` fits in ``width`` px."""
    chars = int(width / (CHAR_EM * font_size)) - len(suffix)
    if chars <= 1:
        return _short(name, 2) + suffix if width > 0 else ""
    return _short(name, chars) + suffix


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 4:.1f} {x - 4:.1f},{y + 3:.1f} {x + 4:.1f},{y + 3:.1f}" '
            f'fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 4:.1f} {x - 4:.1f},{y:.1f} {x:.1f},{y + 4:.1f} '
            f'{x + 4:.1f},{y:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'


def _x(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def ranking_svg(
    points: Sequence[RankingPoint],
    causes: Sequence[Named],
    lang: str,
    *,
    width: int = 640,
    height: int = 260,
) -> str:
    """A line chart: probability (0-1) of each followed cause after each update.

    Args:
        points: the ranking snapshots, in order.
        causes: (id, name) of the causes to draw, ``_unknown`` drawn grey and dashed.
        lang: language of the axis labels and numbers.
    """
    left, right, top, bottom = 44, 210, 12, 36
    pw, ph = width - left - right, height - top - bottom
    n = max(len(points) - 1, 1)

    def px(i: int) -> float:
        return left + pw * i / n

    def py(p: float) -> float:
        return top + ph * (1.0 - max(0.0, min(1.0, p)))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_x(tr("report_doc.chart.title", lang))}" font-family="sans-serif" '
        'font-size="11">'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = py(tick)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#dddddd"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_x(format_number(tick * 100, lang))}%</text>"
        )
    for i, point in enumerate(points):
        label = str(point.step)
        out.append(
            f'<text x="{px(i):.1f}" y="{top + ph + 16}" text-anchor="middle">{_x(label)}</text>'
        )
    out.append(
        f'<text x="{left + pw / 2:.1f}" y="{height - 4}" text-anchor="middle">'
        f"{_x(tr('report_doc.chart.x_axis', lang))}</text>"
    )
    colour_index = 0
    for row, named in enumerate(causes):
        cause, name = named.id, named.name
        if cause == "_unknown":
            colour, dash, shape = UNKNOWN_COLOUR, ' stroke-dasharray="5,3"', "none"
        else:
            k = colour_index % len(PALETTE)
            colour, shape = PALETTE[k], MARKERS[k]
            dash = f' stroke-dasharray="{DASHES[k]}"' if DASHES[k] else ""
            colour_index += 1
        xy = [
            (px(i), py(p))
            for i, point in enumerate(points)
            if (p := point.of(cause)) is not None
        ]
        if len(xy) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
                f'points="{coords}" data-series="{row}"/>'
            )
        for x, y in xy if shape != "none" or len(xy) == 1 else ():
            out.append(_marker(shape if shape != "none" else "circle", x, y, colour))
        ly = top + 14 + row * 18
        out.append(
            f'<line x1="{left + pw + 12}" y1="{ly - 4}" x2="{left + pw + 30}" '
            f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        if shape != "none":
            out.append(_marker(shape, left + pw + 21, ly - 4, colour))
        out.append(f'<text x="{left + pw + 34}" y="{ly}">{_x(_short(name, 28))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def fishbone_svg(
    hypotheses: Sequence[Hypothesis],
    effect: str,
    lang: str,
    *,
    width: int = 760,
    per_branch: int = 4,
) -> str:
    """An Ishikawa diagram: the six M families, each with the causes considered.

    The root cause is bold and red, excluded causes are grey and struck
    through, the others show their last probability. At most ``per_branch``
    causes per family are drawn (the most probable first), with a "+N" note.
    """
    families = list(CATEGORIES_5M)
    by_family: dict[str, list[Hypothesis]] = {f: [] for f in families}
    for h in hypotheses:
        by_family.setdefault(h.category_5m, []).append(h)
    line_h = 14
    branch_h = 30 + line_h * (per_branch + 1)  # a last row for the "+N" note
    height = 2 * branch_h + 40
    spine_y = height / 2
    head_w = 150
    spine_end = width - head_w - 10
    cols = 3
    margin = 40  # the labels of the first family extend left of its branch
    col_w = (spine_end - margin) / cols
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" role="img" '
        f'aria-label="{_x(tr("report_doc.fishbone.title", lang))}" font-family="sans-serif" '
        'font-size="11">',
        f'<line x1="10" y1="{spine_y}" x2="{spine_end}" y2="{spine_y}" stroke="#333" '
        'stroke-width="3"/>',
        f'<rect x="{spine_end}" y="{spine_y - 28}" width="{head_w}" height="56" rx="4" '
        'fill="#fff4e5" stroke="#333"/>',
    ]
    for k, chunk in enumerate(_wrap(effect, 22)[:3]):
        out.append(
            f'<text x="{spine_end + head_w / 2}" y="{spine_y - 8 + k * 14}" '
            f'text-anchor="middle" font-weight="bold">{_x(chunk)}</text>'
        )
    for idx, family in enumerate(families):
        upper = idx < cols
        col = idx % cols
        x_end = margin + col_w * (col + 1) - 10
        x_start = x_end - 50
        y_tip = spine_y - branch_h + 12 if upper else spine_y + branch_h - 12
        out.append(
            f'<line x1="{x_start:.1f}" y1="{y_tip:.1f}" x2="{x_end:.1f}" '
            f'y2="{spine_y}" stroke="#555" stroke-width="2"/>'
        )
        title_y = y_tip - 4 if upper else y_tip + 12
        out.append(
            f'<text x="{x_start:.1f}" y="{title_y:.1f}" text-anchor="middle" font-weight="bold">'
            f"{_x(tr('report_doc.5m.' + family, lang))}</text>"
        )
        items = sorted(
            by_family.get(family, []),
            key=lambda h: (not h.root, h.excluded is not None, -(h.probability or 0.0)),
        )
        shown, hidden = items[:per_branch], len(items) - per_branch

        def on_branch(y: float, x0: float = x_start, x1: float = x_end, y0: float = y_tip) -> float:
            return x0 + (x1 - x0) * (y - y0) / (spine_y - y0)

        def room(y: float, col: int = col, y_tip: float = y_tip) -> float:
            """Free width left of this branch at ``y``: up to the previous branch line
            (whose own labels lie left of it), or the picture's edge."""
            right = on_branch(y - 4) - 14
            if col == 0:
                return right - 2
            prev_end = margin + col_w * col - 10
            prev = (prev_end - 50) + 50 * (y - 4 - y_tip) / (spine_y - y_tip)
            return right - (prev + 6)

        for j, h in enumerate(shown):
            y = (y_tip + 16 + j * line_h) if upper else (y_tip - 18 - j * line_h)
            suffix = ""
            if h.probability is not None and h.excluded is None:
                suffix = f" {format_number(round(h.probability * 100, 1), lang)} %"
            label = _fit(h.name, suffix, room(y), 10)
            style = ""
            if h.root:
                style = ' font-weight="bold" fill="#B00020"'
            elif h.excluded is not None:
                style = ' fill="#888" text-decoration="line-through"'
            x = on_branch(y - 4)
            out.append(
                f'<line x1="{x - 12:.1f}" y1="{y - 4:.1f}" x2="{x:.1f}" y2="{y - 4:.1f}" '
                'stroke="#999"/>'
            )
            out.append(
                f'<text x="{x - 14:.1f}" y="{y:.1f}" text-anchor="end" font-size="10"{style}>'
                f"{_x(label)}</text>"
            )
        if hidden > 0:
            y = (y_tip + 16 + per_branch * line_h) if upper else (y_tip - 18 - per_branch * line_h)
            more = _fit(tr("report_doc.fishbone.more", lang, n=hidden), "", room(y), 10)
            out.append(
                f'<text x="{on_branch(y - 4) - 14:.1f}" y="{y:.1f}" text-anchor="end" '
                f'font-size="10" fill="#555">{_x(more)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


def _wrap(text: str, width: int) -> list[str]:
    return [_short(line, width) for line in wrap_words(text, width)] or [""]
