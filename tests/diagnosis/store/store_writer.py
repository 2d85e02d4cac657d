"""A separate process that writes sessions into a store (used by the concurrency and kill tests).

Usage: python store_writer.py URL PREFIX SESSIONS [PAUSE_S]
Writes SESSIONS complete sessions named PREFIX-0, PREFIX-1... (the events of
conftest.make_events), pausing PAUSE_S seconds after each event.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from store_samples import make_events

from diagnosis.store import open_store


def main() -> None:
    url, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    store = open_store(url)
    for i in range(count):
        sid = f"{prefix}-{i}"
        for event in make_events(sid):
            store.append(sid, event)
            if pause:
                time.sleep(pause)
    store.close()


if __name__ == "__main__":
    main()
