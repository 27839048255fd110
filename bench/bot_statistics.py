"""Which person-fit statistic finds answer bots with human-like option weights (the choice behind
`bot_pattern`'s fixed-weighting rule in `measure.response_quality`).

Simulated like the test set of tests/measure/test_response_quality.py: humans answer three correlated
constructs of eight 1–5 items (item means 2.3–4.1, x = clip(round(mean + 0.7·L + 0.7·e), 1, 5)); bots draw
every item from the weights 10/20/35/25/10 %. For 4,000 humans and 0 %, 5 %, 20 % and 40 % bots, each statistic
(with bots) gets the threshold that flags 0.25 % of the humans (known here, unknowable in practice), and the share of
bots above it is printed; the two rules with a fixed threshold (the old one and the current one) are also
run as `screen_responses` runs them.

Statistics: the likelihood ratio of the true generating models (the knowable best); a polytomous l_z with
nonparametric rest-score item response functions (Drasgow et al. 1985; Emons 2008); the Mahalanobis
distance orthogonal to each grid's first principal component; the own-histogram and the pooled fixed
weighting against the rest-score model; the pooled fixed weighting against the multivariate normal (the
rule); the old rule, person–total r < 0.2 with Mahalanobis p < .01.

Run: .venv/bin/python bench/bot_statistics.py
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

from measure.response_quality import ScreeningRules

Array = npt.NDArray[np.float64]
GRIDS, ITEMS = 3, 8
WEIGHTS = np.array([0.1, 0.2, 0.35, 0.25, 0.1])


def sample(rng: np.random.Generator, humans: int, bots: int) -> tuple[Array, list[Array]]:
    means = [np.linspace(2.3, 4.1, ITEMS)[rng.permutation(ITEMS)] for _ in range(GRIDS)]
    latent = rng.multivariate_normal(np.zeros(3), [[1, 0.5, 0.4], [0.5, 1, 0.5], [0.4, 0.5, 1]], size=humans)
    human = np.hstack(
        [
            np.clip(np.rint(means[g] + 0.7 * latent[:, [g]] + 0.7 * rng.normal(size=(humans, ITEMS))), 1, 5)
            for g in range(GRIDS)
        ]
    )
    bot = rng.choice([1.0, 2, 3, 4, 5], size=(bots, GRIDS * ITEMS), p=WEIGHTS)
    return np.vstack([human, bot]), means


def grid(values: Array, g: int) -> Array:
    return values[:, g * ITEMS : (g + 1) * ITEMS]


def true_ratio(values: Array, means: list[Array]) -> Array:
    """log P(bot) − log P(human) under the generating models (grids independent given their factors)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    weights = weights / weights.sum()
    human = np.zeros(len(values))
    for g in range(GRIDS):
        x = grid(values, g)
        likelihood = np.zeros(len(values))
        for node, weight in zip(nodes, weights, strict=True):
            centre = means[g] + 0.7 * node
            upper = np.where(x >= 5, np.inf, (x + 0.5 - centre) / 0.7)
            lower = np.where(x <= 1, -np.inf, (x - 0.5 - centre) / 0.7)
            likelihood += weight * np.prod(stats.norm.cdf(upper) - stats.norm.cdf(lower), axis=1)
        human += np.log(likelihood)
    return np.asarray(np.log(WEIGHTS[values.astype(int) - 1]).sum(axis=1) - human, dtype=np.float64)


def rest_score_model(values: Array) -> tuple[Array, Array]:
    """Per response, log-likelihood and l_z under rest-score item response functions (5 bins, smoothed)."""
    loglik, expected, variance = np.zeros(len(values)), np.zeros(len(values)), np.zeros(len(values))
    for g in range(GRIDS):
        x = grid(values, g).astype(int) - 1
        total = x.sum(axis=1)
        for j in range(ITEMS):
            rest = np.clip(np.rint((total - x[:, j]) / (ITEMS - 1)).astype(int), 0, 4)
            table = np.zeros((5, 5))
            np.add.at(table, (rest, x[:, j]), 1)
            marginal = (table.sum(axis=0) + 0.5) / (table.sum() + 2.5)
            probabilities = (table + marginal) / (table.sum(axis=1, keepdims=True) + 1)
            logs = np.log(probabilities)
            loglik += logs[rest, x[:, j]]
            mean = (probabilities[rest] * logs[rest]).sum(axis=1)
            expected += mean
            variance += (probabilities[rest] * logs[rest] ** 2).sum(axis=1) - mean**2
    return loglik, (loglik - expected) / np.sqrt(variance)


def pooled_loglik(values: Array) -> Array:
    total = np.zeros(len(values))
    for g in range(GRIDS):
        options, counts = np.unique(grid(values, g), return_counts=True)
        total += np.log(counts / counts.sum())[np.searchsorted(options, grid(values, g))].sum(axis=1)
    return total


def own_histogram_loglik(values: Array) -> Array:
    counts = np.stack([(values == option).sum(axis=1) for option in range(1, 6)], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(
            np.where(counts > 0, counts * np.log(counts / values.shape[1]), 0.0).sum(axis=1), dtype=np.float64
        )


def mahalanobis(values: Array) -> Array:
    centred = values - values.mean(axis=0)
    return np.asarray(
        np.einsum("ij,jk,ik->i", centred, np.linalg.pinv(np.cov(values, rowvar=False)), centred), dtype=np.float64
    )


def residual_distance(values: Array) -> Array:
    """Mahalanobis distance orthogonal to each grid's first principal component."""
    total = np.zeros(len(values))
    for g in range(GRIDS):
        x = grid(values, g)
        eigenvalues, vectors = np.linalg.eigh(np.cov(x, rowvar=False))
        projected = (x - x.mean(axis=0)) @ vectors[:, :-1]
        total += (projected**2 / eigenvalues[:-1]).sum(axis=1)
    return total


def robust_z(values: Array) -> Array:
    median = np.median(values)
    return np.asarray((values - median) / (1.4826 * np.median(np.abs(values - median))), dtype=np.float64)


def main() -> None:
    rng = np.random.default_rng(20261124)
    humans = 4000
    rules = ScreeningRules()
    rows: list[tuple[float, str, str, npt.NDArray[np.bool_]]] = []
    for share in (0.0, 0.05, 0.20, 0.40):
        bots = round(humans * share / (1 - share))
        values, means = sample(rng, humans, bots)
        loglik, lz = rest_score_model(values)
        d2 = mahalanobis(values)
        item_means = values.mean(axis=0)
        centred = values - values.mean(axis=1, keepdims=True)
        profile = item_means - item_means.mean()
        person_r = centred @ profile / np.sqrt((centred**2).sum(axis=1) * (profile**2).sum())
        ours = robust_z(pooled_loglik(values) + d2 / 2)
        candidates = {
            "likelihood ratio of the true models (the best possible)": true_ratio(values, means),
            "polytomous l_z, rest-score item response functions": -lz,
            "Mahalanobis D² orthogonal to each grid's first component": residual_distance(values),
            "own-histogram fixed weighting vs rest-score model": own_histogram_loglik(values) - loglik,
            "pooled fixed weighting vs rest-score model": pooled_loglik(values) - loglik,
            "pooled fixed weighting vs multivariate normal (the rule)": ours,
        }
        is_bot = np.arange(len(values)) >= humans
        if bots:  # a threshold set on the humans says nothing without bots
            for name, statistic in candidates.items():
                cut = np.quantile(statistic[~is_bot], 1 - 0.0025)
                rows.append((share, name, "flags 0.25 % of humans", statistic > cut))
        old = (person_r < 0.2) & (stats.chi2.sf(d2, values.shape[1]) < 0.01)
        new = ours > rules.bot_fixed_weighting_z
        rows.append((share, "old rule: person–total r < 0.2 and Mahalanobis p < .01", "as screened", old))
        rows.append((share, "the rule: fixed-weighting z > 2.5", "as screened", new))
        print(f"\n{bots} bots among {humans} humans ({share:.0%}):")
        print("| statistic | threshold | bots found | humans flagged |")
        print("|---|---|---:|---:|")
        for _, name, threshold, flags in [row for row in rows if row[0] == share]:
            found = f"{flags[is_bot].mean():.1%}" if bots else "–"
            print(f"| {name} | {threshold} | {found} | {flags[~is_bot].mean():.2%} |")


if __name__ == "__main__":
    main()
