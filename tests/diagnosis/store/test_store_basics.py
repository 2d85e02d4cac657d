"""The store on SQLite and PostgreSQL: append, read back, projections, history, verify."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_samples import T0, make_events

from diagnosis.errors import StoreError
from diagnosis.session.events import ReadingRecorded
from diagnosis.store import open_store


def _fill(url: str, session_id: str = "sess-1", **kwargs: object) -> None:
    store = open_store(url)
    for event in make_events(session_id, **kwargs):  # type: ignore[arg-type]
        store.append(session_id, event)
    store.close()


def test_events_round_trip(db_url: str) -> None:
    events = make_events()
    with open_store(db_url) as store:
        for event in events:
            store.append("sess-1", event)
    with open_store(db_url) as store:
        assert store.events("sess-1") == events
        assert store.verify("sess-1").ok


def test_history_and_summaries(db_url: str) -> None:
    _fill(db_url, "a-1")
    _fill(
        db_url,
        "b-2",
        closed=False,
        start=datetime(2026, 11, 29, 8, 0, tzinfo=UTC),
        equipment="robot-01",
    )
    with open_store(db_url) as store:
        all_ = store.sessions()
        assert [s.id for s in all_] == ["b-2", "a-1"]  # newest first
        a = all_[1]
        assert (a.equipment, a.technician, a.status, a.root_cause, a.steps) == (
            "press-01",
            "alice",
            "done",
            "heater",
            2,
        )  # 3 readings, 1 undone
        assert a.started_at == T0
        assert a.work_order == "WO-42"
        assert [s.id for s in store.sessions(equipment="robot-01")] == ["b-2"]
        assert [s.id for s in store.sessions(since=datetime(2026, 11, 29, tzinfo=UTC))] == ["b-2"]
        assert [s.id for s in store.unfinished()] == ["b-2"]
        assert store.resolve("a") == "a-1"
        with pytest.raises(StoreError, match="no session"):
            store.resolve("zz")
        with pytest.raises(StoreError, match="no session"):
            store.events("zz")


def test_ambiguous_prefix(sqlite_url: str) -> None:
    _fill(sqlite_url, "abc-1")
    _fill(sqlite_url, "abc-2")
    with open_store(sqlite_url) as store, pytest.raises(StoreError, match="ambiguous"):
        store.resolve("abc")


def test_projections_are_queryable_in_sql(db_url: str) -> None:
    _fill(db_url)
    engine = sa.create_engine(db_url.replace("sqlite:///", "sqlite:///", 1))
    with engine.connect() as conn:
        readings = conn.execute(
            sa.text(
                "SELECT measurement, value_num, unit, state, undone FROM readings "
                "WHERE session_id = 'sess-1' ORDER BY seq"
            )
        ).all()
        assert [tuple(r) for r in readings] == [
            ("melt-temp", 205.0, "°C", "low", False),
            ("heater-current", 0.0, "A", "low", True),
            ("heater-current", 0.1, "A", "low", False),
        ]
        concl = conn.execute(
            sa.text("SELECT root_cause, probability, confirmed, evidence FROM conclusions")
        ).one()
        assert (concl[0], concl[1], bool(concl[2])) == ("heater", 0.97, True)
        assert json.loads(concl[3]) == ["melt-temp", "heater-current"]
        parts = conn.execute(sa.text("SELECT ref, name, qty FROM intervention_parts")).all()
        assert [tuple(p) for p in parts] == [("HB-220", "heater band", 1.0)]
    engine.dispose()
    with open_store(db_url) as store:
        (iv,) = store.interventions()
    assert (iv.work_order, iv.equipment, iv.root_cause, iv.category_5m, iv.activity) == (
        "WO-42",
        "press-01",
        "heater",
        "machine",
        "replace",
    )
    assert (iv.labour_min, iv.downtime_min, iv.lockout_done) == (45.0, 70.0, True)
    assert iv.alerts == ("lockout-press",)
    assert iv.why_chain == ("melt too cold", "zone 2 heater gives no heat")
    assert (iv.validation_test, iv.validation_passed, iv.validation_result) == (
        "50 good shots",
        True,
        "50/50",
    )
    assert iv.status == "done"
    assert iv.request_time == T0
    assert iv.end_time == datetime(2026, 11, 28, 14, 21, tzinfo=UTC)
    assert iv.technician == "alice" and iv.habilitations == ("BR",)


def test_cause_codes_from_kb(sqlite_url: str) -> None:
    from diagnosis.i18n import Text
    from diagnosis.kb.model import Cause, Equipment, EquipmentKB, KnowledgeBase

    cause = Cause(
        id="heater",
        name=Text.of("Heater burnt"),
        category_5m="machine",
        prior=0.1,
        effects=(),
        failure_mode="LOO",
        mechanism="4.2",
        cause_class="3.4",
    )
    kb = KnowledgeBase(
        equipments=(EquipmentKB(Equipment("press-01", Text.of("Press")), causes=(cause,)),)
    )
    with open_store(sqlite_url, kb=kb) as store:
        for event in make_events():
            store.append("sess-1", event)
        (iv,) = store.interventions()
    assert (iv.failure_mode, iv.failure_mechanism, iv.failure_cause_class) == ("LOO", "4.2", "3.4")


def test_technicians(db_url: str) -> None:
    with open_store(db_url) as store:
        assert store.technician("bob") is None
        store.save_technician("bob", ["B1V", "BR"])
        store.save_technician("bob", ["BR"])
        tech = store.technician("bob")
    assert tech is not None and tech.habilitations == ("BR",)


def test_unknown_session_and_duplicate(db_url: str) -> None:
    events = make_events()
    with open_store(db_url) as store:
        with pytest.raises(StoreError, match="no session"):
            store.append("nope", events[1])
        store.append("sess-1", events[0])
        with pytest.raises(StoreError, match="already exists"):
            store.append("sess-1", events[0])
        assert len(store.events("sess-1")) == 1


def test_plain_path_and_env_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sub" / "plant.db"
    with open_store(str(path)) as store:
        store.append("x", make_events("x")[0])
    assert path.exists()
    monkeypatch.setenv("DIAGNOSIS_DB", str(path))
    with open_store() as store:
        assert [s.id for s in store.sessions()] == ["x"]
        assert store.url.endswith("plant.db")


def test_sqlite_is_in_wal_mode(sqlite_url: str) -> None:
    open_store(sqlite_url).close()
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_unreachable_database_is_one_store_error() -> None:
    with pytest.raises(StoreError, match="database"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(StoreError) as info:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(info.value)
    with pytest.raises(StoreError, match="bad database URL"):
        open_store("nosuchdialect://x")


def test_nan_and_text_values_survive(sqlite_url: str) -> None:
    with open_store(sqlite_url) as store:
        store.append("s", make_events("s")[0])
        store.append(
            "s", ReadingRecorded(measurement="mode", value="auto", raw="Auto", state="auto")
        )
        store.append("s", ReadingRecorded(measurement="flag", value=True, raw="oui", state="true"))
        store.append("s", ReadingRecorded(measurement="x", value=None, available=False, raw="n/a"))
        events = store.events("s")
        assert [getattr(e, "value", "-") for e in events[1:]] == ["auto", True, None]
        assert store.verify("s").ok


def test_locked_database_is_retried_then_reported(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from diagnosis.store.sql import store as sql_store

    monkeypatch.setattr(sql_store.time, "sleep", lambda _s: None)
    locked = sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise locked
        return "done"

    with open_store(sqlite_url) as store:
        assert store._retry(flaky) == "done"  # type: ignore[attr-defined]
        assert len(calls) == 3

        def always() -> None:
            raise locked

        with pytest.raises(StoreError, match="database is locked"):
            store._retry(always)  # type: ignore[attr-defined]
