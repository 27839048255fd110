"""Reliability of a multi-item scale: Cronbach's alpha and McDonald's omega total.

Both take the items of one construct as the columns of a DataFrame (one row per respondent, empty
answers as NaN). Reverse-keyed items are reversed here, from the scale bounds the codebook gives
(``low + high - x``), never by hand before the call, so a report can always say which items were turned.

Missing answers: ``missing="pairwise"`` (the default, as in ``psych::alpha``) computes every covariance
from the respondents who answered both items; ``missing="listwise"`` keeps only respondents who answered
every item. The result states which one was used, because the two give different numbers.

Checked against R ``psych::alpha`` and ``psych::omega`` 2.2.9 (``reference/expected/reliability_psych.json``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from measure.factor_analysis import one_factor_minres, schmid_leiman

MissingData = Literal["pairwise", "listwise"]
OmegaMatrix = Literal["correlation", "covariance"]

__all__ = [
    "CronbachAlpha",
    "GroupFactorOmega",
    "ItemReliability",
    "McDonaldOmega",
    "OmegaHierarchical",
    "ScaleReliability",
    "cronbach_alpha",
    "feldt_interval",
    "mcdonald_omega",
    "omega_hierarchical",
    "reverse_keyed_items",
    "scale_reliability",
]


def _json_number(value: float) -> float | None:
    """NaN (an undefined statistic) becomes None, so the JSON stays valid."""
    return None if math.isnan(value) else value


def _reversed_names(columns: list[str], reverse: Sequence[str] | Sequence[bool]) -> list[str]:
    """The names of the reverse-keyed columns, from names or from one boolean per column."""
    if len(reverse) and all(isinstance(flag, bool | np.bool_) for flag in reverse):
        if len(reverse) != len(columns):
            raise ValueError(
                f"reverse has {len(reverse)} flags but items has {len(columns)} columns ({', '.join(columns)})."
            )
        return [column for column, flag in zip(columns, reverse, strict=True) if flag]
    names = [str(name) for name in reverse]
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise ValueError(f"reverse names {', '.join(unknown)}, which are not among the items ({', '.join(columns)}).")
    return names


def reverse_keyed_items(
    items: pd.DataFrame,
    reverse: Sequence[str] | Sequence[bool] = (),
    scale: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Reverse the reverse-keyed items of a scale: ``x' = low + high - x``.

    Parameters
    ----------
    items
        One column per item, one row per respondent; NaN for a missing answer.
    reverse
        The reverse-keyed items, as column names or as one boolean per column.
    scale
        ``(low, high)``, the answer scale of the items (e.g. ``(1, 6)``), from the codebook. Required when
        any item is reversed: the observed minimum and maximum are not the scale.

    Returns
    -------
    pandas.DataFrame
        A copy of `items` as floats with the reversed columns turned; the column names are unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"q1": [1, 5, 6], "q2": [6, 2, 1]})
    >>> reverse_keyed_items(answers, reverse=["q2"], scale=(1, 6))["q2"].tolist()
    [1.0, 5.0, 6.0]
    """
    names = _reversed_names([str(column) for column in items.columns], reverse)
    text = [str(column) for column in items.columns if not pd.api.types.is_numeric_dtype(items[column])]
    if text:
        raise ValueError(f"items {', '.join(text)} are not numeric; give the answers as numbers.")
    turned = items.astype(float)
    if not names:
        return turned
    if scale is None:
        raise ValueError(f"reverse names {', '.join(names)} but scale is missing: give the answer scale (low, high).")
    low, high = float(scale[0]), float(scale[1])
    if not low < high:
        raise ValueError(f"scale must be (low, high) with low < high, not {scale!r}.")
    values = turned[names].to_numpy()
    outside = values[~np.isnan(values) & ((values < low) | (values > high))]
    if outside.size:
        shown = ", ".join(f"{value:g}" for value in np.unique(outside)[:5])
        raise ValueError(f"items have answers {shown} outside the scale {low:g}–{high:g}.")
    turned[names] = low + high - turned[names]
    return turned


def _prepared(
    items: pd.DataFrame,
    reverse: Sequence[str] | Sequence[bool],
    scale: tuple[float, float] | None,
    missing: MissingData,
    minimum_items: int,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Validate, reverse and apply the missing-data rule; return the data and the reversed item names."""
    if missing not in ("pairwise", "listwise"):
        raise ValueError(f"missing must be 'pairwise' or 'listwise', not {missing!r}.")
    if items.shape[1] < minimum_items:
        raise ValueError(
            f"items has {items.shape[1]} column(s) ({', '.join(map(str, items.columns))}); "
            f"at least {minimum_items} are needed."
        )
    if len(set(items.columns)) != items.shape[1]:
        raise ValueError(f"items has repeated columns: {', '.join(map(str, items.columns))}.")
    turned = reverse_keyed_items(items, reverse, scale)
    reversed_names = tuple(_reversed_names([str(column) for column in items.columns], reverse))
    answered = turned.dropna(how="all") if missing == "pairwise" else turned.dropna(how="any")
    if len(answered) < 3:
        raise ValueError(f"items has {len(answered)} usable respondent(s) ({missing} deletion); at least 3 needed.")
    constant = [str(column) for column in answered.columns if not answered[column].std(skipna=True) > 0]
    if constant:
        raise ValueError(f"items {', '.join(constant)} have no variance; leave them out of the scale.")
    return answered, reversed_names


def _alpha_from(covariance: NDArray[np.float64]) -> tuple[float, float]:
    """Raw alpha from a covariance matrix and standardised alpha from its correlations."""
    k = covariance.shape[0]
    sd = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(sd, sd)
    raw = k / (k - 1) * (1.0 - np.trace(covariance) / covariance.sum())
    standardized = k / (k - 1) * (1.0 - k / correlation.sum())
    return float(raw), float(standardized)


def feldt_interval(alpha: float, *, items: int, respondents: int, confidence: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval for coefficient alpha.

    ``low  = 1 - (1 - alpha) · F_{1-p/2}(n - 1, (n - 1)(k - 1))``,
    ``high = 1 - (1 - alpha) · F_{p/2}(n - 1, (n - 1)(k - 1))``,
    with p = 1 - confidence, k items and n respondents (Feldt's degrees of freedom, as ``psych::alpha.ci``,
    ``pingouin`` and ``cocron``; ``statpsych::ci.cronbach`` uses n(k - 1) for the second).

    References
    ----------
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability coefficient
    twenty. Psychometrika 30, 357–370. Feldt, Woodruff & Salih (1987), Applied Psychological Measurement 11.

    Examples
    --------
    Checked against METHODS §5 (the ``statpsych::ci.cronbach(.05, .85, 7, 89)`` inputs with Feldt's df).

    >>> low, high = feldt_interval(0.85, items=7, respondents=89)
    >>> round(low, 6), round(high, 6)
    (0.797065, 0.893167)
    """
    if items < 2 or respondents < 2:
        raise ValueError(f"items and respondents must both be at least 2, not {items} and {respondents}.")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}.")
    tail = (1.0 - confidence) / 2.0
    numerator_df, denominator_df = respondents - 1, (respondents - 1) * (items - 1)
    low = 1.0 - (1.0 - alpha) * float(stats.f.ppf(1.0 - tail, numerator_df, denominator_df))
    high = 1.0 - (1.0 - alpha) * float(stats.f.ppf(tail, numerator_df, denominator_df))
    return low, high


@dataclass(frozen=True, slots=True)
class ItemReliability:
    """One item's part in a scale's alpha."""

    item: str
    reversed: bool
    n: int  # respondents who answered the item
    mean: float  # after reversing
    sd: float
    item_total_r: float  # correlation with the mean score of all items (psych "raw.r")
    item_rest_r: float  # correlation with the sum of the other items (psych "r.drop")
    alpha_if_deleted: float  # raw alpha of the other items; NaN when only one would remain
    alpha_standardized_if_deleted: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "reversed": self.reversed,
            "n": self.n,
            "mean": self.mean,
            "sd": self.sd,
            "item_total_r": self.item_total_r,
            "item_rest_r": self.item_rest_r,
            "alpha_if_deleted": _json_number(self.alpha_if_deleted),
            "alpha_standardized_if_deleted": _json_number(self.alpha_standardized_if_deleted),
        }


@dataclass(frozen=True, slots=True)
class CronbachAlpha:
    """Cronbach's alpha of one scale, with its intervals and item analysis."""

    items: tuple[str, ...]
    reversed_items: tuple[str, ...]
    missing_data: str  # "pairwise" or "listwise"
    n: int  # respondents used (pairwise: who answered at least one item)
    n_complete: int  # respondents who answered every item
    alpha: float  # raw, from covariances
    alpha_standardized: float  # from correlations
    average_inter_item_r: float
    confidence: float
    alpha_ci_low: float  # Feldt (1965)
    alpha_ci_high: float
    standard_error: float  # Duhachek & Iacobucci (2004) asymptotic SE
    duhachek_ci_low: float
    duhachek_ci_high: float
    score_mean: float  # of the respondents' mean item score
    score_sd: float
    item_statistics: tuple[ItemReliability, ...]
    warnings: tuple[str, ...]  # e.g. items that correlate negatively with the rest (reverse-keyed?)

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "reversed_items": list(self.reversed_items),
            "missing_data": self.missing_data,
            "n": self.n,
            "n_complete": self.n_complete,
            "alpha": self.alpha,
            "alpha_standardized": self.alpha_standardized,
            "average_inter_item_r": self.average_inter_item_r,
            "confidence": self.confidence,
            "alpha_ci_low": self.alpha_ci_low,
            "alpha_ci_high": self.alpha_ci_high,
            "alpha_ci_method": "Feldt",
            "standard_error": self.standard_error,
            "duhachek_ci_low": self.duhachek_ci_low,
            "duhachek_ci_high": self.duhachek_ci_high,
            "score_mean": self.score_mean,
            "score_sd": self.score_sd,
            "item_statistics": [item.as_dict() for item in self.item_statistics],
            "warnings": list(self.warnings),
        }


def cronbach_alpha(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] | Sequence[bool] = (),
    scale: tuple[float, float] | None = None,
    missing: MissingData = "pairwise",
    confidence: float = 0.95,
) -> CronbachAlpha:
    """Cronbach's alpha, raw and standardised, with Feldt and Duhachek intervals and item analysis.

    With ``C`` the k × k item covariance matrix and ``R`` its correlation matrix::

        alpha              = k / (k - 1) · (1 - tr C / 1'C1)
        alpha_standardized = k / (k - 1) · (1 - k / 1'R1)
        item_rest_r(j)     = (1'C_j - C_jj) / sqrt(C_jj · 1'C_(-j)1)        (psych "r.drop")
        alpha_if_deleted(j) = alpha of C with row and column j removed

    Estimator choices
    -----------------
    * Covariances use ``ddof = 1``; pairwise-complete by default (as ``psych::alpha``), or listwise.
    * Feldt interval: ``1 - (1 - alpha) · F_q(n - 1, (n - 1)(k - 1))`` at q = 1 - p/2 (low) and p/2 (high)
      (Feldt, Woodruff & Salih 1987), with ``n`` the respondents used (pairwise: every respondent with an
      answer, as psych counts rows).
    * Duhachek interval: ``alpha ± z · sqrt(Q / n)`` with Q the asymptotic variance of Duhachek &
      Iacobucci (2004) in psych's form, ``2k²/((k-1)²(1'C1)³) · (1'C1 (tr C² + (tr C)²) - 2 tr C · 1'C²1)``.
    * With two items, alpha if an item is deleted is undefined and reported as NaN (psych prints a
      placeholder there).
    * An item whose item–rest correlation is negative is named in ``warnings``: it is probably
      reverse-keyed and not reversed (alpha can then be negative).

    Parameters
    ----------
    items
        One column per item of the scale, one row per respondent; NaN for a missing answer.
    reverse
        Reverse-keyed items (names or one boolean per column), turned as ``low + high - x``.
    scale
        ``(low, high)`` of the answer scale; required when `reverse` names any item.
    missing
        ``"pairwise"`` or ``"listwise"`` deletion of missing answers.
    confidence
        Level of both intervals, e.g. 0.95.

    Returns
    -------
    CronbachAlpha

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika 16, 297–334.
    Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for coefficient alpha.
    Applied Psychological Measurement 11, 93–103.
    Duhachek, A. & Iacobucci, D. (2004). Alpha's standard error (ASE). Journal of Applied Psychology 89,
    792–808.

    Checked against R ``psych::alpha`` 2.2.9 (alpha to 1e-6, intervals to 1e-4, on mobi,
    satisfaction_bank and bfi, pairwise and complete cases).

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"q1": [4, 5, 3, 2, 5, 4], "q2": [4, 4, 3, 1, 5, 5], "q3": [5, 5, 2, 2, 4, 4]})
    >>> result = cronbach_alpha(answers)
    >>> round(result.alpha, 4), result.n, result.missing_data
    (0.9176, 6, 'pairwise')
    >>> [round(item.item_rest_r, 3) for item in result.item_statistics]
    [0.922, 0.82, 0.792]
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}.")
    data, reversed_names = _prepared(items, reverse, scale, missing, minimum_items=2)
    names = tuple(str(column) for column in data.columns)
    k = len(names)
    n = len(data)
    covariance = data.cov().to_numpy()
    if np.isnan(covariance).any():
        raise ValueError("items has a pair of items that no respondent answered together.")
    alpha, alpha_standardized = _alpha_from(covariance)
    sd = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(sd, sd)
    average_r = float((correlation.sum() - k) / (k * (k - 1)))

    total = covariance.sum()
    trace = np.trace(covariance)
    squared = covariance @ covariance
    q = 2 * k**2 / ((k - 1) ** 2 * total**3) * (total * (np.trace(squared) + trace**2) - 2 * trace * squared.sum())
    standard_error = float(np.sqrt(q / n))
    tail = (1.0 - confidence) / 2.0
    z = float(stats.norm.ppf(1.0 - tail))
    ci_low, ci_high = feldt_interval(alpha, items=k, respondents=n, confidence=confidence)

    score = data.mean(axis=1, skipna=True)
    item_statistics = []
    for j, name in enumerate(names):
        rest = np.delete(np.delete(covariance, j, axis=0), j, axis=1)
        item_rest_r = (covariance[:, j].sum() - covariance[j, j]) / np.sqrt(covariance[j, j] * rest.sum())
        if k > 2:
            alpha_deleted, alpha_standardized_deleted = _alpha_from(rest)
        else:
            alpha_deleted = alpha_standardized_deleted = math.nan
        column = data[name]
        answered = column.notna()
        item_statistics.append(
            ItemReliability(
                item=name,
                reversed=name in reversed_names,
                n=int(answered.sum()),
                mean=float(column.mean()),
                sd=float(column.std()),
                item_total_r=float(np.corrcoef(column[answered], score[answered])[0, 1]),
                item_rest_r=float(item_rest_r),
                alpha_if_deleted=alpha_deleted,
                alpha_standardized_if_deleted=alpha_standardized_deleted,
            )
        )
    warnings = []
    negative = [item.item for item in item_statistics if item.item_rest_r < 0]
    if negative:
        warnings.append(
            f"{', '.join(negative)} correlate(s) negatively with the other items; reverse-keyed but not reversed?"
        )
    return CronbachAlpha(
        items=names,
        reversed_items=reversed_names,
        missing_data=missing,
        n=n,
        n_complete=int(data.notna().all(axis=1).sum()),
        alpha=alpha,
        alpha_standardized=alpha_standardized,
        average_inter_item_r=average_r,
        confidence=confidence,
        alpha_ci_low=ci_low,
        alpha_ci_high=ci_high,
        standard_error=standard_error,
        duhachek_ci_low=alpha - z * standard_error,
        duhachek_ci_high=alpha + z * standard_error,
        score_mean=float(score.mean()),
        score_sd=float(score.std()),
        item_statistics=tuple(item_statistics),
        warnings=tuple(warnings),
    )


@dataclass(frozen=True, slots=True)
class McDonaldOmega:
    """McDonald's omega total of one scale from a one-factor minres solution."""

    items: tuple[str, ...]
    reversed_items: tuple[str, ...]
    missing_data: str
    matrix: str  # "correlation" (standardised items) or "covariance"
    n: int
    omega_total: float
    loadings: tuple[float, ...]
    uniquenesses: tuple[float, ...]
    heywood_items: tuple[str, ...]  # items whose uniqueness the fit pushed to its lower bound

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "reversed_items": list(self.reversed_items),
            "missing_data": self.missing_data,
            "matrix": self.matrix,
            "n": self.n,
            "omega_total": self.omega_total,
            "loadings": dict(zip(self.items, self.loadings, strict=True)),
            "uniquenesses": dict(zip(self.items, self.uniquenesses, strict=True)),
            "heywood_items": list(self.heywood_items),
        }


def mcdonald_omega(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] | Sequence[bool] = (),
    scale: tuple[float, float] | None = None,
    missing: MissingData = "pairwise",
    matrix: OmegaMatrix = "correlation",
) -> McDonaldOmega:
    """McDonald's omega total of a scale, one factor, as ``psych::omega(x, nfactors=1, fm="minres")``.

    With S the item correlation (or covariance) matrix, λ the one-factor minres loadings and
    ψ = diag(S) − λ² the uniquenesses::

        omega_total = 1 − Σψ / 1'S1

    which equals (Σλ)² / ((Σλ)² + Σψ) when the one-factor model reproduces S exactly (McDonald 1999).

    Estimator choices
    -----------------
    * ``matrix="correlation"`` (psych's default ``covar=FALSE``) gives omega of the standardised items;
      ``"covariance"`` of the raw items, by psych's minres criterion (see ``one_factor_minres``).
    * Correlations are pairwise-complete unless ``missing="listwise"``.
    * A uniqueness pushed to psych's lower bound .005 (a Heywood case) is named in ``heywood_items``.

    Parameters
    ----------
    items, reverse, scale, missing
        As for :func:`cronbach_alpha`; at least 3 items.
    matrix
        ``"correlation"`` or ``"covariance"``.

    References
    ----------
    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Mahwah, NJ: Erlbaum.
    Revelle, W. & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega and the glb. Psychometrika 74,
    145–154.

    Checked against R ``psych::omega`` 2.2.9 (omega_total to 1e-3 on every block of
    ``reliability_psych.json``; METHODS §5 Holzinger–Swineford x1–x3, ω_t = .6350718).

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"q1": [4, 5, 3, 2, 5, 4], "q2": [4, 4, 3, 1, 5, 5], "q3": [5, 5, 2, 2, 4, 4]})
    >>> round(mcdonald_omega(answers).omega_total, 4)
    0.9286
    """
    if matrix not in ("correlation", "covariance"):
        raise ValueError(f"matrix must be 'correlation' or 'covariance', not {matrix!r}.")
    data, reversed_names = _prepared(items, reverse, scale, missing, minimum_items=3)
    names = tuple(str(column) for column in data.columns)
    observed = (data.corr() if matrix == "correlation" else data.cov()).to_numpy()
    if np.isnan(observed).any():
        raise ValueError("items has a pair of items that no respondent answered together.")
    factor = one_factor_minres(observed, covariance=matrix == "covariance")
    omega_total = 1.0 - sum(factor.uniquenesses) / float(observed.sum())
    return McDonaldOmega(
        items=names,
        reversed_items=reversed_names,
        missing_data=missing,
        matrix=matrix,
        n=len(data),
        omega_total=omega_total,
        loadings=factor.loadings,
        uniquenesses=factor.uniquenesses,
        heywood_items=tuple(name for name, bound in zip(names, factor.at_bound, strict=True) if bound),
    )


@dataclass(frozen=True, slots=True)
class ScaleReliability:
    """Alpha and omega of one scale, as ``loyalty measure reliability`` reports them."""

    alpha: CronbachAlpha
    omega: McDonaldOmega | None  # None for a two-item scale: one factor is not identified
    omega_hierarchical: OmegaHierarchical | None = None  # when group factors were asked for

    def as_dict(self) -> dict[str, Any]:
        """Alpha's fields at the top, then ``omega_total``, the omega block and omega hierarchical."""
        return {
            **self.alpha.as_dict(),
            "omega_total": None if self.omega is None else self.omega.omega_total,
            "omega": None if self.omega is None else self.omega.as_dict(),
            "omega_hierarchical": None if self.omega_hierarchical is None else self.omega_hierarchical.as_dict(),
        }


def scale_reliability(
    items: pd.DataFrame,
    *,
    reverse: Sequence[str] | Sequence[bool] = (),
    scale: tuple[float, float] | None = None,
    missing: MissingData = "pairwise",
    confidence: float = 0.95,
    groups: int | None = None,
) -> ScaleReliability:
    """Cronbach's alpha and McDonald's omega total (on correlations) of one scale, and omega hierarchical
    when `groups` (the number of group factors, ≥ 3) is given.

    See :func:`cronbach_alpha`, :func:`mcdonald_omega` and :func:`omega_hierarchical` for the formulas and
    choices; omega needs at least three items and is None for two.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"q1": [4, 5, 3, 2, 5, 4], "q2": [4, 4, 3, 1, 5, 5], "q3": [5, 5, 2, 2, 4, 4]})
    >>> result = scale_reliability(answers)
    >>> round(result.alpha.alpha, 4), round(result.omega.omega_total, 4) if result.omega else None
    (0.9176, 0.9286)
    """
    alpha = cronbach_alpha(items, reverse=reverse, scale=scale, missing=missing, confidence=confidence)
    omega = mcdonald_omega(items, reverse=reverse, scale=scale, missing=missing) if items.shape[1] >= 3 else None
    hierarchical = (
        None
        if groups is None
        else omega_hierarchical(items, groups=groups, reverse=reverse, scale=scale, missing=missing)
    )
    return ScaleReliability(alpha=alpha, omega=omega, omega_hierarchical=hierarchical)


@dataclass(frozen=True, slots=True)
class GroupFactorOmega:
    """Omega of the items that load most on one group factor (psych's ``omega.group`` rows)."""

    factor: str  # "F1*", "F2*", … in psych's order
    items: tuple[str, ...]
    omega_total: float  # (general² + group²) / variance of these items
    omega_general: float  # what the general factor explains of them
    omega_group: float  # what the group factor explains beyond the general one

    def as_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "items": list(self.items),
            "omega_total": self.omega_total,
            "omega_general": self.omega_general,
            "omega_group": self.omega_group,
        }


@dataclass(frozen=True, slots=True)
class OmegaHierarchical:
    """McDonald's omega hierarchical and total of a multidimensional scale (Schmid–Leiman bifactor)."""

    items: tuple[str, ...]
    reversed_items: tuple[str, ...]
    missing_data: str
    n: int
    groups: int
    omega_hierarchical: float  # (Σ general loadings)² / 1'R1
    omega_total: float  # 1 − Σ uniquenesses / 1'R1
    omega_limit: float  # psych "omega H asymptotic": omega_h / omega_t
    alpha_standardized: float  # of the items as psych keys them (see flipped_items)
    g6: float  # Guttman's lambda 6
    general_loadings: tuple[float, ...]
    flipped_items: tuple[str, ...]  # items with a negative general loading, which psych turns for the sums
    group_factors: tuple[GroupFactorOmega, ...]
    omega_group_factors: float  # Σ over groups of (Σ group loadings)² / 1'R1

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "reversed_items": list(self.reversed_items),
            "missing_data": self.missing_data,
            "n": self.n,
            "groups": self.groups,
            "omega_hierarchical": self.omega_hierarchical,
            "omega_total": self.omega_total,
            "omega_limit": self.omega_limit,
            "alpha_standardized": self.alpha_standardized,
            "g6": self.g6,
            "general_loadings": dict(zip(self.items, self.general_loadings, strict=True)),
            "flipped_items": list(self.flipped_items),
            "group_factors": [group.as_dict() for group in self.group_factors],
            "omega_group_factors": self.omega_group_factors,
        }


def omega_hierarchical(
    items: pd.DataFrame,
    *,
    groups: int,
    reverse: Sequence[str] | Sequence[bool] = (),
    scale: tuple[float, float] | None = None,
    missing: MissingData = "pairwise",
) -> OmegaHierarchical:
    """McDonald's omega hierarchical and omega total of a scale with a general and `groups` group factors,
    as ``psych::omega(x, nfactors=groups, fm="minres", rotate="oblimin")``.

    From the Schmid–Leiman solution of the item correlations R (see
    :func:`measure.factor_analysis.schmid_leiman`) with general loadings g and uniquenesses u::

        omega_hierarchical = (Σ g)² / 1'R1
        omega_total        = 1 − Σ u / 1'R1
        omega_limit        = (Σ g)² / (1'R1 − Σ u)

    and per group factor, over the items loading most on it, (Σ g)² and (Σ group loadings)² over the
    sum of their correlations.

    Estimator choices
    -----------------
    * As psych (``flip = TRUE``), items with a negative general loading are turned before the sums
      (named in ``flipped_items``) — reverse-keyed items should be reversed through `reverse` first.
    * Pairwise correlations unless ``missing="listwise"``; correlations, not covariances.

    References
    ----------
    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Zinbarg, R. E., Revelle, W., Yovel, I. & Li, W.
    (2005). Cronbach's α, Revelle's β, and McDonald's ω_H. Psychometrika 70, 123–133.

    Checked against R ``psych::omega`` 2.2.9 on the 25 bfi items with 5 group factors (every quantity
    to 1e-12).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> general, group = rng.normal(size=(500, 1)), rng.normal(size=(500, 3))
    >>> scores = 0.6 * general + 0.5 * np.repeat(group, 3, axis=1) + 0.6 * rng.normal(size=(500, 9))
    >>> answers = pd.DataFrame(scores, columns=[f"q{i}" for i in range(1, 10)])
    >>> result = omega_hierarchical(answers, groups=3)
    >>> round(result.omega_hierarchical, 2), round(result.omega_total, 2)
    (0.73, 0.92)
    """
    data, reversed_names = _prepared(items, reverse, scale, missing, minimum_items=2 * max(groups, 3))
    names = tuple(str(column) for column in data.columns)
    correlation = data.corr().to_numpy()
    if np.isnan(correlation).any():
        raise ValueError("items has a pair of items that no respondent answered together.")
    solution = schmid_leiman(correlation, groups=groups)
    keys = np.where(solution.general_loadings < 0, -1.0, 1.0)
    keyed = correlation * np.outer(keys, keys)
    general = solution.general_loadings * keys
    group_loadings = solution.group_loadings * keys[:, None]
    total = float(keyed.sum())
    common = total - float(solution.uniquenesses.sum())
    k = len(names)
    nearest_group = np.argmax(np.abs(group_loadings), axis=1)
    group_factors = []
    explained_by_groups = 0.0
    for factor in range(groups):
        members = np.flatnonzero(nearest_group == factor)
        if not len(members):
            continue
        block = float(keyed[np.ix_(members, members)].sum())
        group_sum = float(group_loadings[members, factor].sum())
        general_sum = float(general[members].sum())
        explained_by_groups += group_sum**2
        group_factors.append(
            GroupFactorOmega(
                factor=f"F{factor + 1}*",
                items=tuple(names[member] for member in members),
                omega_total=(group_sum**2 + general_sum**2) / block,
                omega_general=general_sum**2 / block,
                omega_group=group_sum**2 / block,
            )
        )
    smc = 1.0 - 1.0 / np.diag(np.linalg.pinv(keyed))  # squared multiple correlations
    return OmegaHierarchical(
        items=names,
        reversed_items=reversed_names,
        missing_data=missing,
        n=len(data),
        groups=groups,
        omega_hierarchical=float(general.sum()) ** 2 / total,
        omega_total=common / total,
        omega_limit=float(general.sum()) ** 2 / common,
        alpha_standardized=(total - k) / total * k / (k - 1),
        g6=(total + float(smc.sum()) - k) / total,
        general_loadings=tuple(float(value) for value in general),
        flipped_items=tuple(name for name, key in zip(names, keys, strict=True) if key < 0),
        group_factors=tuple(group_factors),
        omega_group_factors=explained_by_groups / total,
    )
