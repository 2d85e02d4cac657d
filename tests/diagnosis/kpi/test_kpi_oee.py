"""OEE / TRS (NF E60-182): hand-computed decompositions and refused bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diagnosis.cli import main
from diagnosis.kpi.csvin import CsvError
from diagnosis.kpi.oee import compute_oee, read_production

HEADER = "equipment,start,end,state,good,scrap,ideal_cycle_s\n"

# The worked example of docs/kpi.md: one day of a press on two shifts.
# Tt 24 h; closed 8 h -> To 16 h; breaks 1 h -> Tr 15 h; breakdown 1.5 h and
# changeover 0.5 h -> Tf 13 h (the 0.5 h of micro-stops stays inside Tf);
# 1350 parts x 30 s -> Tn 11.25 h; 1300 good x 30 s -> Tu 10.8333 h.
TEXTBOOK = HEADER + """\
press-1,2026-03-02T00:00:00+01:00,2026-03-02T06:00:00+01:00,closed,,,
press-1,2026-03-02T06:00:00+01:00,2026-03-02T10:00:00+01:00,running,450,30,30
press-1,2026-03-02T10:00:00+01:00,2026-03-02T10:30:00+01:00,planned_stop,,,
press-1,2026-03-02T10:30:00+01:00,2026-03-02T12:00:00+01:00,breakdown,,,
press-1,2026-03-02T12:00:00+01:00,2026-03-02T16:30:00+01:00,running,500,10,30
press-1,2026-03-02T16:30:00+01:00,2026-03-02T17:00:00+01:00,changeover,,,
press-1,2026-03-02T17:00:00+01:00,2026-03-02T17:30:00+01:00,planned_stop,,,
press-1,2026-03-02T17:30:00+01:00,2026-03-02T18:00:00+01:00,minor_stop,,,
press-1,2026-03-02T18:00:00+01:00,2026-03-02T22:00:00+01:00,running,350,10,30
press-1,2026-03-02T22:00:00+01:00,2026-03-03T00:00:00+01:00,closed,,,
"""


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")


def write(tmp_path: Path, text: str, name: str = "prod.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_textbook_decomposition(tmp_path: Path) -> None:
    (res,) = compute_oee(read_production(write(tmp_path, TEXTBOOK)))
    d = res.to_dict()
    assert d["times"] == {
        "total": 86400.0,
        "opening": 57600.0,
        "required": 54000.0,
        "operating": 46800.0,
        "net": 40500.0,
        "useful": 39000.0,
    }
    assert d["availability"] == pytest.approx(13 / 15)
    assert d["performance"] == pytest.approx(11.25 / 13)
    assert d["quality"] == pytest.approx(1300 / 1350)
    assert d["trs"] == pytest.approx(39000 / 54000)  # 72.22 %
    assert d["trs"] == pytest.approx(d["availability"] * d["performance"] * d["quality"])
    assert d["trg"] == pytest.approx(39000 / 57600)
    assert d["tre"] == pytest.approx(39000 / 86400)
    assert d["trg"] == pytest.approx(d["trs"] * d["load"])
    assert d["losses"]["speed"] == pytest.approx(45000 - 40500)
    assert d["losses"]["quality"] == pytest.approx(1500)
    assert d["parts"] == {"good": 1300, "scrap": 50}
    assert d["uncovered"] == 0


def test_cli_json_and_french_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, TEXTBOOK)
    assert main(["kpi", "oee", str(path), "--format", "json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["equipment"] == "press-1"
    assert round(doc["trs"], 4) == 0.7222
    assert main(["kpi", "oee", str(path), "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "02/03/2026 00:00 -> 03/03/2026 00:00" in out
    assert "TRS  72,2 %" in out
    assert "ouverture 16,00" in out


def test_semicolon_file_with_decimal_comma_and_period(tmp_path: Path) -> None:
    text = (
        "equipment;start;end;state;good;scrap;ideal_cycle_s\n"
        "a;2026-03-01T08:00:00Z;2026-03-01T09:00:00Z;running;100;0;12,5\n"
        "a;2026-03-02T08:00:00Z;2026-03-02T09:00:00Z;running;200;0;12,5\n"
        "b;2026-03-02T08:00:00Z;2026-03-02T09:00:00Z;breakdown;;;\n"
    )
    rows = read_production(write(tmp_path, text))
    (res,) = compute_oee(rows, equipment="a")
    assert res.net == 3750.0  # 300 x 12.5 s
    assert res.uncovered == 23 * 3600
    from diagnosis.kpi.csvin import parse_day

    (day2,) = compute_oee(rows, equipment="a", since=parse_day("02/03/2026"))
    assert day2.net == 2500.0
    (b,) = compute_oee(rows, equipment="b")
    assert b.indicators()["availability"] == 0.0
    assert b.indicators()["performance"] is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("a,2026-03-01T09:00:00Z,2026-03-01T08:00:00Z,running,1,0,30", "is not after start"),
        ("a,2026-03-01T08:00:00Z,2026-03-01T09:00:00Z,stopped,,,", "unknown state 'stopped'"),
        ("a,2026-03-01T08:00:00Z,2026-03-01T09:00:00Z,running,-1,0,30", "whole numbers >= 0"),
        ("a,2026-03-01T08:00:00Z,2026-03-01T09:00:00Z,running,1,0,0", "ideal_cycle_s must be > 0"),
        ("a,yesterday,2026-03-01T09:00:00Z,closed,,,", "bad start/end date"),
        ("a,2026-03-01T08:00:00Z,2026-03-01T09:00:00Z,breakdown,5,,", "must be empty"),
        ("a,2026-03-01T08:00:00Z,2026-03-01T09:00:00Z,running,200,0,30", "6000.0 s is more"),
    ],
)
def test_bad_row_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, message: str
) -> None:
    good = "a,2026-02-01T08:00:00Z,2026-02-01T09:00:00Z,running,10,0,30\n"
    path = write(tmp_path, HEADER + good + row + "\n")
    assert main(["kpi", "oee", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing computed from a half-read file
    assert f"{path}:3: " in captured.err
    assert message in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_overlap_names_both_lines(tmp_path: Path) -> None:
    text = HEADER + (
        "a,2026-03-01T08:00:00Z,2026-03-01T10:00:00Z,closed,,,\n"
        "b,2026-03-01T08:00:00Z,2026-03-01T10:00:00Z,closed,,,\n"
        "a,2026-03-01T09:00:00+00:00,2026-03-01T11:00:00Z,closed,,,\n"
        "a,2026-03-01T08:30:00Z,2026-03-01T08:45:00Z,closed,,,\n"
    )
    with pytest.raises(CsvError) as err:
        read_production(write(tmp_path, text))
    lines = [(p.line, p.message) for p in err.value.problems]
    assert lines == [
        (4, "overlaps line 2 on equipment a"),
        (5, "overlaps line 2 on equipment a"),
    ]
    assert "(and 1 more)" in str(err.value)


def test_missing_file_and_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpi", "oee", str(tmp_path / "none.csv")]) == 2
    assert "none.csv: file not found" in capsys.readouterr().err
    path = write(tmp_path, "equipment,start,end\n")
    assert main(["kpi", "oee", str(path)]) == 2
    assert "missing column(s) in the header: state, good, scrap, ideal_cycle_s" in (
        capsys.readouterr().err
    )
    assert main(["kpi", "oee", str(path), "--from", "soon"]) == 2
    assert "--from: 'soon' is not a date" in capsys.readouterr().err
