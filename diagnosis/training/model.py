"""Training exercises: the YAML format, its loader (``file:line`` errors) and its JSON Schema.

An exercise (one file in ``exercises/``, documented in ``docs/training.md``)
hides one cause (two for advanced exercises, or one outside the KB) on an
equipment of the knowledge base; the simulated machine answers the
trainee's measurements as that cause makes it answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from diagnosis.bayes.evidence import UNKNOWN
from diagnosis.errors import UsageError
from diagnosis.i18n import Text
from diagnosis.kb.model import CATEGORIES_5M, KnowledgeBase
from diagnosis.session.events import ProblemStatement

__all__ = [
    "LEVELS",
    "MODES",
    "Colleague",
    "Exercise",
    "bundled_exercise_dir",
    "compose_yaml",
    "exercise_schema",
    "find_exercise",
    "load_exercise",
    "load_exercises",
]

LEVELS = ("easy", "medium", "hard")
MODES = ("learning", "exam")
_PROBLEM_KEYS = ("who", "what", "where", "when", "how", "why", "how_much")
_TOP_KEYS = (
    "id",
    "title",
    "level",
    "equipment",
    "causes",
    "outside_kb",
    "symptoms",
    "absent_symptoms",
    "problem",
    "readings",
    "trainee",
    "time_budget_min",
    "objectives",
    "category_5m",
    "mode",
)


def bundled_exercise_dir() -> Path:
    """The exercises shipped with the program (``exercises/`` beside ``knowledge_base/``).

    In the repository ``diagnosis/data/exercises`` links to the top-level
    folder; a wheel carries the folder itself (``importlib.resources``).
    """
    from importlib import resources

    return Path(str(resources.files("diagnosis.data").joinpath("exercises")))


@dataclass(frozen=True)
class Colleague:
    """A habilitated colleague at hand in an exercise: he takes what the trainee may not."""

    name: str
    habilitations: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    Attributes:
        causes: the hidden KB causes (empty when the cause is outside the KB).
        outside_kb: the description of a hidden cause the KB does not hold
            (the expected conclusion is then ``_unknown``).
        readings: measurement id -> raw answer given explicitly (overrides the simulation).
        unavailable: measurements the machine answers *not available*.
        critical: simulated values beyond the critical thresholds.
        noise: relative instrument noise of generated numeric readings (never changes a state).
        seed: the noise's seed.
        habilitations: the trainee's habilitations in this exercise (NF C18-510).
        colleagues: habilitated colleagues at hand (``trainee.colleagues``): a
            measurement the trainee's habilitations do not cover is taken by
            the first one whose habilitation covers it (no deduction).
    """

    id: str
    title: Text
    level: str
    equipment: str
    causes: tuple[str, ...]
    symptoms: tuple[str, ...]
    absent_symptoms: tuple[str, ...] = ()
    outside_kb: Text = field(default_factory=lambda: Text(()))
    problem: Mapping[str, Text] = field(default_factory=dict)
    readings: Mapping[str, str | float | bool | None] = field(default_factory=dict)
    unavailable: tuple[str, ...] = ()
    critical: bool = False
    noise: float = 0.0
    seed: int = 0
    habilitations: tuple[str, ...] = ()
    colleagues: tuple[Colleague, ...] = ()
    time_budget_min: float = 60.0
    objectives: tuple[Text, ...] = ()
    category_5m: str | None = None
    mode: str = "learning"
    path: str = ""

    @property
    def expected(self) -> tuple[str, ...]:
        """The root causes a correct conclusion may name."""
        return self.causes if self.causes else (UNKNOWN,)

    def problem_statement(self, lang: str) -> ProblemStatement:
        return ProblemStatement(**{k: self.problem[k].get(lang) for k in self.problem})

    def expected_category(self, kb: KnowledgeBase) -> str | None:
        if self.category_5m:
            return self.category_5m
        if len(self.causes) == 1:
            return kb.equipment(self.equipment).cause(self.causes[0]).category_5m
        return None

    def summary(self, lang: str = "en") -> dict[str, Any]:
        return {
            "id": self.id,
            "equipment": self.equipment,
            "level": self.level,
            "title": self.title.get(lang),
            "path": self.path,
        }


class _Src:
    """Values of a composed YAML document with the line of each node."""

    def __init__(self, path: Path, lang: str) -> None:
        self.path = path
        self.lang = lang

    def error(self, node: yaml.Node | None, msg: str, **kw: object) -> UsageError:
        line = node.start_mark.line + 1 if node is not None else 0
        col = node.start_mark.column + 1 if node is not None else 0
        return UsageError(code=f"training.load.{msg}", where=f"{self.path}:{line}:{col}: ", **kw)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, "not_mapping", what=what)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise self.error(k, "not_mapping", what=what)
            if k.value in out:
                raise self.error(k, "duplicate", name=k.value)
            out[str(k.value)] = (k, v)
        return out

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, "not_scalar")
        return yaml.SafeLoader("").construct_object(node)

    def string(self, node: yaml.Node) -> str:
        value = self.scalar(node)
        if not isinstance(value, str | int | float) or isinstance(value, bool) or value == "":
            raise self.error(node, "not_string")
        return str(value)

    def strings(self, node: yaml.Node) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.string(node),)
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, "not_list")
        return tuple(self.string(n) for n in node.value)

    def text(self, node: yaml.Node) -> Text:
        if isinstance(node, yaml.ScalarNode):
            return Text.of(self.string(node))
        values = self.mapping(node, "text")
        for lang, (k, _) in values.items():
            if lang not in ("en", "fr"):
                raise self.error(k, "bad_lang", language=lang)
        return Text.of({lang: self.string(v) for lang, (_, v) in values.items()})

    def number(self, node: yaml.Node, minimum: float = 0.0) -> float:
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.error(node, "not_number", minimum=minimum)
        return float(value)


def compose_yaml(path: Path, *, column: bool = True) -> yaml.Node | None:
    """The YAML node tree of a training file (exercise or actions), positions kept.

    Raises:
        UsageError: unreadable file, or a YAML error named ``file:line:column:``
            (``file:line:`` without ``column``).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            code="training.load.unreadable", where=f"{path}: ", reason=exc.__class__.__name__
        ) from exc
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = str(mark.line + 1 if mark is not None else 0)
        if column:
            where += f":{mark.column + 1 if mark is not None else 0}"
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(
            code="training.load.yaml_error", where=f"{path}:{where}: ", problem=what
        ) from exc


def load_exercise(
    path: str | Path, kb: KnowledgeBase | None = None, lang: str = "en"
) -> Exercise:
    """Load and check one exercise file.

    Args:
        path: the YAML file.
        kb: when given, every id is checked against it (equipment, causes,
            symptoms, measurements, values).
        lang: language of the answers written in the exercise (``fr``: decimal commas).

    Raises:
        UsageError: a one-line message naming ``file:line:column`` and the problem.
    """
    path = Path(path)
    src = _Src(path, lang)
    root = compose_yaml(path)
    if root is None:
        raise UsageError(code="training.load.empty", where=f"{path}:1:1: ")
    top = src.mapping(root, "exercise")
    if "exercise" in top and len(top) == 1:
        root = top["exercise"][1]
        top = src.mapping(root, "exercise")
    for key, (knode, _) in top.items():
        if key not in _TOP_KEYS:
            raise src.error(knode, "unknown_key", name=key, known=", ".join(_TOP_KEYS))
    for key in ("id", "title", "level", "equipment", "symptoms"):
        if key not in top:
            raise src.error(root, "missing_key", name=key)
    if "causes" not in top and "outside_kb" not in top:
        raise src.error(root, "missing_cause")

    def node(key: str) -> yaml.Node:
        return top[key][1]

    level = src.string(node("level"))
    if level not in LEVELS:
        raise src.error(node("level"), "bad_choice", value=level, choices=", ".join(LEVELS))
    mode = src.string(node("mode")) if "mode" in top else "learning"
    if mode not in MODES:
        raise src.error(node("mode"), "bad_choice", value=mode, choices=", ".join(MODES))
    problem: dict[str, Text] = {}
    if "problem" in top:
        for key, (knode, vnode) in src.mapping(node("problem"), "problem").items():
            if key not in _PROBLEM_KEYS:
                raise src.error(knode, "unknown_key", name=key, known=", ".join(_PROBLEM_KEYS))
            problem[key] = src.text(vnode)
    readings: dict[str, str | float | bool | None] = {}
    reading_nodes: dict[str, yaml.Node] = {}
    unavailable: tuple[str, ...] = ()
    critical, noise, seed = False, 0.0, 0
    if "readings" in top:
        rmap = src.mapping(node("readings"), "readings")
        for key, (knode, vnode) in rmap.items():
            if key == "values":
                for mid, (mk, mv) in src.mapping(vnode, "values").items():
                    value = src.scalar(mv)
                    if isinstance(value, int) and not isinstance(value, bool):
                        value = float(value)
                    readings[mid] = value
                    reading_nodes[mid] = mk
            elif key == "unavailable":
                unavailable = src.strings(vnode)
            elif key == "critical":
                flag = src.scalar(vnode)
                if not isinstance(flag, bool):
                    raise src.error(vnode, "not_bool")
                critical = flag
            elif key == "noise":
                noise = src.number(vnode)
                if noise > 0.5:
                    raise src.error(vnode, "bad_noise")
            elif key == "seed":
                seed = int(src.number(vnode))
            else:
                raise src.error(
                    knode,
                    "unknown_key",
                    key=key,
                    known="values, unavailable, critical, noise, seed",
                )
    habilitations: tuple[str, ...] = ()
    colleagues: list[Colleague] = []
    if "trainee" in top:
        for key, (knode, vnode) in src.mapping(node("trainee"), "trainee").items():
            if key == "colleagues":
                colleagues = [_colleague(src, n) for n in _items(src, vnode)] if not _is_empty(vnode) else []
                continue
            if key != "habilitations":
                raise src.error(knode, "unknown_key", name=key, known="habilitations, colleagues")
            habilitations = src.strings(vnode) if not _is_empty(vnode) else ()
    category = None
    if "category_5m" in top:
        category = src.string(node("category_5m"))
        if category not in CATEGORIES_5M:
            raise src.error(
                node("category_5m"), "bad_choice", value=category, choices=", ".join(CATEGORIES_5M)
            )
    causes = src.strings(node("causes")) if "causes" in top and not _is_empty(node("causes")) else ()
    if len(causes) > 2:
        raise src.error(node("causes"), "too_many_causes")
    exercise = Exercise(
        id=src.string(node("id")),
        title=src.text(node("title")),
        level=level,
        equipment=src.string(node("equipment")),
        causes=causes,
        symptoms=src.strings(node("symptoms")),
        absent_symptoms=src.strings(node("absent_symptoms"))
        if "absent_symptoms" in top and not _is_empty(node("absent_symptoms"))
        else (),
        outside_kb=src.text(node("outside_kb")) if "outside_kb" in top else Text(()),
        problem=problem,
        readings=readings,
        unavailable=unavailable,
        critical=critical,
        noise=noise,
        seed=seed,
        habilitations=habilitations,
        colleagues=tuple(colleagues),
        time_budget_min=src.number(node("time_budget_min"), 1.0)
        if "time_budget_min" in top
        else 60.0,
        objectives=tuple(src.text(n) for n in _items(src, node("objectives")))
        if "objectives" in top
        else (),
        category_5m=category,
        mode=mode,
        path=str(path),
    )
    if causes and exercise.outside_kb:
        raise src.error(node("outside_kb"), "cause_and_outside")
    if not exercise.symptoms:
        raise src.error(node("symptoms"), "no_symptom")
    if kb is not None:
        _check_against_kb(src, exercise, kb, top, reading_nodes)
    return exercise


def _colleague(src: _Src, node: yaml.Node) -> Colleague:
    """``{name: N, habilitations: [BR]}`` (``habilitation: BR`` also accepted)."""
    fields = src.mapping(node, "colleague")
    for key, (knode, _) in fields.items():
        if key not in ("name", "habilitations", "habilitation"):
            raise src.error(knode, "unknown_key", name=key, known="name, habilitations")
    if "name" not in fields:
        raise src.error(node, "missing_key", name="name")
    held: tuple[str, ...] = ()
    for key in ("habilitations", "habilitation"):
        if key in fields and not _is_empty(fields[key][1]):
            held += src.strings(fields[key][1])
    if not held:
        raise src.error(node, "missing_key", name="habilitations")
    return Colleague(src.string(fields["name"][1]), held)


def _is_empty(node: yaml.Node) -> bool:
    return (isinstance(node, yaml.SequenceNode) and not node.value) or (
        isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")
    )


def _items(src: _Src, node: yaml.Node) -> Sequence[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise src.error(node, "not_list")
    return list(node.value)


def _check_against_kb(
    src: _Src,
    ex: Exercise,
    kb: KnowledgeBase,
    top: Mapping[str, tuple[yaml.Node, yaml.Node]],
    reading_nodes: Mapping[str, yaml.Node],
) -> None:
    from diagnosis.errors import SessionError
    from diagnosis.rules import interpret

    try:
        eq = kb.equipment(ex.equipment)
    except KeyError:
        raise src.error(
            top["equipment"][1],
            "unknown_id",
            kind="equipment",
            id=ex.equipment,
            equipment="-",
        ) from None
    for kind, key, ids in (
        ("cause", "causes", ex.causes),
        ("symptom", "symptoms", ex.symptoms),
        ("symptom", "absent_symptoms", ex.absent_symptoms),
        ("measurement", "readings", ex.unavailable),
    ):
        for cid in ids:
            if not eq.has(kind, cid):
                raise src.error(top[key][1], "unknown_id", kind=kind, id=cid, equipment=eq.id)
    for mid, value in ex.readings.items():
        knode = reading_nodes[mid]
        if not eq.has("measurement", mid):
            raise src.error(knode, "unknown_id", kind="measurement", id=mid, equipment=eq.id)
        try:
            interpret(eq.measurement(mid), value, src.lang)
        except SessionError as exc:
            raise src.error(knode, "bad_value", problem=exc) from exc


def load_exercises(
    folder: str | Path | None = None, kb: KnowledgeBase | None = None, lang: str = "en"
) -> list[Exercise]:
    """Every ``*.yaml`` exercise of ``folder`` (default: the bundled one), sorted by id.

    Raises:
        UsageError: a file is invalid, two files share an id, or the folder does not exist.
    """
    root = Path(folder) if folder is not None else bundled_exercise_dir()
    if not root.is_dir():
        raise UsageError(code="training.load.no_folder", folder=str(root))
    out: dict[str, Exercise] = {}
    for path in sorted([*root.glob("*.yaml"), *root.glob("*.yml")]):
        ex = load_exercise(path, kb, lang)
        if ex.id in out:
            raise UsageError(
                code="training.load.duplicate_id",
                where=f"{path}:1:1: ",
                id=ex.id,
                other=out[ex.id].path,
            )
        out[ex.id] = ex
    return sorted(out.values(), key=lambda e: (e.equipment, LEVELS.index(e.level), e.id))


def find_exercise(
    ref: str, kb: KnowledgeBase | None = None, folder: str | Path | None = None, lang: str = "en"
) -> Exercise:
    """An exercise by file path or by id (searched in ``folder``, default the bundled one).

    Raises:
        UsageError: no such file or id, or an invalid file.
    """
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if not candidate.is_file():
            raise UsageError(code="training.load.no_file", path=ref)
        return load_exercise(candidate, kb, lang)
    for ex in load_exercises(folder, kb, lang):
        if ex.id == ref:
            return ex
    raise UsageError(code="training.load.unknown_exercise", id=ref)


def exercise_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an exercise file."""
    text = {
        "oneOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "properties": {"en": {"type": "string"}, "fr": {"type": "string"}},
                "additionalProperties": False,
                "minProperties": 1,
            },
        ]
    }
    ids = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://diagnosis.example/schemas/exercise.json",
        "title": "diagnosis training exercise",
        "description": "One exercise file of exercises/ (docs/training.md). The document "
        "may also be wrapped in a top-level 'exercise:' key.",
        "type": "object",
        "required": ["id", "title", "level", "equipment", "symptoms"],
        "anyOf": [{"required": ["causes"]}, {"required": ["outside_kb"]}],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "description": "Unique exercise id."},
            "title": text,
            "level": {"enum": list(LEVELS)},
            "equipment": {"type": "string", "description": "Equipment id of the KB."},
            "causes": {
                **ids,
                "description": "Hidden cause id(s) of the equipment: one, two for advanced.",
            },
            "outside_kb": {
                **text,
                "description": "A hidden cause the KB does not hold; the expected "
                "conclusion is then _unknown.",
            },
            "symptoms": {**ids, "description": "Reported symptom ids."},
            "absent_symptoms": ids,
            "problem": {
                "type": "object",
                "description": "QQOQCP problem statement.",
                "properties": {k: text for k in _PROBLEM_KEYS},
                "additionalProperties": False,
            },
            "readings": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "values": {
                        "type": "object",
                        "description": "measurement id -> value given explicitly "
                        "(number in the unit, '4,2 bar', true/false, a choice, null).",
                        "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
                    },
                    "unavailable": ids,
                    "critical": {
                        "type": "boolean",
                        "description": "Generate values beyond the critical thresholds.",
                    },
                    "noise": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 0.5,
                        "description": "Relative instrument noise (never changes a state).",
                    },
                    "seed": {"type": "integer"},
                },
            },
            "trainee": {
                "type": "object",
                "properties": {
                    "habilitations": ids,
                    "colleagues": {
                        "type": "array",
                        "description": "Habilitated colleagues at hand: a measurement the "
                        "trainee's habilitations do not cover is taken by one of them.",
                        "items": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {
                                "name": {"type": "string", "minLength": 1},
                                "habilitations": ids,
                                "habilitation": {"type": "string"},
                            },
                            "additionalProperties": False,
                        },
                    },
                },
                "additionalProperties": False,
            },
            "time_budget_min": {"type": "number", "minimum": 1},
            "objectives": {"type": "array", "items": text},
            "category_5m": {"enum": list(CATEGORIES_5M)},
            "mode": {"enum": list(MODES)},
        },
    }
