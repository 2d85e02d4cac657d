"""The diagnostic model as a plain discrete Bayesian network (nodes and tables).

This is the network of record, library-neutral: ``pgmpy_adapter`` turns it
into a pgmpy ``DiscreteBayesianNetwork`` (and BIF / XMLBIF), the benchmark
into a pyAgrum one. It encodes exactly the distribution of
``diagnosis.bayes.model``, with the standard noisy-OR decomposition so that
no table grows as 2^parents:

* ``cause.<id>`` and ``cause._unknown``: roots, states ``absent``/``present``.
* per channel (a symptom, or one abnormal state of a measurement), an
  OR-chain: ``<channel>.leak`` (child of ``cause._unknown``: ``on`` with the
  leak probability, or with _unknown present the leak it sets, see
  ``diagnosis.bayes.model``), then one node per cause link, ``<channel>.1``, ``<channel>.2``…, each the OR of the
  previous chain node and "its cause is present and its link fires" (p); the
  last node of the chain is the channel itself. Every table has at most
  2 x 2 x 2 entries.
* ``symptom.<id>`` is its channel (states ``absent``/``present``).
* ``measurement.<id>`` has the channels ``measurement.<id>.<state>`` of its
  abnormal states as parents (states ``off``/``on``) and a deterministic
  table: the first channel on, in precedence order, gives the state; none
  on gives the normal state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from diagnosis.bayes.model import DiagnosticModel

__all__ = [
    "ABSENT_PRESENT",
    "OFF_ON",
    "Node",
    "build_network",
    "cause_node",
    "measurement_node",
    "symptom_node",
]

ABSENT_PRESENT = ("absent", "present")
OFF_ON = ("off", "on")


@dataclass(frozen=True)
class Node:
    """One variable with its conditional table.

    Attributes:
        name: node name.
        states: state names.
        parents: parent node names.
        table: P(state | parents), shape ``(len(states), *parent cardinalities)``.
    """

    name: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    table: npt.NDArray[np.float64]


def cause_node(cause: str) -> str:
    """Node name of a cause (``_unknown`` included)."""
    return f"cause.{cause}"


def symptom_node(symptom: str) -> str:
    return f"symptom.{symptom}"


def measurement_node(measurement: str) -> str:
    return f"measurement.{measurement}"


def build_network(model: DiagnosticModel) -> tuple[Node, ...]:
    """Every node of the model's network, parents before children."""
    nodes: list[Node] = []
    for h, prior in zip(model.hypotheses, model.priors, strict=True):
        nodes.append(Node(cause_node(h), ABSENT_PRESENT, (), np.array([1.0 - prior, prior])))
    unknown = len(model.causes)
    for ch in model.channels:
        final_states = ABSENT_PRESENT if ch.state is None else OFF_ON
        previous = f"{ch.node}.leak"
        # _unknown's link is a leak that depends on it: 1 - leak' = (1 - leak)(1 - p)
        p_u = dict(ch.links).get(unknown, 0.0)
        leak_u = 1.0 - (1.0 - ch.leak) * (1.0 - p_u)
        links = [(i, p) for i, p in ch.links if i != unknown]
        if not links:
            previous = ch.node
        nodes.append(
            Node(
                previous,
                final_states if not links else OFF_ON,
                (cause_node(model.hypotheses[unknown]),),
                np.array([[1.0 - ch.leak, 1.0 - leak_u], [ch.leak, leak_u]]),
            )
        )
        for k, (i, p) in enumerate(links, start=1):
            last = k == len(links)
            name = ch.node if last else f"{ch.node}.{k}"
            on = np.array([[0.0, p], [1.0, 1.0]])  # [previous off/on, cause absent/present]
            table = np.stack([1.0 - on, on])
            nodes.append(
                Node(
                    name,
                    final_states if last else OFF_ON,
                    (previous, cause_node(model.hypotheses[i])),
                    table,
                )
            )
            previous = name
    for mid in model.measurements:
        states = model.states[mid]
        channels = model.state_channels[mid]
        shape = (len(states),) + (2,) * len(channels)
        table = np.zeros(shape)
        for code in range(2 ** len(channels)):
            bits = [(code >> (len(channels) - 1 - j)) & 1 for j in range(len(channels))]
            state = next(
                (s for (s, _), b in zip(channels, bits, strict=True) if b), model.normal[mid]
            )
            table[(states.index(state), *bits)] = 1.0
        parents = tuple(f"measurement.{mid}.{s}" for s, _ in channels)
        nodes.append(Node(measurement_node(mid), states, parents, table))
    return tuple(nodes)


def evidence_nodes(
    model: DiagnosticModel,
    symptoms: dict[str, bool],
    states: dict[str, str],
    excluded: frozenset[str],
) -> dict[str, str]:
    """Observed node -> state, for any library's inference engine."""
    observed = {symptom_node(s): ABSENT_PRESENT[int(v)] for s, v in symptoms.items()}
    observed.update({measurement_node(m): s for m, s in states.items()})
    observed.update({cause_node(c): "absent" for c in excluded})
    return observed
