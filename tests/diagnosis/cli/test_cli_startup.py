"""Start-up: commands import only what they need; the fast option coercion equals typer's.

The speed itself is measured by bench/bench_startup.py and
``bench/bench_faulttree.py --startup``; these tests pin what makes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer import _coercion, core
from typer._click import Context

from diagnosis.cli import _coerce, app

REPO = Path(__file__).resolve().parents[3]
OPSA = REPO / "tests" / "diagnosis" / "faulttree" / "data" / "opsa"

SAMPLES: list[Any] = [
    "x", "", "12", "-3", "+4", "007", "0.25", "-0.5", "1e3", "0,5", " 7 ", "1_000",
    "abc", "TEXT", "text", "json", "JSON", "md", "html", "bif", "nan", "٣", "9" * 25,
    3, 2.5, True, b"bytes",
]


def _params(command: Any) -> list[tuple[Any, Any]]:
    out = [(command, p) for p in command.params if isinstance(p, core._TyperParameter)]
    for sub in getattr(command, "commands", {}).values():
        out += _params(sub)
    return out


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        got = runtime._coerce_value(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - compared, both sides alike
        return ("error", (type(exc).__name__, str(exc)))
    return ("value", (type(got).__name__, got if got == got else "nan"))


def test_fast_coercion_equals_typers_own_on_every_parameter() -> None:
    _coerce.install()
    assert getattr(core.build_runtime_param, "diagnosis_fast", False)
    command = typer.main.get_command(app)
    params = _params(command)
    assert len(params) > 150  # every option of every command
    fast_ones = 0
    for owner, param in params:
        desc = param.type_descriptor
        fast = core.build_runtime_param(desc)
        slow = _coercion.build_runtime_param(desc)
        fast_ones += type(fast) is not type(slow)
        ctx = Context(owner)
        values = SAMPLES + [[s] for s in SAMPLES[:8]] + [("a", "b"), ("1", "x")]
        for value in values:
            assert _outcome(fast, value, param, ctx) == _outcome(slow, value, param, ctx), (
                owner.name,
                param.name,
                value,
            )
    assert fast_ones > 150  # nearly all of them skip pydantic


def _modules_after(code: str, *args: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), DIAGNOSIS_LANG="en")
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True, text=True, env=env, check=False, cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


RUN = (
    "import json, sys, contextlib, io\n"
    "from diagnosis.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    code = main(sys.argv[1:])\n"
    "assert code == 0, code\n"
    "print(json.dumps(sorted(sys.modules)))\n"
)


def test_help_and_version_import_no_pydantic() -> None:
    for argv in (["--help"], ["--version"], ["ft", "--help"]):
        loaded = _modules_after(RUN, *argv)
        assert "pydantic" not in loaded, argv
        assert "sqlalchemy" not in loaded, argv


def test_kb_check_imports_no_pydantic_nor_sqlalchemy() -> None:
    loaded = _modules_after(RUN, "kb", "check")
    assert {"pydantic", "sqlalchemy"} & loaded == set()


def test_ft_analyze_imports_only_the_analysis(tmp_path: Path) -> None:
    model = next(OPSA.glob("*two_train*.xml"), None)
    if model is None:
        pytest.fail(f"no two-train model in {OPSA}")
    out = tmp_path / "out.json"
    loaded = _modules_after(RUN, "ft", "analyze", str(model), "--format", "json", "-o", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["probability"] == pytest.approx(0.646)
    heavy = {"pydantic", "sqlalchemy", "yaml", "numpy", "networkx", "textual", "experta"}
    assert heavy & loaded == set()
