"""The proposed measurement as a card: what, where, with what, against which values.

Everything a technician needs before touching the machine: the measurement
point, the instrument, the unit, the nominal value, the alarm and critical
thresholds, the time it takes and its prerequisites (lockout with its
procedure, habilitation, personal protective equipment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text as RichText
from textual.widgets import Static

from diagnosis.i18n import tr
from diagnosis.kb.model import Measurement
from diagnosis.ui.text import kb_text, num

if TYPE_CHECKING:
    from diagnosis.session.types import StepProposal

__all__ = ["MeasurementCard", "answer_hint", "choices_text", "thresholds_text"]


def thresholds_text(m: Measurement, lang: str) -> str:
    """``alarm < 215 / > 245 · critical < 190 / > 270`` (only the thresholds given)."""
    th = m.thresholds
    unit = f" {m.unit}" if m.unit else ""
    parts: list[str] = []
    alarm = [
        f"< {num(th.low_alarm, lang)}" if th.low_alarm is not None else "",
        f"> {num(th.high_alarm, lang)}" if th.high_alarm is not None else "",
    ]
    crit = [
        f"< {num(th.low_critical, lang)}" if th.low_critical is not None else "",
        f"> {num(th.high_critical, lang)}" if th.high_critical is not None else "",
    ]
    if any(alarm):
        parts.append(tr("card.alarm", lang) + " " + " / ".join(a for a in alarm if a) + unit)
    if any(crit):
        parts.append(tr("card.critical", lang) + " " + " / ".join(c for c in crit if c) + unit)
    return " · ".join(parts)


def answer_hint(m: Measurement, lang: str) -> str:
    """What the input expects: a number in the unit, yes/no, or one of the choices."""
    if m.kind == "numeric":
        example = (
            num(m.nominal, lang) if m.nominal is not None else "4,2" if lang == "fr" else "4.2"
        )
        return tr("card.hint_numeric", lang, unit=m.unit or "", example=example)
    if m.kind == "boolean":
        return tr("card.hint_boolean", lang)
    return tr("card.hint_choice", lang, n=len(m.choices))


def choices_text(m: Measurement, lang: str) -> RichText:
    """The choices numbered, by their names in ``lang``: ``1 clear  2 dark  3 milky (water)``."""
    out = RichText()
    for i, choice in enumerate(m.choices, 1):
        if i > 1:
            out.append(" · ")
        out.append(f"{i}", style="bold")
        out.append(f" {m.choice_label(choice, lang)}")
    return out


class MeasurementCard(Static):
    """Shows one measurement (usually the engine's proposal) and its prerequisites."""

    DEFAULT_CLASSES = "card"

    def __init__(self, lang: str, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.lang = lang

    def show(
        self,
        m: Measurement,
        *,
        proposal: StepProposal | None = None,
        proposed: bool = True,
        lockout_done: bool = False,
        procedure_name: str = "",
    ) -> None:
        """Render measurement ``m``; ``proposal`` is the engine's StepProposal when there is one."""
        lang = self.lang

        def t(key: str, **kw: object) -> str:
            return tr(key, lang, **kw)

        self.border_title = t("card.title_proposed" if proposed else "card.title_chosen")
        self.border_subtitle = t("card.minutes", n=num(m.cost_min, lang))
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(ratio=1)
        # The name only: the KB id is for the engineer's views, not the technician's card.
        head = RichText(kb_text(m.name, lang), style="bold")
        lines: list[Any] = [head]
        if m.kind == "choice":
            # The numbered choices first: they are what the technician types.
            values = choices_text(m, lang)
            values.append(
                "  " + t("card.normal_is", state=m.choice_label(m.normal_state, lang)), style="green"
            )
            grid.add_row(t("card.values"), values)
        if m.point:
            grid.add_row(t("card.where"), kb_text(m.point, lang))
        if m.instrument:
            grid.add_row(t("card.instrument"), kb_text(m.instrument, lang))
        if m.kind == "numeric":
            nominal = (
                f"{num(m.nominal, lang)} {m.unit or ''}".strip() if m.nominal is not None else "—"
            )
            values = RichText(t("card.nominal") + " " + nominal, style="green")
            limits = thresholds_text(m, lang)
            if limits:
                values.append(" · " + limits, style="yellow")
            grid.add_row(t("card.values"), values)
        elif m.kind == "boolean":
            grid.add_row(t("card.values"), t("card.yes_no", state=t(f"bool.{m.normal_state}")))
        req = m.requires
        if req.lockout:
            mark = "✓" if lockout_done else "!"
            style = "green" if lockout_done else "bold red"
            text = t(
                "card.lockout_done" if lockout_done else "card.lockout_needed",
                procedure=procedure_name or (req.procedure or ""),
            )
            grid.add_row(RichText(mark + " " + t("card.lockout"), style=style), text)
        if req.habilitation:
            ok = bool(getattr(proposal, "habilitation_ok", True))
            style = "green" if ok else "bold red"
            text = t("card.hab_ok" if ok else "card.hab_missing", hab=req.habilitation)
            grid.add_row(
                RichText(("✓ " if ok else "✗ ") + t("card.habilitation"), style=style), text
            )
        if req.ppe:
            grid.add_row(t("card.ppe"), ", ".join(kb_text(p, lang) for p in req.ppe))
        if m.needs:  # the tools / parts it needs, and the key to say one is not here
            lacking = {n.id for n in getattr(proposal, "lacking", ())}
            names = ", ".join(
                n.label(lang) + (" ✗" if n.id in lacking else "") for n in m.needs
            )
            needs_text = RichText(names + "  ")
            needs_text.append(tr("ui_i10.lacking_key", lang), style="bold")
            grid.add_row(
                RichText(
                    ("✗ " if lacking else "") + t("ui_i10.needs"),
                    style="bold red" if lacking else "bold",
                ),
                needs_text,
            )
        if getattr(proposal, "suggested", False):
            grid.add_row(
                RichText("★", style="bold cyan"), RichText(t("card.suggested"), style="cyan")
            )
        if proposal is not None and proposal.purpose == "confirm":
            grid.add_row(RichText("✔", style="bold green"), proposal.purpose_label(lang))
        if proposal is not None:
            gain = float(getattr(proposal, "gain", 0.0))
            score = float(getattr(proposal, "score", 0.0))
            grid.add_row(
                t("card.information"),
                RichText(
                    t("card.gain", gain=num(gain, lang, 2), score=num(score, lang, 2)), style="dim"
                ),
            )
        # What to do and what to type first; the longer description after it, in the
        # part of the card that scrolls at 80×24.
        lines.append(grid)
        if m.description:
            lines.append(RichText(kb_text(m.description, lang), style="italic dim"))
        self.update(Group(*lines))

    def show_message(self, title: str, text: str) -> None:
        """Replace the card by a message (no measurement left, computing…)."""
        self.border_title = title
        self.border_subtitle = ""
        self.update(RichText(text))
