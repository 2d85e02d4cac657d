"""build_report: every fact of the session, computed once, checked against the hand-made log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from report_samples import T0, make_events, make_kb

from diagnosis.errors import ExportError
from diagnosis.i18n import Text
from diagnosis.kb.model import FaultTreeDef, FtEvent, Gate, KnowledgeBase
from diagnosis.report import links
from diagnosis.report.build import build_report
from diagnosis.session.events import CauseExcluded, CauseReinstated, NoteAdded

NOW = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)


def test_summary_problem_and_times(kb: KnowledgeBase) -> None:
    r = build_report(kb, make_events(), lang="en", now=NOW)
    assert (r.session_id, r.status, r.work_order, r.equipment) == (
        "sess-1",
        "done",
        "WO-42",
        "press-01",
    )
    assert (r.equipment_name, r.equipment_tag, r.equipment_location) == (
        "Injection press 1",
        "PR-01",
        "Line 2",
    )
    assert r.started_at == T0 and r.ended_at == datetime(2026, 11, 28, 14, 21, tzinfo=UTC)
    assert r.duration_min == 16.0
    assert r.problem.what == "short shots on mould 12"
    assert [(s.id, s.name) for s in r.problem.symptoms] == [("short-shot", "Short shots")]
    assert r.report_version == 1 and r.generated_at == NOW


def test_readings_with_reference_values_and_undo(kb: KnowledgeBase) -> None:
    r = build_report(kb, make_events(), lang="fr")
    assert [(x.measurement, x.value, x.undone) for x in r.readings] == [
        ("melt-temp", 205.0, False),
        ("heater-current", 0.0, True),
        ("heater-current", 0.1, False),
    ]
    melt = r.readings[0]
    assert (melt.name, melt.unit, melt.state, melt.instrument, melt.point) == (
        "Température matière",
        "°C",
        "low",
        "thermocouple",
        "buse",
    )
    assert (
        melt.nominal,
        melt.low_critical,
        melt.low_alarm,
        melt.high_alarm,
        melt.high_critical,
    ) == (230.0, 180, 215, 245, 260)
    assert melt.at == datetime(2026, 11, 28, 14, 8, tzinfo=UTC) and melt.actor == "alice"


def test_alerts_and_lockout(kb: KnowledgeBase) -> None:
    r = build_report(kb, make_events())
    (a,) = r.alerts
    assert (a.procedure, a.name, a.kind, a.stop_machine) == (
        "lockout-press",
        "Lock out the press",
        "lockout",
        True,
    )
    assert a.acknowledged_by == "alice" and a.steps == ("Stop", "Lock")
    assert a.steps_acknowledged == 2
    assert r.remedy is not None and r.remedy.lockout_done


def test_ranking_history_and_chart_causes(kb: KnowledgeBase) -> None:
    r = build_report(kb, make_events())
    assert [p.step for p in r.ranking] == [0, 1, 2]
    assert [p.after for p in r.ranking] == [None, "melt-temp", "heater-current"]
    assert [p.of("heater") for p in r.ranking] == [0.5, 0.8, 0.97]
    assert [c.id for c in r.chart_causes] == ["heater", "nozzle", "_unknown"]


def test_conclusion_why_fishbone_fmea(kb: KnowledgeBase) -> None:
    r = build_report(kb, make_events())
    c = r.conclusion
    assert c is not None
    assert (c.root_cause, c.name, c.probability, c.confirmed) == (
        "heater",
        "Heater band burnt",
        0.97,
        True,
    )
    assert (c.failure_mode, c.mechanism, c.cause_class) == ("LOO", "4.2", "3.4")
    assert c.evidence == ("melt-temp", "heater-current")
    assert [w.evidence_text for w in r.why] == [
        "Melt temperature = 205 °C (low)",
        "Heater current = 0.1 A (low)",
    ]
    assert r.category_5m == "machine"
    assert [(h.cause, h.category_5m, h.probability, h.root) for h in r.hypotheses] == [
        ("nozzle", "matiere", 0.02, False),
        ("heater", "machine", 0.97, True),
        ("setting", "methode", None, False),
    ]
    (risk,) = r.fmea
    assert (risk.severity, risk.occurrence, risk.detection, risk.rpn) == (7, 4, 3, 84)
    # AIAG-VDA: S 7-8, O 4-5, D 2-4 -> M (domain.md 2.2); default grid: F(4) = 2,
    # G(7) = 4, N(3) = 2 -> C = 16 >= 12: act (diagnosis.fmea)
    assert (risk.ap, risk.criticality, risk.act) == ("M", 16, True)
    assert r.remedy is not None and r.remedy.expected_repair_min == 60
    assert [(p.ref, p.qty) for p in r.remedy.parts] == [("HB-220", 1)]
    assert r.validation is not None and r.validation.expected == "Run 50 shots"


def test_fmea_action_priority_from_the_fmea_helper(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Line:
        id = "F1"

    class Risk:
        line = Line()
        ap = "M"
        criticality = 16
        act = True

    monkeypatch.setattr(
        links, "fmea_for_cause", lambda kb, cause: [Risk()] if cause == "heater" else []
    )
    (risk,) = build_report(kb, make_events()).fmea
    assert risk.ap == "M"


def test_exclusions_and_reinstatement(kb: KnowledgeBase) -> None:
    events = make_events(closed=False)
    events.insert(4, CauseExcluded(cause="nozzle", rule="r1", reason="nozzle temperature ok"))
    events.insert(5, CauseExcluded(cause="setting", rule="r2", reason="setup sheet checked"))
    events.insert(6, CauseReinstated(cause="setting", rule="r2"))
    events.append(NoteAdded(text="check the thermocouple too"))
    r = build_report(kb, events)
    assert [(x.cause, x.reason) for x in r.excluded] == [("nozzle", "nozzle temperature ok")]
    assert [h.excluded for h in r.hypotheses if h.cause == "nozzle"] == ["nozzle temperature ok"]
    assert r.notes == ("check the thermocouple too",)
    assert r.status == "open" and r.ended_at is None


def test_a_kb_without_the_equipment_still_gives_a_report() -> None:
    r = build_report(KnowledgeBase(), make_events())
    assert r.equipment_name == "press-01"
    assert r.readings[0].name == "melt-temp" and r.readings[0].nominal is None
    assert r.conclusion is not None and r.conclusion.name == "heater"
    assert r.fmea == () and r.hypotheses == ()


def test_a_log_without_start_is_an_export_error(kb: KnowledgeBase) -> None:
    with pytest.raises(ExportError):
        build_report(kb, make_events()[1:])


def test_fault_tree_path_from_the_fault_tree_package() -> None:
    tree = FaultTreeDef(
        id="ft-press",
        top="g-top",
        equipment="press-01",
        name=Text.of("No good part"),
        gates=(
            Gate("g-top", "or", ("g-heat", "e-nozzle"), name=Text.of("Short shot")),
            Gate("g-heat", "or", ("e-heater",), name=Text.of("Melt too cold")),
        ),
        events=(
            FtEvent("e-heater", 0.01, cause="heater", name=Text.of("Heater burnt")),
            FtEvent("e-nozzle", 0.01, cause="nozzle"),
        ),
    )
    base = make_kb()
    kb = KnowledgeBase(equipments=base.equipments, fault_trees=(tree,))
    r = build_report(kb, make_events(), diagrams=False)
    assert r.fault_tree is not None
    assert [(n.id, n.name) for n in r.fault_tree.path] == [
        ("e-heater", "Heater burnt"),
        ("g-heat", "Melt too cold"),
        ("g-top", "Short shot"),
    ]
    assert not r.diagrams


def test_warns_when_the_kb_changed_since_the_session(tmp_path: Any) -> None:
    import dataclasses

    (tmp_path / "eq.yaml").write_text("x: 1\n", encoding="utf-8")
    kb = dataclasses.replace(make_kb(), root=str(tmp_path))
    events = make_events()
    start = dataclasses.replace(events[0], kb_digest="0" * 64)  # type: ignore[type-var]
    r = build_report(kb, [start, *events[1:]], lang="en")
    assert len(r.warnings) == 1 and "knowledge base has changed" in r.warnings[0]
    assert build_report(kb, events).warnings == ()  # no digest recorded: nothing to compare
