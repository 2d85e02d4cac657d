"""The JSON report: the report data, versioned (``"report_version": 1``).

Documented field by field in ``docs/report-json.md``. Times are ISO 8601
(UTC), probabilities are in [0, 1], durations in minutes; KB texts are
already in the report's language.
"""

from __future__ import annotations

import json
from typing import Any

from diagnosis.report.data import ReportData, to_json_data

__all__ = ["render_json", "report_json_data"]


def report_json_data(r: ReportData) -> dict[str, Any]:
    """The JSON-ready mapping, ``report_version`` first."""
    data: dict[str, Any] = to_json_data(r)
    return {"report_version": data.pop("report_version"), **data}


def render_json(r: ReportData) -> str:
    return json.dumps(report_json_data(r), ensure_ascii=False, indent=2) + "\n"
