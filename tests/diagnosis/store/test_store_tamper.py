"""Tampering behind the application's back: every case the audit docs promise is detected.

Each case edits the database with plain SQL, as someone holding the file (or
a database account) could, then runs ``verify`` (one session, or ``--all``
against a manifest). ``docs/audit-trail.md`` lists these cases; the count of
detected ones is reported in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_samples import make_events

from diagnosis.store import open_store
from diagnosis.store.chain import GENESIS, KEY_ENV, canonical_json, chain_hash
from diagnosis.store.manifest import build_manifest, check_manifest

KEY = "k" * 32

# (name, SQL, expected (reason, detail)) on the closed sample session "sess-1"
CASES: list[tuple[str, str, tuple[str, str | None]]] = [
    ("sessions.technician", "UPDATE sessions SET technician = 'bob'", ("projection", "sessions.technician")),
    ("sessions.equipment", "UPDATE sessions SET equipment = 'press-02'", ("projection", "sessions.equipment")),
    ("sessions.work_order", "UPDATE sessions SET work_order = 'WO-1'", ("projection", "sessions.work_order")),
    ("sessions.symptoms", "UPDATE sessions SET symptoms = '[]'", ("projection", "sessions.symptoms")),
    ("sessions.status", "UPDATE sessions SET status = 'open'", ("projection", "sessions.status")),
    ("sessions.root_cause", "UPDATE sessions SET root_cause = 'nozzle'", ("projection", "sessions.root_cause")),
    ("sessions.started_at", "UPDATE sessions SET started_at = '2020-01-01 00:00:00.000000'", ("projection", "sessions.started_at")),
    ("sessions.steps", "UPDATE sessions SET steps = 7", ("projection", "sessions.steps")),
    ("interventions.technician", "UPDATE interventions SET technician = 'bob'", ("projection", "interventions.technician")),
    ("interventions.work_order", "UPDATE interventions SET work_order = 'WO-1'", ("projection", "interventions.work_order")),
    ("interventions.lockout_done", "UPDATE interventions SET lockout_done = false", ("projection", "interventions.lockout_done")),
    ("interventions.habilitations", "UPDATE interventions SET habilitations = '[\"BR\", \"B2V\"]'", ("projection", "interventions.habilitations")),
    ("interventions.alerts", "UPDATE interventions SET alerts = '[]'", ("projection", "interventions.alerts")),
    ("interventions.start_time", "UPDATE interventions SET start_time = '2020-01-01 00:00:00.000000'", ("projection", "interventions.start_time")),
    ("interventions.end_time", "UPDATE interventions SET end_time = NULL", ("projection", "interventions.end_time")),
    ("interventions.request_time", "UPDATE interventions SET request_time = '2020-01-01 00:00:00.000000'", ("projection", "interventions.request_time")),
    ("interventions.labour_min", "UPDATE interventions SET labour_min = 5", ("projection", "interventions.labour_min")),
    ("interventions.remedy", "UPDATE interventions SET remedy = '=HYPERLINK(1)'", ("projection", "interventions.remedy")),
    ("interventions.why_chain", "UPDATE interventions SET why_chain = '[]'", ("projection", "interventions.why_chain")),
    ("conclusions.root_cause", "UPDATE conclusions SET root_cause = 'nozzle'", ("projection", "conclusions.root_cause")),
    ("conclusions.probability", "UPDATE conclusions SET probability = 0.5", ("projection", "conclusions.probability")),
    ("conclusions.deleted", "DELETE FROM conclusions", ("projection", "conclusions")),
    ("intervention_parts.qty", "UPDATE intervention_parts SET qty = 3", ("projection", "intervention_parts.qty")),
    ("intervention_parts.deleted", "DELETE FROM intervention_parts", ("projection", "intervention_parts")),
    ("intervention_parts.added", "INSERT INTO intervention_parts (session_id, ref, name, qty) VALUES ('sess-1', 'X', 'x', 1)", ("projection", "intervention_parts")),
    ("readings.value", "UPDATE readings SET value_num = 230 WHERE measurement = 'melt-temp'", ("projection", "readings")),
    ("events.payload", "UPDATE events SET payload = replace(payload, '205.0', '225.0') WHERE seq = 4", ("hash", None)),
    ("events.deleted-middle", "DELETE FROM events WHERE seq = 5", ("sequence", None)),
    ("events.truncated", "DELETE FROM events WHERE seq = 17", ("truncated", None)),
]


def _filled(url: str) -> None:
    with open_store(url) as store:
        for event in make_events():
            store.append("sess-1", event)


def _sql(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def _verify(url: str) -> tuple[bool, str | None, str | None]:
    with open_store(url) as store:
        result = store.verify("sess-1")
    return result.ok, result.reason, result.detail


def test_an_untouched_session_verifies_with_its_head(sqlite_url: str) -> None:
    _filled(sqlite_url)
    with open_store(sqlite_url) as store:
        result = store.verify("sess-1")
    assert result.ok and result.events == 17 and result.head is not None


@pytest.mark.parametrize(("name", "sql", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tampered_projection_or_event_is_detected(
    db_url: str, name: str, sql: str, expected: tuple[str, str | None]
) -> None:
    _filled(db_url)
    _sql(db_url, sql)
    ok, reason, detail = _verify(db_url)
    assert (ok, reason, detail) == (False, *expected)


def _recompute_chain(url: str, key: bytes | None, edit: tuple[str, str]) -> None:
    """What an attacker with SQL access does: edit a payload, recompute every hash."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        rows = conn.execute(
            sa.text("SELECT id, payload FROM events WHERE session_id = 'sess-1' ORDER BY seq")
        ).all()
        prev = GENESIS
        for row in rows:
            payload = row.payload.replace(*edit)
            digest = chain_hash(prev, payload, key)
            conn.execute(
                sa.text("UPDATE events SET payload = :p, prev_hash = :v, hash = :h WHERE id = :i"),
                {"p": payload, "v": prev, "h": digest, "i": row.id},
            )
            prev = digest
        conn.execute(sa.text("UPDATE sessions SET last_hash = :h"), {"h": prev})
        conn.execute(sa.text("UPDATE readings SET value_num = 225 WHERE value_num = 205"))
    engine.dispose()


def test_recomputed_chain_fails_with_the_audit_key(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    _filled(sqlite_url)
    assert _verify(sqlite_url) == (True, None, None)
    _recompute_chain(sqlite_url, None, ("205.0", "225.0"))  # without the key
    assert _verify(sqlite_url) == (False, "unsigned", None)
    _recompute_chain(sqlite_url, b"a guessed key, not the right one", ("225.0", "226.0"))
    assert _verify(sqlite_url) == (False, "hash", None)


def test_recomputed_chain_without_a_key_is_out_of_scope(sqlite_url: str) -> None:
    """Documented limit: with no audit key, a recomputed chain verifies (the manifest helps)."""
    _filled(sqlite_url)
    _recompute_chain(sqlite_url, None, ("205.0", "225.0"))
    assert _verify(sqlite_url) == (True, None, None)


def _manifest(url: str, key: bytes | None) -> dict[str, object]:
    with open_store(url) as store:
        result = store.verify("sess-1")
        assert result.head is not None
        return build_manifest([("sess-1", result.events, result.head)], store.url, key)


def _against(url: str, manifest: dict[str, object], key: bytes | None) -> list[tuple[str, str]]:
    with open_store(url) as store:
        return [
            (p.session_id, p.reason)
            for p in check_manifest(manifest, store.event_hash, key)  # type: ignore[attr-defined]
        ]


def test_manifest_detects_deletion_truncation_and_rewrite(sqlite_url: str) -> None:
    _filled(sqlite_url)
    manifest = _manifest(sqlite_url, None)
    assert _against(sqlite_url, manifest, None) == []
    _recompute_chain(sqlite_url, None, ("205.0", "225.0"))
    assert _against(sqlite_url, manifest, None) == [("sess-1", "rewritten")]
    # truncation with the head row edited to match: verify alone cannot see it
    _sql(
        sqlite_url,
        "DELETE FROM events WHERE seq = 17",
        "UPDATE sessions SET last_seq = 16, last_hash = (SELECT hash FROM events WHERE seq = 16),"
        " status = 'done'",
    )
    assert _against(sqlite_url, manifest, None) == [("sess-1", "truncated")]
    _sql(sqlite_url, *(f"DELETE FROM {t}" for t in (
        "events", "readings", "conclusions", "intervention_parts", "interventions", "sessions")))
    assert _against(sqlite_url, manifest, None) == [("sess-1", "deleted")]


def test_manifest_seal_needs_the_key(sqlite_url: str) -> None:
    _filled(sqlite_url)
    key = KEY.encode()
    manifest = _manifest(sqlite_url, key)
    assert _against(sqlite_url, manifest, key) == []
    forged = json.loads(json.dumps(manifest))
    forged["sessions"] = []  # hide a session from the manifest
    assert _against(sqlite_url, forged, key) == [("", "signature")]
    assert _against(sqlite_url, manifest, None) == [("", "signature")]
    unsigned = _manifest(sqlite_url, None)  # made by anybody, without the key
    assert _against(sqlite_url, unsigned, key) == [("", "signature")]


def test_edited_technicians_table_is_not_what_a_technician_holds(sqlite_url: str) -> None:
    _filled(sqlite_url)
    _sql(sqlite_url, "UPDATE technicians SET habilitations = '[\"BR\", \"B2V\", \"H2V\"]'")
    with open_store(sqlite_url) as store:
        known = store.technician("alice")
        assert known is not None and known.habilitations == ("BR",)
        assert store.recorded_habilitations("alice") == ("BR",)
    # an edited start event is not evidence either
    _sql(sqlite_url, "UPDATE events SET payload = replace(payload, '[\"BR\"]', '[\"B2V\"]') WHERE seq = 1")
    with open_store(sqlite_url) as store:
        assert store.recorded_habilitations("alice") is None


def test_cli_verify_all_and_manifest(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from diagnosis.cli import main

    monkeypatch.setenv(KEY_ENV, KEY)
    _filled(sqlite_url)
    manifest = tmp_path / "manifest.json"
    assert main(["verify", "--all", "--db", sqlite_url, "--export-manifest", str(manifest)]) == 0
    out = capsys.readouterr().out
    assert "1 sessions checked, 0 problems (chain signed with the audit key)" in out
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["seal"]["algorithm"] == "hmac-sha256" and data["sessions"][0]["events"] == 17
    assert main(["verify", "--all", "--db", sqlite_url, "--export-manifest", str(manifest)]) == 2
    assert "exists: use --force" in capsys.readouterr().err
    assert main(["verify", "--all", "--db", sqlite_url, "--manifest", str(manifest)]) == 0
    capsys.readouterr()
    _sql(sqlite_url, "DELETE FROM events WHERE seq = 17",
         "UPDATE sessions SET last_seq = 16, last_hash = (SELECT hash FROM events WHERE seq = 16)")
    assert main(["verify", "--all", "--db", sqlite_url, "--manifest", str(manifest)]) == 1
    err = capsys.readouterr().err
    assert "manifest: session sess-1: events deleted at the end of the log" in err
    assert main(["verify", "--db", sqlite_url]) == 2  # neither a session nor --all


def test_canonical_payload_is_what_is_hashed() -> None:
    event = make_events()[0]
    assert chain_hash(GENESIS, canonical_json(event.to_dict()), None) == chain_hash(
        GENESIS, canonical_json(event.to_dict())
    )
