"""Fixtures for the UI tests: a small test KB, a temporary store, an app factory."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]

if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))

from diagnosis.kb.model import KnowledgeBase  # noqa: E402


@pytest.fixture(scope="session")
def ui_kb() -> KnowledgeBase:
    """``tests/ui/kb``: one press with a numeric (critical), a boolean (lockout, BR) and a choice."""
    from diagnosis.kb.loader import load_kb

    return load_kb(HERE / "kb", HERE / "fault_trees")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ui.db'}"


@pytest.fixture
def make_app(tmp_path: Path, ui_kb: KnowledgeBase, db_url: str) -> Callable[..., Any]:
    """Build a DiagnosisApp on the test KB, a temporary store, config and report folders."""
    from diagnosis.ui.app import DiagnosisApp

    def make(**kwargs: Any) -> DiagnosisApp:
        kwargs.setdefault("db", db_url)
        kwargs.setdefault("lang", "en")
        kwargs.setdefault("config_dir", tmp_path / "config")
        kwargs.setdefault("report_dir", tmp_path / "reports")
        kb = kwargs.pop("kb", ui_kb)
        return DiagnosisApp(kb, **kwargs)

    return make
