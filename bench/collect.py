"""Put the benchmark result files together into bench/RESULTS.md.

Each benchmark writes its own file (``results_reasoning.md`` by
``bench_reasoning.py``, ``results_faulttree.md`` by ``bench_faulttree.py``);
this script joins them under one heading, so that RESULTS.md is never edited
by hand. Run it after a benchmark: ``python bench/collect.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
PARTS = (
    "results_reasoning.md",
    "results_faulttree.md",
    "results_startup_intro.md",
    "results_startup_before.md",
    "results_startup.md",
)
HEADER = """# Benchmark results

Measured on this project's machine (2 cores, 24 GiB). Each benchmark compares
side by side in one run; ratios matter more than absolute times. Regenerate
with `python bench/bench_reasoning.py`, `python bench/bench_faulttree.py`,
`python bench/bench_startup.py`, then `python bench/collect.py` (needs
`pip install -e '.[bench]'` for pyAgrum).
"""


def main() -> None:
    parts = [HEADER]
    for name in PARTS:
        text = (HERE / name).read_text(encoding="utf-8").strip()
        parts.append(re.sub(r"^(#+) ", r"#\1 ", text, flags=re.MULTILINE))
    (HERE / "RESULTS.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
