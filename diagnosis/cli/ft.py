"""``diagnosis ft``: analyse, convert and draw fault trees (cli-contract.md).

``analyze`` prints a readable report (or ``--format json``); ``export``
writes Open-PSA MEF XML; ``import`` writes the KB YAML form of an MEF
model; ``render`` draws a tree (SVG, PNG, DOT or a text tree). Input is a
YAML fault-tree file, MEF ``.xml`` files (read together as one model), or,
for ``render``, the id of a tree of the knowledge base.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from diagnosis.errors import UsageError

if TYPE_CHECKING:
    from diagnosis.faulttree.model import FaultTree

__all__ = ["register"]

ft_app = typer.Typer(
    help="Fault trees: minimal cut sets, probability, importance, Open-PSA MEF, diagrams.",
    no_args_is_help=True,
    add_completion=False,
)

_LANG = typer.Option(None, "--lang", metavar="en|fr", help="Language (default: the locale).")
_TOP = typer.Option(None, "--top", help="MEF: the top gate (default: the first root gate).")
_MISSION = typer.Option(
    8760.0, "--mission-time", help="MEF: hours for system-mission-time (default 8760)."
)
_OUT = typer.Option(None, "-o", "--output", metavar="OUT", help="Write to this file.")


def _lang(ctx: typer.Context, lang: str | None) -> str:
    from diagnosis.i18n import detect_lang

    parent: dict[str, Any] = ctx.obj or {}
    return detect_lang(lang or parent.get("lang"))


def load_tree(
    files: list[str], lang: str, top: str | None = None, mission_time: float = 8760.0
) -> FaultTree:
    """The fault tree in ``files`` (one YAML file, or MEF XML files); see
    :func:`diagnosis.faulttree.command.load_tree`."""
    from diagnosis.faulttree.command import load_tree as load

    return load(files, lang, top, mission_time)


def _write(output: str | None, data: str | bytes, lang: str) -> None:
    from diagnosis.i18n import tr

    if output is None:
        if isinstance(data, bytes):
            if sys.stdout.isatty():
                raise UsageError(tr("ft.cli.binary_to_tty", lang))
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return
    try:
        if isinstance(data, bytes):
            Path(output).write_bytes(data)
        else:
            Path(output).write_text(data, encoding="utf-8")
    except OSError as exc:
        raise UsageError(tr("ft.cli.cannot_write", lang, path=output, reason=exc.strerror)) from exc
    print(tr("ft.cli.written", lang, path=output), file=sys.stderr)


MAX_TERMINAL = 1_000_000
"""At most this many cut sets are printed to a terminal (a file or a pipe takes any number);
the same as ``diagnosis.faulttree.command.MAX_TERMINAL`` (not imported: ``ft --help`` stays light)."""


_CUTOFF_HELP = (
    "Keep the minimal cut sets whose probability (the product of their basic events' "
    "probabilities) is >= P, applied after minimisation and within --max-order; "
    "the exact probability and importance ignore it (docs/fault-trees.md)."
)


@ft_app.command("analyze")
def analyze_cmd(
    ctx: typer.Context,
    files: list[str] = typer.Argument(
        ..., metavar="FILE", help="YAML or MEF .xml file(s), or a KB tree id."
    ),
    max_order: int = typer.Option(
        20, "--max-order", metavar="N", help="Keep cut sets of at most N events."
    ),
    cutoff: float = typer.Option(0.0, "--cutoff", metavar="P", help=_CUTOFF_HELP),
    fmt: str = typer.Option(
        "text",
        "--format",
        metavar="text|json|lines",
        help="text report, json document, or lines: one cut set per line (events "
        "separated by spaces), nothing else.",
    ),
    all_cut_sets: bool = typer.Option(
        False, "--all", help="Text: list every cut set, not the 50 most probable."
    ),
    method: str = typer.Option("bdd", "--method", metavar="bdd|mocus", help="Cut-set algorithm."),
    output: str = typer.Option(
        None,
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE (no limit on the cut sets listed; a terminal shows at most "
        f"{MAX_TERMINAL:,} of them).",
    ),
    top: str = _TOP,
    mission_time: float = _MISSION,
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    fault_trees: str = typer.Option(
        None, "--fault-trees", metavar="DIR", help="Fault-tree folder."
    ),
    lang: str = _LANG,
) -> None:
    """Minimal cut sets, exact probability, rare-event and MCUB, importance factors.

    Probability, counts and importance are computed first and printed before
    the cut sets, which are streamed (sorted, in bounded memory) to the file,
    the pipe or the terminal.
    """
    from diagnosis.faulttree.command import run_analyze

    lang = _lang(ctx, lang)
    # The body is shared with the fast entry of ``python -m diagnosis`` (no typer).
    run_analyze(
        lambda: _tree_or_file(ctx, files, kb, fault_trees, lang, top, mission_time),
        max_order=max_order,
        cutoff=cutoff,
        fmt=fmt,
        all_cut_sets=all_cut_sets,
        method=method,
        output=output,
        lang=lang,
        max_terminal=MAX_TERMINAL,
        tty=_tty,
    )


def _tty() -> bool:
    return sys.stdout.isatty()


@ft_app.command("export")
def export_cmd(
    ctx: typer.Context,
    files: list[str] = typer.Argument(..., metavar="FILE", help="YAML fault tree or KB tree id."),
    to: str = typer.Option("opsa-mef", "--to", metavar="opsa-mef", help="Target format."),
    output: str = _OUT,
    top: str = _TOP,
    mission_time: float = _MISSION,
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    fault_trees: str = typer.Option(
        None, "--fault-trees", metavar="DIR", help="Fault-tree folder."
    ),
    lang: str = _LANG,
) -> None:
    """Write a fault tree as Open-PSA MEF XML."""
    from diagnosis.faulttree.opsa_mef_writer import write_mef
    from diagnosis.i18n import tr

    lang = _lang(ctx, lang)
    if to != "opsa-mef":
        raise UsageError(tr("ft.cli.bad_to", lang, value=to, allowed="opsa-mef"))
    tree = _tree_or_file(ctx, files, kb, fault_trees, lang, top, mission_time)
    _write(output, write_mef(tree), lang)


@ft_app.command("import")
def import_cmd(
    ctx: typer.Context,
    files: list[str] = typer.Argument(..., metavar="FILE.xml", help="MEF model."),
    output: str = _OUT,
    equipment: str = typer.Option(None, "--equipment", help="Equipment id to link the tree to."),
    top: str = _TOP,
    mission_time: float = _MISSION,
    lang: str = _LANG,
) -> None:
    """Write the KB YAML form of an Open-PSA MEF model (ids made KB-valid)."""
    from diagnosis.faulttree.from_kb import to_kb_yaml
    from diagnosis.i18n import tr

    lang = _lang(ctx, lang)
    if not all(f.lower().endswith(".xml") for f in files):
        raise UsageError(tr("ft.cli.bad_to", lang, value=files[0], allowed="*.xml"))
    _write(output, to_kb_yaml(load_tree(files, lang, top, mission_time), equipment), lang)


@ft_app.command("render")
def render_cmd(
    ctx: typer.Context,
    tree_ref: list[str] = typer.Argument(..., metavar="TREE|FILE", help="KB tree id or file(s)."),
    to: str = typer.Option("text", "--to", metavar="svg|png|dot|text", help="Output format."),
    output: str = _OUT,
    cause: str = typer.Option(None, "--cause", help="Highlight the path to this KB cause."),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    fault_trees: str = typer.Option(
        None, "--fault-trees", metavar="DIR", help="Fault-tree folder."
    ),
    no_probabilities: bool = typer.Option(
        False, "--no-probabilities", help="Hide gate probabilities."
    ),
    top: str = _TOP,
    mission_time: float = _MISSION,
    lang: str = _LANG,
) -> None:
    """Draw a fault tree: svg or png (graphviz), dot source, or a text tree."""
    from diagnosis.diagram import have_dot, render
    from diagnosis.errors import ExportError
    from diagnosis.faulttree.bdd import gate_probabilities
    from diagnosis.faulttree.evidence import cause_path
    from diagnosis.faulttree.render import to_dot, to_text
    from diagnosis.i18n import tr

    lang = _lang(ctx, lang)
    allowed = ("svg", "png", "dot", "text")
    if to not in allowed:
        raise UsageError(tr("ft.cli.bad_to", lang, value=to, allowed=", ".join(allowed)))
    tree = _tree_or_file(ctx, tree_ref, kb, fault_trees, lang, top, mission_time)
    highlight: list[str] = []
    if cause:
        highlight = cause_path(tree, cause)
        if not highlight:
            raise UsageError(tr("ft.cli.unknown_cause", lang, tree=tree.id, cause=cause))
    probs = None if no_probabilities else gate_probabilities(tree)
    if to == "text":
        _write(output, to_text(tree, probs, highlight, lang), lang)
        return
    dot = to_dot(tree, probs, highlight, lang)
    if to == "dot":
        _write(output, dot, lang)
        return
    if not have_dot():
        # Nothing is written: a stray .dot beside the requested file would look like
        # a result (issue 10). The message says what works without graphviz.
        raise ExportError(tr("ft.cli.cannot_draw", lang, fmt=to))
    image = render(dot, to)
    _write(output, image.decode("utf-8") if to == "svg" else image, lang)


def _tree_or_file(
    ctx: typer.Context,
    ref: list[str],
    kb: str | None,
    fault_trees: str | None,
    lang: str,
    top: str | None,
    mission_time: float,
) -> FaultTree:
    from diagnosis.i18n import tr

    if len(ref) > 1 or Path(ref[0]).is_file() or ref[0].lower().endswith((".xml", ".yaml", ".yml")):
        return load_tree(ref, lang, top, mission_time)
    from diagnosis.faulttree.from_kb import from_kb
    from diagnosis.kb.loader import load_kb

    parent: dict[str, Any] = ctx.obj or {}
    knowledge = load_kb(kb or parent.get("kb"), fault_trees)
    try:
        return from_kb(knowledge.fault_tree(ref[0]), lang)
    except KeyError:
        raise UsageError(tr("ft.cli.unknown_tree", lang, tree=ref[0])) from None


def register(app: typer.Typer) -> None:
    app.add_typer(ft_app, name="ft")
