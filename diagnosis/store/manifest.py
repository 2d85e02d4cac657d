"""An anchor kept outside the database: the head hash of every closed session.

A hash chain shows an edited row, but not a session deleted whole, or cut
after its last good event with its ``sessions`` row edited to match. The
manifest (``diagnosis verify --all --export-manifest FILE``) lists, for each
closed session, its number of events and the hash of its last one; kept
elsewhere (a CMMS attachment, a signed e-mail, a write-once share), it lets
``diagnosis verify --all --manifest FILE`` show a deleted, truncated or
rewritten session. With an audit key the manifest is signed (HMAC-SHA256),
so that it cannot itself be edited to match.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from diagnosis.store.chain import canonical_json

__all__ = ["MANIFEST_VERSION", "ManifestProblem", "build_manifest", "check_manifest"]

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class ManifestProblem:
    """A session of the manifest that the database no longer holds as it was.

    ``reason``: ``deleted``, ``truncated``, ``rewritten``, or ``signature``
    (the manifest itself does not match its signature; ``session_id`` empty).
    """

    session_id: str
    reason: str


def _seal(sessions: list[dict[str, Any]], key: bytes | None) -> dict[str, str]:
    data = canonical_json(sessions).encode("utf-8")
    if key is None:
        return {"algorithm": "sha256", "digest": hashlib.sha256(data).hexdigest()}
    return {"algorithm": "hmac-sha256", "digest": hmac.new(key, data, hashlib.sha256).hexdigest()}


def build_manifest(
    heads: list[tuple[str, int, str]], db: str, key: bytes | None
) -> dict[str, Any]:
    """The manifest of ``(session id, events, head hash)`` of the closed sessions."""
    sessions = [
        {"id": sid, "events": n, "head": head} for sid, n, head in sorted(heads)
    ]
    return {
        "manifest_version": MANIFEST_VERSION,
        "db": db,
        "generated_at": datetime.now(UTC).isoformat(),
        "sessions": sessions,
        "seal": _seal(sessions, key),
    }


def check_manifest(
    manifest: dict[str, Any],
    hash_at: Any,
    key: bytes | None,
) -> list[ManifestProblem]:
    """Check the database against ``manifest``.

    Args:
        hash_at: ``(session_id, seq) -> str | None``, the stored hash of that
            event, None when the session or the event does not exist; raises
            nothing (the caller maps unknown sessions to None).
        key: the audit key; a manifest sealed with HMAC needs it.

    Raises:
        ValueError: not a manifest.
    """
    if not isinstance(manifest, dict) or manifest.get("manifest_version") != MANIFEST_VERSION:
        raise ValueError("not a diagnosis manifest (manifest_version 1)")
    sessions = manifest.get("sessions")
    seal = manifest.get("seal")
    if not isinstance(sessions, list) or not isinstance(seal, dict):
        raise ValueError("not a diagnosis manifest (sessions, seal)")
    problems: list[ManifestProblem] = []
    # with an audit key only a manifest sealed with it counts (an unsigned one
    # could have been made by anybody); without a key, the plain digest
    expected = _seal(sessions, key)
    if seal.get("algorithm") != expected["algorithm"] or not hmac.compare_digest(
        str(seal.get("digest", "")), expected["digest"]
    ):
        problems.append(ManifestProblem("", "signature"))
    for item in sessions:
        try:
            sid, n, head = str(item["id"]), int(item["events"]), str(item["head"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("not a diagnosis manifest (session entry)") from exc
        if hash_at(sid, 1) is None:
            problems.append(ManifestProblem(sid, "deleted"))
            continue
        stored = hash_at(sid, n)
        if stored is None:
            problems.append(ManifestProblem(sid, "truncated"))
        elif stored != head:
            problems.append(ManifestProblem(sid, "rewritten"))
    return problems


def dumps_manifest(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
