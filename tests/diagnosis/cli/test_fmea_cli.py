"""``diagnosis fmea``: JSON shape, priority order, grid file, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diagnosis.cli import main

_RANK = {"H": 0, "M": 1, "L": 2}


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages are asserted in English whatever the machine's locale."""
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")


def test_json_sorted_by_priority(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmea", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows, "the bundled KB has FMEA lines"
    assert {"id", "rpn", "ap", "criticality", "actions"} <= set(rows[0])
    keys = [(_RANK[r["ap"]], -r["rpn"], -r["severity"]) for r in rows]
    assert keys == sorted(keys)
    for r in rows:
        assert r["rpn"] == r["severity"] * r["occurrence"] * r["detection"]


def test_one_equipment_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmea", "--format", "json"]) == 0
    eq = json.loads(capsys.readouterr().out)[0]["equipment"]
    assert main(["fmea", "--equipment", eq, "--format", "json"]) == 0
    assert {r["equipment"] for r in json.loads(capsys.readouterr().out)} == {eq}
    assert main(["fmea", "--equipment", eq, "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("AP   IPR")


def test_grid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("threshold: 1\n", encoding="utf-8")
    assert main(["fmea", "--grid", str(grid), "--format", "json"]) == 0
    assert all(r["act"] for r in json.loads(capsys.readouterr().out))
    grid.write_text("colour: red\n", encoding="utf-8")
    assert main(["fmea", "--grid", str(grid)]) == 1
    assert "grid.yaml:0:0: unknown grid key 'colour'" in capsys.readouterr().err


def test_unknown_equipment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmea", "--equipment", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no equipment 'nope'" in err and "Traceback" not in err
