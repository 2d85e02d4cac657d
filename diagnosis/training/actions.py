"""The scripted trainee: a YAML list of actions, played on a :class:`TrainingRun`.

Each action is one of ``{hypothesis: CAUSE}``, ``{lockout: PROCEDURE}``,
``{measure: MEASUREMENT}`` (optionally ``taken_by: {name: N, habilitation: H}``,
the habilitated colleague who takes it), ``{acknowledge: PROCEDURE}``, ``{hint: true}``,
``{conclude: CAUSE, category_5m: FAMILY, why: [TEXT | {text, evidence}, …]}``.
A bad file or an action the exercise refuses is a one-line ``file:line`` error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from diagnosis.errors import SessionError, UsageError
from diagnosis.training.model import compose_yaml
from diagnosis.training.run import TrainingRun, Why

__all__ = ["KINDS", "Action", "load_actions", "play"]

KINDS = ("hypothesis", "lockout", "measure", "acknowledge", "hint", "conclude")


@dataclass(frozen=True)
class Action:
    kind: str
    arg: str = ""
    line: int = 0
    category_5m: str | None = None
    why: tuple[Why, ...] = field(default_factory=tuple)
    taken_by: tuple[str, str] | None = None  # measure: (name, habilitation) of a colleague

    def to_yaml(self) -> dict[str, Any]:
        if self.kind == "hint":
            return {"hint": True}
        if self.kind == "measure" and self.taken_by is not None:
            return {
                "measure": self.arg,
                "taken_by": {"name": self.taken_by[0], "habilitation": self.taken_by[1]},
            }
        if self.kind != "conclude":
            return {self.kind: self.arg}
        out: dict[str, Any] = {"conclude": self.arg}
        if self.category_5m:
            out["category_5m"] = self.category_5m
        out["why"] = [
            {"text": w.text, "evidence": w.evidence} if w.evidence else w.text for w in self.why
        ]
        return out


def load_actions(path: str | Path) -> list[Action]:
    """Read an actions file.

    Raises:
        UsageError: unreadable file, YAML error, not a list, unknown action (``file:line``).
    """
    path = Path(path)

    def error(node: yaml.Node | None, msg: str, **kw: object) -> UsageError:
        line = node.start_mark.line + 1 if node is not None else 0
        return UsageError(code=f"training.{msg}", where=f"{path}:{line}: ", **kw)

    root = compose_yaml(path, column=False)
    if root is None or not isinstance(root, yaml.SequenceNode):
        raise error(root, "actions.not_list")
    construct = yaml.SafeLoader("").construct_document
    actions: list[Action] = []
    for item in root.value:
        line = item.start_mark.line + 1
        data = construct(item)
        if isinstance(data, str) and data == "hint":
            data = {"hint": True}
        if not isinstance(data, dict):
            raise error(item, "actions.bad_action")
        kinds = [k for k in data if k in KINDS]
        if len(kinds) != 1:
            raise error(item, "actions.bad_action")
        kind = kinds[0]
        if kind == "measure" and set(data) == {"measure", "taken_by"}:
            taker = data["taken_by"]
            name = taker.get("name") if isinstance(taker, dict) else None
            held = taker.get("habilitation") if isinstance(taker, dict) else None
            if (
                not isinstance(taker, dict)
                or set(taker) - {"name", "habilitation"}
                or not isinstance(name, str)
                or not name.strip()
                or not isinstance(held, str)
                or not held.strip()
            ):
                raise error(item, "actions.bad_taken_by")
            value = data["measure"]
            if not isinstance(value, str) or not value.strip():
                raise error(item, "load.not_string")
            actions.append(
                Action("measure", value.strip(), line, taken_by=(name.strip(), held.strip()))
            )
            continue
        if kind != "conclude" and len(data) != 1:
            raise error(item, "actions.bad_action")
        value = data[kind]
        if kind == "hint":
            actions.append(Action("hint", line=line))
            continue
        if not isinstance(value, str) or not value.strip():
            raise error(item, "load.not_string")
        if kind != "conclude":
            actions.append(Action(kind, value.strip(), line))
            continue
        for key in data:
            if key not in ("conclude", "category_5m", "why"):
                raise error(item, "actions.bad_key", name=key)
        whys: list[Why] = []
        raw_why = data.get("why") or []
        if isinstance(raw_why, str):
            raw_why = [raw_why]
        if not isinstance(raw_why, list):
            raise error(item, "load.not_list")
        for link in raw_why:
            if isinstance(link, dict) and isinstance(link.get("text"), str):
                evidence = link.get("evidence")
                whys.append(Why(link["text"], str(evidence) if evidence else None))
            elif isinstance(link, str | int | float) and not isinstance(link, bool):
                whys.append(Why(str(link)))
            else:
                raise error(item, "load.not_string")
        category = data.get("category_5m")
        actions.append(
            Action(
                "conclude",
                value.strip(),
                line,
                str(category) if category is not None else None,
                tuple(whys),
            )
        )
    for index, action in enumerate(actions):
        if action.kind == "conclude" and index != len(actions) - 1:
            raise UsageError(
                code="training.actions.after_conclusion",
                where=f"{path}:{actions[index + 1].line}: ",
            )
    if not actions or actions[-1].kind != "conclude":
        raise UsageError(
            code="training.actions.no_conclusion", where=f"{path}:{root.end_mark.line + 1}: "
        )
    return actions


def play(run: TrainingRun, actions: list[Action], source: str = "") -> None:
    """Play every action on ``run``, then close it (score note recorded).

    Raises:
        UsageError: an action the session refuses (unknown id, no such alert…),
            naming ``source:line``; what was recorded before stays recorded.
    """
    for action in actions:
        try:
            if action.kind == "hypothesis":
                run.hypothesis(action.arg)
            elif action.kind == "lockout":
                run.lockout(action.arg)
            elif action.kind == "measure":
                run.measure(action.arg, action.taken_by)
            elif action.kind == "acknowledge":
                run.acknowledge(action.arg)
            elif action.kind == "hint":
                run.hint()
            else:
                run.conclude(action.arg, action.category_5m, action.why)
        except SessionError as exc:
            raise UsageError.like(exc, where=f"{source}:{action.line}: ") from exc
    run.finish()
