"""The shipped Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from diagnosis.store import open_store
from diagnosis.store.sql.migrate import HEAD, MIGRATIONS, current_revision
from diagnosis.store.sql.tables import metadata


def test_head_constant_matches_the_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_migrated_schema_equals_declared_tables(db_url: str) -> None:
    open_store(db_url).close()
    engine = sa.create_engine(db_url)
    assert current_revision(engine) == HEAD
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_reopening_is_idempotent(db_url: str) -> None:
    for _ in range(3):
        open_store(db_url).close()
