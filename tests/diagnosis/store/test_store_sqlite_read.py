"""The sqlite3 reader (no SQLAlchemy) returns exactly what the SQLAlchemy store returns.

Same database, every read method, on untouched and on tampered sessions (the
tamper cases of ``test_store_tamper``); a PostgreSQL URL, or a SQLite URL
with options, still goes through SQLAlchemy; the column kinds the reader
converts are those of ``sql/tables.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_samples import T0, make_events
from test_store_tamper import CASES, _sql

from diagnosis.errors import StoreError
from diagnosis.store import open_store
from diagnosis.store.schema import BOOLEAN_COLUMNS, DATETIME_COLUMNS
from diagnosis.store.sql import tables
from diagnosis.store.sqlite_read import SqliteReader, open_sqlite_reader, plain_sqlite_file

REPO = Path(__file__).resolve().parents[3]


def _fill(url: str) -> None:
    with open_store(url) as store:
        for event in make_events("sess-1"):
            store.append("sess-1", event)
        for event in make_events("sess-2", closed=False, start=T0 + timedelta(days=3)):
            store.append("sess-2", event)
        other = make_events("other-1", start=T0 + timedelta(days=5), equipment="press-02")
        for event in other:
            store.append("other-1", event)
        store.save_technician("carol", ["B1V"])


def _reader(url: str) -> SqliteReader:
    path = plain_sqlite_file(url)
    assert path is not None
    return open_sqlite_reader(path, url)


def _everything(store: Any) -> dict[str, Any]:
    """Every read of the Store interface (and the errors it raises)."""
    out: dict[str, Any] = {}
    since = T0 + timedelta(days=2)
    out["sessions"] = store.sessions()
    out["sessions_eq"] = store.sessions(equipment="press-01")
    out["sessions_since"] = store.sessions(since=since)
    out["unfinished"] = store.unfinished()
    out["interventions"] = store.interventions()
    out["interventions_eq_since"] = store.interventions(equipment="press-01", since=since)
    for sid in ("sess-1", "sess-2", "other-1"):
        out[f"events {sid}"] = store.events(sid)
        out[f"verify {sid}"] = store.verify(sid)
    for prefix in ("sess-1", "sess", "oth", "s%", "nobody", " "):
        try:
            out[f"resolve {prefix}"] = store.resolve(prefix)
        except StoreError as exc:
            out[f"resolve {prefix}"] = (exc.code, str(exc))
    for name in ("alice", "carol", "nobody"):
        out[f"technician {name}"] = store.technician(name)
    try:
        store.events("missing")
    except StoreError as exc:
        out["events missing"] = (exc.code, str(exc))
    return out


def test_same_reads_as_the_sqlalchemy_store(sqlite_url: str) -> None:
    _fill(sqlite_url)
    with open_store(sqlite_url, read_only=True) as sql_store:
        expected = _everything(sql_store)
    with _reader(sqlite_url) as reader:
        got = _everything(reader)
    assert got == expected
    assert expected["verify sess-1"].ok and expected["verify sess-1"].events == 17
    assert [s.id for s in expected["sessions"]] == ["other-1", "sess-2", "sess-1"]
    assert expected["resolve sess"][0] == "store.ambiguous_session"


@pytest.mark.parametrize(("name", "sql", "expected"), CASES, ids=[c[0] for c in CASES])
def test_same_verdict_on_a_tampered_session(
    sqlite_url: str, name: str, sql: str, expected: tuple[str, str | None]
) -> None:
    _fill(sqlite_url)
    _sql(sqlite_url, sql)
    with open_store(sqlite_url, read_only=True) as sql_store:
        want = sql_store.verify("sess-1")
    with _reader(sqlite_url) as reader:
        got = reader.verify("sess-1")
    assert got == want
    assert (got.ok, got.reason, got.detail) == (False, *expected)


def test_the_database_is_named_as_the_sqlalchemy_store_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "é x+y@z:w"
    folder.mkdir()
    url = f"sqlite:///{folder / 'diagnosis.db'}"
    _fill(url)
    with open_store(url, read_only=True) as sql_store, _reader(url) as reader:
        assert reader.url == sql_store.url
        assert reader.sessions() == sql_store.sessions()


def test_only_a_plain_sqlite_file_is_read_without_sqlalchemy(tmp_path: Path) -> None:
    assert plain_sqlite_file(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    for url in (
        "postgresql+psycopg://u:p@localhost/diagnosis",
        "sqlite://",
        "sqlite:///:memory:",
        f"sqlite:///{tmp_path}/a.db?mode=ro",
        f"sqlite:///{tmp_path}/a%20b.db",
    ):
        assert plain_sqlite_file(url) is None, url


def test_report_and_history_go_through_sqlalchemy_for_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from diagnosis.cli import store as cli

    opened: list[tuple[Any, ...]] = []

    def fake_open_store(url: str | None, **kwargs: Any) -> str:
        opened.append((url, kwargs))
        return "sqlalchemy"

    monkeypatch.setattr("diagnosis.store.open_store", fake_open_store)
    url = "postgresql://u@localhost/diagnosis"
    assert cli._open(url, read=True, plain=True) == "sqlalchemy"  # type: ignore[comparison-overlap]
    assert opened == [(url, {"kb": None, "read_only": True})]


def test_a_database_not_at_the_current_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0001')"))
    engine.dispose()
    with pytest.raises(StoreError) as caught:
        open_sqlite_reader(path, f"sqlite:///{path}")
    assert caught.value.code == "store.not_migrated"


def test_column_kinds_are_those_of_the_schema() -> None:
    kinds: dict[str, set[str]] = {"datetime": set(), "boolean": set()}
    for table in tables.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, sa.DateTime):
                kinds["datetime"].add(column.name)
            elif isinstance(column.type, sa.Boolean):
                kinds["boolean"].add(column.name)
            else:
                assert column.name not in DATETIME_COLUMNS | BOOLEAN_COLUMNS, column
    assert kinds == {"datetime": set(DATETIME_COLUMNS), "boolean": set(BOOLEAN_COLUMNS)}


def test_report_reads_without_importing_sqlalchemy(sqlite_url: str, tmp_path: Path) -> None:
    _fill(sqlite_url)
    probe = (
        "import sys\n"
        "from diagnosis.cli import main\n"
        "code = main(['report', 'sess-1', '--to', 'json', '--db', sys.argv[1], '-o', sys.argv[2]])\n"
        "assert code == 0, code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "DIAGNOSIS_LANG": "en"}
    done = subprocess.run(
        [sys.executable, "-c", probe, sqlite_url, str(tmp_path / "r.json")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "r.json").read_text(encoding="utf-8").startswith("{")
