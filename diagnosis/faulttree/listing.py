"""Streaming the minimal cut sets of a ZBDD sorted by size then names, fast and in bounded memory.

The order wanted, ``(len(events), events)`` with the events of a set sorted by
name, is not the ZBDD's (its levels follow the BDD's variable order). So:

* each set is encoded as a short *key* string, one character per event, the
  character of an event growing with its name's rank (``chr(32 + rank)``,
  skipping the surrogates), its characters sorted: comparing two keys of the
  same length is comparing the tuples of names, and the comparison runs in C
  (``list.sort`` on strings, no key function, no per-set object);
* the sets of each order ``k`` are enumerated apart, walking only the nodes
  that hold a set of the remaining size (a bit mask of the sizes present, one
  pass over the nodes), the last event of a set taken along the low chain of
  its node without pushing anything;
* up to ``run`` keys are sorted in memory; beyond, sorted runs go to temporary
  files and are merged block by block (a C sort per block, no Python step per
  key), so memory is bounded
  by the run size whatever the number of sets;
* a key becomes its output line with one ``str.translate`` (each character to
  ``" name"``, or ``', "name"'`` for JSON), lines written in large chunks.

A cut set is kept when the product of its events' probabilities, multiplied
in level order from 1.0 (exactly as :meth:`CutSetFamily.sets` does), is at
least the cut-off: the same sets as the counts and sums.
"""

from __future__ import annotations

import json
from bisect import bisect, bisect_right
from collections.abc import Iterator, Sequence
from typing import IO, Literal

from diagnosis.faulttree.zbdd import BASE, CutSetFamily

__all__ = ["MAX_EVENTS", "KeyCodec", "sorted_keys", "write_sorted"]

MAX_EVENTS = 1_000_000
"""Key characters exist for this many events (Unicode has 1.1 million code
points); a larger tree is listed by the plain path (sets sorted as objects)."""

Style = Literal["lines", "json"]

_CHUNK = 32768
"""Lines joined into one ``write`` call."""

_MERGE_BUFFER = 1 << 20
"""Characters read ahead, over all the runs being merged (about 10 MB as objects)."""

_MAX_RUNS = 64
"""Runs on disk merged at once; more are first merged into one file."""


def _char(rank: int) -> str:
    code = 32 + rank
    return chr(code + 0x800 if code >= 0xD800 else code)  # no surrogate (UTF-8 safe)


class KeyCodec:
    """Key characters of the ZBDD levels, and the tables back to names."""

    def __init__(self, variables: Sequence[str]) -> None:
        order = sorted(range(len(variables)), key=variables.__getitem__)
        self.by_level: list[str] = [""] * len(variables)
        self.names: dict[str, str] = {}
        for rank, level in enumerate(order):
            ch = _char(rank)
            self.by_level[level] = ch
            self.names[ch] = variables[level]

    def table(self, style: Style) -> list[str | None]:
        """``str.translate`` table (a list: faster than a dict), indexed by code point:
        each key character to ``" name"`` or ``', "name"'``, the newline to
        itself (lines) or to the separator of JSON items."""
        size = max((ord(c) for c in self.names), default=10) + 1
        table: list[str | None] = [None] * max(size, 11)
        for c, n in self.names.items():
            table[ord(c)] = ", " + json.dumps(n, ensure_ascii=False) if style == "json" else " " + n
        table[10] = "],\n    [" if style == "json" else "\n"
        return table

    def events(self, key: str) -> tuple[str, ...]:
        names = self.names
        return tuple(names[c] for c in key)


def size_masks(fam: CutSetFamily) -> dict[int, int]:
    """Per node, the bit mask of the sizes of its sets (bit ``j``: a set of size ``j``)."""
    high, low = fam.high, fam.low
    mask: dict[int, int] = {0: 0, BASE: 1}
    for z in fam.reachable():
        mask[z] = (mask[high[z]] << 1) | mask[low[z]]
    return mask


def _keys_of_order(
    fam: CutSetFamily,
    mask: dict[int, int],
    k: int,
    chars: Sequence[str],
    probs: Sequence[float],
    cutoff: float,
    sink: list[str],
    run: int,
) -> Iterator[list[str]]:
    """Append to ``sink`` the keys of the sets of exactly ``k`` events (unsorted);
    yield ``sink`` each time it holds ``run`` keys or more (the caller empties it)."""
    high, low, var = fam.high, fam.low, fam.var
    root = fam.root
    if not (mask[root] >> k) & 1:
        return
    if k == 0:
        if cutoff <= 1.0:
            sink.append("")
        return
    append = sink.append
    stack: list[tuple[int, int, tuple[str, ...], float]] = [(root, k, (), 1.0)]
    pop, push = stack.pop, stack.append
    use_p = cutoff > 0.0
    while stack:
        z, r, prefix, p = pop()
        if r == 1:
            # The last event: along the low chain, every node whose high holds ∅.
            # The prefix sorted once; each last event goes in at its place.
            ps = "".join(sorted(prefix))
            while z > BASE and mask[z] & 2:
                if mask[high[z]] & 1:
                    v = var[z]
                    if not use_p or p * probs[v] >= cutoff:
                        c = chars[v]
                        i = bisect(ps, c)
                        append(ps[:i] + c + ps[i:])
                z = low[z]
            if len(sink) >= run:
                yield sink
            continue
        below = r - 1
        while z > BASE and (mask[z] >> r) & 1:
            h = high[z]
            if (mask[h] >> below) & 1:
                v = var[z]
                if use_p:
                    hp = p * probs[v]
                    if hp >= cutoff:
                        push((h, below, (*prefix, chars[v]), hp))
                else:
                    push((h, below, (*prefix, chars[v]), p))
            z = low[z]


def sorted_keys(
    fam: CutSetFamily,
    codec: KeyCodec,
    probs: Sequence[float],
    cutoff: float,
    run: int,
) -> Iterator[tuple[int, list[str], bool]]:
    """The keys of every set passing the cut-off, in the final order, in chunks.

    Yields ``(k, chunk, merged)``: the order of the chunk's sets and whether
    the chunk comes from the merge of runs on disk (then each key ends with
    ``"\\n"``) rather than from memory.
    """
    mask = size_masks(fam)
    top = mask[fam.root].bit_length()
    for k in range(top):
        sink: list[str] = []
        paths: list[str] = []
        made = 0
        folder = None
        try:
            for full in _keys_of_order(fam, mask, k, codec.by_level, probs, cutoff, sink, run):
                full.sort()
                if folder is None:
                    import tempfile

                    folder = tempfile.TemporaryDirectory(prefix="diagnosis-cutsets-")
                made += 1
                path = f"{folder.name}/run-{k}-{made}.txt"
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write("\n".join(full))
                    f.write("\n")
                paths.append(path)
                full.clear()
                if len(paths) >= _MAX_RUNS:  # one merge pass: open files stay few
                    made += 1
                    paths = [_merge_to_file(paths, f"{folder.name}/run-{k}-{made}.txt")]
            sink.sort()
            if not paths:
                for i in range(0, len(sink), _CHUNK):
                    yield k, sink[i : i + _CHUNK], False
                continue
            for chunk in _merge(paths, sink):
                yield k, chunk, True
        finally:
            if folder is not None:
                folder.cleanup()


def _merge_to_file(paths: list[str], target: str) -> str:
    import os

    with open(target, "w", encoding="utf-8", newline="\n") as out:
        for chunk in _merge(paths, []):
            out.write("".join(chunk))
    for p in paths:
        os.remove(p)
    return target


def _merge(paths: list[str], last: list[str]) -> Iterator[list[str]]:
    """Merge sorted runs (files, and ``last`` in memory) block by block.

    Each source is read a block at a time; the smallest of the blocks' last
    keys bounds what can be written: every key up to it, from every block, is
    gathered and sorted in C (``list.sort`` merges the sorted pieces), with
    no Python step per key. The block that held that bound is then read anew.
    """
    files = [open(p, encoding="utf-8", newline="\n") for p in paths]  # noqa: SIM115 - closed below
    try:
        hint = max(_MERGE_BUFFER // (len(files) + 1), 1 << 15)
        tail = [s + "\n" for s in last]
        last.clear()
        step = max(hint // 8, 1)
        tail_blocks = iter([tail[i : i + step] for i in range(0, len(tail), step)])
        del tail
        sources: list[Iterator[list[str]]] = [_blocks(f, hint) for f in files]
        sources.append(tail_blocks)
        blocks: list[list[str]] = []
        feeds: list[Iterator[list[str]]] = []
        for src in sources:
            first = next(src, None)
            if first:
                blocks.append(first)
                feeds.append(src)
        starts = [0] * len(blocks)
        while blocks:
            bound = min(b[-1] for b in blocks)
            out: list[str] = []
            for i, b in enumerate(blocks):
                j = bisect_right(b, bound, starts[i])
                out.extend(b[starts[i] : j])
                starts[i] = j
            out.sort()
            yield out
            keep = [i for i, b in enumerate(blocks) if starts[i] < len(b)]
            for i, b in enumerate(blocks):
                if starts[i] >= len(b):
                    more = next(feeds[i], None)
                    if more:
                        blocks[i], starts[i] = more, 0
                        keep.append(i)
            keep.sort()
            blocks = [blocks[i] for i in keep]
            feeds = [feeds[i] for i in keep]
            starts = [starts[i] for i in keep]
    finally:
        for f in files:
            f.close()


def _blocks(f: IO[str], hint: int) -> Iterator[list[str]]:
    while True:
        block = f.readlines(hint)
        if not block:
            return
        yield block


def write_sorted(
    fam: CutSetFamily,
    codec: KeyCodec,
    probs: Sequence[float],
    cutoff: float,
    run: int,
    out: object,
    style: Style,
) -> int:
    """Write every set, sorted by size then names, to ``out`` (a text stream).

    ``lines``: ``"a b c"`` a line. ``json``: the body of the ``cut_sets``
    array, ``["a", "b", "c"]`` items separated by ``",\\n    "`` and preceded
    by ``"\\n    "`` (nothing when there is none). Returns the number written.

    A chunk of keys is joined by newlines and translated in one call; the
    separator left before each line's first name is then removed with one
    ``replace``, exact because no name holds a newline (else: set by set).
    """
    write = out.write  # type: ignore[attr-defined]
    table = codec.table(style)
    bulk = not any("\n" in n for n in codec.names.values())
    n = 0
    for k, chunk, merged in sorted_keys(fam, codec, probs, cutoff, run):
        body = "".join(chunk)[:-1] if merged else "\n".join(chunk)
        if not bulk:
            lines = body.split("\n")
            if style == "lines":
                text = "".join([" ".join(codec.events(s)) + "\n" for s in lines])
            else:
                text = ",\n    ".join(
                    [json.dumps(list(codec.events(s)), ensure_ascii=False) for s in lines]
                )
        elif style == "lines":
            text = body.translate(table)[1:].replace("\n ", "\n") + "\n" if k else "\n"
        else:  # '[, "a", "b"],\n    [, "c"]': a raw quote is never inside a JSON string
            text = ("[" + body.translate(table) + "]").replace('[, "', '["') if k else "[]"
        if style == "json":
            write(("\n    " if n == 0 else ",\n    ") + text)
        else:
            write(text)
        n += len(chunk)
    return n
