"""Issue 10 in the UI: the hand-over card, and the colleague named before the lockout."""

from __future__ import annotations

from ui_pilot import answer, begin, measure_other, screen_text, settle

from diagnosis.cli.run_json import run_json
from diagnosis.ui.screens.diagnosis import DiagnosisScreen


async def test_hand_over_card_in_french(make_app) -> None:
    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "manque")
        assert isinstance(screen, DiagnosisScreen)
        await measure_other(pilot, "temp")
        await answer(pilot, "205,5")
        assert screen.view is not None and screen.view.stop_reason == "handover"
        text = screen_text(app)
        assert "Passage de relais à un collègue habilité" in text
        assert "habilitation BR" in text and "diag.no_more" not in text
        assert not screen.session.closed  # left open for the colleague


def test_release_dialog_after_the_measurement() -> None:
    """The lockout dialog before the measurement omits the déconsignation; after the
    reading a one-step release dialog records it (LockoutReleased)."""
    from diagnosis.kb import load_kb
    from diagnosis.session import Session
    from diagnosis.ui.safety_hooks import before_work, release_dialog

    kb = load_kb()
    s = Session.start(kb, "cv-line-01", ["cv-vsd-trip"], habilitations=["BR"])
    s.prepare("cv-insulation-resistance")
    proc = kb.procedures["cv-lockout"]
    shown = before_work(s, proc)
    assert len(shown.steps) == len(proc.steps) - 1
    assert "Déconsignation" not in " ".join(t.get("fr") for t in shown.steps)
    for i in s.steps_to_acknowledge("cv-lockout"):
        s.acknowledge_step("cv-lockout", i)
    s.acknowledge("cv-lockout")
    assert release_dialog(s, "fr") is None  # not measured yet: no release
    s.answer("cv-insulation-resistance", "500")
    dialog = release_dialog(s, "fr")
    assert dialog is not None and len(dialog.procedure.steps) == 1
    assert "Déconsignation" in dialog.procedure.steps[0].get("fr")
    dialog._ack_all()
    assert s.applied_lockouts == [] and s.events[-1].type == "lockout_released"


async def test_tool_hand_over_from_the_card_key_in_french(make_app) -> None:
    """F6 on the card says the vibration meter is not here: the session hands over,
    with a card naming the tool (issue 10, item 3: a tool, not only a habilitation)."""
    from diagnosis.kb.loader import load_kb

    kb = load_kb()
    app = make_app(kb=kb, lang="fr", technician="Ana", habilitations=("BR",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.show_problem("cv-line-01")
        await settle(pilot)
        app.screen.selected.add("cv-noise-vibration")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen)
        assert screen.current is not None and screen.current.id == "cv-vib-motor-de"
        card = screen_text(app)
        assert "Vibromètre avec mode enveloppe (gE)" in card and "F6 : je ne l'ai pas ici" in card
        await pilot.press("f6")
        await settle(pilot)
        session = screen.session
        assert session.lacking_tools == ("vibration-meter",) and session.readings == []
        from diagnosis.session import SimulatedMachine

        sim = SimulatedMachine(kb.equipment("cv-line-01"), "cv-motor-bearing-de-worn")
        for _ in range(12):
            if screen.view is not None and screen.view.stop_reason == "handover":
                break
            assert screen.current is not None
            raw = sim.read(screen.current)
            await answer(pilot, "n/a" if raw is None else str(raw))
        assert screen.view is not None and screen.view.stop_reason == "handover"
        text = screen_text(app)
        assert "Passage de relais : un outil ou une pièce manque" in text
        assert "Vitesse vibratoire au palier moteur" in text
        assert "que vous n'avez pas ici" in text and "habilitation BR" not in text
        assert not session.closed
        data = run_json(session)["handover"]
        assert (data["tool"], data["habilitation"]) == ("vibration-meter", "")
        # Esc (pause) at the hand-over records it, for the report and the colleague
        from diagnosis.session.events import HandedOver

        assert not any(isinstance(e, HandedOver) for e in session.events)
        await pilot.press("escape")
        await settle(pilot)
        handed = [e for e in session.events if isinstance(e, HandedOver)]
        assert [(e.measurement, e.tools) for e in handed] == [
            ("cv-vib-motor-de", ("vibration-meter",))
        ]
        assert not session.closed


async def test_tools_not_at_hand_are_ticked_at_the_start(make_app) -> None:
    from textual.widgets import SelectionList

    from diagnosis.kb.loader import load_kb

    app = make_app(kb=load_kb(), lang="fr", technician="Ana", habilitations=("BR",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.show_problem("cv-line-01")
        await settle(pilot)
        listing = app.screen.query_one("#lacking", SelectionList)
        assert [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)] == [
            "Vibromètre avec mode enveloppe (gE)",
            "Contrôleur d'isolement (mégohmmètre) 500 V continu",
            "Micro-ohmmètre 4 fils",
        ]
        listing.select("tool:vibration-meter")
        app.screen.selected.add("cv-noise-vibration")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen)
        assert screen.session.lacking_tools == ("vibration-meter",)
        assert screen.current is not None and screen.current.id != "cv-vib-motor-de"


async def test_hand_over_hint_says_pause_in_french(make_app) -> None:
    """At a hand-over the answer hint says to pause for the colleague (Esc), not
    "Entrée ou Ctrl+F pour conclure" (issue 10 follow-up)."""
    from textual.widgets import Input

    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "manque")
        assert isinstance(screen, DiagnosisScreen)
        await measure_other(pilot, "temp")
        await answer(pilot, "205,5")
        await settle(pilot)
        assert screen.view is not None and screen.view.stop_reason == "handover"
        box = screen.query_one("#answer", Input)
        hint = "Échap : mettre en pause pour la relève · Ctrl+F : conclure quand même"
        assert box.placeholder == hint
        text = screen_text(app)
        # shown whole at 80 columns (the cursor cell splits off the "É")
        assert "chap : mettre en pause pour la relève · Ctrl+F : conclure quand même" in text
        assert "Entrée ou Ctrl+F pour conclure" not in text


async def test_leaving_at_a_hand_over_records_it_in_a_worker_a_store_error_keeps_you_here(
    make_app,
) -> None:
    import threading

    from diagnosis.errors import StoreError
    from diagnosis.session.events import HandedOver

    app = make_app(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "short")
        await measure_other(pilot, "temp")
        await answer(pilot, "205.5")
        assert screen.view is not None and screen.view.stop_reason == "handover"
        store, threads = app.store, []
        append = store.append

        def broken(session_id, event) -> None:
            threads.append(threading.current_thread() is threading.main_thread())
            raise StoreError(code="store.db_error", url="sqlite:///plant.db", reason="disk I/O error")

        store.append = broken
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and app.screen is screen and threads == [False]
        assert "database sqlite:///plant.db: disk I/O error" in [n.message for n in app._notifications]
        assert not any(isinstance(e, HandedOver) for e in screen.session.events)
        store.append = append  # the store is back: Esc records the hand-over and leaves
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
        assert [e.type for e in store.events(screen.session.id)].count("handed_over") == 1
