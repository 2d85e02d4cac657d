"""Bayesian reasoning over one equipment: exact posteriors of the root causes.

``compile_equipment(kb, equipment_id)`` gives a :class:`DiagnosticModel`
(noisy-OR / noisy-MAX semantics, the ``_unknown`` hypothesis: see
``diagnosis.bayes.model``). Its :meth:`~DiagnosticModel.posteriors` run the
fast exact path (``diagnosis.bayes.exact``, numpy only);
``diagnosis.bayes.pgmpy_adapter`` holds the pgmpy network of record and the
reference path, imported lazily; ``diagnosis.bayes.export`` writes BIF / XMLBIF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis._lazy import lazy_attributes

if TYPE_CHECKING:
    from diagnosis.bayes.evidence import UNKNOWN, CauseFactor, Evidence, Posteriors
    from diagnosis.bayes.model import NONE, DiagnosticModel, compile_equipment

__all__ = [
    "NONE",
    "UNKNOWN",
    "CauseFactor",
    "DiagnosticModel",
    "Evidence",
    "Posteriors",
    "compile_equipment",
]


__getattr__ = lazy_attributes(
    __name__,
    {
        "UNKNOWN": "diagnosis.bayes.evidence",
        "CauseFactor": "diagnosis.bayes.evidence",
        "Evidence": "diagnosis.bayes.evidence",
        "Posteriors": "diagnosis.bayes.evidence",
        "NONE": "diagnosis.bayes.model",
        "DiagnosticModel": "diagnosis.bayes.model",
        "compile_equipment": "diagnosis.bayes.model",
    },
)
