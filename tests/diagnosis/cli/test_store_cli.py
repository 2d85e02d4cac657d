"""The saved-session commands end to end: run --db, history, report (4 formats), export,
verify catching a tampered row, and resume after a SIGKILL mid-session."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from diagnosis.cli import main

ROOT = Path(__file__).resolve().parents[3]
SLOW = ROOT / "tests" / "diagnosis" / "store" / "slow_session.py"
EQ = "injection-press-01"


def _answers(tmp_path: Path, cause: str | tuple[str, ...], name: str) -> Path:
    from diagnosis.kb import load_kb
    from diagnosis.session import SimulatedMachine

    eq = load_kb().equipment(EQ)
    sim = SimulatedMachine(eq, cause)
    values = {m.id: sim.read(m) for m in eq.measurements}
    path = tmp_path / name
    path.write_text(
        yaml.safe_dump({k: v for k, v in values.items() if v is not None}), encoding="utf-8"
    )
    return path


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


PG_ENV = "DIAGNOSIS_TEST_PG_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLite file, or a fresh schema of the CI's PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    schema = "cli_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def session_id(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> str:
    answers = _answers(tmp_path, "im-heater-z2-burnt", "heater.yaml")
    code, out, err = _cli(
        capsys,
        "run",
        "--equipment",
        EQ,
        "--symptom",
        "im-short-shot",
        "--answers",
        str(answers),
        "--db",
        db,
        "--technician",
        "alice",
        "--work-order",
        "WO-7",
        "--format",
        "json",
        "--lang",
        "en",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["root_cause"] == "im-heater-z2-burnt"
    return str(data["session"])


def test_history_lists_the_run(
    db: str, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli(capsys, "history", "--db", db, "--format", "json")
    assert code == 0
    (row,) = json.loads(out)["sessions"]
    assert (row["id"], row["equipment"], row["status"], row["root_cause"], row["work_order"]) == (
        session_id,
        EQ,
        "done",
        "im-heater-z2-burnt",
        "WO-7",
    )
    # a filter that matches nothing says so (issue 10), not "no saved session"
    code, out, _ = _cli(capsys, "history", "--db", db, "--equipment", "other")
    assert code == 0 and "no saved session matches these filters" in out
    code, out, _ = _cli(capsys, "history", "--db", db, "--since", "28/11/2099")
    assert code == 0 and "no saved session matches these filters" in out
    code, out, _ = _cli(capsys, "history", "--db", db, "--lang", "fr")
    assert session_id in out and "terminée" in out
    code, _, err = _cli(capsys, "history", "--db", db, "--since", "yesterday")
    assert code == 2 and "--since" in err


def test_report_in_all_four_formats(
    tmp_path: Path, db: str, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("md", "html", "json", "pdf"):
        target = tmp_path / f"report.{fmt}"
        code, _, err = _cli(
            capsys,
            "report",
            session_id[:8],
            "--db",
            db,
            "--to",
            fmt,
            "-o",
            str(target),
            "--lang",
            "fr",
        )
        assert code == 0, err
        assert target.stat().st_size > 1000
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["report_version"] == 1 and data["session_id"] == session_id
    assert data["audit"]["ok"] is True
    assert data["conclusion"]["root_cause"] == "im-heater-z2-burnt"
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# Rapport de diagnostic : ")
    code, out, _ = _cli(capsys, "report", session_id, "--db", db, "--to", "md")
    assert (code == 0 and out.startswith("# Diagnosis report: ")) or out.startswith("# Rapport")
    code, _, err = _cli(capsys, "report", session_id, "--db", db, "--to", "docx")
    assert code == 2 and "docx" in err
    code, _, err = _cli(capsys, "report", "nope", "--db", db, "--to", "md")
    assert code == 1 and "nope" in err and "Traceback" not in err


def test_export_interventions(
    tmp_path: Path, db: str, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from diagnosis.store.cmms import INTERVENTION_COLUMNS

    code, out, _ = _cli(capsys, "export", "interventions", "--db", db, "--to", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == INTERVENTION_COLUMNS
    (row,) = rows
    assert (
        row["work_order"],
        row["session_id"],
        row["root_cause"],
        row["failure_mode"],
        row["failure_mechanism"],
        row["failure_cause_class"],
        row["category_5m"],
    ) == ("WO-7", session_id, "im-heater-z2-burnt", "LOO", "4.2", "3.4", "machine")
    assert row["request_time"].endswith("+00:00") and "T" in row["request_time"]
    target = tmp_path / "iv.json"
    code, _, _ = _cli(
        capsys,
        "export",
        "interventions",
        "--db",
        db,
        "--to",
        "json",
        "--since",
        "2000-01-01",
        "-o",
        str(target),
    )
    assert code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["export_version"] == 1
    assert set(data["interventions"][0]) == set(INTERVENTION_COLUMNS)
    code, out, _ = _cli(capsys, "export", "interventions", "--db", db, "--since", "2099-01-01")
    assert code == 0 and out.strip() == ",".join(INTERVENTION_COLUMNS)


def test_verify_catches_a_tampered_row(
    db: str, session_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli(capsys, "verify", session_id, "--db", db)
    assert code == 0 and "OK" in out
    engine = sa.create_engine(db)
    with engine.begin() as conn:
        seq = conn.execute(
            sa.text("SELECT min(seq) FROM events WHERE type = 'reading_recorded'")
        ).scalar()
        # someone "corrects" the measured value behind the application's back
        conn.execute(
            sa.text(
                'UPDATE events SET payload = replace(payload, \'"raw":"\','
                ' \'"raw":"9\') WHERE seq = :s'
            ),
            {"s": seq},
        )
    engine.dispose()
    code, _, err = _cli(capsys, "verify", session_id, "--db", db)
    assert code == 1 and f"event {seq}" in err
    # the report still comes out, and says the record was modified at that event
    code, out, _ = _cli(capsys, "report", session_id, "--db", db, "--to", "json")
    assert code == 0 and json.loads(out)["audit"] == {
        "ok": False,
        "events": json.loads(out)["audit"]["events"],
        "first_bad_seq": seq,
        "head": None,
    }
    code, out, _ = _cli(capsys, "verify", session_id, "--db", db, "--format", "json")
    assert code == 1
    assert json.loads(out) | {"events": 0} == {
        "session": session_id,
        "ok": False,
        "events": 0,
        "first_bad_seq": seq,
        "reason": "hash",
        "detail": None,
        "head": None,
    }


def _readings(url: str, session: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    sa.text(
                        "SELECT measurement, value_num, value_text, state FROM readings "
                        "WHERE session_id = :s ORDER BY seq"
                    ),
                    {"s": session},
                )
            ]
    except sa.exc.DBAPIError:
        return []
    finally:
        engine.dispose()


def test_sigkill_mid_session_then_resume(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = _answers(tmp_path, (), "healthy.yaml")  # a long session: nothing is wrong
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(SLOW), db, str(answers), "killed-1", "0.1", "6"], env=env
    )
    try:
        for _ in range(3000):
            if len(_readings(db, "killed-1")) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    before = _readings(db, "killed-1")
    assert len(before) >= 3

    code, out, _ = _cli(capsys, "history", "--db", db, "--unfinished", "--format", "json")
    assert [s["id"] for s in json.loads(out)["sessions"]] == ["killed-1"]

    # without answers: shows where it stands and leaves it open for the TUI
    code, out, err = _cli(capsys, "resume", "killed", "--db", db, "--lang", "en")
    assert code == 0, err
    assert "still open" in out and _readings(db, "killed-1") == before

    code, out, err = _cli(
        capsys, "resume", "killed", "--db", db, "--answers", str(answers), "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["session"] == "killed-1"
    after = _readings(db, "killed-1")
    assert after[: len(before)] == before  # every answer given before the kill
    assert len(after) == 6  # and the rest of the run (max 6 steps)
    steps = [s["measurement"] for s in data["steps"]]
    assert steps[: len(before)] == [r[0] for r in before]
    code, out, _ = _cli(capsys, "verify", "killed-1", "--db", db)
    assert code == 0
    # Stopped by its step limit without a conclusion: still unfinished (issue 10, item 9).
    code, out, _ = _cli(capsys, "history", "--db", db, "--unfinished", "--format", "json")
    assert [s["id"] for s in json.loads(out)["sessions"]] == ["killed-1"]
    assert data["status"] == "open" and data["stop_reason"] == "max_steps"
    from diagnosis.kb import load_kb
    from diagnosis.session import Session
    from diagnosis.store import open_store

    with open_store(db) as store:
        Session.replay(load_kb(), store.events("killed-1"), sink=store).close("abandoned")
    code, out, _ = _cli(capsys, "history", "--db", db, "--unfinished", "--format", "json")
    assert json.loads(out)["sessions"] == []
    code, _, err = _cli(capsys, "resume", "killed-1", "--db", db, "--answers", str(answers))
    assert code == 1 and "closed" in err
