"""Bring a database to the current schema with the Alembic scripts shipped in the package.

``open_store`` calls :func:`upgrade` on every open. When the database is
already at :data:`HEAD` (the common case) only one small query runs and
Alembic is not even imported, which keeps the CLI quick. Concurrent first
opens are serialised: SQLite takes its write lock before reading the
version (``BEGIN IMMEDIATE``), PostgreSQL an advisory transaction lock.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from diagnosis.store.schema import HEAD

__all__ = ["HEAD", "MIGRATIONS", "current_revision", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x0D1A6_0515  # any constant; one key for the schema migrations


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision of the database, or None for an empty one."""
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            conn.rollback()
    except SQLAlchemyError:
        return None
    return None if row is None else str(row[0])


def upgrade(engine: Engine) -> None:
    """Run every migration up to the head revision, in one transaction.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: translated by the caller.
    """
    if current_revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.execution_options(diagnosis_begin="IMMEDIATE").begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
