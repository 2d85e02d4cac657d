"""Several technicians at once, and a process killed mid-session: nothing is lost.

Real OS processes write into one SQLite file (WAL, busy timeout, retry on
"database is locked") or one PostgreSQL database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from store_samples import make_events

from diagnosis.store import open_store

WRITER = Path(__file__).with_name("store_writer.py")
ROOT = Path(__file__).resolve().parents[3]
PROCESSES = 4
SESSIONS_EACH = 3


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_concurrent_writers_lose_nothing(db_url: str) -> None:
    open_store(db_url).close()  # migrate once; the race on first open is tested below
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), db_url, f"p{i}", str(SESSIONS_EACH)],
            env=_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    expected = make_events("x")
    with open_store(db_url) as store:
        ids = sorted(s.id for s in store.sessions())
        assert ids == sorted(f"p{i}-{j}" for i in range(PROCESSES) for j in range(SESSIONS_EACH))
        for sid in ids:
            events = store.events(sid)
            assert len(events) == len(expected)
            assert store.verify(sid).ok


def test_concurrent_first_open_migrates_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, f"f{i}", "1"],
            env=_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    with open_store(url) as store:
        assert len(store.sessions()) == 3


def _count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM events")).scalar() or 0)
    except sa.exc.DBAPIError:  # tables not created yet
        return 0
    finally:
        engine.dispose()


def test_sigkill_mid_session_keeps_every_committed_event(db_url: str) -> None:
    proc = subprocess.Popen([sys.executable, str(WRITER), db_url, "k", "1", "0.05"], env=_env())
    try:
        for _ in range(2000):
            if _count(db_url) >= 8 or proc.poll() is not None:
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    stored = _count(db_url)
    assert 8 <= stored < len(make_events("k-0"))
    with open_store(db_url) as store:
        events = store.events("k-0")
        assert events == make_events("k-0")[:stored]
        assert store.verify("k-0").ok
        assert [s.id for s in store.unfinished()] == ["k-0"]
        for event in make_events("k-0")[stored:]:  # resume appending where it stopped
            store.append("k-0", event)
        assert store.events("k-0") == make_events("k-0")
        assert store.verify("k-0").ok
        assert store.unfinished() == []
