"""Lazy package attributes (PEP 562): ``import diagnosis.x`` stays cheap.

A package ``__init__`` lists where each public name lives and imports the
same names under ``TYPE_CHECKING`` (for type checkers and for the
architecture test, which reads every import statement)::

    __getattr__ = lazy_attributes(__name__, {"load_kb": "diagnosis.kb.loader"})

The module is imported on first use of the name; an error in it surfaces
as it is (nothing is swallowed).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, where: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` that imports ``where[name]`` and returns its ``name``."""

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
        return value

    return __getattr__
