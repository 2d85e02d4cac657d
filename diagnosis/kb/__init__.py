"""The knowledge base: load, validate, and look up (``shared/kb-format.md`` v1).

>>> from diagnosis.kb import load_kb
>>> kb = load_kb()                      # the bundled knowledge_base/ + fault_trees/
>>> sorted(kb.summary())[:2]
['causes', 'components']
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diagnosis.kb.loader import *  # noqa: F403 - the loader's __all__ is the package's
    from diagnosis.kb.model import *  # noqa: F403 - and so is the model's

# where the package's names live, each module's __all__ being the one list of its names
# (the loader imports the model: asking for a loader name costs nothing more)
_MODULES = ("diagnosis.kb.model", "diagnosis.kb.loader")


def __getattr__(name: str) -> object:
    """The names of :mod:`diagnosis.kb.model` and :mod:`diagnosis.kb.loader`,
    imported on first use (``import diagnosis.kb`` stays cheap)."""
    value: object
    if name == "__all__":
        value = [n for m in _MODULES for n in importlib.import_module(m).__all__]
    else:
        for module_name in _MODULES:
            module = importlib.import_module(module_name)
            if name in module.__all__:
                value = getattr(module, name)
                break
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    setattr(sys.modules[__name__], name, value)  # the next lookup is a plain attribute
    return value
