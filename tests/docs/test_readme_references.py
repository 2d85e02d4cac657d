"""Every KB id and repository path quoted in the README files exists (issue 10, item 18)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from diagnosis.kb import load_kb

ROOT = Path(__file__).resolve().parents[2]
READMES = [
    ROOT / "README.md",
    ROOT / "knowledge_base" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
_QUOTED = re.compile(r"`([^`\n]+)`")
_ID = re.compile(r"^(?:pp|im|cv)-[a-z0-9-]+$|^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d\d$")
# Quoted names that are not repository files: the project's shared specifications
# (outside the repository) and files the reader writes himself in the examples.
_NOT_IN_REPO = (
    "shared/",
    "readings.yaml",
    "exercise.yaml",
    "settings.json",
    # files the KPI commands read or write in the reader's folder (docs/kpi.md)
    "drift-",
    "production.csv",
    "readings.csv",
    "failures.csv",
    "learned.yaml",
    "indicators.html",
    "demo/",
)
_PATH = re.compile(r"^[\w./-]+(?:/|\.(?:ya?ml|py|md|json|tcss|svg|toml|xml|csv))$")


def _ids() -> set[str]:
    kb = load_kb(None, None)
    ids: set[str] = set()
    for eq in kb.equipments:
        ids.add(eq.id)
        for kind in ("components", "symptoms", "measurements", "causes", "rules", "procedures"):
            ids.update(getattr(entity, "id", "") for entity in getattr(eq, kind, ()) or ())
        ids.update(c.id for c in eq.equipment.components)
    ids.update(kb.procedures)
    ids.update(t.id for t in kb.fault_trees)
    for eq in kb.equipments:  # named findings the rules derive (KB extension)
        ids.update(f.id for r in eq.rules for f in r.then.derive)
    ids.update(p.stem for p in (ROOT / "exercises").glob("*.yaml"))  # exercise ids = file names
    return ids


def _quoted(path: Path) -> list[tuple[int, str]]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        out.extend((number, token.strip()) for token in _QUOTED.findall(line))
    return out


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_quoted_ids_exist(readme: Path) -> None:
    ids = _ids()
    bad = [
        f"{readme.name}:{n}: {token}"
        for n, token in _quoted(readme)
        if _ID.match(token) and token not in ids
    ]
    assert bad == []


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_quoted_paths_exist(readme: Path) -> None:
    bad = []
    for n, token in _quoted(readme):
        if not _PATH.match(token) or token.startswith(("-", ".", *_NOT_IN_REPO)) or "://" in token:
            continue
        candidates = [ROOT / token, readme.parent / token]
        candidates += [ROOT / d / token for d in ("knowledge_base", "fault_trees", "diagnosis")]
        if "/" not in token.rstrip("/"):
            # a bare file name: anywhere in the repository
            candidates += list(ROOT.glob(f"**/{token.rstrip('/')}"))[:1]
        if not any(c.exists() for c in candidates):
            bad.append(f"{readme.name}:{n}: {token}")
    assert bad == []


def test_old_names_fail() -> None:
    """The check itself catches the names issue 10 found."""
    assert _ID.match("im-press-01") and "im-press-01" not in _ids()
    assert _PATH.match("pick-place-cell-01.yaml")
    assert not (ROOT / "knowledge_base" / "pick-place-cell-01.yaml").exists()
