"""Fuzzing the three readers of untrusted files: no exception but the project's own.

Mutations (inserted hostile fragments, deletions, replacements, duplicated
slices) of a small valid KB, fault tree, answers file and MEF model are read
the way the program reads them. Every outcome must be *accepted* or
*refused* with a :class:`~diagnosis.errors.DiagnosisError`; any other
exception (RecursionError, ValueError, TypeError...) fails the test. Bounded:
``max_examples`` per reader, no per-example deadline. The figures over many
more mutations are in ``bench/RESULTS.md`` (``bench/fuzz_inputs.py``).
"""

from __future__ import annotations

from fuzz_seeds import (
    ANSWERS_SEED,
    KB_SEED,
    MEF_SEED,
    TREE_SEED,
    XML_FRAGMENTS,
    YAML_FRAGMENTS,
    load_kb_text,
    mutate,
    read_answers_text,
    read_mef_text,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

OPS = st.lists(
    st.tuples(
        st.integers(0, 3), st.integers(0, 10_000), st.integers(0, 400), st.integers(0, 100)
    ),
    min_size=1,
    max_size=4,
)
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def test_seeds_are_accepted() -> None:
    assert load_kb_text(KB_SEED, TREE_SEED) == "accepted"
    assert read_answers_text(ANSWERS_SEED) == "accepted"
    assert read_mef_text(MEF_SEED) == "accepted"


@FUZZ
@given(ops=OPS, which=st.booleans())
def test_kb_loader_never_raises_a_foreign_exception(
    ops: list[tuple[int, int, int, int]], which: bool
) -> None:
    kb = mutate(KB_SEED, ops, YAML_FRAGMENTS) if which else KB_SEED
    tree = TREE_SEED if which else mutate(TREE_SEED, ops, YAML_FRAGMENTS)
    assert load_kb_text(kb, tree) in ("accepted", "refused")


@FUZZ
@given(ops=OPS)
def test_answers_reader_never_raises_a_foreign_exception(
    ops: list[tuple[int, int, int, int]],
) -> None:
    assert read_answers_text(mutate(ANSWERS_SEED, ops, YAML_FRAGMENTS)) in ("accepted", "refused")


@FUZZ
@given(ops=OPS)
def test_mef_reader_never_raises_a_foreign_exception(
    ops: list[tuple[int, int, int, int]],
) -> None:
    assert read_mef_text(mutate(MEF_SEED, ops, XML_FRAGMENTS)) in ("accepted", "refused")
