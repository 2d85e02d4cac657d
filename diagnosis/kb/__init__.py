"""The knowledge base: load, validate, and look up (``shared/kb-format.md`` v1).

>>> from diagnosis.kb import load_kb
>>> kb = load_kb()                      # the bundled knowledge_base/ + fault_trees/
>>> sorted(kb.summary())[:2]
['causes', 'components']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis._lazy import lazy_modules

if TYPE_CHECKING:
    from diagnosis.kb.loader import *  # noqa: F403 - the loader's __all__ is the package's
    from diagnosis.kb.model import *  # noqa: F403 - and so is the model's

# the loader imports the model: asking for a loader name costs nothing more
__getattr__ = lazy_modules(__name__, ("diagnosis.kb.model", "diagnosis.kb.loader"))
