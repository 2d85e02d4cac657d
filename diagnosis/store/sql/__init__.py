"""The SQLAlchemy / Alembic adapter: the only code that imports either library.

``open_sql_store(url)`` builds the engine, runs the shipped migrations and
returns a :class:`~diagnosis.store.sql.store.SqlStore`; every library error
becomes a :class:`~diagnosis.errors.StoreError` here.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from diagnosis.errors import StoreError
from diagnosis.store.chain import audit_key
from diagnosis.store.projection import CauseCodes
from diagnosis.store.sql.engine import display_url, make_engine, normalize_url, sqlite_path
from diagnosis.store.sql.migrate import HEAD, current_revision, upgrade
from diagnosis.store.sql.store import SqlStore

__all__ = ["SqlStore", "integrity_problems", "open_sql_store"]


def open_sql_store(
    url: str,
    codes: CauseCodes | None = None,
    *,
    read_only: bool = False,
    must_exist: bool = False,
) -> SqlStore:
    """Open (and migrate) the database at ``url``.

    Args:
        read_only: for the read commands (history, report, verify, export): a
            SQLite file is opened read-only and never created or migrated.
        must_exist: refuse a SQLite file that does not exist (a mistyped
            ``--db`` must not silently give an empty database).

    Raises:
        StoreError: bad URL, unreachable server, unwritable file, failed
            migration, a missing file, a corrupted SQLite file (when writing).
    """
    full = normalize_url(url)
    shown = display_url(full)
    path = sqlite_path(full)
    if path is not None and (must_exist or read_only) and not path.is_file():
        raise StoreError(code="store.no_such_db", path=str(path))
    try:
        engine = make_engine(full, read_only=read_only and path is not None)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(code="store.bad_url", url=url, reason=str(exc)) from exc
    except ModuleNotFoundError as exc:
        raise StoreError(code="store.no_driver", url=shown, module=exc.name or "?") from exc
    except OSError as exc:
        raise StoreError(code="store.db_error", url=shown, reason=str(exc)) from exc
    try:
        if read_only and path is not None:
            if current_revision(engine) != HEAD:
                engine.dispose()
                raise StoreError(code="store.not_migrated", url=shown)
        else:
            upgrade(engine)
            if path is not None:
                _integrity(engine, shown)
    except SQLAlchemyError as exc:
        engine.dispose()
        orig = getattr(exc, "orig", None)
        reason = str(orig if orig is not None else exc).strip().splitlines()
        raise StoreError(
            code="store.db_error", url=shown, reason=reason[0] if reason else type(exc).__name__
        ) from exc
    try:
        key = audit_key()
    except ValueError as exc:
        engine.dispose()
        raise StoreError(str(exc)) from exc
    return SqlStore(engine, shown, codes, key)


def _integrity(engine: Engine, shown: str) -> None:
    """Refuse to write into a SQLite file with a corrupted page (``PRAGMA quick_check``)."""
    problems = integrity_problems(engine)
    if problems:
        engine.dispose()
        raise StoreError(code="store.corrupt", url=shown, reason=problems[0])


def integrity_problems(engine: Engine) -> list[str]:
    """What SQLite's ``quick_check`` finds wrong (empty when the file is sound)."""
    try:
        with engine.connect() as conn:
            rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check").all()]
            conn.rollback()
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        return [str(orig if orig is not None else exc).strip().splitlines()[0]]
    return [] if rows == ["ok"] else rows
