"""Fixtures of the report tests (sample data in ``report_samples``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_samples import make_kb

from diagnosis.kb.model import KnowledgeBase


@pytest.fixture
def kb() -> KnowledgeBase:
    return make_kb()


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Reports show the local time zone: the report tests run in UTC unless they say."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
