"""The scripted loop of ``diagnosis run``: propose, read, answer, until the stop rule."""

from __future__ import annotations

from diagnosis.session.core import Session
from diagnosis.session.events import AUTOMATIC
from diagnosis.session.handover import colleague_for
from diagnosis.session.sources import ReadingSource
from diagnosis.session.types import StepProposal

__all__ = ["finish_scripted", "run_session"]


def run_session(
    session: Session, source: ReadingSource, *, acknowledge_alerts: bool = True
) -> Session:
    """Answer the session's proposals from ``source`` until it stops.

    Safety order, as at the machine: the habilitation is checked first (a
    measurement the technician's habilitations do not cover is taken by a
    colleague named in ``source``'s ``taken_by`` or who joined the session,
    else recorded *not available*); then the lockout procedure, if any, is
    acknowledged step by step up to its release; then the reading is taken;
    the release step (déconsignation) comes after it. A hand-over stop is
    recorded (:meth:`Session.hand_over`) and leaves the session open.

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
    release_due = False
    while not session.closed:
        if session.pending_alerts:
            if not acknowledge_alerts:
                break
            # One procedure may be pending twice (a rule and a critical reading):
            # acknowledging it clears both, hence one at a time.
            alert = session.pending_alerts[0]
            for index in session.steps_to_acknowledge(alert.procedure):
                session.acknowledge_step(alert.procedure, index, actor=AUTOMATIC)
            session.acknowledge(alert.procedure, actor=AUTOMATIC)
            continue
        if release_due:
            _release(session)
            release_due = False
        proposal = session.proposal()
        if proposal is None:
            if session.stop_reason == "handover":
                session.hand_over()
            break
        mid = proposal.measurement.id
        if proposal.lacking or getattr(source, "lacks", lambda _m: False)(proposal.measurement):
            # "I don't have the instrument / the part here": out of reach, the rule decides
            if not proposal.lacking and proposal.measurement.needs:
                session.lack_for(mid)
            else:
                session.not_available(mid)
            continue
        taken_by = _taker(session, source, proposal)
        if not proposal.habilitation_ok and taken_by is None:
            # Nobody here may take it: never silently around the habilitation.
            session.not_available(mid)
            continue
        if proposal.lockout and session.prepare(mid, taken_by=taken_by) is not None:
            continue  # the lockout procedure is acknowledged first, then measured
        session.answer(mid, source.read(proposal.measurement), taken_by=taken_by)
        release_due = bool(session.lockouts_to_release)  # a critical reading holds it
    if release_due and not session.pending_alerts and not session.closed:
        _release(session)
    return session


def _taker(session: Session, source: ReadingSource, proposal: StepProposal) -> tuple[str, str] | None:
    """The colleague who takes a measurement the technician may not take, or None."""
    if proposal.habilitation_ok:
        return None
    named = getattr(source, "taken_by", {}).get(proposal.measurement.id)
    if named is not None:
        return (str(named[0]), str(named[1]))
    return colleague_for(proposal, session.colleagues)


def _release(session: Session) -> None:
    for procedure in session.lockouts_to_release:
        session.release_lockout(procedure, actor=AUTOMATIC)


def finish_scripted(session: Session) -> None:
    """Close a scripted session the way ``diagnosis run`` does.

    A run that stopped short of a conclusion (``--max-steps``, a hand-over,
    measurements exhausted with no cause at the threshold) is **not** closed:
    it stays unfinished (``history --unfinished``) for ``resume``. Otherwise:
    the engine's default conclusion (unconfirmed), the cause's 5-Why template
    and 5M family when the conclusion names a KB cause (each only if not
    recorded yet), then ``close("done")``.
    """
    if session.conclusion is None:
        if session.default_root_cause() is None:
            return  # unfinished: resume continues it
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
