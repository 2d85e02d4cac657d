"""Where readings come from: a person, an answers file, a simulated machine.

The session does not care who measures: :func:`~diagnosis.session.runner.run_session`
asks a :class:`ReadingSource` for each proposed measurement. The TUI asks
the technician (:class:`PersonSource` wraps any prompt callable),
``diagnosis run`` reads an :class:`AnswersFile`, and the trainer mode and the
tests read a :class:`SimulatedMachine` that hides one (or several) causes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, cast

import yaml

from diagnosis.errors import SessionError, UsageError
from diagnosis.kb.model import EquipmentKB, Measurement
from diagnosis.kb.yamllimits import MAX_BYTES, read_bounded, scan_limits
from diagnosis.rules import interpret
from diagnosis.rules.interpret import is_lacking
from diagnosis.textsafety import find_unsafe, printable

__all__ = ["AnswersFile", "PersonSource", "ReadingSource", "SimulatedMachine", "value_for_state"]

Raw = str | float | bool | None

# the core-schema tags an answer may carry (explicit ``!!str`` included); others are refused
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_MAX_ANSWER = 200
"""Longest answer text (the store keeps the raw text; no reading is that long)."""


class ReadingSource(Protocol):
    """A pluggable source of readings; ``None`` means *not available*."""

    def read(self, measurement: Measurement) -> Raw: ...


class PersonSource:
    """Readings typed by a person, through any prompt (the TUI, a console)."""

    def __init__(self, prompt: Callable[[Measurement], Raw]) -> None:
        self._prompt = prompt

    def read(self, measurement: Measurement) -> Raw:
        return self._prompt(measurement)


class AnswersFile:
    """A YAML mapping ``measurement-id: value`` (cli-contract.md ``--answers``).

    Values are numbers in the measurement's unit (``4.2`` or ``"4,2 bar"``),
    ``true``/``false`` (or yes/no/oui/non), a choice, or ``null`` / ``n/a`` for
    *not available*. A measurement the file does not hold is *not available*.
    A reading taken by a habilitated colleague (a measurement outside the
    technician's habilitations) is written as a mapping:
    ``cv-dc-bus-ripple: {value: 3.1, taken_by: {name: Marc Petit, habilitation: BR}}``.
    A reading the technician is not sure of: ``"?4,2 bar"`` (a leading ``?``)
    or ``{value: 4.2, sure: false}``; it is soft evidence (see
    ``Session.answer``).

    Args:
        path: the file.
        equipment: when given, every id and value is checked against it now.
        lang: language of the answers (``fr`` accepts decimal commas).

    Raises:
        UsageError: unreadable file, YAML error, not a mapping, duplicate or
            unknown measurement id, value that cannot be a reading. The message
            is one line naming ``file:line``.
    """

    def __init__(
        self, path: str | Path, equipment: EquipmentKB | None = None, lang: str = "en"
    ) -> None:
        self.path = Path(path)
        self.lang = lang
        self.values: dict[str, Raw] = {}
        self.lines: dict[str, int] = {}
        self.taken_by: dict[str, tuple[str, str]] = {}  # measurement -> (name, habilitation)
        self.columns: dict[str, int] = {}  # column of each value, for messages
        # ``_lacking: {tools: [...], parts: [...]}``: what the technician lacks from the start
        self.lacking_tools: list[str] = []
        self.lacking_parts: list[str] = []
        self._key_columns: dict[str, int] = {}
        self._load()
        if equipment is not None:
            self.validate(equipment)

    def _error(self, line: int, key: str, column: int | None = None, **kw: object) -> UsageError:
        where = f"{line}:{column}" if column else str(line)
        return UsageError(code=key, where=f"{self.path}:{where}: ", **kw)

    def _load(self) -> None:
        try:
            data = read_bounded(str(self.path))
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else None
            raise UsageError(
                code="session.answers.unreadable",
                where=f"{self.path}: ",
                reason=reason or str(exc).split(":")[0],
            ) from exc
        except ValueError as exc:  # larger than MAX_BYTES (/dev/zero, a log file...)
            raise UsageError(
                code="session.answers.too_large", where=f"{self.path}: ", mb=MAX_BYTES >> 20
            ) from exc
        if "\x00" in text:
            raise UsageError(
                code="session.answers.unreadable", where=f"{self.path}: ", reason="NUL"
            )
        limit = scan_limits(text, max_depth=8, max_values=100_000)
        if limit is not None:
            raise UsageError(
                code="session.answers.yaml_error",
                where=f"{self.path}:{limit.line}:{limit.column}: ",
                problem=limit.message,
            )
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            context = getattr(exc, "context_mark", None)
            if context is not None and "stream end" in problem:
                mark = context  # an unclosed bracket or quote: point where it opened
            line = mark.line + 1 if mark is not None else 0
            column = mark.column + 1 if mark is not None else 0
            raise UsageError(
                code="session.answers.yaml_error",
                where=f"{self.path}:{line}:{column}: ",
                problem=printable(problem),
            ) from exc
        if node is None:
            return
        if not isinstance(node, yaml.MappingNode):
            raise self._error(
                node.start_mark.line + 1, "session.answers.not_mapping", node.start_mark.column + 1
            )
        constructor = yaml.SafeLoader("")
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            doubted = False
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "_lacking":
                self._lacking(value_node, line)
                continue
            if isinstance(key_node, yaml.ScalarNode) and isinstance(value_node, yaml.MappingNode):
                # {value: V, taken_by: {...}} and/or {value: V, sure: false}
                fields = {
                    str(k.value): v for k, v in value_node.value if isinstance(k, yaml.ScalarNode)
                }
                sure_node = fields.get("sure")
                if sure_node is not None:
                    sure = (
                        yaml.SafeLoader("").construct_object(sure_node)
                        if isinstance(sure_node, yaml.ScalarNode)
                        else None
                    )
                    if not isinstance(sure, bool):
                        raise self._error(line, "session.answers.not_scalar", _col(value_node))
                    doubted = not sure
                if "taken_by" in fields:
                    value_node = self._taken_by(str(key_node.value), value_node, line)
                else:
                    inner = fields.get("value")
                    if set(fields) - {"value", "sure"} or not isinstance(inner, yaml.ScalarNode):
                        raise self._error(line, "session.answers.not_scalar", _col(value_node))
                    value_node = inner
            if not isinstance(key_node, yaml.ScalarNode) or not isinstance(
                value_node, yaml.ScalarNode
            ):
                raise self._error(line, "session.answers.not_scalar", _col(value_node))
            key = printable(str(key_node.value))
            if key in self.values or key in self.lines:
                raise self._error(
                    line,
                    "session.answers.duplicate",
                    _col(key_node),
                    measurement=key,
                    first=self.lines[key],
                )
            value = self._scalar(value_node, constructor)
            if doubted and value is not None:
                value = "?" + (_raw_text(value) if not isinstance(value, str) else value)
            self.values[key] = value
            self.lines[key] = line
            self.columns[key] = _col(value_node)
            self._key_columns[key] = _col(key_node)

    def _scalar(self, node: yaml.ScalarNode, constructor: yaml.SafeLoader) -> Raw:
        """One answer: a YAML number, boolean, null, else the text as written."""
        line = node.start_mark.line + 1
        if node.tag not in _PLAIN_TAGS:
            raise self._error(line, "session.answers.bad_tag", _col(node), tag=printable(node.tag))
        raw = str(node.value)
        if len(raw) > _MAX_ANSWER:
            raise self._error(line, "session.answers.too_long", _col(node), n=_MAX_ANSWER)
        try:
            value: Any = constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError):
            value = raw  # 2001-02-30, !!int 1.5: kept as typed, judged by interpret()
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                value = float(value)
            except OverflowError:
                value = raw
        elif not isinstance(value, str | float | bool | type(None)):
            value = raw  # a date: the text as typed
        if isinstance(value, str) and find_unsafe(value) is not None:
            raise self._error(
                line, "session.answers.control_char", _col(node), char=find_unsafe(value)
            )
        return cast(Raw, value)

    def _taken_by(self, key: str, node: yaml.MappingNode, line: int) -> yaml.Node:
        """``{value: V, taken_by: {name: N, habilitation: H}}``: record who, return V's node."""
        fields: dict[str, yaml.Node] = {
            str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)
        }
        taker = fields.get("taken_by")
        value = fields.get("value")
        unknown = set(fields) - {"value", "taken_by", "sure"}
        if value is None or unknown or not isinstance(taker, yaml.MappingNode):
            raise self._error(line, "session.answers.bad_entry", measurement=key)
        who = {
            str(k.value): str(v.value)
            for k, v in taker.value
            if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
        }
        name, hab = who.get("name", "").strip(), who.get("habilitation", "").strip()
        if not name or not hab or set(who) - {"name", "habilitation"}:
            raise self._error(line, "session.answers.bad_taken_by", measurement=key)
        self.taken_by[key] = (name, hab)
        return value

    def _lacking(self, node: yaml.Node, line: int) -> None:
        """``_lacking: {tools: [NAME...], parts: [REF...]}`` (names, ids or refs)."""
        fields: dict[str, yaml.Node] = (
            {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
            if isinstance(node, yaml.MappingNode)
            else {}
        )
        if not fields or set(fields) - {"tools", "parts"}:
            raise self._error(line, "session.answers.bad_lacking", _col(node))
        for name, target in (("tools", self.lacking_tools), ("parts", self.lacking_parts)):
            items = fields.get(name)
            if items is None:
                continue
            if not isinstance(items, yaml.SequenceNode) or not all(
                isinstance(i, yaml.ScalarNode) and str(i.value).strip() for i in items.value
            ):
                raise self._error(line, "session.answers.bad_lacking", _col(items))
            target.extend(printable(str(i.value).strip()) for i in items.value)

    def lacks(self, measurement: Measurement) -> bool:
        """The file answers ``lacking`` for ``measurement``: the technician does not
        have its instrument or part here (``Session.lack_for``)."""
        return is_lacking(measurement, self.values.get(measurement.id))

    def colleagues(self) -> dict[str, tuple[str, ...]]:
        """The colleagues the file names (``taken_by``): name -> habilitations."""
        out: dict[str, tuple[str, ...]] = {}
        for name, hab in self.taken_by.values():
            out[name] = tuple(dict.fromkeys((*out.get(name, ()), hab)))
        return out

    def validate(self, equipment: EquipmentKB) -> None:
        """Check every id and value against ``equipment`` (raises UsageError)."""
        for key, value in self.values.items():
            if not equipment.has("measurement", key):
                raise self._error(
                    self.lines[key],
                    "session.answers.unknown_measurement",
                    self._key_columns.get(key),
                    measurement=key,
                    equipment=equipment.id,
                )
            if isinstance(value, str) and value.strip().startswith("?") and value.strip() != "?":
                value = value.strip()[1:].strip()  # a doubted reading ("not sure")
            if is_lacking(equipment.measurement(key), value):
                continue  # "I don't have the instrument / the part here"
            try:
                interpret(equipment.measurement(key), value, self.lang)
            except SessionError as exc:
                raise self._error(
                    self.lines[key],
                    "session.answers.bad_value",
                    self.columns.get(key),
                    problem=exc,
                ) from exc

    def read(self, measurement: Measurement) -> Raw:
        return self.values.get(measurement.id)


def _col(node: yaml.Node) -> int:
    return int(node.start_mark.column) + 1


def _raw_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def value_for_state(m: Measurement, state: str, *, critical: bool = False) -> Raw:
    """A reading of ``m`` in ``state``, well inside the state's band.

    Numeric: the nominal for ``normal`` (or the middle of the alarm band), the
    middle of the alarm band below/above for ``low``/``high`` (beyond the
    critical threshold when ``critical``). Boolean: True/False. Choice: the id.
    """
    if m.kind == "boolean":
        return state == "true"
    if m.kind == "choice":
        return state
    t = m.thresholds
    lo, hi = t.low_alarm, t.high_alarm
    nominal = m.nominal
    if nominal is None:
        nominal = (lo + hi) / 2 if lo is not None and hi is not None else (lo or hi or 0.0)
    span = max(abs(nominal) * 0.1, 1.0)
    if lo is not None and hi is not None:
        span = max(span, (hi - lo) / 2)
    if state == "normal":
        if (lo is not None and nominal < lo) or (hi is not None and nominal > hi):
            return (lo + hi) / 2 if lo is not None and hi is not None else (lo or hi)
        return nominal
    if state == "low":
        edge_c, edge_a = t.low_critical, t.low_alarm
        if critical and edge_c is not None:
            return _above_floor(m, edge_c - span / 2, edge_c)
        if edge_c is not None and edge_a is not None:
            return (edge_c + edge_a) / 2
        edge = edge_a if edge_a is not None else edge_c
        low = edge if edge is not None else nominal
        return _above_floor(m, low - span / 2, low)
    edge_c, edge_a = t.high_critical, t.high_alarm
    if critical and edge_c is not None:
        return edge_c + span / 2
    if edge_c is not None and edge_a is not None:
        return (edge_c + edge_a) / 2
    edge = edge_a if edge_a is not None else edge_c
    return (edge if edge is not None else nominal) + span / 2


def _above_floor(m: Measurement, value: float, edge: float) -> float:
    """``value``, or halfway between the physical floor and ``edge`` when it is below
    the floor (no simulated insulation resistance of -24 MΩ)."""
    from diagnosis.rules.interpret import physical_floor_of

    floor = physical_floor_of(m)
    if floor is None or value >= floor:
        return value
    return (floor + edge) / 2


class SimulatedMachine:
    """A machine with hidden causes, answering as those causes make it answer.

    Deterministic by default: each measurement shows the state the hidden
    causes produce with probability >= ``threshold`` (the strongest such
    effect wins; precedence by the measurement's state order), else its healthy
    state. With ``rng`` each effect fires with its own probability instead
    (noisy trainer exercises).

    Args:
        equipment: the equipment simulated.
        causes: the hidden cause id(s); none for a healthy machine.
        overrides: measurement id -> raw answer, replacing the simulation.
        unavailable: measurement ids answered *not available*.
        critical: produce values beyond the critical thresholds where they exist.
        threshold: the effect probability from which a state is produced.
        rng: a random generator for noisy readings.
    """

    def __init__(
        self,
        equipment: EquipmentKB,
        causes: str | Iterable[str] = (),
        *,
        overrides: Mapping[str, Raw] | None = None,
        unavailable: Iterable[str] = (),
        critical: bool = False,
        threshold: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        self.equipment = equipment
        self.causes = (causes,) if isinstance(causes, str) else tuple(causes)
        for cid in self.causes:
            if not equipment.has("cause", cid):
                raise SessionError(
                    code="session.error.unknown_cause", cause=cid, equipment=equipment.id
                )
        self.overrides = dict(overrides or {})
        self.unavailable = frozenset(unavailable)
        self.critical = critical
        self.threshold = threshold
        self.rng = rng
        self.asked: list[str] = []

    @property
    def symptoms(self) -> tuple[str, ...]:
        """The symptoms the hidden causes produce (p >= threshold), in KB order."""
        produced = {
            e.symptom
            for cid in self.causes
            for e in self.equipment.cause(cid).effects
            if e.symptom and e.p >= self.threshold
        }
        return tuple(s.id for s in self.equipment.symptoms if s.id in produced)

    def state_of(self, m: Measurement) -> str:
        """The state the hidden causes give ``m``."""
        fired: dict[str, float] = {}
        for cid in self.causes:
            for e in self.equipment.cause(cid).effects:
                if e.measurement != m.id or e.state is None or e.state == m.normal_state:
                    continue
                hit = self.rng.random() < e.p if self.rng is not None else e.p >= self.threshold
                if hit:
                    fired[e.state] = max(fired.get(e.state, 0.0), e.p)
        if not fired:
            return m.normal_state
        if self.rng is not None:
            return next(s for s in m.states if s in fired)
        return max(fired, key=lambda s: (fired[s], -m.states.index(s)))

    def read(self, measurement: Measurement) -> Raw:
        self.asked.append(measurement.id)
        if measurement.id in self.unavailable:
            return None
        if measurement.id in self.overrides:
            return self.overrides[measurement.id]
        return value_for_state(measurement, self.state_of(measurement), critical=self.critical)
