"""The audit hash chain of a session's event log.

Each stored event carries ``hash = sha256(prev_hash + canonical_json(event))``
where ``prev_hash`` is the previous event's hash in the same session (the
first event chains from :data:`GENESIS`). Editing, deleting or reordering a
row behind the application's back breaks the chain at that row, which
``diagnosis verify`` reports. With an audit key (:func:`audit_key`) the
link is an HMAC-SHA256 instead, so that a chain recomputed by someone
without the key does not verify. The canonical JSON is stable across Python
runs and databases: sorted keys, no spaces, UTF-8, floats in ``repr`` form.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["GENESIS", "KEY_ENV", "KEY_FILE_ENV", "audit_key", "canonical_json", "chain_hash"]

GENESIS = "0" * 64

KEY_FILE_ENV = "DIAGNOSIS_AUDIT_KEY_FILE"
"""Names a file whose bytes (surrounding whitespace stripped) are the chain's HMAC key."""
KEY_ENV = "DIAGNOSIS_AUDIT_KEY"
"""The HMAC key itself, as text (used when :data:`KEY_FILE_ENV` is not set)."""
_MIN_KEY = 16


def audit_key() -> bytes | None:
    """The HMAC key of the audit chain, from ``$DIAGNOSIS_AUDIT_KEY_FILE`` or
    ``$DIAGNOSIS_AUDIT_KEY``; None when neither is set (plain SHA-256 chain).

    The key is never written to the database: whoever can edit the database
    but does not hold the key cannot recompute a chain that verifies.

    Raises:
        ValueError: the key file cannot be read, or the key is shorter than 16 bytes.
    """
    path = os.environ.get(KEY_FILE_ENV)
    if path:
        try:
            key = Path(path).expanduser().read_bytes().strip()
        except OSError as exc:
            raise ValueError(f"{KEY_FILE_ENV}={path}: {exc.strerror or exc}") from exc
        source = KEY_FILE_ENV
    else:
        text = os.environ.get(KEY_ENV, "")
        if not text:
            return None
        key, source = text.strip().encode("utf-8"), KEY_ENV
    if len(key) < _MIN_KEY:
        raise ValueError(f"{source}: the audit key must be at least {_MIN_KEY} bytes")
    return key


def canonical_json(data: Any) -> str:
    """The one textual form of ``data`` that is hashed and stored.

    Args:
        data: a JSON-ready value (an event's ``to_dict()``).

    Returns:
        Compact JSON with sorted keys and non-ASCII kept as is.
    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, payload: str, key: bytes | None = None) -> str:
    """The hash of one link: sha256 over the previous hash then the payload text;
    HMAC-SHA256 with ``key`` when the store has an audit key."""
    data = (prev_hash + payload).encode("utf-8")
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()
