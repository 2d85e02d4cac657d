"""Trainer mode: exercises on a simulated machine, scored by CQPM competence.

- :mod:`~diagnosis.training.model`: the exercise file format and its loader;
- :mod:`~diagnosis.training.machine`: the faulty machine that answers;
- :mod:`~diagnosis.training.run`: a trainee's run (an ordinary, stored session);
- :mod:`~diagnosis.training.actions`: the scripted trainee (``train play``);
- :mod:`~diagnosis.training.scoring`: the score, from the exercise and the log;
- :mod:`~diagnosis.training.debrief`: the step-by-step critique and class results;
- :mod:`~diagnosis.training.generate`: ``train new`` and the perfect trainee.
"""

from __future__ import annotations

from diagnosis.training.model import (
    LEVELS,
    MODES,
    Exercise,
    bundled_exercise_dir,
    exercise_schema,
    find_exercise,
    load_exercise,
    load_exercises,
)

__all__ = [
    "LEVELS",
    "MODES",
    "Exercise",
    "bundled_exercise_dir",
    "exercise_schema",
    "find_exercise",
    "load_exercise",
    "load_exercises",
]
