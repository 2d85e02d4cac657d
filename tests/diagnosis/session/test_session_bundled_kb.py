"""Every cause of the bundled knowledge base is found from the readings it alone produces.

For each cause of each bundled equipment, a :class:`SimulatedMachine` hiding
that cause answers the session's proposals (the scripted loop of
``diagnosis run``), starting from the symptoms the cause produces. The
diagnosis must conclude on that cause in at least 95 % of the cases overall,
both for a technician holding every habilitation the KB asks for and for one
holding none (the gating reorders proposals, it must not lose the cause).
Evidence no cause explains must end in ``_unknown`` or no conclusion.
"""

from __future__ import annotations

from functools import cache

import pytest

from diagnosis.bayes.evidence import UNKNOWN
from diagnosis.kb.model import KnowledgeBase
from diagnosis.session import Session, SimulatedMachine, run_session, value_for_state

RATE = 0.95
SAMPLE = 6  # unnamed states tried per equipment


@cache
def bundled() -> KnowledgeBase:
    from diagnosis.kb import load_kb
    from diagnosis.kb.loader import bundled_kb_dir

    assert any(bundled_kb_dir().glob("*.yaml"))  # a bundled KB that does not load fails
    return load_kb()


def all_habilitations(kb: KnowledgeBase) -> list[str]:
    return sorted(
        {m.requires.habilitation for m in kb.measurements.values() if m.requires.habilitation}
    )


@pytest.mark.parametrize("gated", [False, True], ids=["habilitated", "no-habilitation"])
def test_every_cause_is_found_from_its_own_readings(gated: bool) -> None:
    kb = bundled()
    habilitations = [] if gated else all_habilitations(kb)
    total, misses = 0, []
    for eq in kb.equipments:
        for cause in eq.causes:
            total += 1
            machine = SimulatedMachine(eq, cause.id)
            session = Session.start(
                kb, eq.id, machine.symptoms or [eq.symptoms[0].id], habilitations=habilitations
            )
            run_session(session, machine)
            root = session.conclude(confirmed=False).root_cause
            if root != cause.id:
                top = ", ".join(f"{c} {p:.2f}" for c, p in session.ranking()[:3])
                misses.append(
                    f"{eq.id}/{cause.id}: got {root} after {len(session.readings)} "
                    f"steps ({session.stop_reason}); top: {top}"
                )
    assert total > 0
    rate = 1 - len(misses) / total
    assert rate >= RATE, f"found {rate:.1%} of {total} causes; misses:\n" + "\n".join(misses)


def test_healthy_readings_never_give_a_confident_wrong_cause() -> None:
    kb = bundled()
    wrong = []
    for eq in kb.equipments:
        # One symptom per category keeps the test fast (each run goes to exhaustion).
        firsts = {s.category: s for s in reversed(eq.symptoms)}
        for symptom in firsts.values():
            session = Session.start(kb, eq.id, [symptom.id], habilitations=all_habilitations(kb))
            run_session(session, SimulatedMachine(eq))
            root = session.conclude(confirmed=False).root_cause
            if root not in (UNKNOWN, None):
                wrong.append(f"{eq.id}/{symptom.id}: {root}")
    assert not wrong, "a cause was concluded on healthy readings:\n" + "\n".join(wrong)


def acknowledge_all(session: Session) -> None:
    while session.pending_alerts:
        procedure = session.pending_alerts[0].procedure
        for i in range(len(session.kb.procedures[procedure].steps)):
            session.acknowledge_step(procedure, i)
        session.acknowledge(procedure)


def test_states_no_cause_names_end_in_unknown_or_nothing() -> None:
    kb = bundled()
    wrong, tried = [], 0
    for eq in kb.equipments:
        named = {(e.measurement, e.state) for c in eq.causes for e in c.effects if e.measurement}
        unnamed = [
            (m, state)
            for m in eq.measurements
            for state in m.states
            if state != m.normal_state and (m.id, state) not in named
        ]
        step = max(1, len(unnamed) // SAMPLE)
        for m, state in unnamed[::step][:SAMPLE]:  # a spread sample keeps the test fast
            tried += 1
            machine = SimulatedMachine(eq, overrides={m.id: value_for_state(m, state)})
            session = Session.start(
                kb, eq.id, [eq.symptoms[0].id], habilitations=all_habilitations(kb)
            )
            acknowledge_all(session)
            session.answer(m.id, machine.read(m))
            acknowledge_all(session)
            run_session(session, machine)
            root = session.conclude(confirmed=False).root_cause
            if root not in (UNKNOWN, None):
                wrong.append(f"{eq.id}: {m.id}={state} -> {root}")
    if tried == 0:
        pytest.skip("every abnormal state is named by some cause")
    assert not wrong, "\n".join(wrong)


def test_critical_readings_raise_their_procedure() -> None:
    kb = bundled()
    checked = 0
    for eq in kb.equipments:
        for m in eq.measurements:
            t = m.thresholds
            if m.kind != "numeric" or not m.on_critical:
                continue
            for state, edge in (("low", t.low_critical), ("high", t.high_critical)):
                if edge is None:
                    continue
                session = Session.start(
                    kb, eq.id, [eq.symptoms[0].id], habilitations=all_habilitations(kb)
                )
                acknowledge_all(session)  # a safety symptom first
                reading = session.answer(m.id, value_for_state(m, state, critical=True))
                assert reading.critical and reading.state == state
                # one alert per procedure and reading: the critical trigger may be
                # folded into a rule's alert of the same procedure (``also``)
                assert (m.on_critical, m.id) in {
                    (a.procedure, t)
                    for a in session.pending_alerts
                    for t in (a.trigger, *(k for k, _ in a.also))
                }
                checked += 1
    assert checked > 0
