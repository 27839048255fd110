"""Weights of the loyalty indicators: equal, expert judgment (AHP), or derived from the data.

Every method returns the same `IndicatorWeights`, which names each indicator's weight and keeps what
explains it (AHP consistency, entropies, CRITIC information, PCA eigenvalues). Data-derived weights change
from wave to wave; to keep quarters comparable, compute them once on a baseline wave and pass the
same object (or `IndicatorWeights.from_dict` of its saved JSON) to every later wave (METHODS §12).

Data-derived weights are computed on normalised scores (0–1, 1 = most loyal) of the respondents who
have every indicator (complete cases), unweighted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from measure.ahp import AhpMethod, RandomIndexTable, ahp_weights

METHODS = ("equal", "ahp", "entropy", "critic", "pca", "combined")


@dataclass(frozen=True, slots=True)
class IndicatorWeights:
    """One weight per indicator (summing to 1) and how it was obtained."""

    indicators: tuple[str, ...]
    weights: tuple[float, ...]
    method: str  # equal, ahp, entropy, critic, pca or combined
    lambda_max: float | None = None  # AHP: principal eigenvalue
    consistency_index: float | None = None  # AHP: CI
    consistency_ratio: float | None = None  # AHP: CR
    random_index_table: str | None = None  # AHP: which RI table gave CR
    entropy: tuple[float, ...] | None = None  # entropy method: e_j per indicator
    information: tuple[float, ...] | None = None  # CRITIC: C_j = σ_j Σ_k (1 − r_jk)
    eigenvalues: tuple[float, ...] | None = None  # PCA: of the correlation matrix, largest first
    components: int | None = None  # PCA: components retained
    complete_cases: int | None = None  # data-derived: respondents with every indicator, who set the weights
    notes: tuple[str, ...] = ()  # warnings a reader must see (inconsistent AHP, constant indicators)
    description: str = ""  # combined: how, e.g. "linear: 0.5 × ahp + 0.5 × entropy"

    def weight_of(self) -> dict[str, float]:
        """Indicator → weight."""
        return dict(zip(self.indicators, self.weights, strict=True))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: method, weights (indicator → weight) and the diagnostics the method has."""
        result: dict[str, object] = {"method": self.method, "weights": self.weight_of()}
        for field in (
            "lambda_max",
            "consistency_index",
            "consistency_ratio",
            "random_index_table",
            "components",
            "complete_cases",
        ):
            value = getattr(self, field)
            if value is not None:
                result[field] = value
        for field in ("entropy", "information", "eigenvalues"):
            value = getattr(self, field)
            if value is not None:
                result[field] = (
                    list(value) if field == "eigenvalues" else dict(zip(self.indicators, value, strict=True))
                )
        result["notes"] = list(self.notes)
        if self.description:
            result["description"] = self.description
        return result

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> IndicatorWeights:
        """Weights saved by `as_dict` (e.g. a baseline wave's JSON), to be reused unchanged.

        Examples
        --------
        >>> saved = equal_weights(["trust", "churn"]).as_dict()
        >>> IndicatorWeights.from_dict(saved).weights
        (0.5, 0.5)
        """
        weights = data.get("weights")
        if not isinstance(weights, Mapping) or not weights:
            raise ValueError(f"data must have 'weights' mapping indicator → weight; got {weights!r}.")
        names = tuple(str(name) for name in weights)
        values = tuple(_weight_value(name, weights[name]) for name in names)
        method = str(data.get("method", "frozen"))
        notes = data.get("notes", ())
        numbers = {
            field: float(data[field])  # type: ignore[arg-type]
            for field in ("lambda_max", "consistency_index", "consistency_ratio")
            if data.get(field) is not None
        }
        return cls(
            indicators=names,
            weights=_sum_to_one(values, "weights"),
            method=method,
            random_index_table=str(data["random_index_table"]) if data.get("random_index_table") else None,
            lambda_max=numbers.get("lambda_max"),
            consistency_index=numbers.get("consistency_index"),
            consistency_ratio=numbers.get("consistency_ratio"),
            notes=tuple(str(note) for note in notes) if isinstance(notes, list | tuple) else (),
            description=str(data.get("description", "")),
        )


def equal_weights(indicators: Sequence[str]) -> IndicatorWeights:
    """Equal weights ``w_j = 1/m``.

    Examples
    --------
    >>> equal_weights(["repeat_purchases", "trust"]).weight_of()
    {'repeat_purchases': 0.5, 'trust': 0.5}
    """
    names = _names(indicators)
    return IndicatorWeights(names, tuple(1 / len(names) for _ in names), "equal")


def indicator_ahp_weights(
    indicators: Sequence[str],
    matrix: ArrayLike,
    *,
    method: AhpMethod = "eigenvector",
    random_index_table: RandomIndexTable = "saaty1980",
    accept_inconsistent: bool = False,
) -> IndicatorWeights:
    """AHP weights of named indicators from an expert's pairwise-comparison matrix (rows in that order).

    See `measure.ahp.ahp_weights` for the formula, the random index tables and the CR > 0.10 rule;
    an inconsistent matrix accepted on request carries its warning in `notes`.

    Examples
    --------
    >>> result = indicator_ahp_weights(["trust", "churn"], [[1, 3], [1 / 3, 1]])
    >>> result.weight_of(), result.consistency_ratio
    ({'trust': 0.75, 'churn': 0.25}, 0.0)
    """
    names = _names(indicators)
    result = ahp_weights(
        matrix, method=method, random_index_table=random_index_table, accept_inconsistent=accept_inconsistent
    )
    if len(result.weights) != len(names):
        raise ValueError(f"matrix has {len(result.weights)} rows but {len(names)} indicators are named: {list(names)}.")
    return IndicatorWeights(
        names,
        result.weights,
        "ahp",
        lambda_max=result.lambda_max,
        consistency_index=result.consistency_index,
        consistency_ratio=result.consistency_ratio,
        random_index_table=result.random_index_table,
        notes=(result.warning,) if result.warning else (),
    )


def entropy_weights(scores: pd.DataFrame, *, shift: float = 0.0) -> IndicatorWeights:
    """Entropy weights: indicators on which respondents differ more get more weight.

    Formula
    -------
    ``p_ij = z_ij / Σ_i z_ij``; ``e_j = −(1/ln n) Σ_i p_ij ln p_ij`` with 0·ln 0 = 0; ``d_j = 1 − e_j``;
    ``w_j = d_j / Σ_k d_k``. Some papers add a small `shift` (e.g. 1e-4) to every z first.

    Estimator choices
    -----------------
    Complete cases, unweighted. An indicator constant in the data (all z equal, or all 0) carries no
    information: e = 1, weight 0, and a note says so. All indicators constant is a ValueError.

    Parameters
    ----------
    scores : pandas.DataFrame
        Normalised scores (0–1), one column per indicator.
    shift : float
        Added to every score first (0 by default; 1e-4 in some papers).

    Returns
    -------
    IndicatorWeights
        With the entropies e_j in `entropy`.

    References
    ----------
    Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight of evaluating
    indicators in fuzzy synthetic evaluation for water quality assessment. J Environ Sci 18(5):1020–1023.

    Examples
    --------
    >>> scores = pd.DataFrame({"trust": [1.0, 0.5, 0.0], "churn": [1.0, 0.9, 0.8]})
    >>> [round(w, 4) for w in entropy_weights(scores).weights]
    [0.9912, 0.0088]
    """
    names, z, n = _complete_cases(scores, "scores")
    if shift < 0 or not math.isfinite(shift):
        raise ValueError(f"shift must be a finite number ≥ 0; got {shift}.")
    z = z + shift
    if (z < 0).any():
        raise ValueError("scores must be ≥ 0 for entropy weights (normalise them first).")
    totals = z.sum(axis=0)
    entropy = np.ones(len(names))
    for j in range(len(names)):
        if totals[j] > 0:
            p = z[:, j] / totals[j]
            positive = p[p > 0]
            entropy[j] = float(-(positive * np.log(positive)).sum() / math.log(n))
    divergence = 1 - entropy
    constant = [names[j] for j in range(len(names)) if np.ptp(z[:, j]) == 0]
    divergence[[names.index(name) for name in constant]] = 0.0
    if divergence.sum() <= 0:
        raise ValueError(f"scores are constant for every indicator {list(names)}; entropy weights are undefined.")
    return IndicatorWeights(
        names,
        tuple(float(w) for w in divergence / divergence.sum()),
        "entropy",
        entropy=tuple(float(e) for e in entropy),
        complete_cases=n,
        notes=_constant_notes(constant),
    )


def critic_weights(scores: pd.DataFrame) -> IndicatorWeights:
    """CRITIC weights: contrast (standard deviation) times conflict (low correlation with the others).

    Formula
    -------
    ``C_j = σ_j Σ_k (1 − r_jk)``, ``w_j = C_j / Σ_k C_k``, with σ the standard deviation (ddof = 1) and
    r the Pearson correlation of the normalised scores.

    Estimator choices
    -----------------
    Complete cases, unweighted, σ with n − 1. A constant indicator has σ = 0, hence weight 0 (with a
    note); its correlations are undefined, so it is left out of the other indicators' conflict sums —
    their weights are those of CRITIC on the non-constant indicators.

    Parameters
    ----------
    scores : pandas.DataFrame
        Normalised scores (0–1), one column per indicator.

    Returns
    -------
    IndicatorWeights
        With C_j in `information`.

    References
    ----------
    Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in multiple
    criteria problems: the CRITIC method. Computers & Operations Research 22(7):763–770.

    Examples
    --------
    >>> scores = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [1.0, 0.0, 0.5], "c": [0.2, 0.2, 0.2]})
    >>> [round(w, 4) for w in critic_weights(scores).weights]
    [0.5, 0.5, 0.0]
    """
    names, z, n = _complete_cases(scores, "scores")
    sigma = z.std(axis=0, ddof=1)
    varying = sigma > 0
    if not varying.any():
        raise ValueError(f"scores are constant for every indicator {list(names)}; CRITIC weights are undefined.")
    information = np.zeros(len(names))
    correlation = np.atleast_2d(np.corrcoef(z[:, varying], rowvar=False))
    information[varying] = sigma[varying] * (1 - correlation).sum(axis=1)
    constant = [name for name, varies in zip(names, varying, strict=True) if not varies]
    return IndicatorWeights(
        names,
        tuple(float(w) for w in information / information.sum()),
        "critic",
        information=tuple(float(c) for c in information),
        complete_cases=n,
        notes=_constant_notes(constant),
    )


def pca_weights(scores: pd.DataFrame, *, minimum_explained: float = 0.60) -> IndicatorWeights:
    """Weights from principal components of the correlation matrix (OECD/JRC handbook procedure).

    Formula
    -------
    Retain the components with eigenvalue > 1, adding more until they explain at least
    `minimum_explained` of the variance. With one component, ``w_j = v_1j²`` (its eigenvector squared).
    With several: varimax-rotate the loadings, square them, scale each factor's squared loadings to sum
    1, give each indicator the largest of its scaled squared loadings times that factor's share of the
    variance the retained factors explain; renormalise to sum 1.

    Estimator choices
    -----------------
    Complete cases, unweighted, Pearson correlations. Constant indicators have no correlation: they are
    left out of the analysis and get weight 0 (with a note).

    Parameters
    ----------
    scores : pandas.DataFrame
        Normalised scores (0–1), one column per indicator.
    minimum_explained : float
        Share of variance the retained components must explain at least.

    Returns
    -------
    IndicatorWeights
        With the correlation matrix's `eigenvalues` and the number of `components` retained.

    References
    ----------
    OECD/JRC (2008). Handbook on Constructing Composite Indicators, §6.1 (weights from PCA/FA).
    Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
    Psychometrika 23:187–200.

    Examples
    --------
    >>> scores = pd.DataFrame({"a": [0.0, 0.5, 1.0, 0.2], "b": [0.1, 0.6, 0.9, 0.3]})
    >>> [round(w, 3) for w in pca_weights(scores).weights]
    [0.5, 0.5]
    """
    names, z, n = _complete_cases(scores, "scores")
    if not 0 < minimum_explained <= 1:
        raise ValueError(f"minimum_explained must be in (0, 1]; got {minimum_explained}.")
    varying = z.std(axis=0, ddof=1) > 0
    if varying.sum() < 2:
        raise ValueError(f"scores need at least two indicators that vary for PCA weights; {list(names)} do not.")
    correlation = np.corrcoef(z[:, varying], rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    share = eigenvalues / eigenvalues.sum()
    retained = max(1, int((eigenvalues > 1).sum()))
    while retained < len(eigenvalues) and share[:retained].sum() < minimum_explained:
        retained += 1
    if retained == 1:
        weights_varying = eigenvectors[:, 0] ** 2
    else:
        loadings = _varimax(eigenvectors[:, :retained] * np.sqrt(eigenvalues[:retained]))
        squared = loadings**2
        factor_variance = squared.sum(axis=0)
        scaled = squared / factor_variance
        factor_share = factor_variance / factor_variance.sum()
        best = scaled.argmax(axis=1)
        weights_varying = scaled[np.arange(len(best)), best] * factor_share[best]
        weights_varying = weights_varying / weights_varying.sum()
    weights = np.zeros(len(names))
    weights[varying] = weights_varying
    constant = [name for name, varies in zip(names, varying, strict=True) if not varies]
    return IndicatorWeights(
        names,
        tuple(float(w) for w in weights),
        "pca",
        eigenvalues=tuple(float(value) for value in eigenvalues),
        components=retained,
        complete_cases=n,
        notes=_constant_notes(constant),
    )


def combined_weights(
    subjective: IndicatorWeights,
    objective: IndicatorWeights,
    *,
    share_subjective: float = 0.5,
    rule: Literal["linear", "multiplicative"] = "linear",
) -> IndicatorWeights:
    """Combine expert (subjective) and data-derived (objective) weights of the same indicators.

    Formula
    -------
    linear: ``w = α w_subjective + (1 − α) w_objective`` with α = `share_subjective`;
    multiplicative: ``w_j ∝ w_subjective,j · w_objective,j``, renormalised.

    Parameters
    ----------
    subjective, objective : IndicatorWeights
        E.g. AHP and entropy weights of the same indicators.
    share_subjective : float
        α of the linear rule, 0–1.
    rule : {"linear", "multiplicative"}

    Returns
    -------
    IndicatorWeights
        Method "combined"; the subjective weights' AHP diagnostics are kept, the rule is in `description`.

    References
    ----------
    METHODS §3.3 (combined subjective/objective weighting).

    Examples
    --------
    >>> expert = IndicatorWeights(("a", "b"), (0.8, 0.2), "ahp")
    >>> data = IndicatorWeights(("a", "b"), (0.4, 0.6), "entropy")
    >>> [round(w, 4) for w in combined_weights(expert, data).weights]
    [0.6, 0.4]
    >>> [round(w, 4) for w in combined_weights(expert, data, rule="multiplicative").weights]
    [0.7273, 0.2727]
    """
    if set(subjective.indicators) != set(objective.indicators):
        raise ValueError(
            f"subjective and objective must weight the same indicators; got {list(subjective.indicators)} "
            f"and {list(objective.indicators)}."
        )
    if not 0 <= share_subjective <= 1:
        raise ValueError(f"share_subjective must be between 0 and 1; got {share_subjective}.")
    names = subjective.indicators
    first = np.array(subjective.weights)
    second = np.array([objective.weight_of()[name] for name in names])
    if rule == "linear":
        combined = share_subjective * first + (1 - share_subjective) * second
    elif rule == "multiplicative":
        combined = first * second
        if combined.sum() <= 0:
            raise ValueError("subjective and objective weights share no indicator with positive weight.")
    else:
        raise ValueError(f"rule must be 'linear' or 'multiplicative'; got {rule!r}.")
    description = (
        f"{rule}: {share_subjective:g} × {subjective.method} + {1 - share_subjective:g} × {objective.method}"
        if rule == "linear"
        else f"multiplicative: {subjective.method} × {objective.method}"
    )
    return replace(
        subjective,
        weights=tuple(float(w) for w in combined / combined.sum()),
        method="combined",
        notes=(*subjective.notes, *objective.notes),
        description=description,
    )


def _names(indicators: Sequence[str]) -> tuple[str, ...]:
    names = tuple(str(name) for name in indicators)
    if not names:
        raise ValueError("indicators must name at least one indicator; got none.")
    if len(set(names)) != len(names):
        raise ValueError(f"indicators must be distinct; got {list(names)}.")
    return names


def _complete_cases(scores: pd.DataFrame, argument: str) -> tuple[tuple[str, ...], NDArray[np.float64], int]:
    names = _names([str(column) for column in scores.columns])
    complete = scores.dropna()
    n = len(complete)
    if n < 3:
        raise ValueError(
            f"{argument} has {n} respondents with every indicator present; data-derived weights need at least 3."
        )
    return names, complete.to_numpy(dtype=float), n


def _constant_notes(constant: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{name} is constant in these data: it carries no information and gets weight 0." for name in constant)


def _varimax(loadings: NDArray[np.float64], iterations: int = 500, tolerance: float = 1e-10) -> NDArray[np.float64]:
    """Kaiser's varimax rotation with Kaiser row normalisation, as R `stats::varimax` (normalize = TRUE)."""
    communality = np.sqrt((loadings**2).sum(axis=1, keepdims=True))
    loadings = loadings / communality
    p, k = loadings.shape
    rotation = np.eye(k)
    criterion = 0.0
    for _ in range(iterations):
        rotated = loadings @ rotation
        u, singular, vt = np.linalg.svd(loadings.T @ (rotated**3 - rotated @ np.diag((rotated**2).sum(axis=0)) / p))
        rotation = u @ vt
        previous, criterion = criterion, float(singular.sum())
        if criterion - previous < tolerance * max(criterion, 1.0):
            break
    result: NDArray[np.float64] = (loadings @ rotation) * communality
    return result


def _weight_value(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"weight of {name} must be a number; got {value!r}.") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"weight of {name} must be a finite number ≥ 0; got {value!r}.")
    return number


def _sum_to_one(values: tuple[float, ...], argument: str) -> tuple[float, ...]:
    total = sum(values)
    if total <= 0:
        raise ValueError(f"{argument} must have a positive sum; got {list(values)}.")
    if abs(total - 1) > 1e-6:
        raise ValueError(f"{argument} must sum to 1; they sum to {total:g}.")
    return values
