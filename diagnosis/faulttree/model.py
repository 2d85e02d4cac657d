"""The fault-tree model analysed by :mod:`diagnosis.faulttree`.

A :class:`FaultTree` is a directed acyclic graph of :class:`GateNode` over
:class:`BasicEvent` and :class:`HouseEvent` leaves, kept apart from the
analyses (``analysis``, ``bdd``, ``mocus``, ``importance``) and from the
readers and writers (``from_kb``, ``opsa_mef_reader``, ``opsa_mef_writer``,
``render``, ``report_text``). A node may be an input of several gates
(shared sub-trees). The model is immutable and validated on construction:
every input resolves, the graph has no cycle, arities suit the gate types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from diagnosis.errors import KnowledgeBaseError, Problem

__all__ = [
    "GATE_TYPES",
    "BasicEvent",
    "FaultTree",
    "GateNode",
    "GateType",
    "HouseEvent",
    "Location",
]

GateType = Literal["and", "or", "atleast", "not", "xor", "nand", "nor"]
GATE_TYPES: tuple[str, ...] = ("and", "or", "atleast", "not", "xor", "nand", "nor")


@dataclass(frozen=True)
class Location:
    """Where a node was defined (file and 1-based line), for error messages."""

    file: str = "<memory>"
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class BasicEvent:
    """A basic event with its probability over the mission time.

    Attributes:
        id: unique identifier within the tree.
        probability: P(event) in [0, 1].
        rate: failure rate (per hour) when the probability came from one.
        time: mission time (hours) matching ``rate``.
        cause: the linked KB cause id, if any (used as diagnostic evidence).
        name: a human-readable label.
    """

    id: str
    probability: float
    rate: float | None = None
    time: float | None = None
    cause: str | None = None
    name: str = ""
    loc: Location = field(default_factory=Location, compare=False)


@dataclass(frozen=True)
class HouseEvent:
    """An event set true or false by the analyst (a switch in the model)."""

    id: str
    state: bool
    name: str = ""
    loc: Location = field(default_factory=Location, compare=False)


@dataclass(frozen=True)
class GateNode:
    """A logic gate over other gates and events.

    Attributes:
        id: unique identifier within the tree.
        type: one of :data:`GATE_TYPES`.
        inputs: ids of gates, basic events or house events.
        k: the vote threshold of an ``atleast`` gate.
        name: a human-readable label.
    """

    id: str
    type: GateType
    inputs: tuple[str, ...]
    k: int | None = None
    name: str = ""
    loc: Location = field(default_factory=Location, compare=False)


def _problem(loc: Location, message: str) -> Problem:
    return Problem(loc.file, loc.line, 0, message)


@dataclass(frozen=True)
class FaultTree:
    """A validated fault tree: a top gate over shared gates and events.

    Raises:
        KnowledgeBaseError: on construction, listing every structural problem
            (dangling input, duplicate id, cycle, bad arity, bad probability).
    """

    id: str
    top: str
    gates: tuple[GateNode, ...]
    basic_events: tuple[BasicEvent, ...]
    house_events: tuple[HouseEvent, ...] = ()
    name: str = ""
    loc: Location = field(default_factory=Location, compare=False)
    _gate: Mapping[str, GateNode] = field(init=False, repr=False, compare=False)
    _basic: Mapping[str, BasicEvent] = field(init=False, repr=False, compare=False)
    _house: Mapping[str, HouseEvent] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_gate", MappingProxyType({g.id: g for g in self.gates}))
        object.__setattr__(self, "_basic", MappingProxyType({e.id: e for e in self.basic_events}))
        object.__setattr__(self, "_house", MappingProxyType({h.id: h for h in self.house_events}))
        problems = self._check()
        if problems:
            raise KnowledgeBaseError(problems)

    # -- lookups ---------------------------------------------------------------
    def gate(self, gid: str) -> GateNode:
        """The gate ``gid`` (KeyError when unknown)."""
        return self._gate[gid]

    def basic_event(self, eid: str) -> BasicEvent:
        """The basic event ``eid`` (KeyError when unknown)."""
        return self._basic[eid]

    def is_gate(self, nid: str) -> bool:
        return nid in self._gate

    def is_basic(self, nid: str) -> bool:
        return nid in self._basic

    def is_house(self, nid: str) -> bool:
        return nid in self._house

    def house_event(self, hid: str) -> HouseEvent:
        return self._house[hid]

    @property
    def probabilities(self) -> dict[str, float]:
        """Basic-event id -> probability."""
        return {e.id: e.probability for e in self.basic_events}

    def reachable(self, root: str | None = None) -> Iterator[str]:
        """Ids of every node under ``root`` (default: the top), depth first, once each."""
        seen: set[str] = set()
        stack = [root or self.top]
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            yield nid
            if nid in self._gate:
                stack.extend(reversed(self._gate[nid].inputs))

    def parents(self) -> dict[str, list[str]]:
        """Node id -> ids of the gates that use it."""
        out: dict[str, list[str]] = {}
        for g in self.gates:
            for i in g.inputs:
                out.setdefault(i, []).append(g.id)
        return out

    # -- validation ------------------------------------------------------------
    def _check(self) -> list[Problem]:
        problems: list[Problem] = []
        seen: dict[str, Location] = {}
        nodes: list[tuple[str, Location]] = [(g.id, g.loc) for g in self.gates]
        nodes += [(e.id, e.loc) for e in self.basic_events]
        nodes += [(h.id, h.loc) for h in self.house_events]
        for nid, loc in nodes:
            if nid in seen:
                problems.append(_problem(loc, f"duplicate id '{nid}' (first at {seen[nid]})"))
            seen[nid] = loc
        if self.top not in self._gate:
            problems.append(
                _problem(self.loc, f"fault tree '{self.id}': top gate '{self.top}' is not defined")
            )
        for e in self.basic_events:
            if not 0.0 <= e.probability <= 1.0:
                problems.append(
                    _problem(
                        e.loc, f"basic event '{e.id}': probability {e.probability} is not in [0, 1]"
                    )
                )
        for g in self.gates:
            problems.extend(self._check_gate(g, seen))
        if not problems:
            problems.extend(self._check_cycles())
        return problems

    def _check_gate(self, g: GateNode, known: Mapping[str, Location]) -> list[Problem]:
        out: list[Problem] = []
        if g.type not in GATE_TYPES:
            out.append(_problem(g.loc, f"gate '{g.id}': unknown type '{g.type}'"))
        n = len(g.inputs)
        if n == 0:
            out.append(_problem(g.loc, f"gate '{g.id}': no inputs"))
        if g.type == "not" and n != 1:
            out.append(
                _problem(g.loc, f"gate '{g.id}': a not gate takes exactly one input, got {n}")
            )
        if g.type == "atleast" and (g.k is None or not 1 <= g.k <= n):
            out.append(_problem(g.loc, f"gate '{g.id}': atleast needs k in 1..{n}, got {g.k}"))
        if len(set(g.inputs)) != n:
            out.append(_problem(g.loc, f"gate '{g.id}': an input is listed twice"))
        for i in g.inputs:
            if i not in known:
                out.append(_problem(g.loc, f"gate '{g.id}': input '{i}' is not defined"))
        return out

    def _check_cycles(self) -> list[Problem]:
        # Iterative three-colour DFS: a grey node met again closes a cycle.
        colour: dict[str, int] = {}
        for start in self._gate:
            if colour.get(start):
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            colour[start] = 1
            while stack:
                nid, idx = stack[-1]
                inputs = self._gate[nid].inputs
                if idx < len(inputs):
                    stack[-1] = (nid, idx + 1)
                    child = inputs[idx]
                    if child not in self._gate:
                        continue
                    c = colour.get(child, 0)
                    if c == 1:
                        path = [s for s, _ in stack]
                        cyc = [*path[path.index(child) :], child]
                        return [_problem(self._gate[child].loc, "cycle: " + " -> ".join(cyc))]
                    if c == 0:
                        colour[child] = 1
                        stack.append((child, 0))
                else:
                    colour[nid] = 2
                    stack.pop()
        return []
