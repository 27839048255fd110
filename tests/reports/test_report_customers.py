"""The report's customers section from stored CRM records: lifecycle stages and the value matrix.

A workspace with one wave of the quarterly-loyalty survey whose respondents carry customer keys, and a CRM
file of five quarters imported through `import_customer_records` (one quarter after the wave, which the
report must not read; customers who never answered; respondents without records). The expected numbers are
worked out here from the generated CRM rows and answers, with `measure.lifecycle` and `measure.value_matrix`,
and compared with what the report says. The questionnaire is in 简体 and English only, so the 繁體 report's
attribute labels must come from the item bank. The analyses keep the screening's flagged responses
(`include_flagged`), so the expected numbers are worked out on every respondent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlmodel import Session
from typer.testing import CliRunner

from loyalty.cli import app
from measure.lifecycle import Lifecycle, LifecycleRules, relationship_lifecycle
from measure.loyalty_ladder import LoyaltyLadder, loyalty_ladder
from measure.value_matrix import ValueMatrix, customer_value_matrix
from reports import charts
from reports.analysis import WaveAnalysis, analyse_wave
from reports.context import ReportContext, Section, build_context
from reports.html import render_report_html
from reports.pdf import write_report_pdf
from reports.phrases import LANGUAGES, PHRASES
from surveys.bank import attribute_glossary
from surveys.importers.customer_records import import_customer_records
from surveys.importers.export_table import ExportColumn, ExportRow, ExportTable
from surveys.storage.customer_records import load_customer_records
from surveys.storage.engine import make_engine
from surveys.storage.wave_data import load_wave
from surveys.wave_inputs import ladder_inputs
from tests.loyalty.quarterly_wave import SURVEY, WAVE, StoredWave, add_wave, customer_keys, make_stored_wave

PERIODS = ("2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4")  # 2026Q4 comes after the wave 2026Q3
PERIOD_STARTS = {p: date(int(p[:4]), 3 * int(p[-1]) - 2, 1) for p in PERIODS}
AS_OF = date(2026, 9, 30)  # the end of the wave's own period, the latest the report may read
MONTH = 365.25 / 12
RESPONDENTS = 240
WITHOUT_RECORDS = 30  # the last 30 respondents have no CRM records
NO_KEYS_WAVE = "2026Q2"  # a wave imported without respondent keys
EARLIER_WAVE = "2026Q1"  # a keyed earlier wave: the same customers answer again

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils are not installed")


def crm_rows(seed: int = 7) -> pd.DataFrame:
    """Quarterly CRM rows for the first 210 respondents' customers and 40 who never answered: customers join
    at their first purchase (no record before), buy at their own rate, some buy less over time, a few stop."""
    rng = np.random.default_rng(seed)
    keys = customer_keys(RESPONDENTS - WITHOUT_RECORDS) + [f"X{index:03d}" for index in range(40)]
    rows = []
    for key in keys:
        first = date(2026, 9, 1) - timedelta(days=int(rng.integers(20, 6 * 365)))
        rate, basket, drift = rng.gamma(2.0, 1.2), rng.lognormal(5.5, 0.5), rng.normal(0.0, 0.35)
        stops = rng.random() < 0.1
        last: date | None = None
        for step, period in enumerate(PERIODS):
            start = PERIOD_STARTS[period]
            if first >= start + timedelta(days=90):
                continue  # not a customer yet
            bought = 0 if stops and step >= 2 else int(rng.poisson(rate * np.exp(drift * step)))
            if bought:
                last = max(first, start) + timedelta(days=int(rng.integers(0, 60)))
            rows.append(
                {
                    "customer_id": key,
                    "period": period,
                    "purchases": bought,
                    "revenue": round(bought * basket * float(rng.lognormal(0.0, 0.2)), 2),
                    "first_purchase": first.isoformat(),
                    "last_purchase": (last or first).isoformat(),
                    "churned": "1" if stops and step >= 2 else "0",
                }
            )
    return pd.DataFrame(rows)


def crm_table(rows: pd.DataFrame) -> ExportTable:
    columns = [ExportColumn(position, name, "answer") for position, name in enumerate(rows.columns)]
    records = [
        ExportRow(number + 2, tuple(str(value) for value in record))
        for number, record in enumerate(rows.itertuples(index=False))
    ]
    return ExportTable("csv", "crm.csv", columns, iter(records))


@dataclass(frozen=True)
class Customers:
    stored: StoredWave
    crm: pd.DataFrame
    analysis: WaveAnalysis
    earlier: WaveAnalysis  # EARLIER_WAVE, with its records


@pytest.fixture(scope="module")
def customers(tmp_path_factory: pytest.TempPathFactory) -> Customers:
    stored = make_stored_wave(tmp_path_factory.mktemp("customers") / "workspace", respondent_keys=True)
    add_wave(stored, NO_KEYS_WAVE)
    add_wave(stored, EARLIER_WAVE, n=200, respondent_keys=True)
    crm = crm_rows()
    engine = make_engine(stored.database_url)
    try:
        with Session(engine) as session:
            import_customer_records(session, crm_table(crm), "crm-digest")
            session.commit()
        with Session(engine) as session:
            loaded = load_wave(session, SURVEY, WAVE)
            records = load_customer_records(session, SURVEY, WAVE)
            earlier = load_wave(session, SURVEY, EARLIER_WAVE)
            earlier_records = load_customer_records(session, SURVEY, EARLIER_WAVE)
    finally:
        engine.dispose()
    return Customers(
        stored,
        crm,
        analyse_wave(loaded, customers=records, include_flagged=True),
        analyse_wave(earlier, customers=earlier_records, include_flagged=True),
    )


def _percent_of_scale(values: pd.DataFrame, low: float, high: float) -> pd.DataFrame:
    return 100 * (values - low) / (high - low)


def expected_inputs(customers: Customers) -> pd.DataFrame:
    """Per complete respondent with records: the inputs METHODS §10.2/§10.3 name, worked out from the
    generated CRM rows (periods up to the wave's) and answers."""
    answers = customers.stored.answers
    complete = answers[answers["status"] == "complete"].set_index("respondent_key")
    crm = customers.crm[customers.crm["period"] <= WAVE]
    crm = crm[crm["customer_id"].isin(complete.index)]
    by_customer = crm.groupby("customer_id")
    spend = crm.pivot(index="customer_id", columns="period", values="revenue")[list(PERIODS[:-1])]
    frame = pd.DataFrame(index=spend.index)
    frame["tenure"] = [(AS_OF - date.fromisoformat(d)).days / MONTH for d in by_customer["first_purchase"].min()]
    frame["recency"] = [(AS_OF - date.fromisoformat(d)).days / MONTH for d in by_customer["last_purchase"].max()]
    bands = complete.loc[frame.index, "purchases_to_date"].map({1: 0.0, 2: 1.0, 3: 2.0, 4: 6.0})
    frame["transactions"] = np.fmax(by_customer["purchases"].sum().to_numpy(float), bands.to_numpy(float))
    frame["revenue"] = by_customer["revenue"].sum()
    # the trend and its standard error from each customer's own OLS fit (at least 3 periods), else the survey
    fits = [
        stats.linregress(np.flatnonzero(known), np.log1p(values[known])) if known.sum() >= 3 else None
        for values in spend.to_numpy(float)
        for known in [~np.isnan(values)]
    ]
    survey_trend = np.sign(complete.loc[frame.index, "spending_trend"].to_numpy(float) - 3) * 0.1
    frame["trend"] = [fit.slope if fit else survey for fit, survey in zip(fits, survey_trend, strict=True)]
    frame["trend_se"] = [fit.stderr if fit else np.nan for fit in fits]
    frame["periods"] = spend.notna().sum(axis=1).to_numpy(float)
    trust_items = [str(c) for c in complete.columns if str(c).startswith("trust_")]
    trust = _percent_of_scale(complete.loc[frame.index, trust_items], 1, 5)
    satisfaction = _percent_of_scale(complete.loc[frame.index, ["sat_overall", "sat_expectations", "sat_ideal"]], 0, 10)
    components = pd.DataFrame({"trust": trust.mean(axis=1), "satisfaction": satisfaction.mean(axis=1)})
    z = (components - components.mean()) / components.std(ddof=1)
    frame["quality"] = z.mean(axis=1)
    share = complete.loc[frame.index, "share_of_wallet"].to_numpy(float) / 100
    repurchase = complete.loc[frame.index, "repurchase"].to_numpy(float) / 10
    frame["potential"] = frame["revenue"] / np.maximum(share, 0.05) * (1 - share) * repurchase
    return frame


def expected_lifecycle(customers: Customers) -> Lifecycle:
    frame = expected_inputs(customers)
    return relationship_lifecycle(
        frame["tenure"],
        transactions=frame["transactions"],
        trend=frame["trend"],
        trend_standard_error=frame["trend_se"],
        trend_periods=frame["periods"],
        relationship_quality=frame["quality"],
        months_since_last_purchase=frame["recency"],
    )


def expected_value_matrix(customers: Customers) -> ValueMatrix:
    frame = expected_inputs(customers)
    return customer_value_matrix(frame["revenue"], frame["potential"])


def test_only_respondents_with_records_are_linked_and_the_later_quarter_is_not_read(customers: Customers) -> None:
    result = customers.analysis.lifecycle
    assert result is not None
    complete = customers.stored.answers["status"] == "complete"
    linked = complete & customers.stored.answers["respondent_key"].isin(customers.crm["customer_id"])
    assert result.n == int(linked.sum())
    assert result.inputs.respondents == int(complete.sum())
    assert result.inputs.periods == PERIODS[:-1]
    assert result.inputs.as_of == AS_OF


def test_lifecycle_stages_equal_the_measure_on_the_stored_records(customers: Customers) -> None:
    result = customers.analysis.lifecycle
    assert result is not None
    expected = expected_lifecycle(customers)
    assert [(row.stage, row.count) for row in result.lifecycle.distribution] == [
        (row.stage, row.count) for row in expected.distribution
    ]
    assert result.lifecycle.quality_threshold == pytest.approx(expected.quality_threshold, abs=1e-12)
    assert {row.stage for row in expected.distribution if row.count} >= {"exploration", "decline", "formation"}
    # the data hold slopes beyond δ that noise explains: δ alone would place customers differently
    frame = expected_inputs(customers)
    delta_only = relationship_lifecycle(
        frame["tenure"],
        transactions=frame["transactions"],
        trend=frame["trend"],
        relationship_quality=frame["quality"],
        months_since_last_purchase=frame["recency"],
    )
    assert delta_only.stages != expected.stages


def test_the_value_matrix_equals_the_measure_on_the_stored_records(customers: Customers) -> None:
    result = customers.analysis.value_matrix
    assert result is not None
    expected = expected_value_matrix(customers)
    assert result.matrix.current_cut == pytest.approx(expected.current_cut, rel=1e-12)
    assert result.matrix.potential_cut == pytest.approx(expected.potential_cut, rel=1e-12)
    for got, want in zip(result.matrix.summary, expected.summary, strict=True):
        assert (got.value_class, got.count) == (want.value_class, want.count)
        assert got.current_value_share == pytest.approx(want.current_value_share, rel=1e-12)
    assert result.n == sum(row.count for row in expected.summary)


@pytest.fixture(scope="module", params=LANGUAGES)
def context(request: pytest.FixtureRequest, customers: Customers) -> ReportContext:
    return build_context(
        customers.analysis, [], language=str(request.param), organisation="", data_files=[], software={}
    )


def _part(context: ReportContext, key: str) -> Section:
    section = next(section for section in context.sections if section.key == "customers")
    return next(part for part in section.parts if part.key == key)


def test_each_language_states_the_lifecycle_and_value_matrix_numbers(
    customers: Customers, context: ReportContext
) -> None:
    phrases = PHRASES[context.language]
    html = render_report_html(context)
    lifecycle, matrix = expected_lifecycle(customers), expected_value_matrix(customers)
    part = _part(context, "lifecycle")
    assert part.title == phrases["lifecycle"]
    assert len(part.charts) == 1
    assert phrases["chart_lifecycle"] in part.charts[0].svg
    rows = {row[0]: row[1:] for row in part.tables[0].rows}
    for row in lifecycle.distribution:
        label = {"zh-Hans": row.label_zh_hans, "zh-Hant": row.label_zh_hant, "en": row.label_en}[context.language]
        assert rows[label] == (str(row.count), f"{100 * row.share:.1f}%")
    stages = {row.stage: row for row in lifecycle.distribution}
    assert f"{100 * stages['decline'].share:.1f}%" in part.paragraphs[0]
    part = _part(context, "value_matrix")
    assert phrases["chart_value_matrix"] in part.charts[0].svg
    assert f"{matrix.current_cut:,.0f}" in part.paragraphs[0]
    assert f"{matrix.potential_cut:,.0f}" in part.paragraphs[0]
    suffix = context.language.lower().replace("-", "_")
    for value_class, cells in zip(matrix.summary, part.tables[0].rows, strict=True):
        assert cells[:4] == (
            getattr(value_class, f"name_{suffix}"),
            str(value_class.count),
            f"{100 * value_class.share:.1f}%",
            f"{100 * value_class.current_value_share:.1f}%",
        )
        strategy = getattr(value_class, f"strategy_{suffix}")  # METHODS §10.3's strategy, in the language
        assert cells[5] == strategy
        assert strategy in html
    assert 'id="lifecycle"' in html
    assert 'id="value_matrix"' in html
    assert context.left_out == ()


def test_the_rules_fire_on_the_stated_thresholds_and_the_methods_state_them(
    customers: Customers, context: ReportContext
) -> None:
    from reports.context import DECLINE_SHARE, KEY_REVENUE_SHARE

    phrases = PHRASES[context.language]
    lifecycle, matrix = expected_lifecycle(customers), expected_value_matrix(customers)
    decline = next(row.share for row in lifecycle.distribution if row.stage == "decline")
    key = next(row for row in matrix.summary if row.value_class == "key")
    bullets = next(section for section in context.sections if section.key == "recommendations").bullets
    evidence = phrases["evidence"].format(section=phrases["customers"])
    decline_text = phrases["rec_decline"].format(share=f"{100 * decline:.1f}%")
    assert any(bullet == f"{decline_text} {evidence}" for bullet in bullets) == (decline >= DECLINE_SHARE)
    key_text = phrases["rec_key"].format(
        share=f"{100 * key.share:.1f}%", revenue=f"{100 * key.current_value_share:.1f}%"
    )
    assert any(bullet.startswith(key_text) for bullet in bullets) == (key.current_value_share >= KEY_REVENUE_SHARE)
    methods = next(section for section in context.sections if section.key == "methods").paragraphs
    assert sum(paragraph.startswith(phrases["formula_lifecycle"][:8]) for paragraph in methods) == 1
    assert any(f"{100 * DECLINE_SHARE:.1f}%" in paragraph for paragraph in methods)
    rules = LifecycleRules()
    formula = next(paragraph for paragraph in methods if paragraph.startswith(phrases["formula_lifecycle"][:8]))
    assert f"{100 * rules.trend_confidence:g}%" in formula  # the t test's level …
    assert f"{rules.trend_tolerance:g}" in formula  # … and δ are stated


def test_a_wave_without_respondent_keys_or_records_leaves_both_out_with_the_reason(
    customers: Customers, tmp_path: Path
) -> None:
    engine = make_engine(customers.stored.database_url)
    try:
        with Session(engine) as session:
            no_keys = load_wave(session, SURVEY, NO_KEYS_WAVE)
            keyed = load_wave(session, SURVEY, WAVE)
            no_records = load_customer_records(session, SURVEY, NO_KEYS_WAVE)
    finally:
        engine.dispose()
    without_keys = analyse_wave(no_keys, customers=no_records, include_flagged=True)
    assert without_keys.left_out["lifecycle"] == (
        f"survey {SURVEY}, wave {NO_KEYS_WAVE} has no respondent keys to link customer records by"
    )
    assert no_records.empty
    # as if none of its respondents were in the CRM
    unlinked = analyse_wave(keyed, customers=no_records, include_flagged=True)
    assert unlinked.lifecycle is None
    assert unlinked.value_matrix is None
    context = build_context(unlinked, [], language="en", organisation="", data_files=[], software={})
    reason = f"survey {SURVEY}, wave {WAVE} has no customer records linked to its respondents"
    assert context.left_out[-2:] == (
        f"Relationship lifecycle is left out: {reason}.",
        f"Customer value matrix is left out: {reason}.",
    )
    for key in ("lifecycle", "value_matrix"):
        part = _part(context, key)
        assert part.charts == ()
        assert part.tables == ()
        assert part.paragraphs == (next(line for line in context.left_out if PHRASES["en"][key] in line),)
    result = CliRunner().invoke(
        app,
        ["--workspace", str(customers.stored.workspace), "report", "--survey", SURVEY, "--wave", NO_KEYS_WAVE,
         "--lang", "en", "--html", "--include-flagged", "-o", str(tmp_path / "report.html")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Relationship lifecycle is left out: survey retail-2026, wave 2026Q2 has no respondent keys" in result.output
    assert "<svg" not in (tmp_path / "report.html").read_text(encoding="utf-8").split('id="lifecycle"')[1][:600]


def test_the_zh_hant_report_labels_attributes_in_traditional_from_the_bank(customers: Customers) -> None:
    assert "zh-Hant" not in customers.stored.questionnaire.languages  # the survey is in 简体 and English
    glossary = {attribute.code: dict(attribute.text) for attribute in attribute_glossary()}
    context = build_context(customers.analysis, [], language="zh-Hant", organisation="", data_files=[], software={})
    drivers = next(section for section in context.sections if section.key == "drivers")
    assert customers.analysis.drivers is not None
    attributes = [p.attribute for p in customers.analysis.drivers.grid.attributes]
    expected = {glossary[code]["zh-Hant"] for code in attributes}
    assert {row[0] for row in drivers.tables[0].rows} == expected
    assert all(label in drivers.charts[0].svg for label in expected)
    simplified = {glossary[code]["zh-Hans"] for code in attributes} - expected
    assert simplified  # 产品质量 / 產品品質 …: the check below can fail
    assert not any(label in drivers.charts[0].svg for label in simplified)


def test_the_new_charts_have_no_missing_glyphs(customers: Customers) -> None:
    assert customers.analysis.value_matrix is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for language in LANGUAGES:
            build_context(customers.analysis, [], language=language, organisation="", data_files=[], software={})
    assert [str(w.message) for w in caught if "missing from" in str(w.message)] == []
    assert charts.VALUE_CLASS_COLOURS.keys() == {"key", "maintain", "develop", "minimal"}


@needs_poppler
@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_the_pdf_states_the_numbers_and_its_customer_pages_rasterise(
    customers: Customers, language: str, tmp_path: Path
) -> None:
    context = build_context(customers.analysis, [], language=language, organisation="", data_files=[], software={})
    pdf = tmp_path / "report.pdf"
    write_report_pdf(render_report_html(context), pdf)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = pages.stdout.split("\f")
    phrases = PHRASES[language]
    shown = [number for number, page in enumerate(text, 1) if phrases["chart_value_matrix"] in page]
    first = next(number for number, page in enumerate(text, 1) if phrases["lifecycle"] in page and number > 2)
    assert shown, "the value-matrix chart is in the PDF with its title as text"
    matrix = expected_value_matrix(customers)
    customer_pages = " ".join(text[first - 1 : shown[-1] + 1])
    for row in matrix.summary:
        assert re.search(rf"\b{row.count}\b", customer_pages)
        assert f"{100 * row.current_value_share:.1f}%" in customer_pages
    raster = subprocess.run(
        ["pdftoppm", "-r", "30", "-f", str(first), "-l", str(shown[-1] + 1), "-png", str(pdf), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert raster.returncode == 0
    assert raster.stderr == ""


def test_the_command_reads_the_records_and_lists_the_crm_file_with_its_hash(
    customers: Customers, tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        ["--workspace", str(customers.stored.workspace), "report", "--survey", SURVEY, "--wave", WAVE,
         "--lang", "en", "--html", "--include-flagged", "-o", str(target)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "left out" not in result.output
    page = target.read_text(encoding="utf-8")
    assert "<h2>Relationship lifecycle</h2>" in page
    assert "<td>crm.csv</td><td>crm-digest</td>" in page.replace("\n", "").replace(" ", "")


def expected_ladder(customers: Customers) -> tuple[LoyaltyLadder, np.ndarray]:
    """The ladder of every complete respondent with a purchase history: the CRM evidence of those with records
    worked out here from the generated rows (periods up to the wave's), the survey's from `ladder_inputs` (stored
    responses are in the order of the generated answers; their keys are pseudonymised). Also the 0–10 ratings of
    the placed respondents, in the ladder's order."""
    loaded = customers.analysis.wave
    survey = ladder_inputs(loaded)
    answers = customers.stored.answers
    complete = answers[answers["status"] == "complete"].reset_index(drop=True)
    crm = customers.crm[
        (customers.crm["period"] <= WAVE) & customers.crm["customer_id"].isin(complete["respondent_key"])
    ]
    by_customer = crm.groupby("customer_id")
    last_four = crm.pivot(index="customer_id", columns="period", values="purchases").reindex(columns=PERIODS[:-1])
    band = complete["purchases_to_date"].map({1: 0.0, 2: 1.0, 3: 2.0, 4: 6.0})
    key = complete["respondent_key"]
    on_record = key.map(by_customer["purchases"].sum()).astype(float)
    purchases = np.fmax(band.to_numpy(float), on_record.to_numpy(float))
    last = key.map(by_customer["last_purchase"].max())
    months = np.array([(AS_OF - date.fromisoformat(d)).days / MONTH if isinstance(d, str) else np.nan for d in last])
    churned = key.map(by_customer["churned"].max()).map({"1": 1.0, "0": 0.0}).to_numpy(float)
    periods = last_four.reindex(key.to_numpy()).to_numpy(float)
    assert len(complete) == len(loaded.responses)
    known = ~np.isnan(purchases)

    def rows(series: pd.Series | None) -> np.ndarray | None:
        return None if series is None else series.to_numpy(float)[known]

    ladder = loyalty_ladder(
        purchases[known],
        months_since_last_purchase=months[known],
        stopped_buying=churned[known],
        period_purchases=periods[known],
        recommend=rows(survey.recommend),
        referrals=rows(survey.referrals),
        share_of_wallet=rows(survey.share_of_wallet),
        aware=rows(survey.aware),
        has_need=rows(survey.has_need),
        able_to_buy=rows(survey.able_to_buy),
    )
    return ladder, complete["recommend"].to_numpy(float)[known]


def test_the_ladder_reads_the_crm_records_where_a_respondent_has_them(customers: Customers) -> None:
    result = customers.analysis.ladder
    assert result is not None
    expected, _ = expected_ladder(customers)
    assert [(row.stage, row.count) for row in result.ladder.distribution] == [
        (row.stage, row.count) for row in expected.distribution
    ]
    counts = {row.stage: row.count for row in expected.distribution}
    assert counts["lost"] > 0  # the churned flag and the lapse: impossible on this survey's answers alone
    # (nobody is a client here: the generated shares of wallet stay below 0.6 and the survey has no coverage)
    linked = customers.analysis.lifecycle
    assert linked is not None
    assert result.crm_linked == linked.n
    assert result.crm_periods == PERIODS[:-1]  # the last four up to the wave; 2026Q4 is not read
    assert result.as_of == AS_OF


def test_the_ladder_text_says_which_evidence_it_used_and_gives_nps_by_stage(
    customers: Customers, context: ReportContext
) -> None:
    result = customers.analysis.ladder
    assert result is not None
    expected, ratings = expected_ladder(customers)
    section = next(section for section in context.sections if section.key == "customers")
    phrases = PHRASES[context.language]
    evidence = phrases["ladder_crm"].split("{")[0]
    assert any(paragraph.startswith(evidence) for paragraph in section.paragraphs)
    assert any(f"{result.n - result.crm_linked}" in p for p in section.paragraphs if p.startswith(evidence))
    stages = np.array(expected.stages)
    table = section.tables[0]
    assert table.header[-1] == phrases["stage_nps"]
    label = {"zh-Hans": "label_zh_hans", "zh-Hant": "label_zh_hant", "en": "label_en"}[context.language]
    for row, stage in zip(table.rows, expected.distribution, strict=True):
        assert row[0] == getattr(stage, label)
        rated = ratings[(stages == stage.stage) & ~np.isnan(ratings)]
        if len(rated) == 0:
            assert row[-1] == "–"
            continue
        nps = 100 * (np.mean(rated >= 9) - np.mean(rated <= 6))
        assert row[-1] == f"{nps:.1f}" + ("†" if len(rated) < 30 else "")


def test_stage_transitions_and_value_class_stability_between_the_waves(customers: Customers) -> None:
    now, then = customers.analysis, customers.earlier
    assert now.ladder is not None
    assert then.ladder is not None
    before = pd.Series(then.ladder.crm_stages, index=then.ladder.crm_keys)
    after = pd.Series(now.ladder.crm_stages, index=now.ladder.crm_keys)
    both = before.index.intersection(after.index)
    assert len(both) > 50  # the same customers answered both waves
    crosstab = pd.crosstab(before[both], after[both])
    context = build_context(now, [then], language="en", organisation="", data_files=[], software={})
    section = next(section for section in context.sections if section.key == "customers")
    table = section.tables[1]
    assert table.caption == f"Stage transitions {EARLIER_WAVE} → {WAVE} (respondents)"
    labels = {row.label_en: row.stage for row in now.ladder.ladder.distribution}
    columns = [labels[name] for name in table.header[1:]]
    for row in table.rows:
        for stage, cell in zip(columns, row[1:], strict=True):
            expected = (
                crosstab.loc[labels[row[0]], stage] if labels[row[0]] in crosstab.index and stage in crosstab else 0
            )
            assert int(cell) == expected
    stayed = float((before[both] == after[both]).mean())
    moves = next(p for p in section.paragraphs if p.startswith("Movement"))
    assert f"{len(both)} respondents answered both {EARLIER_WAVE} and {WAVE}" in moves
    assert f"{100 * stayed:.1f}% stayed" in moves
    assert "only 2 period(s)" in moves  # 2025Q4 and 2026Q1 on record then: nobody could be a client
    # value classes: the same respondents by key, unclassified left out
    assert now.value_matrix is not None
    assert then.value_matrix is not None
    classes = [
        pd.Series(m.matrix.classes, index=m.inputs.customers["respondent"].astype(str).to_numpy())
        for m in (then.value_matrix, now.value_matrix)
    ]
    classes = [c[c != "unclassified"] for c in classes]
    linked = classes[0].index.intersection(classes[1].index)
    same = float((classes[0][linked] == classes[1][linked]).mean())
    key = classes[0][linked] == "key"
    kept = float((classes[1][linked][key] == "key").mean())
    part = _part(context, "value_matrix")
    assert part.paragraphs[-1] == (
        f"Class stability: {len(linked)} customers are classed in both {EARLIER_WAVE} and {WAVE}; "
        f"{100 * same:.1f}% kept their value class, and {100 * kept:.1f}% of the {EARLIER_WAVE} key customers "
        "are still key."
    )
