"""Safety in the UI: alerts from a safety rule and a critical reading, lockout before measuring."""

from __future__ import annotations

from textual.widgets import Input
from ui_pilot import (
    acknowledge_dialog,
    answer,
    begin,
    measure_other,
    pick_equipment,
    screen_text,
    settle,
    sign_in,
    start,
)

from diagnosis.session.events import AlertAcknowledged, AlertRaised, AlertStepAcknowledged
from diagnosis.ui.dialogs.procedure import ProcedureDialog
from diagnosis.ui.screens.diagnosis import DiagnosisScreen


async def test_safety_rule_alert_must_be_acknowledged_step_by_step(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await begin(pilot, "smoke")
        assert isinstance(dialog, ProcedureDialog)
        assert dialog.procedure.id == "stop-and-alert"
        # The rule in words (its conditions), never its id.
        assert dialog.reason == "Safety rule of the knowledge base — Smoke from the barrel"
        await pilot.press("escape")  # cannot be dismissed
        await pilot.pause()
        assert app.screen is dialog and dialog.done == 0
        await acknowledge_dialog(pilot)
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen)
        session = screen.session
        assert session.pending_alerts == []
        steps = [e.step for e in session.events if isinstance(e, AlertStepAcknowledged)]
        assert steps == [0, 1, 2]
        assert any(isinstance(e, AlertAcknowledged) for e in session.events)
        assert screen.current is not None  # the guided flow goes on


async def test_critical_reading_raises_the_alert_procedure(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "short")
        assert isinstance(screen, DiagnosisScreen)
        # Whatever is proposed, measure the melt temperature: 100 °C is below the critical 150.
        from diagnosis.ui.dialogs.alternatives import AlternativesDialog

        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, AlternativesDialog)
        await pilot.press(*"melt", "enter")
        await settle(pilot)
        assert screen.current is not None and screen.current.id == "melt-temp"
        assert screen.chosen
        await answer(pilot, "100")
        dialog = app.screen
        assert isinstance(dialog, ProcedureDialog)
        assert dialog.reason == "Critical reading: Melt temperature at nozzle = 100 °C"
        raised = [e for e in screen.session.events if isinstance(e, AlertRaised)]
        assert [(e.procedure, e.trigger, e.reason) for e in raised] == [
            ("stop-and-alert", "melt-temp", "critical")
        ]
        await acknowledge_dialog(pilot)
        assert app.screen is screen
        reading = screen.view.readings[-1]
        assert reading.critical and reading.state == "low" and not reading.proposed


async def test_lockout_is_acknowledged_before_the_measurement_is_asked(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "short", habilitations=("B0",))
        await measure_other(pilot, "heater")
        # Issue 10: the habilitation first. B0 does not cover BR: a named habilitated
        # colleague takes the measurement (or nobody goes through the lockout).
        from diagnosis.ui.dialogs.colleague import ColleagueDialog

        assert isinstance(app.screen, ColleagueDialog)
        assert not any(e.type == "alert_raised" for e in screen.session.events)
        await pilot.press(*"Marc", "enter")
        await pilot.press("enter")  # his habilitation, prefilled with the one required: BR
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ProcedureDialog)
        assert dialog.procedure.id == "loto-press" and dialog.procedure.kind == "lockout"
        assert isinstance(screen, DiagnosisScreen)
        assert screen.current_proposal.habilitation_ok is False  # B0 does not cover BR
        await acknowledge_dialog(pilot)
        assert app.screen is screen
        assert "heater-current" in screen._lockouts_done
        # The consignation is in the session log, step by step, not in the UI only.
        log = screen.session.events
        raised = [e for e in log if e.type == "alert_raised" and e.reason == "lockout"]
        assert [(e.procedure, e.trigger) for e in raised] == [("loto-press", "heater-current")]
        steps = [e.step for e in log if e.type == "alert_step_acknowledged"]
        assert steps == list(range(len(dialog.procedure.steps)))
        assert any(e.type == "alert_acknowledged" and e.procedure == "loto-press" for e in log)
        text = screen_text(app)
        assert "BR required" in text and "acknowledged: Lock out the press cabinet" in text
        assert screen.query_one("#answer", Input).placeholder == "yes / no"
        await answer(pilot, "no")
        reading = screen.session.readings[-1]
        assert (reading.measurement, reading.taken_by, reading.taken_by_habilitation) == (
            "heater-current",
            "Marc",
            "BR",
        )
        # he stays at hand for the session: recorded, and counted by the hand-over rule
        assert screen.session.colleagues == {"Marc": ("BR",)}


async def test_excluded_cause_is_dimmed_with_its_reason(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await begin(pilot, "short", habilitations=("BR",))
        await measure_other(pilot, "heater")
        await acknowledge_dialog(pilot)
        await answer(pilot, "yes")  # current present: the rule excludes the burnt heater
        assert isinstance(screen, DiagnosisScreen)
        assert "heater-burnt" in screen.view.excluded
        assert all(c != "heater-burnt" for c, _ in screen.view.ranking)
        text = screen_text(app)
        assert "Heater band zone 2 burnt out" in text and "excluded:" in text


async def test_a_lockout_the_engine_refuses_is_never_shown_as_done(make_app) -> None:
    """An engine may refuse to raise a lockout (a habilitation the technician lacks, issue 10
    item 2): the card must not then say the lockout is done, nor let the reading through."""
    from diagnosis.errors import SessionError

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, habilitations=("BR",))  # a refusal for any reason (stand-in)
        await pick_equipment(pilot, "press")
        await start(pilot, "short")
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen)
        calls: list[str] = []

        def refuse(mid: str, **_kw: object) -> None:
            calls.append(mid)
            raise SessionError("Zone 2 heater current present: habilitation BR needed")

        screen.session.prepare = refuse
        await measure_other(pilot, "heater")
        assert app.screen is screen and calls == ["heater-current"]
        assert "heater-current" not in screen._lockouts_done
        text = screen_text(app)
        assert "habilitation BR needed" in text and "acknowledged:" not in text
        await answer(pilot, "yes")  # Enter asks the engine again; nothing is recorded
        assert calls == ["heater-current", "heater-current"]
        assert screen.session.readings == []
