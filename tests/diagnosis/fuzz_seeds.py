"""Seeds, hostile fragments and targets shared by the fuzz test and ``bench/fuzz_inputs.py``.

Each target reads one mutated input the way the program does (the KB loader,
the answers-file reader, the Open-PSA MEF reader) and returns ``"accepted"``
or ``"refused"`` (a :class:`~diagnosis.errors.DiagnosisError`, the project's
own error: one located line). Any other exception is a bug: it propagates.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from diagnosis.errors import DiagnosisError

KB_SEED = """format: 1
equipment: {id: eq, name: {en: Press, fr: Presse}}
symptoms:
  - {id: s1, name: S1, category: quality}
measurements:
  - {id: m1, name: M1, kind: numeric, unit: bar, nominal: 6, thresholds: {low_alarm: 4, high_alarm: 8}}
  - {id: m2, name: M2, kind: numeric, unit: "°C", nominal: 200}
  - {id: m3, name: M3, kind: choice, choices: [dry, wet]}
causes:
  - id: c1
    name: C1
    category_5m: machine
    prior: 0.1
    effects:
      - {symptom: s1, p: 0.5}
      - {measurement: m1, state: low, p: 0.9}
procedures:
  - {id: p1, kind: lockout, name: Lock out, steps: ["Open Q1", "Padlock Q1"]}
"""

TREE_SEED = """format: 1
fault_tree:
  id: ft1
  equipment: eq
  top: g1
  gates:
    - {id: g1, type: or, inputs: [g2, e3]}
    - {id: g2, type: atleast, k: 2, inputs: [e1, e2, e3]}
  events:
    - {id: e1, probability: 0.1, cause: c1}
    - {id: e2, rate: 1.0e-5, time: 8760}
    - {id: e3, probability: 0.2}
"""

ANSWERS_SEED = "m1: '4,2 bar'\nm2: 205\nm3: dry\n"

MEF_SEED = """<?xml version="1.0"?>
<opsa-mef>
  <define-fault-tree name="TwoTrains">
    <define-gate name="Top"><and><gate name="T1"/><gate name="T2"/></and></define-gate>
    <define-gate name="T1"><or><basic-event name="V1"/><basic-event name="P1"/></or></define-gate>
    <define-gate name="T2"><atleast min="1"><basic-event name="V2"/><basic-event name="P2"/></atleast></define-gate>
    <define-basic-event name="V1"><float value="0.4"/></define-basic-event>
    <define-basic-event name="V2"><float value="0.5"/></define-basic-event>
    <define-basic-event name="P1"><exponential><float value="1e-4"/><system-mission-time/></exponential></define-basic-event>
    <define-basic-event name="P2"><float value="0.7"/></define-basic-event>
  </define-fault-tree>
</opsa-mef>
"""

YAML_FRAGMENTS = (
    "&a [1, 2]", "*a", "*nope", "!!float abc", "!!int 1.5", "!!python/object:os.system",
    "!custom x", "2001-02-30", "9" * 5000, "1.0e+400", "-1.0e+400", ".nan", ".inf", "[" * 600,
    "{" * 600, "\x1b[2J", "\u202e", "\x00", "\t", "'", '"', ": ", "- ", "? ", "<<: *a", "~",
    "''", "k: '2'", "atleast", "-300", "'1,500'", "\n  - ", "\ufeff", "---\n", "...\n", "%YAML 1.1\n",
)
XML_FRAGMENTS = (
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', "&a;", '<!ENTITY b SYSTEM "file:///etc/passwd">',
    "<" * 50, "</opsa-mef>", '<float value="nan"/>', '<float value="1e400"/>', '<float value="-1"/>',
    '<atleast min="x">', '<atleast min="99">', "<and/>", "<gate name=\"Top\"/>", "\x00", "&#0;",
    "]]>", "<![CDATA[x]]>", '"', "<define-gate name=\"T1\"><or/></define-gate>",
)


def mutate(text: str, ops: Sequence[tuple[int, int, int, int]], fragments: Sequence[str]) -> str:
    """Apply ``(kind, position, length, fragment)`` edits: insert, delete, replace, duplicate."""
    for kind, position, length, fragment in ops:
        if not text:
            text = fragments[fragment % len(fragments)]
            continue
        at = position % len(text)
        piece = fragments[fragment % len(fragments)]
        if kind % 4 == 0:
            text = text[:at] + piece + text[at:]
        elif kind % 4 == 1:
            text = text[:at] + text[at + length % 40 :]
        elif kind % 4 == 2:
            text = text[:at] + piece + text[at + length % 20 :]
        else:
            text = text[:at] + text[at : at + length % 200] + text[at:]
    return text


def _outcome(work: Callable[[], object]) -> str:
    try:
        work()
    except DiagnosisError:
        return "refused"
    return "accepted"


def load_kb_text(kb_text: str, tree_text: str) -> str:
    """Check a KB made of one equipment file and one fault-tree file."""
    from diagnosis.kb import check_kb

    with tempfile.TemporaryDirectory() as tmp:
        kb, ft = Path(tmp) / "kb", Path(tmp) / "fault_trees"
        kb.mkdir()
        ft.mkdir()
        (kb / "eq.yaml").write_bytes(kb_text.encode("utf-8", "surrogatepass"))
        (ft / "t.yaml").write_bytes(tree_text.encode("utf-8", "surrogatepass"))
        loaded, problems = check_kb(kb, ft)
        if loaded is None:
            assert problems and all(str(p).count(":") >= 3 for p in problems)
            return "refused"
        if loaded.fault_trees:
            from diagnosis.faulttree.from_kb import from_kb

            for tree in loaded.fault_trees:  # what kb check accepts, ft analyze accepts
                from_kb(tree)
        return "accepted"


_EQUIPMENT: list[object] = []


def read_answers_text(text: str) -> str:
    """Read an answers file against the seed KB's equipment, and interpret every value."""
    from diagnosis.kb import check_kb
    from diagnosis.session import AnswersFile

    if not _EQUIPMENT:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "kb").mkdir()
            (Path(tmp) / "ft").mkdir()
            (Path(tmp) / "kb" / "eq.yaml").write_text(KB_SEED, encoding="utf-8")
            kb, problems = check_kb(Path(tmp) / "kb", Path(tmp) / "ft")
            assert kb is not None, problems
            _EQUIPMENT.append(kb.equipment("eq"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        return _outcome(lambda: AnswersFile(path, _EQUIPMENT[0]))  # type: ignore[arg-type]


def read_mef_text(text: str) -> str:
    """Read an Open-PSA MEF model."""
    from diagnosis.faulttree.opsa_mef_reader import read_mef

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.xml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        return _outcome(lambda: read_mef([path]))
