"""``diagnosis kb check|schema``: output, JSON shape and exit codes, no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from diagnosis.cli import main

DATA = Path(__file__).parents[1] / "kb" / "data"


def test_check_clean_kb_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["kb", "check", "--kb", str(DATA / "foreign" / "knowledge_base")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("OK: 1 equipment, 2 components, 2 symptoms, 3 measurements")


def test_check_json_errors_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    shutil.copy(DATA / "broken" / "many_errors.yaml", kb)
    code = main(["kb", "check", "--kb", str(kb), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert set(data) == {"errors", "summary"}
    assert data["errors"][0] == {
        "file": str(kb / "many_errors.yaml"),
        "line": 4,
        "column": 34,
        "message": "symptom 's1': category: 'noise' is not one of "
        "quality, safety, productivity, environment",
    }
    assert len(data["errors"]) == 4
    assert set(data["summary"]) == {
        "equipment",
        "components",
        "symptoms",
        "measurements",
        "causes",
        "rules",
        "procedures",
        "fmea",
        "fault_trees",
    }


def test_check_text_prints_one_line_per_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    shutil.copy(DATA / "broken" / "many_errors.yaml", kb)
    assert main(["kb", "check", "--kb", str(kb)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 4
    assert all(line.startswith(f"{kb / 'many_errors.yaml'}:") for line in lines)
    assert captured.err.startswith("4 errors:")


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check", "--kb", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"diagnosis: error: {tmp_path / 'missing'}: no such knowledge-base folder"
    )
    assert main(["kb", "check", "--format", "xml"]) == 2
    assert main(["kb", "frobnicate"]) == 2


def test_schema_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"].startswith("Diagnosis knowledge base")


def test_console_script_never_prints_a_traceback(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "x.yaml").write_bytes(b"format: 1\nequipment: {id: [\n\x00")
    for args in (
        ["kb", "check", "--kb", str(kb)],
        ["kb", "check", "--kb", str(kb / "no")],
        ["kb", "check", "--format", "bad"],
        ["nosuchcommand"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "diagnosis", *args], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode in (1, 2), args
        assert "Traceback" not in proc.stderr + proc.stdout, args


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from diagnosis.cli import app; "
        "heavy = [m for m in ('pgmpy', 'pandas', 'textual', 'sqlalchemy', 'experta') "
        "if m in sys.modules]; print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]"


def test_export_bn_writes_a_network_other_tools_read(tmp_path: Path) -> None:
    out = tmp_path / "press.bif"
    kb_dir = DATA / "foreign" / "knowledge_base"
    args = ["kb", "export-bn", "injection-press-01", "--to", "bif", "-o", str(out)]
    assert main([*args, "--kb", str(kb_dir)]) == 0
    from pgmpy.readwrite import BIFReader

    model = BIFReader(str(out)).get_model()
    assert {"cause.heater-z2-burnt", "cause._unknown", "measurement.melt-temp"} <= set(
        model.nodes()
    )
    assert main(["kb", "export-bn", "nope", "--kb", str(kb_dir)]) == 2
