"""The UI's architecture holds by test (issue 11, section 3).

* no import cycle inside ``ui/`` (lazy imports and ``TYPE_CHECKING`` ones included);
* screens, dialogs and widgets never import :mod:`diagnosis.ui.app` and never call
  the app's workflow methods: they post messages (``ui/messages.py``);
* the store is never asked on the UI thread while the technician types.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
from textual.widgets import Input, SelectionList
from ui_pilot import settle

from diagnosis.ui.screens.equipment import EquipmentScreen
from diagnosis.ui.screens.problem import ProblemScreen
from diagnosis.ui.screens.technician import TechnicianScreen

UI = Path(__file__).resolve().parents[2] / "ui"
STORE_READS = ("technician", "unfinished", "interventions", "events", "sessions", "save_technician")


def _module(path: Path) -> str:
    parts = ["diagnosis", "ui", *path.relative_to(UI).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module(p): p for p in sorted(UI.rglob("*.py"))}


def _imports(module: str, path: Path, known: set[str]) -> Iterator[str]:
    """The ``ui`` modules ``module`` imports, wherever the import is (function bodies too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                root = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*root, base] if base else root)
            names = [base, *(f"{base}.{a.name}" for a in node.names)]
        for name in names:
            name = "diagnosis." + name if name == "ui" or name.startswith("ui.") else name
            if name in known and name != module:
                yield name


def _graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    for module, path in modules.items():
        graph.add_node(module)
        for target in _imports(module, path, set(modules)):
            graph.add_edge(module, target)
    return graph


def test_the_import_graph_is_read() -> None:
    graph = _graph()
    # The oracle for the reader itself: edges written by hand in the sources.
    assert graph.has_edge("diagnosis.ui.app", "diagnosis.ui.messages")
    assert graph.has_edge("diagnosis.ui.screens.equipment", "diagnosis.ui.screens.faulttree")
    assert graph.has_edge("diagnosis.ui.screens.base", "diagnosis.ui.engine")  # TYPE_CHECKING
    assert graph.number_of_nodes() == len(list(UI.rglob("*.py")))


def test_no_import_cycle_in_the_ui() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(_graph()) if len(c) > 1]
    assert cycles == []


def test_screens_dialogs_and_widgets_never_import_the_app() -> None:
    graph = _graph()
    importers = sorted(graph.predecessors("diagnosis.ui.app"))
    assert importers == ["diagnosis.ui"]  # the package's lazy ``DiagnosisApp`` only


def _app_methods() -> set[str]:
    tree = ast.parse((UI / "app.py").read_text(encoding="utf-8"))
    app = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "DiagnosisApp")
    return {n.name for n in app.body if isinstance(n, ast.FunctionDef)}


def test_screens_never_call_the_apps_workflow_methods() -> None:
    """``self.app.show_problem(...)``, ``self.dapp.signed_in(...)``: post a message instead."""
    methods = _app_methods()
    assert {"signed_in", "show_problem", "session_started", "new_diagnosis"} <= methods
    calls = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "app.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            if node.func.attr in methods and (
                (isinstance(owner, ast.Attribute) and owner.attr in ("app", "dapp"))
                or (isinstance(owner, ast.Name) and owner.id == "app")
            ):
                calls.append(f"{path.relative_to(UI)}:{node.lineno} {node.func.attr}")
    assert calls == []


def _record_threads(store: Any) -> list[tuple[str, bool]]:
    """Wrap the store's queries to record, for each call, whether it ran on the main thread."""
    calls: list[tuple[str, bool]] = []

    def wrap(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, threading.current_thread() is threading.main_thread()))
            return method(*args, **kwargs)

        return recorded

    for name in STORE_READS:
        setattr(store, name, wrap(name, getattr(store, name)))
    return calls


async def test_typing_a_name_asks_the_store_in_a_worker_once_typing_pauses(
    make_app: Callable[..., Any], db_url: str
) -> None:
    from diagnosis.store import open_store

    store = open_store(db_url)
    store.save_technician("Léa Robert", ["BR", "B2V"])
    calls = _record_threads(store)
    app = make_app(db=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TechnicianScreen)
        listing = app.screen.query_one("#habilitations", SelectionList)
        assert listing.selected == []
        app.screen.query_one("#name", Input).focus()
        await pilot.press(*"Léa Robert")
        assert [c for c in calls if c[0] == "technician"] == []  # none per keystroke
        await pilot.pause(0.6)  # the typing pauses: one lookup, in a worker
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert calls == [("technician", False)]
        assert sorted(listing.selected) == ["B2V", "BR"]  # recalled from the store
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EquipmentScreen)
        assert app.habilitations == ("BR", "B2V")
        await pilot.press(*"press")  # the filter: the KB only, never the store
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProblemScreen)
    assert calls  # sign-in and the equipment history read the store…
    assert [name for name, on_main in calls if on_main] == []  # …never on the UI thread


async def test_ticks_made_before_the_lookup_answers_are_kept(
    make_app: Callable[..., Any], db_url: str
) -> None:
    from diagnosis.store import open_store

    store = open_store(db_url)
    store.save_technician("Léa Robert", ["BR", "B2V"])
    app = make_app(db=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#name", Input).value = "Léa Robert"
        listing = screen.query_one("#habilitations", SelectionList)
        listing.select("B0")  # ticked by hand before the store answered
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert listing.selected == ["B0"]


async def test_resume_and_the_recurrence_notice_read_the_store_in_workers(
    make_app: Callable[..., Any], db_url: str, ui_kb: Any
) -> None:
    from textual.widgets import OptionList

    from diagnosis.session.core import Session
    from diagnosis.store import open_store
    from diagnosis.ui.dialogs.resume import ResumeDialog
    from diagnosis.ui.screens.conclusion import ConclusionScreen
    from diagnosis.ui.screens.diagnosis import DiagnosisScreen

    store = open_store(db_url)
    started = Session.start(ui_kb, "ui-press-01", ["short-shot"], technician="Ada", sink=store)
    calls = _record_threads(store)
    app = make_app(db=store, technician="Ada")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ResumeDialog)
        assert dialog.query_one("#resume-list", OptionList).get_option_at_index(0).id == started.id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DiagnosisScreen)
        assert app.screen.session.id == started.id
        await pilot.press("ctrl+f")  # conclude: the recurrence notice reads the history
        await settle(pilot)
        assert isinstance(app.screen, ConclusionScreen)
    names = {name for name, _ in calls}
    assert {"save_technician", "unfinished", "events", "interventions"} <= names
    assert [name for name, on_main in calls if on_main] == []
