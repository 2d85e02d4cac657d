"""What the screens ask of the app, as Textual messages (issue 11, item 3).

Screens never import :mod:`diagnosis.ui.app` nor call the app's workflow
methods: they post one of these messages with :meth:`post_to_app` and the app
(which owns the knowledge base, the store and the session) handles it. The
only imports are Textual's and, for typing, the engine's: this module is a
leaf of the UI's import graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from diagnosis.session.core import Session

__all__ = [
    "ConclusionRequested",
    "EquipmentChosen",
    "NewDiagnosisRequested",
    "ReportRequested",
    "SessionStarted",
    "SignedIn",
    "TraineeNamed",
    "post_to_app",
]


def post_to_app(node: DOMNode, message: Message) -> None:
    """Post ``message`` to the app that runs ``node`` (a screen, a dialog or a widget)."""
    node.app.post_message(message)


class SignedIn(Message):
    """The technician signed in: remember them, then offer unfinished sessions."""

    def __init__(self, technician: str, habilitations: Sequence[str]) -> None:
        super().__init__()
        self.technician = technician
        self.habilitations = tuple(habilitations)


class TraineeNamed(Message):
    """Trainer mode: the trainee typed their name (shown in the header)."""

    def __init__(self, technician: str) -> None:
        super().__init__()
        self.technician = technician


class EquipmentChosen(Message):
    """An equipment was picked: describe the problem on it."""

    def __init__(self, equipment_id: str) -> None:
        super().__init__()
        self.equipment_id = equipment_id


class SessionStarted(Message):
    """A session was started (or rebuilt): open the diagnosis screen."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class ConclusionRequested(Message):
    """The technician wants to conclude the current session."""


class ReportRequested(Message):
    """The conclusion is saved: write and show the report."""


class NewDiagnosisRequested(Message):
    """Forget the current session and go back to the equipment picker."""
