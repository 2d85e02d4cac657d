"""A real guided session in its own process, slowed down so a test can SIGKILL it mid-way.

Usage: python slow_session.py URL ANSWERS SESSION_ID PAUSE_S MAX_STEPS
Runs the bundled KB's injection press on the "short shot" symptom, answering
from ANSWERS (as ``diagnosis run`` does) and pausing PAUSE_S before each
answer, for at most MAX_STEPS measurements.
"""

from __future__ import annotations

import sys
import time

from diagnosis.kb import load_kb
from diagnosis.kb.model import Measurement
from diagnosis.session import AnswersFile, Session, run_session
from diagnosis.store import open_store


class Slow:
    def __init__(self, inner: AnswersFile, pause: float) -> None:
        self.inner, self.pause = inner, pause

    def read(self, measurement: Measurement) -> object:
        time.sleep(self.pause)
        return self.inner.read(measurement)


def main() -> None:
    url, answers, session_id = sys.argv[1], sys.argv[2], sys.argv[3]
    pause, max_steps = float(sys.argv[4]), int(sys.argv[5])
    kb = load_kb()
    eq = kb.equipment("injection-press-01")
    store = open_store(url, kb=kb)
    session = Session.start(
        kb,
        eq.id,
        ["im-short-shot"],
        technician="alice",
        habilitations=["BR"],
        sink=store,
        session_id=session_id,
        max_steps=max_steps,
    )
    run_session(session, Slow(AnswersFile(answers, eq), pause))  # type: ignore[arg-type]
    store.close()


if __name__ == "__main__":
    main()
