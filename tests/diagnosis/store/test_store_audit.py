"""The hash chain catches rows edited, deleted or reordered behind the application's back."""

from __future__ import annotations

import sqlalchemy as sa
from store_samples import make_events

from diagnosis.store import open_store
from diagnosis.store.chain import GENESIS, canonical_json, chain_hash


def _filled(url: str) -> None:
    with open_store(url) as store:
        for event in make_events():
            store.append("sess-1", event)


def _sql(url: str, statement: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def _verify(url: str) -> tuple[bool, int | None, str | None]:
    with open_store(url) as store:
        result = store.verify("sess-1")
    return result.ok, result.first_bad_seq, result.reason


def test_chain_is_sha256_of_previous_hash_and_canonical_json(db_url: str) -> None:
    _filled(db_url)
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT seq, payload, prev_hash, hash FROM events ORDER BY seq")
        ).all()
    engine.dispose()
    events = make_events()
    prev = GENESIS
    for row, event in zip(rows, events, strict=True):
        assert row.payload == canonical_json(event.to_dict())
        assert row.prev_hash == prev
        assert row.hash == chain_hash(prev, row.payload)
        prev = row.hash
    # independent value: printf '%064d{}' 0 | sha256sum
    assert (
        chain_hash(GENESIS, "{}")
        == "5508d2b710e64bc470079e1b211d9c58e21011e59d0559e422345dc19d659a75"
    )


def test_edited_payload_is_caught_at_its_row(db_url: str) -> None:
    _filled(db_url)
    _sql(db_url, "UPDATE events SET payload = replace(payload, '205.0', '225.0') WHERE seq = 4")
    assert _verify(db_url) == (False, 4, "hash")


def test_edited_actor_column_is_caught(db_url: str) -> None:
    _filled(db_url)
    _sql(db_url, "UPDATE events SET actor = 'mallory' WHERE seq = 7")
    assert _verify(db_url) == (False, 7, "columns")


def test_rehashed_row_breaks_the_next_link(db_url: str) -> None:
    _filled(db_url)
    _sql(db_url, "UPDATE events SET hash = '" + "a" * 64 + "' WHERE seq = 5")
    assert _verify(db_url) == (False, 5, "hash")


def test_deleted_rows_are_caught(db_url: str) -> None:
    _filled(db_url)
    _sql(db_url, "DELETE FROM events WHERE seq = 17")
    assert _verify(db_url) == (False, 17, "truncated")
    _sql(db_url, "DELETE FROM events WHERE seq = 9")
    assert _verify(db_url) == (False, 9, "sequence")


def test_edited_reading_projection_is_caught(db_url: str) -> None:
    _filled(db_url)
    _sql(db_url, "UPDATE readings SET value_num = 215 WHERE seq = 4")
    assert _verify(db_url) == (False, 4, "projection")


def test_untouched_log_verifies(db_url: str) -> None:
    _filled(db_url)
    assert _verify(db_url) == (True, None, None)


def test_edited_cmms_fields_are_caught(db_url: str) -> None:
    _filled(db_url)
    _sql(db_url, "UPDATE interventions SET labour_min = 15")
    assert _verify(db_url) == (False, 15, "projection")  # seq of the RemedyRecorded event


def test_edited_closure_status_is_caught(db_url: str) -> None:
    _filled(db_url)
    _sql(db_url, "UPDATE interventions SET status = 'abandoned'")
    assert _verify(db_url) == (False, 17, "projection")
