"""Issue 14: a cause missing from the knowledge base (``_unknown``) on the bundled KB."""

from __future__ import annotations

from functools import cache

import pytest

from diagnosis.bayes import UNKNOWN, Evidence, compile_equipment
from diagnosis.kb.model import KnowledgeBase, Measurement
from diagnosis.session import Session, run_session
from diagnosis.session.sources import Raw, value_for_state


@cache
def bundled() -> KnowledgeBase:
    from diagnosis.kb import load_kb

    return load_kb()


class MilkyOil:
    """A conveyor whose gearbox oil is milky (water: a cause no KB cause names);
    every other reading normal."""

    def read(self, measurement: Measurement) -> Raw:
        m = measurement
        return value_for_state(m, "milky" if m.id == "cv-oil-condition" else m.normal_state)


def test_milky_oil_moves_leak_mass_to_unknown_and_clear_oil_is_neutral() -> None:
    model = compile_equipment(bundled(), "cv-line-01")
    u, none = model.cause_index[UNKNOWN], len(model.hypotheses)
    offset = model.state_offsets["cv-oil-condition"]
    states = model.states["cv-oil-condition"]
    assert states == ("clear", "dark", "milky", "metal-particles")
    # metal-particles (named by the bearing) keeps 0.1 of its leak, dark and milky
    # (named by none) share the rest; clear stays 0.99^3 under _unknown as under _none.
    by_u = [model.single_state(u, offset + i) for i in range(4)]
    by_none = [model.single_state(none, offset + i) for i in range(4)]
    assert by_u[0] == pytest.approx(0.99**3, rel=1e-12) == by_none[0]
    free = 1 - (0.99**3 / 0.999) ** 0.5  # each unnamed channel's leak under _unknown
    assert by_u[1:] == pytest.approx([free, (1 - free) * free, (1 - free) ** 2 * 0.001])
    base = Evidence({"cv-noise-vibration": True})
    assert model.posteriors(base)[UNKNOWN] == pytest.approx(0.054202367109218975, rel=1e-9)
    milky = model.posteriors(base.with_state("cv-oil-condition", "milky"))[UNKNOWN]
    assert milky == pytest.approx(0.07625396965955453, rel=1e-9)
    clear = model.posteriors(base.with_state("cv-oil-condition", "clear"))[UNKNOWN]
    # clear oil lowers only the bearing (it predicts metal particles): _unknown gains a little
    assert clear == pytest.approx(0.05767512594944177, rel=1e-9)


def test_milky_oil_on_the_conveyor_ends_on_a_cause_not_in_the_kb() -> None:
    # Before issue 14 every normal reading halved _unknown: after the 26 others it
    # was below 0.001 and the session stopped with no conclusion.
    session = Session.start(bundled(), "cv-line-01", ["cv-noise-vibration"])
    run_session(session, MilkyOil())
    measured = [r.measurement for r in session.readings]
    assert len(measured) == 27 and measured.index("cv-oil-condition") == 25
    assert session.stop_reason == "exhausted"
    top, p = session.ranking()[0]
    assert top == UNKNOWN and p == pytest.approx(0.22531286256736033, rel=1e-9)
    assert session.default_root_causes() == [UNKNOWN]
