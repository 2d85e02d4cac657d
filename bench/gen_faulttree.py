"""Random coherent fault trees for benchmarks, written as Open-PSA MEF XML.

Three shapes, all coherent (AND, OR and k-out-of-n gates only), reproducible
from a seed:

* ``sparse`` - mostly a tree: fan-in 2-5, OR 60 % / AND 30 % / k-of-n 10 %,
  2 % of the leaves are events already used nearby (among the last 40
  placed: shared within a subsystem), at most 3 AND/vote
  levels on a path from the top;
* ``dense`` - fan-in 3-6, OR 50 % / AND 10 % / k-of-n 40 %, 5 % shared
  leaves, up to 2 AND/vote levels: far more minimal cut sets per event;
* ``modular`` - ``sparse``'s gates, but a shared leaf is taken only among
  the events of its own subsystem (the subtree of a gate at depth 3), as
  in a plant model where a support system's events recur inside one train.
  In ``sparse``, "the last 40 placed" of a breadth-first growth are the
  events of *other* subtrees at the same depth: every shared leaf ties two
  distant subtrees, and the BDD (depth-first variable order) grows past 2
  million nodes at 20,000 events; ``modular`` keeps them local.

Probabilities are log-uniform in [1e-4, 1e-1]. The tree is grown top-down,
breadth first, each input a new gate (while events remain to place), a shared
event or a new event, until about ``events`` basic events are placed.

    .venv/bin/python bench/gen_faulttree.py --events 5000 --shape dense --seed 1 -o t.xml
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import deque
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SHAPES = {
    # fan-in range, (or, and, atleast) weights, shared-leaf rate, AND levels on a
    # path, depth of the subsystem roots (shared leaves stay in one; 0: anywhere nearby)
    "sparse": ((2, 5), (0.6, 0.3, 0.1), 0.02, 3, 0),
    "dense": ((3, 6), (0.5, 0.1, 0.4), 0.05, 2, 0),
    "modular": ((2, 5), (0.6, 0.3, 0.1), 0.02, 3, 3),
}


def generate(events: int, shape: str, seed: int) -> str:
    """The MEF XML text of one random coherent tree with ``events`` basic events."""
    sys.path.insert(0, str(REPO))
    from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode
    from diagnosis.faulttree.opsa_mef_writer import write_mef

    (lo, hi), weights, share, max_and, depth = SHAPES[shape]
    rng = random.Random(seed)
    avg = (lo + hi) / 2
    names: list[str] = []
    gates: list[GateNode] = []
    queue: deque[tuple[str, int, int, str]] = deque([("g0", 0, 0, "g0")])
    count = 1
    recent: dict[str, list[str]] = {}  # subsystem -> its events, latest last
    while queue:
        gid, ands, level, system = queue.popleft()
        if depth and level == depth:
            system = gid  # a new subsystem: its leaves are shared only inside it
        own = recent.setdefault(system, []) if depth else names
        kind = rng.choices(("or", "and", "atleast"), weights)[0] if ands < max_and else "or"
        size = rng.randint(lo, hi)
        inputs: list[str] = []
        for _ in range(size):
            if len(names) + (len(queue) + 1) * avg < events and rng.random() < 0.5:
                child = f"g{count}"
                count += 1
                queue.append((child, ands + (kind != "or"), level + 1, system))
                inputs.append(child)
            elif own and (len(names) >= events or rng.random() < share):
                shared = rng.choice(own[-40:])  # a nearby event: shared within a subsystem
                if shared not in inputs:
                    inputs.append(shared)
            else:
                names.append(f"e{len(names)}")
                inputs.append(names[-1])
                if depth:
                    own.append(names[-1])
        if len(inputs) < 2:
            names.append(f"e{len(names)}")
            inputs.append(names[-1])
            if depth:
                own.append(names[-1])
        if kind == "atleast" and len(inputs) < 3:
            kind = "or"
        k = rng.randint(2, len(inputs) - 1) if kind == "atleast" else None
        gates.append(GateNode(gid, kind, tuple(inputs), k))  # type: ignore[arg-type]
    basics = tuple(BasicEvent(n, round(10 ** rng.uniform(-4.0, -1.0), 6)) for n in names)
    tree = FaultTree(f"random-{shape}-{events}-{seed}", "g0", tuple(gates), basics)
    return write_mef(tree)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="sparse")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    if args.events < 2:
        parser.error("--events must be >= 2")
    Path(args.output).write_text(generate(args.events, args.shape, args.seed), encoding="utf-8")
    print(f"{args.output}: {args.shape}, {args.events} basic events, seed {args.seed}")


if __name__ == "__main__":
    main()
