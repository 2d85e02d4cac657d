"""Second validation pass: cross-references, duplicate ids, states, cycles.

Runs on the whole KB at once, after every file passed the shape pass, so that
a reference may point into another file (shared procedures) and every
problem of every file is reported in one run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from diagnosis.kb.model import (
    Condition,
    EquipmentKB,
    FaultTreeDef,
    Measurement,
    Procedure,
    SourcePos,
)
from diagnosis.kb.yamlnodes import Report

__all__ = ["check_references"]


def check_references(
    equipments: Iterable[EquipmentKB],
    shared: Iterable[Procedure],
    trees: Iterable[FaultTreeDef],
    report: Report,
    ignore: Collection[str] = frozenset(),
) -> None:
    """Report every dangling reference, duplicate id, unknown state and cycle.

    ``ignore`` holds the ids of entities the shape pass refused (already
    reported): references to them are not reported again as dangling.
    """
    equipments, shared, trees = list(equipments), list(shared), list(trees)
    seen: dict[tuple[str, str], SourcePos] = {}

    def unique(kind: str, eid: str, pos: SourcePos) -> None:
        first = seen.setdefault((kind, eid), pos)
        if first is not pos:
            report(pos, f"duplicate {kind} id '{eid}' (first defined at {first})")

    for e in equipments:
        unique("equipment", e.id, e.equipment.pos)
        for comp in e.equipment.components:
            unique("component", comp.id, comp.pos)
        for kind, items in (
            ("symptom", e.symptoms),
            ("measurement", e.measurements),
            ("cause", e.causes),
            ("rule", e.rules),
            ("procedure", e.procedures),
            ("fmea line", e.fmea),
        ):
            for item in items:
                unique(kind, item.id, item.pos)
    for p in shared:
        unique("procedure", p.id, p.pos)
    for t in trees:
        unique("fault tree", t.id, t.pos)
        for g in t.gates:
            unique("gate", g.id, g.pos)
        for ev in t.events:
            unique("event", ev.id, ev.pos)

    symptoms = {s.id for e in equipments for s in e.symptoms}
    measurements = {m.id: m for e in equipments for m in e.measurements}
    causes = {c.id for e in equipments for c in e.causes}
    procedures = {p.id for e in equipments for p in e.procedures} | {p.id for p in shared}
    equipment_ids = {e.id for e in equipments}

    def ref(kind: str, known: Iterable[str], eid: str | None, pos: SourcePos, who: str) -> bool:
        if eid is not None and eid not in known:
            if eid not in ignore:
                report(pos, f"{who}: unknown {kind} '{eid}'")
            return False
        return True

    def state_ok(m: Measurement, state: str, pos: SourcePos, who: str) -> None:
        if state not in m.states:
            report(
                pos,
                f"{who}: unknown state '{state}' of measurement '{m.id}' "
                f"(states: {', '.join(m.states)})",
            )

    for e in equipments:
        comps = {c.id for c in e.equipment.components}
        graph: dict[str, list[str]] = {}
        for comp in e.equipment.components:
            if (
                ref("component", comps, comp.parent, comp.pos, f"component '{comp.id}'")
                and comp.parent
            ):
                graph.setdefault(comp.id, []).append(comp.parent)
        for cycle in _cycles(graph):
            head = e.equipment.component(cycle[0])
            report(
                head.pos if head else e.equipment.pos,
                f"component hierarchy has a cycle: {' -> '.join([*cycle, cycle[0]])}",
            )
        for m in e.measurements:
            who = f"measurement '{m.id}'"
            ref("procedure", procedures, m.on_critical, m.pos, f"{who}: on_critical")
            ref("procedure", procedures, m.requires.procedure, m.pos, f"{who}: requires.procedure")
        for cause in e.causes:
            who = f"cause '{cause.id}'"
            ref("component", comps, cause.component, cause.pos, who)
            for eff in cause.effects:
                if eff.symptom is not None:
                    ref("symptom", symptoms, eff.symptom, eff.pos, who)
                elif eff.measurement is not None and ref(
                    "measurement", measurements, eff.measurement, eff.pos, who
                ):
                    state_ok(measurements[eff.measurement], str(eff.state), eff.pos, who)
            for n, support in enumerate(cause.why_evidence, start=1):
                if support is None:
                    continue
                link = f"{who}: why {n}"
                if support.symptom is not None:
                    ref("symptom", symptoms, support.symptom, support.pos, link)
                mid = support.measurement
                known = mid is not None and ref("measurement", measurements, mid, support.pos, link)
                if known and mid is not None and support.state is not None:
                    state_ok(measurements[mid], support.state, support.pos, link)
        derived = {f.id for r in e.rules for f in r.then.derive}
        for r in e.rules:
            who = f"rule '{r.id}'"
            for cond in r.when:
                if cond.finding is not None:
                    if cond.finding not in derived:
                        report(
                            cond.pos,
                            f"{who}: unknown finding '{cond.finding}' (no rule of "
                            f"'{e.id}' derives it)",
                        )
                    continue
                _check_condition(cond, symptoms | set(ignore), measurements, who, report, ignore)
            for cid in r.then.exclude:
                ref("cause", causes, cid, r.pos, f"{who}: exclude")
            ref("procedure", procedures, r.then.alert, r.pos, f"{who}: alert")
            for mid in r.then.suggest:
                ref("measurement", measurements, mid, r.pos, f"{who}: suggest")
        for f in e.fmea:
            ref("cause", causes, f.cause, f.pos, f"fmea line '{f.id}'")
            ref("component", comps, f.component, f.pos, f"fmea line '{f.id}'")
    for t in trees:
        _check_tree(t, causes | set(ignore), equipment_ids | set(ignore), report, ignore)


def _check_condition(
    cond: Condition,
    symptoms: set[str],
    measurements: dict[str, Measurement],
    who: str,
    report: Report,
    ignore: Collection[str],
) -> None:
    if cond.symptom is not None:
        if cond.symptom not in symptoms:
            report(cond.pos, f"{who}: unknown symptom '{cond.symptom}'")
        return
    m = measurements.get(str(cond.measurement))
    if m is None:
        if cond.measurement not in ignore:
            report(cond.pos, f"{who}: unknown measurement '{cond.measurement}'")
        return
    if cond.state is not None:
        if cond.state not in m.states:
            report(
                cond.pos,
                f"{who}: unknown state '{cond.state}' of measurement '{m.id}' "
                f"(states: {', '.join(m.states)})",
            )
    elif m.kind != "numeric":
        report(cond.pos, f"{who}: below/above need a numeric measurement, '{m.id}' is {m.kind}")


def _has_cycle(graph: dict[str, list[str]]) -> bool:
    """Depth-first search (iterative: deep trees must not hit the recursion limit)."""
    done: set[str] = set()
    for root in graph:
        if root in done:
            continue
        on_path = {root}
        stack = [(root, iter(graph.get(root, ())))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                return True
            elif child not in done:
                on_path.add(child)
                stack.append((child, iter(graph.get(child, ()))))
    return False


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Up to five cycles of ``graph`` (networkx lists them; a valid KB has none, so it is
    imported only when there is one to list, which keeps ``kb check`` quick to start)."""
    if not _has_cycle(graph):
        return []
    import networkx as nx

    digraph = nx.DiGraph([(a, b) for a, targets in graph.items() for b in targets])
    try:
        return [list(c) for c in nx.simple_cycles(digraph)][:5]
    except nx.NetworkXException:
        return []


def _check_tree(
    t: FaultTreeDef,
    causes: set[str],
    equipment_ids: set[str],
    report: Report,
    ignore: Collection[str],
) -> None:
    who = f"fault tree '{t.id}'"
    if t.equipment is not None and t.equipment not in equipment_ids:
        report(t.pos, f"{who}: unknown equipment '{t.equipment}'")
    nodes = {g.id for g in t.gates} | {e.id for e in t.events} | set(ignore)
    if t.top not in nodes:
        report(t.pos, f"{who}: top '{t.top}' is not a gate or event of this tree")
    graph: dict[str, list[str]] = {}
    for g in t.gates:
        for i in g.inputs:
            if i not in nodes:
                report(g.pos, f"gate '{g.id}': unknown input '{i}'")
            else:
                graph.setdefault(g.id, []).append(i)
    order = {g.id: i for i, g in enumerate(t.gates)}
    for found in _cycles(graph):
        start = min(range(len(found)), key=lambda i: order.get(found[i], len(order)))
        cycle = found[start:] + found[:start]
        gate = t.gate(cycle[0])
        report(gate.pos if gate else t.pos, f"{who}: cycle {' -> '.join([*cycle, cycle[0]])}")
    for ev in t.events:
        if ev.cause is not None and ev.cause not in causes:
            report(ev.pos, f"event '{ev.id}': unknown cause '{ev.cause}'")
