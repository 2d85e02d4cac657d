"""The shipped Alembic migrations build exactly the schema the code declares."""

from __future__ import annotations

from pathlib import Path

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


def test_a_database_at_0001_is_upgraded_keeping_its_sessions(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sessions (id, equipment, technician, lang, symptoms, started_at, "
                "updated_at, status, steps, last_seq, last_hash) VALUES ('old', 'press', 'bob', "
                "'en', '[]', '2026-01-01 08:00:00', '2026-01-01 08:00:00', 'open', 0, 0, :h)"
            ),
            {"h": "0" * 64},
        )
    engine.dispose()
    with open_store(url) as store:
        assert [s.id for s in store.sessions()] == ["old"]
    engine = sa.create_engine(url)
    assert current_revision(engine) == HEAD == "0003"
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("events")}
    engine.dispose()
    assert "recorded_at" in columns


def test_0003_gives_older_rows_the_current_meaning_of_steps_and_undo(tmp_path: Path) -> None:
    """Rows written before 0003: answered twice counted 2, an undo forgot only the last read."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sessions (id, equipment, technician, lang, symptoms, started_at, "
                "updated_at, status, steps, last_seq, last_hash) VALUES ('old', 'press', 'bob', "
                "'en', '[]', '2026-01-01 08:00:00', '2026-01-01 08:00:00', 'open', 3, 0, :h)"
            ),
            {"h": "0" * 64},
        )
        # m1 answered, answered again, undone (the old undo left the first read live);
        # m2 answered twice (a re-measure); m3 answered, undone, answered again.
        rows = [
            (1, "m1", 0), (2, "m1", 1), (3, "m2", 0), (4, "m2", 0), (5, "m3", 1), (6, "m3", 0)
        ]  # fmt: skip
        for seq, measurement, undone in rows:
            conn.execute(
                sa.text(
                    "INSERT INTO readings (session_id, seq, measurement, raw, critical, "
                    "available, proposed, at, actor, undone) VALUES ('old', :seq, :m, '', 0, 1, "
                    "1, '2026-01-01 08:00:00', 'bob', :u)"
                ),
                {"seq": seq, "m": measurement, "u": undone},
            )
    engine.dispose()
    open_store(url).close()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        undone = [bool(u) for u in conn.execute(sa.text("SELECT undone FROM readings ORDER BY seq")).scalars()]
        steps = conn.execute(sa.text("SELECT steps FROM sessions")).scalar()
    engine.dispose()
    assert undone == [True, True, False, False, True, False]
    assert steps == 2  # m2 and m3
