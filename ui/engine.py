"""The one place where the UI imports the engine's entry points.

Screens call these lazily (inside functions) so that importing a screen
stays cheap and tests can build the app without compiling anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase

__all__ = ["load_kb", "open_store", "session_class"]


def session_class() -> Any:
    """``diagnosis.session.Session``."""
    try:
        from diagnosis.session import Session
    except ImportError:  # the package may not re-export it yet
        from diagnosis.session.core import Session
    return Session


def load_kb(folder: str | Path | None, fault_trees: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base in ``folder`` (None: the bundled one)."""
    from diagnosis.kb.loader import load_kb as _load

    return _load(folder, fault_trees)


def open_store(url: str | None) -> Any:
    """The event store at ``url`` (None: the default store)."""
    from diagnosis.store import open_store as _open

    return _open(url)


def analyze_tree(tree: Any) -> Any:
    """Cut sets, exact probability and importance of a KB fault tree (``FaultTreeDef``).

    The KB definition is handed to ``diagnosis.faulttree`` as its own model;
    the mapping is field for field (no computation happens here).
    """
    from diagnosis.faulttree.analysis import analyze
    from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode, HouseEvent

    model = FaultTree(
        id=tree.id,
        top=tree.top,
        gates=tuple(
            GateNode(id=g.id, type=g.type, inputs=g.inputs, k=g.k, name=str(g.name))
            for g in tree.gates
        ),
        basic_events=tuple(
            BasicEvent(
                id=e.id, probability=e.p, rate=e.rate, time=e.time, cause=e.cause, name=str(e.name)
            )
            for e in tree.events
            if not e.house
        ),
        house_events=tuple(
            HouseEvent(id=e.id, state=e.state, name=str(e.name)) for e in tree.events if e.house
        ),
        name=str(tree.name),
    )
    return analyze(model)


def fmea_rows(kb: KnowledgeBase, equipment: str | None) -> list[Any]:
    """FMEA lines with their ``rpn`` and ``ap``, highest priority first (``diagnosis.fmea``).

    Each row has ``line`` (the KB ``FmeaLine``), ``rpn`` and ``ap``.
    """
    from diagnosis import fmea  # type: ignore[attr-defined]

    return list(fmea.prioritise(kb, equipment=equipment))
