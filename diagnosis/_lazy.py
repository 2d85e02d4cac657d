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
from collections.abc import Callable, Mapping, Sequence

__all__ = ["lazy_attributes", "lazy_modules"]


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


def lazy_modules(
    package: str, modules: Sequence[str], own: Sequence[str] = ()
) -> Callable[[str], object]:
    """A module ``__getattr__`` serving every name of each module's ``__all__``.

    The modules' own ``__all__`` is the one list of their names (the package does
    not copy it); the package imports them under ``TYPE_CHECKING`` with
    ``from m import *`` for type checkers. ``__all__`` of the package is theirs
    followed by ``own`` (the names it defines itself). A name is looked up in
    ``modules`` in order: put first the cheapest one that others import anyway.
    """

    def __getattr__(name: str) -> object:
        value: object
        if name == "__all__":
            value = [n for m in modules for n in importlib.import_module(m).__all__] + list(own)
        else:
            for module_name in modules:
                module = importlib.import_module(module_name)
                if name in module.__all__:
                    value = getattr(module, name)
                    break
            else:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
        return value

    return __getattr__
