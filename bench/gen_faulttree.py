"""Random coherent fault trees for benchmarks, written as Open-PSA MEF XML.

Two shapes, both coherent (AND, OR and k-out-of-n gates only), reproducible
from a seed:

* ``sparse`` - mostly a tree: fan-in 2-5, OR 60 % / AND 30 % / k-of-n 10 %,
  2 % of the leaves are events already used nearby (among the last 40
  placed: shared within a subsystem), at most 3 AND/vote
  levels on a path from the top;
* ``dense`` - fan-in 3-6, OR 40 % / AND 30 % / k-of-n 30 %, 15 % shared
  leaves, up to 4 AND/vote levels: far more minimal cut sets per event.

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
    # fan-in range, (or, and, atleast) weights, shared-leaf rate, AND levels on a path
    "sparse": ((2, 5), (0.6, 0.3, 0.1), 0.02, 3),
    "dense": ((3, 6), (0.5, 0.1, 0.4), 0.05, 2),
}


def generate(events: int, shape: str, seed: int) -> str:
    """The MEF XML text of one random coherent tree with ``events`` basic events."""
    sys.path.insert(0, str(REPO))
    from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode
    from diagnosis.faulttree.opsa_mef_writer import write_mef

    (lo, hi), weights, share, max_and = SHAPES[shape]
    rng = random.Random(seed)
    avg = (lo + hi) / 2
    names: list[str] = []
    gates: list[GateNode] = []
    queue: deque[tuple[str, int]] = deque([("g0", 0)])
    count = 1
    while queue:
        gid, ands = queue.popleft()
        kind = rng.choices(("or", "and", "atleast"), weights)[0] if ands < max_and else "or"
        size = rng.randint(lo, hi)
        inputs: list[str] = []
        for _ in range(size):
            if len(names) + (len(queue) + 1) * avg < events and rng.random() < 0.5:
                child = f"g{count}"
                count += 1
                queue.append((child, ands + (kind != "or")))
                inputs.append(child)
            elif names and (len(names) >= events or rng.random() < share):
                shared = rng.choice(names[-40:])  # a nearby event: shared within a subsystem
                if shared not in inputs:
                    inputs.append(shared)
            else:
                names.append(f"e{len(names)}")
                inputs.append(names[-1])
        if len(inputs) < 2:
            names.append(f"e{len(names)}")
            inputs.append(names[-1])
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
