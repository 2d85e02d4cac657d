"""A read-only store on a SQLite file with the standard library's ``sqlite3``.

The read commands (``report``, ``history``) start in a fraction of a second
without SQLAlchemy (importing it alone costs twice ``diagnosis --help``).
:class:`SqliteReader` runs one plain ``SELECT`` per table and hands the rows to
the same code as :class:`~diagnosis.store.sql.store.SqlStore`: the event
decoder, the hash-chain and projection audit (:func:`verify_rows`) and the row
converters of :mod:`diagnosis.store.schema`; a test checks that both return
the same values for the same database. Writing is refused (read-only).

:func:`plain_sqlite_file` decides: only a plain ``sqlite:///path`` URL (or a
file path) of an existing file is read this way; anything else (PostgreSQL,
URL options, escapes, in-memory) goes through SQLAlchemy as before.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from diagnosis.errors import StoreError
from diagnosis.session.events import Event, SessionStarted
from diagnosis.store.audit import utc, verify_rows
from diagnosis.store.base import (
    Intervention,
    SessionSummary,
    Store,
    Technician,
    VerifyResult,
)
from diagnosis.store.chain import audit_key
from diagnosis.store.schema import (
    BOOLEAN_COLUMNS,
    DATETIME_COLUMNS,
    HEAD,
    events_from_rows,
    habilitations_from_starts,
    intervention_from_row,
    parts_by_session,
    resolved,
    summary_from_row,
    writable,
)

__all__ = ["SqliteReader", "open_sqlite_reader", "plain_sqlite_file"]

_PREFIX = "sqlite:///"
BUSY_TIMEOUT_S = 30.0


def plain_sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL (as :func:`normalize_url` gives), else None.

    None for PostgreSQL, an in-memory database, a URL with options (``?``) or
    escapes (``%``): those are left to SQLAlchemy's URL parser.
    """
    if not url.startswith(_PREFIX):
        return None
    database = url[len(_PREFIX) :]
    if database in ("", ":memory:") or any(c in database for c in "?%#"):
        return None
    return Path(database).expanduser()


def _timestamp(value: Any) -> Any:
    """A stored timestamp as SQLAlchemy's SQLite dialect returns it (naive, UTC)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> SimpleNamespace:
    row = SimpleNamespace()
    for (name, *_), value in zip(cursor.description, values, strict=True):
        if value is not None and name in DATETIME_COLUMNS:
            value = _timestamp(value)
        elif value is not None and name in BOOLEAN_COLUMNS:
            value = bool(value)
        setattr(row, name, value)
    return row


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class SqliteReader(Store):
    """The sessions of one SQLite file, read with ``sqlite3`` (no SQLAlchemy)."""

    def __init__(self, path: Path, url: str, key: bytes | None = None) -> None:
        self.url = url
        self._key = key
        resolved = path.resolve()
        flags = "mode=ro"
        if not writable(resolved.parent) or not writable(resolved):
            flags += "&immutable=1"  # no WAL index file can be made beside it
        try:
            self._conn = sqlite3.connect(
                f"file:{resolved.as_posix()}?{flags}",
                uri=True,
                timeout=BUSY_TIMEOUT_S,
                check_same_thread=False,
            )
            self._conn.row_factory = _row
        except sqlite3.Error as exc:
            raise StoreError(code="store.db_error", url=url, reason=_first_line(exc)) from exc

    def _all(self, sql: str, *params: Any) -> list[Any]:
        try:
            return list(self._conn.execute(sql, params).fetchall())
        except (sqlite3.Error, ValueError) as exc:
            raise StoreError(code="store.db_error", url=self.url, reason=_first_line(exc)) from exc

    def revision(self) -> str | None:
        """The schema revision of the file (None: empty or not a database of ours)."""
        try:
            row = self._conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else str(row.version_num)

    def close(self) -> None:
        self._conn.close()

    # --- writing: refused -------------------------------------------------------------

    def append(self, session_id: str, event: Event) -> None:
        raise StoreError(code="store.db_error", url=self.url, reason="opened read-only")

    def save_technician(self, name: str, habilitations: Sequence[str]) -> None:
        raise StoreError(code="store.db_error", url=self.url, reason="opened read-only")

    # --- reading ------------------------------------------------------------------------

    def _require(self, session_id: str) -> None:
        if not self._all("SELECT id FROM sessions WHERE id = ?", session_id):
            raise StoreError(code="store.unknown_session", id=session_id)

    def _of_session(self, table: str, session_id: str, order: str = "id") -> list[Any]:
        return self._all(f"SELECT * FROM {table} WHERE session_id = ? ORDER BY {order}", session_id)

    def events(self, session_id: str) -> list[Event]:
        self._require(session_id)
        rows = self._all(
            "SELECT seq, payload FROM events WHERE session_id = ? ORDER BY seq", session_id
        )
        return events_from_rows(session_id, rows)

    def resolve(self, prefix: str) -> str:
        prefix = prefix.strip()
        if not prefix:
            raise StoreError(code="store.unknown_session", id=prefix)
        escaped = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_")
        ids = [
            str(r.id)
            for r in self._all(
                "SELECT id FROM sessions WHERE id LIKE ? || '%' ESCAPE '/' LIMIT 6", escaped
            )
        ]
        return resolved(prefix, ids)

    def sessions(
        self, *, equipment: str | None = None, since: datetime | None = None
    ) -> list[SessionSummary]:
        where, params = _filters(("equipment", equipment), ("started_at", since))
        rows = self._all(f"SELECT * FROM sessions{where} ORDER BY started_at DESC, id", *params)
        return [summary_from_row(row) for row in rows]

    def unfinished(self) -> list[SessionSummary]:
        rows = self._all(
            "SELECT * FROM sessions WHERE status = 'open' ORDER BY updated_at DESC, id"
        )
        return [summary_from_row(row) for row in rows]

    def interventions(
        self, *, since: datetime | None = None, equipment: str | None = None
    ) -> list[Intervention]:
        where, params = _filters(("request_time", since), ("equipment", equipment))
        rows = self._all(
            f"SELECT * FROM interventions{where} ORDER BY request_time, session_id", *params
        )
        ids = {row.session_id for row in rows}
        parts = parts_by_session(
            p
            for p in self._all("SELECT * FROM intervention_parts ORDER BY id")
            if p.session_id in ids
        )
        return [intervention_from_row(row, tuple(parts.get(row.session_id, ()))) for row in rows]

    def technician(self, name: str) -> Technician | None:
        recorded = self.recorded_habilitations(name)
        if recorded is not None:
            return Technician(name, recorded)
        rows = self._all("SELECT * FROM technicians WHERE name = ?", name)
        if not rows:
            return None
        return Technician(str(rows[0].name), tuple(json.loads(rows[0].habilitations)))

    def recorded_habilitations(self, name: str) -> tuple[str, ...] | None:
        starts = self._all(
            "SELECT payload, hash, prev_hash FROM events"
            " WHERE type = ? AND actor = ? AND seq = 1 ORDER BY at DESC, id DESC LIMIT 50",
            SessionStarted.type,
            name,
        )
        return habilitations_from_starts(starts, name, self._key)

    def verify(self, session_id: str) -> VerifyResult:
        self._require(session_id)
        rows = self._of_session("events", session_id, "seq")
        head = self._all("SELECT * FROM sessions WHERE id = ?", session_id)
        interventions = self._of_session("interventions", session_id, "session_id")
        return verify_rows(
            session_id,
            rows,
            head[0] if head else None,
            self._of_session("readings", session_id),
            interventions[0] if interventions else None,
            key=self._key,
            conclusions=self._of_session("conclusions", session_id),
            parts=self._of_session("intervention_parts", session_id),
        )


def _filters(*pairs: tuple[str, Any]) -> tuple[str, list[Any]]:
    """``WHERE`` for equality (text) and from-date (timestamp) filters, None skipped."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in pairs:
        if value is None or value == "":
            continue
        if isinstance(value, datetime):
            clauses.append(f"{column} >= ?")
            params.append(utc(value).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"))
        else:
            clauses.append(f"{column} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def open_sqlite_reader(path: Path, url: str) -> SqliteReader:
    """Open ``path`` for reading (it exists); refuse a file not at the current schema.

    Raises:
        StoreError: not a database, not migrated, or the audit key is unreadable.
    """
    try:
        key = audit_key()
    except ValueError as exc:
        raise StoreError(str(exc)) from exc
    shown = _PREFIX + quote(url[len(_PREFIX) :], safe=" +/")  # as SQLAlchemy shows it
    reader = SqliteReader(path, shown, key)
    if reader.revision() != HEAD:
        reader.close()
        raise StoreError(code="store.not_migrated", url=url)
    return reader
