"""Indicators benchmark: how long each `kpi` command takes on the demo year.

Run: ``nice python bench/bench_kpi.py [--days 365]``; prints a Markdown table
(seconds, one run each, in-process). Generates the demo into a temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def timed(label: str, work: Callable[[], object], rows: list[tuple[str, float]]) -> None:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        work()
    rows.append((label, time.perf_counter() - start))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    from diagnosis.cli import main as cli

    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        db = str(demo / "demo.db")
        timed(f"demo --days {args.days}", lambda: cli(
            ["demo", "--days", str(args.days), "--out", str(demo)]), rows)
        sizes = {
            name: sum(1 for _ in (demo / name).open(encoding="utf-8")) - 1
            for name in ("production.csv", "readings.csv", "failures.csv")
        }
        timed(f"kpi oee ({sizes['production.csv']} rows)",
              lambda: cli(["kpi", "oee", str(demo / "production.csv")]), rows)
        timed(f"monitor ({sizes['readings.csv']} readings)",
              lambda: cli(["monitor", str(demo / "readings.csv")]), rows)
        timed(f"kpi weibull ({sizes['failures.csv']} times)",
              lambda: cli(["kpi", "weibull", str(demo / "failures.csv")]), rows)
        timed("kpi reliability", lambda: cli(["kpi", "reliability", "--db", db]), rows)
        timed("kb learn", lambda: cli(["kb", "learn", "--db", db, "-o", str(demo / "l.yaml")]),
              rows)
        timed("kpi report --to html (all inputs)", lambda: cli(
            ["kpi", "report", "--db", db, "--production", str(demo / "production.csv"),
             "--readings", str(demo / "readings.csv"), "--failures", str(demo / "failures.csv"),
             "-o", str(demo / "k.html")]), rows)
    print("| command | s |")
    print("|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
