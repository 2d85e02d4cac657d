"""The shape of KB files, as data: validated here and exported as JSON Schema.

One description serves both the first validation pass (types, required and
unknown fields, ranges) and ``diagnosis kb schema`` (a JSON Schema that
editors use for completion and inline errors), so the two cannot disagree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from diagnosis.kb.model import CATEGORIES_5M, SYMPTOM_CATEGORIES, SourcePos
from diagnosis.kb.yamlnodes import REJECTED, PosList, PosMap, Report
from diagnosis.textsafety import find_unsafe, printable

__all__ = ["EQUIPMENT_FILE", "FAULT_TREE_FILE", "ID_PATTERN", "F", "Obj", "json_schema", "validate"]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANG_PATTERN = re.compile(r"^[a-z]{2,3}([-_][A-Za-z]{2,4})?$")


@dataclass(frozen=True)
class F:
    """A field: its kind, whether required, and the item/object spec for containers.

    Kinds: ``id``, ``text``, ``str``, ``code`` (string or number, kept as a
    string), ``number``, ``positive``, ``nonneg``, ``prob`` (open interval
    (0, 1)), ``sod`` (integer 1..10), ``int``, ``bool``, ``state`` (string or
    boolean), ``enum``, ``list``, ``obj``.
    """

    kind: str
    required: bool = False
    item: F | Obj | None = None
    choices: tuple[str, ...] = ()
    min_items: int = 0
    nullable: bool = False
    doc: str = ""
    max_len: int = 0
    """Longest string allowed (0: :data:`MAX_STR`); the store's column sizes come from here."""


@dataclass(frozen=True)
class Obj:
    name: str
    fields: dict[str, F] = field(default_factory=dict)
    doc: str = ""


TEXT = F("text")
_ID = F("id", required=True)

COMPONENT = Obj(
    "component", {"id": _ID, "name": F("text", True), "parent": F("id"), "description": TEXT}
)
EQUIPMENT = Obj(
    "equipment",
    {
        "id": _ID,
        "name": F("text", True),
        "class": F("str"),
        "tag": F("str"),
        "location": F("str"),
        "description": TEXT,
        "components": F("list", item=COMPONENT),
    },
)
SYMPTOM = Obj(
    "symptom",
    {
        "id": _ID,
        "name": F("text", True),
        "category": F("enum", True, choices=SYMPTOM_CATEGORIES),
        "leak": F("prob"),
        "description": TEXT,
    },
)
THRESHOLDS = Obj(
    "thresholds",
    {k: F("number") for k in ("low_critical", "low_alarm", "high_alarm", "high_critical")},
)
REQUIRES = Obj(
    "requires",
    {
        "lockout": F("bool"),
        "habilitation": F("str", nullable=True),
        "ppe": F("list", item=TEXT),
        "procedure": F("id", nullable=True),
    },
)
CHOICE_LABEL = Obj(
    "choice_label",
    {"choice": F("str", True), "name": F("text", True)},
    doc="What a choice of a choice measurement is called, per language.",
)
NEEDED_TOOL = Obj(
    "needed tool",
    {"id": _ID, "name": TEXT},
    doc="A tool or instrument the measurement cannot be taken without (extension).",
)
NEEDED_PART = Obj(
    "needed part",
    {"ref": F("str", True, max_len=80), "name": TEXT},
    doc="A spare part or consumable the measurement cannot be taken without (extension).",
)
NEEDS = Obj(
    "needs",
    {
        "tools": F("list", item=NEEDED_TOOL),
        "parts": F("list", item=NEEDED_PART),
    },
    doc="Extension: what the technician must have at hand to take the measurement. "
    "A technician who lacks one may be handed over (docs/handover.md).",
)
MEASUREMENT = Obj(
    "measurement",
    {
        "id": _ID,
        "name": F("text", True),
        "kind": F("enum", True, choices=("numeric", "boolean", "choice")),
        "unit": F("str", max_len=40),
        "nominal": F("number"),
        "thresholds": F("obj", item=THRESHOLDS),
        "instrument": TEXT,
        "point": TEXT,
        "cost_min": F("nonneg"),
        "choice_labels": F("list", item=CHOICE_LABEL),
        "requires": F("obj", item=REQUIRES),
        "needs": F("obj", item=NEEDS),
        "on_critical": F("id", nullable=True),
        "normal": F("state"),
        "choices": F("list", item=F("str"), min_items=2),
        "description": TEXT,
        "quantity": F(
            "enum",
            choices=("absolute", "difference"),
            doc="'difference' when the value is an interval (actual - setpoint, a rise): "
            "a unit typed is then converted without offset (72 °F difference = 40 K).",
        ),
    },
)
EFFECT = Obj(
    "effect",
    {"p": F("prob", True), "symptom": F("id"), "measurement": F("id"), "state": F("state")},
)
WHY_LINK = Obj(
    "why link",
    {
        "text": F("text", True),
        "measurement": F("id", doc="The measurement whose reading supports this link."),
        "state": F("state", doc="The state of that measurement that supports it."),
        "symptom": F("id", doc="The symptom whose report supports this link."),
    },
    doc="A 5-Why link tied to the evidence that verifies it (extension).",
)
PART = Obj("part", {"ref": F("str", True), "name": TEXT, "qty": F("positive")})
CAUSE = Obj(
    "cause",
    {
        "id": _ID,
        "name": F("text", True),
        "category_5m": F("enum", True, choices=CATEGORIES_5M),
        "prior": F("prob", True),
        "effects": F("list", True, item=EFFECT, min_items=1),
        "component": F("id"),
        "remedy": TEXT,
        "repair_min": F("nonneg"),
        "why": F(
            "list",
            item=F("why"),
            doc="The 5-Why chain, symptom to cause: each link a text, or "
            "{text, measurement[, state] | symptom} naming the evidence that verifies it.",
        ),
        "description": TEXT,
        "validation": TEXT,
        "parts": F("list", item=PART),
        "failure_mode": F("code", max_len=40),
        "mechanism": F("code", max_len=40),
        "cause_class": F("code", max_len=40),
    },
)
CONDITION = Obj(
    "condition",
    {
        "symptom": F("id"),
        "present": F("bool"),
        "measurement": F("id"),
        "state": F("state"),
        "below": F("number"),
        "above": F("number"),
        "finding": F("id", doc="Extension: a named finding that another rule derives"),
    },
)
FINDING = Obj(
    "finding",
    {"id": _ID, "name": F("text", True), "description": TEXT},
    doc="Extension: a named finding, matched by other rules' {finding: ID} conditions",
)
ACTION = Obj(
    "action",
    {
        "exclude": F("list", item=F("id")),
        "alert": F("id"),
        "suggest": F("list", item=F("id")),
        "note": TEXT,
        "derive": F(
            "list",
            item=FINDING,
            doc="Extension: named findings this rule establishes (other rules use them)",
        ),
    },
)
RULE = Obj(
    "rule",
    {
        "id": _ID,
        "when": F("list", True, item=CONDITION, min_items=1),
        "then": F("obj", True, item=ACTION),
        "description": TEXT,
    },
)
PROCEDURE = Obj(
    "procedure",
    {
        "id": _ID,
        "kind": F("enum", True, choices=("alert", "safeguard", "lockout")),
        "name": F("text", True),
        "steps": F("list", True, item=F("text", True), min_items=1),
        "stop_machine": F("bool"),
        "description": TEXT,
    },
)
FMEA = Obj(
    "fmea line",
    {
        "id": _ID,
        "cause": F("id", True),
        "severity": F("sod", True),
        "occurrence": F("sod", True),
        "detection": F("sod", True),
        "component": F("id"),
        "function": TEXT,
        "failure_mode": TEXT,
        "effect": TEXT,
        "detection_method": TEXT,
        "actions": F("list", item=TEXT),
    },
)
GATE = Obj(
    "gate",
    {
        "id": _ID,
        "type": F("enum", True, choices=("and", "or", "atleast", "not", "xor", "nand", "nor")),
        "inputs": F("list", True, item=F("id"), min_items=1),
        "k": F("int"),
        "name": TEXT,
    },
)
EVENT = Obj(
    "event",
    {
        "id": _ID,
        "probability": F("prob"),
        "rate": F("positive"),
        "time": F("positive"),
        "house": F("bool"),
        "state": F("bool"),
        "cause": F("id"),
        "name": TEXT,
    },
)
FAULT_TREE = Obj(
    "fault tree",
    {
        "id": _ID,
        "top": F("id", True),
        "gates": F("list", True, item=GATE),
        "events": F("list", True, item=EVENT),
        "equipment": F("id"),
        "name": TEXT,
        "description": TEXT,
    },
)
_FORMAT = F("int", True, doc="Format version: 1")
EQUIPMENT_FILE = Obj(
    "file",
    {
        "format": _FORMAT,
        "equipment": F("obj", item=EQUIPMENT),
        "symptoms": F("list", item=SYMPTOM),
        "measurements": F("list", item=MEASUREMENT),
        "causes": F("list", item=CAUSE),
        "rules": F("list", item=RULE),
        "procedures": F("list", item=PROCEDURE),
        "fmea": F("list", item=FMEA),
    },
)
FAULT_TREE_FILE = Obj("file", {"format": _FORMAT, "fault_tree": F("obj", True, item=FAULT_TREE)})


def _label(obj: Obj, value: PosMap) -> str:
    ident = value.get("id")
    return f"{obj.name} '{ident}'" if isinstance(ident, str | int) and ident != "" else obj.name


def validate(
    obj: Obj, value: Any, where: SourcePos, report: Report, dropped: set[str] | None = None
) -> PosMap | None:
    """Check ``value`` against ``obj``; return it with bad fields removed.

    Returns None when the value is not a mapping or a required field is
    missing or invalid (the entity is dropped; the problem was reported).
    The ids of dropped entities go into ``dropped``, so that the second pass
    does not report references to them as dangling: one mistake, one message.
    """
    if value is REJECTED:
        return None
    if not isinstance(value, PosMap):
        report(where, f"{obj.name}: expected a mapping, got {_type_name(value)}")
        return None
    label = _label(obj, value)
    keep = True
    for key in list(value):
        spec = obj.fields.get(key)
        if spec is None:
            report(value.key_pos[key], f"{label}: unknown field '{key}'{_suggest(key, obj)}")
            del value[key]
            continue
        field_label = obj.name if key == "id" else f"{label}: {key}"
        raw = value[key]
        checked, ok = _check(spec, raw, value.value_pos[key], field_label, report, dropped)
        if ok:
            value[key] = checked
        elif spec.required and _out_of_range(spec, raw):
            # A required number out of its range (a prior of 1.5) is reported above and
            # kept, so that the reference pass still checks the entity: one run reports
            # every problem (the KB is refused anyway).
            value[key] = float(raw)
        else:
            del value[key]
            keep = keep and not spec.required
    for key, spec in obj.fields.items():
        if spec.required and key not in value.key_pos:
            report(value.pos, f"{label}: missing required field '{key}'")
            keep = False
    if not keep and dropped is not None and isinstance(value.get("id"), str):
        dropped.add(value["id"])
    return value if keep else None


MAX_STR = 200
"""Longest short string (``class``, ``tag``…): the store's ``varchar(200)``."""
MAX_ID = 100
"""Longest id: a choice id is stored as a reading's state, a ``varchar(100)``."""


def _short(spec: F, text: str, pos: SourcePos, label: str, report: Report) -> bool:
    limit = spec.max_len or MAX_STR
    if len(text) <= limit:
        return True
    report(pos, f"{label}: longer than {limit} characters ({len(text)})")
    return False


def _safe_text(text: str, pos: SourcePos, label: str, report: Report) -> bool:
    """Refuse control and bidi characters (they can hide a safety text on a terminal)."""
    bad = find_unsafe(text)
    if bad is None:
        return True
    report(
        pos,
        f"{label}: contains the control character {bad} "
        "(terminal escape or bidirectional override); remove it",
    )
    return False
def _out_of_range(spec: F, raw: Any) -> bool:
    """``raw`` is a finite number refused only for its range (prob, positive, nonneg, sod)."""
    return (
        spec.kind in ("prob", "positive", "nonneg", "sod")
        and isinstance(raw, int | float)
        and not isinstance(raw, bool)
        and math.isfinite(float(raw))
    )


def _suggest(key: str, obj: Obj) -> str:
    import difflib

    close = difflib.get_close_matches(key, obj.fields, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _check(
    spec: F,
    value: Any,
    pos: SourcePos,
    label: str,
    report: Report,
    dropped: set[str] | None = None,
) -> tuple[Any, bool]:
    """Validate one field value; returns (normalised value, ok)."""
    if value is REJECTED:
        return None, False
    if value is None:
        if spec.nullable:
            return None, True
        report(pos, f"{label}: value is missing")
        return None, False
    kind = spec.kind

    def bad(expected: str) -> tuple[Any, bool]:
        report(pos, f"{label}: expected {expected}, got {_type_name(value)}")
        return None, False

    if kind == "id":
        if isinstance(value, bool) or not isinstance(value, str | int):
            return bad("an identifier")
        text = str(value)
        if text.startswith("_"):
            report(pos, f"{label}: id '{text}' is reserved for the engine (ids starting with _)")
            return None, False
        if not ID_PATTERN.match(text):
            report(
                pos,
                f"{label}: '{printable(text)}' is not a valid id (lowercase letters, digits, - and _)",
            )
            return None, False
        if len(text) > MAX_ID:
            report(pos, f"{label}: id longer than {MAX_ID} characters")
            return None, False
        return text, True
    if kind == "text":
        if isinstance(value, str):
            if not _safe_text(value, pos, label, report):
                return None, False
            if spec.required and not value.strip():
                report(pos, f"{label}: text is empty")
                return None, False
            return value, True
        if isinstance(value, dict) and value:
            for lang, text in value.items():
                if not LANG_PATTERN.match(str(lang)):
                    report(pos, f"{label}: '{printable(str(lang))}' is not a language code (en, fr…)")
                    return None, False
                if not isinstance(text, str):
                    report(pos, f"{label}.{lang}: expected a string, got {_type_name(text)}")
                    return None, False
                if not _safe_text(text, pos, f"{label}.{lang}", report):
                    return None, False
            if spec.required and not any(str(t).strip() for t in value.values()):
                report(pos, f"{label}: text is empty")
                return None, False
            return dict(value), True
        return bad("text (a string or {en: ..., fr: ...})")
    if kind == "why":
        if isinstance(value, dict) and "text" in value:
            checked = validate(WHY_LINK, value, pos, report, dropped)
            return checked, checked is not None
        return _check(F("text", True), value, pos, label, report)  # an empty link says nothing
    if kind in ("str", "enum"):
        if not isinstance(value, str) or isinstance(value, bool):
            return bad("a string")
        if not _safe_text(value, pos, label, report) or not _short(spec, value, pos, label, report):
            return None, False
        if kind == "enum" and value not in spec.choices:
            report(pos, f"{label}: '{value}' is not one of {', '.join(spec.choices)}")
            return None, False
        return value, True
    if kind == "code":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return bad("a code")
        if not _safe_text(str(value), pos, label, report):
            return None, False
        if not _short(spec, str(value), pos, label, report):
            return None, False
        return str(value), True
    if kind == "state":
        if isinstance(value, bool):
            return ("true" if value else "false"), True
        if isinstance(value, str | int | float):
            return str(value), True
        return bad("a state")
    if kind == "bool":
        if not isinstance(value, bool):
            return bad("true or false")
        return value, True
    if kind in ("number", "positive", "nonneg", "prob", "int", "sod"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return bad("a number")
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            report(pos, f"{label} {value} is not a finite number")
            return None, False
        if kind == "prob" and not 0.0 < number < 1.0:
            report(pos, f"{label} {value} is not in (0, 1)")
            return None, False
        if kind == "positive" and number <= 0:
            report(pos, f"{label} {value} must be greater than 0")
            return None, False
        if kind == "nonneg" and number < 0:
            report(pos, f"{label} {value} must not be negative")
            return None, False
        if kind in ("int", "sod"):
            if number != int(number):
                return bad("an integer")
            if kind == "sod" and not 1 <= number <= 10:
                report(pos, f"{label} {value} is not in 1..10")
                return None, False
            return int(number), True
        return number, True
    if kind == "list":
        if not isinstance(value, PosList):
            return bad("a list")
        if len(value) < spec.min_items:
            report(
                pos,
                f"{label}: needs at least {spec.min_items} item{'s' if spec.min_items > 1 else ''}",
            )
            return None, False
        out = PosList()
        out.pos, out.item_pos = value.pos, []
        for item, ipos in zip(value, value.item_pos, strict=True):
            assert spec.item is not None
            if isinstance(spec.item, Obj):
                checked = validate(spec.item, item, ipos, report, dropped)
                ok = checked is not None
            else:
                checked, ok = _check(spec.item, item, ipos, label, report)
            if ok:
                out.append(checked)
                out.item_pos.append(ipos)
        return out, True
    if kind == "obj":
        assert isinstance(spec.item, Obj)
        checked = validate(spec.item, value, pos, report, dropped)
        return checked, checked is not None
    if isinstance(value, date | datetime):
        return value, True
    return value, True


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for equipment files and fault-tree files."""
    defs: dict[str, Any] = {}

    def ref(obj: Obj) -> dict[str, Any]:
        key = obj.name.replace(" ", "_")
        if key not in defs:
            defs[key] = {}
            props = {name: field_schema(spec) for name, spec in obj.fields.items()}
            defs[key] = {
                "type": "object",
                "additionalProperties": False,
                "properties": props,
                "required": [n for n, s in obj.fields.items() if s.required],
            }
        return {"$ref": f"#/$defs/{key}"}

    def field_schema(spec: F) -> dict[str, Any]:
        out: dict[str, Any]
        text = {
            "oneOf": [
                {"type": "string"},
                {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}},
            ]
        }
        simple: dict[str, dict[str, Any]] = {
            "id": {"type": "string", "pattern": ID_PATTERN.pattern},
            "text": text,
            "str": {"type": "string"},
            "code": {"type": ["string", "number"]},
            "number": {"type": "number"},
            "positive": {"type": "number", "exclusiveMinimum": 0},
            "nonneg": {"type": "number", "minimum": 0},
            "prob": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "int": {"type": "integer"},
            "sod": {"type": "integer", "minimum": 1, "maximum": 10},
            "bool": {"type": "boolean"},
            "state": {"type": ["string", "boolean", "number"]},
        }
        if spec.kind == "why":
            out = {"anyOf": [text, ref(WHY_LINK)]}
        elif spec.kind in simple:
            out = dict(simple[spec.kind])
            if spec.kind in ("str", "code") and spec.max_len:
                out["maxLength"] = spec.max_len
        elif spec.kind == "enum":
            out = {"enum": list(spec.choices)}
        elif spec.kind == "list":
            assert spec.item is not None
            item = ref(spec.item) if isinstance(spec.item, Obj) else field_schema(spec.item)
            out = {"type": "array", "items": item}
            if spec.min_items:
                out["minItems"] = spec.min_items
        else:
            assert isinstance(spec.item, Obj)
            out = ref(spec.item)
        if spec.nullable:
            out = {"anyOf": [out, {"type": "null"}]}
        if spec.doc:
            out["description"] = spec.doc
        return out

    equipment_file = ref(EQUIPMENT_FILE)
    defs["fault_tree_file"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "fault_tree"],
        "properties": {"format": {"const": 1}, "fault_tree": ref(FAULT_TREE)},
    }
    defs["file"]["properties"]["format"] = {"const": 1, "description": "Format version: 1"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://diagnosis.local/schema/kb-format-1.json",
        "title": "Diagnosis knowledge base, format 1",
        "description": "An equipment file (knowledge_base/*.yaml) or a fault-tree file "
        "(fault_trees/*.yaml).",
        "oneOf": [equipment_file, {"$ref": "#/$defs/fault_tree_file"}],
        "$defs": defs,
    }
