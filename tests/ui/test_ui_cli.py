"""The CLI entry of the UI: ``diagnosis tui`` exists and bad input gives one line, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnosis.cli import main


def test_tui_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tui", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--lang" in out and "--kb" in out and "--db" in out


def test_bad_kb_is_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "broken.yaml").write_text("format: 1\nequipment: [\n", encoding="utf-8")
    code = main(["tui", "--kb", str(kb), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("diagnosis: error: ") and "broken.yaml" in err
    assert "Traceback" not in err and err.count("\n") == 1
