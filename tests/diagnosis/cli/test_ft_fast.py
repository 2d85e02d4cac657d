"""``python -m diagnosis ft analyze`` without typer gives what typer's command gives.

The fast entry (:mod:`diagnosis.faulttree.command`) parses plain ``ft
analyze`` command lines itself (issue 16: start-up). Each case runs both
ways and compares standard output, standard error, the written file and the
exit code; command lines the fast entry does not take go to typer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from diagnosis.cli import main
from diagnosis.faulttree.command import fast_main, parse_fast

REPO = Path(__file__).resolve().parents[3]
OPSA = REPO / "tests" / "diagnosis" / "faulttree" / "data" / "opsa"
EXPECTED: dict[str, Any] = yaml.safe_load((OPSA / "expected.yaml").read_text(encoding="utf-8"))
SMALL = ["two_train", "three_motor", "bscu", "chinese", "ftr10"]


def _files(name: str) -> list[str]:
    return [str(OPSA / f) for f in EXPECTED[name]["files"]]


def _both(argv: list[str], capsys: Any, tmp_path: Path) -> None:
    """Run ``argv`` through the fast entry and through typer; everything must match."""
    out_file = tmp_path / "out.txt"
    results = []
    for run in ("fast", "typer"):
        argv_run = [str(out_file) if a == "OUT" else a for a in argv]
        out_file.unlink(missing_ok=True)
        capsys.readouterr()
        code = fast_main(argv_run) if run == "fast" else main(argv_run)
        captured = capsys.readouterr()
        written = out_file.read_text(encoding="utf-8") if out_file.exists() else None
        results.append((code, captured.out, captured.err, written))
    assert results[0][0] is not None, "the fast entry refused the command line"
    assert results[0] == results[1]


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n != "cea9601"))
def test_every_published_model_json_to_a_file(name: str, capsys: Any, tmp_path: Path) -> None:
    order = str(EXPECTED[name].get("max_order", 20))
    argv = ["ft", "analyze", *_files(name), "--format", "json", "--max-order", order, "-o", "OUT"]
    _both(argv, capsys, tmp_path)


@pytest.mark.parametrize("name", SMALL)
@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--all"],
        ["--format", "json"],
        ["--format", "lines", "--max-order", "2"],
        ["--cutoff", "1e-3", "--format", "json"],
        ["--cutoff", "0.001", "--all", "--lang", "fr"],
        ["--method", "mocus", "--format", "lines"],
        ["--mission-time", "100", "--format", "json"],
        ["--lang", "fr"],
    ],
)
def test_small_models_every_option(
    name: str, options: list[str], capsys: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")
    _both(["ft", "analyze", *_files(name), *options], capsys, tmp_path)


def test_top_option(capsys: Any, tmp_path: Path) -> None:
    model = _files("two_train")
    _both(["ft", "analyze", *model, "--top", "TopEvent", "--format", "json"], capsys, tmp_path)
    _both(["ft", "analyze", *model, "--top", "NoSuchGate"], capsys, tmp_path)


@pytest.mark.parametrize(
    "options",
    [
        ["--format", "yaml"],
        ["--method", "zbdd"],
        ["--max-order", "-1"],  # not taken: a value starting with '-' goes to typer
        ["--cutoff", "2"],
        ["--cutoff", "1.5e0"],
        ["--mission-time", "0"],
        ["-o", "/no/such/folder/out.json"],
    ],
)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_errors_same_line_and_exit_code(
    options: list[str], lang: str, capsys: Any, tmp_path: Path
) -> None:
    argv = ["ft", "analyze", *_files("two_train"), *options, "--lang", lang]
    if parse_fast(argv) is None:
        return  # typer's alone
    _both(argv, capsys, tmp_path)


def test_missing_and_invalid_files(capsys: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<opsa-mef><define-fault-tree name='t'>\n<oops/>", encoding="utf-8")
    _both(["ft", "analyze", str(tmp_path / "missing.xml")], capsys, tmp_path)
    _both(["ft", "analyze", str(bad), "--lang", "fr"], capsys, tmp_path)
    empty = tmp_path / "empty.xml"
    empty.write_text("<opsa-mef/>", encoding="utf-8")
    _both(["ft", "analyze", str(empty), "--format", "json"], capsys, tmp_path)


@pytest.mark.parametrize(
    "argv",
    [
        ["ft", "analyze", "--help"],
        ["ft", "analyze"],
        ["ft", "analyze", "x.yaml"],
        ["ft", "analyze", "tree-id"],
        ["ft", "analyze", "a.xml", "--kb", "kb"],
        ["ft", "analyze", "a.xml", "--format=json"],
        ["ft", "analyze", "a.xml", "--format", "json", "--format", "text"],
        ["ft", "analyze", "a.xml", "--all", "--all"],
        ["ft", "analyze", "a.xml", "--max-order", "3.5"],
        ["ft", "analyze", "a.xml", "--max-order", " 3"],
        ["ft", "analyze", "a.xml", "--cutoff", "0,5"],
        ["ft", "analyze", "a.xml", "--cutoff", "nan"],
        ["ft", "analyze", "a.xml", "--cutoff"],
        ["ft", "analyze", "a.xml", "-o", ""],
        ["ft", "analyze", "a.xml", "--", "b.xml"],
        ["ft", "analyze", "-"],
        ["--lang", "fr", "ft", "analyze", "a.xml"],
        ["ft", "export", "a.xml"],
    ],
)
def test_anything_unusual_goes_to_typer(argv: list[str]) -> None:
    assert parse_fast(argv) is None
    assert fast_main(argv) is None


def test_completion_goes_to_typer(monkeypatch: Any) -> None:
    monkeypatch.setenv("_DIAGNOSIS_COMPLETE", "complete_bash")
    assert parse_fast(["ft", "analyze", "a.xml"]) is None


def test_numbers_read_as_typer_reads_them() -> None:
    """Every number form the fast entry takes converts to typer's own value (its
    pydantic adapter, not the fast coercion of ``diagnosis.cli._coerce``)."""
    import typer
    from typer import _coercion, core
    from typer._click import Context

    from diagnosis.cli import app

    root = typer.main.get_command(app)
    ctx = Context(root, info_name="diagnosis")
    ft = root.get_command(ctx, "ft")  # type: ignore[attr-defined]
    command = ft.get_command(Context(ft, parent=ctx, info_name="ft"), "analyze")
    params = {p.name: p for p in command.params if isinstance(p, core._TyperParameter)}

    def typer_value(name: str, text: str) -> Any:
        param = params[name]
        runtime = _coercion.build_runtime_param(param.type_descriptor)
        return runtime._coerce_value(text, param=param, ctx=Context(command))

    floats = ["0", "1", "+1", "0.001", "1e-3", "1E-08", "2.5e+2", "007", "1e-99", "9e99", "1.5"]
    ints = ["0", "7", "+4", "007", "123456789012345678"]
    for text in floats:
        for option, name in (("--cutoff", "cutoff"), ("--mission-time", "mission_time")):
            assert parse_fast(["ft", "analyze", "a.xml", option, text]) is not None, text
            assert float(text) == typer_value(name, text), text
    for text in ints:
        assert parse_fast(["ft", "analyze", "a.xml", "--max-order", text]) is not None, text
        assert int(text) == typer_value("max_order", text), text


def test_python_dash_m_takes_the_fast_entry_and_imports_no_typer(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code = (
        "import runpy, sys, json\n"
        "sys.argv = ['diagnosis', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('diagnosis', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('typer', 'click', 'diagnosis'))))\n"
    )
    argv = ["ft", "analyze", *_files("two_train"), "--format", "json", "-o", str(out)]
    env = dict(os.environ, PYTHONPATH=str(REPO), DIAGNOSIS_LANG="en")
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert not [m for m in loaded if m.startswith(("typer", "click", "diagnosis.cli"))]
    assert json.loads(out.read_text(encoding="utf-8"))["probability"] == pytest.approx(0.646)
    assert done.stderr == f"written: {out}\n"
    # --help still goes through typer
    helped = subprocess.run(
        [sys.executable, "-m", "diagnosis", "ft", "analyze", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert helped.returncode == 0 and "--max-order" in helped.stdout
