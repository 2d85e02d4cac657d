"""Weibull MLE with right-censoring: known parameters recovered, scipy agreement, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import weibull_min

from diagnosis.cli import main
from diagnosis.kpi.weibull import fit_weibull


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")


def sample(beta: float, eta: float, n: int, seed: int) -> tuple[list[float], list[bool]]:
    """Weibull lives, right-censored by uniform inspection ages on [0, 2η]."""
    rng = np.random.default_rng(seed)
    life = weibull_min.rvs(beta, scale=eta, size=n, random_state=rng)
    stop = rng.uniform(0.0, 2.0 * eta, size=n)
    return [float(x) for x in np.minimum(life, stop)], [bool(x) for x in stop < life]


@pytest.mark.parametrize(("beta", "eta"), [(2.5, 1000.0), (0.7, 300.0), (1.0, 5000.0)])
def test_recovers_known_parameters_from_censored_sample(beta: float, eta: float) -> None:
    times, censored = sample(beta, eta, 400, seed=20261205)
    assert 0.2 < sum(censored) / len(censored) < 0.8  # really censored
    fit = fit_weibull(times, censored, confidence=0.99)
    assert fit.beta == pytest.approx(beta, rel=0.12)
    assert fit.eta == pytest.approx(eta, rel=0.12)
    assert fit.beta_ci[0] < beta < fit.beta_ci[1]
    assert fit.eta_ci[0] < eta < fit.eta_ci[1]
    true_b10 = eta * (-math.log(0.9)) ** (1 / beta)
    assert fit.b10_ci[0] < true_b10 < fit.b10_ci[1]
    assert fit.failures + fit.censored == 400


def test_fixed_seed_exact_values() -> None:
    times, censored = sample(2.5, 1000.0, 300, seed=42)
    fit = fit_weibull(times, censored)
    assert (round(fit.beta, 4), round(fit.eta, 2)) == (2.5971, 960.36)
    assert fit.regime == "wear" and fit.certain


def test_complete_data_matches_scipy() -> None:
    x = weibull_min.rvs(1.7, scale=500, size=50, random_state=np.random.default_rng(1))
    fit = fit_weibull([float(v) for v in x], [False] * 50)
    shape, _, scale = weibull_min.fit(x, floc=0)
    assert fit.beta == pytest.approx(shape, rel=1e-6)
    assert fit.eta == pytest.approx(scale, rel=1e-6)
    assert fit.mttf == pytest.approx(scale * math.gamma(1 + 1 / shape), rel=1e-6)


def test_exponential_hand_case() -> None:
    # With β = 1 the MLE of η is total time / failures; check the score equation's root
    # on a sample whose exponential fit is exactly known is near 1 for large n.
    times, censored = sample(1.0, 100.0, 2000, seed=3)
    fit = fit_weibull(times, censored)
    assert fit.regime == "random" or abs(fit.beta - 1) < 0.06
    assert fit.beta_ci[0] < 1.0 < fit.beta_ci[1]


def test_needs_two_failures() -> None:
    with pytest.raises(ValueError, match="few_failures"):
        fit_weibull([10.0, 20.0, 30.0], [False, True, True])


def test_cli_text_json_and_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    times, censored = sample(0.6, 3000.0, 60, seed=11)
    lines = ["equipment,component,time_h,censored"]
    lines += [f"cv-line-01,seal,{t:.3f},{int(c)}" for t, c in zip(times, censored, strict=True)]
    lines += ["cv-line-01,fuse,100,0"]
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["kpi", "weibull", str(path), "--format", "json"]) == 0
    fuse, seal = json.loads(capsys.readouterr().out)
    assert fuse["error"] == "few_failures"
    assert seal["regime"] == "infant" and seal["beta"] < 1
    assert main(["kpi", "weibull", str(path), "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "il faut au moins deux défaillances" in out
    assert "Défaillances de jeunesse" in out
    path.write_text(
        "equipment,component,time_h,censored\na,b,12,0\na,b,-3,0\na,b,5,maybe\n", encoding="utf-8"
    )
    assert main(["kpi", "weibull", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: time_h must be a number > 0 (got '-3') (and 1 more)" in err
