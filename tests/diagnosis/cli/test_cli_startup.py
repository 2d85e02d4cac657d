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
    "x",
    "",
    "12",
    "-3",
    "+4",
    "007",
    "0.25",
    "-0.5",
    "1e3",
    "0,5",
    " 7 ",
    "1_000",
    "abc",
    "TEXT",
    "text",
    "json",
    "JSON",
    "md",
    "html",
    "bif",
    "nan",
    "٣",
    "9" * 25,
    3,
    2.5,
    True,
    b"bytes",
]


def _params(command: Any, ctx: Context | None = None) -> list[tuple[Any, Any]]:
    """Every typer parameter of ``command`` and its sub-commands (the lazy root loads them all)."""
    ctx = ctx or Context(command, info_name="diagnosis")
    out = [(command, p) for p in command.params if isinstance(p, core._TyperParameter)]
    for name in getattr(command, "list_commands", lambda c: [])(ctx):
        sub = command.get_command(ctx, name)
        out += _params(sub, Context(sub, parent=ctx, info_name=name))
    return out


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        got = runtime._coerce_value(value, param=param, ctx=ctx)
    except Exception as exc:
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


def _modules_after(code: str, *args: str, cache: Path | None = None) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), DIAGNOSIS_LANG="en")
    if cache is not None:
        env["DIAGNOSIS_CACHE"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=REPO,
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
    model = OPSA / "scram_two_train_probs.xml"
    out = tmp_path / "out.json"
    argv = ["ft", "analyze", str(model), "--format", "json", "-o", str(out)]
    first = _modules_after(RUN, *argv, cache=tmp_path / "cache")  # catalogs cached here
    assert "yaml" in first
    loaded = _modules_after(RUN, *argv, cache=tmp_path / "cache")
    assert json.loads(out.read_text(encoding="utf-8"))["probability"] == pytest.approx(0.646)
    heavy = {"pydantic", "sqlalchemy", "yaml", "numpy", "networkx", "textual", "experta"}
    assert heavy & loaded == set()
    # only the invoked command's module of the CLI package
    cli = {m for m in loaded if m.startswith("diagnosis.cli.")}
    assert cli == {"diagnosis.cli._coerce", "diagnosis.cli.ft"}


REGISTER_ALL = (
    "import importlib, json, pkgutil, typer\n"
    "import diagnosis.cli as cli\n"
    "names = [m.name for m in pkgutil.iter_modules(cli.__path__)]\n"
    "order = ['kb', 'run', 'store', 'ft', 'fmea', 'tui', 'kpi', 'train', 'serve']\n"
    "mods = [importlib.import_module('diagnosis.cli.' + n) for n in names]\n"
    "assert sorted(order) == sorted(m.__name__.rsplit('.', 1)[1] for m in mods\n"
    "    if hasattr(m, 'register')), 'a new sub-command module: add it to order and _COMMANDS'\n"
    "app = typer.Typer(rich_markup_mode=None)\n"
    "owner = {}\n"
    "def names_now():\n"
    "    return [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]\n"
    "for name in order:\n"
    "    before = set(names_now())\n"
    "    importlib.import_module('diagnosis.cli.' + name).register(app)\n"
    "    owner.update({n: name for n in names_now() if n not in before})\n"
    "print(json.dumps([list(typer.main.get_group(app).commands), owner]))\n"
)


def test_lazy_command_table_matches_what_the_modules_register() -> None:
    """``_COMMANDS`` lists every command, its module, in the order the eager app had."""
    from diagnosis.cli import _COMMANDS

    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", REGISTER_ALL], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    order, owner = json.loads(done.stdout)
    assert list(_COMMANDS) == order
    assert owner == _COMMANDS


def test_lazy_root_lists_every_command_in_order() -> None:
    from diagnosis.cli import _COMMANDS

    group = typer.main.get_command(app)
    ctx = Context(group, info_name="diagnosis")
    assert group.list_commands(ctx) == list(_COMMANDS)
    kb = group.get_command(ctx, "kb")
    assert kb.list_commands(Context(kb, parent=ctx)) == [
        "check", "schema", "export-bn", "learn"
    ]


def test_catalog_cache_follows_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from diagnosis import i18n

    monkeypatch.setenv("DIAGNOSIS_CACHE", str(tmp_path / "cache"))
    i18n.catalog.cache_clear()
    first = dict(i18n.catalog("fr"))
    files = list((tmp_path / "cache" / "catalogs").glob("*.json"))
    assert len(files) == 1
    i18n.catalog.cache_clear()
    assert dict(i18n.catalog("fr")) == first  # read back from the JSON file
    files[0].write_text("{not json", encoding="utf-8")  # a damaged cache is rebuilt
    i18n.catalog.cache_clear()
    assert dict(i18n.catalog("fr")) == first
    monkeypatch.setenv("DIAGNOSIS_CACHE", "off")
    i18n.catalog.cache_clear()
    assert dict(i18n.catalog("fr")) == first
    i18n.catalog.cache_clear()
