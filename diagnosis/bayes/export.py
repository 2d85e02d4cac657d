"""``diagnosis kb export-bn``: one equipment's network as BIF or XMLBIF text.

Other Bayesian-network tools (GeNIe, SamIam, pyAgrum, Hugin via XMLBIF) read
these files. The network is the one described in ``diagnosis.bayes.network``:
causes ``cause.<id>``, ``cause._unknown``, symptoms ``symptom.<id>``,
measurements ``measurement.<id>`` and the noisy-OR chain nodes between them.
"""

from __future__ import annotations

from diagnosis.bayes.model import compile_equipment
from diagnosis.errors import UsageError
from diagnosis.kb.model import KnowledgeBase

__all__ = ["FORMATS", "export_network"]

FORMATS = ("bif", "xmlbif")


def export_network(kb: KnowledgeBase, equipment_id: str, fmt: str) -> str:
    """The compiled network of ``equipment_id`` in format ``fmt`` (``bif`` | ``xmlbif``).

    Raises:
        UsageError: ``fmt`` is not one of :data:`FORMATS`.
        InferenceError: unknown equipment.
        ExportError: the writer failed.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown network format {fmt!r}: use one of {', '.join(FORMATS)}")
    from diagnosis.bayes.pgmpy_adapter import network_text

    return network_text(compile_equipment(kb, equipment_id), fmt)
