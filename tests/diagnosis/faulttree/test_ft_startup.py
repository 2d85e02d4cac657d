"""What ``diagnosis ft analyze`` does not load on a small model (issue 16: start-up).

The whole process of a small model's analysis is mostly Python's start-up and
imports; these tests pin the modules the fast entry leaves out and check
that each shortcut gives what the module it replaces gives.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from diagnosis import _cache
from diagnosis.faulttree import command
from diagnosis.i18n import _sha256

REPO = Path(__file__).resolve().parents[3]
TWO_TRAIN = (
    REPO / "tests" / "diagnosis" / "faulttree" / "data" / "opsa" / "scram_two_train_probs.xml"
)

NOT_LOADED = (
    "typer",
    "click",
    "diagnosis.cli",
    "yaml",
    "networkx",
    "dd.autoref",
    "dd.bdd",
    "dd._parser",
    "dd._copy",
    "tempfile",
    "platformdirs",
    "hashlib",
    "_hashlib",
    "locale",
    "logging",
    "pickle",
    "pprint",
    "subprocess",
    "shlex",
    "textwrap",
)


def _run(
    code: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(env or os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )


def test_a_small_model_loads_only_what_it_needs(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code = (
        "import runpy, sys, json\n"
        "sys.argv = ['diagnosis', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('diagnosis', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = dict(os.environ, DIAGNOSIS_LANG="en", DIAGNOSIS_CACHE=str(tmp_path / "cache"))
    argv = [
        "ft",
        "analyze",
        str(TWO_TRAIN),
        "--format",
        "json",
        "--max-order",
        "20",
        "-o",
        str(out),
    ]
    for _ in range(2):  # the first run builds the catalog cache (with PyYAML)
        done = _run(code, *argv, env=env)
        assert done.returncode == 0, done.stderr
    assert done.stderr == f"written: {out}\n"
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "dd.cudd" in loaded
    # platformdirs is skipped on Linux only
    absent = [m for m in NOT_LOADED if m != "platformdirs" or sys.platform == "linux"]
    assert sorted(m for m in loaded if any(m == a or m.startswith(a + ".") for a in absent)) == []
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["probability"] == pytest.approx(0.646, abs=5e-4)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # as tempfile.mkstemp made it
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_dd_logs_through_logging_once_it_is_loaded() -> None:
    code = (
        "import io, sys\n"
        "from diagnosis.faulttree.bdd import _import_dd\n"
        "cudd = _import_dd()\n"
        "cudd.BDD()\n"
        "print('logging' in sys.modules)\n"
        "cudd.logger.warning('a warning %s', 1)\n"  # logging's last resort: stderr
        "print('logging' in sys.modules)\n"
        "import logging\n"
        "stream = io.StringIO()\n"
        "logging.basicConfig(stream=stream, level=logging.DEBUG)\n"
        "cudd.BDD()\n"
        "cudd.logger.debug('a detail')\n"
        "print(repr(stream.getvalue()))\n"
        "print(cudd.__version__)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == [
        "False",
        "True",
        repr(f"INFO:dd.cudd:Using CUDD v{lines[3]}\nDEBUG:dd.cudd:a detail\n"),
    ]
    assert done.stderr == "a warning 1\n"


def test_dd_with_logging_already_loaded_keeps_its_logger() -> None:
    code = (
        "import logging\n"
        "from diagnosis.faulttree.bdd import _import_dd\n"
        "cudd = _import_dd()\n"
        "print(cudd.logger is logging.getLogger('dd.cudd'))\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\n"


def test_dd_stand_ins_load_the_real_module_on_use() -> None:
    code = (
        "import sys\n"
        "from diagnosis.faulttree.bdd import _import_dd\n"
        "cudd = _import_dd()\n"
        "print('pickle' in sys.modules, cudd.pickle.HIGHEST_PROTOCOL > 0, 'pickle' in sys.modules)\n"
        "import subprocess\n"
        "print(type(subprocess).__name__, subprocess.PIPE)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["False True True", "module -1"]


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is Linux's rule")
@pytest.mark.parametrize(
    "env",
    [
        {"HOME": "/home/ana"},
        {"HOME": "/home/ana/"},
        {"HOME": "/"},
        {"HOME": "/home/ana", "XDG_CACHE_HOME": "/var/cache/ana"},
        {"HOME": "/home/ana", "XDG_CACHE_HOME": "relative/cache"},
        {"HOME": "/home/ana", "XDG_CACHE_HOME": ""},
    ],
)
def test_cache_folder_is_platformdirs_one(env: dict[str, str], monkeypatch: Any) -> None:
    from platformdirs import user_cache_dir

    for name in ("DIAGNOSIS_CACHE", "XDG_CACHE_HOME", "ANDROID_DATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _cache._linux_cache_folder() is not None
    assert _cache.cache_folder() == Path(user_cache_dir("diagnosis", appauthor=False))


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is Linux's rule")
def test_cache_folder_asks_platformdirs_without_an_absolute_home(monkeypatch: Any) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "relative")
    assert _cache._linux_cache_folder() is None


def test_catalog_digest_is_sha256() -> None:
    data = b"diagnosis catalog 1\0en\0"
    digest = _sha256(data)
    digest.update(b"more")
    assert digest.hexdigest() == hashlib.sha256(data + b"more").hexdigest()


def test_temporary_file_is_made_as_mkstemp_makes_one(tmp_path: Path) -> None:
    fd, name = command._temporary_file(".out.json.", str(tmp_path))
    os.close(fd)
    fd2, name2 = tempfile.mkstemp(prefix=".out.json.", dir=tmp_path)
    os.close(fd2)
    ours, theirs = Path(name), Path(name2)
    assert ours.parent == tmp_path and ours.name.startswith(".out.json.") and ours.is_absolute()
    assert stat.S_IMODE(ours.stat().st_mode) == stat.S_IMODE(theirs.stat().st_mode) == 0o600


def test_temporary_file_never_reuses_a_name(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(command.os, "urandom", lambda n: b"\0" * n)
    fd, name = command._temporary_file("x.", str(tmp_path))
    os.close(fd)
    with pytest.raises(FileExistsError):
        command._temporary_file("x.", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == [Path(name).name]


@pytest.mark.parametrize(
    "name", ["two_train", "three_motor", "bscu", "chinese", "baobab2", "ftr10", "baobab1"]
)
def test_a_smaller_first_cudd_table_gives_the_same_bdd(name: str, monkeypatch: Any) -> None:
    import yaml

    from diagnosis.faulttree import bdd
    from diagnosis.faulttree.opsa_mef_reader import read_mef

    opsa = TWO_TRAIN.parent
    files = yaml.safe_load((opsa / "expected.yaml").read_text(encoding="utf-8"))[name]["files"]
    tree = read_mef([opsa / f for f in files])
    assert bdd._initial_cache(tree) == 1 << 15
    small = bdd.compile_bdd(tree)
    monkeypatch.setattr(bdd, "_initial_cache", lambda tree: 1 << 18)
    default = bdd.compile_bdd(tree)
    assert small.variables == default.variables and small.root == default.root
    assert (list(small.var), list(small.high), list(small.low)) == (
        list(default.var),
        list(default.high),
        list(default.low),
    )
