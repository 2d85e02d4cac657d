"""Command-line values without pydantic when they need nothing from it.

typer (0.2x and later) converts every option value through a pydantic
``TypeAdapter`` built on first use, so the first option of any command
imports pydantic: about 70 ms of a 200 ms start, while ``--help`` needs none
of it. Most of our options are plain strings, numbers and choices whose
conversion is trivial; :func:`install` lets those skip the adapter:

* a ``str`` option given a ``str`` keeps it (typer's adapter does ``str(value)``);
* an ``int`` / ``float`` option given a plain ASCII decimal (``12``, ``-3``,
  ``0.25``) gets ``int(value)`` / ``float(value)``, which is what pydantic's
  lax mode returns for such a string;
* a choice (``Enum``, ``Literal``) goes through typer's own ``coerce_cli_choice``,
  which is all its adapter calls;
* a ``list[...]`` of the above, item by item.

Anything else (other types, ranges, custom parsers, a value the fast path does
not recognise, and every error) goes to typer's own adapter, built only then:
the result and the error message are typer's. tests/diagnosis/cli/test_cli_startup.py
checks every parameter of the app against typer's adapter on sample values.

With a typer that has no such adapter layer (older releases) this does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, get_args, get_origin

__all__ = ["install"]

_INT = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
_FLOAT = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,15})?", re.ASCII)


class _Miss:
    """The fast path does not handle this value: ask typer's adapter."""


_MISS = _Miss()

_Leaf = Callable[[Any, Any], Any]  # (value, ctx) -> coerced value or _MISS


def _leaf(annotation: Any, info: Any) -> _Leaf | None:
    """A fast converter for one leaf annotation, None when the adapter must do it all.

    Mirrors the order of typer's ``build_leaf_adapter``: custom parser, choices,
    datetime, numbers, bool, str, paths.
    """
    if getattr(info, "parser", None) is not None:
        return None
    from typer._param_types import choice_coercion_annotation, coerce_cli_choice

    choice = choice_coercion_annotation(annotation, info)
    if choice is not None:
        choices, case_sensitive = choice

        def as_choice(value: Any, ctx: Any) -> Any:
            try:
                return coerce_cli_choice(
                    value, choices=choices, case_sensitive=case_sensitive, ctx=ctx
                )
            except ValueError:
                return _MISS  # the adapter words the error

        return as_choice
    numeric = annotation in (int, float)
    if numeric and (info.min is not None or info.max is not None or info.clamp):
        return None
    if annotation is int:

        def as_int(value: Any, ctx: Any) -> Any:
            if type(value) is int:
                return value
            if type(value) is str and _INT.fullmatch(value):
                return int(value)
            return _MISS

        return as_int
    if annotation is float:

        def as_float(value: Any, ctx: Any) -> Any:
            if type(value) is float:
                return value
            if type(value) is int:
                return float(value)
            if type(value) is str and _FLOAT.fullmatch(value):
                return float(value)
            return _MISS

        return as_float
    if annotation is bool:
        return lambda value, ctx: value if type(value) is bool else _MISS
    if annotation is str:
        return lambda value, ctx: value if type(value) is str else _MISS
    return None


def _converter(annotation: Any, info: Any) -> _Leaf | None:
    if get_origin(annotation) is list:
        args = get_args(annotation)
        item = _leaf(args[0], info) if len(args) == 1 and get_origin(args[0]) is None else None
        if item is None:
            return None

        def as_list(value: Any, ctx: Any) -> Any:
            items = value if isinstance(value, (list, tuple)) else [value]
            out = [item(v, ctx) for v in items]
            return _MISS if any(v is _MISS for v in out) else out

        return as_list
    if get_origin(annotation) is not None:
        return None
    return _leaf(annotation, info)


def install() -> None:
    """Give typer's parameters the fast path above (once; a no-op on other typers)."""
    try:
        from typer import _coercion, core
    except ImportError:  # pragma: no cover - a typer without the pydantic layer
        return
    original = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if original is None or base is None or getattr(original, "diagnosis_fast", False):
        return
    typers_own: Callable[[Any], Any] = original

    class FastRuntimeParam(base):  # type: ignore[misc, valid-type]
        """typer's ``RuntimeParam`` with a fast path; typer's own one for the rest."""

        _descriptor: Any
        _fast: _Leaf
        _slow: Any

        def __init__(self, descriptor: Any, fast: _Leaf) -> None:
            object.__setattr__(self, "parameter_info", descriptor.parameter_info)
            object.__setattr__(self, "annotation", descriptor.annotation)
            object.__setattr__(self, "_descriptor", descriptor)
            object.__setattr__(self, "_fast", fast)
            object.__setattr__(self, "_slow", None)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            got = self._fast(value, ctx)
            if got is not _MISS:
                return got
            if self._slow is None:
                object.__setattr__(self, "_slow", typers_own(self._descriptor))
            return self._slow._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: Any) -> Any:
        if descriptor.file_annotation is None:
            fast = _converter(descriptor.annotation, descriptor.parameter_info)
            if fast is not None:
                return FastRuntimeParam(descriptor, fast)
        return typers_own(descriptor)

    build_runtime_param.diagnosis_fast = True  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", build_runtime_param)  # noqa: B010 - a private name
