"""The audit hash chain of a session's event log.

Each stored event carries ``hash = sha256(prev_hash + canonical_json(event))``
where ``prev_hash`` is the previous event's hash in the same session (the
first event chains from :data:`GENESIS`). Editing, deleting or reordering a
row behind the application's back breaks the chain at that row, which
``diagnosis verify`` reports. The canonical JSON is stable across Python
runs and databases: sorted keys, no spaces, UTF-8, floats in ``repr`` form.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["GENESIS", "canonical_json", "chain_hash"]

GENESIS = "0" * 64


def canonical_json(data: Any) -> str:
    """The one textual form of ``data`` that is hashed and stored.

    Args:
        data: a JSON-ready value (an event's ``to_dict()``).

    Returns:
        Compact JSON with sorted keys and non-ASCII kept as is.
    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, payload: str) -> str:
    """The hash of one link: sha256 over the previous hash then the payload text."""
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()
