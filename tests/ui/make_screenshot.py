"""Write docs/screenshot.svg: the diagnosis screen on the bundled injection press, mid-diagnosis.

Run from the repository root: ``.venv/bin/python tests/ui/make_screenshot.py``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]


async def main(out: Path, size: tuple[int, int] = (120, 36)) -> None:
    from textual.widgets import Input
    from ui_pilot import acknowledge_dialog, answer, settle, sign_in

    from diagnosis.kb.loader import load_kb
    from diagnosis.session import SimulatedMachine
    from diagnosis.ui.app import DiagnosisApp
    from diagnosis.ui.dialogs.procedure import ProcedureDialog

    kb = load_kb()
    eq = kb.equipment("injection-press-01")
    machine = SimulatedMachine(eq, "im-regrind-ratio-high")
    with tempfile.TemporaryDirectory() as tmp:
        app = DiagnosisApp(
            kb,
            db=f"sqlite:///{tmp}/db.sqlite",
            lang="en",
            config_dir=Path(tmp),
            report_dir=Path(tmp),
        )
        async with app.run_test(size=size) as pilot:
            await sign_in(pilot, "Ada Martin", ("BR",))
            app.show_problem("injection-press-01")
            await settle(pilot)
            app.screen.selected.add("im-short-shot")
            await pilot.press("ctrl+s")
            await settle(pilot)
            for _ in range(3):
                if isinstance(app.screen, ProcedureDialog):
                    await acknowledge_dialog(pilot)
                raw = machine.read(app.screen.current)
                await answer(pilot, "" if raw is None else str(raw))
            for box in app.screen.query(Input):
                box.cursor_blink = False
            await pilot.pause()
            app.save_screenshot(filename=out.name, path=str(out.parent))
    print(out)


if __name__ == "__main__":
    asyncio.run(main(ROOT / "docs" / "screenshot.svg"))
