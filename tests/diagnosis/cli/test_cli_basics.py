"""What users of a Python CLI expect: --version, python -m, shell completion."""

from __future__ import annotations

import subprocess
import sys

import pytest

import diagnosis
from diagnosis.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"diagnosis {diagnosis.__version__}\n"


def test_completion_of_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_DIAGNOSIS_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "diagnosis k")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert main([]) == 0
    assert capsys.readouterr().out.split() == ["kb", "kpi"]


def test_help_offers_completion_install(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--install-completion" in out and "--version" in out


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "diagnosis", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout == f"diagnosis {diagnosis.__version__}\n"
