"""Load a knowledge-base folder and its fault trees into a validated ``KnowledgeBase``.

Two passes, every problem reported in one run as ``FILE:LINE:COL: message``:

1. shape, per file: readable UTF-8 text, YAML syntax, safe tags only,
   ``format: 1``, known fields, types, ranges (``diagnosis.kb.schema``), and
   the entity-local rules (threshold order, field combinations);
2. cross-references over the whole KB: duplicate ids, dangling references,
   unknown states, cycles (``diagnosis.kb.refs``).

Extension (documented in ``knowledge_base/README.md``): a KB file without
``equipment`` may hold shared ``procedures`` only.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diagnosis.errors import KnowledgeBaseError, Problem, UsageError
from diagnosis.kb.model import EquipmentKB, FaultTreeDef, KnowledgeBase, Procedure, SourcePos

if TYPE_CHECKING:
    from diagnosis.kb.schema import Obj
    from diagnosis.kb.yamlnodes import PosMap

# Reading YAML (yaml, the schema, the builders, the reference checks) is imported by
# the functions that parse: a KB found in the cache (the usual start) needs none of it.

__all__ = [
    "bundled_fault_tree_dir",
    "bundled_kb_dir",
    "check_kb",
    "inspect_kb",
    "kb_digest",
    "load_fault_tree_file",
    "load_kb",
]

_SUFFIXES = (".yaml", ".yml")


def _bundled(name: str) -> Path:
    """A data folder shipped inside the package (``diagnosis/data/<name>``).

    In the repository ``diagnosis/data/knowledge_base`` and
    ``diagnosis/data/fault_trees`` are links to the top-level folders; a wheel
    holds the folders themselves, so an installed program (``pip install``,
    ``pipx``) finds its own knowledge base wherever it is installed.
    """
    return Path(str(resources.files("diagnosis.data").joinpath(name)))


def bundled_kb_dir() -> Path:
    """The knowledge base shipped with the program."""
    return _bundled("knowledge_base")


def bundled_fault_tree_dir() -> Path:
    """The fault trees shipped with the program (beside the bundled knowledge base)."""
    return _bundled("fault_trees")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _SUFFIXES)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.dropped: set[str] = set()  # ids of entities refused in the shape pass

    def __call__(self, pos: SourcePos, message: str) -> None:
        self.problems.append(Problem(pos.file, pos.line, pos.column, message))


def _read(path: Path, report: _Collector) -> Any:
    from diagnosis.kb.yamllimits import read_bounded
    from diagnosis.kb.yamlnodes import compose_file

    name = _display(path)
    try:
        data = read_bounded(str(path))
    except OSError as exc:
        report(SourcePos(name, 1, 1), f"cannot read file: {exc.strerror or exc}")
        return None
    except ValueError as exc:  # larger than MAX_BYTES
        report(SourcePos(name, 1, 1), str(exc))
        return None
    if b"\x00" in data:
        report(SourcePos(name, 1, 1), "not a text file")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report(SourcePos(name, line, 1), "not a UTF-8 text file")
        return None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        report(SourcePos(name, 1, 1), "file is empty")
        return None
    return compose_file(text, name, report)


def _file_body(path: Path, obj: Obj, report: _Collector) -> PosMap | None:
    from diagnosis.kb.schema import validate
    from diagnosis.kb.yamlnodes import REJECTED, PosMap

    raw = _read(path, report)
    if raw is None:
        return None
    name = _display(path)
    if raw is REJECTED:
        return None
    if not isinstance(raw, PosMap):
        report(SourcePos(name, 1, 1), "expected a mapping at the top of the file")
        return None
    if "format" in raw and raw["format"] != 1:
        report(
            raw.value_pos["format"],
            f"unsupported format {raw['format']!r} (this program reads format 1)",
        )
        return None
    return validate(obj, raw, raw.pos, report, report.dropped)


def _load_equipment_file(path: Path, report: _Collector) -> EquipmentKB | list[Procedure] | None:
    from diagnosis.kb import build
    from diagnosis.kb.schema import EQUIPMENT_FILE

    body = _file_body(path, EQUIPMENT_FILE, report)
    if body is None:
        return None
    eq_raw = body.get("equipment")
    if eq_raw is None:
        if "equipment" not in body.key_pos:
            others = [
                k
                for k in ("symptoms", "measurements", "causes", "rules", "fmea")
                if k in body.key_pos
            ]
            if others or "procedures" not in body.key_pos:
                report(
                    body.pos,
                    "missing required field 'equipment' (only a file of shared "
                    "procedures may go without it)",
                )
                return None
            return [build.build_procedure(p, "") for p in body.get("procedures", ())]
        return None
    eid = eq_raw["id"]
    equipment = build.build_equipment(eq_raw)

    def many(key: str, make: Callable[[PosMap], Any]) -> tuple[Any, ...]:
        out = []
        for m in body.get(key, ()):
            x = make(m)
            if x is not None:
                out.append(x)
            elif isinstance(m.get("id"), str):
                # refused while building (thresholds out of order…), already reported:
                # references to it are not reported again as unknown
                report.dropped.add(m["id"])
        return tuple(out)

    return EquipmentKB(
        equipment=equipment,
        symptoms=many("symptoms", build.build_symptom),
        measurements=many("measurements", lambda m: build.build_measurement(m, eid, report)),
        causes=many("causes", lambda m: build.build_cause(m, eid, report)),
        rules=many("rules", lambda m: build.build_rule(m, eid, report)),
        procedures=many("procedures", lambda m: build.build_procedure(m, eid)),
        fmea=many("fmea", lambda m: build.build_fmea(m, eid)),
        file=_display(path),
    )


def _load_tree(path: Path, report: _Collector) -> FaultTreeDef | None:
    from diagnosis.kb import build
    from diagnosis.kb.schema import FAULT_TREE_FILE

    body = _file_body(path, FAULT_TREE_FILE, report)
    if body is None or "fault_tree" not in body:
        return None
    return build.build_fault_tree(body["fault_tree"], report)


def _check_analysable(trees: list[FaultTreeDef], report: _Collector) -> None:
    """Run the analysis model's own validation on every tree whose file has no
    problem yet, so that ``kb check`` refuses what ``ft analyze`` and
    ``run --observe`` would refuse (one validator, not two)."""
    from diagnosis.faulttree.from_kb import from_kb

    bad_files = {p.file for p in report.problems}
    for tree in trees:
        if tree.pos.file in bad_files:
            continue
        try:
            from_kb(tree)
        except KnowledgeBaseError as exc:
            report.problems.extend(exc.problems)


def _resolve_dirs(
    kb_dir: str | Path | None, fault_tree_dir: str | Path | None
) -> tuple[Path, Path | None]:
    kb_path = Path(kb_dir) if kb_dir is not None else bundled_kb_dir()
    if not kb_path.is_dir():
        raise UsageError(f"{kb_path}: no such knowledge-base folder")
    ft_path: Path | None
    if fault_tree_dir is not None:
        ft_path = Path(fault_tree_dir)
        if not ft_path.is_dir():
            raise UsageError(f"{ft_path}: no such fault-tree folder")
    else:
        ft_path = _sibling_fault_trees(kb_path)
    return kb_path, ft_path


def _sibling_fault_trees(kb_path: Path) -> Path | None:
    """The ``fault_trees/`` folder beside a KB folder, when there is one (the default)."""
    sibling = kb_path.resolve().parent / "fault_trees"
    return sibling if sibling.is_dir() else None


def check_kb(
    kb_dir: str | Path | None = None,
    fault_tree_dir: str | Path | None = None,
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load and validate; return the KB (None if any problem) and every problem.

    Raises:
        UsageError: a folder does not exist.
    """
    kb, problems = inspect_kb(kb_dir, fault_tree_dir)
    return (None if problems else kb), problems


def inspect_kb(
    kb_dir: str | Path | None = None,
    fault_tree_dir: str | Path | None = None,
) -> tuple[KnowledgeBase, list[Problem]]:
    """Like :func:`check_kb`, but also return what did load of an invalid KB.

    The partial KB is for counting and reporting only: never diagnose with it.
    A valid KB is kept on disk (:func:`_disk_cache`): the same files, read by
    the same program from the same folder, are not parsed and checked again.
    """
    kb_path, ft_path = _resolve_dirs(kb_dir, fault_tree_dir)
    cached = _disk_cache(_key(kb_path, ft_path))
    known = _read_cached(cached) if cached is not None else None
    if known is not None:
        return known, []
    # Reading a KB creates tens of thousands of objects and almost no garbage: the
    # cyclic collector would only walk them again and again (a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        kb, problems = _inspect(kb_path, ft_path)
    finally:
        if collecting:
            gc.enable()
    if not problems and cached is not None:
        _write_cached(cached, kb)
    return kb, problems


def _inspect(kb_path: Path, ft_path: Path | None) -> tuple[KnowledgeBase, list[Problem]]:
    from diagnosis.kb.refs import check_references

    report = _Collector()
    equipments: list[EquipmentKB] = []
    shared: list[Procedure] = []
    files = _files(kb_path)
    if not files:
        report(SourcePos(_display(kb_path)), "no knowledge-base files (*.yaml) in this folder")
    unreadable = False  # an equipment file that could not be read at all
    for path in files:
        before = len(report.problems)
        loaded = _load_equipment_file(path, report)
        if isinstance(loaded, EquipmentKB):
            equipments.append(loaded)
        elif loaded:
            shared.extend(loaded)
        elif len(report.problems) > before:
            unreadable = True
    trees = [
        t
        for t in (_load_tree(p, report) for p in (_files(ft_path) if ft_path else []))
        if t is not None
    ]
    refs_report: Callable[[SourcePos, str], None] = report
    if unreadable:
        # the equipment and causes of an unreadable file are unknown, not missing:
        # one mistake, one message (no cascade from the fault trees that name them)
        def refs_report(pos: SourcePos, message: str) -> None:
            if not (
                pos.file in tree_files
                and ("unknown equipment" in message or "unknown cause" in message)
            ):
                report(pos, message)

    tree_files = {t.pos.file for t in trees}
    check_references(equipments, shared, trees, refs_report, ignore=report.dropped)
    _check_analysable(trees, report)
    kb = KnowledgeBase(
        equipments=tuple(equipments),
        fault_trees=tuple(trees),
        shared_procedures=tuple(shared),
        root=str(kb_path),
        fault_tree_root=str(ft_path) if ft_path else None,
    )
    return kb, sorted(set(report.problems))


def _key(kb_path: Path, ft_path: Path | None) -> tuple[str, str | None, str]:
    return (
        str(kb_path.resolve()),
        str(ft_path.resolve()) if ft_path else None,
        kb_digest(kb_path, ft_path),
    )


_CACHE: dict[tuple[str, str | None, str], KnowledgeBase] = {}


def load_kb(
    kb_dir: str | Path | None = None, fault_tree_dir: str | Path | None = None
) -> KnowledgeBase:
    """Load a valid KB (cached by folder and content digest, in memory and on disk).

    Raises:
        KnowledgeBaseError: with every problem found.
        UsageError: a folder does not exist.
    """
    kb_path, ft_path = _resolve_dirs(kb_dir, fault_tree_dir)
    key = _key(kb_path, ft_path)
    if key in _CACHE:
        return _CACHE[key]
    kb, problems = check_kb(kb_path, ft_path)
    if kb is None:
        raise KnowledgeBaseError(problems)
    _CACHE[key] = kb
    return kb


def _disk_cache(key: tuple[str, str | None, str]) -> Path | None:
    """Where a valid KB with this key is kept between runs (None: ``DIAGNOSIS_CACHE=off``).

    The key holds the folders, the digest of every file's name and content, the
    program and Python versions, the source of the KB package itself (the
    classes a pickle rebuilds) and the working folder (positions name files
    relative to it): any edit, upgrade or other KB is a miss.
    ``DIAGNOSIS_CACHE`` may name another folder (default: the user's cache folder).
    """
    from diagnosis import __version__
    from diagnosis._cache import cache_folder

    folder = cache_folder()
    if folder is None:
        return None

    parts = [*map(str, key), __version__, sys.version, _code_digest(), str(Path.cwd())]
    name = "\0".join(parts)
    return folder / "kb" / (hashlib.sha256(name.encode("utf-8")).hexdigest() + ".pickle")


@functools.cache
def _code_digest() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in [*sorted(here.glob("*.py")), here.parent / "i18n.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_cached(path: Path) -> KnowledgeBase | None:
    """The KB pickled at ``path`` by :func:`_write_cached` (None when absent or unreadable)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        kb = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None  # a damaged or foreign file: validate the KB again
    return kb if isinstance(kb, KnowledgeBase) else None


def _write_cached(path: Path, kb: KnowledgeBase) -> None:
    """Keep ``kb`` for the next run; a cache that cannot be written is only slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            pickle.dump(kb, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        return


def load_fault_tree_file(path: str | Path) -> FaultTreeDef:
    """Load one YAML fault-tree file (shape and the tree's own references).

    Cause links (``cause:``) are not checked here: no KB is given.

    Raises:
        KnowledgeBaseError: the file is invalid.
        UsageError: the file does not exist.
    """
    from diagnosis.kb.refs import check_references

    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{p}: no such file")
    report = _Collector()
    tree = _load_tree(p, report)
    if tree is not None:

        def without_kb_links(pos: SourcePos, message: str) -> None:
            if "unknown cause" not in message and "unknown equipment" not in message:
                report(pos, message)

        check_references([], [], [tree], without_kb_links)
        _check_analysable([tree], report)
    if report.problems or tree is None:
        raise KnowledgeBaseError(
            report.problems or [Problem(_display(p), 1, 1, "not a fault-tree file")]
        )
    return tree


def kb_digest(kb_dir: str | Path | None = None, fault_tree_dir: str | Path | None = None) -> str:
    """SHA-256 over the KB and fault-tree files (names and contents), to spot a changed KB."""
    kb_path = Path(kb_dir) if kb_dir is not None else bundled_kb_dir()
    digest = hashlib.sha256()
    ft_path = Path(fault_tree_dir) if fault_tree_dir is not None else _sibling_fault_trees(kb_path)
    for folder in [kb_path] if ft_path is None else [kb_path, ft_path]:
        for path in _files(folder) if folder.is_dir() else []:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
