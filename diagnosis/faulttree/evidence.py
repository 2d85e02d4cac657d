"""Fault trees as diagnostic evidence (the classic fault-tree-to-BN mapping).

A fault tree is a Bayesian network whose gates are deterministic nodes over
independent basic events. Observing a gate (the top event happened, a
sub-system is known to work) is therefore a likelihood over the causes that
basic events are linked to (``cause:`` in the KB):

* a linked event is true exactly when its cause is present (the cause *is*
  the event's failure; if several events link to one cause they move
  together);
* an unlinked event keeps its own probability and is summed out;
* house events are constants.

:func:`tree_factor` returns that likelihood as a
:class:`~diagnosis.bayes.evidence.CauseFactor`, which the Bayesian network
multiplies into its posterior; the causes' priors stay the KB's, the
events' probabilities only matter for unlinked events.
"""

from __future__ import annotations

from collections.abc import Mapping

from diagnosis.bayes.evidence import CauseFactor
from diagnosis.errors import InferenceError
from diagnosis.faulttree.bdd import compile_bdd
from diagnosis.faulttree.from_kb import from_kb
from diagnosis.faulttree.model import FaultTree
from diagnosis.faulttree.probability import top_probability
from diagnosis.kb.model import FaultTreeDef

__all__ = ["MAX_LINKED_CAUSES", "cause_path", "linked_causes", "tree_factor"]

MAX_LINKED_CAUSES = 16
"""A factor's table has 2**k entries (the limit of ``CauseFactor``)."""


def _model(tree: FaultTreeDef | FaultTree) -> FaultTree:
    return tree if isinstance(tree, FaultTree) else from_kb(tree)


def linked_causes(tree: FaultTreeDef | FaultTree) -> tuple[str, ...]:
    """The KB causes linked to basic events of ``tree``, in event order, once each."""
    out: list[str] = []
    for e in _model(tree).basic_events:
        if e.cause and e.cause not in out:
            out.append(e.cause)
    return tuple(out)


def tree_factor(tree: FaultTreeDef | FaultTree, observed: Mapping[str, bool]) -> CauseFactor:
    """P(observed gate states | linked causes present/absent), as a factor.

    Args:
        tree: the KB fault tree (or its analysis model).
        observed: gate (or event) id -> observed state, e.g. ``{top: True}``.

    Returns:
        A factor over the linked causes; bit ``j`` of the table index says
        whether ``causes[j]`` is present.

    Raises:
        InferenceError: an unknown node is observed, or more than
            :data:`MAX_LINKED_CAUSES` causes are linked.
    """
    model = _model(tree)
    for nid in observed:
        if not (model.is_gate(nid) or model.is_basic(nid) or model.is_house(nid)):
            raise InferenceError(f"fault tree '{model.id}': no gate or event '{nid}'")
    causes = linked_causes(model)
    if len(causes) > MAX_LINKED_CAUSES:
        raise InferenceError(
            f"fault tree '{model.id}': {len(causes)} linked causes, at most {MAX_LINKED_CAUSES}"
        )
    bdd = compile_bdd(model, observed=dict(observed))
    events = {e.id: e for e in model.basic_events}
    base = [events[v].probability for v in bdd.variables]
    slots = [causes.index(c) if (c := events[v].cause) else -1 for v in bdd.variables]
    table: list[float] = []
    for assignment in range(2 ** len(causes)):
        probs = [
            p if j < 0 else float((assignment >> j) & 1) for p, j in zip(base, slots, strict=True)
        ]
        table.append(top_probability(bdd, probs))
    label = f"{model.id}: " + ", ".join(
        f"{nid} = {'true' if v else 'false'}" for nid, v in observed.items()
    )
    return CauseFactor(causes, tuple(table), label)


def cause_path(tree: FaultTreeDef | FaultTree, cause_id: str) -> list[str]:
    """Node ids from the top gate down to the (first, shortest-path) event linked to ``cause_id``.

    The list ends with the basic event's id; it is empty when no event of
    the tree links to the cause. Used to highlight the path in diagrams.
    """
    model = _model(tree)
    targets = {e.id for e in model.basic_events if e.cause == cause_id}
    if not targets:
        return []
    # Breadth-first from the top: the first target met has a shortest path.
    parent: dict[str, str | None] = {model.top: None}
    queue = [model.top]
    for nid in queue:
        if nid in targets:
            path = [nid]
            while (up := parent[path[-1]]) is not None:
                path.append(up)
            return path[::-1]
        if model.is_gate(nid):
            for i in model.gate(nid).inputs:
                if i not in parent:
                    parent[i] = nid
                    queue.append(i)
    return []
