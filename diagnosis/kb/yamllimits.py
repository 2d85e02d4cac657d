"""Bounds on hostile YAML, checked before anything is built from it.

PyYAML composes nodes recursively (a document nested ~1000 deep raises
``RecursionError``) and shares aliased nodes, so that a few hundred bytes of
aliases (``&a [*b, *b, ...]``, the "billion laughs") expand to billions of
values as soon as anything walks or prints them. :func:`scan_limits` reads
the event stream once, with the parser's own state machine (not recursive),
and stops at the first of:

- a file larger than :data:`MAX_BYTES`;
- nesting deeper than :data:`MAX_DEPTH`;
- more than :data:`MAX_VALUES` values once every alias is expanded;
- an alias to a collection that is still open (a recursive structure).

The KB loader (:mod:`diagnosis.kb.yamlnodes`) and the answers-file reader
call it; a problem is one line ``file:line:col: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_VALUES", "Limit", "read_bounded", "scan_limits"]

MAX_BYTES = 8 * 1024 * 1024
"""A KB file or an answers file larger than this is refused (the bundled KB files are < 100 kB)."""

MAX_DEPTH = 64
"""Nesting of mappings and sequences (the KB format needs fewer than 10 levels)."""

MAX_VALUES = 1_000_000
"""Values in a document once aliases are expanded."""


@dataclass(frozen=True)
class Limit:
    """A limit exceeded at ``line``/``column`` (1-based)."""

    line: int
    column: int
    message: str


def read_bounded(path: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, reading at most ``limit + 1`` (``/dev/zero`` is safe).

    Raises:
        OSError: unreadable file.
        ValueError: the file is larger than ``limit`` bytes.
    """
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"file is larger than {limit // (1024 * 1024)} MB")
    return data


def scan_limits(
    text: str, *, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES
) -> Limit | None:
    """The first exceeded limit in ``text``, or None (syntax errors are left to the composer).

    libyaml's event parser reads it when PyYAML has one (a state machine too,
    some 20 times faster than PyYAML's own); a file it finds broken is read
    again by PyYAML's parser, so that what is reported first does not depend
    on which parser is installed.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _scan(text, fast, max_depth, max_values)
        except yaml.YAMLError:
            pass
    try:
        return _scan(text, yaml.SafeLoader, max_depth, max_values)
    except yaml.YAMLError:
        return None  # reported, with its position, by the composer


def _scan(text: str, loader: Any, max_depth: int, max_values: int) -> Limit | None:
    parser = loader(text)
    try:
        return _walk(parser, max_depth, max_values)
    finally:
        parser.dispose()


def _walk(parser: Any, max_depth: int, max_values: int) -> Limit | None:
    depth = 0
    # one frame per open collection: its anchor and its expanded size so far
    anchors: list[str | None] = [None]
    counts: list[int] = [0]
    sizes: dict[str, int] = {}
    open_anchors: set[str] = set()
    total = 0
    get_event, check_event = parser.get_event, parser.check_event
    while check_event():
        event = get_event()
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                return _at(event, f"nested more than {max_depth} levels deep")
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            anchors.append(event.anchor)
            counts.append(1)
            total += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            closed, size = anchors.pop(), counts.pop()
            if closed is not None:
                sizes[closed] = size
                open_anchors.discard(closed)
            counts[-1] += size
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            counts[-1] += 1
            total += 1
        elif isinstance(event, yaml.AliasEvent):
            anchor = str(event.anchor)
            if anchor in open_anchors:
                return _at(
                    event, f"alias *{anchor} refers to a collection that contains it (recursive)"
                )
            size = sizes.get(anchor, 1)
            counts[-1] += size
            total += size
        if total > max_values:
            return _at(
                event,
                f"more than {max_values:,} values once aliases are expanded "
                "(an alias bomb?); write the values out",
            )
    return None


def _at(event: Any, message: str) -> Limit:
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Limit(line, column, message)
