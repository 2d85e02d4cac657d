"""History at diagnosis time: last interventions, same cause before, recurrence flag, report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from diagnosis.cli import main
from diagnosis.kb import load_kb
from diagnosis.kpi.history import equipment_history, recurrence_text
from diagnosis.store import Intervention, open_store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")


def iv(day: float, cause: str, sid: str, equipment: str = "pp-cell-01",
       status: str = "done") -> Intervention:
    at = T0 + timedelta(days=day)
    return Intervention(
        session_id=sid, work_order=None, equipment=equipment, technician="t",
        habilitations=(), request_time=at, start_time=at, end_time=at, downtime_min=30.0,
        labour_min=20.0, symptoms=(), failure_mode=None, failure_mechanism=None,
        failure_cause_class=None, root_cause=cause, root_cause_probability=0.9,
        root_cause_confirmed=True, category_5m=None, why_chain=(), activity="replace",
        remedy=f"fixed {sid}", parts=(), lockout_done=True, alerts=(), validation_test="t",
        validation_passed=True, validation_result=None, status=status,
    )


def test_third_time_in_90_days() -> None:
    items = [
        iv(0, "pp-cup-worn", "a"),
        iv(100, "pp-cup-worn", "b"),
        iv(150, "pp-fitting-leak", "c"),
        iv(160, "pp-cup-worn", "d"),
        iv(165, "pp-cup-worn", "x", status="abandoned"),  # not counted
        iv(170, "pp-cup-worn", "e", equipment="cv-line-01"),  # other equipment
        iv(175, "pp-cup-worn", "now"),  # the session itself
        iv(200, "pp-cup-worn", "later"),  # after now
    ]
    h = equipment_history(
        items, "pp-cell-01", "pp-cup-worn", now=T0 + timedelta(days=175), session_id="now",
        kb=load_kb(),
    )
    assert [p.session_id for p in h.recent] == ["d", "c", "b", "a"]
    assert [p.session_id for p in h.same_cause] == ["d", "b", "a"]
    assert h.same_cause[0].remedy == "fixed d" and h.same_cause[0].name.startswith("Suction cup")
    assert h.recurrence == 3  # days 100 and 160 within 90 days of day 175, plus this one
    assert h.flag == "Third time in 90 days: look for the deeper cause"
    assert h.recurrent == (("pp-cup-worn", h.same_cause[0].name, 2),)


def test_no_flag_once_and_french_ordinals() -> None:
    h = equipment_history([iv(0, "pp-cup-worn", "a")], "pp-cell-01", "pp-cup-worn",
                          now=T0 + timedelta(days=200))
    assert h.recurrence == 1 and h.flag == ""
    assert recurrence_text(2, 30, "fr") == "Deuxième fois en 30 jours : chercher la cause profonde"
    assert recurrence_text(11, 90, "en").startswith("11th time in 90 days")


def test_report_shows_history_and_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    assert main(["demo", "--days", "200", "--out", str(folder), "--seed", "1"]) == 0
    db = str(folder / "demo.db")
    with open_store(db) as store:
        cups = [i for i in store.interventions(equipment="pp-cell-01")
                if i.root_cause == "pp-cup-worn"]
    # find a cup change preceded by two others within 90 days
    target = next(
        c for k, c in enumerate(cups)
        if k >= 2 and c.request_time - cups[k - 2].request_time <= timedelta(days=90)
    )
    capsys.readouterr()
    assert main(["report", target.session_id, "--db", db, "--to", "md", "--lang", "fr"]) == 0
    md = capsys.readouterr().out
    assert "## Historique de cet équipement" in md
    assert "fois en 90 jours : chercher la cause profonde**" in md
    assert "**Cette cause déjà trouvée ici, et ce qui l'a réparée**" in md
    assert main(["report", target.session_id, "--db", db, "--to", "json"]) == 0
    import json

    history = json.loads(capsys.readouterr().out)["history"]
    assert history["cause"] == "pp-cup-worn" and history["recurrence"] >= 3
    assert all(p["root_cause"] == "pp-cup-worn" for p in history["same_cause"])


def test_run_prints_the_recurrence_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(__file__).parents[3] / "tests" / "ui"
    answers = tmp_path / "answers.yaml"
    answers.write_text("melt-temp: 205\nheater-current: false\ngranule-aspect: dry\n",
                       encoding="utf-8")
    args = ["run", "--kb", str(root / "kb"), "--fault-trees", str(root / "fault_trees"),
            "--equipment", "ui-press-01", "--symptom", "short-shot", "--answers", str(answers),
            "--habilitation", "BR", "--db", str(tmp_path / "runs.db")]
    outputs = []
    for _ in range(3):
        assert main(args) == 0
        outputs.append(capsys.readouterr().out)
    assert "time in 90 days" not in outputs[0]
    assert "Second time in 90 days: look for the deeper cause" in outputs[1]
    assert "Third time in 90 days: look for the deeper cause" in outputs[2]
