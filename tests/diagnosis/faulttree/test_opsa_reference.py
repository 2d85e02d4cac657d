"""Every Open-PSA reference model of data/opsa/ against its published numbers.

The models and ``expected.yaml`` are copies of the team's ``shared/opsa``
(upstream names and licences in ``data/opsa/README.md``), so a clone runs them.
cea9601 (a 1.2-million-node BDD, about 10 s) is marked slow but still runs
by default.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from diagnosis.faulttree.analysis import Analysis, analyze
from diagnosis.faulttree.bdd import Bdd, compile_bdd
from diagnosis.faulttree.model import FaultTree
from diagnosis.faulttree.opsa_mef_reader import read_mef
from diagnosis.faulttree.opsa_mef_writer import write_mef

OPSA = Path(__file__).with_name("data") / "opsa"
SLOW = {"cea9601"}


def _expected() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((OPSA / "expected.yaml").read_text(encoding="utf-8"))
    return data


EXPECTED = _expected()


def _params(names: list[str]) -> list[Any]:
    return [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in names]


MODELS = _params(sorted(EXPECTED))


@cache
def tree(name: str) -> FaultTree:
    return read_mef([OPSA / f for f in EXPECTED[name]["files"]])


@cache
def bdd(name: str) -> Bdd:
    return compile_bdd(tree(name))


@cache
def result(name: str, max_order: int | None = None) -> Analysis:
    spec = EXPECTED[name]
    return analyze(tree(name), max_order=max_order or spec.get("max_order", 20), bdd=bdd(name))


@pytest.mark.parametrize("name", MODELS)
def test_top_gate(name: str) -> None:
    assert tree(name).top == EXPECTED[name]["top"]


@pytest.mark.parametrize("name", MODELS)
def test_exact_probability(name: str) -> None:
    spec = EXPECTED[name]
    assert result(name).probability == pytest.approx(spec["probability"], abs=spec["tolerance"])


@pytest.mark.parametrize("name", MODELS)
def test_cut_set_counts(name: str) -> None:
    spec = EXPECTED[name]
    got = result(name)
    assert len(got.cut_sets) == spec["cut_sets"]
    if "by_order" in spec:
        counts = got.by_order()[1:]  # expected.yaml lists orders 1, 2, 3, ...
        assert counts + [0] * (len(spec["by_order"]) - len(counts)) == spec["by_order"]


@pytest.mark.parametrize("name", [n for n in EXPECTED if "rare_event" in EXPECTED[n]])
def test_rare_event(name: str) -> None:
    assert result(name).rare_event == pytest.approx(EXPECTED[name]["rare_event"], rel=1e-4)


@pytest.mark.parametrize("name", [n for n in EXPECTED if "mcub" in EXPECTED[n]])
def test_mcub(name: str) -> None:
    assert result(name).mcub == pytest.approx(EXPECTED[name]["mcub"], rel=1e-6)


@pytest.mark.parametrize("name", [n for n in EXPECTED if "importance" in EXPECTED[n]])
def test_importance(name: str) -> None:
    got = result(name)
    for event, factors in EXPECTED[name]["importance"].items():
        imp = got.importance_of(event)
        for factor, value in factors.items():
            assert getattr(imp, factor) == pytest.approx(value, rel=1e-3), (event, factor)


def test_baobab1_order_limits() -> None:
    also = EXPECTED["baobab1"]["also"]
    assert len(result("baobab1", 8).cut_sets) == also["max_order_8"]
    assert len(result("baobab1", 4).cut_sets) == also["max_order_4"]
    # The probability never depends on the order limit.
    assert result("baobab1", 4).probability == result("baobab1").probability


@pytest.mark.slow
def test_cea9601_order_3() -> None:
    got = result("cea9601", 3)
    assert len(got.cut_sets) == 1144
    assert got.rare_event == pytest.approx(3.316e-8, rel=1e-3)


def test_cutoff_drops_improbable_cut_sets_only() -> None:
    full = result("chinese")
    cut = analyze(tree("chinese"), cutoff=1e-6)
    assert 0 < len(cut.cut_sets) < len(full.cut_sets)
    assert all(c.probability >= 1e-6 for c in cut.cut_sets)
    assert {c.events for c in cut.cut_sets} == {
        c.events for c in full.cut_sets if c.probability >= 1e-6
    }
    assert cut.probability == full.probability


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mef_round_trip_keeps_the_model(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.xml"
    out.write_text(write_mef(tree(name)), encoding="utf-8")
    again = read_mef([out])
    first = tree(name)
    assert again.top == first.top
    assert sorted(again.gates, key=lambda g: g.id) == sorted(first.gates, key=lambda g: g.id)
    assert sorted(again.basic_events, key=lambda e: e.id) == sorted(
        first.basic_events, key=lambda e: e.id
    )
    assert sorted(again.house_events, key=lambda e: e.id) == sorted(
        first.house_events, key=lambda e: e.id
    )


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - SLOW))
def test_mef_round_trip_keeps_results(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.xml"
    out.write_text(write_mef(tree(name)), encoding="utf-8")
    again = analyze(read_mef([out]), max_order=EXPECTED[name].get("max_order", 20))
    first = result(name)
    assert again.top == first.top
    assert again.probability == pytest.approx(first.probability, rel=1e-12)
    assert [c.events for c in again.cut_sets] == [c.events for c in first.cut_sets]


@pytest.mark.parametrize("name", ["two_train", "three_motor", "bscu", "chinese", "ftr10"])
def test_mocus_agrees_with_zbdd(name: str) -> None:
    mocus = analyze(tree(name), method="mocus")
    assert [c.events for c in mocus.cut_sets] == [c.events for c in result(name).cut_sets]


def test_cut_sets_sorted_by_order_then_name() -> None:
    sets = [c.events for c in result("chinese").cut_sets]
    assert sets == sorted(sets, key=lambda s: (len(s), s))
    assert all(list(s) == sorted(s) for s in sets)
