"""How the model describes what a KB file may hold: one description, three uses.

Each field of a model class (``diagnosis.kb.model``) that a KB file writes
carries an :class:`F` in its dataclass metadata: its kind, whether the file
must give it, its items, its documentation. From that one description,
:func:`obj_of` derives the shape that ``diagnosis.kb.schema`` validates and
exports as JSON Schema, and ``diagnosis.kb.build`` turns a validated mapping
into the model value: the three cannot disagree.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any

from diagnosis.i18n import Text

__all__ = ["F", "Obj", "kb", "kb_fields", "many", "obj_of", "opt", "text"]


@dataclass(frozen=True)
class F:
    """A field: its kind, whether required, and the item/object spec for containers.

    Kinds: ``id``, ``text``, ``str``, ``code`` (string or number, kept as a
    string), ``number``, ``positive``, ``nonneg``, ``prob`` (open interval
    (0, 1)), ``sod`` (integer 1..10), ``int``, ``bool``, ``state`` (string or
    boolean), ``enum``, ``list``, ``obj``, ``why`` (a text or a link, ``item``).
    ``item`` names a model class in the model; :func:`obj_of` resolves it.
    """

    kind: str
    required: bool = False
    item: F | Obj | type | None = None
    choices: tuple[str, ...] = ()
    min_items: int = 0
    nullable: bool = False
    doc: str = ""
    max_len: int = 0
    """Longest string allowed (0: ``schema.MAX_STR``); the store's column sizes come from here."""


@dataclass(frozen=True)
class Obj:
    """A mapping of a KB file: its name in messages, its fields in file order."""

    name: str
    fields: dict[str, F] = field(default_factory=dict)
    doc: str = ""


def kb(kind: str, required: bool = False, *, key: str = "", **spec: Any) -> dict[str, Any]:
    """Dataclass metadata: the field is written in KB files (as ``key``, default its name)."""
    return {"kb": F(kind, required, **spec), "key": key}


def opt(kind: str, default: Any = None, **spec: Any) -> Any:
    """An optional KB field with a plain default."""
    return field(default=default, metadata=kb(kind, **spec))


def text(**spec: Any) -> Any:
    """An optional KB text (a string or ``{en: ..., fr: ...}``), empty by default."""
    return field(default_factory=lambda: Text(()), metadata=kb("text", **spec))


def many(item: F | type, required: bool = False, **spec: Any) -> Any:
    """An optional KB list, the empty tuple by default."""
    return field(default=(), metadata=kb("list", required, item=item, **spec))


def _resolved(spec: F) -> F:
    if isinstance(spec.item, type):
        return dataclasses.replace(spec, item=obj_of(spec.item))
    if isinstance(spec.item, F):
        return dataclasses.replace(spec, item=_resolved(spec.item))
    return spec


@functools.cache
def obj_of(cls: type) -> Obj:
    """The KB shape of a model class: ``KB_LEAD`` (file-only fields), then its KB fields.

    The class names itself in ``KB_NAME`` (as messages say it) and may document
    itself in ``KB_DOC``; fields without KB metadata (``pos``, ``equipment``…)
    are the loader's, not the file's.
    """
    specs: dict[str, F] = dict(getattr(cls, "KB_LEAD", {}))
    specs.update((key, spec) for _, key, spec in kb_fields(cls))
    return Obj(
        getattr(cls, "KB_NAME", cls.__name__.lower()),
        {name: _resolved(spec) for name, spec in specs.items()},
        getattr(cls, "KB_DOC", ""),
    )


_FIELDS: dict[type, tuple[tuple[str, str, F], ...]] = {}


def kb_fields(cls: type) -> tuple[tuple[str, str, F], ...]:
    """``(attribute, KB key, spec)`` of each KB field of a model class, in order."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(
            (f.name, f.metadata["key"] or f.name, f.metadata["kb"])
            for f in dataclasses.fields(cls)
            if "kb" in f.metadata
        )
    return found
