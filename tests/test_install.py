"""A real install: build the wheel, install it in a fresh venv outside the checkout, use it.

The wheel must carry the whole program (engine, UI as ``diagnosis.ui``, the
bundled knowledge base, fault trees and locales) and nothing at the top of
site-packages but ``diagnosis``. Offline: the wheel is built without build
isolation and installed without its dependencies, which the fresh venv reads
from the test's own environment (a ``.pth`` line), so no download happens.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "diagnosis", "ui", "knowledge_base")
SOURCES += ("fault_trees", "exercises")


def _run(
    cmd: list[str | Path], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["DIAGNOSIS_LANG"] = "en"
    env["HOME"] = str(tmp / "home")
    env["DIAGNOSIS_DB"] = str(tmp / "d.db")
    return env


PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the sources (the checkout stays clean)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(path, src / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    cmd: list[str | Path] = [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp, src]
    done = _run(cmd, tmp, _env(tmp))
    assert done.returncode == 0, done.stderr
    (built,) = tmp.glob("diagnosis-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, dict[str, str]]:
    """(the venv's bin folder, a work folder outside the checkout, the environment)."""
    tmp = tmp_path_factory.mktemp("install")
    env = _env(tmp)
    venv = tmp / "venv"
    done = _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, env)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    done = _run([*PIP, "--python", python, "install", "--no-deps", "--no-index", wheel], tmp, env)
    assert done.returncode == 0, done.stderr
    # The dependencies: this environment's site-packages, after the venv's own.
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = _run([python, "-c", code], tmp, env).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "zz_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    work = tmp / "work"
    work.mkdir()
    return venv / "bin", work, env


def test_the_wheel_holds_one_package_with_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"diagnosis"}
    for bundled in ("knowledge_base", "fault_trees", "exercises"):
        expected = sorted(p.name for p in (REPO / bundled).glob("*.yaml"))
        prefix = f"diagnosis/data/{bundled}/"
        got = sorted(n[len(prefix) :] for n in names if n.startswith(prefix))
        assert [n for n in got if n.endswith(".yaml")] == expected and expected
    for lang in ("en", "fr"):
        assert any(n.startswith(f"diagnosis/locales/{lang}/") for n in names)
    for path in (
        "diagnosis/ui/app.py",
        "diagnosis/ui/app.tcss",
        "diagnosis/ui/screens/diagnosis.py",
        "diagnosis/py.typed",
        "diagnosis/report/templates/report.html.j2",
        "diagnosis/store/sql/migrations/script.py.mako",
    ):
        assert path in names
    assert any(n.startswith("diagnosis/store/sql/migrations/versions/") for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: MIT" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "Requires-Dist: click" not in text and "Requires-Dist: graphviz" in text


def test_installed_program_finds_its_knowledge_base(
    installed: tuple[Path, Path, dict[str, str]],
) -> None:
    bin_dir, work, env = installed
    code = "import diagnosis.kb as k; print(k.__file__); print(k.bundled_kb_dir())"
    where = _run([bin_dir / "python", "-c", code], work, env)
    assert where.returncode == 0, where.stderr
    module, kb_dir = where.stdout.split()
    assert module.startswith(str(bin_dir.parent)) and kb_dir.startswith(str(bin_dir.parent))
    done = _run([bin_dir / "diagnosis", "kb", "check"], work, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: 3 equipment") and "6 fault trees" in done.stdout
    version = _run([bin_dir / "diagnosis", "--version"], work, env)
    assert version.returncode == 0 and version.stdout.strip().startswith("diagnosis 0.")
    main = _run([bin_dir / "python", "-m", "diagnosis", "--help"], work, env)
    assert main.returncode == 0 and "--install-completion" in main.stdout
    listed = _run([bin_dir / "diagnosis", "train", "list", "--format", "json"], work, env)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(list((REPO / "exercises").glob("*.yaml")))


def test_installed_program_runs_a_diagnosis_and_a_fault_tree(
    installed: tuple[Path, Path, dict[str, str]],
) -> None:
    bin_dir, work, env = installed
    answers = work / "answers.yaml"
    answers.write_text('im-oil-level: "true"\nim-granule-aspect: clean\n', encoding="utf-8")
    cmd: list[str | Path] = [bin_dir / "diagnosis", "run", "-e", "injection-press-01"]
    cmd += ["-s", "im-short-shot", "-a", answers, "--format", "json", "--max-steps", "2"]
    run = _run(cmd, work, env)
    assert run.returncode in (0, 1), run.stderr
    data = json.loads(run.stdout)
    assert data["equipment"] == "injection-press-01" and len(data["steps"]) == 2
    cmd = [bin_dir / "diagnosis", "ft", "analyze", "im-ft-short-shot", "--format", "json"]
    ft = _run(cmd, work, env)
    assert ft.returncode == 0, ft.stderr
    assert json.loads(ft.stdout)["cut_sets"]
