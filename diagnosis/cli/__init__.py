"""The ``diagnosis`` console script (``shared/cli-contract.md``).

No logic of its own: each sub-command module (``kb``, ``run``, ``ft``,
``fmea``, ``store``…) parses its options and calls the engine. Heavy
libraries are imported inside commands so that ``diagnosis --help`` is fast.
Every :class:`~diagnosis.errors.DiagnosisError` becomes one line on stderr
and its exit code; a usage error exits 2; no traceback reaches the user.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from diagnosis import __version__
from diagnosis.cli import _coerce
from diagnosis.errors import DiagnosisError

__all__ = ["app", "main"]

_coerce.install()  # plain option values skip typer's pydantic adapters (70 ms)

# Each top-level command and the module of this package whose ``register(app)``
# defines it, in the order ``diagnosis --help`` lists them (typer's: commands,
# then groups). Only the invoked command's module is imported and converted;
# ``--help``, completion and a mistyped command load them all.
# tests/diagnosis/cli/test_cli_startup.py checks this table against the modules.
_COMMANDS: dict[str, str] = {
    "run": "run",
    "history": "store",
    "report": "store",
    "verify": "store",
    "resume": "store",
    "fmea": "fmea",
    "tui": "tui",
    "monitor": "kpi",
    "demo": "kpi",
    "serve": "serve",
    "kb": "kb",
    "export": "store",
    "ft": "ft",
    "kpi": "kpi",
    "train": "train",
}
# Modules whose ``register`` adds commands to another module's group
# (``kpi`` adds ``kb learn``): registered before that group is built.
_ALSO: dict[str, tuple[str, ...]] = {"kb": ("kpi",)}
_REGISTERED: dict[str, typer.Typer] = {}


def _registered(module: str) -> typer.Typer:
    """A Typer holding what ``diagnosis.cli.<module>.register`` defines (registered once)."""
    if module not in _REGISTERED:
        holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
        importlib.import_module(f"diagnosis.cli.{module}").register(holder)
        _REGISTERED[module] = holder
    return _REGISTERED[module]


class _LazyGroup(TyperGroup):
    """The root group: a sub-command is imported and built when it is looked up."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._built: set[str] = set()

    def _build(self, modules: list[str]) -> None:
        for module in modules:
            for also in _ALSO.get(module, ()):
                _registered(also)
        for module in modules:
            if module not in self._built:
                self._built.add(module)
                self.commands.update(typer.main.get_group(_registered(module)).commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            module = _COMMANDS.get(cmd_name)
            # an unknown name loads every command: typer suggests the closest ones
            self._build([module] if module else list(dict.fromkeys(_COMMANDS.values())))
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        self._build(list(dict.fromkeys(_COMMANDS.values())))
        return [name for name in _COMMANDS if name in self.commands]


app = typer.Typer(
    cls=_LazyGroup,
    name="diagnosis",
    help="Guided diagnostic expert system for productive maintenance.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        print(f"diagnosis {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
    lang: str = typer.Option(None, "--lang", help="Language: en or fr (default: the locale)."),
    kb: str = typer.Option(None, "--kb", help="Knowledge-base folder (default: the bundled one)."),
    db: str = typer.Option(
        None, "--db", help="Database URL (default: DIAGNOSIS_DB, else a SQLite file)."
    ),
) -> None:
    """With no command, open the terminal UI on the bundled knowledge base."""
    ctx.obj = {"lang": lang, "kb": kb, "db": db}
    if ctx.invoked_subcommand is None:
        from diagnosis.cli.tui import launch

        launch(lang=lang, kb=kb, db=db)


def _tolerant_streams() -> None:
    """An ASCII or Latin-1 terminal (``LANG=C`` without UTF-8, ``PYTHONIOENCODING=ascii``)
    shows ``\\xe9`` for a character it cannot encode instead of a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding not in ("utf8", "utf16", "utf32"):
            with contextlib.suppress(ValueError, OSError):  # a closed or odd stream
                reconfigure(errors="backslashreplace")


def _lang_option(args: Sequence[str]) -> str | None:
    """The value of the last ``--lang`` on the command line (any level), or None."""
    found: str | None = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            found = args[index + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the app, translate engine errors to a line and an exit code.

    The app runs in click's standalone mode, which prints usage errors itself
    (exit 2); our own errors (``DiagnosisError``) propagate out of it and are
    printed here as one line.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    _tolerant_streams()
    try:
        app(args=args, prog_name="diagnosis", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except DiagnosisError as exc:
        from diagnosis.i18n import detect_lang
        from diagnosis.textsafety import printable

        # the engine raises coded errors; the edge translates them
        text = exc.message(detect_lang(_lang_option(args)))
        print(f"diagnosis: error: {printable(text)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
