"""Diagnosis reports: built once from the event log, written as Markdown, HTML, JSON or PDF.

``build_report(kb, events, lang=...)`` computes everything a supervisor,
a quality engineer or a CMMS needs; ``render(report, fmt)`` only formats it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis._lazy import lazy_attributes
from diagnosis.errors import ExportError

if TYPE_CHECKING:
    from diagnosis.report.build import build_report
    from diagnosis.report.data import REPORT_VERSION, Audit, ReportData

__all__ = ["FORMATS", "REPORT_VERSION", "Audit", "ReportData", "build_report", "render"]

FORMATS = ("md", "html", "json", "pdf")


def render(report: ReportData, fmt: str) -> str | bytes:
    """Format a report: text for ``md``/``html``/``json``, bytes for ``pdf``.

    Raises:
        ExportError: unknown format, or the PDF engine cannot run.
    """
    if fmt == "md":
        from diagnosis.report.markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from diagnosis.report.html import render_html

        return render_html(report)
    if fmt == "json":
        from diagnosis.report.json_writer import render_json

        return render_json(report)
    if fmt == "pdf":
        from diagnosis.report.html import render_html
        from diagnosis.report.pdf import html_to_pdf

        return html_to_pdf(render_html(report))
    raise ExportError(code="report_doc.bad_format", fmt=fmt, formats=", ".join(FORMATS))


__getattr__ = lazy_attributes(
    __name__,
    {
        "build_report": "diagnosis.report.build",
        "REPORT_VERSION": "diagnosis.report.data",
        "Audit": "diagnosis.report.data",
        "ReportData": "diagnosis.report.data",
    },
)
