"""MOCUS's subsumption step against the plain pairwise definition."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from diagnosis.faulttree.mocus import _minimise

_EVENTS = ["a", "b", "c", "d", "e"]
_products = st.sets(
    st.tuples(
        st.frozensets(st.sampled_from(_EVENTS), max_size=4),
        st.frozensets(st.sampled_from(_EVENTS), max_size=2),
    ),
    max_size=25,
)


def _naive(products: set[tuple[frozenset[str], frozenset[str]]]) -> set[object]:
    return {
        (p, n)
        for p, n in products
        if not any((q, m) != (p, n) and q <= p and m <= n for q, m in products)
    }


@settings(max_examples=300, deadline=None)
@given(_products)
def test_minimise_keeps_exactly_the_minimal_products(
    products: set[tuple[frozenset[str], frozenset[str]]],
) -> None:
    kept = _minimise(products)
    assert set(kept) == _naive(products)
    assert len(kept) == len(set(kept))
    sizes = [len(p) + len(n) for p, n in kept]
    assert sizes == sorted(sizes)


def test_empty_product_subsumes_everything() -> None:
    empty = (frozenset[str](), frozenset[str]())
    assert _minimise({empty, (frozenset({"a"}), frozenset[str]())}) == [empty]
