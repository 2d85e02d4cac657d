"""Replaying the event log rebuilds the same session (what persistence and resume rely on)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from session_kb import make_kb

from diagnosis.cli.run_json import run_json
from diagnosis.errors import SessionError
from diagnosis.session import Session, SimulatedMachine, WhyLink, run_session
from diagnosis.session.events import Event, SessionStarted, event_from_dict

KB = make_kb()
EQ = KB.equipment("test-press")


def snapshot(s: Session) -> dict[str, Any]:
    return {
        "ranking": s.ranking(),
        "readings": s.readings,
        "steps_rankings": s.steps_rankings,
        "pending": s.pending_alerts,
        "alerts": s.alerts,
        "acked": {a.procedure: s.acknowledged_steps(a.procedure) for a in s.alerts},
        "excluded": dict(s.excluded),
        "notes": s.notes,
        "suggestions": s.suggestions,
        "conclusion": s.conclusion,
        "why": s.why,
        "category": s.category_5m,
        "remedy": s.remedy,
        "validation": s.validation,
        "closed": s.closed,
        "stop_reason": s.stop_reason,
        "run_json": run_json(s) if not s.pending_alerts else None,
    }


def through_json(events: tuple[Event, ...]) -> list[Event]:
    return [event_from_dict(json.loads(json.dumps(e.to_dict()))) for e in events]


def test_replay_of_a_whole_session_with_undo() -> None:
    s = Session.start(
        KB, "test-press", ["short-shot", "smoke"], technician="Ana", habilitations=["BR"]
    )
    for i in range(3):
        s.acknowledge_step("stop-and-alert", i)
    s.acknowledge("stop-and-alert")
    s.answer("heater-current", "oui")  # excludes heater-burnt
    s.answer("hyd-pressure", "90 bar")  # note + suggestion
    s.undo()  # withdraws the last reading
    s.answer("hyd-pressure", "95")
    s.undo()
    s.undo()  # reinstates heater-burnt
    s.answer("melt-temp", "150")  # critical: alert again, pending
    live = snapshot(s)
    for events in (list(s.events), through_json(s.events)):
        again = Session.replay(KB, events)
        assert snapshot(again) == live
        assert again.events == tuple(events)
        assert again.id == s.id


def test_every_prefix_replays_to_the_state_it_had_then() -> None:
    s = Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"])
    states = [(len(s.events), snapshot(s))]
    machine = SimulatedMachine(EQ, "pump-worn")
    rng = random.Random(7)
    for _ in range(12):
        if s.pending_alerts:
            alert = s.pending_alerts[0]
            for i in range(3):
                s.acknowledge_step(alert.procedure, i)
            s.acknowledge(alert.procedure)
        elif s.readings and rng.random() < 0.3:
            s.undo()
        else:
            p = s.proposal()
            if p is None:
                break
            s.answer(p.measurement.id, machine.read(p.measurement))
        states.append((len(s.events), snapshot(s)))
    s.conclude()
    s.set_why(s.suggested_why())
    s.set_category("machine")
    s.record_remedy("Replaced the pump", activity="replace", labour_min=120)
    s.record_validation("Pressure 140 bar at full flow", True)
    s.close()
    states.append((len(s.events), snapshot(s)))
    for count, state in states:
        assert snapshot(Session.replay(KB, s.events[:count])) == state


def test_resumed_session_continues_and_sends_new_events_to_the_sink() -> None:
    s = Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"])
    s.answer("granule-aspect", "dry")
    sink: list[Event] = []

    class Sink:
        def append(self, session_id: str, event: Event) -> None:
            assert session_id == s.id
            sink.append(event)

    resumed = Session.replay(KB, s.events, sink=Sink())
    assert sink == []  # replay emits nothing
    run_session(resumed, SimulatedMachine(EQ, "heater-burnt"))
    resumed.conclude()
    assert sink == list(resumed.events[len(s.events) :])
    assert resumed.conclusion is not None and resumed.conclusion.root_cause == "heater-burnt"
    assert snapshot(Session.replay(KB, resumed.events)) == snapshot(resumed)


def test_replay_keeps_the_edited_why_chain() -> None:
    s = run_session(
        Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"]),
        SimulatedMachine(EQ, "heater-burnt"),
    )
    s.conclude()
    s.set_why([WhyLink("Parts short", None), WhyLink("No heat in zone 2", "heater-current")])
    assert Session.replay(KB, through_json(s.events)).why == s.why


def test_replay_rejects_a_bad_log() -> None:
    with pytest.raises(SessionError):
        Session.replay(KB, [])
    s = Session.start(KB, "test-press", ["short-shot"])
    with pytest.raises(SessionError):
        Session.replay(KB, s.events[1:])
    other = SessionStarted(session_id="x", equipment="elsewhere")
    with pytest.raises(SessionError, match="elsewhere"):
        Session.replay(KB, [other])


VALUES: dict[str, list[object]] = {
    "oil-level": ["oui", "non", None],
    "granule-aspect": ["dry", "wet", "contaminated", None],
    "melt-temp": ["150", "205,5", "230", "260", "280", None],
    "heater-current": [True, False, None],
    "hyd-pressure": ["90", "140 bar", "170", None],
}


def _acknowledge_all(s: Session) -> None:
    while s.pending_alerts:
        procedure = s.pending_alerts[0].procedure
        for i in range(len(KB.procedures[procedure].steps)):
            s.acknowledge_step(procedure, i)
        s.acknowledge(procedure)


def test_replay_equals_live_state_for_random_action_sequences() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    action = st.one_of(
        st.tuples(st.just("answer"), st.sampled_from(sorted(VALUES)), st.integers(0, 5)),
        st.tuples(st.just("undo"), st.just(""), st.just(0)),
        st.tuples(st.just("prepare"), st.sampled_from(sorted(VALUES)), st.just(0)),
        st.tuples(st.just("propose"), st.just(""), st.just(0)),
        st.tuples(st.just("exclude"), st.sampled_from([c.id for c in EQ.causes]), st.just(0)),
        st.tuples(st.just("reinstate"), st.sampled_from([c.id for c in EQ.causes]), st.just(0)),
    )

    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(st.lists(action, max_size=10), st.booleans())
    def check(actions: list[tuple[str, str, int]], smoke: bool) -> None:
        symptoms = ["short-shot", "smoke"] if smoke else ["short-shot"]
        s = Session.start(KB, "test-press", symptoms, habilitations=["BR"])
        for kind, mid, index in actions:
            _acknowledge_all(s)
            if kind == "answer":
                values = VALUES[mid]
                s.answer(mid, values[index % len(values)])  # type: ignore[arg-type]
            elif kind == "undo":
                s.undo()
            elif kind == "prepare":
                s.prepare(mid)
            elif kind == "exclude":
                s.exclude(mid, "checked")
            elif kind == "reinstate":
                if mid in s.excluded and s.excluded[mid] == "checked":
                    s.reinstate(mid)
            else:
                s.proposal()
        assert snapshot(Session.replay(KB, s.events)) == snapshot(s)
        assert snapshot(Session.replay(KB, through_json(s.events))) == snapshot(s)

    check()
