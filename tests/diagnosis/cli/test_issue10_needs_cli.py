"""Issue 10, item 3 for tools and parts: ``diagnosis run --lacking-tool`` hands over."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from diagnosis.cli import main

CV = "cv-line-01"


def _answers(tmp_path: Path) -> Path:
    from diagnosis.kb import load_kb
    from diagnosis.session import SimulatedMachine

    eq = load_kb().equipment(CV)
    sim = SimulatedMachine(eq, "cv-motor-bearing-de-worn")
    values = {m.id: sim.read(m) for m in eq.measurements}
    path = tmp_path / "vib.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in values.items() if v is not None}))
    return path


def test_run_with_a_lacking_tool_hands_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    args = ["run", "-e", CV, "-s", "cv-noise-vibration", "-a", str(_answers(tmp_path))]
    args += ["--db", db, "--technician", "Ana", "--habilitation", "BR"]
    assert main([*args, "--lacking-tool", "vibration-meter", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stop_reason"] == "handover" and data["status"] == "open"
    assert (data["handover"]["tool"], data["handover"]["habilitation"]) == ("vibration-meter", "")
    assert main([*args, "--lacking-tool", "VIBRATION-METER", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "PASSAGE DE RELAIS" in out
    assert "demande Vibromètre avec mode enveloppe (gE), que vous n'avez pas ici" in out
    assert "--habilitation" not in out


def test_an_unknown_lacking_tool_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "-e", CV, "-s", "cv-noise-vibration", "-a", str(_answers(tmp_path))]
    code = main([*args, "--no-save", "--lacking-tool", "laser", "--lang", "fr"])
    err = capsys.readouterr().err
    assert code == 2
    assert "aucune mesure de cet équipement ne demande l'outil « laser »" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
