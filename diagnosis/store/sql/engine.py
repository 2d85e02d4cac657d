"""Database URLs and engines: SQLite (one workstation) or PostgreSQL (the plant).

SQLite is opened in WAL mode (readers never block the writer), with a 30 s
busy timeout, ``synchronous=FULL`` (a committed answer survives a power cut,
not only a killed process) and foreign keys on. Write transactions start
with ``BEGIN IMMEDIATE`` so that two processes never both read then fail to
upgrade to a write lock. A bare file path is accepted as a SQLite database;
``postgresql://`` URLs use psycopg 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from diagnosis.store.schema import default_url, normalize_url, writable

__all__ = [
    "BUSY_TIMEOUT_S",
    "WRITE",
    "default_url",
    "display_url",
    "make_engine",
    "normalize_url",
    "sqlite_path",
]

BUSY_TIMEOUT_S = 30.0
WRITE = {"diagnosis_begin": "IMMEDIATE"}  # execution options of a write transaction


def display_url(url: str) -> str:
    """The URL with its password hidden, for messages and ``Store.url``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL is shown as typed
        return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    try:
        parsed = make_url(url)
    except Exception:  # a malformed URL: reported when the engine is made
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).expanduser()


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine configured for our durability and concurrency needs.

    ``read_only`` opens a SQLite file with ``mode=ro`` (a copy on a read-only
    medium, a file the user may not write): nothing is created, migrated or
    locked for writing; when its folder is not writable either, the file is
    opened ``immutable`` (no WAL index file can be made beside it).

    Raises:
        sqlalchemy.exc.ArgumentError: malformed URL (translated by the caller).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, future=True)
    database = parsed.database or ""
    memory = database in ("", ":memory:")
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
    }
    if memory:
        kwargs["poolclass"] = StaticPool
    elif read_only:
        path = Path(database).expanduser().resolve()
        flags = "mode=ro"
        if not writable(path.parent) or not writable(path):
            flags += "&immutable=1"
        kwargs["connect_args"]["uri"] = True
        url = f"sqlite:///file:{path.as_posix()}?{flags}&uri=true"
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_conn.cursor()
        if not memory and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("diagnosis_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
