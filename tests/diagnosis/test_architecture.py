"""The architecture holds by test: the "nevers" between layers, cheap imports, declared surfaces.

Every import statement counts, wherever it is: at the top of a module, inside
a function (a lazy import), under ``TYPE_CHECKING``, and the names a package
``__init__`` serves lazily (PEP 562, listed in its ``lazy_attributes`` table or
its ``lazy_modules`` tuple).
What a module really loads at run time is checked too, in a fresh interpreter.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import diagnosis

ENGINE = Path(diagnosis.__file__).parent
UI = ENGINE / "ui"
REPO = ENGINE.parent
LAZY_PACKAGES = ("kb", "report", "store", "session", "bayes", "rules", "faulttree")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports or may import (``from m import x`` gives m and m.x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Call) and _is_lazy_table(node):
            table = node.args[1]
            assert isinstance(table, ast.Dict)
            found |= {
                v.value
                for v in table.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            }
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "lazy_modules"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Tuple | ast.List)
        ):  # a package serving its modules' __all__
            found |= {
                v.value
                for v in node.args[1].elts
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            }
    return found


def _is_lazy_table(node: ast.Call) -> bool:
    return (
        isinstance(node.func, ast.Name)
        and node.func.id == "lazy_attributes"
        and len(node.args) == 2
        and isinstance(node.args[1], ast.Dict)
    )


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _offenders(folder: Path, forbidden: tuple[str, ...], files: list[Path] | None = None) -> list[str]:
    bad = []
    for path in files if files is not None else _files(folder):
        for name in sorted(imports_of(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(REPO)}: {name}")
    return bad


def _loaded_by(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after ``statement``."""
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout)
    return set(loaded)


# --- the nevers (static: every import statement, lazy ones included) -----------


def test_the_scan_sees_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    sample = ENGINE / "report" / "links.py"  # imports the fault-tree modules inside functions
    assert "diagnosis.faulttree.evidence" in imports_of(sample)
    assert "diagnosis.store.base" in imports_of(ENGINE / "store" / "__init__.py")  # lazy table
    assert "diagnosis.kb.model" in imports_of(ENGINE / "store" / "__init__.py")  # TYPE_CHECKING
    assert "diagnosis.kb.loader" in imports_of(ENGINE / "kb" / "__init__.py")  # lazy_modules


def test_engine_never_imports_textual_or_the_ui() -> None:
    files = [
        p
        for p in _files(ENGINE)
        if UI not in p.parents and not (p.parent.name == "cli" and p.name == "tui.py")
    ]  # the UI itself, and the CLI's launcher of the UI (by design)
    assert _offenders(ENGINE, ("textual", "ui", "diagnosis.ui"), files) == []


def test_the_kb_knows_nothing_of_sessions_or_inference() -> None:
    # The KB may build a fault tree's structure to validate it (``kb check`` runs the
    # fault-tree model's own validator: one validator), never analyse it.
    analysis = tuple(
        f"diagnosis.faulttree.{m}"
        for m in ("analysis", "bdd", "zbdd", "mocus", "probability", "evidence", "render")
    )
    forbidden = (
        *analysis,
        "diagnosis.session",
        "diagnosis.bayes",
        "diagnosis.planner",
        "diagnosis.rules",
        "diagnosis.store",
        "diagnosis.report",
        "diagnosis.cli",
        "numpy",
        "pgmpy",
        "experta",
    )
    assert _offenders(ENGINE / "kb", forbidden) == []


def test_report_writers_never_compute_posteriors() -> None:
    # The whole report package: built from the event log, never from the Bayes engine.
    forbidden = ("diagnosis.bayes", "diagnosis.planner", "numpy", "pgmpy")
    session_logic = tuple(
        f"diagnosis.session.{m}"
        for m in ("core", "base", "record", "runner", "state", "sources", "why")
    )
    assert _offenders(ENGINE / "report", forbidden + session_logic) == []
    # The writers themselves only format the report data.
    writers = [
        ENGINE / "report" / f
        for f in ("markdown.py", "html.py", "json_writer.py", "pdf.py", "svg.py", "fmt.py")
    ]
    more = ("diagnosis.session", "diagnosis.faulttree", "diagnosis.fmea", "diagnosis.store")
    assert _offenders(ENGINE / "report", forbidden + more, writers) == []


def test_the_store_keeps_facts_and_never_formats() -> None:
    forbidden = (
        "diagnosis.report",
        "diagnosis.i18n.format_number",
        "diagnosis.i18n.format_percent",
        "diagnosis.i18n.format_datetime",
        "diagnosis.i18n.tr",  # its errors carry codes: the CLI and the UI translate them
        "diagnosis.i18n.detect_lang",
        "diagnosis.bayes",
        "diagnosis.planner",
        "diagnosis.session.core",
        "diagnosis.cli",
        "jinja2",
    )
    assert _offenders(ENGINE / "store", forbidden) == []


def test_the_session_never_drives_the_cli() -> None:
    forbidden = ("diagnosis.cli", "typer", "click", "textual", "diagnosis.ui", "diagnosis.report")
    assert _offenders(ENGINE / "session", forbidden) == []
    calls = []
    for path in _files(ENGINE / "session"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
                if name in ("print", "exit", "input"):
                    calls.append(f"{path.relative_to(REPO)}:{node.lineno}: {name}()")
    assert calls == []  # no output, no prompt, no exit: the CLI and the UI do that


def _translating_raises(path: Path) -> list[int]:
    """Where ``path`` translates an error: a ``tr()`` call inside a ``raise`` or
    inside the construction of an ``...Error``."""

    def calls_tr(node: ast.AST) -> bool:
        for n in ast.walk(node):
            if isinstance(n, ast.Call):
                f = n.func
                if (f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")) == "tr":
                    return True
        return False

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None and calls_tr(node.exc):
            found.append(node.lineno)
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            if name.endswith("Error") and calls_tr(node):
                found.append(node.lineno)
    return sorted(set(found))


def test_the_engine_raises_coded_errors_and_the_edges_translate() -> None:
    """No ``tr()`` on a raise path of the engine: errors carry a code and parameters."""
    assert _translating_raises(Path(__file__)) == []  # the scan itself
    offenders = []
    for path in _files(ENGINE):
        relative = path.relative_to(ENGINE).as_posix()
        if relative.split("/")[0] in ("cli", "ui"):
            continue
        offenders += [f"{relative}:{line}" for line in _translating_raises(path)]
    assert offenders == []
    for package in ("session", "rules", "store"):
        # nothing there imports the language detection: the language is the edge's
        assert _offenders(ENGINE / package, ("diagnosis.i18n.detect_lang",)) == []


def test_the_scan_sees_a_translated_raise(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(lang):\n"
        "    raise SessionError(tr('k', lang))\n"
        "def g(lang):\n"
        "    return UsageError('a: ' + tr('k', lang))\n",
        encoding="utf-8",
    )
    assert _translating_raises(bad) == [2, 4]


def test_the_run_json_is_the_clis() -> None:
    """The ``diagnosis run`` JSON is an output format of the CLI: built in diagnosis/cli,
    never in the session (which does not know of it)."""
    from diagnosis.session import Session

    assert not (ENGINE / "session" / "run_json.py").exists()
    assert (ENGINE / "cli" / "run_json.py").is_file()
    assert not hasattr(Session, "to_run_json")
    assert _offenders(ENGINE / "session", ("diagnosis.cli",)) == []


def test_events_are_a_leaf_module() -> None:
    engine_imports = {
        n for n in imports_of(ENGINE / "session" / "events.py") if n.startswith("diagnosis")
    }
    assert engine_imports == set()


# --- cheap imports (dynamic: what a fresh interpreter loads) --------------------

ENGINE_LIBS = ("numpy", "scipy", "pgmpy", "experta", "dd", "sqlalchemy", "textual")
HEAVY = (*ENGINE_LIBS, "networkx")


@pytest.mark.parametrize(
    ("statement", "never"),
    [
        ("import diagnosis.report", (*HEAVY, "diagnosis.bayes", "diagnosis.session.core")),
        ("import diagnosis.store", (*HEAVY, "diagnosis.bayes", "diagnosis.session.core")),
        ("import diagnosis.session.events", (*HEAVY, "diagnosis.bayes", "diagnosis.kb.loader")),
        ("import diagnosis.kb.loader", (*ENGINE_LIBS, "diagnosis.session", "diagnosis.bayes")),
        ("import diagnosis.report.markdown", (*HEAVY, "diagnosis.bayes", "diagnosis.faulttree")),
        ("import diagnosis.report.build", (*HEAVY, "diagnosis.bayes", "diagnosis.faulttree.bdd", "graphviz")),
        ("import diagnosis.cli", (*HEAVY, "diagnosis.kb.loader", "yaml", "graphviz")),
        ("import diagnosis.kb, diagnosis.session, diagnosis.bayes, diagnosis.rules", HEAVY),
        ("import diagnosis.faulttree", (*HEAVY, "diagnosis.faulttree.analysis")),
    ],
)
def test_cheap_imports(statement: str, never: tuple[str, ...]) -> None:
    loaded = _loaded_by(statement)
    assert sorted(m for m in never if m in loaded) == []


def test_events_load_no_other_engine_module() -> None:
    loaded = {m for m in _loaded_by("import diagnosis.session.events") if m.startswith("diagnosis")}
    assert loaded == {"diagnosis", "diagnosis._lazy", "diagnosis.session", "diagnosis.session.events"}


# --- declared surfaces ----------------------------------------------------------


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_lazy_packages_serve_exactly_their_declared_names(name: str) -> None:
    package = importlib.import_module(f"diagnosis.{name}")
    for attr in package.__all__:
        assert getattr(package, attr) is not None, f"diagnosis.{name}.{attr}"
    with pytest.raises(AttributeError):
        getattr(package, "no_such_name")  # noqa: B009
    for sub in pkgutil.iter_modules(package.__path__):  # a submodule must not shadow a name
        importlib.import_module(f"diagnosis.{name}.{sub.name}")
    for attr in package.__all__:
        assert not isinstance(getattr(package, attr), types.ModuleType), attr


def test_public_surfaces_are_declared() -> None:
    import diagnosis.errors

    for module in (diagnosis.errors,):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_nothing_imports_a_top_level_ui_package() -> None:
    """The UI is installed as ``diagnosis.ui`` only: ``import ui`` works from a checkout
    (the folder is there) and breaks an installed program."""
    root = ENGINE.parent
    offenders = []
    for folder in ("diagnosis", "ui", "tests", "bench"):
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                offenders += [f"{path}: {n}" for n in names if n.split(".")[0] == "ui"]
    assert offenders == []


# The session's public surface, pinned so that it does not grow silently: a new
# member is a decision (add it here, say why in the commit), not an accident.
# The CLI's own output (the run JSON, its 5-Why per cause) lives in diagnosis/cli.
SESSION_SURFACE = (
    "absent_symptoms", "acknowledge", "acknowledge_step", "acknowledged_steps", "alerts",
    "alternatives", "answer", "applied_lockouts", "hand_over", "category_5m", "check_habilitation",
    "close", "closed", "colleagues", "conclude", "conclusion", "confidence", "confirmation",
    "default_root_cause", "default_root_causes", "equipment", "events", "evidence",
    "exclude", "excluded", "habilitations", "handover", "id", "join_colleague", "kb",
    "lack", "lack_for", "lacking_parts", "lacking_tools", "lang", "lockouts_to_release",
    "max_steps", "need_id", "not_available", "not_worth", "notes", "notes_in",
    "observe_tree", "pending_alerts", "posteriors", "prepare", "problem", "proposal",
    "ranking", "readings", "record_remedy", "record_validation", "reinstate",
    "release_lockout", "remedy", "replay", "resume", "set_category", "set_why", "start",
    "steps_proposals", "steps_rankings", "steps_to_acknowledge", "stop_reason",
    "suggested_remedy", "suggested_validation", "suggested_why", "suggestions", "symptoms",
    "technician", "tree_observations", "undo", "validation", "validation_pending",
    "verification", "why",
)


def test_the_session_surface_is_pinned() -> None:
    from diagnosis.kb.loader import load_kb
    from diagnosis.session import Session

    kb = load_kb()
    eq = kb.equipments[0]
    session = Session.start(kb, eq.id, [eq.symptoms[0].id])
    public = sorted(
        {n for n in dir(Session) if not n.startswith("_")}
        | {n for n in vars(session) if not n.startswith("_")}
    )
    assert public == sorted(SESSION_SURFACE)


# --- declared = used ------------------------------------------------------------

# the import name of a declared distribution, where it is not its name in lower case
IMPORT_NAMES = {"PyYAML": "yaml", "textual-serve": "textual_serve"}
# a distribution no statement of ours imports, and the place that uses it (checked)
USED_WITHOUT_IMPORT = {
    "psycopg": ("store/schema.py", "postgresql+psycopg://"),  # SQLAlchemy's PostgreSQL driver
}


def _imported_anywhere() -> set[str]:
    """Top-level names of every module the engine and the UI import (lazy ones, and
    ``importlib.import_module("name")`` calls, included)."""
    names: set[str] = set()
    for path in {*_files(ENGINE), *_files(REPO / "ui")}:
        names |= {name.split(".")[0] for name in imports_of(path)}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value.split(".")[0])
    return names


def test_every_declared_dependency_is_used() -> None:
    import re
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [re.split(r"[\[<>=!~ ;]", d, maxsplit=1)[0] for d in project["dependencies"]]
    imported = _imported_anywhere()
    unused = []
    for dist in declared:
        if dist in USED_WITHOUT_IMPORT:
            where, text = USED_WITHOUT_IMPORT[dist]
            assert text in (ENGINE / where).read_text(encoding="utf-8"), dist
        elif IMPORT_NAMES.get(dist, dist.lower().replace("-", "_")) not in imported:
            unused.append(dist)
    assert unused == []
