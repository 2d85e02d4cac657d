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

from typing import TYPE_CHECKING

from diagnosis._lazy import lazy_attributes

# Eager: ``interpret`` is also a submodule's name, which the import system would
# set on the package the moment the submodule loads (a lazy name would lose).
from diagnosis.rules.interpret import Interpretation, classify, interpret, is_not_available

if TYPE_CHECKING:
    from diagnosis.rules.engine import (
        AlertDue,
        Observation,
        RulesEngine,
        RulesOutcome,
        rules_engine,
    )
    from diagnosis.rules.habilitation import (
        Habilitation,
        Prerequisites,
        covers,
        parse_habilitation,
        prerequisites,
    )
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


__getattr__ = lazy_attributes(
    __name__,
    {
        "AlertDue": "diagnosis.rules.engine",
        "Observation": "diagnosis.rules.engine",
        "RulesEngine": "diagnosis.rules.engine",
        "RulesOutcome": "diagnosis.rules.engine",
        "rules_engine": "diagnosis.rules.engine",
        "Habilitation": "diagnosis.rules.habilitation",
        "Prerequisites": "diagnosis.rules.habilitation",
        "covers": "diagnosis.rules.habilitation",
        "parse_habilitation": "diagnosis.rules.habilitation",
        "prerequisites": "diagnosis.rules.habilitation",
        "convert": "diagnosis.rules.units",
    },
)
