"""Issue 10, item 16 (report and CLI part): French output has no English leak.

A whole diagnosis of each bundled machine is run in English (so every recorded
text is English), then shown in French: the ``run``/``resume`` text, the
Markdown and HTML reports. None may contain a known English word of the
product's vocabulary, an HTML entity in Markdown, or a raw id where a label
exists (an id is allowed only in parentheses after its label)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from diagnosis.cli import main
from diagnosis.kb import load_kb
from diagnosis.session import SimulatedMachine

# Words the English catalogs use and French never does (whole words, case-insensitive).
ENGLISH = (
    "acknowledged",
    "lockout",
    "critical",
    "rule",
    "repair",
    "replace",
    "Times are",
    "Root cause",
    "not available",
    "Note:",
    "step",
    "unknown",
    "Graphviz",
    "validation pending",
    "typed",
    "taken by",
    "Dismiss",
    "method",
)
CASES = [
    ("injection-press-01", "im-short-shot", "im-heater-z2-burnt"),
    ("cv-line-01", "cv-vsd-trip", "cv-vsd-fan-clogged"),
    ("pp-cell-01", None, "pp-cup-worn"),
]


def _leaks(text: str, ids: set[str]) -> list[str]:
    found = [w for w in ENGLISH if re.search(rf"(?i)(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    # a raw id is a leak unless it follows its label in parentheses: "Label (id)"
    for token in set(re.findall(r"(?<![\w(/-])[a-z]{2}-[a-z0-9-]+(?![\w-])", text)):
        if token in ids:
            found.append(token)
    return found


@pytest.mark.parametrize(("equipment", "symptom", "cause"), CASES)
def test_french_run_and_reports_have_no_english(
    equipment: str,
    symptom: str | None,
    cause: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kb = load_kb()
    eq = kb.equipment(equipment)
    sim = SimulatedMachine(eq, cause)
    values = {m.id: sim.read(m) for m in eq.measurements}
    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump({k: v for k, v in values.items() if v is not None}))
    db = f"sqlite:///{tmp_path / 'fr.db'}"
    symptoms = [symptom] if symptom else list(sim.symptoms)[:1]
    args = ["run", "-e", equipment, "-a", str(answers), "--db", db, "--habilitation", "BR"]
    for s in symptoms:
        args += ["-s", s]
    assert main([*args, "--lang", "en", "--technician", "alice"]) == 0
    out = capsys.readouterr().out
    sid = re.search(r"Session: (\S+)", out)
    assert sid is not None
    ids = (
        {m.id for m in eq.measurements}
        | {c.id for c in eq.causes}
        | {s.id for s in eq.symptoms}
        | {p.id for p in eq.procedures}
    )
    # the stored session shown in French: resume (text) and the reports
    assert main(["resume", sid.group(1), "--db", db, "--lang", "fr"]) in (0, 1)
    resumed = capsys.readouterr()
    texts = {"resume": resumed.out + resumed.err}
    for fmt in ("md", "html"):
        target = tmp_path / f"r.{fmt}"
        assert main(["report", sid.group(1), "--db", db, "--lang", "fr", "--to", fmt,
                     "-o", str(target)]) == 0  # fmt: skip
        capsys.readouterr()
        texts[fmt] = target.read_text(encoding="utf-8")
    html = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", texts["html"])
    texts["html"] = re.sub(r"<[^>]+>", " ", html)  # the text, not the markup
    texts["html"] = re.sub(r"\b(class|id)=\S+", " ", texts["html"])
    for name, text in texts.items():
        # the choice ids measured (no label in the KB) and the session id are allowed
        choices = {str(v) for v in values.values() if isinstance(v, str)}
        leaks = [w for w in _leaks(text, ids) if w not in choices]
        assert leaks == [], f"{name}: {leaks}"
    assert not re.search(r"&(amp|lt|gt|quot|#\d+);", texts["md"])
    # texts recorded in English (rule notes, the engine's 5-Why chain) are shown in French
    english_only = [
        t.get("en")
        for t in (
            *(r.then.note for r in eq.rules if r.then.note),
            *(w for c in eq.causes for w in c.why),
        )
        if t.get("en") != t.get("fr") and "{value}" not in t.get("en")
    ]
    for name, text in texts.items():
        flat = " ".join(text.replace("\\", "").split())
        leaked = [e for e in english_only if " ".join(e.split()) in flat]
        assert leaked == [], f"{name}: {leaked}"
