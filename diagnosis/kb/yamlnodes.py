"""Safe YAML reading that keeps the position of every mapping, sequence and value.

PyYAML's safe loader (libyaml's C parser when present) composes the node graph
(marks included); we convert
nodes ourselves so that every value keeps its ``file:line:column``. Any tag
outside the YAML core schema (``!!python/object``, ``!custom``…) is reported
as a problem and never constructed, let alone executed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import yaml

from diagnosis.kb.model import SourcePos
from diagnosis.kb.yamllimits import scan_limits

__all__ = ["REJECTED", "PosList", "PosMap", "compose_file", "pos_of"]

# libyaml's parser (PyYAML's C binding) composes the same nodes, marks included,
# several times faster; PyYAML without libyaml falls back to the Python parser.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)

REJECTED: object = object()
"""Stands for a value that was reported and refused (an unsafe tag): no further error."""

_STR = "tag:yaml.org,2002:str"
_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


class PosMap(dict[str, Any]):
    """A mapping that remembers where it and each of its keys and values are."""

    pos: SourcePos
    key_pos: dict[str, SourcePos]
    value_pos: dict[str, SourcePos]


class PosList(list[Any]):
    """A sequence that remembers where it and each of its items are."""

    pos: SourcePos
    item_pos: list[SourcePos]


def pos_of(value: Any, default: SourcePos) -> SourcePos:
    """The position of a PosMap/PosList, else ``default``."""
    return getattr(value, "pos", default)


Report = Callable[[SourcePos, str], None]


def _mark(file: str, node: yaml.Node) -> SourcePos:
    return SourcePos(file, node.start_mark.line + 1, node.start_mark.column + 1)


def compose_file(text: str, file: str, report: Report) -> Any:
    """Parse ``text`` into positioned values; report syntax and tag errors.

    Returns:
        The document's root value (None for an empty document or on a
        syntax error, which is reported).
    """
    limit = scan_limits(text)
    if limit is not None:
        report(SourcePos(file, limit.line, limit.column), limit.message)
        return None
    try:
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            if _LOADER is yaml.SafeLoader:
                raise
            # A broken file: the Python parser again, for its clearer messages.
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # pragma: no cover - scan_limits bounds the depth first
        report(SourcePos(file, 1, 1), "nested too deep")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        report(SourcePos(file, line, col), f"YAML syntax error: {what}")
        return None
    except yaml.YAMLError as exc:
        report(SourcePos(file, 1, 1), f"YAML error: {exc}")
        return None
    if node is None:
        return None
    constructor = yaml.SafeLoader("")
    return _convert(node, file, report, constructor, {})


def _convert(
    node: yaml.Node,
    file: str,
    report: Report,
    constructor: yaml.SafeLoader,
    seen: dict[int, Any],
    pos: SourcePos | None = None,
) -> Any:
    """The positioned value of ``node`` (``pos``: its position, when the caller has it)."""
    if id(node) in seen:  # an alias: same value again
        value = seen[id(node)]
        if isinstance(value, PosMap) and "id" in value:
            report(
                value.pos,
                f"'{value['id']}' is repeated through a YAML alias; an entity is written "
                "once (give the copy its own id)",
            )
            return REJECTED
        return value
    if pos is None:
        pos = _mark(file, node)
    tag = node.tag
    if tag == _STR and type(node) is yaml.ScalarNode:
        # most values: the text as written (what construct_object gives)
        seen[id(node)] = node.value
        return node.value
    if tag not in _CORE_TAGS:
        report(pos, f"tag {tag!r} is not allowed (only plain YAML is read; nothing is executed)")
        return REJECTED
    if isinstance(node, yaml.MappingNode):
        out = PosMap()
        key_pos: dict[str, SourcePos] = {}
        value_pos: dict[str, SourcePos] = {}
        out.pos, out.key_pos, out.value_pos = pos, key_pos, value_pos
        seen[id(node)] = out
        for key_node, value_node in node.value:
            kpos = _mark(file, key_node)
            key = _convert(key_node, file, report, constructor, seen, kpos)
            if key == "<<":
                report(kpos, "merge keys (<<) are not supported; write the fields out")
                continue
            if not isinstance(key, str | int | float | bool) or key is None:
                report(kpos, "mapping key must be a plain scalar")
                continue
            skey = str(key).lower() if isinstance(key, bool) else str(key)
            if skey in out:
                report(kpos, f"duplicate key '{skey}' (first at line {key_pos[skey].line})")
                continue
            vpos = _mark(file, value_node)
            out[skey] = _convert(value_node, file, report, constructor, seen, vpos)
            key_pos[skey] = kpos
            value_pos[skey] = vpos
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = PosList()
        item_pos: list[SourcePos] = []
        seq.pos, seq.item_pos = pos, item_pos
        seen[id(node)] = seq
        for item in node.value:
            ipos = _mark(file, item)
            seq.append(_convert(item, file, report, constructor, seen, ipos))
            item_pos.append(ipos)
        return seq
    return _scalar(node, pos, report, constructor, seen)


_MAX_INT = 10**308  # beyond a float's range: no KB number is that large


def _scalar(
    node: yaml.Node,
    pos: SourcePos,
    report: Report,
    constructor: yaml.SafeLoader,
    seen: dict[int, Any],
) -> Any:
    """One scalar, constructed by PyYAML; every way it can fail is one reported problem."""
    shown = str(node.value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    short = node.tag.rsplit(":", 1)[-1]
    try:
        value = constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        report(pos, f"cannot read value: {str(exc).splitlines()[0]}")
        return REJECTED
    except (ValueError, OverflowError, TypeError):
        # !!int 1.5, !!float abc, 2001-02-30, an integer of more than 4300 digits
        report(pos, f"'{shown}' is not a valid {short}")
        return REJECTED
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_INT:
        report(pos, f"number '{shown}' is out of range")
        return REJECTED
    if isinstance(value, float) and not math.isfinite(value) and not _named_special(node):
        report(pos, f"number '{shown}' is out of range (beyond 1.8e308)")
        return REJECTED
    seen[id(node)] = value
    return value


def _named_special(node: yaml.Node) -> bool:
    """``.inf`` / ``.nan`` written as such (the schema decides whether they are allowed)."""
    return str(node.value).lstrip("+-").lower() in (".inf", ".nan")
