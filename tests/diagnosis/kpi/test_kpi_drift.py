"""Drift watch: exact linear drift, noisy drift, units, states, causes, bad lines, CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml

from diagnosis.cli import main
from diagnosis.kb import load_kb
from diagnosis.kpi.csvin import CsvError
from diagnosis.kpi.drift import read_readings, watch

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
HEADER = "timestamp,equipment,measurement,value,unit\n"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")


def csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "readings.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def series(eq: str, mid: str, values: list[float], unit: str = "") -> list[str]:
    return [
        f"{(T0 + timedelta(days=d)).isoformat()},{eq},{mid},{v!r},{unit}"
        for d, v in enumerate(values)
    ]


def test_exact_linear_drift_gives_exact_dates(tmp_path: Path) -> None:
    # cv-vib-motor-de: alarm above 1.8, critical above 4.5 mm/s; 1.0 + 0.02/day.
    values = [1.0 + 0.02 * d for d in range(30)]
    kb = load_kb()
    (doc,) = watch(read_readings(csv(tmp_path, series("cv-line-01", "cv-vib-motor-de", values)), kb), kb)
    assert doc["slope_per_day"] == pytest.approx(0.02)
    assert doc["slope_interval"] == pytest.approx([0.02, 0.02])
    assert doc["drift"] == "up" and doc["state"] == "normal"
    assert doc["alarm_eta"] == (T0 + timedelta(days=40)).isoformat()  # (1.8 - 1.0) / 0.02
    assert doc["critical_eta"] == (T0 + timedelta(days=175)).isoformat()  # (4.5 - 1.0) / 0.02
    assert doc["alarm_eta_interval"] == [doc["alarm_eta"], doc["alarm_eta"]]
    assert doc["causes"][0]["cause"] == "cv-motor-bearing-de-worn"
    assert {c["cause"] for c in doc["causes"]} == {
        "cv-motor-bearing-de-worn",
        "cv-coupling-misaligned",
    }
    assert doc["causes"][0]["rpn"] > 0 and doc["causes"][0]["ap"] in ("H", "M", "L")


def test_noisy_drift_interval_holds_true_date(tmp_path: Path) -> None:
    # pp-vacuum-level: alarm below 55 kPa, critical below 35; 65 - 0.1/day + noise.
    rng = np.random.default_rng(2026)
    values = [round(65 - 0.1 * d + float(rng.normal(0, 0.8)), 3) for d in range(90)]
    values[40] = 20.0  # one absurd reading: Theil–Sen does not care
    kb = load_kb()
    (doc,) = watch(read_readings(csv(tmp_path, series("pp-cell-01", "pp-vacuum-level", values)), kb), kb)
    assert doc["drift"] == "down"
    assert doc["slope_per_day"] == pytest.approx(-0.1, abs=0.01)
    low, high = doc["slope_interval"]
    assert low < -0.1 < high
    early, late = (datetime.fromisoformat(x) for x in doc["alarm_eta_interval"])
    true_alarm = T0 + timedelta(days=100)
    assert early <= true_alarm <= late
    assert abs(datetime.fromisoformat(doc["alarm_eta"]) - true_alarm) < timedelta(days=5)
    true_critical = T0 + timedelta(days=300)
    early, late = (datetime.fromisoformat(x) for x in doc["critical_eta_interval"])
    assert early <= true_critical <= late
    assert doc["crossings"] == [
        {"at": (T0 + timedelta(days=40)).isoformat(), "value": 20.0, "state": "critical_low"}
    ]
    assert doc["state"] == "normal"


def test_flat_noise_is_no_drift_and_units_convert(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    # cv-motor-temp in °C, given in °F: 131 °F = 55 °C.
    values = [round(131 + float(rng.normal(0, 1)), 2) for _ in range(40)]
    kb = load_kb()
    rows = read_readings(csv(tmp_path, series("cv-line-01", "cv-motor-temp", values, "°F")), kb)
    assert rows[0].value == pytest.approx((values[0] - 32) * 5 / 9)
    (doc,) = watch(rows, kb)
    assert doc["drift"] is None and doc["alarm_eta"] is None and doc["causes"] == []


def test_already_in_alarm_gives_no_alarm_date(tmp_path: Path) -> None:
    values = [1.5 + 0.05 * d for d in range(10)]  # ends at 1.95 > 1.8
    kb = load_kb()
    (doc,) = watch(read_readings(csv(tmp_path, series("cv-line-01", "cv-vib-motor-de", values)), kb), kb)
    assert doc["state"] == "alarm_high"
    assert doc["alarm_eta"] is None
    assert doc["critical_eta"] == (T0 + timedelta(days=60)).isoformat()  # (4.5 - 1.5) / 0.05
    assert [c["state"] for c in doc["crossings"]] == ["alarm_high"]


def test_bad_lines_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        "2026-01-01T08:00:00Z,cv-line-01,cv-motor-temp,55,°C",
        "2026-01-02T08:00:00Z,cv-line-01,cv-motor-temp,55,V",
        "2026-01-03T08:00:00Z,nowhere,cv-motor-temp,55,",
        "2026-01-04T08:00:00Z,cv-line-01,no-such,55,",
        "someday,cv-line-01,cv-motor-temp,55,",
        "2026-01-05T08:00:00Z,cv-line-01,cv-motor-temp,hot,",
    ]
    path = csv(tmp_path, rows)
    with pytest.raises(CsvError) as err:
        read_readings(path, load_kb())
    assert [(p.line, p.message) for p in err.value.problems] == [
        (3, "unit 'V' cannot be converted to '°C'"),
        (4, "unknown equipment 'nowhere'"),
        (5, "no measurement 'no-such' on equipment cv-line-01"),
        (6, "bad timestamp 'someday' (ISO 8601 expected)"),
        (7, "bad value 'hot' (a number expected)"),
    ]
    assert main(["monitor", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"{path}:3: unit 'V'" in captured.err


def test_cli_json_exit_code_and_start_diagnosis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = series("cv-line-01", "cv-vib-motor-de", [1.0 + 0.02 * d for d in range(30)])
    rows += series("cv-line-01", "cv-motor-temp", [55.0] * 30)
    path = csv(tmp_path, rows)
    answers = tmp_path / "answers"
    code = main(
        ["monitor", str(path), "--format", "json", "--start-diagnosis", "--answers-dir", str(answers)]
    )
    assert code == 1  # a series is flagged
    doc = json.loads(capsys.readouterr().out)
    temp, vib = doc["series"]
    assert temp["flagged"] is False and "start_command" not in temp
    assert vib["flagged"] is True
    assert vib["start_symptom"] == "cv-noise-vibration"
    assert yaml.safe_load(Path(vib["start_answers"]).read_text(encoding="utf-8")) == {
        "cv-vib-motor-de": "1.58 mm/s"
    }
    assert vib["start_command"].startswith("diagnosis run --equipment cv-line-01 --symptom ")
    assert main(["monitor", str(path), "--lang", "fr"]) == 1
    out = capsys.readouterr().out
    assert "seuil d'alarme 1,8 atteint vers le 10/02/2026" in out
    assert "2 séries, 1 à traiter" in out
    only_temp = csv(tmp_path, series("cv-line-01", "cv-motor-temp", [55.0] * 5))
    assert main(["monitor", str(only_temp)]) == 0


def test_long_series_is_sampled_for_the_trend(tmp_path: Path) -> None:
    # 20 readings a day for 60 days: 1 200 pairs would be fine, 50 000 readings would not.
    kb = load_kb()
    rows = [
        f"{(T0 + timedelta(minutes=k)).isoformat()},cv-line-01,cv-vib-motor-de,"
        f"{1.0 + 0.02 * k / 1440:.6f},"
        for k in range(0, 60 * 1440, 17)
    ]
    (doc,) = watch(read_readings(csv(tmp_path, rows), kb), kb)
    assert doc["trend_readings"] == len(rows) > 2000
    assert doc["slope_per_day"] == pytest.approx(0.02, rel=1e-3)


def test_semicolon_file_decimal_comma_and_psi(tmp_path: Path) -> None:
    # pp-frl-pressure is in bar; 87 psi = 5.998 bar; French decimal commas in a ';' file.
    path = tmp_path / "r.csv"
    path.write_text(
        "timestamp;equipment;measurement;value;unit\n"
        "02/03/2026 08:00;pp-cell-01;pp-frl-pressure;6,1;bar\n"
        "2026-03-03T08:00:00+01:00;pp-cell-01;pp-frl-pressure;87;psi\n",
        encoding="utf-8",
    )
    first, second = read_readings(path, load_kb())
    assert first.value == pytest.approx(6.1)
    assert second.value == pytest.approx(87 * 0.0689475729)
