"""The guided diagnosis: one session as an engine object with an event log.

See :mod:`diagnosis.session.core` for the session's decisions (stop rule,
default conclusion, safety gating), :mod:`diagnosis.session.events` for the
log, :mod:`diagnosis.session.sources` for where readings come from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis._lazy import lazy_attributes

if TYPE_CHECKING:
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


__getattr__ = lazy_attributes(
    __name__,
    {
        "MIN_GAIN": "diagnosis.session.core",
        "Session": "diagnosis.session.core",
        "ProblemStatement": "diagnosis.session.events",
        "WhyLink": "diagnosis.session.events",
        "finish_scripted": "diagnosis.session.runner",
        "run_session": "diagnosis.session.runner",
        "AnswersFile": "diagnosis.session.sources",
        "PersonSource": "diagnosis.session.sources",
        "ReadingSource": "diagnosis.session.sources",
        "SimulatedMachine": "diagnosis.session.sources",
        "value_for_state": "diagnosis.session.sources",
        "EventSink": "diagnosis.session.types",
        "Reading": "diagnosis.session.types",
        "StepProposal": "diagnosis.session.types",
    },
)
