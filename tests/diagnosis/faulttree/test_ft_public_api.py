"""The fault-tree package's declared surface, and the example in its docstring."""

from __future__ import annotations

import doctest

import diagnosis.diagram
import diagnosis.faulttree
import diagnosis.fmea


def test_public_surface_is_declared() -> None:
    for module in (diagnosis.faulttree, diagnosis.diagram, diagnosis.fmea):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_docstring_example_runs() -> None:
    result = doctest.testmod(diagnosis.faulttree, verbose=False)
    assert result.attempted > 0 and result.failed == 0
