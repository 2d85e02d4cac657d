"""Fixtures of the store tests: a SQLite file and (when DIAGNOSIS_TEST_PG_URL is set) a
fresh PostgreSQL schema per test. Sample events live in ``store_samples``."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_samples import PG_ENV, pg_schema_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a brand-new schema (dropped afterwards)."""
    if not os.environ.get(PG_ENV):
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. "
            "postgresql+psycopg://postgres:postgres@localhost/diagnosis_test)"
        )
    import sqlalchemy as sa

    schema = "t_" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(os.environ[PG_ENV])
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield pg_schema_url(schema)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'diagnosis.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'diagnosis.db'}"
    return str(request.getfixturevalue("pg_url"))
