"""A write refused mid-session leaves nothing half-written, and `resume` can still finish it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from diagnosis.cli import main
from diagnosis.errors import StoreError
from diagnosis.kb import load_kb
from diagnosis.session import Session, SimulatedMachine, run_session
from diagnosis.store import open_store

EQ = "injection-press-01"


def test_refused_write_then_resume_finishes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = load_kb()
    eq = kb.equipment(EQ)
    db = str(tmp_path / "plant.db")
    sim = SimulatedMachine(eq, "im-heater-z2-burnt")
    store = open_store(db, kb=kb)
    session = Session.start(kb, EQ, list(sim.symptoms), technician="alice", sink=store)
    run_session(session, sim)
    session.conclude(confirmed=True)
    events_before = len(store.events(session.id))
    # an activity longer than interventions.activity (varchar(100)): PostgreSQL would fail
    # the transaction; every store refuses it before writing anything
    with pytest.raises(StoreError, match=r"interventions\.activity: 150 characters"):
        session.record_remedy("replace the heater band", activity="x" * 150)
    assert len(store.events(session.id)) == events_before
    assert store.verify(session.id).ok
    store.close()
    answers = tmp_path / "none.yaml"
    answers.write_text(yaml.safe_dump({}), encoding="utf-8")
    code = main(["resume", session.id[:8], "--db", db, "--answers", str(answers), "--lang", "en"])
    _, err = capsys.readouterr()
    assert code == 0, err
    with open_store(db) as again:
        result = again.verify(session.id)
        (summary,) = again.sessions()
    assert result.ok and result.head is not None
    assert summary.status == "done"


def test_too_long_values_are_refused_alike_on_sqlite_and_postgresql(db_url: str) -> None:
    """PostgreSQL enforces varchar(n), SQLite does not: the store refuses first, on both."""
    import dataclasses

    from store_samples import make_events

    from diagnosis.session.events import ReadingRecorded

    events = make_events()
    with open_store(db_url) as store:
        for event in events[:3]:
            store.append("sess-1", event)
        long_unit = dataclasses.replace(events[3], unit="u" * 41)
        assert isinstance(long_unit, ReadingRecorded)
        with pytest.raises(StoreError, match=r"readings\.unit: 41 characters"):
            store.append("sess-1", long_unit)
        store.append("sess-1", events[3])  # the session goes on
        assert len(store.events("sess-1")) == 4
        assert store.verify("sess-1").ok
