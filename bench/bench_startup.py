"""Benchmark: how long the program takes to start, as ratios measured in one run.

Each case is a fresh process (``python -m diagnosis ...``), as a user starts it,
on the bundled knowledge base:

* ``--help``            the floor of the CLI (Python + typer);
* ``kb check``          load and validate the bundled KB and fault trees (a valid
  KB is kept in the user's cache folder: the usual, second start), and the
  same with ``DIAGNOSIS_CACHE=off`` (YAML parsed and checked every time);
* ``report --to md|html|json`` one saved session's report;
* ``run``               a scripted diagnosis (answers file, saved to SQLite);
* ``tui``               the TUI's first screen (headless, until its workers are
  done), against a bare Textual app showing one static line: the floor of any
  Textual app on this machine.

A second table gives the share of a diagnosis step spent in the KB rules
(experta), over every single-cause scenario of the bundled KB (target < 10 %).

Cases are interleaved round by round (so that other load on the machine hits
them all alike) and the median of the rounds is kept. Targets: ``kb check`` and
each ``report`` <= 3x ``--help``; the TUI <= 3x the bare Textual app.

    PYTHONPATH=. .venv/bin/python bench/bench_startup.py [--rounds 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results_startup.md")

ANSWERS = 'im-oil-level: "true"\nim-granule-aspect: clean\n'

BARE_TEXTUAL = """
import asyncio
from textual.app import App
from textual.widgets import Static

class Bare(App[None]):
    def compose(self):
        yield Static("hello")

async def main():
    app = Bare()
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()

asyncio.run(main())
"""

DIAGNOSIS_TUI = """
import asyncio, sys
from diagnosis.ui.app import DiagnosisApp

async def main():
    app = DiagnosisApp(None, db=sys.argv[1], lang="en")
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is not None

asyncio.run(main())
"""


def _env(repo: Path = REPO) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(repo) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("DIAGNOSIS_LANG", "en")
    return env


def _time(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def rules_share(rounds: int) -> list[str]:
    """Time of the rules (``RulesEngine.evaluate``) over the time of whole sessions."""
    sys.path.insert(0, str(REPO))
    from diagnosis.kb import load_kb
    from diagnosis.rules import engine as rules
    from diagnosis.session import Session, SimulatedMachine, run_session

    kb = load_kb()
    spent = [0.0]
    evaluate = rules.RulesEngine.evaluate

    def timed(self: rules.RulesEngine, *args: object, **kwargs: object) -> rules.RulesOutcome:
        start = time.perf_counter()
        try:
            return evaluate(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            spent[0] += time.perf_counter() - start

    rules.RulesEngine.evaluate = timed  # type: ignore[method-assign]
    shares, steps_ms = [], []
    for _ in range(rounds + 1):  # the first round warms up (Rete networks built)
        for compiled in rules._ENGINES.values():  # no fact set seen in an earlier round
            getattr(compiled, "_seen", {}).clear()  # (older versions have no such memory)
        spent[0], steps, start = 0.0, 0, time.perf_counter()
        for eq in kb.equipments:
            for cause in eq.causes:
                machine = SimulatedMachine(eq, cause.id)
                session = Session.start(kb, eq.id, list(machine.symptoms), technician="b")
                run_session(session, machine)
                steps += len(session.readings) + 1
        total = time.perf_counter() - start
        shares.append(spent[0] / total)
        steps_ms.append(1000 * total / steps)
    shares, steps_ms = shares[1:], steps_ms[1:]
    return [
        "",
        "Rule evaluation within a diagnosis step (every single-cause scenario of the",
        f"bundled KB, in process, median of {rounds} rounds after a warm-up; the rules'",
        "memory of fact sets is emptied before each round):",
        "",
        "| step ms (all) | rules share of a step | target |",
        "|---|---|---|",
        f"| {statistics.median(steps_ms):.2f} | {100 * statistics.median(shares):.1f} % | < 10 % |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS, help="markdown file to write")
    parser.add_argument("--title", default="after", help="label of this measurement")
    parser.add_argument(
        "--before",
        type=Path,
        help="another checkout (e.g. main): its --help and reports are timed in the same "
        "rounds, as '(before)' rows with their own --help as floor",
    )
    args = parser.parse_args()

    env = _env()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = f"sqlite:///{tmp / 'bench.db'}"
        answers = tmp / "answers.yaml"
        answers.write_text(ANSWERS, encoding="utf-8")
        (tmp / "bare.py").write_text(BARE_TEXTUAL, encoding="utf-8")
        (tmp / "tui.py").write_text(DIAGNOSIS_TUI, encoding="utf-8")
        dx = [py, "-m", "diagnosis"]
        run_cmd = [*dx, "run", "-e", "injection-press-01", "-s", "im-short-shot"]
        run_cmd += ["-a", str(answers), "--db", db, "--lang", "en"]
        subprocess.run(run_cmd, env=env, cwd=tmp, capture_output=True, check=True)
        listing = subprocess.run(
            [*dx, "history", "--db", db], env=env, cwd=tmp, capture_output=True, text=True
        )
        session = listing.stdout.splitlines()[1].split()[0]
        cases: dict[str, list[str]] = {
            "diagnosis --help": [*dx, "--help"],
            "kb check": [*dx, "kb", "check"],
            "kb check (no KB cache)": [*dx, "kb", "check"],
            "report --to md": [*dx, "report", session, "--to", "md", "--db", db],
            "report --to html": [*dx, "report", session, "--to", "html", "--db", db],
            "report --to json": [*dx, "report", session, "--to", "json", "--db", db],
            "run (scripted, saved)": run_cmd,
            "bare Textual app": [py, str(tmp / "bare.py")],
            "TUI first screen": [py, str(tmp / "tui.py"), db],
        }
        envs = {name: env for name in cases}
        if args.before is not None:
            before = _env(args.before.resolve())
            for name in ("diagnosis --help", *(n for n in cases if n.startswith("report"))):
                cases[f"{name} (before)"] = cases[name]
                envs[f"{name} (before)"] = before
            subprocess.run([*dx, "kb", "check"], env=before, cwd=tmp, capture_output=True)
        times: dict[str, list[float]] = {name: [] for name in cases}
        cold = {**env, "DIAGNOSIS_CACHE": "off"}  # parse and check the YAML every time
        subprocess.run([*dx, "kb", "check"], env=env, cwd=tmp, capture_output=True, check=True)
        for _ in range(args.rounds):
            for name, cmd in cases.items():
                times[name].append(_time(cmd, cold if "no KB cache" in name else envs[name], tmp))
    med = {name: statistics.median(t) for name, t in times.items()}
    floors = {
        "kb check": "diagnosis --help",
        "kb check (no KB cache)": "diagnosis --help",
        "report --to md": "diagnosis --help",
        "report --to html": "diagnosis --help",
        "report --to json": "diagnosis --help",
        "run (scripted, saved)": "diagnosis --help",
        "TUI first screen": "bare Textual app",
    }
    for name in cases:
        if name.startswith("report") and name.endswith("(before)"):
            floors[name] = "diagnosis --help (before)"
    targets = {k: 3.0 for k in floors if k != "run (scripted, saved)"}
    load = os.getloadavg()[0]
    lines = [
        f"### {args.title}",
        "",
        f"Median of {args.rounds} interleaved rounds; load average 1 min: {load:.1f}.",
        "",
        "| case | median s | min s | ratio | to | target |",
        "|---|---|---|---|---|---|",
    ]
    for name in cases:
        floor = floors.get(name)
        ratio = f"{med[name] / med[floor]:.2f}" if floor else "1.00"
        target = f"<= {targets[name]:.0f}x" if name in targets else ""
        if name in targets:
            target += " ok" if med[name] / med[floors[name]] <= targets[name] else " MISSED"
        lines.append(
            f"| {name} | {med[name]:.2f} | {min(times[name]):.2f} | {ratio} | "
            f"{floor or '(floor)'} | {target} |"
        )
    lines += rules_share(args.rounds)
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
