"""The store's one projection fold, and its agreement with the session's own fold.

:func:`diagnosis.store.projection.project` is the one source of the SQL
projections (the SQL store applies the same start rows and changes event by
event; ``verify`` compares with it). The live session folds the same log into
its reasoning state (:class:`diagnosis.session.state.SessionState`): on every
fact both hold (the conclusion, the 5-Why, the 5M family, the remedy, the
validation, the status, the alerts raised, the readings), they must agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "session"))
from session_kb import make_kb

from diagnosis.session import Session, SimulatedMachine, WhyLink, run_session
from diagnosis.session.events import Event, PartUsed, SessionClosed
from diagnosis.store.projection import Projection, dumps, project

KB = make_kb()
EQ = KB.equipment("test-press")


class ListSink:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def append(self, session_id: str, event: Event) -> None:
        self.events.append(event)


def _start(sink: ListSink, *symptoms: str) -> Session:
    return Session.start(
        KB,
        "test-press",
        list(symptoms) or ["short-shot"],
        technician="Ana",
        habilitations=["BR"],
        sink=sink,
    )


def _projected(sink: ListSink) -> Projection:
    return project(list(enumerate(sink.events, start=1)))


def _assert_agree(session: Session, rows: Projection) -> None:
    """Every fact the session's fold and the store's fold both hold is the same."""
    iv, conclusion = rows.intervention, session.conclusion
    assert iv["root_cause"] == (conclusion.root_cause if conclusion else None)
    assert rows.session["root_cause"] == iv["root_cause"]
    if conclusion is not None:
        assert (iv["root_cause_probability"], iv["root_cause_confirmed"]) == (
            conclusion.probability,
            conclusion.confirmed,
        )
    assert iv["why_chain"] == dumps([link.text for link in session.why])
    assert iv["category_5m"] == session.category_5m
    remedy = session.remedy
    if remedy is not None:
        assert (iv["remedy"], iv["labour_min"], iv["downtime_min"], iv["lockout_done"]) == (
            remedy.remedy,
            remedy.labour_min,
            remedy.downtime_min,
            remedy.lockout_done,
        )
        assert rows.parts == [{"ref": p.ref, "name": p.name, "qty": p.qty} for p in remedy.parts]
    validation = session.validation
    if validation is not None:
        assert (iv["validation_test"], iv["validation_passed"]) == (
            validation.test,
            validation.passed,
        )
    closed = [e for e in session.events if isinstance(e, SessionClosed)]
    status = closed[-1].status if closed else "open"
    assert rows.session["status"] == iv["status"] == status
    assert iv["alerts"] == dumps(list(dict.fromkeys(a.procedure for a in session.alerts)))
    live = [(r["measurement"], r["state"]) for _, r in rows.readings if not r["undone"]]
    assert live == [(r.measurement, r.state) for r in session.readings]
    assert rows.session["steps"] == len(session.readings)


def test_a_whole_diagnosis_folds_alike_in_the_session_and_the_store() -> None:
    sink = ListSink()
    session = run_session(_start(sink), SimulatedMachine(EQ, "heater-burnt"))
    session.conclude()
    session.set_why([WhyLink("heater element open"), WhyLink("end of life")])
    session.set_category("machine")
    session.record_remedy(
        "replace the heater band",
        parts=(PartUsed("HB-220", "heater band", 1.0),),
        labour_min=45.0,
        downtime_min=60.0,
        lockout_done=True,
    )
    session.record_validation("melt temperature back to 230 °C", True)
    session.close()
    rows = _projected(sink)
    assert rows.intervention["root_cause"] == "heater-burnt" and rows.session["status"] == "done"
    _assert_agree(session, rows)


def test_alerts_undo_and_not_available_fold_alike() -> None:
    sink = ListSink()
    session = _start(sink)
    session.answer("melt-temp", "150")  # critical: raises stop-and-alert
    for i in range(len(KB.procedures["stop-and-alert"].steps)):
        session.acknowledge_step("stop-and-alert", i)
    session.acknowledge("stop-and-alert")
    session.answer("granule-aspect", "dry")
    session.undo()
    proposal = session.proposal()
    assert proposal is not None
    session.not_available(proposal.measurement.id)
    rows = _projected(sink)
    assert rows.intervention["alerts"] == dumps(["stop-and-alert"])
    assert [(r["measurement"], r["undone"]) for _, r in rows.readings] == [
        ("melt-temp", False),
        ("granule-aspect", True),
        (proposal.measurement.id, False),
    ]
    _assert_agree(session, rows)


def test_a_measurement_answered_again_then_undone_folds_alike() -> None:
    sink = ListSink()
    session = _start(sink)
    session.answer("granule-aspect", "dry")
    session.answer("granule-aspect", "dry")
    session.undo()
    _assert_agree(session, _projected(sink))


def test_the_sql_store_keeps_one_step_per_measurement_and_undo_forgets_every_read(
    db_url: str,
) -> None:
    """Answered, answered again (a re-measure), undone: the rows say what the session says."""
    import sqlalchemy as sa

    from diagnosis.store import open_store

    with open_store(db_url) as store:
        session = Session.start(
            KB, "test-press", ["short-shot"], technician="Ana", habilitations=["BR"], sink=store
        )
        session.answer("granule-aspect", "dry")
        session.answer("granule-aspect", "dry")
        engine = sa.create_engine(db_url)
        with engine.connect() as conn:
            steps = conn.execute(sa.text("SELECT steps FROM sessions")).scalar()
            live = conn.execute(
                sa.text("SELECT count(*) FROM readings WHERE undone = :f"), {"f": False}
            ).scalar()
        assert (steps, live, len(session.readings)) == (1, 2, 1)
        session.undo()
        with engine.connect() as conn:
            steps = conn.execute(sa.text("SELECT steps FROM sessions")).scalar()
            undone = conn.execute(sa.text("SELECT undone FROM readings ORDER BY id")).scalars()
            assert (steps, [bool(u) for u in undone]) == (0, [True, True])
        engine.dispose()
        assert session.readings == []
        assert store.verify(session.id).ok
