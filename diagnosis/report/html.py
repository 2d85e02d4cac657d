"""The HTML report: one self-contained file (inline CSS and SVG, no external resource).

jinja2 autoescapes every value, so a KB or user text such as
``<script>`` is shown, never run. The only unescaped inserts are the SVG
diagrams, which :mod:`diagnosis.report.svg` (and graphviz) build with
their own escaping.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from diagnosis.report.data import ReportData
from diagnosis.report.fmt import Fmt
from diagnosis.report.svg import fishbone_svg, ranking_svg

__all__ = ["render_html"]

_TEMPLATES = Path(__file__).with_name("templates")


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(r: ReportData) -> str:
    """The whole report as one HTML document."""
    f = Fmt(r.lang)
    chart = (
        Markup(ranking_svg(r.ranking, r.chart_causes, r.lang))
        if r.ranking and r.chart_causes
        else None
    )
    effect = ", ".join(n.name for n in r.problem.symptoms) or r.equipment_name
    fishbone = Markup(fishbone_svg(r.hypotheses, effect, r.lang)) if r.hypotheses else None
    ft_svg = (
        Markup(_strip_xml_header(r.fault_tree.svg)) if r.fault_tree and r.fault_tree.svg else None
    )
    evidence = []
    if r.conclusion is not None:
        evidence = [
            line
            for line in r.readings
            if line.measurement in r.conclusion.evidence and not line.undone
        ]
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            r=r,
            f=f,
            chart=chart,
            fishbone=fishbone,
            ft_svg=ft_svg,
            evidence=evidence,
            ap_absent=any(m.ap is None for m in r.fmea),
        )
    )


def _strip_xml_header(svg: str) -> str:
    """Graphviz output starts with an XML declaration and DOCTYPE: not allowed inline."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
