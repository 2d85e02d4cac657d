"""Read Open-PSA Model Exchange Format (MEF) fault trees into a :class:`FaultTree`.

Supported: ``define-fault-tree``, ``define-component`` (public and private,
dotted references such as ``t.E1``), ``define-gate`` with the formulas
``and``, ``or``, ``atleast``, ``not``, ``xor``, ``nand``, ``nor``, nested
formulas (they become anonymous gates named ``<gate>.<n>``), a formula
that is a single reference, typed and untyped references (``gate``,
``basic-event``, ``house-event``, ``event``), ``constant``,
``define-basic-event`` with a ``float`` or an expression, ``define-parameter``,
``define-house-event``, ``model-data``, ``label`` and ``attributes``.
Expressions: numbers, ``parameter``, ``system-mission-time``, arithmetic
(``add``, ``sub``, ``mul``, ``div``, ``neg``, ``pow``, ``exp``, ``log``),
``exponential`` (lambda, t), ``GLM``, ``Weibull``, and the deviates
(``lognormal-deviate``, ``normal-deviate``, ``uniform-deviate``,
``gamma-deviate``, ``beta-deviate``) taken at their mean, as SCRAM's point
estimate does. Anything else is refused with the element and its line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from diagnosis.errors import KnowledgeBaseError, Problem
from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode, HouseEvent, Location
from diagnosis.faulttree.xml_tree import Element, parse_xml

__all__ = ["DEFAULT_MISSION_TIME", "read_mef"]

DEFAULT_MISSION_TIME = 8760.0
"""Hours; the MEF ``system-mission-time`` when the model gives none (SCRAM's default)."""

_CONNECTIVES = {"and", "or", "atleast", "not", "xor", "nand", "nor"}
_REFERENCES = {"gate", "basic-event", "house-event", "event"}
_IGNORED = {"label", "attributes"}


class _MefError(Exception):
    def __init__(self, el: Element, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(el.file, el.line, 0, f"<{el.tag}>: {message}")


@dataclass
class _Def:
    kind: str  # gate | basic | house | parameter
    name: str  # full (scoped) name
    el: Element
    scope: tuple[str, ...]
    label: str = ""


@dataclass
class _State:
    defs: dict[str, _Def] = field(default_factory=dict)
    trees: list[str] = field(default_factory=list)
    gate_order: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_mef(
    paths: Sequence[str | Path],
    *,
    top: str | None = None,
    mission_time: float = DEFAULT_MISSION_TIME,
) -> FaultTree:
    """Read one MEF model, possibly split over several files.

    Args:
        paths: the XML files, read together as one model.
        top: the top gate; default the first gate that no other gate uses.
        mission_time: hours substituted for ``system-mission-time``.

    Returns:
        The fault tree under ``top``; nodes outside it are dropped.

    Raises:
        KnowledgeBaseError: malformed XML, unsupported element, undefined or
            duplicate name, bad value; each problem names file, line and element.
    """
    state = _State()
    for path in paths:
        root = parse_xml(path)
        if root.tag != "opsa-mef":
            raise KnowledgeBaseError(
                [
                    Problem(
                        root.file,
                        root.line,
                        0,
                        f"<{root.tag}>: expected <opsa-mef> as the root element",
                    )
                ]
            )
        for child in root.children:
            _collect(child, (), state, top_level=True)
    if state.problems:
        raise KnowledgeBaseError(state.problems)
    return _Builder(state, mission_time).build(top, paths)


def _collect(el: Element, scope: tuple[str, ...], st: _State, top_level: bool = False) -> None:
    tag = el.tag
    try:
        if tag in ("define-fault-tree", "define-component"):
            name = _name(el)
            inner = scope
            if tag == "define-fault-tree":
                st.trees.append(name)
            elif el.get("role", "public") == "private":
                inner = (*scope, name)
            for child in el.children:
                _collect(child, inner, st)
        elif tag == "model-data":
            for child in el.children:
                _collect(child, (), st)
        elif tag in ("define-gate", "define-basic-event", "define-house-event", "define-parameter"):
            kind = {
                "define-gate": "gate",
                "define-basic-event": "basic",
                "define-house-event": "house",
                "define-parameter": "parameter",
            }[tag]
            if tag == "define-gate" and top_level:
                raise _MefError(el, "a gate must be defined inside <define-fault-tree>")
            name = _name(el)
            full = (
                ".".join((*scope, name)) if el.get("role", "public") == "private" or scope else name
            )
            key = f"{kind}:{full}" if kind == "parameter" else full
            if key in st.defs:
                prev = st.defs[key].el
                raise _MefError(el, f"'{full}' is defined twice (first at {prev.where()})")
            labels = [c.text.strip() for c in el.children if c.tag == "label"]
            st.defs[key] = _Def(kind, full, el, scope, labels[0] if labels else "")
            if kind == "gate":
                st.gate_order.append(full)
        elif tag in _IGNORED:
            return
        else:
            raise _MefError(el, "unsupported element")
    except _MefError as exc:
        st.problems.append(exc.problem)


def _name(el: Element) -> str:
    name = el.get("name")
    if not name:
        raise _MefError(el, "missing 'name' attribute")
    return name


class _Builder:
    """Second pass: resolve references, evaluate expressions, flatten formulas."""

    def __init__(self, st: _State, mission_time: float) -> None:
        self.st = st
        self.mission_time = mission_time
        self.gates: dict[str, GateNode] = {}
        self.basics: dict[str, BasicEvent] = {}
        self.houses: dict[str, HouseEvent] = {}
        self.params: dict[str, float] = {}
        self.evaluating: set[str] = set()
        self.problems: list[Problem] = []

    def build(self, top: str | None, paths: Sequence[str | Path]) -> FaultTree:
        st = self.st
        gates = [d for d in st.defs.values() if d.kind == "gate"]
        if not gates:
            raise KnowledgeBaseError([Problem(str(paths[0]), 0, 0, "no gate defined")])
        for d in gates:
            try:
                self._gate(d)
            except _MefError as exc:
                self.problems.append(exc.problem)
        if self.problems:
            raise KnowledgeBaseError(self.problems)
        used = {i for g in self.gates.values() for i in g.inputs}
        if top is None:
            roots = [g for g in st.gate_order if g not in used]
            top = roots[0] if roots else st.gate_order[0]
        elif top not in self.gates:
            raise KnowledgeBaseError(
                [Problem(str(paths[0]), 0, 0, f"top gate '{top}' is not defined")]
            )
        keep = self._reachable(top)
        first = st.defs[st.gate_order[0]].el
        return FaultTree(
            id=st.trees[0] if st.trees else top,
            top=top,
            gates=tuple(g for g in self.gates.values() if g.id in keep),
            basic_events=tuple(e for e in self.basics.values() if e.id in keep),
            house_events=tuple(h for h in self.houses.values() if h.id in keep),
            name=st.trees[0] if st.trees else "",
            loc=Location(first.file, first.line),
        )

    def _reachable(self, top: str) -> set[str]:
        seen: set[str] = set()
        stack = [top]
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                if n in self.gates:
                    stack.extend(self.gates[n].inputs)
        return seen

    # -- formulas ---------------------------------------------------------------
    def _gate(self, d: _Def) -> None:
        body = [c for c in d.el.children if c.tag not in _IGNORED]
        if len(body) != 1:
            raise _MefError(d.el, f"gate '{d.name}' needs exactly one formula, found {len(body)}")
        self._formula(body[0], d.name, d.scope, d.label)

    def _formula(self, root: Element, gid: str, scope: tuple[str, ...], label: str) -> None:
        """Flatten the formula ``root`` of gate ``gid`` into gates, nested ones named ``gid.<n>``.

        Iterative (nested formulas of any depth): nested connectives are
        numbered in document order, then each becomes one gate.
        """
        if root.tag in _REFERENCES or root.tag == "constant":
            # A formula that is a single reference: a pass-through gate.
            loc = Location(root.file, root.line)
            self.gates[gid] = GateNode(gid, "or", (self._arg(root, scope),), name=label, loc=loc)
            return
        names: dict[int, str] = {id(root): gid}
        order: list[Element] = []
        counter = 0
        stack = [root]
        while stack:
            el = stack.pop()
            if el.tag not in _CONNECTIVES:
                raise _MefError(el, f"unsupported formula in gate '{gid}'")
            order.append(el)
            subs = [c for c in el.children if c.tag in _CONNECTIVES]
            for child in subs:
                counter += 1
                sub = f"{gid}.{counter}"
                while sub in self.st.defs:
                    counter += 1
                    sub = f"{gid}.{counter}"
                names[id(child)] = sub
            stack.extend(reversed(subs))
        for el in order:
            self._connective(el, names, scope, label if el is root else "")

    def _connective(
        self, el: Element, names: dict[int, str], scope: tuple[str, ...], label: str
    ) -> None:
        gid = names[id(el)]
        k: int | None = None
        if el.tag == "atleast":
            try:
                k = int(el.get("min") or "")
            except ValueError:
                raise _MefError(el, "atleast needs an integer 'min' attribute") from None
        inputs: list[str] = []
        for child in el.children:
            if child.tag in _IGNORED:
                continue
            if child.tag in _CONNECTIVES:
                inputs.append(names[id(child)])
            else:
                inputs.append(self._arg(child, scope))
        if len(inputs) != len(set(inputs)):
            raise _MefError(el, f"gate '{gid}': an argument is listed twice")
        loc = Location(el.file, el.line)
        self.gates[gid] = GateNode(gid, el.tag, tuple(inputs), k, name=label, loc=loc)  # type: ignore[arg-type]

    def _arg(self, el: Element, scope: tuple[str, ...]) -> str:
        if el.tag == "constant":
            value = el.get("value")
            if value not in ("true", "false"):
                raise _MefError(el, "constant needs value 'true' or 'false'")
            hid = f"__{value}__"
            self.houses[hid] = HouseEvent(hid, value == "true", value, Location(el.file, el.line))
            return hid
        if el.tag not in _REFERENCES:
            raise _MefError(el, "unsupported formula argument")
        d = self._lookup(el, _name(el), scope)
        want = {"gate": "gate", "basic-event": "basic", "house-event": "house"}.get(el.tag)
        if want and d.kind != want:
            raise _MefError(el, f"'{d.name}' is a {d.kind} event, not a {el.tag}")
        if d.kind == "basic" and d.name not in self.basics:
            self.basics[d.name] = self._basic(d)
        elif d.kind == "house" and d.name not in self.houses:
            self.houses[d.name] = self._house(d)
        return d.name

    def _lookup(self, el: Element, ref: str, scope: tuple[str, ...], kind: str = "") -> _Def:
        for i in range(len(scope), -1, -1):
            key = ".".join((*scope[:i], ref))
            d = self.st.defs.get(f"{kind}:{key}" if kind else key)
            if d is not None:
                return d
        what = "parameter" if kind else "event"
        raise _MefError(el, f"{what} '{ref}' is not defined")

    # -- events and expressions -------------------------------------------------
    def _house(self, d: _Def) -> HouseEvent:
        body = [c for c in d.el.children if c.tag not in _IGNORED]
        state = False
        if body:
            c = body[0]
            if c.tag not in ("constant", "bool") or c.get("value") not in ("true", "false"):
                raise _MefError(c, f"house event '{d.name}' needs <constant value='true|false'/>")
            state = c.get("value") == "true"
        return HouseEvent(d.name, state, d.label, Location(d.el.file, d.el.line))

    def _basic(self, d: _Def) -> BasicEvent:
        body = [c for c in d.el.children if c.tag not in _IGNORED]
        if len(body) != 1:
            raise _MefError(d.el, f"basic event '{d.name}' needs one probability expression")
        p = self._expr(body[0], d.scope)
        if not 0.0 <= p <= 1.0:
            raise _MefError(body[0], f"basic event '{d.name}': probability {p:g} is not in [0, 1]")
        rate = time = None
        if body[0].tag == "exponential":
            args = [c for c in body[0].children if c.tag not in _IGNORED]
            rate, time = self._expr(args[0], d.scope), self._expr(args[1], d.scope)
        return BasicEvent(
            d.name, p, rate=rate, time=time, name=d.label, loc=Location(d.el.file, d.el.line)
        )

    def _expr(self, root: Element, scope: tuple[str, ...]) -> float:
        """The value of the expression ``root``; iterative (any nesting, any parameter chain)."""
        out: list[float] = []
        # (code, element, scope, parameter): code 0 evaluates the element, 1 applies
        # its function to the values of its arguments, 2 stores a parameter's value.
        stack: list[tuple[int, Element, tuple[str, ...], str]] = [(0, root, scope, "")]
        while stack:
            code, el, sc, pname = stack.pop()
            if code == 1:
                n = sum(1 for c in el.children if c.tag not in _IGNORED)
                vals = out[len(out) - n :]
                del out[len(out) - n :]
                out.append(self._apply(el, vals))
                continue
            if code == 2:
                self.evaluating.discard(pname)
                self.params[pname] = out[-1]
                continue
            tag = el.tag
            if tag in ("float", "int"):
                try:
                    out.append(float(el.get("value") or ""))
                except ValueError:
                    raise _MefError(el, f"bad number {el.get('value')!r}") from None
            elif tag == "bool":
                out.append(1.0 if el.get("value") == "true" else 0.0)
            elif tag == "system-mission-time":
                out.append(self.mission_time)
            elif tag == "pi":
                out.append(math.pi)
            elif tag == "parameter":
                d = self._lookup(el, _name(el), sc, kind="parameter")
                if d.name in self.params:
                    out.append(self.params[d.name])
                    continue
                if d.name in self.evaluating:
                    raise _MefError(el, f"parameter '{d.name}' depends on itself")
                body = [c for c in d.el.children if c.tag not in _IGNORED]
                if len(body) != 1:
                    raise _MefError(d.el, f"parameter '{d.name}' needs one expression")
                self.evaluating.add(d.name)
                stack.append((2, el, sc, d.name))
                stack.append((0, body[0], d.scope, ""))
            else:
                if tag not in _FUNCTIONS:
                    raise _MefError(el, "unsupported expression")
                stack.append((1, el, sc, ""))
                args = [c for c in el.children if c.tag not in _IGNORED]
                stack.extend((0, a, sc, "") for a in reversed(args))
        return out[-1]

    def _apply(self, el: Element, vals: list[float]) -> float:
        arity, f = _FUNCTIONS[el.tag]
        if (arity and len(vals) != arity) or not vals:
            raise _MefError(el, f"expects {arity or 'some'} arguments, got {len(vals)}")
        try:
            return f(vals)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise _MefError(el, f"cannot evaluate: {exc}") from None


def _product(v: list[float]) -> float:
    return math.prod(v)


def _sub(v: list[float]) -> float:
    return v[0] - sum(v[1:])


def _div(v: list[float]) -> float:
    out = v[0]
    for x in v[1:]:
        out /= x
    return out


def _glm(v: list[float]) -> float:
    gamma, lam, mu, t = v
    r = lam + mu
    return (lam - (lam - gamma * r) * math.exp(-r * t)) / r


def _weibull(v: list[float]) -> float:
    alpha, beta, t0, t = v
    return 1.0 - math.exp(-(((t - t0) / alpha) ** beta)) if t > t0 else 0.0


_FUNCTIONS: dict[str, tuple[int, Callable[[list[float]], float]]] = {
    "add": (0, sum),
    "sub": (0, _sub),
    "mul": (0, _product),
    "div": (0, _div),
    "neg": (1, lambda v: -v[0]),
    "pow": (2, lambda v: v[0] ** v[1]),
    "exp": (1, lambda v: math.exp(v[0])),
    "log": (1, lambda v: math.log(v[0])),
    "exponential": (2, lambda v: 1.0 - math.exp(-v[0] * v[1])),
    "GLM": (4, _glm),
    "Weibull": (4, _weibull),
    "lognormal-deviate": (0, lambda v: v[0]),
    "normal-deviate": (2, lambda v: v[0]),
    "uniform-deviate": (2, lambda v: (v[0] + v[1]) / 2.0),
    "gamma-deviate": (2, lambda v: v[0] * v[1]),
    "beta-deviate": (2, lambda v: v[0] / (v[0] + v[1])),
}
