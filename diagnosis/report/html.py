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
from diagnosis.report.graphs import render_svg, why_dot
from diagnosis.report.handover_text import handover_text
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
        bytecode_cache=_bytecode_cache(),
    )


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """The compiled template, kept in the user's cache folder between runs.

    Compiling the template is most of an HTML report's time. jinja2 keys the
    file by the template's name and source checksum and refuses one written by
    another jinja2 or Python version; ``DIAGNOSIS_CACHE=off`` compiles every time.
    """
    from diagnosis._cache import cache_folder

    folder = cache_folder()
    if folder is None:
        return None
    try:
        (folder / "jinja2").mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None  # a cache that cannot be written is only slower
    return jinja2.FileSystemBytecodeCache(str(folder / "jinja2"))


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
    why_svg = ft_svg = None
    if r.diagrams:
        why = why_dot(r, f.t("why.edge"))
        why_svg = _markup(render_svg(why)) if why else None
        ft_svg = _markup(render_svg(r.fault_tree.dot)) if r.fault_tree else None
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
            why_svg=why_svg,
            evidence=evidence,
            ap_absent=any(m.ap is None for m in r.fmea),
            handovers=[(f.time(h.at, r.started_at), handover_text(h, f)) for h in r.handovers],
        )
    )


def _markup(svg: str | None) -> Markup | None:
    """Graphviz's SVG, escaped by graphviz itself, inserted as is."""
    return None if svg is None else Markup(svg)
