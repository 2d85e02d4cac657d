"""The one module that knows pgmpy: network of record, reference inference, export.

pgmpy (1.x names its class ``DiscreteBayesianNetwork``) is imported lazily,
inside these functions, with its import-time ``FutureWarning`` silenced: it
takes about 2 s to import and ``diagnosis --help`` must not pay for it.
Its exceptions are translated into :class:`~diagnosis.errors.InferenceError`
(or :class:`~diagnosis.errors.ExportError` when writing a file format).

The reference path answers one ``VariableElimination.query([cause])`` per
hypothesis, the feasible way with pgmpy (a joint query over many causes
builds the joint table first). Exclusions are observed as ``absent``; each
cause factor becomes an observed child of its causes whose table is the
factor scaled into [0, 1], which multiplies the joint by the factor up to a
constant.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from diagnosis.bayes.evidence import Evidence, Posteriors
from diagnosis.bayes.model import DiagnosticModel
from diagnosis.bayes.network import (
    ABSENT_PRESENT,
    OFF_ON,
    Node,
    build_network,
    cause_node,
    evidence_nodes,
)
from diagnosis.errors import ExportError, InferenceError

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

__all__ = ["network_text", "pgmpy_posteriors", "to_pgmpy"]


def _pgmpy() -> Any:
    """Import pgmpy quietly (it warns about its own future at import time)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgmpy.factors.discrete
        import pgmpy.inference
        import pgmpy.models
        import pgmpy.readwrite
    return pgmpy


def _network(nodes: tuple[Node, ...], name: str) -> DiscreteBayesianNetwork:
    pg = _pgmpy()
    states = {node.name: list(node.states) for node in nodes}
    bn = pg.models.DiscreteBayesianNetwork()
    bn.name = name
    bn.add_nodes_from(node.name for node in nodes)
    bn.add_edges_from((p, node.name) for node in nodes for p in node.parents)
    cpds = []
    for node in nodes:
        values = node.table.reshape(len(node.states), -1)
        cpds.append(
            pg.factors.discrete.TabularCPD(
                node.name,
                len(node.states),
                values,
                evidence=list(node.parents) or None,
                evidence_card=[len(states[p]) for p in node.parents] or None,
                state_names={v: states[v] for v in (node.name, *node.parents)},
            )
        )
    bn.add_cpds(*cpds)
    return bn


def to_pgmpy(model: DiagnosticModel) -> DiscreteBayesianNetwork:
    """The model as a checked pgmpy ``DiscreteBayesianNetwork`` (built once per model).

    Raises:
        InferenceError: pgmpy rejects the network.
    """
    cached = getattr(model, "_pgmpy_network", None)
    if cached is not None:
        return cached
    try:
        bn = _network(build_network(model), model.equipment_id)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bn.check_model()
    except (ValueError, TypeError, KeyError) as exc:
        raise InferenceError(f"pgmpy rejects the network of {model.equipment_id!r}: {exc}") from exc
    model._pgmpy_network = bn  # type: ignore[attr-defined]
    return bn


def _factor_nodes(evidence: Evidence) -> tuple[Node, ...]:
    """One observed child per cause factor, table = factor scaled into [0, 1]."""
    nodes = []
    for k, factor in enumerate(evidence.factors):
        table = np.asarray(factor.table, dtype=float)
        top = float(table.max()) if len(table) else 0.0
        if top <= 0:
            raise InferenceError(f"factor {factor.label!r} makes the evidence impossible")
        on = (table / top).reshape((2,) * len(factor.causes), order="F")
        # table bit j (LSB = causes[0]) is axis j in Fortran order: parents in order
        nodes.append(
            Node(
                f"factor.{k}",
                OFF_ON,
                tuple(cause_node(c) for c in factor.causes),
                np.stack([1.0 - on, on]),
            )
        )
    return tuple(nodes)


def pgmpy_posteriors(model: DiagnosticModel, evidence: Evidence) -> Posteriors:
    """The reference answer: every posterior by pgmpy's variable elimination.

    ``evidence_probability`` is not computed on this path (left at 1.0).

    Raises:
        InferenceError: unknown ids (checked as on the fast path) or a pgmpy failure.
    """
    model.findings(evidence)  # same validation and errors as the fast path
    pg = _pgmpy()
    if evidence.factors:
        bn = _network(build_network(model) + _factor_nodes(evidence), model.equipment_id)
    else:
        bn = to_pgmpy(model)
    observed = evidence_nodes(
        model, dict(evidence.symptoms), dict(evidence.states), evidence.excluded
    )
    observed.update({f"factor.{k}": "on" for k in range(len(evidence.factors))})
    engine = pg.inference.VariableElimination(bn)
    out: dict[str, float] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for h in model.hypotheses:
                if h in evidence.excluded:
                    continue
                node = cause_node(h)
                result = engine.query([node], evidence=observed, show_progress=False)
                out[h] = float(result.get_value(**{node: ABSENT_PRESENT[1]}))
    except (ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
        raise InferenceError(f"pgmpy inference failed: {exc}") from exc
    return Posteriors(out)


def network_text(model: DiagnosticModel, fmt: str) -> str:
    """The network written as BIF (``bif``) or XMLBIF (``xmlbif``) text.

    Raises:
        ExportError: unknown format or a pgmpy writer failure.
    """
    pg = _pgmpy()
    bn = to_pgmpy(model)
    writers = {"bif": pg.readwrite.BIFWriter, "xmlbif": pg.readwrite.XMLBIFWriter}
    if fmt not in writers:
        raise ExportError(f"unknown network format {fmt!r} (use bif or xmlbif)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return str(writers[fmt](bn))
    except (ValueError, TypeError, KeyError) as exc:
        raise ExportError(f"cannot write {fmt}: {exc}") from exc
