"""The one place where the UI imports the engine's entry points.

Screens call these lazily (inside functions) so that importing a screen
stays cheap and tests can build the app without compiling anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diagnosis.faulttree.analysis import Analysis
    from diagnosis.fmea import FmeaResult
    from diagnosis.kb.model import FaultTreeDef, KnowledgeBase
    from diagnosis.session.core import Session
    from diagnosis.store.base import Store

__all__ = ["load_kb", "open_store", "session_class"]


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
