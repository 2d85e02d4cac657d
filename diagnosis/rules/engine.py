"""The experta adapter: a KB's deterministic rules run by a forward-chaining engine.

This is the only module that touches experta objects (imported through
:mod:`diagnosis.rules.shim`). Each equipment's ``rules`` are compiled once
into a ``KnowledgeEngine`` subclass: one experta ``Rule`` per KB rule, whose
patterns are the rule's conditions over two kinds of facts,

* ``SymptomFact(symptom=ID, present=True|False)``: reported present / absent;
* ``ReadingFact(measurement=ID, state=S, value=V, critical=B)``: an answer;
* ``FindingFact(finding=ID)``: a named finding, asserted by a rule whose
  ``then`` has ``derive`` (KB extension) and matched by other rules'
  ``{finding: ID}`` conditions: the engine chains rules forward;

plus one built-in rule, *a critical reading fires its ``on_critical``
procedure*. :meth:`RulesEngine.evaluate` declares the current facts, runs the
engine and returns what fired as a plain :class:`RulesOutcome`: nothing of
experta leaks out, and its exceptions become :class:`~diagnosis.errors.InferenceError`.

Semantics worth knowing:

* A symptom that was neither reported present nor reported absent is
  *unknown*: ``{symptom: X, present: false}`` fires only when X was reported
  absent (excluding a cause because nobody looked is not safe).
* ``below`` / ``above`` compare strictly, on available numeric readings only.
* Safety first: a critical reading whose measurement has no ``on_critical``,
  and a reported *safety*-category symptom that no KB rule alerts on, raise
  the equipment's first ``alert`` procedure (when it has one).
* The outcome is a pure function of the facts. Every pattern is positive
  (a fact is there with these values), so while facts are only added (the
  usual step: one more answer) the engine keeps its working memory and only
  the new facts are declared; when a fact goes or changes (an undo, a
  corrected answer) it is reset and everything is declared again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from diagnosis.errors import InferenceError
from diagnosis.i18n import Text
from diagnosis.kb.model import Condition, EquipmentKB, KnowledgeBase, Procedure
from diagnosis.rules.shim import import_experta

__all__ = ["AlertDue", "Observation", "RulesEngine", "RulesOutcome", "rules_engine"]


@dataclass(frozen=True)
class Observation:
    """One current reading, as the rules see it."""

    measurement: str
    value: float | bool | str | None
    state: str | None
    critical: bool = False


@dataclass(frozen=True)
class AlertDue:
    """A procedure the rules say must be raised.

    Attributes:
        procedure: the procedure id.
        trigger: what fired it: a rule id, a measurement id (critical reading)
            or a symptom id (safety symptom).
        reason: ``"rule"``, ``"critical"`` or ``"safety_symptom"``.
    """

    procedure: str
    trigger: str
    reason: str


@dataclass(frozen=True)
class RulesOutcome:
    """Everything the rules concluded from the current facts (KB order)."""

    excluded: Mapping[str, str] = field(default_factory=dict)  # cause -> rule id
    alerts: tuple[AlertDue, ...] = ()
    suggestions: tuple[tuple[str, str], ...] = ()  # (measurement id, rule id)
    notes: tuple[tuple[str, Text], ...] = ()  # (rule id, text)
    fired: tuple[str, ...] = ()  # rule ids
    findings: tuple[tuple[str, str], ...] = ()  # (finding id, first rule deriving it)


@dataclass
class _Fired:
    rules: set[str] = field(default_factory=set)
    critical: set[str] = field(default_factory=set)


_FactKey = tuple[Any, ...]
_SEEN_MAX = 256


class RulesEngine:
    """The compiled rules of one equipment.

    Args:
        equipment: the equipment's KB part.
        procedures: every procedure id known to the KB (shared ones included).
    """

    def __init__(self, equipment: EquipmentKB, procedures: Mapping[str, Procedure]) -> None:
        self.equipment = equipment
        self.procedures = procedures
        alerts = [p.id for p in equipment.procedures if p.kind == "alert"]
        self.fallback_alert: str | None = alerts[0] if alerts else None
        self._engine_class = _compile(equipment)
        conditions = [c for rule in equipment.rules for c in rule.when]
        self._symptoms_used = frozenset(c.symptom for c in conditions if c.symptom)
        self._measurements_used = frozenset(c.measurement for c in conditions if c.measurement)
        # Building experta's Rete network costs ~50 ms: build it once; keep its
        # working memory while facts are only added (see the module notes).
        self._engine: Any = None
        self._fired = _Fired()
        self._declared: set[_FactKey] = set()
        # What fired, by set of facts (the outcome is a pure function of them): a
        # session start with the same symptoms, or an undo, costs no rule run.
        self._seen: OrderedDict[frozenset[_FactKey], _Fired] = OrderedDict()
        self._run_lock = threading.Lock()

    def evaluate(
        self, symptoms: Mapping[str, bool], observations: Iterable[Observation]
    ) -> RulesOutcome:
        """Run the rules on the current facts.

        Args:
            symptoms: symptom id -> reported present (True) / absent (False).
            observations: the current (available or not) readings.

        Returns:
            What fired, in KB rule order.

        Raises:
            InferenceError: the rule engine failed.
        """
        facts = _fact_classes()
        with self._run_lock:
            return self._evaluate(facts, symptoms, observations)

    def _evaluate(
        self,
        facts: dict[str, Any],
        symptoms: Mapping[str, bool],
        observations: Iterable[Observation],
    ) -> RulesOutcome:
        # Only the facts some rule can match are declared.
        keys: list[_FactKey] = [
            ("symptom", sid, bool(present))
            for sid, present in sorted(symptoms.items())
            if sid in self._symptoms_used
        ]
        keys.extend(
            ("reading", obs.measurement, obs.state, _value_key(obs.value), bool(obs.critical))
            for obs in observations
            if obs.critical or obs.measurement in self._measurements_used
        )
        key = frozenset(keys)
        seen = self._seen.get(key)
        if seen is not None:
            self._seen.move_to_end(key)
            return self._outcome(seen, symptoms)
        try:
            if self._engine is None or not self._declared <= key:
                # First run, or a fact went or changed: start again from no fact.
                if self._engine is None:
                    self._engine = self._engine_class(self._fired)
                self._fired = _Fired()
                self._engine.fired = self._fired
                self._engine.reset()
                self._declared = set()
            new = [k for k in dict.fromkeys(keys) if k not in self._declared]
            if new:  # all at once: experta updates its agenda once per declare call
                self._engine.declare(*(_fact(facts, k) for k in new))
                self._engine.run()
                self._declared.update(new)
        except Exception as exc:  # experta raises bare exceptions of its own
            self._engine, self._declared = None, set()
            raise InferenceError(f"rule engine failed on {self.equipment.id}: {exc}") from exc
        self._seen[key] = _Fired(set(self._fired.rules), set(self._fired.critical))
        while len(self._seen) > _SEEN_MAX:
            self._seen.popitem(last=False)
        return self._outcome(self._fired, symptoms)

    def _outcome(self, fired: _Fired, symptoms: Mapping[str, bool]) -> RulesOutcome:
        excluded: dict[str, str] = {}
        alerts: list[AlertDue] = []
        suggestions: list[tuple[str, str]] = []
        notes: list[tuple[str, Text]] = []
        order: list[str] = []
        findings: dict[str, str] = {}
        alerted_symptoms: set[str] = set()
        for rule in self.equipment.rules:
            if rule.id not in fired.rules:
                continue
            order.append(rule.id)
            for finding in rule.then.derive:
                findings.setdefault(finding.id, rule.id)
            for cause in rule.then.exclude:
                excluded.setdefault(cause, rule.id)
            if rule.then.alert:
                alerts.append(AlertDue(rule.then.alert, rule.id, "rule"))
                alerted_symptoms.update(c.symptom for c in rule.when if c.symptom and c.present)
            suggestions.extend((m, rule.id) for m in rule.then.suggest)
            if rule.then.note:
                notes.append((rule.id, rule.then.note))
        for m in self.equipment.measurements:
            if m.id in fired.critical:
                procedure = m.on_critical or self.fallback_alert
                if procedure:
                    alerts.append(AlertDue(procedure, m.id, "critical"))
        if self.fallback_alert:
            for s in self.equipment.symptoms:
                if (
                    s.category == "safety"
                    and symptoms.get(s.id) is True
                    and s.id not in alerted_symptoms
                ):
                    alerts.append(AlertDue(self.fallback_alert, s.id, "safety_symptom"))
        return RulesOutcome(
            excluded,
            tuple(alerts),
            tuple(suggestions),
            tuple(notes),
            tuple(order),
            tuple(findings.items()),
        )


_lock = threading.Lock()
_FACTS: dict[str, Any] = {}
_ENGINES: dict[tuple[str, int], RulesEngine] = {}


def _fact_classes() -> dict[str, Any]:
    with _lock:
        if not _FACTS:
            ex = import_experta()
            _FACTS["symptom"] = type("SymptomFact", (ex.Fact,), {})
            _FACTS["reading"] = type("ReadingFact", (ex.Fact,), {})
            _FACTS["finding"] = type("FindingFact", (ex.Fact,), {})
        return _FACTS


def _value_key(value: float | bool | str | None) -> tuple[str, float | bool | str | None]:
    """A reading's value in a fact key: 1 and True (or 1.0) must not be the same fact."""
    return (type(value).__name__, value)


def _fact(facts: dict[str, Any], key: _FactKey) -> Any:
    if key[0] == "symptom":
        return facts["symptom"](symptom=key[1], present=key[2])
    _, measurement, state, (_, value), critical = key
    return facts["reading"](measurement=measurement, state=state, value=value, critical=critical)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _pattern(cond: Condition) -> Any:
    ex = import_experta()
    facts = _fact_classes()
    if cond.finding is not None:
        return facts["finding"](finding=cond.finding)
    if cond.symptom is not None:
        return facts["symptom"](symptom=cond.symptom, present=bool(cond.present))
    if cond.state is not None:
        return facts["reading"](measurement=cond.measurement, state=cond.state)
    if cond.below is not None:
        limit = cond.below
        return facts["reading"](
            measurement=cond.measurement, value=ex.P(lambda v: _is_number(v) and v < limit)
        )
    if cond.above is not None:
        limit = cond.above
        return facts["reading"](
            measurement=cond.measurement, value=ex.P(lambda v: _is_number(v) and v > limit)
        )
    raise InferenceError(f"rule condition without a test at {cond.pos}")


def _any_order(agenda: Any, added: Iterable[Any], removed: Iterable[Any]) -> None:
    """The agenda update of a strategy without priorities: every activation fires, in no set order.

    The outcome is read from the set of rules that fired (in KB order), never
    from the firing order, so experta's default depth strategy (which sorts
    the agenda through an ``lru_cache`` over activations: most of a step's
    rule time) buys nothing here.
    """
    for activation in removed:
        if activation in agenda.activations:
            agenda.activations.remove(activation)
    agenda.activations.extend(added)


def _compile(equipment: EquipmentKB) -> Any:
    """Build the KnowledgeEngine subclass holding this equipment's rules."""
    ex = import_experta()
    facts = _fact_classes()

    def init(self: Any, fired: _Fired) -> None:
        ex.KnowledgeEngine.__init__(self)
        self.fired = fired
        # experta finds its DefFacts (the initial fact) with inspect.getmembers at
        # every reset: a third of a reset with this many rules. They never change.
        self._deffacts = ex.KnowledgeEngine.get_deffacts(self)

    def get_deffacts(self: Any) -> list[Any]:
        return list(self._deffacts)

    strategy = type(
        "AnyOrder",
        (ex.abstract.Strategy,),
        {"_update_agenda": lambda self, agenda, added, removed: _any_order(agenda, added, removed)},
    )
    attrs: dict[str, Any] = {
        "__init__": init,
        "__strategy__": strategy,
        "get_deffacts": get_deffacts,
    }

    def make_action(rule_id: str, derive: tuple[str, ...]) -> Callable[[Any], None]:
        def action(self: Any) -> None:
            self.fired.rules.add(rule_id)
            for finding in derive:  # forward chaining: rules matching it fire in this run
                self.declare(facts["finding"](finding=finding))

        action.__name__ = f"kb_rule_{len(attrs)}"
        return action

    for index, rule in enumerate(equipment.rules):
        patterns = [_pattern(c) for c in rule.when]
        derive = tuple(f.id for f in rule.then.derive)
        attrs[f"kb_rule_{index}"] = ex.Rule(*patterns)(make_action(rule.id, derive))

    def critical(self: Any, m: str) -> None:
        self.fired.critical.add(m)

    attrs["builtin_critical"] = ex.Rule(facts["reading"](measurement=ex.MATCH.m, critical=True))(
        critical
    )
    return type(f"Rules_{equipment.id}", (ex.KnowledgeEngine,), attrs)


def rules_engine(kb: KnowledgeBase, equipment_id: str) -> RulesEngine:
    """The (cached) rules engine of one equipment of ``kb``."""
    key = (equipment_id, id(kb))
    with _lock:
        cached = _ENGINES.get(key)
    if cached is not None and cached.equipment is kb.equipment(equipment_id):
        return cached
    engine = RulesEngine(kb.equipment(equipment_id), kb.procedures)
    with _lock:
        while len(_ENGINES) >= 64:
            _ENGINES.pop(next(iter(_ENGINES)))
        _ENGINES[key] = engine
    return engine
