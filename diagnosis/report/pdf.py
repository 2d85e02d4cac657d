"""The PDF report: the HTML report printed by weasyprint.

Why weasyprint: it turns the very same self-contained HTML (CSS paged
media, inline SVG) into a PDF without a browser or a TeX installation, so
the PDF and the HTML never disagree. It needs the Pango/HarfBuzz system
libraries; when they cannot be loaded the user gets one line naming what
is missing (an :class:`~diagnosis.errors.ExportError`), never a traceback.
"""

from __future__ import annotations

from typing import Any

from diagnosis.errors import ExportError

__all__ = ["html_to_pdf"]


def html_to_pdf(html: str) -> bytes:
    """Print ``html`` to PDF bytes.

    Raises:
        ExportError: weasyprint or one of its system libraries is missing.
    """
    weasyprint = _load()
    try:
        out = weasyprint.HTML(string=html).write_pdf()
    except Exception as exc:  # weasyprint raises many types; the user needs one line
        raise ExportError(code="report_doc.pdf_failed", reason=_first_line(exc)) from exc
    if not isinstance(out, bytes):  # pragma: no cover - write_pdf() without target
        raise ExportError(code="report_doc.pdf_failed", reason="no output")
    return out


def _load() -> Any:
    import logging
    import warnings

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import weasyprint
    except ImportError as exc:
        raise ExportError(code="report_doc.pdf_no_weasyprint", reason=_first_line(exc)) from exc
    except OSError as exc:  # cffi could not dlopen pango / gobject / harfbuzz
        raise ExportError(code="report_doc.pdf_no_libs", reason=_first_line(exc)) from exc
    return weasyprint


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
