"""Deterministic knowledge: reading interpretation, KB rules, safety prerequisites.

* :mod:`~diagnosis.rules.interpret`: typed answer -> value, state, critical
  (threshold boundaries documented there);
* :mod:`~diagnosis.rules.engine`: the experta adapter running the KB's
  ``rules`` (exclude, alert, suggest, note) and critical-reading alerts;
* :mod:`~diagnosis.rules.habilitation`: NF C18-510 habilitation coverage and
  the prerequisites (lockout, habilitation, PPE) of a measurement;
* :mod:`~diagnosis.rules.shim`: the one place that knows experta needs help
  to import on Python >= 3.10.
"""

from __future__ import annotations

from diagnosis.rules.engine import AlertDue, Observation, RulesEngine, RulesOutcome, rules_engine
from diagnosis.rules.habilitation import (
    Habilitation,
    Prerequisites,
    covers,
    parse_habilitation,
    prerequisites,
)
from diagnosis.rules.interpret import Interpretation, classify, interpret, is_not_available
from diagnosis.rules.units import convert

__all__ = [
    "AlertDue",
    "Habilitation",
    "Interpretation",
    "Observation",
    "Prerequisites",
    "RulesEngine",
    "RulesOutcome",
    "classify",
    "convert",
    "covers",
    "interpret",
    "is_not_available",
    "parse_habilitation",
    "prerequisites",
    "rules_engine",
]
