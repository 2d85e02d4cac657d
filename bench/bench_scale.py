"""Scale benchmark (issue 14): big equipment with a high fan-in symptom, side by side.

Run from the repository root::

    .venv/bin/python bench/bench_scale.py [--sizes 500,2000,5000] [--out bench/results_scale.md]

For each size, a synthetic equipment (``bench/synthetic.py``, seed 0) whose
symptom ``hub`` ("machine stopped") has 46 parents. The step is the one the
session pays for after each answer: every posterior plus the next-best
measurement, with the evidence of the middle cause (its likely symptoms, the
hub on) and the first three measurements our planner proposes, answered as
that cause would answer them ("step 4"); and a stress case ("3 faults"): three
causes' likely symptoms, the hub, and 15 readings (their abnormal ones first).

Each size runs in its own process so that *peak RSS* is that size's alone:

* ``load``: building the :class:`DiagnosticModel` from the KB objects;
* ``step``: posteriors + next choice (median of 5, answer cache cleared);
* pyAgrum's LazyPropagation on the same network (``build_network``: every
  noisy-OR as a chain of two-parent nodes), built once, then queried with the
  same evidence (median of 3), in a child process limited to 8 GiB of address
  space and 300 s: "out of memory" or "timeout" when it does not run.

Posteriors are compared with pyAgrum's where it runs (max |difference|).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HUB = 46
LIMIT_BYTES = 8 * 1024**3
TIMEOUT_S = 300


def _evidence(size: int, heavy: bool = False) -> tuple[object, object, object]:
    from bench.bench_reasoning import heavy_evidence, scenario
    from bench.synthetic import synthetic_equipment
    from diagnosis.bayes import DiagnosticModel, Evidence
    from diagnosis.planner import next_best

    eq = synthetic_equipment(size, 0, hub_parents=HUB)
    start = time.perf_counter()
    model = DiagnosticModel.from_equipment(eq)
    load = time.perf_counter() - start
    hub_causes = {c.id for c in eq.causes if any(e.symptom == "hub" for e in c.effects)}
    cause = sorted(hub_causes)[len(hub_causes) // 2]
    symptoms, readings = scenario(eq, cause)
    evidence = Evidence(symptoms={**symptoms, "hub": True})
    if heavy:  # three faults at once: their symptoms, the hub, 15 readings
        h = heavy_evidence(eq)
        return (eq, model, Evidence(symptoms={**h.symptoms, "hub": True}, states=h.states)), load, "3 faults"
    for _ in range(3):
        proposal = next_best(model, evidence, eq)
        if proposal is None:
            break
        evidence = evidence.with_state(proposal.measurement, readings[proposal.measurement])
    return (eq, model, evidence), load, cause


def _child_ours(size: int, heavy: bool) -> dict[str, object]:
    from diagnosis.planner import next_best

    (eq, model, evidence), load, cause = _evidence(size, heavy)

    def step() -> dict[str, float]:
        model._cache.clear()  # type: ignore[attr-defined]
        post = dict(model.posteriors(evidence).probabilities)  # type: ignore[attr-defined]
        next_best(model, evidence, eq)  # type: ignore[arg-type]
        return post

    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        post = step()
        times.append(time.perf_counter() - t0)
    return {
        "causes": size,
        "channels": len(model.channels),  # type: ignore[attr-defined]
        "findings": len(evidence.symptoms) + len(evidence.states),  # type: ignore[attr-defined]
        "cause": cause,
        "load_s": load,
        "step_s": statistics.median(times),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "posteriors": post,
    }


def _child_agrum(size: int, heavy: bool) -> dict[str, object]:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))
    from bench.bench_reasoning import AgrumEngine

    (_eq, model, evidence), _load, _cause = _evidence(size, heavy)
    t0 = time.perf_counter()
    engine = AgrumEngine(model)  # type: ignore[arg-type]
    build = time.perf_counter() - t0
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        post = engine.step(evidence)  # type: ignore[arg-type]
        times.append(time.perf_counter() - t0)
    return {
        "build_s": build,
        "step_s": statistics.median(times),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "posteriors": post,
    }


def _run_child(kind: str, size: int, heavy: bool) -> dict[str, object] | str:
    cmd = [sys.executable, __file__, "--child", kind, "--sizes", str(size)]
    if heavy:
        cmd.append("--heavy")
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return f"timeout (> {TIMEOUT_S} s)"
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["crashed"]
        if "MemoryError" in done.stderr or "bad_alloc" in done.stderr or done.returncode < 0:
            return "out of memory (8 GiB)"
        return tail[0][:60]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,5000")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results_scale.md"))
    parser.add_argument("--child", choices=("ours", "agrum"), help=argparse.SUPPRESS)
    parser.add_argument("--heavy", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        fn = _child_ours if args.child == "ours" else _child_agrum
        print(json.dumps(fn(sizes[0], args.heavy)))
        return
    rows = []
    for size, heavy in ((s, h) for s in sizes for h in (False, True)):
        ours = _run_child("ours", size, heavy)
        agrum = _run_child("agrum", size, heavy)
        label = "3 faults" if heavy else "step 4"
        print(f"  {size} {label}: ours {ours if isinstance(ours, str) else 'ok'}, "
              f"pyAgrum {agrum if isinstance(agrum, str) else 'ok'}", file=sys.stderr)
        if isinstance(ours, str):
            rows.append([str(size), label, ours])
            continue
        if isinstance(agrum, str):
            a_step, a_build, a_rss, diff = agrum, "", "", ""
        else:
            mine = ours["posteriors"]
            theirs = agrum["posteriors"]
            assert isinstance(mine, dict) and isinstance(theirs, dict)
            diff = f"{max(abs(v - mine[h]) for h, v in theirs.items()):.1e}"
            a_step = f"{float(agrum['step_s']) * 1e3:.1f} ms"  # type: ignore[arg-type]
            a_build = f"{float(agrum['build_s']):.2f} s"  # type: ignore[arg-type]
            a_rss = f"{float(agrum['rss_mb']):.0f} MB"  # type: ignore[arg-type]
        rows.append(
            [
                str(size),
                label,
                str(ours["channels"]),
                str(ours["findings"]),
                f"{float(ours['load_s']):.2f} s",  # type: ignore[arg-type]
                f"{float(ours['step_s']) * 1e3:.1f} ms",  # type: ignore[arg-type]
                f"{float(ours['rss_mb']):.0f} MB",  # type: ignore[arg-type]
                a_step,
                a_build,
                a_rss,
                diff,
            ]
        )
    header = [
        "causes",
        "evidence",
        "channels",
        "findings",
        "load",
        "step (posteriors + next)",
        "peak RSS",
        "pyAgrum step",
        "pyAgrum build",
        "pyAgrum peak RSS",
        "max diff",
    ]
    lines = [
        f"Synthetic equipment, symptom `hub` with {HUB} parents (bench/bench_scale.py).",
        "Targets: step <= 50 ms at 500 causes, <= 1 s at 5000; 5000 causes load in <= 1 GB.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(r + [""] * (len(header) - len(r))) + " |" for r in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
