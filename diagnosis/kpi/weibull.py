"""Two-parameter Weibull fit by maximum likelihood with right-censoring.

``R(t) = exp(-(t/η)^β)``. With ``r`` failures among ``n`` times ``t_i``
(the others right-censored: still running, or removed without failing),
the log-likelihood is::

    ℓ(β, η) = Σ_failures [ln β − ln η + (β − 1) ln(t_i/η)] − Σ_all (t_i/η)^β

For a given β the best η is ``(Σ_all t_i^β / r)^(1/β)``; putting it back
leaves one equation in β, solved with :func:`scipy.optimize.brentq`::

    Σ t^β ln t / Σ t^β − 1/β − (1/r) Σ_failures ln t = 0

Confidence intervals are the Fisher-matrix (Wald) bounds on ln β and ln η,
from the observed information at the optimum, so they stay positive; B10
(the age by which 10 % have failed) gets its interval by the delta method.
scipy (already a dependency of the project, for the network inference) is
the only library used: the two closed-form derivatives make ``reliability``
or ``lifelines`` unnecessary, and the fit is checked in the tests against
:func:`scipy.stats.weibull_min.fit` on complete data.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diagnosis.errors import Problem
from diagnosis.kpi.csvin import CsvError, parse_bool, parse_float, read_csv

__all__ = ["FailureTime", "WeibullFit", "fit_weibull", "read_failures", "weibull_groups"]

COLUMNS = ("equipment", "component", "time_h", "censored")


@dataclass(frozen=True)
class FailureTime:
    line: int
    equipment: str
    component: str
    time_h: float
    censored: bool


@dataclass(frozen=True)
class WeibullFit:
    """A fitted Weibull, its intervals (at ``confidence``) and the data behind it."""

    beta: float
    eta: float
    beta_ci: tuple[float, float]
    eta_ci: tuple[float, float]
    b10: float
    b10_ci: tuple[float, float]
    mttf: float
    failures: int
    censored: int
    confidence: float
    log_likelihood: float

    @property
    def regime(self) -> str:
        """``infant`` / ``random`` / ``wear`` from the point estimate of β."""
        if self.beta < 0.95:
            return "infant"
        if self.beta <= 1.05:
            return "random"
        return "wear"

    @property
    def certain(self) -> bool:
        """The interval of β excludes 1 (or, for ``random``, contains it)."""
        low, high = self.beta_ci
        if self.regime == "infant":
            return high < 1.0
        if self.regime == "wear":
            return low > 1.0
        return low <= 1.0 <= high

    def to_dict(self) -> dict[str, Any]:
        return {
            "beta": self.beta,
            "beta_ci": list(self.beta_ci),
            "eta_h": self.eta,
            "eta_ci": list(self.eta_ci),
            "b10_h": self.b10,
            "b10_ci": list(self.b10_ci),
            "mttf_h": self.mttf,
            "failures": self.failures,
            "censored": self.censored,
            "confidence": self.confidence,
            "log_likelihood": self.log_likelihood,
            "regime": self.regime,
            "regime_certain": self.certain,
        }


def _loglik(beta: float, eta: float, times: Sequence[float], failed: Sequence[bool]) -> float:
    total = 0.0
    for t, f in zip(times, failed, strict=True):
        z = math.log(t / eta)
        if f:
            total += math.log(beta) - math.log(eta) + (beta - 1.0) * z
        total -= math.exp(beta * z)
    return total


def fit_weibull(
    times: Sequence[float], censored: Sequence[bool], confidence: float = 0.95
) -> WeibullFit:
    """The maximum-likelihood Weibull of ``times`` (hours), ``censored[i]`` marking survivors.

    Raises:
        ValueError: with a reason code: ``few_failures`` (fewer than two), ``times``
            (a time <= 0), ``no_optimum`` (e.g. failures all at one time),
            ``singular`` (no interval can be computed), ``lengths``.
    """
    from scipy.optimize import brentq
    from scipy.stats import norm

    if len(times) != len(censored):
        raise ValueError("lengths")
    if any(t <= 0 or not math.isfinite(t) for t in times):
        raise ValueError("times")
    failed = [not c for c in censored]
    r = sum(failed)
    if r < 2:
        raise ValueError("few_failures")
    logs = [math.log(t) for t in times]
    fail_logs = [lt for lt, f in zip(logs, failed, strict=True) if f]
    mean_fail_log = sum(fail_logs) / r
    shift = max(logs)  # scale t^β by max(t)^β to avoid overflow

    def score(beta: float) -> float:
        weights = [math.exp(beta * (lt - shift)) for lt in logs]
        s0 = sum(weights)
        s1 = sum(w * lt for w, lt in zip(weights, logs, strict=True))
        return s1 / s0 - 1.0 / beta - mean_fail_log

    low, high = 1e-3, 1.0
    while score(high) < 0:
        high *= 2.0
        if high > 1e4:
            raise ValueError("no_optimum")
    if score(low) > 0:
        raise ValueError("no_optimum")
    beta = float(brentq(score, low, high, xtol=1e-12, rtol=1e-12, maxiter=500))
    s0 = sum(math.exp(beta * (lt - shift)) for lt in logs)
    eta = math.exp(shift + math.log(s0 / r) / beta)

    # Observed information at the optimum, in (β, η), then in (ln β, ln η).
    u = [(t / eta) ** beta for t in times]
    z = [math.log(t / eta) for t in times]
    sum_u = sum(u)
    sum_uz = sum(ui * zi for ui, zi in zip(u, z, strict=True))
    sum_uzz = sum(ui * zi * zi for ui, zi in zip(u, z, strict=True))
    h_bb = -r / beta**2 - sum_uzz
    h_ee = -(beta / eta**2) * (sum_u - r) - (beta**2 / eta**2) * sum_u
    h_be = (sum_u - r) / eta + (beta / eta) * sum_uz
    # Hessian of ℓ in log-parameters (the gradient is zero at the optimum).
    a = -h_bb * beta * beta
    c = -h_ee * eta * eta
    b = -h_be * beta * eta
    det = a * c - b * b
    if det <= 0:
        raise ValueError("singular")
    var_lb, var_le, cov = c / det, a / det, -b / det
    k = float(norm.ppf(0.5 + confidence / 2.0))

    def interval(value: float, var: float) -> tuple[float, float]:
        sd = math.sqrt(max(var, 0.0))
        return (value * math.exp(-k * sd), value * math.exp(k * sd))

    q = math.log(-math.log(0.9))
    b10 = eta * math.exp(q / beta)
    g_lb = -q / beta  # d ln B10 / d ln β
    var_b10 = g_lb * g_lb * var_lb + var_le + 2.0 * g_lb * cov
    return WeibullFit(
        beta=beta,
        eta=eta,
        beta_ci=interval(beta, var_lb),
        eta_ci=interval(eta, var_le),
        b10=b10,
        b10_ci=interval(b10, var_b10),
        mttf=eta * math.gamma(1.0 + 1.0 / beta),
        failures=r,
        censored=len(times) - r,
        confidence=confidence,
        log_likelihood=_loglik(beta, eta, times, failed),
    )


def read_failures(path: str | Path) -> list[FailureTime]:
    """The rows of a failures CSV (``equipment,component,time_h,censored``), all checked."""
    name = str(path)
    problems: list[Problem] = []
    out: list[FailureTime] = []
    for row in read_csv(path, COLUMNS):
        time = parse_float(row.get("time_h"))
        flag = parse_bool(row.get("censored"))
        if not row.get("equipment"):
            problems.append(Problem.coded(name, row.line, 0, "kpi.oee.err.no_equipment"))
        elif time is None or time <= 0 or not math.isfinite(time):
            problems.append(
                Problem.coded(name, row.line, 0, "kpi.weibull.err.time", value=row.get("time_h"))
            )
        elif flag is None:
            problems.append(
                Problem.coded(
                    name, row.line, 0, "kpi.weibull.err.censored", value=row.get("censored")
                )
            )
        else:
            out.append(FailureTime(row.line, row.get("equipment"), row.get("component"), time, flag))
    if problems:
        raise CsvError(problems)
    return out


def weibull_groups(
    rows: Sequence[FailureTime], confidence: float = 0.95
) -> list[dict[str, Any]]:
    """One fit per (equipment, component), sorted; a group that cannot be fitted says why."""
    groups: dict[tuple[str, str], list[FailureTime]] = defaultdict(list)
    for row in rows:
        groups[(row.equipment, row.component)].append(row)
    out: list[dict[str, Any]] = []
    for (equipment, component), items in sorted(groups.items()):
        doc: dict[str, Any] = {"equipment": equipment, "component": component or None}
        try:
            fit = fit_weibull(
                [i.time_h for i in items], [i.censored for i in items], confidence
            )
        except ValueError as exc:
            doc.update(
                {
                    "error": str(exc),
                    "failures": sum(not i.censored for i in items),
                    "censored": sum(i.censored for i in items),
                }
            )
        else:
            doc.update(fit.to_dict())
        out.append(doc)
    return out
