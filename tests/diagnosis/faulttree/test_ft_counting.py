"""Counting without listing, streaming the listing, and the statistics computed from the ZBDD."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from test_ft_gates import _eval, random_tree  # the same random trees and evaluator

from diagnosis.cli import ft as ft_cli
from diagnosis.cli import main
from diagnosis.faulttree import analysis as analysis_mod
from diagnosis.faulttree.analysis import analyze
from diagnosis.faulttree.bdd import compile_bdd
from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode
from diagnosis.faulttree.opsa_mef_reader import read_mef
from diagnosis.faulttree.zbdd import minimal_cut_sets

OPSA = Path(__file__).parent / "data" / "opsa"  # copies of the Open-PSA models (a clone runs them)


def needs_opsa(test):  # type: ignore[no-untyped-def]
    """The reference models are in the repository: never a skip."""
    return test


def _brute_minimal(t: FaultTree) -> list[frozenset[str]]:
    names = [e.id for e in t.basic_events]
    true_sets = []
    for bits in itertools.product((False, True), repeat=len(names)):
        values = dict(zip(names, bits, strict=True))
        if _eval(t, t.top, values):
            true_sets.append(frozenset(n for n in names if values[n]))
    return [s for s in true_sets if not any(o < s for o in true_sets)]


@settings(max_examples=60, deadline=None)
@given(random_tree())
def test_counts_match_brute_force_without_listing(t: FaultTree) -> None:
    minimal = _brute_minimal(t)
    by_order = [0] * (max((len(s) for s in minimal), default=0) + 1)
    for s in minimal:
        by_order[len(s)] += 1
    fam = minimal_cut_sets(compile_bdd(t))
    assert fam.count() == len(minimal)
    assert fam.count_by_order() == by_order
    streamed = analyze(t, list_cut_sets=False)
    listed = analyze(t)
    assert streamed.cut_sets == ()
    assert streamed.cut_set_count == listed.cut_set_count == len(minimal)
    assert streamed.by_order() == listed.by_order() == by_order
    assert list(streamed.iter_cut_sets()) == list(listed.cut_sets)
    assert streamed.rare_event == pytest.approx(listed.rare_event, abs=1e-15)
    assert streamed.mcub == pytest.approx(listed.mcub, abs=1e-15)


def _dense(n: int = 24) -> FaultTree:
    """2-out-of-n over pairs: C(n, 2) + … minimal cut sets of order 2, plus some order 1."""
    events = tuple(BasicEvent(f"e{i:02d}", 0.001 * (1 + i % 7)) for i in range(n))
    ids = tuple(e.id for e in events)
    gates = (
        GateNode("top", "or", ("vote", "single")),
        GateNode("vote", "atleast", ids, k=2),
        GateNode("single", "and", (ids[0], ids[1])),
    )
    return FaultTree("dense", "top", gates, events)


def test_zbdd_sums_and_series_match_set_by_set(monkeypatch: pytest.MonkeyPatch) -> None:
    t = _dense(30)
    exact = analyze(t)
    assert exact.cut_set_count == math.comb(30, 2)
    monkeypatch.setattr(analysis_mod, "_EXACT_SUMS", 0)  # force the ZBDD passes
    from_zbdd = analyze(t, list_cut_sets=False)
    assert from_zbdd.cut_set_count == exact.cut_set_count
    assert from_zbdd.rare_event == pytest.approx(exact.rare_event, rel=1e-13)
    assert from_zbdd.mcub == pytest.approx(exact.mcub, rel=1e-13)


def test_mcub_series_with_probable_cut_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    events = tuple(BasicEvent(f"e{i}", p) for i, p in enumerate((0.9, 0.5, 0.3, 0.2, 0.05, 0.01)))
    ids = tuple(e.id for e in events)
    t = FaultTree("p", "top", (GateNode("top", "atleast", ids, k=2),), events)
    exact = analyze(t)
    monkeypatch.setattr(analysis_mod, "_EXACT_SUMS", 0)
    series = analyze(t, list_cut_sets=False)
    assert series.mcub == pytest.approx(exact.mcub, rel=1e-13)
    assert series.rare_event == exact.rare_event == 1.0


@pytest.mark.parametrize("order", ["size", "probability"])
def test_external_merge_gives_the_in_memory_order(
    order: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _dense(40)
    in_memory = list(analyze(t, list_cut_sets=False).iter_cut_sets(order))
    monkeypatch.setattr(analysis_mod, "RUN_SIZE", 97)  # 781 sets: 9 runs on disk
    merged = list(analyze(t, list_cut_sets=False).iter_cut_sets(order))
    assert merged == in_memory and len(merged) == math.comb(40, 2) + 0
    key = (lambda c: (len(c.events), c.events)) if order == "size" else (
        lambda c: (-c.probability, len(c.events), c.events)
    )
    assert merged == sorted(merged, key=key)


def test_listing_in_memory_is_still_capped() -> None:
    t = _dense(30)
    with pytest.raises(Exception, match=r"435 minimal cut sets of order <= 20 \(more than 400"):
        analyze(t, max_listed=400)
    assert analyze(t, max_listed=400, list_cut_sets=False).cut_set_count == 435


@needs_opsa
@pytest.mark.parametrize("name", ["chinese", "baobab2", "baobab1", "das9601", "ftr10"])
def test_published_counts_without_listing(name: str) -> None:
    spec = yaml.safe_load((OPSA / "expected.yaml").read_text(encoding="utf-8"))[name]
    t = read_mef([OPSA / f for f in spec["files"]])
    bdd = compile_bdd(t)
    r = analyze(t, max_order=spec.get("max_order", 20), bdd=bdd, list_cut_sets=False)
    assert r.cut_set_count == spec["cut_sets"]
    if "by_order" in spec:
        assert r.by_order()[1:] == spec["by_order"]  # published from order 1
    if "rare_event" in spec:
        assert r.rare_event == pytest.approx(spec["rare_event"], rel=1e-4)
    for key, count in spec.get("also", {}).items():
        fam = minimal_cut_sets(bdd, int(key.rsplit("_", 1)[1]))
        assert fam.count() == count


# -- the CLI -----------------------------------------------------------------------


@pytest.fixture
def dense_xml(tmp_path: Path) -> Path:
    from diagnosis.faulttree.opsa_mef_writer import write_mef

    path = tmp_path / "dense.xml"
    path.write_text(write_mef(_dense(30)), encoding="utf-8")
    return path


def test_cli_streams_json_and_lines_to_a_file_without_cap(
    dense_xml: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr(ft_cli, "MAX_TERMINAL", 10)
    monkeypatch.setattr(analysis_mod, "RUN_SIZE", 50)
    out = tmp_path / "out.json"
    assert main(["ft", "analyze", str(dense_xml), "--format", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["cut_set_count"] == 435 == len(doc["cut_sets"])
    assert doc["cut_sets"][0] == ["e00", "e01"] and doc["by_order"] == [0, 0, 435]
    lines = tmp_path / "out.txt"
    assert main(["ft", "analyze", str(dense_xml), "--format", "lines", "-o", str(lines)]) == 0
    rows = lines.read_text(encoding="utf-8").splitlines()
    assert rows == [" ".join(c) for c in doc["cut_sets"]]
    capsys.readouterr()
    # A pipe takes them all too.
    assert main(["ft", "analyze", str(dense_xml), "--format", "lines"]) == 0
    assert capsys.readouterr().out.splitlines() == rows


def test_cli_caps_only_what_goes_to_a_terminal(
    dense_xml: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")
    monkeypatch.setattr(ft_cli, "MAX_TERMINAL", 10)
    monkeypatch.setattr(ft_cli, "_tty", lambda: True)
    assert main(["ft", "analyze", str(dense_xml), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "435 minimal cut sets are too many to print on a terminal (at most 10)" in err
    assert len(err.strip().splitlines()) == 1
    # The text report shows the 50 most probable: no cap needed.
    assert main(["ft", "analyze", str(dense_xml)]) == 0
    out = capsys.readouterr().out
    assert "Most probable cut sets (50 of 435):" in out
    assert out.index("Importance of basic events") < out.index("Most probable cut sets")


@settings(max_examples=40, deadline=None)
@given(random_tree())
def test_most_probable_first_matches_a_full_sort(t: FaultTree) -> None:
    listed = analyze(t)
    expected = sorted(listed.cut_sets, key=lambda c: (-c.probability, len(c.events), c.events))
    streamed = analyze(t, list_cut_sets=False)
    for n in (1, 3, len(expected) + 2):
        got = streamed.top_cut_sets(n)
        assert [c.probability for c in got] == pytest.approx(
            [c.probability for c in expected[:n]], rel=1e-12
        )
        assert len(got) == min(n, len(expected))
    assert listed.top_cut_sets(3) == expected[:3]


def test_top_cut_sets_of_a_dense_tree() -> None:
    t = _dense(40)
    streamed = analyze(t, list_cut_sets=False)
    full = sorted(analyze(t).cut_sets, key=lambda c: (-c.probability, len(c.events), c.events))
    assert streamed.top_cut_sets(50) == full[:50]
    with_cutoff = analyze(t, cutoff=2e-5, list_cut_sets=False)
    assert with_cutoff.top_cut_sets(10**6) == [c for c in full if c.probability >= 2e-5]
