"""Second half of the first pass: shape-checked mappings -> immutable model values.

Each value is made field by field as the model describes its fields
(:func:`make`); what is written here is only what needs more than one field.

Also the per-entity checks that need only the entity itself (threshold
order, which fields go together). Cross-references are ``diagnosis.kb.refs``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from diagnosis.i18n import Text
from diagnosis.kb.fields import F, Obj, kb_fields
from diagnosis.kb.model import (
    Cause,
    Condition,
    Effect,
    Equipment,
    FaultTreeDef,
    FmeaLine,
    FtEvent,
    Gate,
    Measurement,
    Need,
    Procedure,
    Rule,
    SourcePos,
    Symptom,
    Thresholds,
    WhyEvidence,
)
from diagnosis.kb.yamlnodes import PosMap, Report

T = TypeVar("T")

__all__ = [
    "build_cause",
    "build_equipment",
    "build_fault_tree",
    "build_fmea",
    "build_measurement",
    "build_procedure",
    "build_rule",
    "build_symptom",
    "make",
]


def _text(value: Any) -> Text:
    return Text.of(value)


def _at(m: PosMap, key: str) -> SourcePos:
    return m.value_pos.get(key, m.pos)


def make(cls: type[T], m: Mapping[str, Any], **given: Any) -> T:
    """The model value of a validated mapping, field by field as the model describes them.

    ``given`` are the fields the caller works out itself (checked together,
    or not written in the file: ``equipment``); the position is the mapping's.
    """
    args: dict[str, Any] = {}
    for attr, key, spec in kb_fields(cls):
        if attr not in given and key in m:
            args[attr] = _value(spec, m[key])
    if isinstance(m, PosMap) and "pos" not in given and hasattr(cls, "pos"):
        args["pos"] = m.pos
    return cls(**args, **given)


def _value(spec: F, value: Any) -> Any:
    if spec.kind == "text":
        return Text.of(value)
    if spec.kind == "list":
        return tuple(_item(spec.item, v) for v in value)
    if spec.kind == "obj":
        return _item(spec.item, value)
    return value


def _item(item: F | Obj | type | None, value: Any) -> Any:
    return make(item, value) if isinstance(item, type) else _value(cast(F, item), value)


def build_equipment(m: PosMap) -> Equipment:
    return make(Equipment, m)


def build_symptom(m: PosMap) -> Symptom:
    return make(Symptom, m)


_ORDER = ("low_critical", "low_alarm", "high_alarm", "high_critical")


def build_measurement(m: PosMap, equipment: str, report: Report) -> Measurement | None:
    label = f"measurement '{m['id']}'"
    kind = m["kind"]
    ok = True
    if kind == "numeric":
        for key in ("unit", "nominal"):
            if key not in m:
                if key not in m.key_pos:
                    report(m.pos, f"{label}: a numeric measurement needs '{key}'")
                ok = False
    if kind == "choice" and "choices" not in m:
        if "choices" not in m.key_pos:
            report(m.pos, f"{label}: a choice measurement needs 'choices'")
        ok = False
    if kind != "choice" and "choices" in m:
        report(_at(m, "choices"), f"{label}: 'choices' only applies to kind choice")
    th: PosMap = m.get("thresholds") or PosMap()
    if kind != "numeric" and th:
        report(_at(m, "thresholds"), f"{label}: 'thresholds' only apply to kind numeric")
        th = PosMap()
    given = [(k, th[k]) for k in _ORDER if k in th]
    for (k1, v1), (k2, v2) in itertools.pairwise(given):
        if not v1 < v2:
            report(
                getattr(th, "value_pos", {}).get(k2, _at(m, "thresholds")),
                f"{label}: thresholds must be strictly increasing: {k1} {v1:g} "
                f"is not below {k2} {v2:g}",
            )
            ok = False
    choices = tuple(str(c) for c in m.get("choices", ()))
    if len(set(choices)) != len(choices):
        report(_at(m, "choices"), f"{label}: choices are repeated")
        ok = False
    labels: list[tuple[str, Text]] = []
    for entry in m.get("choice_labels") or ():
        choice = str(entry.get("choice", ""))
        if choice not in choices:
            report(
                getattr(entry, "pos", _at(m, "choice_labels")),
                f"{label}: choice_labels names '{choice}', which is not one of the choices",
            )
            ok = False
            continue
        labels.append((choice, _text(entry.get("name"))))
    normal = m.get("normal")
    if kind == "numeric":
        if normal is not None and normal != "normal":
            report(_at(m, "normal"), f"{label}: 'normal' of a numeric measurement is 'normal'")
        normal = "normal"
    elif kind == "boolean":
        normal = normal if normal is not None else "true"
        if normal not in ("true", "false"):
            report(_at(m, "normal"), f"{label}: normal state '{normal}' is not true or false")
            ok = False
    else:
        normal = normal if normal is not None else (choices[0] if choices else "")
        if choices and normal not in choices:
            report(_at(m, "normal"), f"{label}: normal state '{normal}' is not one of the choices")
            ok = False
    if not ok:
        return None
    return make(
        Measurement,
        m,
        thresholds=make(Thresholds, th),
        normal=normal,
        choices=choices,
        choice_labels=tuple(labels),
        needs=_needs(m.get("needs") or {}),
        equipment=equipment,
    )


def _needs(value: Any) -> tuple[Need, ...]:
    """``needs: {tools: [{id, name}], parts: [{ref, name}]}`` (validated by the schema)."""
    tools = tuple(Need("tool", t["id"], _text(t.get("name"))) for t in value.get("tools") or ())
    parts = tuple(Need("part", p["ref"], _text(p.get("name"))) for p in value.get("parts") or ())
    return tools + parts


def _is_link(value: Any) -> bool:
    return isinstance(value, dict) and "text" in value


def _why_evidence(value: Any) -> WhyEvidence | None:
    """The evidence a ``why`` link names (``{text, measurement[, state] | symptom}``)."""
    if not _is_link(value) or not (value.get("measurement") or value.get("symptom")):
        return None
    return make(WhyEvidence, value)


def build_cause(m: PosMap, equipment: str, report: Report) -> Cause | None:
    label = f"cause '{m['id']}'"
    effects = []
    for e in m["effects"]:
        has_s, has_m = "symptom" in e.key_pos, "measurement" in e.key_pos
        if has_s == has_m:
            report(e.pos, f"{label}: an effect names either a symptom or a measurement + state")
            continue
        if has_m and "state" not in e.key_pos:
            report(e.pos, f"{label}: effect on measurement '{e.get('measurement')}' needs a state")
            continue
        if has_s and "state" in e.key_pos:
            report(e.key_pos["state"], f"{label}: an effect on a symptom takes no state")
            continue
        if "symptom" in e or ("measurement" in e and "state" in e):
            effects.append(make(Effect, e))
    return make(
        Cause,
        m,
        effects=tuple(effects),
        why=tuple(Text.of(w["text"] if _is_link(w) else w) for w in m.get("why") or ()),
        why_evidence=tuple(_why_evidence(w) for w in m.get("why") or ()),
        equipment=equipment,
    )


def build_rule(m: PosMap, equipment: str, report: Report) -> Rule | None:
    label = f"rule '{m['id']}'"
    conditions = []
    for c in m["when"]:
        has_s, has_m = "symptom" in c.key_pos, "measurement" in c.key_pos
        has_f = "finding" in c.key_pos
        tests = [k for k in ("state", "below", "above") if k in c.key_pos]
        if has_f:
            if has_s or has_m or tests or "present" in c.key_pos:
                report(c.key_pos["finding"], f"{label}: a finding condition takes no other field")
                continue
            conditions.append(make(Condition, c))
            continue
        if has_s == has_m:
            report(
                c.pos, f"{label}: a condition names either a symptom, a measurement or a finding"
            )
            continue
        if has_m and len(tests) != 1:
            report(
                c.pos, f"{label}: a measurement condition needs exactly one of state, below, above"
            )
            continue
        if has_s and tests:
            report(c.key_pos[tests[0]], f"{label}: a symptom condition takes only 'present'")
            continue
        if has_m and "present" in c.key_pos:
            report(c.key_pos["present"], f"{label}: 'present' applies to symptom conditions")
            continue
        conditions.append(make(Condition, c))
    then = m["then"]
    if not any(k in then.key_pos for k in ("exclude", "alert", "suggest", "note", "derive")):
        report(
            then.pos,
            f"{label}: 'then' needs at least one action (exclude, alert, suggest, note, derive)",
        )
        return None
    return make(Rule, m, when=tuple(conditions), equipment=equipment)


def build_procedure(m: PosMap, equipment: str) -> Procedure:
    return make(Procedure, m, equipment=equipment)


def build_fmea(m: PosMap, equipment: str) -> FmeaLine:
    return make(FmeaLine, m, equipment=equipment)


def build_fault_tree(m: PosMap, report: Report) -> FaultTreeDef:
    gates = []
    for g in m["gates"]:
        label = f"gate '{g['id']}'"
        n = len(g["inputs"])
        k = g.get("k")
        if g["type"] == "atleast":
            if "k" not in g.key_pos:
                report(g.pos, f"{label}: an atleast gate needs 'k'")
            elif not isinstance(k, int) or isinstance(k, bool):
                pass  # a value of the wrong type: reported by the shape pass
            elif not 1 <= k <= n:
                report(g.value_pos.get("k", g.pos), f"{label}: k={k} is not in 1..{n} (its inputs)")
        elif "k" in g.key_pos:
            report(g.key_pos["k"], f"{label}: 'k' only applies to atleast gates")
        if g["type"] == "not" and n != 1:
            report(g.value_pos.get("inputs", g.pos), f"{label}: a not gate has exactly one input")
        if g["type"] == "xor" and n < 2:
            report(g.value_pos.get("inputs", g.pos), f"{label}: a xor gate needs at least 2 inputs")
        gates.append(make(Gate, g))
    events = []
    for e in m["events"]:
        label = f"event '{e['id']}'"
        forms = [
            ("probability" in e.key_pos),
            ("rate" in e.key_pos or "time" in e.key_pos),
            ("house" in e.key_pos or "state" in e.key_pos),
        ]
        if sum(forms) != 1:
            report(e.pos, f"{label}: give exactly one of probability, rate + time, house + state")
            continue
        if forms[1] and not ("rate" in e and "time" in e):
            if "rate" in e.key_pos and "time" in e.key_pos:
                continue  # a bad value, already reported
            report(e.pos, f"{label}: 'rate' and 'time' go together")
            continue
        if forms[2] and not ("house" in e and "state" in e):
            if "house" in e.key_pos and "state" in e.key_pos:
                continue
            report(e.pos, f"{label}: a house event needs 'house: true' and 'state'")
            continue
        if forms[2] and e["house"] is not True:
            report(e.value_pos["house"], f"{label}: 'house' must be true (or give a probability)")
            continue
        if forms[0] and "probability" not in e:
            continue
        events.append(make(FtEvent, e))
    # Invalid gates and events stay in the tree (their problem is reported and the
    # KB is refused anyway) so that references to them do not cascade into more errors.
    return make(FaultTreeDef, m, gates=tuple(gates), events=tuple(events))
