"""The indicators dashboard (F4): reliability, Pareto, recurrences, history and trends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ui_pilot import pick_equipment, screen_text, settle, sign_in

from diagnosis.session.events import (
    ConclusionReached,
    ReadingRecorded,
    RemedyRecorded,
    SessionClosed,
    SessionStarted,
)


def record(store, k: int, at: datetime, cause: str, temp: float) -> None:
    sid = f"00000000-0000-0000-0000-{k:012d}"
    events = [
        SessionStarted(at=at, session_id=sid, equipment="ui-press-01", symptoms=("short-shot",),
                       technician="Ada Martin"),
        ReadingRecorded(at=at + timedelta(minutes=5), measurement="melt-temp", value=temp,
                        unit="°C", raw=str(temp), state="low"),
        ConclusionReached(at=at + timedelta(minutes=10), root_cause=cause, probability=0.95,
                          confirmed=True),
        RemedyRecorded(at=at + timedelta(minutes=50), remedy=f"replaced band {k}",
                       labour_min=40.0, downtime_min=60.0),
        SessionClosed(at=at + timedelta(minutes=60), status="done"),
    ]
    for event in events:
        store.append(sid, event)


async def test_f4_dashboard_with_history_and_trend(make_app) -> None:
    app = make_app()
    now = datetime.now(UTC)
    for k, (days_ago, cause, temp) in enumerate(
        [(80, "heater-burnt", 205.0), (40, "heater-burnt", 200.0), (10, "heater-burnt", 190.0),
         (20, "wet-material", 230.0)]
    ):
        record(app.store, k, now - timedelta(days=days_ago), cause, temp)
    async with app.run_test(size=(140, 50)) as pilot:
        await sign_in(pilot)
        await pilot.press("f4")
        await settle(pilot)
        from diagnosis.ui.screens.dashboard import DashboardScreen

        assert isinstance(app.screen, DashboardScreen)
        text = screen_text(app)
        assert "4 failures recorded" in text
        assert "ui-press-01" in text and "Heater band zone 2 burnt out" in text
        assert "3 times within 90 days" in text
        assert "Pick an equipment" in text
        await pilot.press("escape")
        await pilot.pause()
        await pick_equipment(pilot, "press")
        await pilot.press("f4")
        await settle(pilot)
        text = screen_text(app)
        assert "Last interventions on ui-press-01" in text
        assert "replaced band 2" in text
        assert "Melt temperature at nozzle (°C): last 190, 4 readings" in text
        assert len(app.screen.query("Sparkline")) == 1


async def test_flagged_drift_opens_a_prefilled_diagnosis(ui_kb, db_url, tmp_path) -> None:
    from diagnosis.ui.app import prefilled_app
    from diagnosis.ui.screens.diagnosis import DiagnosisScreen

    app = prefilled_app(
        ui_kb, db=db_url, lang="en", equipment="ui-press-01", symptoms=["short-shot"],
        answers={"melt-temp": "205 °C"}, config_dir=tmp_path / "config",
        report_dir=tmp_path / "reports",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        assert isinstance(app.screen, DiagnosisScreen)
        session = app.session
        assert session is not None and session.equipment.id == "ui-press-01"
        (reading,) = [r for r in session.readings if r.measurement == "melt-temp"]
        assert reading.value == 205.0 and reading.state == "low"


async def test_conclusion_warns_of_a_recurrent_cause(ui_kb, db_url, tmp_path) -> None:
    from diagnosis.ui.app import prefilled_app
    from diagnosis.ui.screens.conclusion import ConclusionScreen

    app = prefilled_app(
        ui_kb, db=db_url, lang="en", equipment="ui-press-01", symptoms=["short-shot"],
        answers={"melt-temp": "190"}, config_dir=tmp_path / "config",
        report_dir=tmp_path / "reports",
    )
    now = datetime.now(UTC)
    record(app.store, 1, now - timedelta(days=60), "heater-burnt", 200.0)
    record(app.store, 2, now - timedelta(days=20), "heater-burnt", 195.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        assert app.session.ranking()[0][0] == "heater-burnt"
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, ConclusionScreen)
        messages = [n.message for n in app._notifications]
        assert (
            "Heater band zone 2 burnt out: Third time in 90 days: look for the deeper cause"
            in messages
        )
