"""The scripted loop of ``diagnosis run``: propose, read, answer, until the stop rule."""

from __future__ import annotations

from diagnosis.session.core import Session
from diagnosis.session.events import AUTOMATIC
from diagnosis.session.sources import ReadingSource

__all__ = ["finish_scripted", "run_session"]


def run_session(
    session: Session, source: ReadingSource, *, acknowledge_alerts: bool = True
) -> Session:
    """Answer the session's proposals from ``source`` until it stops.

    Args:
        session: a started session.
        source: where the readings come from.
        acknowledge_alerts: acknowledge every step of each raised alert (the
            lockout procedure of a measurement that needs one included), as a
            technician would after applying it, recorded with the actor
            :data:`~diagnosis.session.events.AUTOMATIC` (no person confirmed
            them); False stops at the first alert
            (the session then has ``pending_alerts``).

    Returns:
        The same session, stopped (see :attr:`Session.stop_reason`) or waiting
        on an alert.
    """
    while not session.closed:
        if session.pending_alerts:
            if not acknowledge_alerts:
                break
            # One procedure may be pending twice (a rule and a critical reading):
            # acknowledging it clears both, hence one at a time.
            alert = session.pending_alerts[0]
            procedure = session.kb.procedures.get(alert.procedure)
            for index in range(len(procedure.steps) if procedure is not None else 0):
                session.acknowledge_step(alert.procedure, index, actor=AUTOMATIC)
            session.acknowledge(alert.procedure, actor=AUTOMATIC)
            continue
        proposal = session.proposal()
        if proposal is None:
            break
        if proposal.lockout and session.prepare(proposal.measurement.id) is not None:
            continue  # the lockout procedure is acknowledged first, then measured
        session.answer(proposal.measurement.id, source.read(proposal.measurement))
    return session


def finish_scripted(session: Session) -> None:
    """Close a scripted session the way ``diagnosis run`` does.

    The engine's default conclusion (unconfirmed), the cause's 5-Why template
    and 5M family when the conclusion names a KB cause (each only if not
    recorded yet), then ``close("done")``.
    """
    if session.conclusion is None:
        session.conclude(confirmed=False)
    conclusion = session.conclusion
    root = conclusion.root_cause if conclusion is not None else None
    eq = session.equipment
    if root is not None and eq.has("cause", root):
        if not session.why:
            links = [link for link in session.suggested_why() if link.text.strip()]
            if links:
                session.set_why(links, actor="engine")
        if session.category_5m is None:
            session.set_category(eq.cause(root).category_5m, actor="engine")
    session.close("done")
