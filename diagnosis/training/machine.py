"""The faulty machine of an exercise: a SimulatedMachine with instrument noise."""

from __future__ import annotations

import hashlib
import random

from diagnosis.errors import SessionError
from diagnosis.kb.model import EquipmentKB, Measurement
from diagnosis.rules import interpret
from diagnosis.session.sources import SimulatedMachine, value_for_state
from diagnosis.training.model import Exercise

__all__ = ["ExerciseMachine"]

Raw = str | float | bool | None


class ExerciseMachine:
    """Answers the trainee's measurements as the exercise's hidden causes make it answer.

    Values given in the exercise win; numeric values generated from the KB's
    states get a deterministic relative noise (seeded by the exercise's seed
    and the measurement id) that never changes the state read: the same
    measurement always reads the same.
    """

    def __init__(self, exercise: Exercise, equipment: EquipmentKB) -> None:
        self.exercise = exercise
        self.equipment = equipment
        self._sim = SimulatedMachine(
            equipment,
            exercise.causes,
            overrides=exercise.readings,
            unavailable=exercise.unavailable,
            critical=exercise.critical,
        )

    def state_of(self, m: Measurement) -> str:
        return self._sim.state_of(m)

    def read(self, measurement: Measurement) -> Raw:
        m = measurement
        if m.id in self.exercise.unavailable:
            return None
        if m.id in self.exercise.readings:
            return self.exercise.readings[m.id]
        state = self.state_of(m)
        value = value_for_state(m, state, critical=self.exercise.critical)
        if not isinstance(value, float) or self.exercise.noise <= 0:
            return value
        digest = hashlib.sha256(f"{self.exercise.seed}:{m.id}".encode()).hexdigest()
        rng = random.Random(int(digest[:16], 16))
        for _ in range(8):
            noisy = value * (1 + rng.gauss(0.0, self.exercise.noise)) if value else rng.gauss(
                0.0, self.exercise.noise
            )
            noisy = float(f"{noisy:.4g}")
            try:
                it = interpret(m, noisy)
            except SessionError:
                continue
            if it.state == state and it.critical == interpret(m, value).critical:
                return noisy
        return value
