"""Confirmatory factor analysis of a measurement model, and the validity figures built on it.

The model is the one survey researchers fit before they trust a construct score: every item loads on
exactly one construct, constructs correlate freely, item errors are uncorrelated. It is estimated by
maximum likelihood exactly as ``lavaan::cfa(model, data)`` 0.6-14 does by default:

* identification by marker variable (the first item of each construct has loading 1);
* the sample covariance matrix S with divisor N (``likelihood = "normal"``), listwise deletion;
* no mean structure (means are saturated and do not change the fit);
* no bounds: negative error variances and non-positive-definite construct covariances are reported, not
  prevented (lavaan warns in the same cases).

The ML discrepancy ``F = ln|Σ| + tr(S Σ⁻¹) − ln|S| − p`` is minimised with BFGS (scipy) on its analytic
gradient. Fit indices follow lavaan's ``fitMeasures``; composite reliability, AVE and the
heterotrait–monotrait ratios follow Fornell & Larcker (1981), semTools 0.5-6 and Henseler et al. (2015).

Checked against R ``lavaan`` 0.6-14 and ``semTools`` 0.5-6 (``reference/expected/lavaan_cfa.json``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, stats

from measure.factor_analysis import (
    BartlettSphericity,
    KaiserMeyerOlkin,
    bartlett_sphericity,
    kaiser_meyer_olkin,
)
from measure.reliability import cronbach_alpha, reverse_keyed_items

__all__ = [
    "ConfirmatoryFactorAnalysis",
    "ConstructReliability",
    "FactorCorrelation",
    "FitIndices",
    "HeterotraitMonotraitRatio",
    "ItemLoading",
    "MeasurementModelValidity",
    "confirmatory_factor_analysis",
    "heterotrait_monotrait",
    "measurement_model_validity",
]

Matrix = NDArray[np.float64]
Estimator = Literal["ML", "MLR"]


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else value


def _checked_constructs(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The constructs as name → items, after checking that items exist and belong to one construct."""
    if not constructs:
        raise ValueError("constructs is empty: name at least one construct and its items.")
    checked = {str(name): [str(item) for item in items] for name, items in constructs.items()}
    too_small = [f"{name} ({len(items)})" for name, items in checked.items() if len(items) < 2]
    if too_small:
        raise ValueError(f"constructs {', '.join(too_small)} need at least 2 items each.")
    seen: dict[str, str] = {}
    for name, items in checked.items():
        for item in items:
            if item in seen:
                raise ValueError(f"item {item} is in both {seen[item]} and {name}; each item measures one construct.")
            seen[item] = name
    missing = [item for item in seen if item not in data.columns]
    if missing:
        raise ValueError(f"data has no columns {', '.join(missing)}.")
    return checked


@dataclass(frozen=True, slots=True)
class FitIndices:
    """Global fit of a CFA model, as ``lavaan::fitMeasures`` names them (in parentheses)."""

    chi_square: float  # (chisq) N · F_ML
    df: int  # (df)
    p_value: float  # (pvalue)
    baseline_chi_square: float  # (baseline.chisq) independence model
    baseline_df: int  # (baseline.df)
    cfi: float  # (cfi)
    tli: float  # (tli)
    rmsea: float  # (rmsea) with N, as lavaan
    rmsea_ci_low: float  # (rmsea.ci.lower) 90 % interval
    rmsea_ci_high: float  # (rmsea.ci.upper)
    rmsea_p_value: float  # (rmsea.pvalue) test of close fit, RMSEA ≤ .05
    srmr: float  # (srmr) Bentler's, residual correlations standardised by the sample SDs
    gfi: float  # (gfi)
    agfi: float  # (agfi)
    log_likelihood: float  # (logl)
    aic: float  # (aic)
    bic: float  # (bic)
    parameters: int  # (npar)

    def as_dict(self) -> dict[str, Any]:
        return {
            "chi_square": self.chi_square,
            "df": self.df,
            "p_value": self.p_value,
            "baseline_chi_square": self.baseline_chi_square,
            "baseline_df": self.baseline_df,
            "cfi": _json_number(self.cfi),
            "tli": _json_number(self.tli),
            "rmsea": _json_number(self.rmsea),
            "rmsea_ci_low": _json_number(self.rmsea_ci_low),
            "rmsea_ci_high": _json_number(self.rmsea_ci_high),
            "rmsea_p_value": _json_number(self.rmsea_p_value),
            "srmr": self.srmr,
            "gfi": self.gfi,
            "agfi": _json_number(self.agfi),
            "log_likelihood": self.log_likelihood,
            "aic": self.aic,
            "bic": self.bic,
            "parameters": self.parameters,
        }


@dataclass(frozen=True, slots=True)
class RobustFitIndices:
    """Fit under MLR (robust ML), as ``lavaan::fitMeasures`` names them (in parentheses)."""

    scaling_factor: float  # (chisq.scaling.factor) Yuan–Bentler, Mplus variant
    chi_square_scaled: float  # (chisq.scaled)
    p_value_scaled: float  # (pvalue.scaled)
    baseline_scaling_factor: float
    cfi_scaled: float  # (cfi.scaled) from the scaled statistics
    tli_scaled: float  # (tli.scaled)
    cfi_robust: float  # (cfi.robust) Brosseau-Liard & Savalei (2014)
    tli_robust: float  # (tli.robust)
    rmsea_scaled: float  # (rmsea.scaled)
    rmsea_robust: float  # (rmsea.robust) Brosseau-Liard, Savalei & Li (2012)
    rmsea_robust_ci_low: float  # (rmsea.ci.lower.robust)
    rmsea_robust_ci_high: float  # (rmsea.ci.upper.robust)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scaling_factor": self.scaling_factor,
            "chi_square_scaled": self.chi_square_scaled,
            "p_value_scaled": self.p_value_scaled,
            "baseline_scaling_factor": self.baseline_scaling_factor,
            "cfi_scaled": _json_number(self.cfi_scaled),
            "tli_scaled": _json_number(self.tli_scaled),
            "cfi_robust": _json_number(self.cfi_robust),
            "tli_robust": _json_number(self.tli_robust),
            "rmsea_scaled": _json_number(self.rmsea_scaled),
            "rmsea_robust": _json_number(self.rmsea_robust),
            "rmsea_robust_ci_low": _json_number(self.rmsea_robust_ci_low),
            "rmsea_robust_ci_high": _json_number(self.rmsea_robust_ci_high),
        }


@dataclass(frozen=True, slots=True)
class ItemLoading:
    """One item's loading on its construct."""

    construct: str
    item: str
    loading: float  # unstandardised; 1 for the marker item
    standard_error: float  # of the unstandardised loading (expected information); NaN for the marker
    z: float  # loading / standard_error; NaN for the marker
    p_value: float  # two-sided, normal
    standardized_loading: float  # lavaan "std.all"
    standardized_standard_error: float  # delta method, as lavaan's standardizedSolution
    error_variance: float  # may be negative (a Heywood case)

    def as_dict(self) -> dict[str, Any]:
        return {
            "construct": self.construct,
            "item": self.item,
            "loading": self.loading,
            "standard_error": _json_number(self.standard_error),
            "z": _json_number(self.z),
            "p_value": _json_number(self.p_value),
            "standardized_loading": self.standardized_loading,
            "standardized_standard_error": self.standardized_standard_error,
            "error_variance": self.error_variance,
        }


@dataclass(frozen=True, slots=True)
class FactorCorrelation:
    """The model-estimated correlation of two constructs."""

    construct_a: str
    construct_b: str
    correlation: float
    standard_error: float  # delta method, as lavaan's standardizedSolution

    def as_dict(self) -> dict[str, Any]:
        return {
            "construct_a": self.construct_a,
            "construct_b": self.construct_b,
            "correlation": self.correlation,
            "standard_error": self.standard_error,
        }


@dataclass(frozen=True, slots=True)
class ConstructReliability:
    """Composite reliability and average variance extracted of one construct."""

    construct: str
    cronbach_alpha: float  # on the same (complete) respondents as the CFA
    composite_reliability: float  # Fornell–Larcker, from standardised loadings
    average_variance_extracted: float  # Fornell–Larcker, mean standardised loading²
    composite_reliability_observed: float  # semTools::compRelSEM (observed item covariances)
    average_variance_extracted_observed: float  # semTools::AVE (observed item variances)
    fornell_larcker_satisfied: bool  # √AVE exceeds every correlation with another construct

    def as_dict(self) -> dict[str, Any]:
        return {
            "construct": self.construct,
            "cronbach_alpha": self.cronbach_alpha,
            "composite_reliability": self.composite_reliability,
            "average_variance_extracted": self.average_variance_extracted,
            "composite_reliability_observed": self.composite_reliability_observed,
            "average_variance_extracted_observed": self.average_variance_extracted_observed,
            "fornell_larcker_satisfied": self.fornell_larcker_satisfied,
        }


@dataclass(frozen=True, slots=True)
class ConfirmatoryFactorAnalysis:
    """A CFA measurement model fitted by maximum likelihood."""

    constructs: tuple[tuple[str, tuple[str, ...]], ...]
    reversed_items: tuple[str, ...]
    n: int  # respondents used (complete on every item)
    n_dropped: int  # respondents left out for a missing answer (listwise deletion)
    estimator: str  # "ML" or "MLR"
    converged: bool
    iterations: int
    fit: FitIndices
    robust_fit: RobustFitIndices | None  # MLR only
    loadings: tuple[ItemLoading, ...]
    factor_correlations: tuple[FactorCorrelation, ...]
    reliability: tuple[ConstructReliability, ...]
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "constructs": {name: list(items) for name, items in self.constructs},
            "reversed_items": list(self.reversed_items),
            "estimator": self.estimator,
            "n": self.n,
            "n_dropped": self.n_dropped,
            "missing_data": "listwise",
            "converged": self.converged,
            "iterations": self.iterations,
            "fit": self.fit.as_dict(),
            "robust_fit": None if self.robust_fit is None else self.robust_fit.as_dict(),
            "loadings": [loading.as_dict() for loading in self.loadings],
            "factor_correlations": [correlation.as_dict() for correlation in self.factor_correlations],
            "reliability": [construct.as_dict() for construct in self.reliability],
            "warnings": list(self.warnings),
        }


class _Model:
    """Parameter layout of a simple-structure CFA: free loadings, construct (co)variances, error variances."""

    def __init__(self, sizes: list[int]) -> None:
        self.items = sum(sizes)
        self.factors = len(sizes)
        self.pattern = np.zeros((self.items, self.factors), dtype=bool)
        self.marker = np.zeros((self.items, self.factors), dtype=bool)
        row = 0
        for factor, size in enumerate(sizes):
            self.pattern[row : row + size, factor] = True
            self.marker[row, factor] = True
            row += size
        self.free = self.pattern & ~self.marker
        self.lower = np.tril_indices(self.factors)
        self.loading_count = int(self.free.sum())
        self.covariance_count = len(self.lower[0])
        self.count = self.loading_count + self.covariance_count + self.items

    def unpack(self, theta: Matrix) -> tuple[Matrix, Matrix, Matrix]:
        loadings = self.marker.astype(float)
        loadings[self.free] = theta[: self.loading_count]
        phi = np.zeros((self.factors, self.factors))
        phi[self.lower] = theta[self.loading_count : self.loading_count + self.covariance_count]
        phi = phi + phi.T - np.diag(np.diag(phi))
        return loadings, phi, theta[self.loading_count + self.covariance_count :]

    def implied(self, theta: Matrix) -> Matrix:
        loadings, phi, errors = self.unpack(theta)
        sigma: Matrix = loadings @ phi @ loadings.T + np.diag(errors)
        return sigma


def _fit_indices(
    sample: Matrix, implied: Matrix, n: int, parameters: int, discrepancy: float
) -> tuple[FitIndices, Matrix]:
    p = sample.shape[0]
    chi_square = n * discrepancy
    df = p * (p + 1) // 2 - parameters
    log_det_sample = np.linalg.slogdet(sample)[1]
    baseline = float(n * (np.log(np.diag(sample)).sum() - log_det_sample))
    baseline_df = p * (p - 1) // 2
    cfi = 1.0 - max(chi_square - df, 0.0) / max(baseline - baseline_df, chi_square - df, 0.0)
    if df > 0:
        tli = (baseline / baseline_df - chi_square / df) / (baseline / baseline_df - 1.0)
        rmsea = math.sqrt(max(chi_square - df, 0.0) / (df * n))
        rmsea_low, rmsea_high = _rmsea_interval(chi_square, df, n)
        rmsea_p = float(stats.ncx2.sf(chi_square, df, n * df * 0.05**2))
    else:
        tli = rmsea = rmsea_low = rmsea_high = rmsea_p = math.nan
    sd = np.sqrt(np.diag(sample))
    residual = (sample - implied) / np.outer(sd, sd)
    srmr = float(np.sqrt(np.mean(residual[np.tril_indices(p)] ** 2)))
    weighted = np.linalg.solve(implied, sample)
    gfi = 1.0 - float(np.trace((weighted - np.eye(p)) @ (weighted - np.eye(p))) / np.trace(weighted @ weighted))
    agfi = 1.0 - p * (p + 1) / (2 * df) * (1.0 - gfi) if df > 0 else math.nan
    log_likelihood = -n / 2 * (p * math.log(2 * math.pi) + np.linalg.slogdet(implied)[1] + np.trace(weighted))
    fit = FitIndices(
        chi_square=float(chi_square),
        df=df,
        p_value=float(stats.chi2.sf(chi_square, df)) if df > 0 else math.nan,
        baseline_chi_square=baseline,
        baseline_df=baseline_df,
        cfi=float(cfi),
        tli=float(tli),
        rmsea=float(rmsea),
        rmsea_ci_low=float(rmsea_low),
        rmsea_ci_high=float(rmsea_high),
        rmsea_p_value=rmsea_p,
        srmr=srmr,
        gfi=gfi,
        agfi=float(agfi),
        log_likelihood=float(log_likelihood),
        aic=float(-2 * log_likelihood + 2 * parameters),
        bic=float(-2 * log_likelihood + parameters * math.log(n)),
        parameters=parameters,
    )
    return fit, residual


def _rmsea_interval(chi_square: float, df: int, n: int) -> tuple[float, float]:
    """lavaan's 90 % RMSEA interval: the noncentralities λ with P(χ²_df(λ) ≤ X²) = .95 and .05."""

    def below(noncentrality: float, probability: float) -> float:
        return (
            float(
                stats.ncx2.cdf(chi_square, df, noncentrality) if noncentrality > 0 else stats.chi2.cdf(chi_square, df)
            )
            - probability
        )

    if below(0.0, 0.95) < 0:
        low = 0.0
    else:
        low = math.sqrt(optimize.brentq(below, 0.0, chi_square, args=(0.95,), xtol=1e-12) / (n * df))
    upper_end = max(float(n), 4 * chi_square)
    if below(upper_end, 0.05) > 0 or below(0.0, 0.05) < 0:
        high = 0.0
    else:
        high = math.sqrt(optimize.brentq(below, 0.0, upper_end, args=(0.05,), xtol=1e-12) / (n * df))
    return low, high


def confirmatory_factor_analysis(
    data: pd.DataFrame,
    constructs: Mapping[str, Sequence[str]],
    *,
    reverse: Sequence[str] = (),
    scale: tuple[float, float] | None = None,
    estimator: Estimator = "ML",
) -> ConfirmatoryFactorAnalysis:
    """Fit a measurement model (each item on one construct, constructs correlated) by maximum likelihood.

    Model: ``Σ(θ) = Λ Φ Λ' + Θ`` with Λ the loadings (first item of each construct fixed to 1), Φ the
    construct covariances, Θ the diagonal error variances. Estimate: minimise
    ``F = ln|Σ| + tr(S Σ⁻¹) − ln|S| − p`` with S the covariance of the complete cases, divisor N.

    Fit indices (lavaan 0.6-14 ``fitMeasures``)::

        χ² = N · F,  df = p(p + 1)/2 − parameters
        CFI  = 1 − max(χ² − df, 0) / max(χ²_b − df_b, χ² − df, 0)   (χ²_b: independence model)
        TLI  = (χ²_b/df_b − χ²/df) / (χ²_b/df_b − 1)
        RMSEA = √(max(χ² − df, 0) / (df · N)), 90 % interval by inverting the noncentral χ²
        SRMR = √(mean over i ≤ j of ((s_ij − σ̂_ij) / √(s_ii s_jj))²)
        GFI = 1 − tr((Σ̂⁻¹S − I)²) / tr((Σ̂⁻¹S)²),  AGFI = 1 − p(p + 1) / (2 df) · (1 − GFI)

    Per construct, from the standardised loadings λ (lavaan ``std.all``), the construct variance φ, the
    unstandardised loadings l and the observed item covariances S_c::

        composite reliability (Fornell–Larcker) = (Σλ)² / ((Σλ)² + Σ(1 − λ²))
        AVE (Fornell–Larcker)                   = mean λ²
        composite reliability, observed         = (Σl)² φ / 1'S_c1          (semTools::compRelSEM)
        AVE, observed                           = Σ l² φ / tr S_c          (semTools::AVE)

    The Fornell–Larcker criterion holds for a construct when √AVE exceeds its correlation with every
    other construct.

    Parameters
    ----------
    data
        One column per item, one row per respondent; rows with any missing item are left out.
    constructs
        Construct name → its items, e.g. ``{"SAT": ["CUSA1", "CUSA2", "CUSA3"], ...}``. Each item on one
        construct, at least 2 items each; the first item is the marker.
    reverse, scale
        Reverse-keyed items and the answer scale ``(low, high)``, turned as ``low + high − x`` before the
        fit (as in :func:`measure.reliability.cronbach_alpha`); reversing changes the signs of loadings
        and so the composite reliability.
    estimator
        ``"ML"`` (lavaan's default) or ``"MLR"``: the same estimates with lavaan's robust corrections for
        non-normal (e.g. Likert) answers — the Yuan–Bentler scaled χ² (Mplus variant), scaled and robust
        CFI/TLI/RMSEA (Brosseau-Liard & Savalei) in ``robust_fit``, and Huber–White standard errors.

    Returns
    -------
    ConfirmatoryFactorAnalysis

    References
    ----------
    Jöreskog, K. G. (1969). A general approach to confirmatory maximum likelihood factor analysis.
    Psychometrika 34, 183–202. Hu, L. & Bentler, P. M. (1999). Cutoff criteria for fit indexes.
    Structural Equation Modeling 6, 1–55. Fornell, C. & Larcker, D. F. (1981). Journal of Marketing
    Research 18, 39–50. Rosseel, Y. (2012). lavaan. Journal of Statistical Software 48(2).

    Standard errors: expected information (lavaan's default for complete data), Cov(θ̂) = I⁻¹/N with
    I = ½ Δ'(Σ⁻¹ ⊗ Σ⁻¹) Δ, Δ = ∂vec Σ/∂θ'; for standardised loadings and construct correlations by the
    delta method (lavaan ``standardizedSolution``). The marker loading has none.

    Checked against R ``lavaan::cfa`` 0.6-14 and ``semTools`` 0.5-6: fit indices, standardised loadings
    and their standard errors to 1e-3 (in fact about 1e-6) on mobi and satisfaction_bank, the MLR
    indices and robust standard errors on mobi, and the METHODS §5 Holzinger–Swineford model.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> factor = rng.normal(size=(400, 1))
    >>> items = pd.DataFrame(factor @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(scale=0.6, size=(400, 4)),
    ...                      columns=["q1", "q2", "q3", "q4"])
    >>> result = confirmatory_factor_analysis(items, {"F": ["q1", "q2", "q3", "q4"]})
    >>> result.fit.df, result.converged
    (2, True)
    >>> [round(loading.standardized_loading, 2) for loading in result.loadings]
    [0.8, 0.76, 0.74, 0.63]
    """
    if estimator not in ("ML", "MLR"):
        raise ValueError(f"estimator must be 'ML' or 'MLR', not {estimator!r}.")
    checked = _checked_constructs(data, constructs)
    names = list(checked)
    items = [item for group in checked.values() for item in group]
    complete = reverse_keyed_items(data[items], list(reverse), scale).dropna()
    n = len(complete)
    p = len(items)
    if n <= p:
        raise ValueError(f"data has {n} complete respondents for {p} items; more respondents than items are needed.")
    constant = [item for item in items if not complete[item].std() > 0]
    if constant:
        raise ValueError(f"items {', '.join(constant)} have no variance.")
    sample = np.cov(complete.to_numpy(), rowvar=False, ddof=0)
    if np.linalg.eigvalsh(sample)[0] <= 1e-10 * np.linalg.eigvalsh(sample)[-1]:
        raise ValueError(f"the covariance matrix of items {', '.join(items)} is singular.")
    model = _Model([len(group) for group in checked.values()])
    if model.count > p * (p + 1) // 2:
        raise ValueError(
            f"constructs define {model.count} parameters but {p} items give only {p * (p + 1) // 2} "
            "variances and covariances; give each construct at least three items (or two with a second "
            "construct)."
        )
    log_det_sample = np.linalg.slogdet(sample)[1]

    def discrepancy(theta: Matrix) -> float:
        sigma = model.implied(theta)
        sign, log_det = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10
        return float(log_det + np.trace(np.linalg.solve(sigma, sample)) - log_det_sample - p)

    def gradient(theta: Matrix) -> Matrix:
        loadings, phi, _ = model.unpack(theta)
        sigma = loadings @ phi @ loadings.T + np.diag(theta[model.loading_count + model.covariance_count :])
        try:
            inverse = np.linalg.inv(sigma)
        except np.linalg.LinAlgError:
            return np.zeros_like(theta)
        g = inverse - inverse @ sample @ inverse
        by_loading = 2 * g @ loadings @ phi
        by_phi = loadings.T @ g @ loadings
        by_phi = 2 * by_phi - np.diag(np.diag(by_phi))
        return np.concatenate([by_loading[model.free], by_phi[model.lower], np.diag(g)])

    fitted = optimize.minimize(
        discrepancy,
        _start(sample, model),
        jac=gradient,
        method="BFGS",
        options={"gtol": 1e-9, "maxiter": 10_000},
    )
    theta = fitted.x
    largest_gradient = float(np.abs(gradient(theta)).max())
    converged = largest_gradient < 1e-5 and fitted.fun < 1e9
    loadings, phi, errors = model.unpack(theta)
    implied = model.implied(theta)
    robust = estimator == "MLR"
    fit, _ = _fit_indices(sample, implied, n, model.count, float(fitted.fun))
    robust_fit = None
    if robust and fit.df <= 0:
        raise ValueError(f"estimator 'MLR' needs a model with degrees of freedom; this one has {fit.df}.")
    if robust:
        robust_fit, covariance = _robust(complete.to_numpy(), sample, model, theta, gradient, fit)
    else:
        covariance = _parameter_covariance(model, theta, n)

    standardized, correlation = _standardized(model, theta)
    standard_errors = np.sqrt(np.abs(np.diag(covariance)))
    jacobian = _jacobian(lambda t: _standardized_vector(model, t), theta)
    standardized_errors = np.sqrt(np.abs(np.diag(jacobian @ covariance @ jacobian.T)))
    free_index = np.full(model.pattern.shape, -1)
    free_index[model.free] = np.arange(model.loading_count)
    item_loadings: list[ItemLoading] = []
    for row, item in enumerate(items):
        factor = int(np.flatnonzero(model.pattern[row])[0])
        index = int(free_index[row, factor])
        error = float(standard_errors[index]) if index >= 0 else math.nan
        z = float(loadings[row, factor]) / error if index >= 0 else math.nan
        item_loadings.append(
            ItemLoading(
                construct=names[factor],
                item=item,
                loading=float(loadings[row, factor]),
                standard_error=error,
                z=z,
                p_value=float(2 * stats.norm.sf(abs(z))) if index >= 0 else math.nan,
                standardized_loading=float(standardized[row, factor]),
                standardized_standard_error=float(standardized_errors[row]),
                error_variance=float(errors[row]),
            )
        )
    pairs = list(zip(*np.triu_indices(model.factors, 1), strict=True))
    correlations = tuple(
        FactorCorrelation(names[a], names[b], float(correlation[a, b]), float(standardized_errors[p + k]))
        for k, (a, b) in enumerate(pairs)
    )
    reliability = []
    for factor, name in enumerate(names):
        rows = model.pattern[:, factor]
        std = standardized[rows, factor]
        raw = loadings[rows, factor]
        block = sample[np.ix_(rows, rows)]
        ave = float(np.mean(std**2))
        others = [abs(correlation[factor, other]) for other in range(len(names)) if other != factor]
        reliability.append(
            ConstructReliability(
                construct=name,
                cronbach_alpha=cronbach_alpha(complete[checked[name]]).alpha,
                composite_reliability=float(std.sum() ** 2 / (std.sum() ** 2 + (1 - std**2).sum())),
                average_variance_extracted=ave,
                composite_reliability_observed=float(raw.sum() ** 2 * phi[factor, factor] / block.sum()),
                average_variance_extracted_observed=float((raw**2).sum() * phi[factor, factor] / np.trace(block)),
                fornell_larcker_satisfied=all(math.sqrt(max(ave, 0.0)) > other for other in others),
            )
        )
    warnings = []
    if not converged:
        warnings.append(f"the fit did not converge (largest gradient {largest_gradient:.2g}).")
    if np.linalg.eigvalsh(phi)[0] <= 0:
        warnings.append("the construct covariance matrix is not positive definite (constructs nearly identical).")
    negative = [item for item, error in zip(items, errors, strict=True) if error < 0]
    if negative:
        warnings.append(f"negative error variance (Heywood case) for {', '.join(negative)}.")
    return ConfirmatoryFactorAnalysis(
        constructs=tuple((name, tuple(group)) for name, group in checked.items()),
        reversed_items=tuple(str(item) for item in reverse),
        n=n,
        n_dropped=len(data) - n,
        estimator=estimator,
        converged=converged,
        iterations=int(fitted.nit),
        fit=fit,
        robust_fit=robust_fit,
        loadings=tuple(item_loadings),
        factor_correlations=correlations,
        reliability=tuple(reliability),
        warnings=tuple(warnings),
    )


def _standardized(model: _Model, theta: Matrix) -> tuple[Matrix, Matrix]:
    """Standardised loadings (lavaan ``std.all``) and construct correlations at the parameters theta."""
    loadings, phi, _ = model.unpack(theta)
    implied = model.implied(theta)
    factor_sd = np.sqrt(np.abs(np.diag(phi)))
    standardized: Matrix = loadings * factor_sd / np.sqrt(np.abs(np.diag(implied)))[:, None]
    correlation: Matrix = phi / np.outer(factor_sd, factor_sd)
    return standardized, correlation


def _standardized_vector(model: _Model, theta: Matrix) -> Matrix:
    """The standardised loadings in item order, then the construct correlations above the diagonal."""
    standardized, correlation = _standardized(model, theta)
    vector: Matrix = np.concatenate([standardized[model.pattern], correlation[np.triu_indices(model.factors, 1)]])
    return vector


def _jacobian(function: Callable[[Matrix], Matrix], theta: Matrix) -> Matrix:
    """Central-difference Jacobian (the functions here are smooth and low-order polynomials or ratios)."""
    columns = []
    for index in range(len(theta)):
        step = 1e-6 * max(1.0, abs(theta[index]))
        up, down = theta.copy(), theta.copy()
        up[index] += step
        down[index] -= step
        columns.append((function(up) - function(down)) / (2 * step))
    return np.column_stack(columns)


def _parameter_covariance(model: _Model, theta: Matrix, n: int) -> Matrix:
    """Covariance of the ML estimates from the expected information, lavaan's default for complete data:
    I = ½ Δ'(Σ⁻¹ ⊗ Σ⁻¹)Δ with Δ = ∂vec Σ/∂θ', and Cov(θ̂) = I⁻¹ / N."""
    inverse = np.linalg.inv(model.implied(theta))
    delta = _jacobian(lambda t: model.implied(t).ravel(), theta)
    information = 0.5 * delta.T @ np.kron(inverse, inverse) @ delta
    covariance: Matrix = np.linalg.pinv(information) / n
    return covariance


def _duplication(p: int) -> Matrix:
    """The duplication matrix D with vec(A) = D vech(A) for symmetric p × p A."""
    pairs = [(i, j) for j in range(p) for i in range(j, p)]
    duplication = np.zeros((p * p, len(pairs)))
    for column, (i, j) in enumerate(pairs):
        duplication[i * p + j, column] = 1.0
        duplication[j * p + i, column] = 1.0
    return duplication


def _vech(matrix: Matrix) -> Matrix:
    p = matrix.shape[0]
    rows, columns = zip(*[(i, j) for j in range(p) for i in range(j, p)], strict=True)
    vector: Matrix = matrix[list(rows), list(columns)]
    return vector


def _first_order(centred: Matrix, sigma: Matrix, duplication: Matrix) -> Matrix:
    """Mean outer product of the respondents' normal-likelihood scores for vech Σ:
    score_i = ½ D' vec(Σ⁻¹ z_i z_i' Σ⁻¹ − Σ⁻¹)."""
    inverse = np.linalg.inv(sigma)
    weighted = centred @ inverse
    outer = np.einsum("ni,nj->nij", weighted, weighted) - inverse
    scores = 0.5 * outer.reshape(len(centred), -1) @ duplication
    result: Matrix = scores.T @ scores / len(centred)
    return result


def _robust(
    answers: Matrix,
    sample: Matrix,
    model: _Model,
    theta: Matrix,
    gradient: Callable[[Matrix], Matrix],
    fit: FitIndices,
) -> tuple[RobustFitIndices, Matrix]:
    """lavaan's MLR: the Yuan–Bentler (Mplus) scaled test, robust CFI/TLI/RMSEA and the sandwich
    (Huber–White) covariance of the estimates with the observed information.

    With A₁ and B₁ the expected and first-order information of the saturated model at the sample
    moments, B₀ = Δ'B₁(Σ̂)Δ the model's first-order information and H the observed information (half the
    Hessian of F), the scaling factor is c = (tr A₁⁻¹B₁ − tr H⁻¹B₀) / df, each trace with its mean part
    (p and tr Σ̂⁻¹S). Cov(θ̂) = H⁻¹ B₀ H⁻¹ / N."""
    n, p = answers.shape
    centred = answers - answers.mean(axis=0)
    duplication = _duplication(p)
    implied = model.implied(theta)
    sample_inverse = np.linalg.inv(sample)
    saturated_information = 0.5 * duplication.T @ np.kron(sample_inverse, sample_inverse) @ duplication
    saturated_trace = p + float(
        np.trace(np.linalg.solve(saturated_information, _first_order(centred, sample, duplication)))
    )

    def scaling(sigma: Matrix, delta: Matrix, hessian: Matrix, df: int) -> tuple[float, Matrix]:
        model_first_order = delta.T @ _first_order(centred, sigma, duplication) @ delta
        model_trace = float(np.trace(np.linalg.solve(sigma, sample))) + float(
            np.trace(np.linalg.solve(hessian, model_first_order))
        )
        return (saturated_trace - model_trace) / df, model_first_order

    delta = _jacobian(lambda t: _vech(model.implied(t)), theta)
    hessian = 0.5 * _jacobian(gradient, theta)
    hessian = (hessian + hessian.T) / 2
    factor, model_first_order = scaling(implied, delta, hessian, fit.df)
    # the independence (baseline) model: Σ = diag(S), its Hessian ½ ∂²F = diag(1 / (2 s_ii²))
    variances = np.diag(sample)
    baseline_delta = np.zeros((p * (p + 1) // 2, p))
    diagonal_positions = np.cumsum([0, *range(p, 1, -1)])
    baseline_delta[diagonal_positions, np.arange(p)] = 1.0
    baseline_factor, _ = scaling(np.diag(variances), baseline_delta, np.diag(1 / (2 * variances**2)), fit.baseline_df)

    chi_square, df = fit.chi_square, fit.df
    baseline, baseline_df = fit.baseline_chi_square, fit.baseline_df
    scaled, baseline_scaled = chi_square / factor, baseline / baseline_factor
    low, high = _rmsea_interval(scaled, df, n)
    robust_excess, baseline_excess = chi_square - factor * df, baseline - baseline_factor * baseline_df
    inverse_hessian = np.linalg.inv(hessian)
    covariance: Matrix = inverse_hessian @ model_first_order @ inverse_hessian / n
    return (
        RobustFitIndices(
            scaling_factor=factor,
            chi_square_scaled=scaled,
            p_value_scaled=float(stats.chi2.sf(scaled, df)),
            baseline_scaling_factor=baseline_factor,
            cfi_scaled=1.0 - max(scaled - df, 0.0) / max(baseline_scaled - baseline_df, scaled - df, 0.0),
            tli_scaled=(baseline_scaled / baseline_df - scaled / df) / (baseline_scaled / baseline_df - 1.0),
            cfi_robust=1.0 - max(robust_excess, 0.0) / max(baseline_excess, robust_excess, 0.0),
            tli_robust=1.0 - (robust_excess / df) / (baseline_excess / baseline_df),
            rmsea_scaled=math.sqrt(max(scaled / df - 1.0, 0.0) / n),
            rmsea_robust=math.sqrt(max(robust_excess, 0.0) / (n * df)),
            rmsea_robust_ci_low=low * math.sqrt(factor),
            rmsea_robust_ci_high=high * math.sqrt(factor),
        ),
        covariance,
    )


def _start(sample: Matrix, model: _Model) -> Matrix:
    """Starting values that give a positive definite Σ: loadings from each construct's first principal
    axis (scaled to the marker), construct variances from the marker, no construct covariance, half the
    item variances as error variances."""
    loadings = model.marker.astype(float)
    phi = np.zeros((model.factors, model.factors))
    for factor in range(model.factors):
        rows = np.flatnonzero(model.pattern[:, factor])
        if len(rows) > 1:
            values, vectors = np.linalg.eigh(sample[np.ix_(rows, rows)])
            axis = vectors[:, -1] * np.sqrt(values[-1])
            loadings[rows, factor] = axis / axis[0]
            phi[factor, factor] = axis[0] ** 2
        else:
            phi[factor, factor] = sample[rows[0], rows[0]] / 2
    return np.concatenate([loadings[model.free], phi[model.lower], np.diag(sample) / 2])


@dataclass(frozen=True, slots=True)
class HeterotraitMonotraitRatio:
    """Discriminant validity of two constructs by the heterotrait–monotrait ratio of correlations."""

    construct_a: str
    construct_b: str
    htmt: float  # arithmetic means (Henseler et al. 2015)
    htmt2: float  # geometric means (Roemer et al. 2021); semTools::htmt's default

    def as_dict(self) -> dict[str, Any]:
        return {
            "construct_a": self.construct_a,
            "construct_b": self.construct_b,
            "htmt": _json_number(self.htmt),
            "htmt2": _json_number(self.htmt2),
        }


def heterotrait_monotrait(
    data: pd.DataFrame, constructs: Mapping[str, Sequence[str]]
) -> tuple[HeterotraitMonotraitRatio, ...]:
    """HTMT and HTMT2 for every pair of constructs.

    With |r| the absolute item correlations (complete cases, as semTools' default ``missing="listwise"``)::

        HTMT(a, b)  = mean |r_ij|, i ∈ a, j ∈ b  /  √(mean_{i<j ∈ a} |r_ij| · mean_{i<j ∈ b} |r_ij|)
        HTMT2(a, b) = the same with geometric means

    Values below .85 (.90 for conceptually close constructs) support discriminant validity. Reverse-keyed
    items need no reversing here: the correlations enter as absolute values.

    References
    ----------
    Henseler, J., Ringle, C. M. & Sarstedt, M. (2015). A new criterion for assessing discriminant validity.
    Journal of the Academy of Marketing Science 43, 115–135. Roemer, E., Schuberth, F. & Henseler, J.
    (2021). HTMT2. Industrial Management & Data Systems 121, 2637–2650.

    Checked against R ``semTools::htmt`` 0.5-6 (HTMT2 on mobi's six ECSI constructs, 1e-12) and METHODS §5
    (Holzinger–Swineford HTMT .424/.467/.290, HTMT2 .384/.387/.280).

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"a1": [1, 2, 3, 4, 5], "a2": [2, 2, 3, 5, 4],
    ...                         "b1": [3, 1, 2, 5, 4], "b2": [2, 1, 3, 4, 5]})
    >>> ratio = heterotrait_monotrait(answers, {"A": ["a1", "a2"], "B": ["b1", "b2"]})[0]
    >>> round(ratio.htmt, 3), round(ratio.htmt2, 3)
    (0.97, 0.958)
    """
    checked = _checked_constructs(data, constructs)
    items = [item for group in checked.values() for item in group]
    correlation = data[items].astype(float).dropna().corr().abs()
    if correlation.isna().to_numpy().any():
        raise ValueError("data has items without variance among the complete cases; HTMT needs correlations.")

    def monotrait(group: list[str]) -> tuple[float, float]:
        block = correlation.loc[group, group].to_numpy()[np.triu_indices(len(group), 1)]
        return float(block.mean()), float(np.exp(np.log(block).mean()))

    within = {name: monotrait(group) for name, group in checked.items()}
    ratios = []
    names = list(checked)
    for a_index, a in enumerate(names):
        for b in names[a_index + 1 :]:
            between = correlation.loc[checked[a], checked[b]].to_numpy().ravel()
            arithmetic = float(between.mean()) / math.sqrt(within[a][0] * within[b][0])
            geometric = float(np.exp(np.log(between).mean())) / math.sqrt(within[a][1] * within[b][1])
            ratios.append(HeterotraitMonotraitRatio(a, b, arithmetic, geometric))
    return tuple(ratios)


@dataclass(frozen=True, slots=True)
class MeasurementModelValidity:
    """What ``loyalty measure validity`` reports: the CFA with CR and AVE, HTMT for every pair, and the
    sampling adequacy (KMO, Bartlett) of all the model's items on the same respondents."""

    cfa: ConfirmatoryFactorAnalysis
    heterotrait_monotrait: tuple[HeterotraitMonotraitRatio, ...]
    kaiser_meyer_olkin: KaiserMeyerOlkin
    bartlett_sphericity: BartlettSphericity

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.cfa.as_dict(),
            "heterotrait_monotrait": [ratio.as_dict() for ratio in self.heterotrait_monotrait],
            "kaiser_meyer_olkin": self.kaiser_meyer_olkin.as_dict(),
            "bartlett_sphericity": self.bartlett_sphericity.as_dict(),
        }


def measurement_model_validity(
    data: pd.DataFrame,
    constructs: Mapping[str, Sequence[str]],
    *,
    reverse: Sequence[str] = (),
    scale: tuple[float, float] | None = None,
    estimator: Estimator = "ML",
) -> MeasurementModelValidity:
    """Convergent and discriminant validity of a measurement model: :func:`confirmatory_factor_analysis`
    (fit, standardised loadings, CR, AVE, Fornell–Larcker), :func:`heterotrait_monotrait`, and
    ``kaiser_meyer_olkin`` / ``bartlett_sphericity`` of all its items (complete cases, like the CFA).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> factors = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=300)
    >>> noise = rng.normal(scale=0.5, size=(300, 6))
    >>> columns = ["a1", "a2", "a3", "b1", "b2", "b3"]
    >>> items = pd.DataFrame(np.repeat(factors, 3, axis=1) + noise, columns=columns)
    >>> result = measurement_model_validity(items, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    >>> result.cfa.fit.df, result.heterotrait_monotrait[0].htmt < 0.85
    (8, True)
    """
    items = [str(item) for group in constructs.values() for item in group]
    return MeasurementModelValidity(
        cfa=confirmatory_factor_analysis(data, constructs, reverse=reverse, scale=scale, estimator=estimator),
        heterotrait_monotrait=heterotrait_monotrait(data, constructs),
        kaiser_meyer_olkin=kaiser_meyer_olkin(data[items], missing="listwise"),
        bartlett_sphericity=bartlett_sphericity(data[items], missing="listwise"),
    )
