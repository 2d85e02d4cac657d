"""The writers: Markdown, self-contained HTML, versioned JSON, PDF; escaping; French."""

from __future__ import annotations

import builtins
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import pytest
from report_samples import make_events, make_kb

from diagnosis.errors import ExportError
from diagnosis.report import build_report, render
from diagnosis.report.svg import fishbone_svg, ranking_svg

NOW = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
EVIL = '<script>alert("x")</script> & | *bold*'


def _report(lang: str = "en", evil: str | None = None) -> Any:
    return build_report(make_kb(evil), make_events(), lang=lang, now=NOW, diagrams=False)


def test_markdown_english() -> None:
    md = render(_report("en"), "md")
    assert isinstance(md, str)
    assert md.startswith("# Diagnosis report: Injection press 1\n")
    assert (
        "| 14:08:00 | Melt temperature | 205 °C | low | 230 °C | LL 180 · L 215 · H 245 · HH 260 | thermocouple | alice |"
        in md
    )
    assert "| Heater band burnt | 50.0% | 80.0% | 97.0% |" in md
    assert "**Heater band burnt**: 97.0%, confirmed by the technician" in md
    assert "| F1 | No heat | Short shots | 7 | 4 | 3 | 84 | M | 16 (act) |" in md
    assert "| HB-220 | heater band | 1 |" in md
    assert "- 50 good shots: **passed** 50/50 (2026-11-28 14:20)" in md
    assert "| Supervisor |  |  |  |" in md


def test_markdown_french_dates_numbers_and_colons() -> None:
    md = render(_report("fr"), "md")
    assert isinstance(md, str)
    assert "| Début | 28/11/2026 14:05 |" in md
    assert "| 14:14:00 | Courant collier | 0,1 A | bas | 4 A |" in md
    assert "- **Quoi** : short shots on mould 12" in md
    assert "**Collier chauffant grillé** : 97,0 %, confirmée par le technicien" in md
    assert "Rapport généré le 28/11/2026 16:00 (UTC+00:00)" in md


def test_kb_text_is_escaped_everywhere() -> None:
    r = _report("en", evil=EVIL)
    html = render(r, "html")
    md = render(r, "md")
    assert isinstance(html, str) and isinstance(md, str)
    assert "<script>" not in html and "&lt;script&gt;" in html
    # Markdown escapes with backslashes, never HTML entities (issue 10)
    assert re.search(r"(?<!\\)<script>", md) is None and "\\<script>" in md
    assert "&lt;" not in md and "&amp;" not in md
    assert "\\|" in md  # a pipe cannot break a table
    data = json.loads(render(r, "json"))
    assert data["conclusion"]["name"] == EVIL  # JSON keeps the text as is
    for svg in (
        fishbone_svg(r.hypotheses, EVIL, "en"),
        ranking_svg(r.ranking, r.chart_causes, "en"),
    ):
        ET.fromstring(svg)  # well-formed despite the text
        assert "<script>" not in svg


def test_html_is_one_self_contained_file() -> None:
    html = render(_report("fr"), "html")
    assert isinstance(html, str)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    assert html.count("<svg") == 2  # hypotheses chart + 5M fishbone
    for external in ("<link", "<script", "src=", "@import", "url("):
        assert external not in html
    assert "Collier chauffant grillé" in html and "28/11/2026 14:05" in html


def test_json_is_versioned_and_complete() -> None:
    text = render(_report("en"), "json")
    assert isinstance(text, str)
    data = json.loads(text)
    assert next(iter(data)) == "report_version" and data["report_version"] == 1
    assert data["started_at"] == "2026-11-28T14:05:00+00:00"
    assert data["readings"][0]["measurement"] == "melt-temp"
    assert data["ranking"][2]["probabilities"][0] == {"cause": "heater", "probability": 0.97}
    assert data["fmea"][0]["rpn"] == 84
    assert data["remedy"]["parts"] == [{"ref": "HB-220", "name": "heater band", "qty": 1}]
    expected = {
        "report_version",
        "lang",
        "generated_at",
        "session_id",
        "status",
        "work_order",
        "kb_digest",
        "equipment",
        "equipment_name",
        "equipment_tag",
        "equipment_location",
        "technician",
        "habilitations",
        "started_at",
        "ended_at",
        "duration_min",
        "problem",
        "alerts",
        "readings",
        "ranking",
        "chart_causes",
        "excluded",
        "notes",
        "conclusion",
        "why",
        "category_5m",
        "hypotheses",
        "fmea",
        "remedy",
        "validation",
        "fault_tree",
        "diagrams",
        "warnings",
        "audit",
        "tree_observations",
        "history",
        "validation_pending",
        "handovers",  # issue 10: the session stopped for a colleague
    }
    assert set(data) == expected


def test_pdf() -> None:
    pdf = render(_report("fr"), "pdf")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")


def test_pdf_without_system_libraries_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': No such file")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ExportError) as info:
        render(_report("en"), "pdf")
    message = str(info.value)
    assert "\n" not in message and "libpango-1.0-0" in message


def test_unknown_format() -> None:
    with pytest.raises(ExportError, match="docx"):
        render(_report(), "docx")


def test_docs_list_every_json_field_and_cmms_column() -> None:
    from pathlib import Path

    from diagnosis.store.cmms import INTERVENTION_COLUMNS

    docs = Path(__file__).resolve().parents[3] / "docs"
    report_doc = (docs / "report-json.md").read_text(encoding="utf-8")
    data = json.loads(render(_report(), "json"))
    for key in data:
        assert f"`{key}`" in report_doc, key
    cmms_doc = (docs / "cmms-export.md").read_text(encoding="utf-8")
    for column in INTERVENTION_COLUMNS:
        assert f"| `{column}` |" in cmms_doc, column


def test_a_reading_on_another_day_shows_its_date() -> None:
    import dataclasses

    events = make_events()
    late = dataclasses.replace(events[3], at=datetime(2026, 11, 29, 0, 30, tzinfo=UTC))
    r = build_report(
        make_kb(), [*events[:3], late, *events[4:]], lang="fr", now=NOW, diagrams=False
    )
    md = render(r, "md")
    assert isinstance(md, str) and "| 29/11/2026 00:30:00 | Température matière |" in md


def test_audit_line() -> None:
    import dataclasses

    from diagnosis.report import Audit

    r = _report("en")
    ok = render(dataclasses.replace(r, audit=Audit(True, 17)), "md")
    assert isinstance(ok, str) and "17 events, hash chain intact" in ok
    bad = render(dataclasses.replace(r, audit=Audit(False, 17, 4)), "html")
    assert isinstance(bad, str) and "modified outside the application at event 4" in bad


def test_times_are_local_with_their_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10: a supervisor reads local times, and the report says which zone."""
    import time

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    md = render(_report("fr"), "md")
    html = render(_report("en"), "html")
    assert isinstance(md, str) and isinstance(html, str)
    assert "| Début | 28/11/2026 15:05 |" in md  # 14:05 UTC, winter time
    assert "*Heures locales (UTC+01:00).*" in md
    assert "Rapport généré le 28/11/2026 17:00 (UTC+01:00)" in md
    assert "Times are local (UTC+01:00)." in html and "Times are UTC" not in html
