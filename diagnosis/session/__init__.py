"""The guided diagnosis: one session as an engine object with an event log.

See :mod:`diagnosis.session.core` for the session's decisions (stop rule,
default conclusion, safety gating), :mod:`diagnosis.session.events` for the
log, :mod:`diagnosis.session.sources` for where readings come from.
"""

from __future__ import annotations

from diagnosis.session.core import MIN_GAIN, Session
from diagnosis.session.events import ProblemStatement, WhyLink
from diagnosis.session.runner import finish_scripted, run_session
from diagnosis.session.sources import (
    AnswersFile,
    PersonSource,
    ReadingSource,
    SimulatedMachine,
    value_for_state,
)
from diagnosis.session.types import EventSink, Reading, StepProposal

__all__ = [
    "MIN_GAIN",
    "AnswersFile",
    "EventSink",
    "PersonSource",
    "ProblemStatement",
    "Reading",
    "ReadingSource",
    "Session",
    "SimulatedMachine",
    "StepProposal",
    "WhyLink",
    "finish_scripted",
    "run_session",
    "value_for_state",
]
