"""The look of the app pinned by SVG snapshots, at 80x24 and 120x40 (plain sync tests).

Deterministic: a fixed technician, a fresh store and config in a temporary
folder, the small test KB, no clock in the header. Update them with
``pytest tests/ui/test_ui_snapshots.py --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from textual.widgets import Input
from ui_pilot import answer, begin, settle, sign_in

from diagnosis.ui.screens.diagnosis import DiagnosisScreen


async def freeze(pilot) -> None:
    """Stop the cursor blinking (a 0.5 s timer): the snapshot must not depend on timing."""
    for screen in pilot.app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False
    await pilot.pause()


async def _to_diagnosis(pilot) -> None:
    screen = await begin(pilot, "short", name="Ada Martin", habilitations=("BR",))
    assert isinstance(screen, DiagnosisScreen)
    await answer(pilot, "dry")  # the first proposal is the granule aspect
    await settle(pilot)
    await freeze(pilot)


def test_snapshot_sign_in_80x24(snap_compare, make_app) -> None:
    async def before(pilot) -> None:
        await pilot.pause()
        await freeze(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=before)


def test_snapshot_diagnosis_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_to_diagnosis)


def test_snapshot_diagnosis_wide_120x40(snap_compare, make_app) -> None:
    assert snap_compare(make_app(lang="fr"), terminal_size=(120, 40), run_before=_to_diagnosis)


def test_snapshot_alert_80x24(snap_compare, make_app) -> None:
    async def before(pilot) -> None:
        await begin(pilot, "smoke", name="Ada Martin")
        await freeze(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=before)


def test_snapshot_fault_tree_120x40(snap_compare, make_app) -> None:
    async def before(pilot) -> None:
        await sign_in(pilot, "Ada Martin")
        await pilot.press("f2")
        await settle(pilot)
        await freeze(pilot)

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=before)
