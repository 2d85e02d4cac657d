"""The values a session hands out: readings, proposals, the event sink protocol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, get_args

from diagnosis.i18n import Text, tr
from diagnosis.kb.model import Measurement, Need
from diagnosis.session.events import Event, ReadingRecorded

__all__ = ["STOP_REASONS", "EventSink", "Reading", "StepProposal", "StopReason"]

StopReason = Literal["confidence", "max_steps", "exhausted", "handover"]
"""Why a guided diagnosis stops: the one stop vocabulary (:attr:`Session.stop_reason`,
``stop_reason`` in the ``diagnosis run`` JSON, the CLI and UI messages)."""
STOP_REASONS: tuple[StopReason, ...] = get_args(StopReason)


class EventSink(Protocol):
    """Where a session's events go (the store). Called for every event, when it happens."""

    def append(self, session_id: str, event: Event) -> None: ...


@dataclass(frozen=True)
class Reading:
    """One answered (or *not available*) measurement, derived from a ReadingRecorded.

    Attributes:
        measurement: the measurement id.
        value: the number in the measurement's unit, the boolean, the choice id,
            or None when not available.
        unit: the measurement's unit (numeric readings).
        raw: what the technician typed.
        state: ``low``/``normal``/``high``, ``true``/``false``, a choice, or None.
        critical: beyond a critical threshold.
        available: False for *not available*.
        at: when it was recorded (UTC).
        proposed: True when it answered the engine's proposal.
        sure: False when the technician was not sure of it (a doubted reading).
        previous: the states read before, when this one re-measures them at the
            engine's request (all the reads count, as soft evidence).
    """

    measurement: str
    value: float | bool | str | None
    unit: str | None
    raw: str
    state: str | None
    critical: bool
    available: bool
    at: datetime
    proposed: bool
    taken_by: str = ""  # a habilitated colleague who took it for the technician
    taken_by_habilitation: str = ""
    typed_unit: str = ""  # the unit typed when not the KB's: ``raw`` is what was typed
    sure: bool = True
    previous: tuple[str, ...] = ()

    @classmethod
    def from_event(cls, event: ReadingRecorded) -> Reading:
        return cls(
            event.measurement,
            event.value,
            event.unit,
            event.raw,
            event.state,
            event.critical,
            event.available,
            event.at,
            event.proposed,
            event.taken_by,
            event.taken_by_habilitation,
            event.typed_unit,
            event.sure,
            event.previous,
        )


@dataclass(frozen=True)
class StepProposal:
    """The proposed measurement card: what to measure, why, and what it takes.

    Attributes:
        measurement: the KB measurement (name, instrument, point, unit, nominal,
            thresholds, cost_min, requires…).
        gain: expected information gain, bits.
        cost_min: minutes to perform.
        score: the planner's ranking score (information per minute).
        lockout: energy isolation (consignation) is needed first.
        lockout_procedure: the procedure to follow for it, when the KB names one.
        habilitation: the habilitation the measurement requires, if any.
        ppe: the personal protective equipment to wear.
        habilitation_ok: the technician's habilitations cover it (NF C18-510).
            When False the measurement is only proposed after every informative
            one the technician may take, and must be done by a habilitated colleague.
        suggested: a KB rule suggested this measurement.
        purpose: ``"discriminate"`` (the most informative measurement per
            minute), ``"confirm"`` (verifies the leading cause before the
            session concludes it: a reading that cause predicts) or
            ``"remeasure"`` (a reading the other findings make unlikely: a
            misread would explain it; ``note`` says why).
        note: why this step, in the session's language (re-measures).
        lacking: the tools and parts it ``needs`` that the technician said he
            lacks (``LackingDeclared``): like a missing habilitation, the
            measurement is then only proposed after every informative one he
            can take, and may hand the session over.
    """

    measurement: Measurement
    gain: float
    cost_min: float
    score: float
    lockout: bool
    lockout_procedure: str | None
    habilitation: str | None
    ppe: tuple[Text, ...]
    habilitation_ok: bool
    suggested: bool = False
    purpose: str = "discriminate"
    note: str = ""
    lacking: tuple[Need, ...] = ()

    @property
    def takeable(self) -> bool:
        """The technician may take it himself: habilitation held, nothing lacking."""
        return self.habilitation_ok and not self.lacking

    def purpose_label(self, lang: str) -> str:
        """What the step is for, in ``lang``, for the card and the CLI."""
        return tr(f"session.proposal.{self.purpose}", lang)

    @property
    def free(self) -> bool:
        """No lockout, no habilitation and no PPE needed."""
        return not (self.lockout or self.habilitation or self.ppe)
