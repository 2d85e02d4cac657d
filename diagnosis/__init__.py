"""Guided diagnostic expert system for productive maintenance: the engine.

The engine is a library: the CLI (``diagnosis.cli``), the Textual UI (``ui``)
and the tests all drive the same API. It never imports ``textual`` or ``ui``.
"""

__version__ = "0.1.0"
