"""Benchmark: our BDD/ZBDD fault-tree analysis vs a plain MOCUS baseline.

For every Open-PSA model of ``shared/opsa`` (``expected.yaml``), runs in a
fresh subprocess each (so peak memory and time-outs are per run):

* ``bdd``   - :func:`diagnosis.faulttree.analyze`: BDD compile (CUDD), exact
  probability, importance of every event, ZBDD minimal cut sets;
* ``mocus`` - the MOCUS baseline (:mod:`diagnosis.faulttree.mocus`): minimal
  cut sets only, same order limit.

Prints one table side by side (seconds, peak RSS, cut sets found, whether
the published numbers are met, and the time ratio) and writes it to
``bench/results_faulttree.md``.

    .venv/bin/python bench/bench_faulttree.py [--timeout 60] [--models a,b]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
OPSA = REPO.parent / "shared" / "opsa"
RESULTS = Path(__file__).with_name("results_faulttree.md")


def child(name: str, method: str) -> None:
    """Run one analysis and print its measurements as JSON (in the subprocess)."""
    sys.path.insert(0, str(REPO))
    import dd.cudd  # noqa: F401  - imported before the clock starts, for both methods

    from diagnosis.faulttree.analysis import analyze
    from diagnosis.faulttree.mocus import mocus_cut_sets
    from diagnosis.faulttree.opsa_mef_reader import read_mef

    spec = yaml.safe_load((OPSA / "expected.yaml").read_text(encoding="utf-8"))[name]
    order = spec.get("max_order", 20)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    tree = read_mef([OPSA / f for f in spec["files"]])
    out: dict[str, Any] = {}
    if method == "bdd":
        result = analyze(tree, max_order=order)
        out["cut_sets"] = len(result.cut_sets)
        out["probability"] = result.probability
        out["bdd_nodes"] = result.bdd_nodes
        out["exact"] = (
            len(result.cut_sets) == spec["cut_sets"]
            and abs(result.probability - spec["probability"]) <= spec["tolerance"]
        )
    else:
        out["cut_sets"] = len(mocus_cut_sets(tree, order))
        out["exact"] = out["cut_sets"] == spec["cut_sets"]
    out["seconds"] = time.perf_counter() - start
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["added_mb"] = out["rss_mb"] - rss0 / 1024
    print(json.dumps(out))


def run(name: str, method: str, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", name, method]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:60]}
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def _cell(r: dict[str, Any], timeout: float) -> tuple[str, str, str]:
    if r.get("timeout"):
        return (f"> {timeout:g}", "-", "-")
    if "error" in r:
        return ("error", "-", r["error"])
    ok = "yes" if r["exact"] else "NO"
    return (
        f"{r['seconds']:.2f}",
        f"{r['rss_mb']:.0f} (+{r['added_mb']:.0f})",
        f"{r['cut_sets']} ({ok})",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "METHOD"), help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run (60)")
    parser.add_argument("--models", default="", help="comma-separated model names")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    expected = yaml.safe_load((OPSA / "expected.yaml").read_text(encoding="utf-8"))
    names = [n for n in expected if not args.models or n in args.models.split(",")]
    header = (
        "| model | BDD nodes | ours: s | ours: peak RSS MB (+analysis) | ours: cut sets (published?) "
        "| MOCUS: s | MOCUS: peak RSS MB (+analysis) | MOCUS: cut sets (published?) "
        "| time MOCUS / ours |"
    )
    lines = [header, "|" + "---|" * 9]
    print(header)
    print(lines[1])
    for name in names:
        ours = run(name, "bdd", args.timeout)
        base = run(name, "mocus", args.timeout)
        if "seconds" in ours and "seconds" in base:
            ratio = f"{base['seconds'] / max(ours['seconds'], 1e-9):.2g}x"
        elif "seconds" in ours and base.get("timeout"):
            ratio = f"> {args.timeout / ours['seconds']:.0f}x"
        else:
            ratio = "-"
        row = (
            f"| {name} | {ours.get('bdd_nodes', '-')} | "
            + " | ".join(_cell(ours, args.timeout))
            + " | "
            + " | ".join(_cell(base, args.timeout))
            + f" | {ratio} |"
        )
        lines.append(row)
        print(row, flush=True)
    note = (
        f"\nOne run each, fresh process, time-out {args.timeout:g} s, 2 cores shared with "
        "other work. Times include reading the MEF files. Peak RSS (ru_maxrss) holds the "
        "interpreter and CUDD's own memory; (+N) is the growth during the analysis. "
        "Ours computes cut sets, exact probability and every importance factor; MOCUS "
        "only the cut sets. 'published?' = the cut-set count (and, for ours, the exact "
        "probability) match shared/opsa/expected.yaml.\n"
    )
    RESULTS.write_text(
        "# Fault-tree analysis benchmark (bench/bench_faulttree.py)\n\n"
        + "\n".join(lines)
        + "\n"
        + note,
        encoding="utf-8",
    )
    print(note)


if __name__ == "__main__":
    main()
