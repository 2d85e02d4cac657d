"""Units a technician may type, and conversion to the unit the KB measures in.

A reading typed as ``"58 psi"`` for a measurement in ``bar`` is converted
rather than refused; a unit of another dimension (``"4 V"`` for a pressure)
is refused by the caller. Only linear (and, for temperatures, affine) units of
the quantities met on production machines are known; any other unit string
must match the KB's unit exactly (ignoring case and spaces).
"""

from __future__ import annotations

import re

__all__ = ["convert", "normalize_unit", "physical_floor"]

# unit -> (dimension, factor, offset): value_in_base = value * factor + offset
_UNITS: dict[str, tuple[str, float, float]] = {
    # pressure, base bar
    "bar": ("pressure", 1.0, 0.0),
    "mbar": ("pressure", 1e-3, 0.0),
    "pa": ("pressure", 1e-5, 0.0),
    "hpa": ("pressure", 1e-3, 0.0),
    "kpa": ("pressure", 1e-2, 0.0),
    "mpa": ("pressure", 10.0, 0.0),
    "psi": ("pressure", 0.0689475729, 0.0),
    # temperature, base °C
    "°c": ("temperature", 1.0, 0.0),
    "degc": ("temperature", 1.0, 0.0),
    "c": ("temperature", 1.0, 0.0),
    "k": ("temperature", 1.0, -273.15),
    "°f": ("temperature", 5.0 / 9.0, -32.0 * 5.0 / 9.0),
    "degf": ("temperature", 5.0 / 9.0, -32.0 * 5.0 / 9.0),
    # electrical
    "v": ("voltage", 1.0, 0.0),
    "mv": ("voltage", 1e-3, 0.0),
    "kv": ("voltage", 1e3, 0.0),
    "vac": ("voltage", 1.0, 0.0),
    "vdc": ("voltage", 1.0, 0.0),
    "a": ("current", 1.0, 0.0),
    "ma": ("current", 1e-3, 0.0),
    "µa": ("current", 1e-6, 0.0),
    "ω": ("resistance", 1.0, 0.0),
    "ohm": ("resistance", 1.0, 0.0),
    "kω": ("resistance", 1e3, 0.0),
    "kohm": ("resistance", 1e3, 0.0),
    "w": ("power", 1.0, 0.0),
    "kw": ("power", 1e3, 0.0),
    "hz": ("frequency", 1.0, 0.0),
    "khz": ("frequency", 1e3, 0.0),
    # mechanical
    "mm": ("length", 1.0, 0.0),
    "µm": ("length", 1e-3, 0.0),
    "um": ("length", 1e-3, 0.0),
    "cm": ("length", 10.0, 0.0),
    "m": ("length", 1e3, 0.0),
    "mm/s": ("velocity", 1.0, 0.0),
    "m/s": ("velocity", 1e3, 0.0),
    "in/s": ("velocity", 25.4, 0.0),
    "rpm": ("rotation", 1.0, 0.0),
    "tr/min": ("rotation", 1.0, 0.0),
    "min-1": ("rotation", 1.0, 0.0),
    "1/min": ("rotation", 1.0, 0.0),
    "s": ("time", 1.0, 0.0),
    "ms": ("time", 1e-3, 0.0),
    "min": ("time", 60.0, 0.0),
    "h": ("time", 3600.0, 0.0),
    "n": ("force", 1.0, 0.0),
    "dan": ("force", 10.0, 0.0),
    "kn": ("force", 1e3, 0.0),
    "n·m": ("torque", 1.0, 0.0),
    "nm": ("torque", 1.0, 0.0),
    "n.m": ("torque", 1.0, 0.0),
    "l/min": ("flow", 1.0, 0.0),
    "m3/h": ("flow", 1000.0 / 60.0, 0.0),
    "nl/min": ("normal-flow", 1.0, 0.0),
    "kg": ("mass", 1.0, 0.0),
    "g": ("mass", 1e-3, 0.0),
    "%": ("ratio", 1.0, 0.0),
}
# Case matters for these (milli vs mega): matched before the case-insensitive table.
_CASED: dict[str, tuple[str, float, float]] = {
    "MPa": ("pressure", 10.0, 0.0),
    "mPa": ("pressure", 1e-8, 0.0),
    "MΩ": ("resistance", 1e6, 0.0),
    "mΩ": ("resistance", 1e-3, 0.0),
    "MOhm": ("resistance", 1e6, 0.0),
    "mOhm": ("resistance", 1e-3, 0.0),
    "Mohm": ("resistance", 1e6, 0.0),
    "mohm": ("resistance", 1e-3, 0.0),
    "mm": ("length", 1.0, 0.0),
    "Mm": ("length", 1e9, 0.0),
}


def normalize_unit(unit: str) -> str:
    """A comparable form: no spaces, ``º``/``˚`` read as ``°``, ``μ`` as ``µ``."""
    text = re.sub(r"\s+", "", unit).replace("º", "°").replace("˚", "°").replace("μ", "µ")
    return text.replace("Ω", "Ω").replace("²", "2").replace("³", "3")


def _lookup(unit: str) -> tuple[str, float, float] | None:
    text = normalize_unit(unit)
    if text in _CASED:
        return _CASED[text]
    return _UNITS.get(text.lower())


def convert(value: float, unit: str, target: str, *, difference: bool = False) -> float | None:
    """``value`` in ``unit`` expressed in ``target``; None when they are not comparable.

    Units equal once normalised (case-insensitive) need no table entry. With
    ``difference`` the value is an interval (a deviation, ``actual -
    setpoint``: the KB's ``quantity: difference``), so the offsets of affine
    units do not apply: 72 °F of difference is 40 K (40 °C of difference),
    not 22 °C.
    """
    given, wanted = normalize_unit(unit), normalize_unit(target)
    if given == wanted or (
        given.lower() == wanted.lower() and given not in _CASED and wanted not in _CASED
    ):
        return value
    source, dest = _lookup(unit), _lookup(target)
    if source is None or dest is None or source[0] != dest[0]:
        return None
    if difference:
        return value * source[1] / dest[1]
    base = value * source[1] + source[2]
    return (base - dest[2]) / dest[1]


# Dimension -> lowest physical value in the base unit: a reading below it is a typing
# or instrument error, never a measurement (refused, not classified).
# (A mass or a duration is often measured as a signed deviation: no floor for them.)
_FLOOR: dict[str, float] = {
    "temperature": -273.15,  # absolute zero
    "resistance": 0.0,
    "frequency": 0.0,
}


def physical_floor(unit: str | None) -> tuple[float, str] | None:
    """The lowest physically possible value in ``unit`` and its dimension, or None.

    ``-273.15`` for ``°C``, ``0`` for ``K``, ``-459.67`` for ``°F``, ``0`` for
    ``Ω``; None for a unit without such a floor (a gauge pressure, a voltage).
    """
    if not unit:
        return None
    found = _lookup(unit)
    if found is None or found[0] not in _FLOOR:
        return None
    dimension, factor, offset = found
    value = (_FLOOR[dimension] - offset) / factor
    return round(value, 10) + 0.0, dimension
