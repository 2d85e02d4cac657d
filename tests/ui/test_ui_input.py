"""The answer field: numbers with or without unit, yes/no, choices; bad input; undo; n/a."""

from __future__ import annotations

from textual.widgets import Input, Static
from ui_pilot import answer, begin, measure_other, pick_equipment, settle, sign_in, start

from diagnosis.ui.screens.diagnosis import DiagnosisScreen


async def _diagnosis(make_app, pilot, lang: str = "en") -> DiagnosisScreen:
    screen = await begin(pilot, "short" if lang == "en" else "manque")
    assert isinstance(screen, DiagnosisScreen)
    return screen


def _error(screen: DiagnosisScreen) -> str:
    return str(screen.query_one("#answer-error", Static).render())


async def test_bad_values_are_rejected_with_a_clear_message(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _diagnosis(make_app, pilot)
        await measure_other(pilot, "melt")
        await answer(pilot, "abc")
        assert _error(screen) == "Melt temperature at nozzle: 'abc' is not a number"
        assert screen.query_one("#answer", Input).value == "abc"  # kept, to be corrected
        assert screen.session.readings == []
        await answer(pilot, "205 bar")
        assert "bar" in _error(screen) and "°C" in _error(screen)
        assert screen.session.readings == []
        await answer(pilot, "")
        assert _error(screen) == "Type the value read (or Ctrl+N if you cannot measure it)."
        await answer(pilot, "205.5 °C")
        assert _error(screen) == ""
        reading = screen.session.readings[-1]
        assert (reading.measurement, reading.value, reading.state) == ("melt-temp", 205.5, "low")
        assert screen.query_one("#answer", Input).value == ""


async def test_choice_undo_and_not_available(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _diagnosis(make_app, pilot)
        await measure_other(pilot, "granule")
        await answer(pilot, "moist")
        assert (
            _error(screen)
            == "Granule aspect in hopper: 'moist' is not one of: 1 Dry, 2 Wet, 3 Contaminated"
        )
        await answer(pilot, "wet")
        assert [(r.measurement, r.state) for r in screen.session.readings] == [
            ("granule-aspect", "wet")
        ]
        top = screen.view.ranking[0][0]
        assert top == "wet-material"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert screen.session.readings == []
        assert screen.view.ranking[0][0] == "heater-burnt"
        proposed = screen.current.id
        await pilot.press("ctrl+n")
        await settle(pilot)
        last = screen.session.readings[-1]
        assert last.measurement == proposed and not last.available
        assert screen.current is None or screen.current.id != proposed


async def test_french_decimal_comma_and_oui(make_app) -> None:
    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _diagnosis(make_app, pilot, lang="fr")
        await measure_other(pilot, "temp")
        assert (
            screen.query_one("#answer", Input).placeholder
            == "Valeur en °C (ex. 230) ; unité facultative"
        )
        await answer(pilot, "205,5")
        assert screen.session.readings[-1].value == 205.5
        # The next useful check needs BR, which this technician lacks: since issue 10 the
        # session hands over instead of proposing it; he may still measure something else.
        await measure_other(pilot, "aspect")
        await answer(pilot, "abc")  # not one of the choices
        assert _error(screen) != "" and "abc" in _error(screen)


async def test_symptom_marked_not_observed(make_app) -> None:
    from diagnosis.ui.screens.problem import ProblemScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pick_equipment(pilot, "press")
        screen = app.screen
        assert isinstance(screen, ProblemScreen)
        await pilot.press(*"silver", "enter", "x")  # checked: no silver streaks
        await pilot.pause()
        assert screen.absent == {"splay"}
        await start(pilot, "short")
        diag = app.screen
        assert isinstance(diag, DiagnosisScreen)
        assert diag.session.symptoms == ("short-shot",)
        assert diag.session.absent_symptoms == ("splay",)


async def test_down_from_the_symptom_search_goes_to_the_checklist(make_app) -> None:
    from textual.widgets import SelectionList
    from ui_pilot import pick_equipment, sign_in

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pick_equipment(pilot, "press")
        await pilot.press(*"short", "down", "space")
        await pilot.pause()
        checklist = app.screen.query_one("#symptoms", SelectionList)
        assert app.screen.focused is checklist
        assert len(checklist.selected) == 1


async def test_a_stale_highlight_after_a_search_matching_nothing_does_not_crash(make_app) -> None:
    from textual.widgets import OptionList, SelectionList
    from textual.widgets.option_list import Option
    from ui_pilot import pick_equipment, screen_text, sign_in

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pick_equipment(pilot, "press")
        checklist = app.screen.query_one("#symptoms", SelectionList)
        # What a fast typist produces: a highlight still queued when a search
        # matching nothing has emptied the checklist.
        await pilot.press(*"zzzz")
        await pilot.pause()
        assert checklist.option_count == 0
        checklist.post_message(OptionList.OptionHighlighted(checklist, Option("gone"), 0))
        await pilot.pause()
        assert app.is_running
        assert "zzzz" in screen_text(app)


async def test_engine_errors_show_in_the_apps_language(make_app) -> None:
    # The engine raises a coded error (rules.error.not_a_number); the UI, at the
    # edge, shows it in French, the measurement named in French too.
    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _diagnosis(make_app, pilot, "fr")
        await measure_other(pilot, "matière")
        await answer(pilot, "abc")
        assert _error(screen) == "Température matière en buse : « abc » n'est pas un nombre"
        assert screen.session.readings == []


async def test_store_errors_show_in_the_apps_language(make_app) -> None:
    # A store error (before: always in the locale's language, whatever --lang said)
    # is translated by the UI into the app's language.
    from diagnosis.errors import StoreError

    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def broken() -> list[object]:
            raise StoreError(code="store.db_error", url="sqlite:///x.db", reason="disk I/O error")

        app.store.unfinished = broken
        app.signed_in("Ana", [])  # the store is read in a worker; its error comes back translated
        await app.workers.wait_for_complete()
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert shown == ["base de données sqlite:///x.db : disk I/O error"]
