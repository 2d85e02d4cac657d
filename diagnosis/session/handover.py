"""Hand over instead of wandering: the rule that stops a session for a colleague.

Without the habilitation that the decisive measurement needs, a technician
would otherwise be sent through every near-useless check he may take before
it. The rule (issue 10, documented in docs/handover.md and the README):

* a measurement is *reachable* when the technician's habilitations cover it,
  or a colleague who joined the session (``ColleagueJoined``) holds one that
  does, and it ``needs`` no tool or part the technician said he lacks
  (``LackingDeclared``: at the start, or "I don't have it here" at the
  measurement); every other informative measurement is *out of reach*;
* the session **hands over** when the best out-of-reach measurement carries at
  least :data:`HANDOVER_MIN_GAIN` bits and the best reachable one is worth
  less than :data:`HANDOVER_RATIO` times as much information per minute
  (gain / cost, the planner's score), or no reachable measurement is
  informative at all.

A hand-over is a stop (``stop_reason == "handover"``), not a conclusion: the
session stays open, and a colleague holding the habilitation (or bringing
the tool or part) resumes it (``diagnosis resume SESSION --technician NAME
--habilitation BR``), which records a ``SessionResumed`` event with his
habilitations; a resume also lifts what was declared lacking.

This module only reads the session's candidate list: it does not touch the
planner, whose ranking stays the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from diagnosis.rules.habilitation import covers
from diagnosis.session.types import StepProposal

__all__ = ["HANDOVER_MIN_GAIN", "HANDOVER_RATIO", "Handover", "handover_due", "reachable"]

HANDOVER_RATIO = 0.25
"""Hand over when the best reachable measurement is worth less than a quarter,
per minute, of the best one out of reach."""

HANDOVER_MIN_GAIN = 0.1
"""Bits: an out-of-reach measurement carrying less is not worth a colleague's trip."""


@dataclass(frozen=True)
class Handover:
    """Why the session stops: the measurement out of reach and the best one in reach.

    Attributes:
        measurement: the best informative measurement out of reach.
        habilitation: the habilitation it needs that nobody here holds ("" when
            the technician or a colleague at hand holds it).
        tools: the ids of the tools it needs that the technician lacks.
        parts: the refs of the parts it needs that the technician lacks.
        best_allowed: the best informative measurement the technician may take,
            or None when there is none.
    """

    measurement: StepProposal
    habilitation: str
    best_allowed: StepProposal | None
    tools: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        """Best reachable score / best out-of-reach score (0 when nothing is reachable)."""
        if self.best_allowed is None or self.measurement.score <= 0:
            return 0.0
        return self.best_allowed.score / self.measurement.score


def reachable(
    proposal: StepProposal, colleagues: Mapping[str, Sequence[str]] | Iterable[Sequence[str]]
) -> bool:
    """The technician, or a colleague at hand, may take ``proposal``."""
    if proposal.lacking:  # a colleague at hand does not bring the tool or the part
        return False
    if proposal.habilitation_ok:
        return True
    held = colleagues.values() if isinstance(colleagues, Mapping) else colleagues
    return any(covers(h, proposal.habilitation) for h in held)


def colleague_for(
    proposal: StepProposal, colleagues: Mapping[str, Sequence[str]]
) -> tuple[str, str] | None:
    """(name, habilitation) of the first colleague whose habilitation covers ``proposal``."""
    for name, held in colleagues.items():
        for code in held:
            if covers([code], proposal.habilitation):
                return name, code
    return None


def handover_due(
    candidates: Sequence[StepProposal],
    colleagues: Mapping[str, Sequence[str]],
    *,
    min_gain: float,
) -> Handover | None:
    """The hand-over due now (see the module rule), or None.

    Args:
        candidates: the session's candidate measurements (every one not answered).
        colleagues: the colleagues at hand: name -> habilitations.
        min_gain: bits below which a measurement is not informative (the
            session's ``MIN_GAIN``).
    """
    informative = [c for c in candidates if c.gain > min_gain]
    out = [c for c in informative if not reachable(c, colleagues)]
    if not out:
        return None
    best_out = max(out, key=lambda c: (_score(c), c.gain))
    if best_out.gain < HANDOVER_MIN_GAIN:
        return None
    inside = [c for c in informative if reachable(c, colleagues)]
    best_in = max(inside, key=lambda c: (_score(c), c.gain)) if inside else None
    if best_in is not None and _score(best_in) >= HANDOVER_RATIO * _score(best_out):
        return None
    held = best_out.habilitation_ok or any(
        covers(h, best_out.habilitation) for h in colleagues.values()
    )
    return Handover(
        best_out,
        "" if held else best_out.habilitation or "",
        best_in,
        tuple(n.id for n in best_out.lacking if n.kind == "tool"),
        tuple(n.id for n in best_out.lacking if n.kind == "part"),
    )


def _score(c: StepProposal) -> float:
    return c.gain / c.cost_min if c.cost_min > 0 else c.gain
