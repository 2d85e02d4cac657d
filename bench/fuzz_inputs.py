"""Figures for hostile input and tampering: mutations tried, clean errors, tracebacks, hangs.

Reads random mutations (seeded, reproducible) of the seeds of
``tests/diagnosis/fuzz_seeds.py`` with the KB loader, the answers-file reader
and the Open-PSA MEF reader, each under a 5 s alarm; counts inputs accepted,
refused with the project's own one-line error, tracebacks (any other
exception) and hangs. Then replays the tamper cases of
``tests/diagnosis/store/test_store_tamper.py`` and counts those ``verify``
detects. Prints a Markdown table and writes ``bench/results_fuzz.md``.

    .venv/bin/python bench/fuzz_inputs.py [--kb 3200] [--answers 1000] [--mef 1000] [--seed 15]
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "diagnosis"), str(ROOT / "tests" / "diagnosis" / "store")]

import fuzz_seeds as fz  # noqa: E402

HANG_S = 5


class _Hang(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise _Hang


def _run(name: str, n: int, make: Callable[[random.Random], Any], read: Callable[..., str],
         rng: random.Random) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    first_traceback = ""
    slowest = 0.0
    for _ in range(n):
        args = make(rng)
        signal.alarm(HANG_S)
        start = time.perf_counter()
        try:
            counts[read(*args)] += 1
        except _Hang:
            counts["hang"] += 1
        except Exception:  # any exception but the project's own is a bug
            counts["traceback"] += 1
            first_traceback = first_traceback or traceback.format_exc(limit=3)
        finally:
            signal.alarm(0)
        slowest = max(slowest, time.perf_counter() - start)
    return {"reader": name, "n": n, **counts, "slowest": slowest, "example": first_traceback}


def _ops(rng: random.Random) -> list[tuple[int, int, int, int]]:
    return [
        (rng.randrange(4), rng.randrange(10_000), rng.randrange(400), rng.randrange(100))
        for _ in range(rng.randint(1, 4))
    ]


def _tamper() -> tuple[int, int]:
    import test_store_tamper as tt

    detected = 0
    for _name, sql, expected in tt.CASES:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/t.db"
            tt._filled(url)
            tt._sql(url, sql)
            ok, reason, detail = tt._verify(url)
            detected += (not ok) and (reason, detail) == expected
    # the scenario cases: recomputed chain with the key (2 tries), manifest deletion /
    # truncation / rewrite (3), manifest seal (3), technicians table (2)
    scenarios = [
        tt.test_recomputed_chain_fails_with_the_audit_key,
        tt.test_manifest_detects_deletion_truncation_and_rewrite,
        tt.test_manifest_seal_needs_the_key,
        tt.test_edited_technicians_table_is_not_what_a_technician_holds,
    ]
    weights = [2, 3, 3, 2]
    import pytest

    for test, weight in zip(scenarios, weights, strict=True):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/t.db"
            mp = pytest.MonkeyPatch()
            try:
                args = [url, mp] if "monkeypatch" in test.__code__.co_varnames else [url]
                test(*args)
                detected += weight
            except AssertionError:
                pass
            finally:
                mp.undo()
    return detected, len(tt.CASES) + sum(weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=3200)
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--mef", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(args.seed)

    def kb_case(r: random.Random) -> tuple[str, str]:
        if r.random() < 0.5:
            return fz.mutate(fz.KB_SEED, _ops(r), fz.YAML_FRAGMENTS), fz.TREE_SEED
        return fz.KB_SEED, fz.mutate(fz.TREE_SEED, _ops(r), fz.YAML_FRAGMENTS)

    rows = [
        _run("KB loader (kb check)", args.kb, kb_case, fz.load_kb_text, rng),
        _run("answers file (run --answers)", args.answers,
             lambda r: (fz.mutate(fz.ANSWERS_SEED, _ops(r), fz.YAML_FRAGMENTS),),
             fz.read_answers_text, rng),
        _run("Open-PSA MEF (ft analyze/import)", args.mef,
             lambda r: (fz.mutate(fz.MEF_SEED, _ops(r), fz.XML_FRAGMENTS),),
             fz.read_mef_text, rng),
    ]
    detected, tries = _tamper()
    lines = [
        f"Seed {args.seed}; a case is a hang past {HANG_S} s.",
        "",
        "| reader | mutations | accepted | clean errors | tracebacks | hangs | slowest (s) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['reader']} | {r['n']} | {r.get('accepted', 0)} | {r.get('refused', 0)} "
            f"| {r.get('traceback', 0)} | {r.get('hang', 0)} | {r['slowest']:.2f} |"
        )
    lines += ["", f"Tamper cases detected: {detected} of {tries} (SQLite; "
              "tests/diagnosis/store/test_store_tamper.py)."]
    text = "\n".join(lines) + "\n"
    print(text)
    for r in rows:
        if r["example"]:
            print(f"first traceback ({r['reader']}):\n{r['example']}")
    (ROOT / "bench" / "results_fuzz.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
