"""Import experta on Python >= 3.10: the one place that knows why it needs help.

experta 1.9.4 (the last release, 2019) pins ``frozendict==1.2``, whose module
body does ``class frozendict(collections.Mapping)``. The ABC aliases in
``collections`` were removed in Python 3.10, so a plain ``import experta``
fails with ``AttributeError: module 'collections' has no attribute 'Mapping'``.

:func:`import_experta` puts the aliases back *only while* frozendict and
experta are imported (the class statement is the only use; nothing reads
``collections.Mapping`` afterwards), then removes them again so the rest of
the process keeps the modern ``collections``. It also undoes the
``logging.basicConfig()`` that experta's engine module runs at import time,
which would otherwise attach a handler to the root logger of our process.

It works on a fresh ``pip install`` (frozendict 1.2) and is a no-op with a
newer frozendict that no longer needs the aliases.
"""

from __future__ import annotations

import collections
import collections.abc
import importlib
import logging
import sys
import threading
from types import ModuleType

__all__ = ["import_experta"]

_ALIASES = ("Mapping", "MutableMapping", "Sequence", "Iterable", "Hashable", "Callable")
_lock = threading.Lock()


def import_experta() -> ModuleType:
    """Return the ``experta`` module, importing it through the compatibility shim.

    Returns:
        The imported ``experta`` package.

    Raises:
        ImportError: experta (or frozendict) is not installed.
    """
    cached = sys.modules.get("experta")
    if cached is not None:
        return cached
    with _lock:
        cached = sys.modules.get("experta")
        if cached is not None:
            return cached
        added = [name for name in _ALIASES if not hasattr(collections, name)]
        for name in added:
            setattr(collections, name, getattr(collections.abc, name))
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            importlib.import_module("frozendict")
            module = importlib.import_module("experta")
        finally:
            for name in added:
                delattr(collections, name)
            root.handlers[:] = handlers
            root.setLevel(level)
        return module
