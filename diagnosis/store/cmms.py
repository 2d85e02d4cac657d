"""The CMMS export of interventions: stable columns, ISO 8601 times, CSV or JSON.

The columns and their meaning are documented in ``docs/cmms-export.md`` (a
test checks that every column is there). New columns go at the end;
renaming or removing one needs a new ``export_version``.
"""

from __future__ import annotations

import json
from typing import Any

from diagnosis.kb.model import KnowledgeBase
from diagnosis.store.base import Intervention

__all__ = [
    "EXPORT_VERSION",
    "INTERVENTION_COLUMNS",
    "intervention_rows",
    "interventions_csv",
    "interventions_json",
]

EXPORT_VERSION = 1

INTERVENTION_COLUMNS: tuple[str, ...] = (
    "work_order",
    "session_id",
    "status",
    "equipment",
    "equipment_name",
    "equipment_tag",
    "request_time",
    "start_time",
    "end_time",
    "downtime_min",
    "labour_min",
    "technician",
    "habilitations",
    "symptoms",
    "failure_mode",
    "failure_mechanism",
    "failure_cause_class",
    "root_cause",
    "root_cause_name",
    "root_cause_probability",
    "root_cause_confirmed",
    "category_5m",
    "why_chain",
    "activity",
    "remedy",
    "parts",
    "lockout_done",
    "alerts",
    "validation_test",
    "validation_passed",
    "validation_result",
    "audit_ok",
)


def intervention_rows(
    items: list[Intervention],
    kb: KnowledgeBase | None,
    lang: str = "en",
    audit: dict[str, bool] | None = None,
) -> list[dict[str, Any]]:
    """The CMMS rows (``docs/cmms-export.md``): ISO 8601 times, codes filled from the KB.

    ``audit``: session id -> whether ``verify`` found its record intact (the
    ``audit_ok`` column; empty when not checked). A trainee's exercise (work
    order ``exercise:…``, trainer mode) is not an intervention: it is skipped.
    """
    rows = []
    for iv in items:
        if iv.is_exercise:
            continue
        cause = kb.causes.get(iv.root_cause) if kb and iv.root_cause else None
        eq = None
        if kb is not None:
            try:
                eq = kb.equipment(iv.equipment)
            except KeyError:
                eq = None
        rows.append(
            {
                "work_order": iv.work_order,
                "session_id": iv.session_id,
                "status": iv.status,
                "equipment": iv.equipment,
                "equipment_name": eq.equipment.name.get(lang) if eq else None,
                "equipment_tag": eq.equipment.tag if eq else None,
                "request_time": iv.request_time.isoformat(),
                "start_time": iv.start_time.isoformat() if iv.start_time else None,
                "end_time": iv.end_time.isoformat() if iv.end_time else None,
                "downtime_min": iv.downtime_min,
                "labour_min": iv.labour_min,
                "technician": iv.technician,
                "habilitations": list(iv.habilitations),
                "symptoms": list(iv.symptoms),
                # the ISO 14224 codes come from the KB (not protected by the audit chain)
                "failure_mode": (cause.failure_mode if cause else None) or iv.failure_mode,
                "failure_mechanism": (cause.mechanism if cause else None) or iv.failure_mechanism,
                "failure_cause_class": (cause.cause_class if cause else None)
                or iv.failure_cause_class,
                "root_cause": iv.root_cause,
                "root_cause_name": cause.name.get(lang) if cause else None,
                "root_cause_probability": iv.root_cause_probability,
                "root_cause_confirmed": iv.root_cause_confirmed,
                "category_5m": iv.category_5m,
                # texts recorded in the session's language: in the export's language
                # when they are the KB's (one language per file, issue 10)
                "why_chain": [
                    _in_lang(w, cause.why if cause else (), lang) for w in iv.why_chain
                ],
                "activity": iv.activity,
                "remedy": _in_lang(iv.remedy, (cause.remedy,) if cause else (), lang),
                "parts": [{"ref": p.ref, "name": p.name, "qty": p.qty} for p in iv.parts],
                "lockout_done": iv.lockout_done,
                "alerts": list(iv.alerts),
                "validation_test": iv.validation_test,
                "validation_passed": iv.validation_passed,
                "validation_result": iv.validation_result,
                "audit_ok": None if audit is None else audit.get(iv.session_id),
            }
        )
    return rows


# OWASP "CSV injection": a cell a spreadsheet would read as a formula starts with one of these
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _in_lang(recorded: str | None, texts: Any, lang: str) -> str | None:
    """``recorded`` in ``lang`` when it is one of the KB ``texts`` in some language."""
    if not recorded:
        return recorded
    for text in texts:
        if text and recorded in dict(text.values).values():
            return str(text.get(lang)) or recorded
    return recorded


def _csv_cell(value: Any) -> str:
    """The text of one cell; text a spreadsheet would run as a formula is neutralised.

    Numbers stay numbers (``-12.5`` is not prefixed); any *text* cell starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their
    full-width forms) gets a leading ``'`` and is quoted (:func:`_csv_line`).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _num(value)
    if isinstance(value, list):
        if value and isinstance(value[0], dict):  # parts: REF*QTY separated by "; "
            text = "; ".join(f"{p['ref']}*{_num(p['qty'])}" for p in value)
        else:
            text = "; ".join(str(v) for v in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_line(cells: list[str]) -> str:
    """RFC 4180 line; a neutralised cell (leading ``'``) is always quoted."""
    out = []
    for cell in cells:
        if cell.startswith("'") or any(c in cell for c in ',"\r\n'):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return ",".join(out) + "\r\n"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def interventions_csv(rows: list[dict[str, Any]]) -> str:
    """The CSV export (``docs/cmms-export.md``), safe to open in a spreadsheet."""
    lines = [_csv_line(list(INTERVENTION_COLUMNS))]
    for row in rows:
        lines.append(_csv_line([_csv_cell(row[c]) for c in INTERVENTION_COLUMNS]))
    return "".join(lines)


def interventions_json(rows: list[dict[str, Any]]) -> str:
    """``{"export_version": 1, "interventions": [...]}``, pretty-printed UTF-8."""
    data = {"export_version": EXPORT_VERSION, "interventions": rows}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
