"""``diagnosis ft analyze`` without typer: the command's body and a fast entry.

:func:`run_analyze` is the body of ``ft analyze`` (checks, analysis,
streamed output); :mod:`diagnosis.cli.ft` calls it after typer has parsed
the command line. :func:`fast_main` is what ``python -m diagnosis`` tries
first: for ``ft analyze`` with plain arguments (MEF ``.xml`` files and the
options below, each once, values that typer would read the same way) it
parses the arguments itself and calls the same body, so a small model does
not pay typer's import (about 45 ms of a 0.16 s process, issue 16). Anything
else (``--help``, completion, a YAML file or a KB tree id, ``--kb``, an
option given twice, ``--opt=value``, a value typer might read differently,
an unknown option) returns None and the full typer application runs: the
output, messages and exit codes are the same either way
(tests/diagnosis/cli/test_ft_fast.py compares them).

This module imports neither typer nor the CLI package.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from diagnosis.errors import DiagnosisError, UsageError

if TYPE_CHECKING:
    from diagnosis.faulttree.model import FaultTree

__all__ = ["MAX_TERMINAL", "fast_main", "load_tree", "run_analyze"]

MAX_TERMINAL = 1_000_000
"""At most this many cut sets are printed to a terminal (a file or a pipe takes any number)."""


def load_tree(
    files: list[str], lang: str, top: str | None = None, mission_time: float = 8760.0
) -> FaultTree:
    """The fault tree in ``files`` (one YAML file, or MEF XML files).

    Raises:
        UsageError: a missing file, or YAML and XML mixed.
        KnowledgeBaseError: the file is invalid (file:line in the message).
    """

    for f in files:
        if not Path(f).is_file():
            raise UsageError(code="ft.cli.no_file", path=f)
    xml = [f for f in files if f.lower().endswith(".xml")]
    if xml and len(xml) != len(files):
        raise UsageError(code="ft.cli.mixed")
    if xml:
        from diagnosis.faulttree.opsa_mef_reader import read_mef

        return read_mef(xml, top=top, mission_time=mission_time)
    if len(files) != 1:
        raise UsageError(code="ft.cli.one_yaml")
    from diagnosis.faulttree.from_kb import from_kb
    from diagnosis.kb.loader import load_fault_tree_file

    return from_kb(load_fault_tree_file(files[0]), lang)


def run_analyze(
    load: Callable[[], FaultTree],
    *,
    max_order: int,
    cutoff: float,
    fmt: str,
    all_cut_sets: bool,
    method: str,
    output: str | None,
    lang: str,
    max_terminal: int = MAX_TERMINAL,
    tty: Callable[[], bool] | None = None,
) -> None:
    """The body of ``ft analyze``: check the options, load the tree, analyse, write.

    Args:
        load: reads the tree (called after the options are checked).
        max_terminal: at most this many cut sets listed to a terminal.
        tty: whether standard output is a terminal (default: ask it).

    Raises:
        UsageError: a bad option value, too many cut sets for a terminal,
            an output that cannot be written.
    """
    from diagnosis.faulttree.analysis import analyze
    from diagnosis.faulttree.report_text import write_json, write_lines, write_text

    if fmt not in ("text", "json", "lines"):
        raise UsageError(code="ft.cli.bad_to", value=fmt, allowed="text, json, lines")
    if method not in ("bdd", "mocus"):
        raise UsageError(code="ft.cli.bad_to", value=method, allowed="bdd, mocus")
    if max_order < 0:
        raise UsageError(code="ft.cli.bad_max_order", value=max_order)
    if not 0.0 <= cutoff <= 1.0:
        raise UsageError(code="ft.cli.bad_cutoff", value=cutoff)
    tree = load()
    result = analyze(
        tree,
        max_order=max_order,
        cutoff=cutoff,
        method=method,  # type: ignore[arg-type]
        list_cut_sets=False,
    )
    if fmt == "lines" and not result.cut_sets_computed:
        from diagnosis.errors import InferenceError

        raise InferenceError(code="ft.report.no_cut_sets_error", tree=result.tree)
    lists_all = fmt != "text" or all_cut_sets
    is_tty = tty if tty is not None else sys.stdout.isatty
    if output is None and lists_all and result.cut_set_count > max_terminal and is_tty():
        raise UsageError(
            code="ft.cli.too_many_for_terminal", count=result.cut_set_count, limit=max_terminal
        )

    def emit(out: TextIO) -> None:
        if fmt == "json":
            write_json(result, out)
        elif fmt == "lines":
            write_lines(result, out)
        else:
            write_text(result, out, lang, all_cut_sets)

    if output is None:
        try:
            emit(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # `| head`: the reader has seen enough
            _silence_stdout()
        return
    write_streamed(output, emit, lang)


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def write_streamed(output: str, emit: Callable[[TextIO], None], lang: str) -> None:
    """Stream into a temporary file beside ``output``, then rename it (never half a file)."""
    from diagnosis.i18n import tr

    target = Path(output)
    try:
        fd, tmp = _temporary_file(f".{target.name}.", str(target.parent))
    except OSError as exc:
        raise UsageError(code="ft.cli.cannot_write", path=output, reason=exc.strerror) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            emit(out)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(code="ft.cli.cannot_write", path=output, reason=exc.strerror) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(tr("ft.cli.written", lang, path=output), file=sys.stderr)


def _temporary_file(prefix: str, folder: str) -> tuple[int, str]:
    """A new file ``folder/prefix<random>``, created as :func:`tempfile.mkstemp` creates
    one (exclusive, mode 0o600, not following a link) without importing
    :mod:`tempfile` (with shutil, random and the compression modules: about 10 ms of
    a small model's ``ft analyze``, issue 16)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = os.path.join(folder, prefix + os.urandom(6).hex())
        try:
            return os.open(path, flags, 0o600), os.path.abspath(path)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "No usable temporary file name found")


# --- the fast entry ---------------------------------------------------------------

# Values read here exactly as typer reads them (int()/float() of the text, which is
# what its coercion returns for these forms); any other text goes to typer.
_INT = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
_FLOAT = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,15})?(?:[eE][+-]?[0-9]{1,2})?", re.ASCII)

_VALUED: dict[str, str] = {
    "--max-order": "max_order",
    "--cutoff": "cutoff",
    "--format": "fmt",
    "--method": "method",
    "-o": "output",
    "--output": "output",
    "--top": "top",
    "--mission-time": "mission_time",
    "--lang": "lang",
}


def parse_fast(argv: Sequence[str]) -> dict[str, str | bool | list[str]] | None:
    """The options of ``ft analyze ARGS`` when the fast entry can take them, else None.

    ``argv`` is the whole command line after the program name. Taken: the
    command ``ft analyze`` first, then MEF files (``*.xml``, not starting
    with ``-``) and the options of :data:`_VALUED` (``--opt VALUE``, each at
    most once, the value not empty nor starting with ``-``) and ``--all``.
    """
    if len(argv) < 3 or argv[0] != "ft" or argv[1] != "analyze":
        return None
    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return None  # shell completion: typer's
    got: dict[str, str | bool | list[str]] = {}
    files: list[str] = []
    args = list(argv[2:])
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--all":
            if "all" in got:
                return None
            got["all"] = True
        elif arg in _VALUED:
            name = _VALUED[arg]
            if name in got or i + 1 >= len(args):
                return None
            text = args[i + 1]
            if not text or text.startswith("-") or text != text.strip():
                return None
            got[name] = text
            i += 1
        elif arg.startswith("-") or not arg.lower().endswith(".xml"):
            return None
        else:
            files.append(arg)
        i += 1
    if not files:
        return None
    for name, pattern in (("max_order", _INT), ("cutoff", _FLOAT), ("mission_time", _FLOAT)):
        value = got.get(name)
        if isinstance(value, str) and not pattern.fullmatch(value):
            return None
    got["files"] = files
    return got


def fast_main(argv: Sequence[str]) -> int | None:
    """Run ``ft analyze`` without typer when :func:`parse_fast` takes ``argv``.

    Returns the exit code, or None when typer must run the command line
    (nothing has been done then). Errors end as in :func:`diagnosis.cli.main`:
    one line on stderr and the error's exit code.
    """
    opts = parse_fast(argv)
    if opts is None:
        return None
    from diagnosis.i18n import detect_lang

    tolerant_streams()
    lang_opt = opts.get("lang")
    lang = detect_lang(lang_opt if isinstance(lang_opt, str) else None)
    files = opts["files"]
    assert isinstance(files, list)

    def text(name: str, default: str | None) -> str | None:
        value = opts.get(name, default)
        return value if isinstance(value, str) else default

    top = text("top", None)
    mission_time = float(text("mission_time", "8760.0") or "8760.0")
    try:
        run_analyze(
            lambda: load_tree(files, lang, top, mission_time),
            max_order=int(text("max_order", "20") or "20"),
            cutoff=float(text("cutoff", "0.0") or "0.0"),
            fmt=text("fmt", "text") or "text",
            all_cut_sets=opts.get("all") is True,
            method=text("method", "bdd") or "bdd",
            output=text("output", None),
            lang=lang,
        )
    except DiagnosisError as exc:
        report_error(exc, lang)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return 0


def report_error(exc: DiagnosisError, lang: str) -> None:
    """The one line of an engine error on stderr (as :func:`diagnosis.cli.main` prints it)."""
    from diagnosis.textsafety import printable

    print(f"diagnosis: error: {printable(exc.message(lang))}", file=sys.stderr)


def tolerant_streams() -> None:
    """An ASCII or Latin-1 terminal (``LANG=C`` without UTF-8, ``PYTHONIOENCODING=ascii``)
    shows ``\\xe9`` for a character it cannot encode instead of a traceback
    (the same as :mod:`diagnosis.cli` does before typer runs)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding not in ("utf8", "utf16", "utf32"):
            with contextlib.suppress(ValueError, OSError):  # a closed or odd stream
                reconfigure(errors="backslashreplace")
