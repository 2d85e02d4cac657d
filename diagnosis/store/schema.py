"""What the database holds, free of any database library.

The schema revision the program reads and writes, the kind of each column a
plain ``sqlite3`` reader must convert (SQLAlchemy converts them for the SQL
store), database URLs, and what the store makes of the rows it reads (events,
summaries, interventions, the session a prefix names, recorded habilitations). Both :mod:`diagnosis.store.sql` and
:mod:`diagnosis.store.sqlite_read` use them, so that the two readers return the
same values (a test checks the column kinds against ``sql/tables.py``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from diagnosis.errors import StoreError
from diagnosis.session.events import Event, SessionStarted, event_from_dict
from diagnosis.store.audit import utc
from diagnosis.store.base import Intervention, PartLine, SessionSummary
from diagnosis.store.chain import GENESIS, chain_hash

__all__ = [
    "BOOLEAN_COLUMNS",
    "DATETIME_COLUMNS",
    "HEAD",
    "default_url",
    "events_from_rows",
    "habilitations_from_starts",
    "intervention_from_row",
    "normalize_url",
    "parts_by_session",
    "resolved",
    "summary_from_row",
    "writable",
]

HEAD = "0003"
"""The Alembic revision of the current schema (``sql/migrations``)."""

DATETIME_COLUMNS = frozenset(
    {
        "at",
        "created_at",
        "end_time",
        "recorded_at",
        "request_time",
        "start_time",
        "started_at",
        "updated_at",
    }
)
"""Columns of any table holding a timestamp (SQLite keeps ``YYYY-MM-DD HH:MM:SS.ffffff``, UTC)."""

BOOLEAN_COLUMNS = frozenset(
    {
        "available",
        "confirmed",
        "critical",
        "lockout_done",
        "proposed",
        "root_cause_confirmed",
        "undone",
        "validation_passed",
    }
)
"""Columns of any table holding a boolean (SQLite keeps 0 / 1)."""


def default_url() -> str:
    """``$DIAGNOSIS_DB``, else ``diagnosis.db`` in the user's data folder (platformdirs)."""
    env = os.environ.get("DIAGNOSIS_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("diagnosis", appauthor=False)) / "diagnosis.db")


def normalize_url(url: str) -> str:
    """A full SQLAlchemy URL: file paths become SQLite URLs, PostgreSQL uses psycopg 3."""
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def writable(path: Path) -> bool:
    """Writable by us, and not marked read-only (a 0444 copy is read-only even for root)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & 0o222)


def summary_from_row(row: Any) -> SessionSummary:
    """One ``sessions`` row as ``diagnosis history`` shows it."""
    return SessionSummary(
        id=str(row.id),
        equipment=str(row.equipment),
        technician=str(row.technician),
        started_at=utc(row.started_at),
        updated_at=utc(row.updated_at),
        status=str(row.status),
        root_cause=row.root_cause,
        symptoms=tuple(json.loads(row.symptoms)),
        steps=int(row.steps),
        work_order=row.work_order,
    )


def _opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def intervention_from_row(row: Any, parts: tuple[PartLine, ...]) -> Intervention:
    """One ``interventions`` row (and its parts) as the CMMS sees it."""
    return Intervention(
        session_id=str(row.session_id),
        work_order=row.work_order,
        equipment=str(row.equipment),
        technician=str(row.technician),
        habilitations=tuple(json.loads(row.habilitations)),
        request_time=utc(row.request_time),
        start_time=_opt_utc(row.start_time),
        end_time=_opt_utc(row.end_time),
        downtime_min=row.downtime_min,
        labour_min=row.labour_min,
        symptoms=tuple(json.loads(row.symptoms)),
        failure_mode=row.failure_mode,
        failure_mechanism=row.failure_mechanism,
        failure_cause_class=row.failure_cause_class,
        root_cause=row.root_cause,
        root_cause_probability=row.root_cause_probability,
        root_cause_confirmed=bool(row.root_cause_confirmed),
        category_5m=row.category_5m,
        why_chain=tuple(json.loads(row.why_chain)),
        activity=row.activity,
        remedy=row.remedy,
        parts=parts,
        lockout_done=bool(row.lockout_done),
        alerts=tuple(json.loads(row.alerts)),
        validation_test=row.validation_test,
        validation_passed=row.validation_passed,
        validation_result=row.validation_result,
        status=str(row.status),
    )


def events_from_rows(session_id: str, rows: Sequence[Any]) -> list[Event]:
    """The events of ``events`` rows (``seq``, ``payload``), in their order.

    Raises:
        StoreError: a payload is not a valid event.
    """
    out: list[Event] = []
    for row in rows:
        try:
            out.append(event_from_dict(json.loads(row.payload)))
        except (ValueError, TypeError) as exc:
            raise StoreError(
                code="store.bad_event", id=session_id, seq=row.seq, reason=str(exc)
            ) from exc
    return out


def resolved(prefix: str, ids: Sequence[str]) -> str:
    """The one session id among ``ids`` (those starting with ``prefix``) it names.

    Raises:
        StoreError: none, or several and none is ``prefix`` itself.
    """
    if prefix in ids:
        return prefix
    if not ids:
        raise StoreError(code="store.unknown_session", id=prefix)
    if len(ids) > 1:
        raise StoreError(code="store.ambiguous_session", id=prefix, ids=", ".join(ids[:5]))
    return ids[0]


def parts_by_session(rows: Iterable[Any]) -> dict[str, list[PartLine]]:
    """``intervention_parts`` rows grouped by session, in row order."""
    parts: dict[str, list[PartLine]] = {}
    for p in rows:
        parts.setdefault(p.session_id, []).append(PartLine(str(p.ref), str(p.name), float(p.qty)))
    return parts


def habilitations_from_starts(
    starts: Iterable[Any], name: str, key: bytes | None
) -> tuple[str, ...] | None:
    """What ``name`` declared in the first start event (``payload``, ``hash``,
    ``prev_hash`` rows, newest first) whose hash checks, else None."""
    for start in starts:
        if start.prev_hash != GENESIS:
            continue
        if chain_hash(GENESIS, start.payload, key) != start.hash:
            continue  # an edited start event is evidence of nothing
        try:
            event = event_from_dict(json.loads(start.payload))
        except (ValueError, TypeError):
            continue
        if isinstance(event, SessionStarted) and event.technician == name:
            return tuple(event.habilitations)
    return None
