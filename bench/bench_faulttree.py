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
    .venv/bin/python bench/bench_faulttree.py --startup     # whole-process ft analyze
    .venv/bin/python bench/bench_faulttree.py --generated   # random trees (gen_faulttree.py)

``--startup`` runs ``diagnosis ft analyze`` as a user does (a fresh process,
interpreter start-up and imports included) on every published model, 5 runs
each, and prints the median CPU (user + system) and wall time beside the
in-process analysis time. Each module's bytecode is compiled once (into a
folder of the temporary directory, not into the checkouts) and then read, as
a user's runs read what ``pip install`` or their first run wrote;
``--compile-each-run`` measures instead a process that compiles every module
it imports (what PYTHONDONTWRITEBYTECODE=1 without cached bytecode gives).
``--generated`` analyses random coherent trees of ``bench/gen_faulttree.py`` (sparse, modular and dense, 200 to 100,000 events):
time and peak RSS to count the cut sets and compute probability and importance
(no listing), then the time to stream every cut set to a file with the CLI
(up to :data:`STREAM_LIMIT` cut sets) and the rate in cut sets per CPU second.
The method column says how the probability was computed: ``bdd``, or
``conditioning`` when the tree outgrew the BDD's memory budget (sparse-100000;
``analysis.BDD_MEMORY_BUDGET``): exact probability and importance by
conditioning on shared events, no cut sets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
# The tests' copies of the Open-PSA models (a clone has them); DIAGNOSIS_OPSA overrides.
OPSA = Path(
    os.environ.get("DIAGNOSIS_OPSA", REPO / "tests" / "diagnosis" / "faulttree" / "data" / "opsa")
)
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


PYCACHE = Path(tempfile.gettempdir()) / "bench-ft-pycache"
"""--startup: compiled modules go here (PYTHONPYCACHEPREFIX), not into the checkouts."""


def _env(repo: Path, compiled: bool = True) -> dict[str, str]:
    """The environment of a measured process: ``repo`` first on the path and, unless
    ``compiled`` is False, the modules' bytecode written once and then read, as after
    ``pip install`` or a first run (PYTHONDONTWRITEBYTECODE, if this shell sets it,
    would compile every module at every start: 25-35 ms of a small model's run)."""
    env = dict(os.environ, PYTHONPATH=str(repo))
    if compiled:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def _measure(
    cmd: list[str], timeout: float, repo: Path = REPO, compiled: bool = True
) -> dict[str, Any]:
    """Run ``cmd``; wall and CPU seconds and peak RSS (MB) of that process alone."""
    env = _env(repo, compiled)
    start = time.perf_counter()
    # cwd: `python -m` looks in the current folder before PYTHONPATH
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=repo
    )
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return {"timeout": True}
        time.sleep(0.005)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    return {
        "ok": os.waitstatus_to_exitcode(status) == 0,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "stdout": out,
    }


def startup(runs: int = 5, against: Path | None = None, compiled: bool = True) -> list[str]:
    """Whole-process ``python -m diagnosis ft analyze`` on every published model.

    With ``against`` (another checkout, e.g. main), each run of this tree is
    followed by one of that tree, so both see the same load. With ``compiled``
    (the default) one run of each command first writes the bytecode of every
    module it imports (to :data:`PYCACHE`), so the timed runs read it, as a user's
    runs do; without, every run compiles the modules it imports.
    """
    load = os.getloadavg()
    expected = yaml.safe_load((OPSA / "expected.yaml").read_text(encoding="utf-8"))
    other = f" | {against.name}: CPU s" if against else ""
    lines = [
        "| model | whole process: CPU s (median of 5) | wall s | peak RSS MB "
        f"| CPU / SCRAM's 0.04 s{other} |",
        "|---|---|---|---|---|" + ("---|" if against else ""),
    ]
    _measure([sys.executable, "-c", "pass"], 30, compiled=compiled)  # bytecode of site's imports
    base = [_measure([sys.executable, "-c", "pass"], 30, compiled=compiled) for _ in range(runs)]
    for name, spec in expected.items():
        if name == "cea9601":
            continue  # 8 s of analysis: start-up is not the question there
        files = [str(OPSA / f) for f in spec["files"]]
        out = str(Path(tempfile.gettempdir()) / "bench-ft-startup.json")
        cmd = [sys.executable, "-m", "diagnosis", "ft", "analyze", *files, "--format", "json"]
        cmd += ["--max-order", str(spec.get("max_order", 20)), "-o", out]
        got, theirs = [], []
        if compiled:  # write the bytecode
            _measure(cmd, 120)
            if against:
                _measure(cmd, 120, against)
        for _ in range(runs):
            got.append(_measure(cmd, 120, compiled=compiled))
            if against:
                theirs.append(_measure(cmd, 120, against, compiled))
        cpu = statistics.median(g["cpu"] for g in got)
        wall = statistics.median(g["wall"] for g in got)
        rss = max(g["rss_mb"] for g in got)
        row = f"| {name} | {cpu:.3f} | {wall:.3f} | {rss:.0f} | {cpu / 0.04:.1f}x |"
        if against:
            row += f" {statistics.median(t['cpu'] for t in theirs):.3f} |"
        lines.append(row)
        print(row, flush=True)
    lines.append(
        f"\n`python -c pass` alone: {statistics.median(b['cpu'] for b in base):.3f} s CPU. "
        "SCRAM 0.16.2: 0.04 s (issue 16's measurement on this kind of machine; SCRAM is "
        f"not installed here). Load average before / after: {load[0]:.1f} / "
        f"{os.getloadavg()[0]:.1f}. Bytecode: "
        + (
            "compiled once, then read (as after an install)."
            if compiled
            else "compiled at every run."
        )
    )
    lines.append(_import_times(expected, compiled=compiled))
    return lines


_GROUPS = (
    ("site (and this venv's editable-install finder)", ("site",)),
    ("typer / click", ("typer", "click")),
    ("diagnosis.cli", ("diagnosis.cli",)),
    ("diagnosis.faulttree and diagnosis.i18n", ("diagnosis",)),
    ("dd / CUDD", ("dd",)),
)


def _import_times(expected: dict[str, Any], runs: int = 5, compiled: bool = True) -> str:
    """``python -X importtime`` on two_train: cumulative ms of the top-level imports, grouped
    (median of ``runs``)."""
    files = [str(OPSA / f) for f in expected["two_train"]["files"]]
    out = str(Path(tempfile.gettempdir()) / "bench-ft-startup.json")
    cmd = [sys.executable, "-X", "importtime", "-m", "diagnosis", "ft", "analyze", *files]
    cmd += ["--format", "json", "-o", out]
    env = _env(REPO, compiled)
    samples: dict[str, list[float]] = {label: [] for label, _ in _GROUPS}
    samples["other"] = []
    for _ in range(runs):
        err = subprocess.run(
            cmd, capture_output=True, text=True, env=env, check=False, cwd=REPO
        ).stderr
        total = {label: 0.0 for label in samples}
        for line in err.splitlines():
            parts = line.split("|")
            if len(parts) != 3 or not parts[1].strip().isdigit():
                continue
            name = parts[2].rstrip()
            if name.startswith("  "):
                continue  # only top-level imports (their time includes their children)
            name = name.strip()
            label = next(
                (
                    lab
                    for lab, pre in _GROUPS
                    if any(
                        name.split(".")[0] == p.split(".")[0] and name.startswith(p) for p in pre
                    )
                ),
                "other",
            )
            total[label] += int(parts[1]) / 1000
        for label, ms in total.items():
            samples[label].append(ms)
    cells = ", ".join(f"{label} {statistics.median(v):.0f} ms" for label, v in samples.items())
    return f"`python -X importtime` (two_train, median of {runs}, cumulative): {cells}."


GENERATED = [
    ("sparse", 200, 6),
    ("sparse", 1000, 6),
    ("sparse", 5000, 6),
    ("sparse", 20000, 6),
    ("sparse", 100000, 6),
    ("modular", 1000, 6),
    ("modular", 5000, 6),
    ("modular", 20000, 6),
    ("modular", 100000, 6),
    ("dense", 200, 4),
    ("dense", 1000, 4),
    ("dense", 5000, 3),
    ("dense", 5000, 4),
]

STREAM_LIMIT = 10_000_000
"""Listings longer than this are not run (minutes each on 2 shared cores)."""


def generated_child(path: str, order: int) -> None:
    """In the subprocess: analyse without listing; print the measurements as JSON."""
    sys.path.insert(0, str(REPO))
    import dd.cudd  # noqa: F401 - before the clock

    from diagnosis.faulttree.analysis import analyze
    from diagnosis.faulttree.opsa_mef_reader import read_mef

    start = time.perf_counter()
    tree = read_mef([path])
    r = analyze(tree, max_order=order, list_cut_sets=False)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - start,
                "events": len(tree.basic_events),
                "gates": len(tree.gates),
                "bdd_nodes": r.bdd_nodes,
                "count": r.cut_set_count if r.cut_sets_computed else None,
                "probability": r.probability,
                "method": r.method,
            }
        )
    )


def generated(timeout: float, shapes: str = "") -> list[str]:
    gen = Path(__file__).with_name("gen_faulttree.py")
    folder = Path(tempfile.gettempdir()) / "bench-ft-generated"
    folder.mkdir(exist_ok=True)
    lines = [
        "| tree | events | gates | method | BDD nodes | max order | P(top) | minimal cut sets "
        "| count + P + importance: s | CPU s | peak RSS MB | stream all to a file: wall s "
        "| CPU s | peak RSS MB | cut sets / CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for shape, n, order in GENERATED:
        if shapes and shape not in shapes.split(","):
            continue
        path = folder / f"{shape}-{n}.xml"
        if not path.is_file():
            cmd = [sys.executable, str(gen), "--events", str(n), "--shape", shape]
            subprocess.run([*cmd, "-o", str(path)], check=True, capture_output=True)
        one = _measure(
            [sys.executable, __file__, "--generated-child", str(path), str(order)], timeout
        )
        if one.get("timeout") or not one.get("ok"):
            row = f"| {shape} | {n} | - | - | - | {order} | - | - | > {timeout:g} | - | - | - | - | - | - |"
            lines.append(row)
            print(row, flush=True)
            continue
        d = json.loads(one["stdout"].strip().splitlines()[-1])
        if d["count"] is None:
            list_cells = "- | - | - | -"
        elif d["count"] > STREAM_LIMIT:
            list_cells = "not run | - | - | -"
        else:
            out = folder / "cut-sets.txt"
            cmd = [sys.executable, "-m", "diagnosis", "ft", "analyze", str(path)]
            cmd += ["--max-order", str(order), "--format", "lines", "-o", str(out)]
            listing = _measure(cmd, timeout)
            if listing.get("timeout"):
                list_cells = f"> {timeout:g} | - | - | -"
            else:
                # The rate counts the whole process (start-up and analysis included).
                rate = d["count"] / listing["cpu"]
                list_cells = (
                    f"{listing['wall']:.1f} | {listing['cpu']:.1f} | {listing['rss_mb']:.0f} "
                    f"| {rate:,.0f}"
                )
            out.unlink(missing_ok=True)
        count = "not computed" if d["count"] is None else f"{d['count']:,}"
        nodes = "over budget" if d["method"].startswith("conditioning") else d["bdd_nodes"]
        row = (
            f"| {shape} | {d['events']} | {d['gates']} | {d['method']} | {nodes} | {order} "
            f"| {d['probability']:.15g} | {count} | {d['seconds']:.2f} | {one['cpu']:.1f} "
            f"| {one['rss_mb']:.0f} | {list_cells} |"
        )
        lines.append(row)
        print(row, flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "METHOD"), help=argparse.SUPPRESS)
    parser.add_argument("--generated-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run (60)")
    parser.add_argument("--models", default="", help="comma-separated model names")
    parser.add_argument("--startup", action="store_true", help="whole-process start-up table")
    parser.add_argument("--generated", action="store_true", help="random-tree table")
    parser.add_argument("--shapes", default="", help="--generated: comma-separated shapes")
    parser.add_argument(
        "--against", type=Path, default=None, help="--startup: also time this checkout (e.g. main)"
    )
    parser.add_argument(
        "--compile-each-run",
        action="store_true",
        help="--startup: no bytecode cache (every run compiles the modules it imports)",
    )
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.generated_child:
        generated_child(args.generated_child[0], int(args.generated_child[1]))
        return
    if args.startup:
        print("\n".join(startup(against=args.against, compiled=not args.compile_each_run)))
        return
    if args.generated:
        print("\n".join(generated(args.timeout, args.shapes)))
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
