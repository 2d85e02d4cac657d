"""Reliability from interventions: hand-computed MTBF/MTTR/Pareto/recurrence; demo store CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from diagnosis.cli import main
from diagnosis.kb import load_kb
from diagnosis.kpi.reliability import CostRates, abc_class, recurrences, reliability
from diagnosis.store import Intervention

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")


def iv(day: float, cause: str, downtime: float, labour: float, equipment: str = "cv-line-01",
       status: str = "done") -> Intervention:
    at = T0 + timedelta(days=day)
    return Intervention(
        session_id=f"s{day}-{cause}", work_order=None, equipment=equipment, technician="t",
        habilitations=(), request_time=at, start_time=at, end_time=at, downtime_min=downtime,
        labour_min=labour, symptoms=(), failure_mode=None, failure_mechanism=None,
        failure_cause_class=None, root_cause=cause, root_cause_probability=0.9,
        root_cause_confirmed=True, category_5m=None, why_chain=(), activity=None, remedy=None,
        parts=(), lockout_done=False, alerts=(), validation_test=None, validation_passed=None,
        validation_result=None, status=status,
    )


def test_hand_computed_indicators() -> None:
    items = [
        iv(1, "cv-belt-tension-low", 60, 30),
        iv(20, "cv-belt-tension-low", 120, 90),
        iv(50, "cv-motor-bearing-de-worn", 180, 150),
        iv(60, "cv-belt-tension-low", 60, 30, status="abandoned"),  # not a failure
        iv(70, "cv-belt-tension-low", 0, 0, status="open"),  # not a failure
    ]
    doc = reliability(
        items, load_kb(), since=T0, until=T0 + timedelta(days=100), rates=CostRates(60.0, 300.0)
    )
    assert doc["failures"] == 3
    (eq,) = doc["equipment"]
    # period 2400 h, downtime 6 h: MTBF = (2400 - 6) / 3 = 798 h; MTTR = 2 h
    assert eq["mtbf_h"] == pytest.approx(798.0)
    assert eq["mttr_h"] == pytest.approx(2.0)
    assert eq["mrt_h"] == pytest.approx(90 / 60)
    assert eq["availability"] == pytest.approx(798 / 800)
    take_up, bearing = eq["components"]
    assert (take_up["component"], take_up["failures"]) == ("cv-take-up", 2)
    assert take_up["mtbf_h"] == pytest.approx((2400 - 3) / 2)
    assert bearing["component"] == "cv-motor-bearing-de"
    count = doc["pareto"]["count"]
    assert [(r["cause"], r["value"], r["class"]) for r in count] == [
        ("cv-belt-tension-low", 2, "A"),
        ("cv-motor-bearing-de-worn", 1, "A"),  # cumulative before it: 66.7 % < 80 %
    ]
    cost = {r["cause"]: r["value"] for r in doc["pareto"]["cost"]}
    # labour 2 h x 60 + downtime 3 h x 300 = 1020; bearing 2.5 h x 60 + 3 h x 300 = 1050
    assert cost == {"cv-belt-tension-low": 1020.0, "cv-motor-bearing-de-worn": 1050.0}
    assert doc["pareto"]["cost"][0]["cause"] == "cv-motor-bearing-de-worn"
    (rec,) = doc["recurrences"]
    assert (rec["cause"], rec["count"], rec["occurrences"]) == ("cv-belt-tension-low", 2, 2)


def test_recurrence_window_and_abc() -> None:
    items = [iv(d, "x", 10, 10) for d in (0, 30, 80, 200, 220)]
    (rec,) = recurrences(items, days=90)
    assert rec["count"] == 3 and rec["occurrences"] == 5
    assert recurrences(items, days=10) == []
    assert [abc_class(x) for x in (0.0, 0.79, 0.8, 0.94, 0.95)] == ["A", "A", "B", "B", "C"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--days", "120", "--out", str(folder), "--seed", "7",
                 "--format", "json"]) == 0
    return folder


def test_demo_is_deterministic_and_feeds_every_command(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    again = tmp_path / "again"
    assert main(["demo", "--days", "120", "--out", str(again), "--seed", "7"]) == 0
    for name in ("production.csv", "readings.csv", "failures.csv"):
        assert (demo / name).read_bytes() == (again / name).read_bytes()
    assert main(["demo", "--days", "120", "--out", str(again)]) == 2  # store not empty
    capsys.readouterr()
    db = str(demo / "demo.db")
    assert main(["kpi", "reliability", "--db", db, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["failures"] > 10
    assert {e["equipment"] for e in doc["equipment"]} == {
        "cv-line-01", "injection-press-01", "pp-cell-01"
    }
    assert all(0.9 < e["availability"] < 1 for e in doc["equipment"])
    assert main(["kpi", "oee", str(demo / "production.csv"), "--format", "json"]) == 0
    oee = json.loads(capsys.readouterr().out)
    assert all(0.5 < r["trs"] < 1 for r in oee)
    assert main(["kpi", "weibull", str(demo / "failures.csv"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert main(["monitor", str(demo / "readings.csv"), "--format", "json"]) == 1
    series = json.loads(capsys.readouterr().out)["series"]
    drifting = {(s["measurement"], s["drift"]) for s in series if s["flagged"]}
    assert drifting == {("cv-vib-motor-de", "up"), ("pp-vacuum-level", "down")}
    assert main(["kpi", "reliability", "--db", db, "--lang", "fr",
                 "--equipment", "pp-cell-01"]) == 0
    out = capsys.readouterr().out
    assert "pp-cell-01 : " in out and "Pareto des causes par nombre" in out


def test_indicators_report_html_and_json(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re
    import xml.dom.minidom

    out = tmp_path / "kpi.html"
    args = [
        "kpi", "report", "--db", str(demo / "demo.db"),
        "--production", str(demo / "production.csv"),
        "--readings", str(demo / "readings.csv"),
        "--failures", str(demo / "failures.csv"),
    ]
    assert main([*args, "-o", str(out), "--lang", "fr"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert "Indicateurs de maintenance" in html and "Pareto des causes par" in html
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) >= 3 + 3 + 7  # OEE bars, three Paretos, one trend per series
    for svg in svgs:
        xml.dom.minidom.parseString(svg)  # well-formed inline SVG
    assert "seuil d&#x27;alarme atteint vers le" in html or "seuil d'alarme atteint" in html
    capsys.readouterr()
    assert main([*args, "--to", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"oee", "monitor", "weibull", "reliability"}
    assert main(["kpi", "report"]) == 2
    assert "give at least one of" in capsys.readouterr().err


def test_exercise_sessions_are_no_failures_nor_cmms_rows() -> None:
    from dataclasses import replace

    from diagnosis.kpi.history import equipment_history
    from diagnosis.store.cmms import intervention_rows

    real = iv(1, "cv-belt-tension-low", 60, 30)
    exercise = replace(iv(2, "cv-motor-bearing-de-worn", 60, 30), work_order="exercise:cv-03-bearing-critical")
    assert exercise.is_exercise and not real.is_exercise
    kb = load_kb()
    doc = reliability([real, exercise], kb, since=T0, until=T0 + timedelta(days=10))
    assert doc["failures"] == 1
    assert [r["session_id"] for r in intervention_rows([real, exercise], kb)] == [real.session_id]
    past = equipment_history([real, exercise], "cv-line-01", None, now=T0 + timedelta(days=5))
    assert [p.session_id for p in past.recent] == [real.session_id]


def test_a_stored_exercise_stays_out_of_kpis_export_and_trends(tmp_path: Path) -> None:
    from diagnosis.kpi.history import reading_series
    from diagnosis.kpi.learn import session_facts
    from diagnosis.store import open_store
    from diagnosis.store.cmms import intervention_rows
    from diagnosis.training import find_exercise
    from diagnosis.training.actions import play
    from diagnosis.training.generate import perfect_actions
    from diagnosis.training.run import TrainingRun

    kb = load_kb()
    ex = find_exercise("cv-01-motor-cooling", kb)
    with open_store(f"sqlite:///{tmp_path / 'x.db'}", kb=kb) as store:
        run = TrainingRun(kb, ex, "alice", sink=store)
        play(run, perfect_actions(kb, ex))
        items = store.interventions()
        assert [i.work_order for i in items] == ["exercise:cv-01-motor-cooling"]
        assert reliability(items, kb)["failures"] == 0
        assert intervention_rows(items, kb) == []
        assert reading_series(store, "cv-line-01") == {}
        assert session_facts(store) == []
