"""Outputs that cannot bite: CSV injection, atomic -o without silent overwrite or symlink
following, a mistyped --db refused, a read-only copy readable, a damaged file refused,
automatic acknowledgements of a scripted run, over-long values refused before writing."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from diagnosis.cli import main
from diagnosis.session.events import AUTOMATIC
from diagnosis.store.cmms import INTERVENTION_COLUMNS, interventions_csv

EQ = "injection-press-01"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _answers(tmp_path: Path, cause: str = "im-heater-z2-burnt") -> Path:
    from diagnosis.kb import load_kb
    from diagnosis.session import SimulatedMachine

    eq = load_kb().equipment(EQ)
    sim = SimulatedMachine(eq, cause)
    values = {m.id: sim.read(m) for m in eq.measurements}
    path = tmp_path / "answers.yaml"
    path.write_text(
        yaml.safe_dump({k: v for k, v in values.items() if v is not None}), encoding="utf-8"
    )
    return path


@pytest.fixture
def db_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "plant.db"
    code, _, err = _cli(
        capsys, "run", "-e", EQ, "-s", "im-short-shot", "--answers", str(_answers(tmp_path)),
        "--db", str(path), "--technician", "=cmd|' /C calc'!A0", "--work-order", "@SUM(1+1)",
        "--format", "json", "--lang", "en",
    )
    assert code == 0, err
    return path


def _session(path: Path) -> str:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        sid = conn.execute(sa.text("SELECT id FROM sessions")).scalar()
    engine.dispose()
    return str(sid)


def test_csv_cells_that_start_a_formula_are_neutralised(
    db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli(capsys, "export", "interventions", "--db", str(db_file))
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["technician"] == "'=cmd|' /C calc'!A0"
    assert row["work_order"] == "'@SUM(1+1)"
    assert "\"'=cmd|' /C calc'!A0\"" in out  # prefixed and quoted
    for column in INTERVENTION_COLUMNS:
        assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), column


def test_csv_keeps_numbers_numeric() -> None:
    row = dict.fromkeys(INTERVENTION_COLUMNS)
    row |= {"labour_min": -12.5, "downtime_min": 70.0, "remedy": "-1+2", "symptoms": ["+x"]}
    line = interventions_csv([row]).splitlines()[1]
    cells = next(csv.reader([line]))
    got = dict(zip(INTERVENTION_COLUMNS, cells, strict=True))
    assert (got["labour_min"], got["downtime_min"]) == ("-12.5", "70")
    assert (got["remedy"], got["symptoms"]) == ("'-1+2", "'+x")
    assert ",-12.5," in line and ",70," in line


def test_report_output_is_atomic_and_never_overwritten_silently(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = _session(db_file)
    out = tmp_path / "report.md"
    out.write_text("previous report\n", encoding="utf-8")
    code, _, err = _cli(capsys, "report", sid, "--db", str(db_file), "-o", str(out))
    assert code == 2 and "exists: use --force" in err
    assert out.read_text(encoding="utf-8") == "previous report\n"
    code, _, err = _cli(capsys, "report", sid, "--db", str(db_file), "-o", str(out), "--force")
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "head hash" in text  # the closed session's anchor is printed
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_report_output_never_follows_a_symlink(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = _session(db_file)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(victim)
    code, _, err = _cli(capsys, "report", sid, "--db", str(db_file), "-o", str(link))
    assert code == 2 and "exists" in err
    code, _, _ = _cli(capsys, "report", sid, "--db", str(db_file), "-o", str(link), "--force")
    assert code == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not link.is_symlink() and "head hash" in link.read_text(encoding="utf-8")


def test_unwritable_output_is_one_line_and_keeps_nothing(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = _session(db_file)
    code, _, err = _cli(
        capsys, "report", sid, "--db", str(db_file), "-o", str(tmp_path / "no" / "r.md")
    )
    assert code == 2 and "cannot write" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["history", "verify", "report", "export"])
def test_mistyped_db_is_refused_by_read_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    missing = tmp_path / "plnat.db"
    args = {
        "history": ["history"],
        "verify": ["verify", "abc"],
        "report": ["report", "abc"],
        "export": ["export", "interventions"],
    }[command]
    code, _, err = _cli(capsys, *args, "--db", str(missing))
    assert code == 2 and f"no database at {missing}" in err
    assert not missing.exists()


def test_read_only_copy_is_readable(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = _session(db_file)
    ro_dir = tmp_path / "ro"
    ro_dir.mkdir()
    copy = ro_dir / "copy.db"
    shutil.copy(db_file, copy)
    copy.chmod(0o444)
    ro_dir.chmod(0o555)
    try:
        assert _cli(capsys, "verify", sid, "--db", str(copy))[0] == 0
        code, out, _ = _cli(capsys, "history", "--db", str(copy), "--format", "json")
        assert code == 0 and json.loads(out)["sessions"][0]["id"] == sid
        assert _cli(capsys, "report", sid, "--db", str(copy))[0] == 0
        assert sorted(p.name for p in ro_dir.iterdir()) == ["copy.db"]
    finally:
        ro_dir.chmod(0o755)


def test_read_commands_do_not_write_the_database(
    db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = _session(db_file)
    before = db_file.read_bytes()
    assert _cli(capsys, "verify", sid, "--db", str(db_file))[0] == 0
    assert _cli(capsys, "verify", "--all", "--db", str(db_file))[0] == 0
    assert db_file.read_bytes() == before


def test_damaged_database_is_detected_and_never_written(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = sa.create_engine(f"sqlite:///{db_file}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.exec_driver_sql("PRAGMA page_size").scalar()
        root = conn.exec_driver_sql(
            "SELECT rootpage FROM sqlite_master WHERE name = 'readings'"
        ).scalar()
    engine.dispose()
    data = bytearray(db_file.read_bytes())
    offset = (int(root) - 1) * int(page)
    data[offset : offset + 64] = b"\xff" * 64  # a b-tree page header destroyed
    db_file.write_bytes(bytes(data))
    code, _, err = _cli(
        capsys, "run", "-e", EQ, "-s", "im-short-shot", "--answers", str(_answers(tmp_path)),
        "--db", str(db_file), "--lang", "en",
    )
    assert code == 1 and "is damaged" in err and "Traceback" not in err
    assert db_file.read_bytes() == bytes(data)
    code, _, err = _cli(capsys, "verify", "--all", "--db", str(db_file))
    assert code == 1 and "Traceback" not in err


def test_scripted_acknowledgements_are_recorded_as_automatic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_file = tmp_path / "ack.db"
    code, _, err = _cli(
        capsys, "run", "-e", EQ, "-s", "im-splay", "--db", str(db_file), "--technician", "Ana",
        "--answers", str(_answers(tmp_path, "im-granules-humid")), "--lang", "en",
    )
    assert code == 0, err
    engine = sa.create_engine(f"sqlite:///{db_file}")
    with engine.connect() as conn:
        actors = {
            str(r[0])
            for r in conn.execute(
                sa.text(
                    "SELECT actor FROM events WHERE type IN "
                    "('alert_acknowledged', 'alert_step_acknowledged')"
                )
            )
        }
    engine.dispose()
    assert actors == {AUTOMATIC}
    code, out, _ = _cli(capsys, "report", _session(db_file), "--db", str(db_file))
    assert "Acknowledged by the scripted run (automatic" in out
    assert "Acknowledged by Ana" not in out


def test_too_long_value_is_refused_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plant.db"
    code, _, err = _cli(
        capsys, "run", "-e", EQ, "-s", "im-short-shot", "--answers", str(_answers(tmp_path)),
        "--db", str(path), "--work-order", "W" * 201, "--lang", "en",
    )
    assert code == 1
    assert "sessions.work_order: 201 characters, the record holds at most 200" in err
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar() == 0
    engine.dispose()


def test_control_characters_in_names_are_refused_or_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plant.db"
    code, _, err = _cli(
        capsys, "run", "-e", EQ, "-s", "im-short-shot", "--answers", str(_answers(tmp_path)),
        "--db", str(path), "--technician", "Ana\u202e", "--lang", "en",
    )
    assert code == 2 and "--technician: contains the control character U+202E" in err
    assert "\u202e" not in err
    from diagnosis.cli.store import history  # noqa: F401  (the text table goes through printable)
    from diagnosis.textsafety import printable

    assert printable("Ana\x1b[2J") == "Ana\\x1b[2J"


def test_a_forged_row_is_flagged_in_the_cmms_export(
    db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(capsys, "export", "interventions", "--db", str(db_file))
    assert code == 0 and err == ""
    assert next(csv.DictReader(io.StringIO(out)))["audit_ok"] == "true"
    engine = sa.create_engine(f"sqlite:///{db_file}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE interventions SET lockout_done = true"))
    engine.dispose()
    code, out, err = _cli(capsys, "export", "interventions", "--db", str(db_file))
    row = next(csv.DictReader(io.StringIO(out)))
    assert code == 0 and (row["lockout_done"], row["audit_ok"]) == ("true", "false")
    assert f"session {_session(db_file)} fails diagnosis verify" in err
