"""The store interface and the values it returns, free of any database library.

:class:`Store` is what the session (as its event sink), the CLI, the report
and the TUI talk to. The SQLAlchemy implementation lives in
:mod:`diagnosis.store.sql`; tests may use any other implementation of the
same interface.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diagnosis.session.events import Event
from diagnosis.session.events import PartUsed as PartLine  # a part: the event's own record

__all__ = [
    "EXERCISE_PREFIX",
    "Intervention",
    "PartLine",
    "SessionSummary",
    "Store",
    "Technician",
    "VerifyResult",
    "is_exercise",
]

EXERCISE_PREFIX = "exercise:"
"""The work order of a trainee's exercise session (trainer mode, ``exercise:<id>``)."""


def is_exercise(work_order: str | None) -> bool:
    """A session of the trainer mode (simulated machine): KPIs and the CMMS export skip it."""
    return bool(work_order) and str(work_order).startswith(EXERCISE_PREFIX)


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``diagnosis history``.

    Attributes:
        status: ``open`` until a ``SessionClosed`` event, then its status
            (``done`` or ``abandoned``).
        steps: readings recorded and not undone.
    """

    id: str
    equipment: str
    technician: str
    started_at: datetime
    updated_at: datetime
    status: str
    root_cause: str | None
    symptoms: tuple[str, ...]
    steps: int
    work_order: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "equipment": self.equipment,
            "technician": self.technician,
            "started_at": self.started_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "status": self.status,
            "root_cause": self.root_cause,
            "symptoms": list(self.symptoms),
            "steps": self.steps,
            "work_order": self.work_order,
        }


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a hash-chain check.

    Attributes:
        ok: every row matches its hash and the chain is unbroken.
        events: rows checked.
        first_bad_seq: the sequence number (1-based) of the first bad row.
        reason: why that row is bad (a short English code: ``hash``,
            ``prev_hash``, ``sequence``, ``columns``, ``payload``,
            ``truncated``, ``projection``, ``unsigned``).
        detail: for ``projection``, the ``table.column`` that differs.
        head: the hash of the last event (the session's anchor: printed in its
            report and in the manifest), when the chain is intact.
    """

    session_id: str
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None
    detail: str | None = None
    head: str | None = None


@dataclass(frozen=True)
class Technician:
    name: str
    habilitations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intervention:
    """One corrective intervention as the CMMS sees it (the ``interventions`` projection).

    Field meanings are documented column by column in ``docs/cmms-export.md``.
    """

    session_id: str
    work_order: str | None
    equipment: str
    technician: str
    habilitations: tuple[str, ...]
    request_time: datetime
    start_time: datetime | None
    end_time: datetime | None
    downtime_min: float | None
    labour_min: float | None
    symptoms: tuple[str, ...]
    failure_mode: str | None
    failure_mechanism: str | None
    failure_cause_class: str | None
    root_cause: str | None
    root_cause_probability: float | None
    root_cause_confirmed: bool
    category_5m: str | None
    why_chain: tuple[str, ...]
    activity: str | None
    remedy: str | None
    parts: tuple[PartLine, ...]
    lockout_done: bool
    alerts: tuple[str, ...]
    validation_test: str | None
    validation_passed: bool | None
    validation_result: str | None
    status: str

    @property
    def is_exercise(self) -> bool:
        """A trainee's exercise on a simulated machine, not a real intervention."""
        return is_exercise(self.work_order)


class Store(abc.ABC):
    """A place where sessions are kept; also the session's ``EventSink``.

    Every method raises :class:`~diagnosis.errors.StoreError` when the
    database cannot be reached or the session is unknown.
    """

    url: str

    @abc.abstractmethod
    def append(self, session_id: str, event: Event) -> None:
        """Record one event, committed before returning, chained to the previous one."""

    @abc.abstractmethod
    def events(self, session_id: str) -> list[Event]:
        """The session's whole event log, in order."""

    @abc.abstractmethod
    def sessions(
        self, *, equipment: str | None = None, since: datetime | None = None
    ) -> list[SessionSummary]:
        """Saved sessions, newest first, optionally for one equipment / since a date."""

    @abc.abstractmethod
    def unfinished(self) -> list[SessionSummary]:
        """Sessions without a ``SessionClosed`` event, newest first."""

    @abc.abstractmethod
    def resolve(self, prefix: str) -> str:
        """The full session id that ``prefix`` starts (must be unique)."""

    @abc.abstractmethod
    def verify(self, session_id: str) -> VerifyResult:
        """Check the session's hash chain and stored columns."""

    @abc.abstractmethod
    def technician(self, name: str) -> Technician | None:
        """A known technician, or None."""

    def recorded_habilitations(self, name: str) -> tuple[str, ...] | None:
        """The habilitations ``name`` declared in the event log (latest session), else None.

        What a decision relies on; the default reads :meth:`technician`.
        """
        known = self.technician(name)
        return None if known is None else known.habilitations

    @abc.abstractmethod
    def save_technician(self, name: str, habilitations: Sequence[str]) -> None:
        """Create or update a technician and their habilitations."""

    @abc.abstractmethod
    def interventions(
        self, *, since: datetime | None = None, equipment: str | None = None
    ) -> list[Intervention]:
        """The CMMS view of sessions, oldest first."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
