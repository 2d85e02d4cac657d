"""Fixtures of the report tests (sample data in ``report_samples``)."""

from __future__ import annotations

import pytest
from report_samples import make_kb

from diagnosis.kb.model import KnowledgeBase


@pytest.fixture
def kb() -> KnowledgeBase:
    return make_kb()
