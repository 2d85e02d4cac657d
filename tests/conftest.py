"""Settings for the whole test run."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_kb_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The on-disk KB cache of this run (subprocesses inherit it), not the user's."""
    before = os.environ.get("DIAGNOSIS_CACHE")
    os.environ["DIAGNOSIS_CACHE"] = str(tmp_path_factory.mktemp("kb-cache"))
    yield
    if before is None:
        os.environ.pop("DIAGNOSIS_CACHE", None)
    else:
        os.environ["DIAGNOSIS_CACHE"] = before
