"""The experta shim: the one place that knows experta needs help on Python >= 3.10."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_plain_import_fails_without_the_shim() -> None:
    result = _run("import experta")
    if result.returncode == 0:
        pytest.skip("this frozendict imports on its own: the shim is a no-op here")
    assert "collections" in result.stderr and "Mapping" in result.stderr


def test_shim_imports_experta_in_a_fresh_interpreter_and_leaves_no_trace() -> None:
    result = _run("""
        import collections, logging
        from diagnosis.rules.shim import import_experta
        ex = import_experta()
        assert ex.KnowledgeEngine and ex.Fact and ex.Rule
        assert not hasattr(collections, "Mapping"), "aliases must be removed again"
        assert logging.getLogger().handlers == [], "experta's basicConfig must be undone"
        assert import_experta() is ex
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_rules_engine_runs_a_rule_through_the_shim() -> None:
    from diagnosis.rules.shim import import_experta

    ex = import_experta()
    fired: list[int] = []

    class Reading(ex.Fact):  # type: ignore[misc,name-defined]
        pass

    class Engine(ex.KnowledgeEngine):  # type: ignore[misc,name-defined]
        @ex.Rule(Reading(value=ex.P(lambda v: v < 3)))
        def low(self) -> None:
            fired.append(1)

    engine = Engine()
    engine.reset()
    engine.declare(Reading(value=2))
    engine.run()
    assert fired == [1]
