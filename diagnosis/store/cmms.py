"""The CMMS export of interventions: stable columns, ISO 8601 times, CSV or JSON.

The columns and their meaning are documented in ``docs/cmms-export.md`` (a
test checks that every column is there). New columns go at the end;
renaming or removing one needs a new ``export_version``.
"""

from __future__ import annotations

import csv
import io
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
)


def intervention_rows(
    items: list[Intervention], kb: KnowledgeBase | None, lang: str = "en"
) -> list[dict[str, Any]]:
    """The CMMS rows (``docs/cmms-export.md``): ISO 8601 times, codes filled from the KB."""
    rows = []
    for iv in items:
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
                "failure_mode": iv.failure_mode or (cause.failure_mode if cause else None),
                "failure_mechanism": iv.failure_mechanism or (cause.mechanism if cause else None),
                "failure_cause_class": iv.failure_cause_class
                or (cause.cause_class if cause else None),
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
            }
        )
    return rows


def _in_lang(recorded: str | None, texts: Any, lang: str) -> str | None:
    """``recorded`` in ``lang`` when it is one of the KB ``texts`` in some language."""
    if not recorded:
        return recorded
    for text in texts:
        if text and recorded in dict(text.values).values():
            return str(text.get(lang)) or recorded
    return recorded


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):  # parts: REF*QTY separated by "; "
            return "; ".join(f"{p['ref']}*{_num(p['qty'])}" for p in value)
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return _num(value)
    return str(value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def interventions_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(INTERVENTION_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in INTERVENTION_COLUMNS])
    return buffer.getvalue()


def interventions_json(rows: list[dict[str, Any]]) -> str:
    """``{"export_version": 1, "interventions": [...]}``, pretty-printed UTF-8."""
    data = {"export_version": EXPORT_VERSION, "interventions": rows}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
