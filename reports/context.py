"""The report's content, built from the measured waves: a frozen tree of sections, tables, charts and sentences.

Pure: `WaveAnalysis` results (and the few facts the command reads: organisation, data files, software
versions) in, a `ReportContext` out; no files, no database, no clock, so the same data and options give the
same report. Findings and recommendations follow the stated rules below (`findings`, `recommendations`);
each recommendation names the section that holds its evidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reports import charts
from reports.analysis import SEED, WaveAnalysis
from reports.phrases import PHRASES, phrase
from reports.weighting import Headline, headline_index, headline_nps, headline_satisfaction, headline_zone_share

if TYPE_CHECKING:
    import pandas as pd

    from measure.threshold_zones import Zone
    from reports.analysis import ValueMatrixResult

#: A zone A share at or above this is a finding and a recommendation.
ZONE_A_SHARE = 0.20
#: A complaint resolution rate below this is a finding and a recommendation.
RESOLUTION_RATE = 0.60
#: Changes with a two-sided p below this are called statistically meaningful.
ALPHA = 0.05
#: Executive-summary findings: at most this many.
MAX_FINDINGS = 5
#: A share of linked customers in decline at or above this is a recommendation.
DECLINE_SHARE = 0.25
#: Key customers holding this share of revenue or more is a recommendation (revenue concentrated).
KEY_REVENUE_SHARE = 0.60
#: Maintain customers (high value, low potential) holding this share of revenue or more is a recommendation.
MAINTAIN_REVENUE_SHARE = 0.25

SECTION_TITLES = {
    "quality": "quality",
    "satisfaction": "satisfaction",
    "nps": "nps",
    "index": "index",
    "threshold": "thresholds",
    "drivers": "drivers",
    "complaints": "complaints",
    "reliability": "reliability",
    "ladder": "chart_ladder",
    "lifecycle": "lifecycle",
    "value_matrix": "value_matrix",
    "weighting": "weighting",
}


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Chart:
    svg: str


@dataclass(frozen=True)
class Section:
    key: str  # the HTML id, also used by recommendations to point at their evidence
    title: str
    paragraphs: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    bullets: tuple[str, ...] = ()
    parts: tuple[Section, ...] = ()  # sub-sections, each under its own heading after the section's content


@dataclass(frozen=True)
class Cover:
    title: str
    organisation: str
    survey: str
    wave: str
    compared: str  # "" when no wave is compared
    collected: str
    logo: str = ""  # the workspace's logo as a file URI, "" when none is configured


@dataclass(frozen=True)
class DataFile:
    """An import batch of the wave: its files and the SHA-256 of their bytes."""

    names: str
    sha256: str
    imported_at: str


@dataclass(frozen=True)
class ReportContext:
    language: str
    cover: Cover
    sections: tuple[Section, ...]  # in reading order, the executive summary first
    left_out: tuple[str, ...]  # one line per section whose inputs the survey does not have

    @property
    def contents(self) -> tuple[Section, ...]:
        return self.sections


def _number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def _p(p_value: float) -> str:
    return "< 0.001" if p_value < 0.001 else f"{p_value:.3f}"


@dataclass(frozen=True)
class Change:
    earlier_wave: str
    change: float
    p_value: float


def _two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def nps_change(current: WaveAnalysis, earlier: WaveAnalysis) -> Change | None:
    """NPS now minus NPS then, z test on the difference (`net_promoter_change`)."""
    from measure.net_promoter import net_promoter_change

    if current.nps is None or earlier.nps is None:
        return None
    if current.weighting is not None or earlier.weighting is not None:
        return headline_change(headline_nps(current), headline_nps(earlier), earlier, 1.0)
    result = net_promoter_change(earlier.nps.ratings, current.nps.ratings)
    return Change(earlier.wave.wave, result.change, result.p_value)


def index_change_since(current: WaveAnalysis, earlier: WaveAnalysis) -> Change | None:
    """Index now minus index then, Welch t test (`index_change`)."""
    from measure.loyalty_index import index_change

    if current.index is None or earlier.index is None:
        return None
    if current.weighting is not None or earlier.weighting is not None:
        return headline_change(headline_index(current), headline_index(earlier), earlier, 1.0)
    result = index_change(current.index.overall, earlier.index.overall)
    return Change(earlier.wave.wave, result.change, result.p_value)


def satisfaction_change(current: WaveAnalysis, earlier: WaveAnalysis) -> Change | None:
    """Mean satisfaction now minus then, Welch's t test from the two means, standard errors and sizes."""
    from scipy import stats

    if current.satisfaction is None or earlier.satisfaction is None:
        return None
    if current.weighting is not None or earlier.weighting is not None:
        return headline_change(headline_satisfaction(current), headline_satisfaction(earlier), earlier, 1.0)
    a, b = current.satisfaction, earlier.satisfaction
    test = stats.ttest_ind_from_stats(
        a.mean, a.standard_error * math.sqrt(a.n), a.n, b.mean, b.standard_error * math.sqrt(b.n), b.n, equal_var=False
    )
    return Change(earlier.wave.wave, a.mean - b.mean, float(test.pvalue))


def zone_share_change(current: WaveAnalysis, earlier: WaveAnalysis, zone: str) -> Change | None:
    """Share of a zone now minus then (each wave's own zones), two-proportion z test."""
    if current.threshold is None or earlier.threshold is None:
        return None
    if current.weighting is not None or earlier.weighting is not None:
        return headline_change(headline_zone_share(current, zone), headline_zone_share(earlier, zone), earlier, 100.0)
    counts = []
    for analysis in (current, earlier):
        assert analysis.threshold is not None
        zones = {z.name: z for z in analysis.threshold.analysis.zones.zones}
        total = sum(z.count for z in zones.values())
        if zone not in zones or total == 0:
            return None
        counts.append((zones[zone].count, total))
    (x1, n1), (x2, n2) = counts
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    difference = x1 / n1 - x2 / n2
    p_value = 1.0 if se == 0 else _two_sided(difference / se)
    return Change(earlier.wave.wave, 100 * difference, p_value)


def headline_change(now: Headline | None, then: Headline | None, earlier: WaveAnalysis, scale: float) -> Change | None:
    """A change between waves when either is weighted: z test on the difference of the two estimates with
    their linearised standard errors, the waves taken as independent samples (`scale` 100 for shares)."""
    if now is None or then is None:
        return None
    se = math.hypot(now.standard_error, then.standard_error)
    difference = now.value - then.value
    p_value = 1.0 if se == 0 else _two_sided(difference / se)
    return Change(earlier.wave.wave, scale * difference, p_value)


def build_context(
    current: WaveAnalysis,
    compared: Sequence[WaveAnalysis],
    *,
    language: str,
    organisation: str,
    data_files: Sequence[DataFile],
    software: dict[str, str],
    logo: str = "",
) -> ReportContext:
    """The whole report for `current`, compared with the earlier waves `compared` (oldest first; the last one
    is "the last wave" of the executive summary)."""
    t = _Phrases(language)
    earlier = compared[-1] if compared else None
    wave = current.wave
    submitted = wave.responses["submitted_at"].dropna()
    collected = (
        t("cover_collected", first=f"{submitted.min():%Y-%m-%d}", last=f"{submitted.max():%Y-%m-%d}")
        if len(submitted)
        else ""
    )
    cover = Cover(
        t("report_title"),
        organisation,
        t("cover_survey", survey=wave.survey),
        t("cover_wave", wave=wave.wave),
        t("cover_compared", waves=", ".join(w.wave.wave for w in compared)) if compared else "",
        collected,
        logo,
    )
    sections = [_summary(current, earlier, t)]
    builders = (
        ("quality", _quality_section),
        ("index", lambda c, t: _index_section(c, compared, t)),
        ("threshold", lambda c, t: _threshold_section(c, compared, t)),
        ("nps", lambda c, t: _nps_section(c, compared, t)),
        ("drivers", _drivers_section),
        ("ladder", lambda c, t: _customers_section(c, compared, t)),
        ("complaints", _complaints_section),
        ("reliability", _reliability_section),
    )
    for key, build in builders:
        missing = key in current.left_out or (key == "reliability" and not current.reliability)
        if missing and not (key == "ladder" and _has_customer_results(current)):
            continue
        sections.append(build(current, t))
    sections.append(_recommendations(current, sections, t))
    sections.append(_methods(current, data_files, software, t))
    left_out = tuple(_left_out_line(key, reason, t) for key, reason in current.left_out.items())
    left_out += tuple(
        t("wave_unweighted", wave=w.wave.wave, reason=_left_out_reason(w.left_out["weighting"], t))
        for w in compared
        if "weighting" in w.left_out
    )
    return ReportContext(language, cover, tuple(sections), left_out)


class _Phrases:
    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        return phrase(self.language, key, **values)

    def code(self, kind: str, name: str) -> str:
        """A code from the data (a screening reason, construct, weighting method …) in words, else as it is."""
        key = f"{kind}_{name}"
        return phrase(self.language, key) if key in PHRASES[self.language] else name


def _meaningful(change: Change | None, t: _Phrases, earlier: WaveAnalysis | None = None) -> tuple[str, str]:
    if change is None:
        return (t("not_comparable", wave=earlier.wave.wave) if earlier else t("not_compared")), "—"
    sign = "+" if change.change >= 0 else "−"
    verdict = t("yes_p" if change.p_value < ALPHA else "no_p", p=_p(change.p_value))
    return f"{sign}{abs(change.change):.1f}", verdict


def _summary(current: WaveAnalysis, earlier: WaveAnalysis | None, t: _Phrases) -> Section:
    rows: list[tuple[str, ...]] = []
    if (o := headline_index(current)) is not None:
        change = index_change_since(current, earlier) if earlier else None
        rows.append(
            (t("loyalty_index"), _number(o.value), f"{o.ci_low:.1f}–{o.ci_high:.1f}", *_meaningful(change, t, earlier))
        )
    if (s := headline_nps(current)) is not None:
        change = nps_change(current, earlier) if earlier else None
        rows.append((t("nps"), _number(s.value), f"{s.ci_low:.1f} – {s.ci_high:.1f}", *_meaningful(change, t, earlier)))
    if (m := headline_satisfaction(current)) is not None:
        change = satisfaction_change(current, earlier) if earlier else None
        rows.append(
            (t("satisfaction"), _number(m.value), f"{m.ci_low:.1f}–{m.ci_high:.1f}", *_meaningful(change, t, earlier))
        )
    if current.threshold is not None:
        for zone in current.threshold.analysis.zones.zones:
            change = zone_share_change(current, earlier, zone.name) if earlier else None
            share = headline_zone_share(current, zone.name) if current.weighting is not None else None
            interval = f"{100 * share.ci_low:.1f}–{100 * share.ci_high:.1f}%" if share is not None else ""
            value = _percent(share.value if share is not None else zone.share)
            rows.append((t("zone_share", zone=zone.name), value, interval, *_meaningful(change, t, earlier)))
    since = earlier.wave.wave if earlier else "—"
    table = Table((t("measure"), t("value"), t("interval"), t("change", wave=since), t("meaningful")), tuple(rows))
    paragraphs = (_weighted_summary_note(current, t),) if current.weighting is not None else ()
    return Section(
        "summary", t("summary"), paragraphs=paragraphs, tables=(table,), bullets=tuple(findings(current, earlier, t))
    )


def _left_out_line(key: str, reason: str, t: _Phrases) -> str:
    return t("section_left_out", section=t(SECTION_TITLES[key]), reason=_left_out_reason(reason, t))


def _left_out_reason(reason: str, t: _Phrases) -> str:
    return t("not_computed", error=reason[1:]) if reason.startswith("!") else reason


def findings(current: WaveAnalysis, earlier: WaveAnalysis | None, t: _Phrases) -> list[str]:
    """Three to five findings, by these rules in this order: a significant NPS change, a significant index
    change (else the levels of both), a zone A share of 20% or more, the attributes in "concentrate here",
    a complaint resolution rate below 60%. The first five that apply."""
    found: list[str] = []
    index_change = index_change_since(current, earlier) if earlier else None
    score_change = nps_change(current, earlier) if earlier else None
    for change, key in ((score_change, "nps"), (index_change, "index")):
        if change is not None and change.p_value < ALPHA:
            direction = t("rose" if change.change > 0 else "fell")
            if key == "nps" and (score := headline_nps(current)) is not None:
                found.append(
                    t(
                        "finding_nps_change",
                        direction=direction,
                        change=_number(abs(change.change)),
                        wave=change.earlier_wave,
                        score=_number(score.value),
                        meaningful=t("significant"),
                    )
                )
            elif key == "index" and (value := headline_index(current)) is not None:
                found.append(
                    t(
                        "finding_index_change",
                        direction=direction,
                        change=_number(abs(change.change)),
                        wave=change.earlier_wave,
                        value=_number(value.value),
                        meaningful=t("significant"),
                    )
                )
        elif key == "nps" and current.nps is not None:
            s = current.nps.score
            w = current.weighting.nps if current.weighting is not None else None
            found.append(
                t(
                    "finding_nps_level",
                    score=_number(s.score if w is None else w.score),
                    promoters=_percent(s.promoter_share if w is None else w.promoters),
                    detractors=_percent(s.detractor_share if w is None else w.detractors),
                )
            )
        elif key == "index" and (o := headline_index(current)) is not None:
            found.append(
                t("finding_index_level", value=_number(o.value), low=_number(o.ci_low), high=_number(o.ci_high))
            )
    zone_a = _zone(current, "A")
    if zone_a is not None and zone_a.share >= ZONE_A_SHARE:
        found.append(t("finding_zone_a", share=_percent(zone_a.share)))
    concentrate = _concentrate(current, t)
    if concentrate:
        found.append(
            t(
                "finding_concentrate",
                attributes="、".join(concentrate) if "zh" in t.language else ", ".join(concentrate),
            )
        )
    if current.complaints is not None:
        rate = current.complaints.paths.resolution_rate
        if rate is not None and rate.estimate < RESOLUTION_RATE:
            damage = current.complaints.damage.damage
            found.append(
                t(
                    "finding_resolution",
                    resolved=_percent(rate.estimate),
                    lost=f"{damage.lost_customers:,.0f}",
                    base=f"{damage.inputs.customers:,.0f}",
                )
            )
    return found[:MAX_FINDINGS]


def _zone(current: WaveAnalysis, name: str) -> Zone | None:
    if current.threshold is None:
        return None
    return next((z for z in current.threshold.analysis.zones.zones if z.name == name), None)


def attribute_labels(current: WaveAnalysis, language: str) -> dict[str, str]:
    """Attribute code → its grid row text in `language`: the questionnaire's; where the questionnaire is not
    in `language` (a survey written in 简体 and English, reported in 繁體), the item bank's glossary text of
    the same attribute (by code, or by its text in another language); then zh-Hans for zh-Hant; then the code."""
    from surveys.bank import glossary_attribute
    from surveys.questionnaire import Construct

    labels: dict[str, str] = {}
    for variable in current.wave.codebook:
        if variable.construct == Construct.ATTRIBUTE_SATISFACTION and variable.attribute is not None:
            texts = {str(key): value for key, value in variable.text.items()}
            label = texts.get(language)
            if not label:
                entry = glossary_attribute(variable.attribute, texts.values())
                label = None if entry is None else {str(k): v for k, v in entry.text.items()}.get(language)
            fallback = texts.get("zh-Hans") if language == "zh-Hant" else None
            labels[variable.attribute] = label or fallback or variable.attribute
    return labels


def _concentrate(current: WaveAnalysis, t: _Phrases) -> list[str]:
    if current.drivers is None:
        return []
    labels = attribute_labels(current, t.language)
    return [
        labels.get(p.attribute, p.attribute)
        for p in current.drivers.grid.attributes
        if p.quadrant == "concentrate here"
    ]


def _quality_section(current: WaveAnalysis, t: _Phrases) -> Section:
    status = current.status
    total = status.used + sum(status.excluded.values())
    rows: list[tuple[str, ...]] = [
        (t("responses_total"), str(total), ""),
        (t("responses_complete"), str(status.used), _percent(status.used / total) if total else ""),
    ]
    rows.extend(
        (t("left_out_status", status=t.code("status", name)), str(count), _percent(count / total))
        for name, count in status.excluded.items()
    )
    if current.flagged.excluded:
        analysed = len(current.wave.responses)
        rows.append((t("responses_analysed"), str(analysed), _percent(analysed / total)))
    tables = [Table((t("measure"), t("count"), t("share")), tuple(rows))]
    paragraphs = []
    if current.quality is not None:
        q = current.quality
        flags = tuple((t.code("reason", c.reason), str(c.count), _percent(c.share)) for c in q.counts if c.count > 0)
        tables.append(Table((t("flag_reason"), t("count"), t("share")), flags))
        reading = "quality_reading" if current.flagged.excluded or not q.n_flagged else "quality_reading_kept"
        paragraphs.append(t(reading, flagged=q.n_flagged, n=q.n, used=len(current.wave.responses)))
    if current.weighting is not None:
        weighting_paragraphs, weighting_tables = weighting_details(current, t)
        paragraphs.extend(weighting_paragraphs)
        tables.extend(weighting_tables)
    elif "weighting" in current.left_out:
        paragraphs.append(t("weighting_failed", reason=_left_out_reason(current.left_out["weighting"], t)))
    else:
        paragraphs.append(t("unweighted"))
    return Section("quality", t("quality"), paragraphs=tuple(paragraphs), tables=tuple(tables))


def weighting_details(current: WaveAnalysis, t: _Phrases) -> tuple[list[str], list[Table]]:
    """What the weights are and what they do: method, margins, convergence, trimming, design effect and
    effective sample size, which estimates are weighted and which stay unweighted (and why), and the sample
    against the population share of every margin category."""
    assert current.weighting is not None  # by the caller
    weighting = current.weighting
    calibrated = weighting.weights
    summary = calibrated.summary
    plan = weighting.plan
    method = t.code("weighting_method", plan.method)
    variables = _names(weighting.variables, t)
    convergence = (
        t("converged_after", cycles=calibrated.iterations)
        if calibrated.converged
        else t("not_converged", cycles=calibrated.iterations, error=f"{calibrated.max_relative_margin_error:.1e}")
    )
    trimmed = (
        t("weighting_trimmed", low=f"{calibrated.trim_low:g}", high=f"{calibrated.trim_high:g}",
          count=calibrated.trimmed_count)
        if calibrated.trim_low is not None and calibrated.trim_high is not None
        else t("weighting_not_trimmed")
    )  # fmt: skip
    paragraphs = [
        t(
            "weighting_reading",
            source=plan.source,
            method=method,
            variables=variables,
            convergence=convergence,
            trimmed=trimmed,
            deff=f"{summary.design_effect:.2f}",
            n=summary.n,
            n_eff=f"{summary.effective_sample_size:.0f}",
        ),
        t("weighting_scope", deff=f"{summary.design_effect:.2f}"),
    ]
    low, high = summary.minimum / summary.mean, summary.maximum / summary.mean
    weights = Table(
        (t("measure"), t("value")),
        (
            (t("method"), method),
            (t("margin_variables"), variables),
            (t("convergence"), convergence),
            (t("weight_range"), f"{low:.2f} – {high:.2f}"),
            (t("trimmed_count"), str(calibrated.trimmed_count) if calibrated.trim_low is not None else "—"),
            (t("design_effect"), f"{summary.design_effect:.3f}"),
            (t("effective_n"), f"{summary.effective_sample_size:.1f}"),
        ),
        caption=t("weights"),
    )
    return paragraphs, [weights, _margin_shares(current, t)]


def _margin_shares(current: WaveAnalysis, t: _Phrases) -> Table:
    """Per margin category: respondents, their share of the sample, the population share."""
    assert current.weighting is not None  # by the caller
    weighting = current.weighting
    fits = weighting.weights.margins
    (only, *_) = weighting.variables
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    for fit in fits:
        totals[fit.variable] = totals.get(fit.variable, 0.0) + fit.target
        counts[fit.variable] = counts.get(fit.variable, 0) + fit.sample_count
    rows = []
    for fit in fits:
        variable = fit.variable if fit.variable in weighting.plan.margins else only  # post-stratification: cells
        rows.append(
            (
                variable,
                _category_label(current, variable, fit.category, t.language),
                str(fit.sample_count),
                _percent(fit.sample_count / counts[fit.variable]),
                _percent(fit.target / totals[fit.variable]),
            )
        )
    return Table(
        (t("margin"), t("category"), "n", t("sample_share"), t("population_share")),
        tuple(rows),
        caption=t("margin_shares", source=weighting.plan.source),
    )


def _category_label(current: WaveAnalysis, variable: str, category: str, language: str) -> str:
    """A margin category in words: the option's text (without its examples) for choice items, joined with
    " × " for cells; the code itself otherwise."""
    options = {v.code: v.options for v in current.wave.codebook}
    parts = []
    for name, code in zip(variable.split("*"), category.split("*"), strict=False):
        text = next((o.text for o in options.get(name, ()) if str(o.code) == code), None)
        if not text:
            parts.append(code)
            continue
        texts = {str(key): value for key, value in text.items()}
        label = texts.get(language) or texts.get("zh-Hans" if language == "zh-Hant" else "en") or code
        parts.append(label.split("（")[0].split(" (")[0])
    return " × ".join(parts)


def _names(names: Sequence[str], t: _Phrases) -> str:
    return ("、" if "zh" in t.language else ", ").join(names)


def _weighted_summary_note(current: WaveAnalysis, t: _Phrases) -> str:
    assert current.weighting is not None  # by the caller
    weighting = current.weighting
    return t(
        "weighted_summary",
        source=weighting.plan.source,
        variables=_names(weighting.variables, t),
        n_eff=f"{weighting.weights.summary.effective_sample_size:.0f}",
        quality=t("quality"),
    )


def _weighting_method(current: WaveAnalysis, t: _Phrases) -> tuple[str, ...]:
    """The methods appendix on the weights, when the wave was weighted."""
    if current.weighting is None:
        return ()
    return (t("formula_weighting"), t("formula_unweighted_models"))


def _index_section(current: WaveAnalysis, compared: Sequence[WaveAnalysis], t: _Phrases) -> Section:
    assert current.index is not None  # by build_context
    result = current.index
    o = result.overall
    reading = t(
        "index_reading",
        value=_number(o.index),
        low=_number(o.ci_low),
        high=_number(o.ci_high),
        n=o.n,
        k=len(result.indicators),
        method=t.code("method", result.weights.method),
    )
    weights = Table(
        (t("indicator"), t("indicator_score"), t("weight")),
        tuple(
            (t.code("indicator", name), _number(current.indicator_scores.get(name, math.nan)), f"{w:.3f}")
            for name, w in zip(result.weights.indicators, result.weights.weights, strict=True)
        ),
    )
    segments = Table(
        (t("segment", name=current.index_segment or ""), t("value"), t("interval"), "n"),
        tuple(
            (s.segment or "", _number(s.index), f"{s.ci_low:.1f}–{s.ci_high:.1f}", str(s.n)) for s in result.segments
        ),
    )
    tables = [weights, segments]
    charts_: list[Chart] = []
    waves = [*compared, current]
    if len(waves) > 1:
        index_points = [
            charts.TrendPoint(w.wave.wave, h.value, h.ci_low, h.ci_high)
            for w in waves
            if (h := headline_index(w)) is not None
        ]
        nps_points = [
            charts.TrendPoint(w.wave.wave, h.value, h.ci_low, h.ci_high)
            for w in waves
            if (h := headline_nps(w)) is not None
        ]
        charts_.append(Chart(charts.trend_svg(index_points, nps_points, o.n, t.language)))
        tables.append(
            Table(
                (t("wave"), t("loyalty_index"), t("interval")),
                tuple((p.wave, _number(p.value), f"{p.ci_low:.1f}–{p.ci_high:.1f}") for p in index_points),
                caption=t("trend" if current.weighting is None else "trend_weighted"),
            )
        )
    paragraphs = [reading]
    if current.weighting is not None and current.weighting.index is not None:
        weighted = current.weighting.index
        paragraphs.append(
            t("index_weighted", value=_number(weighted.estimate), low=_number(weighted.ci_low),
              high=_number(weighted.ci_high), source=current.weighting.plan.source)
        )  # fmt: skip
    if current.sensitivity is not None:
        sensitivity = current.sensitivity
        paragraphs.append(t("sensitivity_reading", spread=_number(sensitivity.spread)))
        tables.append(
            Table(
                (t("method"), t("value"), t("interval")),
                tuple(
                    (
                        t.code("method", row.method),
                        _number(row.overall.index),
                        f"{row.overall.ci_low:.1f}–{row.overall.ci_high:.1f}",
                    )
                    for row in sensitivity.rows
                ),
                caption=t("sensitivity"),
            )
        )
    return Section("index", t("index"), paragraphs=tuple(paragraphs), charts=tuple(charts_), tables=tuple(tables))


def _threshold_section(current: WaveAnalysis, compared: Sequence[WaveAnalysis], t: _Phrases) -> Section:
    assert current.threshold is not None  # by build_context
    result = current.threshold
    analysis = result.analysis
    zones = analysis.zones
    if zones.source == "model" and analysis.fit.breakpoints:
        breaks = ", ".join(
            f"{psi:.2f} ({low:.2f}–{high:.2f})"
            for psi, low, high in zip(
                analysis.fit.breakpoints, analysis.intervals.low, analysis.intervals.high, strict=False
            )
        )
        reading = t("threshold_reading_found", k=len(analysis.fit.breakpoints), breaks=breaks, source=t("fitted"))
    else:
        reading = t("threshold_reading_none", p=_p(analysis.davies.p_value))
    zone_table = Table(
        (t("zone"), t("zone_range"), t("slope"), t("mean_loyalty"), t("share"), "n"),
        tuple(
            (
                z.name,
                f"{z.low:.2f}–{z.high:.2f}",
                f"{z.slope:.2f}",
                "" if math.isnan(z.mean_loyalty) else _number(z.mean_loyalty),
                _percent(z.share),
                str(z.count),
            )
            for z in zones.zones
        ),
    )
    tables = [zone_table]
    measured = [w for w in [*compared, current] if w.threshold is not None]
    if len(measured) > 1:
        tables.append(
            Table(
                (t("wave"), t("zones_source"), t("breakpoint"), t("zone_share", zone="A"), t("zone_share", zone="C")),
                tuple(_threshold_row(w, t) for w in measured),
                caption=t("threshold_moves"),
            )
        )
    if analysis.quadrants is not None:
        q = analysis.quadrants
        tables.append(
            Table(
                (t("quadrant"), t("count"), t("share")),
                tuple((t(name), str(c), _percent(s)) for name, c, s in zip(q.names, q.counts, q.shares, strict=True)),
                caption="Jones–Sasser",
            )
        )
    chart = Chart(charts.threshold_svg(result.satisfaction, result.loyalty, analysis, t.language))
    return Section("threshold", t("thresholds"), paragraphs=(reading,), charts=(chart,), tables=tuple(tables))


def _threshold_row(wave: WaveAnalysis, t: _Phrases) -> tuple[str, ...]:
    assert wave.threshold is not None  # by the caller
    analysis = wave.threshold.analysis
    zones = {z.name: z for z in analysis.zones.zones}
    breaks = (
        ", ".join(
            f"{psi:.2f} ({low:.2f}–{high:.2f})"
            for psi, low, high in zip(
                analysis.fit.breakpoints, analysis.intervals.low, analysis.intervals.high, strict=False
            )
        )
        if analysis.zones.source == "model"
        else "—"
    )
    return (
        wave.wave.wave,
        t(f"zones_{analysis.zones.source}"),
        breaks or "—",
        _percent(zones["A"].share) if "A" in zones else "—",
        _percent(zones["C"].share) if "C" in zones else "—",
    )


def _nps_section(current: WaveAnalysis, compared: Sequence[WaveAnalysis], t: _Phrases) -> Section:
    assert current.nps is not None  # by build_context
    s = current.nps.score
    reading = t(
        "nps_reading",
        score=_number(s.score),
        low=_number(s.ci_low),
        high=_number(s.ci_high),
        n=s.n,
        promoters=_percent(s.promoter_share),
        passives=_percent(s.passive_share),
        detractors=_percent(s.detractor_share),
    )
    shares = Table(
        (t("measure"), t("count"), t("share")),
        (
            (t("promoters"), str(s.promoters), _percent(s.promoter_share)),
            (t("passives"), str(s.passives), _percent(s.passive_share)),
            (t("detractors"), str(s.detractors), _percent(s.detractor_share)),
        ),
    )
    tables = [shares]
    waves = [w for w in [*compared, current] if w.nps is not None]
    if len(waves) > 1:
        tables.append(
            Table(
                (t("wave"), t("nps"), t("interval"), "n"),
                tuple(
                    (w.wave.wave, _number(h.value), f"{h.ci_low:.1f} – {h.ci_high:.1f}", str(h.n))
                    for w in waves
                    if (h := headline_nps(w)) is not None
                ),
                caption=t("trend" if current.weighting is None else "trend_weighted"),
            )
        )
    chart = Chart(charts.nps_distribution_svg(current.nps.ratings, t.language))
    paragraphs: tuple[str, ...] = (reading,)
    if current.weighting is not None and (w := current.weighting.nps) is not None:
        paragraphs += (
            t("nps_weighted", score=_number(w.score), low=_number(w.ci_low), high=_number(w.ci_high),
              promoters=_percent(w.promoters), detractors=_percent(w.detractors), source=current.weighting.plan.source),
        )  # fmt: skip
    return Section("nps", t("nps"), paragraphs=paragraphs, charts=(chart,), tables=tuple(tables))


def _drivers_section(current: WaveAnalysis, t: _Phrases) -> Section:
    assert current.drivers is not None  # by build_context
    d = current.drivers
    labels = attribute_labels(current, t.language)
    classes = {a.attribute: a.three_factor_class for a in d.penalty_reward.attributes}
    rows = tuple(
        (
            labels.get(p.attribute, p.attribute),
            _number(p.importance),
            f"{p.performance:.2f}",
            t(p.quadrant),
            t(_class_key(classes.get(p.attribute, "indifferent"))),
        )
        for p in sorted(d.grid.attributes, key=lambda p: -p.importance)
    )
    table = Table((t("attribute"), t("importance"), t("performance"), t("quadrant"), t("kano_class")), rows)
    low = min(v.minimum or 0 for v in current.wave.codebook if v.attribute is not None)
    high = max(v.maximum or 0 for v in current.wave.codebook if v.attribute is not None)
    chart = Chart(charts.importance_performance_svg(d.grid, labels, (low, high), d.importance.n, t.language))
    reading = t("drivers_reading", outcome=d.outcome, r2=f"{d.importance.r_squared:.2f}")
    return Section("drivers", t("drivers"), paragraphs=(reading,), charts=(chart,), tables=(table,))


def _customers_section(current: WaveAnalysis, compared: Sequence[WaveAnalysis], t: _Phrases) -> Section:
    """The ladder with its transitions and the lifecycle and value-matrix parts. Changes are against the latest
    compared wave whose respondents are linked to CRM records (an anonymous wave cannot be linked)."""
    earlier = next((w for w in reversed(compared) if w.ladder is not None and w.ladder.crm_keys), None)
    section = _ladder_section(current, t) if current.ladder is not None else Section("customers", t("customers"))
    moves = _ladder_transitions(current, earlier, t)
    if moves is not None:
        paragraph, table = moves
        section = replace(section, paragraphs=(*section.paragraphs, paragraph), tables=(*section.tables, table))
    return replace(section, parts=_customer_parts(current, earlier, t))


def _linked_series(keys: Sequence[str], values: Sequence[str]) -> pd.Series:
    """Stage per stored respondent key; a key seen twice in one wave is ambiguous and left out."""
    import pandas as pd

    series = pd.Series(list(values), index=list(keys), dtype=object)
    return series[~series.index.duplicated(keep=False)]


def _ladder_transitions(current: WaveAnalysis, earlier: WaveAnalysis | None, t: _Phrases) -> tuple[str, Table] | None:
    """METHODS §10.1's transition matrix between the last wave and this one, for respondents placed with
    their CRM records in both (linked by the stored respondent key); None when nobody is in both."""
    from measure.loyalty_ladder import LADDER_STAGES, STAGE_LABELS
    from measure.stage_transitions import stage_transitions

    if earlier is None or current.ladder is None or earlier.ladder is None:
        return None
    before = _linked_series(earlier.ladder.crm_keys, earlier.ladder.crm_stages)
    after = _linked_series(current.ladder.crm_keys, current.ladder.crm_stages)
    if not len(before.index.intersection(after.index)):
        return None
    moves = stage_transitions(before, after, stages=list(LADDER_STAGES))
    used = [i for i in range(len(moves.stages)) if sum(moves.counts[i]) or sum(row[i] for row in moves.counts)]
    names = [STAGE_LABELS.get(moves.stages[i], {}).get(t.language, moves.stages[i]) for i in used]
    rows = tuple((names[a], *(str(moves.counts[i][j]) for j in used)) for a, i in enumerate(used))
    waves = {"earlier": earlier.wave.wave, "later": current.wave.wave}
    paragraph = t("ladder_transitions", linked=moves.linked, stability=_percent(moves.stability), **waves)
    needed = earlier.ladder.ladder.rules.client_periods
    if len(earlier.ladder.crm_periods) < needed:
        short = t("ladder_transitions_short", earlier=earlier.wave.wave, m=len(earlier.ladder.crm_periods), k=needed)
        paragraph = f"{paragraph}{short}"
    return paragraph, Table((t("transition_from"), *names), rows, caption=t("ladder_transitions_caption", **waves))


def _value_class_stability(current: WaveAnalysis, earlier: WaveAnalysis | None, t: _Phrases) -> str:
    """METHODS §10.3's class stability across waves: the share of respondents linked in both waves whose value
    class is the same, and how many key customers stayed key; "" when nobody is in both."""
    from measure.stage_transitions import stage_transitions
    from measure.value_matrix import VALUE_CLASSES

    if earlier is None or current.value_matrix is None or earlier.value_matrix is None:
        return ""

    def classes(result: ValueMatrixResult) -> pd.Series:
        series = _linked_series(list(result.inputs.customers["respondent"].astype(str)), result.matrix.classes)
        return series[series.isin(VALUE_CLASSES)]

    before, after = classes(earlier.value_matrix), classes(current.value_matrix)
    if not len(before.index.intersection(after.index)):
        return ""
    moves = stage_transitions(before, after, stages=list(VALUE_CLASSES))
    key = moves.stages.index("key")
    return t(
        "value_matrix_stability",
        earlier=earlier.wave.wave,
        later=current.wave.wave,
        linked=moves.linked,
        stability=_percent(moves.stability),
        key_stayed=_percent(moves.row_shares[key][key]) if sum(moves.counts[key]) else "–",
    )


def _ladder_section(current: WaveAnalysis, t: _Phrases) -> Section:
    assert current.ladder is not None  # by the caller
    result = current.ladder
    label = {"zh-Hans": "label_zh_hans", "zh-Hant": "label_zh_hant", "en": "label_en"}[t.language]
    nps = {row.segment: row.result for row in result.nps_by_stage}

    def stage_nps(stage: str) -> str:
        score = nps.get(stage)
        if score is None:
            return "–"
        return f"{score.score:.1f}{'†' if score.insufficient_base else ''}"

    reading = t("ladder_reading_full" if result.crm_linked else "ladder_reading")
    chart = charts.ladder_svg(
        [(str(getattr(d, label)), d.share) for d in result.ladder.distribution], result.n, t.language
    )
    bands = ", ".join(f"{bound:g}" for bound in result.purchase_bands)
    paragraphs = [reading]
    if result.crm_linked:
        periods = result.crm_periods
        paragraphs.append(
            t(
                "ladder_crm",
                linked=result.crm_linked,
                n=result.n,
                k=result.ladder.rules.client_periods,
                periods=f"{periods[0]}–{periods[-1]}" if len(periods) > 1 else periods[0],
                as_of=f"{result.as_of:%Y-%m-%d}" if result.as_of else "",
                lapse=f"{result.ladder.rules.lapse_months:g}",
                others=(
                    t("ladder_crm_others", count=result.n - result.crm_linked) if result.crm_linked < result.n else ""
                ),
            )
        )
    if bands:
        paragraphs.append(t("ladder_note", item=result.purchase_item, bounds=bands))
    headers: tuple[str, ...] = (t("stage"), t("count"), t("share"))
    rows: tuple[tuple[str, ...], ...] = tuple(
        (str(getattr(d, label)), str(d.count), _percent(d.share)) for d in result.ladder.distribution
    )
    if nps:
        headers = (*headers, t("stage_nps"))
        rows = tuple((*row, stage_nps(d.stage)) for row, d in zip(rows, result.ladder.distribution, strict=True))
        client, repeat = nps.get("client"), nps.get("repeat_customer")
        reading_nps = (
            t("ladder_nps", client=f"{client.score:.1f}", repeat=f"{repeat.score:.1f}")
            if client is not None and repeat is not None
            else ""
        )
        if any(row.result.insufficient_base for row in result.nps_by_stage):
            from measure.net_promoter import MINIMUM_BASE

            reading_nps = f"{reading_nps} {t('ladder_nps_base', minimum=MINIMUM_BASE)}".strip()
        if reading_nps:
            paragraphs.append(reading_nps)
    return Section(
        "customers",
        t("customers"),
        paragraphs=tuple(paragraphs),
        charts=(Chart(chart),),
        tables=(Table(headers, rows),),
    )


def _class_key(name: str) -> str:
    return "performance_class" if name == "performance" else name


def _complaints_section(current: WaveAnalysis, t: _Phrases) -> Section:
    assert current.complaints is not None  # by build_context
    c = current.complaints
    damage = c.damage.damage
    paths = c.paths
    rates = {rate.name: rate for rate in c.damage.rates}

    def rate_text(name: str) -> str:
        rate = rates.get(name)
        return "" if rate is None else _percent(rate.value)

    reading = t(
        "complaints_reading",
        problem=rate_text("problem_rate"),
        complained=rate_text("complaint_rate"),
        resolved=rate_text("resolution_rate"),
        base=f"{damage.inputs.customers:,.0f}",
        lost=f"{damage.lost_customers:,.0f}",
    )
    rate_table = Table(
        (t("rate"), t("value"), t("source")),
        tuple(
            (t(name), rate_text(name), t(f"source_{rates[name].source}"))
            for name in ("problem_rate", "complaint_rate", "resolution_rate")
            if name in rates
        ),
    )
    path_table = Table(
        (t("path"), "n", t("share"), t("repurchase"), t("interval"), t("source")),
        tuple(
            (
                t(g.group),
                str(g.n),
                _percent(g.share),
                _percent(g.repurchase_rate),
                f"{100 * g.ci_low:.1f}–{100 * g.ci_high:.1f}%",
                t(f"source_{rates[g.group].source}") if g.group in rates else "",
            )
            for g in paths.groups
        ),
    )
    return Section(
        "complaints",
        t("complaints"),
        paragraphs=(reading, t("tarp_note", base=f"{damage.inputs.customers:,.0f}")),
        tables=(rate_table, path_table),
    )


def _reliability_section(current: WaveAnalysis, t: _Phrases) -> Section:
    rows = tuple(
        (
            t.code("construct", row.construct),
            str(len(row.result.alpha.items)),
            f"{row.result.alpha.alpha:.2f}",
            f"{row.result.alpha.alpha_ci_low:.2f}–{row.result.alpha.alpha_ci_high:.2f}",
            "" if row.result.omega is None else f"{row.result.omega.omega_total:.2f}",
            str(row.result.alpha.n),
        )
        for row in current.reliability
    )
    table = Table((t("construct"), t("items"), t("alpha"), t("interval"), t("omega"), "n"), rows)
    return Section("reliability", t("reliability"), paragraphs=(t("reliability_reading"),), tables=(table,))


def recommendations(current: WaveAnalysis, t: _Phrases) -> list[tuple[str, str]]:
    """(recommendation, evidence section key) by these rules: each attribute in "concentrate here"; a zone A
    share of 20% or more; each basic factor performing below the mean performance; a resolution rate below
    60%; more detractors than promoters."""
    found: list[tuple[str, str]] = []
    labels = attribute_labels(current, t.language)
    if current.drivers is not None:
        grid = current.drivers.grid
        for p in grid.attributes:
            if p.quadrant == "concentrate here":
                found.append((t("rec_concentrate", attribute=labels.get(p.attribute, p.attribute)), "drivers"))
    zone_a = _zone(current, "A")
    if zone_a is not None and zone_a.share >= ZONE_A_SHARE:
        found.append((t("rec_zone_a", share=_percent(zone_a.share), threshold=f"{zone_a.high:.2f}"), "threshold"))
    if current.drivers is not None:
        grid = current.drivers.grid
        performance = {p.attribute: p.performance for p in grid.attributes}
        for a in current.drivers.penalty_reward.attributes:
            if a.three_factor_class == "basic" and performance.get(a.attribute, math.inf) < grid.performance_crosshair:
                found.append((t("rec_basic", attribute=labels.get(a.attribute, a.attribute)), "drivers"))
    if current.complaints is not None:
        rate = current.complaints.paths.resolution_rate
        if rate is not None and rate.estimate < RESOLUTION_RATE:
            groups = {g.group: g for g in current.complaints.paths.groups}
            found.append(
                (
                    t(
                        "rec_complaints",
                        resolved=_percent(rate.estimate),
                        r_resolved=_percent(groups["complained_resolved"].repurchase_rate),
                        r_unresolved=_percent(groups["complained_unresolved"].repurchase_rate),
                    ),
                    "complaints",
                )
            )
    if current.nps is not None and current.nps.score.detractor_share > current.nps.score.promoter_share:
        s = current.nps.score
        found.append(
            (t("rec_detractors", detractors=_percent(s.detractor_share), promoters=_percent(s.promoter_share)), "nps")
        )
    found.extend(customer_recommendations(current, t))
    return found


def _recommendations(current: WaveAnalysis, sections: Sequence[Section], t: _Phrases) -> Section:
    titles = {section.key: section.title for section in sections}
    bullets = tuple(
        f"{text} {t('evidence', section=titles[key])}" for text, key in recommendations(current, t) if key in titles
    )
    return Section(
        "recommendations",
        t("recommendations"),
        paragraphs=(t("rules"),) if bullets else (t("no_recommendation"), t("rules")),
        bullets=bullets,
    )


def _methods(current: WaveAnalysis, data_files: Sequence[DataFile], software: dict[str, str], t: _Phrases) -> Section:
    minimum = current.index.minimum_indicators if current.index is not None else 4
    formulas = tuple(
        t(key, minimum=minimum) if key == "formula_index" else t(key)
        for key in (
            "formula_index",
            "formula_nps",
            "formula_satisfaction",
            "formula_threshold",
            "formula_drivers",
            "formula_damage",
            "formula_alpha",
        )
    )
    software_table = Table((t("software"), t("version")), tuple(sorted(software.items())), caption=t("software"))
    files = Table(
        (t("file"), t("sha256"), t("imported")),
        tuple((f.names, f.sha256, f.imported_at) for f in data_files),
        caption=t("data_files"),
    )
    exclusions = [
        t("left_out_status", status=f"{t.code('status', name)} {count}")
        for name, count in current.status.excluded.items()
    ]
    if current.quality is not None:
        handling = (
            t("screening_excluded", count=current.flagged.excluded)
            if current.flagged.excluded or not current.flagged.flagged
            else t("screening_kept")
        )
        exclusions.insert(0, t("formula_screening", handling=handling))
    weighting = _weighting_method(current, t)
    return Section(
        "methods",
        t("methods"),
        paragraphs=(*formulas, *weighting, *_customer_formulas(current, t), t("seed", seed=SEED), *exclusions),
        tables=(software_table, files),
    )


def _has_customer_results(current: WaveAnalysis) -> bool:
    return current.lifecycle is not None or current.value_matrix is not None


def _label(row: object, language: str) -> str:
    """The label of a lifecycle row (`label_zh_hans` …) or name of a value class (`name_zh_hans` …)."""
    suffix = language.lower().replace("-", "_")
    return str(getattr(row, f"label_{suffix}", None) or getattr(row, f"name_{suffix}"))


def _customer_parts(current: WaveAnalysis, earlier: WaveAnalysis | None, t: _Phrases) -> tuple[Section, ...]:
    """The lifecycle stages and the value matrix under the customers section, or the line saying why each
    is left out."""
    parts = []
    for key, build in (("lifecycle", _lifecycle_part), ("value_matrix", _value_matrix_part)):
        if key in current.left_out:
            parts.append(Section(key, t(key), paragraphs=(_left_out_line(key, current.left_out[key], t),)))
        else:
            parts.append(build(current, t))
    stability = _value_class_stability(current, earlier, t)
    if stability and parts[-1].key == "value_matrix" and parts[-1].charts:
        parts[-1] = replace(parts[-1], paragraphs=(*parts[-1].paragraphs, stability))
    return tuple(parts)


def _lifecycle_part(current: WaveAnalysis, t: _Phrases) -> Section:
    assert current.lifecycle is not None  # by _customer_parts
    result = current.lifecycle
    inputs = result.inputs
    rows = {row.stage: row for row in result.lifecycle.distribution}
    unclassified = rows.get("unclassified")
    reading = t(
        "lifecycle_reading",
        n=result.n,
        stability=_percent(rows["stability"].share),
        formation=_percent(rows["formation"].share),
        exploration=_percent(rows["exploration"].share),
        decline=_percent(rows["decline"].share),
        unclassified=t("lifecycle_unclassified", share=_percent(unclassified.share), count=unclassified.count)
        if unclassified is not None and unclassified.count
        else "",
    )
    periods = f"{inputs.periods[0]}–{inputs.periods[-1]}" if len(inputs.periods) > 1 else inputs.periods[0]
    note = t(
        "lifecycle_note",
        n=result.n,
        respondents=inputs.respondents,
        periods=periods,
        as_of=f"{inputs.as_of:%Y-%m-%d}",
        survey_trend=t("lifecycle_survey_trend", count=result.trend_from_survey) if result.trend_from_survey else "",
    )
    distribution = result.lifecycle.distribution
    chart = charts.lifecycle_svg(
        [(_label(d, t.language), d.share, d.count) for d in distribution], result.n, t.language
    )
    table = Table(
        (t("stage"), "n", t("share")),
        tuple((_label(d, t.language), str(d.count), _percent(d.share)) for d in distribution),
    )
    return Section("lifecycle", t("lifecycle"), paragraphs=(reading, note), charts=(Chart(chart),), tables=(table,))


def _value_matrix_part(current: WaveAnalysis, t: _Phrases) -> Section:
    assert current.value_matrix is not None  # by _customer_parts
    result = current.value_matrix
    matrix = result.matrix
    classes = {row.value_class: row for row in matrix.summary}
    reading = t(
        "value_matrix_reading",
        current_cut=f"{matrix.current_cut:,.0f}",
        potential_cut=f"{matrix.potential_cut:,.0f}",
        key_class=_percent(classes["key"].share),
        key_revenue=_percent(classes["key"].current_value_share),
        maintain=_percent(classes["maintain"].share),
        maintain_revenue=_percent(classes["maintain"].current_value_share),
        develop=_percent(classes["develop"].share),
        minimal=_percent(classes["minimal"].share),
    )
    paragraphs = [reading]
    if matrix.unclassified:
        paragraphs.append(t("value_matrix_unclassified", count=matrix.unclassified))
    tiles = [
        charts.ValueTile(row.value_class, _label(row, t.language), row.share, row.count, row.current_value_share)
        for row in matrix.summary
    ]
    chart = charts.value_matrix_svg(tiles, matrix.current_cut, matrix.potential_cut, result.n, t.language)
    suffix = t.language.lower().replace("-", "_")
    table = Table(
        (t("value_class"), "n", t("share"), t("revenue_share"), t("resources"), t("strategy")),
        tuple(
            (
                _label(row, t.language),
                str(row.count),
                _percent(row.share),
                _percent(row.current_value_share),
                str(getattr(row, f"resources_{suffix}")),
                str(getattr(row, f"strategy_{suffix}")),
            )
            for row in matrix.summary
        ),
    )
    return Section(
        "value_matrix", t("value_matrix"), paragraphs=tuple(paragraphs), charts=(Chart(chart),), tables=(table,)
    )


def customer_recommendations(current: WaveAnalysis, t: _Phrases) -> list[tuple[str, str]]:
    """(recommendation, "customers") by these rules: DECLINE_SHARE (25%) or more of the linked customers in
    decline; key customers holding KEY_REVENUE_SHARE (60%) or more of the revenue; maintain customers (high
    value, low potential) holding MAINTAIN_REVENUE_SHARE (25%) or more."""
    found: list[tuple[str, str]] = []
    if current.lifecycle is not None:
        decline = next(row for row in current.lifecycle.lifecycle.distribution if row.stage == "decline")
        if decline.share >= DECLINE_SHARE:
            found.append((t("rec_decline", share=_percent(decline.share)), "customers"))
    if current.value_matrix is not None:
        classes = {row.value_class: row for row in current.value_matrix.matrix.summary}
        for name, threshold in (("key", KEY_REVENUE_SHARE), ("maintain", MAINTAIN_REVENUE_SHARE)):
            row = classes[name]
            if row.current_value_share >= threshold:
                found.append(
                    (
                        t(f"rec_{name}", share=_percent(row.share), revenue=_percent(row.current_value_share)),
                        "customers",
                    )
                )
    return found


def _customer_formulas(current: WaveAnalysis, t: _Phrases) -> tuple[str, ...]:
    """The lifecycle and value-matrix rules, with the thresholds used, for the methods appendix."""
    from reports.analysis import SHARE_OF_WALLET_FLOOR

    formulas = []
    if current.lifecycle is not None:
        rules = current.lifecycle.lifecycle.rules
        formulas.append(
            t(
                "formula_lifecycle",
                t1=f"{rules.exploration_max_months:g}",
                transactions=rules.exploration_max_transactions,
                delta=f"{rules.trend_tolerance:g}",
                confidence=f"{100 * rules.trend_confidence:g}%",
                lapse=f"{rules.lapse_months:g}",
                t2=f"{rules.stability_min_months:g}",
                decline_share=_percent(DECLINE_SHARE),
            )
        )
    if current.value_matrix is not None:
        formulas.append(
            t(
                "formula_value_matrix",
                floor=_percent(SHARE_OF_WALLET_FLOOR),
                key_share=_percent(KEY_REVENUE_SHARE),
                maintain_share=_percent(MAINTAIN_REVENUE_SHARE),
            )
        )
    return tuple(formulas)
