"""Deep and wide trees: no recursion limit anywhere (issue 15's hostile-input sizes).

An OR gate of 2000 inputs, chains of 3000 gates, a formula nested 5000 deep in
MEF, expressions and parameter chains 5000 deep: every one is read, analysed
(BDD, ZBDD, MOCUS), drawn and counted with exact expected numbers.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from diagnosis.cli import main
from diagnosis.faulttree.analysis import analyze
from diagnosis.faulttree.bdd import compile_bdd, gate_probabilities
from diagnosis.faulttree.mocus import mocus_cut_sets
from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode
from diagnosis.faulttree.opsa_mef_reader import read_mef
from diagnosis.faulttree.render import to_text
from diagnosis.faulttree.zbdd import minimal_cut_sets


@pytest.fixture(autouse=True)
def _default_recursion_limit() -> None:
    # Nothing here may rely on a raised limit.
    assert sys.getrecursionlimit() <= 1000 or pytest.skip("recursion limit raised elsewhere")


def _wide_or(n: int) -> FaultTree:
    events = tuple(BasicEvent(f"e{i}", 0.001) for i in range(n))
    return FaultTree("w", "top", (GateNode("top", "or", tuple(e.id for e in events)),), events)


def test_or_gate_with_2000_inputs() -> None:
    t = _wide_or(2000)
    r = analyze(t)
    assert len(r.cut_sets) == 2000 and r.by_order() == [0, 2000]
    assert r.probability == pytest.approx(1 - 0.999**2000, rel=1e-12)
    assert len(mocus_cut_sets(t, 20)) == 2000
    assert gate_probabilities(t)["top"] == pytest.approx(r.probability, rel=1e-12)


def _chain(n: int, kind: str) -> FaultTree:
    """g0 = op(g1, e0), g1 = op(g2, e1), …, g{n-1} = op(e{n-1}, e{n}); op alternates for 'mixed'."""
    gates = []
    for i in range(n):
        op = kind if kind != "mixed" else ("or" if i % 2 == 0 else "and")
        nxt = f"g{i + 1}" if i < n - 1 else f"e{n}"
        gates.append(GateNode(f"g{i}", op, (nxt, f"e{i}")))  # type: ignore[arg-type]
    events = tuple(BasicEvent(f"e{i}", 0.5) for i in range(n + 1))
    return FaultTree("c", "g0", tuple(gates), events)


def test_chain_of_3000_or_gates() -> None:
    t = _chain(3000, "or")
    r = analyze(t)
    assert len(r.cut_sets) == 3001
    assert r.probability == pytest.approx(1 - 0.5**3001, rel=1e-12)
    assert len(mocus_cut_sets(t, 20)) == 3001


def test_chain_of_3000_and_gates_one_cut_set_of_order_3001() -> None:
    t = _chain(3000, "and")
    r = analyze(t, max_order=None)
    assert [len(c.events) for c in r.cut_sets] == [3001]
    assert r.probability == 0.5**3001
    assert analyze(t).cut_sets == ()  # order limit 20


def test_chain_of_3000_mixed_gates_probability_and_counts() -> None:
    t = _chain(3000, "mixed")
    # Expected, bottom-up: probability, and the order of every minimal cut set.
    p, orders = 0.5, [1]
    for i in range(2999, -1, -1):
        if i % 2 == 0:
            p, orders = 1 - (1 - p) * 0.5, [*orders, 1]
        else:
            p, orders = p * 0.5, [o + 1 for o in orders]
    r = analyze(t)
    assert r.probability == pytest.approx(p, rel=1e-12)
    assert sorted(len(c.events) for c in r.cut_sets) == sorted(o for o in orders if o <= 20)
    full = minimal_cut_sets(compile_bdd(t))
    assert full.count() == len(orders) == 1501
    text = to_text(t, gate_probabilities(t))
    assert text.count("\n") == 3000 + 3001


def _nested_mef(path: Path, depth: int) -> None:
    formula = '<basic-event name="x"/>'
    for i in range(depth):
        op = "or" if i % 2 else "and"
        formula = f'<{op}><basic-event name="e{i}"/>{formula}</{op}>'
    events = "".join(
        f'<define-basic-event name="e{i}"><float value="0.5"/></define-basic-event>'
        for i in range(depth)
    )
    # The probability of x is an expression nested `depth` deep and a chain of parameters.
    expr = '<parameter name="p0"/>'
    for _ in range(depth):
        expr = f'<mul><float value="1"/>{expr}</mul>'
    params = "".join(
        f'<define-parameter name="p{i}"><parameter name="p{i + 1}"/></define-parameter>'
        for i in range(depth)
    ) + f'<define-parameter name="p{depth}"><float value="0.5"/></define-parameter>'
    path.write_text(
        '<?xml version="1.0"?>\n<opsa-mef><define-fault-tree name="deep">'
        f'<define-gate name="top">{formula}</define-gate></define-fault-tree>'
        f'<model-data>{events}<define-basic-event name="x">{expr}</define-basic-event>'
        f"{params}</model-data></opsa-mef>\n",
        encoding="utf-8",
    )


def test_mef_formula_nested_5000_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.xml"
    _nested_mef(path, 5000)
    t = read_mef([path])
    assert len(t.gates) == 5000 and t.gate("top").inputs == ("e4999", "top.1")
    assert t.basic_event("x").probability == 0.5
    p, orders = 0.5, [1]
    for i in range(5000):
        if i % 2:
            p, orders = 1 - (1 - p) * 0.5, [*orders, 1]
        else:
            p, orders = p * 0.5, [o + 1 for o in orders]
    r = analyze(t)
    assert r.probability == pytest.approx(p, rel=1e-12)
    assert len(r.cut_sets) == sum(1 for o in orders if o <= 20)
    assert main(["ft", "analyze", str(path), "--format", "json"]) == 0
    assert '"probability"' in capsys.readouterr().out


def test_deep_expression_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    expr = '<float value="oops"/>'
    for _ in range(3000):
        expr = f"<add>{expr}</add>"
    path.write_text(
        '<opsa-mef><define-fault-tree name="t"><define-gate name="top"><or>'
        '<basic-event name="a"/><basic-event name="b"/></or></define-gate>'
        f'<define-basic-event name="a">{expr}</define-basic-event>'
        '<define-basic-event name="b"><float value="0.1"/></define-basic-event>'
        "</define-fault-tree></opsa-mef>",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"bad\.xml:1:0: <float>: bad number 'oops'"):
        read_mef([path])


def test_parameter_cycle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cyc.xml"
    path.write_text(
        '<opsa-mef><define-fault-tree name="t"><define-gate name="top"><or>'
        '<basic-event name="a"/><basic-event name="b"/></or></define-gate>'
        '<define-basic-event name="a"><parameter name="p"/></define-basic-event>'
        '<define-basic-event name="b"><float value="0.1"/></define-basic-event>'
        '<define-parameter name="p"><parameter name="q"/></define-parameter>'
        '<define-parameter name="q"><mul><parameter name="p"/><float value="1"/></mul>'
        "</define-parameter></define-fault-tree></opsa-mef>",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="parameter 'p' depends on itself"):
        read_mef([path])


def test_mocus_and_zbdd_agree_on_a_deep_mixed_chain() -> None:
    t = _chain(400, "mixed")
    zb = {c.events for c in analyze(t, max_order=6).cut_sets}
    mo = {tuple(sorted(s)) for s in mocus_cut_sets(t, 6)}
    assert zb == mo and len(zb) == 6
    assert math.isfinite(analyze(t).mcub)


def test_ft_analyze_imports_only_what_it_needs(tmp_path: Path) -> None:
    import subprocess

    from diagnosis.faulttree.opsa_mef_writer import write_mef

    path = tmp_path / "small.xml"
    path.write_text(write_mef(_wide_or(3)), encoding="utf-8")
    code = (
        "import sys\n"
        "from diagnosis.cli import main\n"
        f"assert main(['ft', 'analyze', {str(path)!r}, '--format', 'json']) == 0\n"
        "heavy = {'numpy', 'networkx', 'pgmpy', 'textual', 'pandas', 'scipy'}\n"
        "print('HEAVY', sorted(m for m in heavy if sys.modules.get(m) is not None))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.splitlines()[-1] == "HEAVY []"
