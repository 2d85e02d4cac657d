"""The SQLAlchemy implementation of :class:`~diagnosis.store.base.Store`.

Every ``append`` is one short write transaction: lock the session's row,
insert the event with its hash, update the projections, commit. A process
killed right after ``append`` returns has lost nothing. SQLite
"database is locked" errors (several technicians on one file) are retried
with a growing pause; PostgreSQL serialises writers of one session with
``SELECT ... FOR UPDATE``. SQLAlchemy exceptions never leave this module:
they become :class:`~diagnosis.errors.StoreError`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

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
from diagnosis.store.chain import GENESIS, canonical_json, chain_hash
from diagnosis.store.projection import CauseCodes, changes_for, dumps, start_rows
from diagnosis.store.schema import (
    events_from_rows,
    habilitations_from_starts,
    intervention_from_row,
    parts_by_session,
    resolved,
    summary_from_row,
)
from diagnosis.store.sql import tables as t
from diagnosis.store.sql.engine import WRITE

__all__ = ["SqlStore"]

T = TypeVar("T")
_RETRIES = 12


def _transient(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(word in text for word in ("locked", "busy", "deadlock", "could not serialize"))


class SqlStore(Store):
    """Sessions in a SQL database (SQLite file or PostgreSQL).

    Args:
        engine: an engine from :func:`~diagnosis.store.sql.engine.make_engine`.
        url: the URL to show (password hidden).
        codes: looks up a cause's ISO 14224 codes for the interventions
            projection; None when no KB is at hand.
    """

    def __init__(
        self,
        engine: Engine,
        url: str,
        codes: CauseCodes | None = None,
        key: bytes | None = None,
    ) -> None:
        self._engine = engine
        self.url = url
        self.codes = codes
        self._key = key  # the audit HMAC key (never stored in the database)

    # --- plumbing -----------------------------------------------------------------

    def _retry(self, work: Callable[[], T]) -> T:
        delay = 0.02
        for attempt in range(_RETRIES):
            try:
                return work()
            except OperationalError as exc:
                if not _transient(exc) or attempt == _RETRIES - 1:
                    raise StoreError(
                        code="store.db_error", url=self.url, reason=_first_line(exc)
                    ) from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
            except SQLAlchemyError as exc:
                raise StoreError(
                    code="store.db_error", url=self.url, reason=_first_line(exc)
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            conn.execution_options(**WRITE)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            try:
                yield conn
            finally:
                conn.rollback()

    def close(self) -> None:
        self._engine.dispose()

    # --- writing ------------------------------------------------------------------

    def append(self, session_id: str, event: Event) -> None:
        payload = canonical_json(event.to_dict())
        self._retry(lambda: self._append_once(session_id, event, payload))

    def _append_once(self, session_id: str, event: Event, payload: str) -> None:
        _check_sizes(session_id, event, changes_for(event, self.codes))
        with self._write() as conn:
            at = utc(event.at)
            if isinstance(event, SessionStarted):
                seq, prev = 1, GENESIS
                if (
                    conn.execute(
                        select(t.sessions.c.id).where(t.sessions.c.id == session_id)
                    ).first()
                    is not None
                ):
                    raise StoreError(code="store.duplicate_session", id=session_id)
                self._insert_session(conn, session_id, event, at)
            else:
                row = conn.execute(
                    select(t.sessions.c.last_seq, t.sessions.c.last_hash)
                    .where(t.sessions.c.id == session_id)
                    .with_for_update()
                ).first()
                if row is None:
                    raise StoreError(code="store.unknown_session", id=session_id)
                seq, prev = int(row.last_seq) + 1, str(row.last_hash)
            digest = chain_hash(prev, payload, self._key)
            conn.execute(
                insert(t.events).values(
                    session_id=session_id,
                    seq=seq,
                    type=event.type,
                    at=at,
                    actor=event.actor,
                    payload=payload,
                    prev_hash=prev,
                    hash=digest,
                    recorded_at=datetime.now(UTC),
                )
            )
            self._project(conn, session_id, seq, event, at)
            conn.execute(
                update(t.sessions)
                .where(t.sessions.c.id == session_id)
                .values(last_seq=seq, last_hash=digest, updated_at=at)
            )

    def _insert_session(
        self, conn: Connection, session_id: str, event: SessionStarted, at: datetime
    ) -> None:
        session, intervention = start_rows(event, at)  # the projection's one definition
        conn.execute(
            insert(t.sessions).values(id=session_id, **session, last_seq=0, last_hash=GENESIS)
        )
        conn.execute(insert(t.interventions).values(session_id=session_id, **intervention))
        if event.technician:
            _insert_ignore(
                conn,
                t.technicians,
                name=event.technician,
                habilitations=dumps(list(event.habilitations)),
                created_at=at,
                updated_at=at,
            )

    def _project(
        self, conn: Connection, session_id: str, seq: int, event: Event, at: datetime
    ) -> None:
        ch = changes_for(event, self.codes)
        sid = t.sessions.c.id == session_id
        if ch.session:
            conn.execute(update(t.sessions).where(sid).values(**ch.session))
        if ch.reading is not None:
            conn.execute(insert(t.readings).values(session_id=session_id, seq=seq, **ch.reading))
        if ch.undo_measurement is not None:
            conn.execute(
                update(t.readings)
                .where(
                    and_(
                        t.readings.c.session_id == session_id,
                        t.readings.c.measurement == ch.undo_measurement,
                        t.readings.c.undone.is_(False),
                    )
                )
                .values(undone=True)
            )
        if ch.recount:
            live = (
                select(func.count(func.distinct(t.readings.c.measurement)))
                .where(
                    and_(t.readings.c.session_id == session_id, t.readings.c.undone.is_(False))
                )
                .scalar_subquery()
            )
            conn.execute(update(t.sessions).where(sid).values(steps=live))
        if ch.conclusion is not None:
            conn.execute(
                insert(t.conclusions).values(session_id=session_id, seq=seq, **ch.conclusion)
            )
        iid = t.interventions.c.session_id == session_id
        if ch.intervention:
            values = dict(ch.intervention)
            for key in ("end_time",):
                if isinstance(values.get(key), datetime):
                    values[key] = utc(values[key])
            conn.execute(update(t.interventions).where(iid).values(**values))
        if ch.parts is not None:
            conn.execute(
                t.intervention_parts.delete().where(t.intervention_parts.c.session_id == session_id)
            )
            for part in ch.parts:
                conn.execute(
                    insert(t.intervention_parts).values(
                        session_id=session_id, ref=part.ref, name=part.name, qty=part.qty
                    )
                )
        if ch.alert is not None:
            current = conn.execute(select(t.interventions.c.alerts).where(iid)).scalar()
            alerts = json.loads(current or "[]")
            if ch.alert not in alerts:
                alerts.append(ch.alert)
                conn.execute(update(t.interventions).where(iid).values(alerts=dumps(alerts)))

    def save_technician(self, name: str, habilitations: Sequence[str]) -> None:
        def work() -> None:
            now = datetime.now(UTC)
            with self._write() as conn:
                _insert_ignore(
                    conn,
                    t.technicians,
                    name=name,
                    habilitations=dumps(list(habilitations)),
                    created_at=now,
                    updated_at=now,
                )
                conn.execute(
                    update(t.technicians)
                    .where(t.technicians.c.name == name)
                    .values(habilitations=dumps(list(habilitations)), updated_at=now)
                )

        self._retry(work)

    # --- reading ------------------------------------------------------------------

    def technician(self, name: str) -> Technician | None:
        """A known technician; the habilitations are those of their latest session start.

        What a technician holds is read from the chained ``session_started``
        events (whose hash is checked), not from the editable ``technicians``
        table, except for a technician registered in the UI without a session yet.
        """
        recorded = self.recorded_habilitations(name)
        if recorded is not None:
            return Technician(name, recorded)

        def work() -> Technician | None:
            with self._read() as conn:
                row = conn.execute(
                    select(t.technicians).where(t.technicians.c.name == name)
                ).first()
            if row is None:
                return None
            return Technician(str(row.name), tuple(json.loads(row.habilitations)))

        return self._retry(work)

    def recorded_habilitations(self, name: str) -> tuple[str, ...] | None:
        """What ``name`` declared at their latest session start whose hash checks, else None.

        Only the event log counts: this is what a decision may rely on.
        """

        def work() -> list[Any]:
            with self._read() as conn:
                return list(
                    conn.execute(
                        select(t.events.c.payload, t.events.c.hash, t.events.c.prev_hash)
                        .where(
                            and_(
                                t.events.c.type == SessionStarted.type,
                                t.events.c.actor == name,
                                t.events.c.seq == 1,
                            )
                        )
                        .order_by(t.events.c.at.desc(), t.events.c.id.desc())
                        .limit(50)
                    ).all()
                )

        return habilitations_from_starts(self._retry(work), name, self._key)

    def events(self, session_id: str) -> list[Event]:
        def work() -> list[Event]:
            with self._read() as conn:
                self._require(conn, session_id)
                rows = conn.execute(
                    select(t.events.c.seq, t.events.c.payload)
                    .where(t.events.c.session_id == session_id)
                    .order_by(t.events.c.seq)
                ).all()
            return events_from_rows(session_id, rows)

        return self._retry(work)

    def _require(self, conn: Connection, session_id: str) -> None:
        if (
            conn.execute(select(t.sessions.c.id).where(t.sessions.c.id == session_id)).first()
            is None
        ):
            raise StoreError(code="store.unknown_session", id=session_id)

    def sessions(
        self, *, equipment: str | None = None, since: datetime | None = None
    ) -> list[SessionSummary]:
        query = select(t.sessions).order_by(t.sessions.c.started_at.desc(), t.sessions.c.id)
        if equipment:
            query = query.where(t.sessions.c.equipment == equipment)
        if since is not None:
            query = query.where(t.sessions.c.started_at >= utc(since))
        return self._summaries(query)

    def unfinished(self) -> list[SessionSummary]:
        query = (
            select(t.sessions)
            .where(t.sessions.c.status == "open")
            .order_by(t.sessions.c.updated_at.desc(), t.sessions.c.id)
        )
        return self._summaries(query)

    def _summaries(self, query: Any) -> list[SessionSummary]:
        def work() -> list[SessionSummary]:
            with self._read() as conn:
                rows = conn.execute(query).all()
            return [summary_from_row(row) for row in rows]

        return self._retry(work)

    def resolve(self, prefix: str) -> str:
        prefix = prefix.strip()
        if not prefix:
            raise StoreError(code="store.unknown_session", id=prefix)

        def work() -> list[str]:
            with self._read() as conn:
                return [
                    str(r[0])
                    for r in conn.execute(
                        select(t.sessions.c.id)
                        .where(t.sessions.c.id.startswith(prefix, autoescape=True))
                        .limit(6)
                    )
                ]

        return resolved(prefix, self._retry(work))

    def interventions(
        self, *, since: datetime | None = None, equipment: str | None = None
    ) -> list[Intervention]:
        query = select(t.interventions).order_by(
            t.interventions.c.request_time, t.interventions.c.session_id
        )
        if since is not None:
            query = query.where(t.interventions.c.request_time >= utc(since))
        if equipment:
            query = query.where(t.interventions.c.equipment == equipment)

        def work() -> list[Intervention]:
            with self._read() as conn:
                rows = conn.execute(query).all()
                ids = [row.session_id for row in rows]
                parts = parts_by_session(
                    conn.execute(
                        select(t.intervention_parts)
                        .where(t.intervention_parts.c.session_id.in_(ids))
                        .order_by(t.intervention_parts.c.id)
                    )
                    if ids
                    else ()
                )
            return [
                intervention_from_row(row, tuple(parts.get(row.session_id, ()))) for row in rows
            ]

        return self._retry(work)

    # --- audit --------------------------------------------------------------------

    def event_hash(self, session_id: str, seq: int) -> str | None:
        """The stored hash of event ``seq`` of the session, None when there is no such event."""

        def work() -> str | None:
            with self._read() as conn:
                row = conn.execute(
                    select(t.events.c.hash).where(
                        and_(t.events.c.session_id == session_id, t.events.c.seq == seq)
                    )
                ).first()
            return None if row is None else str(row.hash)

        return self._retry(work)

    def integrity(self) -> list[str]:
        """What SQLite's ``quick_check`` finds wrong in the file (PostgreSQL: nothing)."""
        if self._engine.dialect.name != "sqlite":
            return []
        from diagnosis.store.sql import integrity_problems

        return integrity_problems(self._engine)

    def verify(self, session_id: str) -> VerifyResult:
        def work() -> tuple[list[Any], Any, list[Any], Any, list[Any], list[Any]]:
            with self._read() as conn:
                self._require(conn, session_id)
                rows = _of_session(conn, t.events, session_id, t.events.c.seq)
                head = conn.execute(select(t.sessions).where(t.sessions.c.id == session_id)).first()
                readings = _of_session(conn, t.readings, session_id)
                intervention = conn.execute(
                    select(t.interventions).where(t.interventions.c.session_id == session_id)
                ).first()
                conclusions = _of_session(conn, t.conclusions, session_id)
                parts = _of_session(conn, t.intervention_parts, session_id)
            return rows, head, readings, intervention, conclusions, parts

        rows, head, readings, intervention, conclusions, parts = self._retry(work)
        return verify_rows(
            session_id,
            rows,
            head,
            readings,
            intervention,
            key=self._key,
            conclusions=conclusions,
            parts=parts,
        )


def _of_session(conn: Any, table: Any, session_id: str, order: Any = None) -> list[Any]:
    """The rows of ``table`` for one session, in ``order`` (default: by ``id``)."""
    query = select(table).where(table.c.session_id == session_id)
    return list(conn.execute(query.order_by(table.c.id if order is None else order)).all())


def _check_sizes(session_id: str, event: Event, ch: Any) -> None:
    """Refuse, before anything is written, a value longer than its column.

    PostgreSQL would fail the transaction (``varchar(40)``) and SQLite would
    silently keep it (and a later copy to PostgreSQL fail); either way the
    session must not be left half-written, so every store refuses the same.
    """
    checks: list[tuple[Any, dict[str, Any]]] = [
        (t.events, {"session_id": session_id, "type": event.type, "actor": event.actor})
    ]
    if isinstance(event, SessionStarted):
        checks.append(
            (
                t.sessions,
                {
                    "equipment": event.equipment,
                    "technician": event.technician,
                    "work_order": event.work_order,
                    "lang": event.lang,
                },
            )
        )
    checks += [(t.sessions, ch.session), (t.interventions, ch.intervention)]
    if ch.reading is not None:
        checks.append((t.readings, ch.reading))
    if ch.conclusion is not None:
        checks.append((t.conclusions, ch.conclusion))
    for part in ch.parts or ():
        checks.append((t.intervention_parts, {"ref": part.ref}))
    for table, values in checks:
        for column, value in values.items():
            length = getattr(table.c[column].type, "length", None) if column in table.c else None
            if length is not None and isinstance(value, str) and len(value) > length:
                raise StoreError(
                    code="store.too_long", column=f"{table.name}.{column}", n=length, got=len(value)
                )


def _insert_ignore(conn: Connection, table: Any, **values: Any) -> None:
    """Insert a row unless its primary key exists (two first sessions of one technician)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - other databases: check then insert
        key = next(iter(table.primary_key.columns))
        if conn.execute(select(key).where(key == values[key.name])).first() is None:
            conn.execute(insert(table).values(**values))


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
