"""The UI's typed facade over the engine.

Two things live here:

* :class:`AppState`, what screens and dialogs may read of the running app
  (knowledge base, store, language, technician, current session…), typed with
  the engine's own classes. Screens reach it as ``self.dapp`` and never import
  :mod:`diagnosis.ui.app`; to change the app's state they post a message
  (:mod:`diagnosis.ui.messages`).
* the engine's entry points, imported lazily (inside functions) so that
  importing a screen stays cheap and tests can build the app without compiling
  anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from diagnosis.faulttree.analysis import Analysis
    from diagnosis.fmea import FmeaResult
    from diagnosis.kb.model import FaultTreeDef, KnowledgeBase
    from diagnosis.session.core import Session
    from diagnosis.store.base import Store
    from diagnosis.ui.prefs import Prefs

__all__ = ["AppState", "analyze_tree", "fmea_rows", "load_kb", "open_store", "session_class"]


class AppState(Protocol):
    """What a screen reads of the app (read-only: it posts messages to change it).

    Database reads through :attr:`store` belong in a worker thread, never in an
    event handler: the UI thread stays free for the keyboard.
    """

    @property
    def kb(self) -> KnowledgeBase: ...
    @property
    def store(self) -> Store: ...
    @property
    def lang(self) -> str: ...
    @property
    def prefs(self) -> Prefs: ...
    @property
    def technician(self) -> str: ...
    @property
    def habilitations(self) -> Sequence[str]: ...
    @property
    def report_dir(self) -> Path: ...
    @property
    def session(self) -> Session | None: ...
    @property
    def equipment_id(self) -> str | None: ...


def session_class() -> type[Session]:
    """``diagnosis.session.Session``."""
    from diagnosis.session.core import Session

    return Session


def load_kb(folder: str | Path | None, fault_trees: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base in ``folder`` (None: the bundled one)."""
    from diagnosis.kb.loader import load_kb as _load

    return _load(folder, fault_trees)


def open_store(url: str | None) -> Store:
    """The event store at ``url`` (None: the default store)."""
    from diagnosis.store import open_store as _open

    return _open(url)


def analyze_tree(tree: FaultTreeDef, lang: str = "en") -> Analysis:
    """Cut sets, exact probability and importance of a KB fault tree (``FaultTreeDef``)."""
    from diagnosis.faulttree.analysis import analyze
    from diagnosis.faulttree.from_kb import from_kb

    return analyze(from_kb(tree, lang))


def fmea_rows(kb: KnowledgeBase, equipment: str | None) -> list[FmeaResult]:
    """FMEA results (``line``, ``equipment``, ``rpn``, ``ap``, ``criticality``…), by priority."""
    from diagnosis.fmea import fmea_table

    return list(fmea_table(kb, equipment))
