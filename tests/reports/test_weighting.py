"""Survey weights in the quarterly report: the waves raked to population margins, the headline estimates
weighted, and what a reader is told; margins a wave cannot meet leave the report unweighted with the reason.

The weighted figures are checked against `measure.survey_weights` run straight on the stored answers (itself
checked against R survey), to the one decimal the report prints. The analyses keep the screening's flagged
responses (`include_flagged`), so those answers are the same ones the reference calculation reads.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlmodel import Session
from typer.testing import CliRunner, Result

from loyalty.cli import app
from measure.net_promoter import net_promoter_score
from measure.survey_weights import raked_weights, weighted_net_promoter_score
from reports.analysis import WaveAnalysis, analyse_wave
from reports.context import build_context
from reports.html import render_report_html
from reports.pdf import write_report_pdf
from reports.phrases import phrase
from reports.weighting import WeightingPlan
from surveys.storage.engine import make_engine
from surveys.storage.wave_data import WaveData, load_wave
from tests.loyalty.quarterly_wave import SURVEY, WAVE, StoredWave, add_wave, make_stored_wave

EARLIER = "2026Q2"
#: Population margins of the generated respondents' gender (option codes) and collection channel.
MARGINS = {"gender": {"1": 0.46, "2": 0.51, "3": 0.03}, "channel": {"wechat": 0.6, "sms": 0.3, "email": 0.1}}
MARGINS_YAML = "gender: {1: 0.46, 2: 0.51, 3: 0.03}\nchannel: {wechat: 0.6, sms: 0.3, email: 0.1}\n"

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils are not installed")


@dataclass(frozen=True)
class Weighted:
    stored: StoredWave
    margins: Path
    loaded: WaveData
    unweighted: WaveAnalysis
    weighted: WaveAnalysis


@pytest.fixture(scope="module")
def weighted(tmp_path_factory: pytest.TempPathFactory) -> Weighted:
    stored = make_stored_wave(tmp_path_factory.mktemp("weighting") / "workspace")
    add_wave(stored, EARLIER, shift=-0.5)
    margins = stored.workspace / "margins.yaml"
    margins.write_text(MARGINS_YAML, encoding="utf-8")
    engine = make_engine(stored.database_url)
    try:
        with Session(engine) as session:
            loaded = load_wave(session, SURVEY, WAVE)
    finally:
        engine.dispose()
    plan = WeightingPlan({k: dict(v) for k, v in MARGINS.items()}, None, "raking", None, "margins.yaml")
    return Weighted(
        stored,
        margins,
        loaded,
        analyse_wave(loaded, include_flagged=True),
        analyse_wave(loaded, weighting=plan, include_flagged=True),
    )


def _independent_nps(loaded: WaveData) -> tuple[float, float, float]:
    """Weighted NPS of the wave's complete responses, raked straight from the stored answers."""
    complete = loaded.responses[loaded.responses["status"] == "complete"]
    categories = pd.DataFrame(
        {"gender": complete["gender"].astype(int).astype(str), "channel": complete["channel"].astype(str)}
    )
    raked = raked_weights(categories, MARGINS)
    score = weighted_net_promoter_score(complete["recommend"].astype(float).to_numpy(), raked)
    return score.score, score.ci_low, score.ci_high


def _text(document: str) -> str:
    document = re.sub(r"<svg.*?</svg>|<style>.*?</style>", "", document, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", document)))


def _report(stored: StoredWave, output: Path, *options: str, workspace: Path | None = None) -> Result:
    return CliRunner().invoke(
        app,
        [
            "--workspace",
            str(workspace or stored.workspace),
            "report",
            "--survey",
            SURVEY,
            "--wave",
            WAVE,
            "--lang",
            "en",
            "--html",
            "--include-flagged",
            "-o",
            str(output),
            *options,
        ],
    )


def _numbers(pattern: str, text: str) -> tuple[float, ...]:
    found = re.search(pattern, text)
    assert found is not None, text[:3000]
    return tuple(float(value.replace("−", "-")) for value in found.groups())


def test_the_weighted_nps_in_the_report_equals_survey_weights_on_the_same_wave_and_margins(
    weighted: Weighted, tmp_path: Path
) -> None:
    output = tmp_path / "report.html"
    result = _report(weighted.stored, output, "--compare", EARLIER, "--margins", str(weighted.margins))
    assert result.exit_code == 0, result.output
    text = _text(output.read_text(encoding="utf-8"))
    score, low, high = _independent_nps(weighted.loaded)
    number = r"(-?\d+\.\d)"
    stated = _numbers(rf"Weighted to margins\.yaml, the NPS is {number} \(95% interval {number} to {number}\)", text)
    assert stated == pytest.approx((score, low, high), abs=0.05)
    summary = _numbers(rf"Net Promoter Score {number} {number} – {number}", text)
    assert summary == pytest.approx((score, low, high), abs=0.05)
    unweighted = net_promoter_score(weighted.loaded.responses.loc[
        weighted.loaded.responses["status"] == "complete", "recommend"].astype(float).to_numpy())  # fmt: skip
    assert abs(unweighted.score - score) > 0.5, "the margins move the NPS, so the test can tell them apart"


def test_the_sample_section_shows_method_margins_convergence_design_effect_and_shares(weighted: Weighted) -> None:
    assert weighted.weighted.weighting is not None
    calibrated = weighted.weighted.weighting.weights
    context = build_context(weighted.weighted, [], language="en", organisation="", data_files=[], software={})
    (quality,) = [s for s in context.sections if s.key == "quality"]
    text = " ".join(quality.paragraphs)
    assert "raking (iterative proportional fitting) on gender, channel" in text
    assert f"converged after {calibrated.iterations} cycles" in text
    assert f"design effect is {calibrated.summary.design_effect:.2f}" in text
    assert f"precision of {calibrated.summary.effective_sample_size:.0f} simple random responses" in text
    assert "thresholds, the drivers, scale quality" in text
    weights, shares = quality.tables[-2:]
    assert (phrase("en", "effective_n"), f"{calibrated.summary.effective_sample_size:.1f}") in weights.rows
    complete = weighted.loaded.responses[weighted.loaded.responses["status"] == "complete"]
    wechat = float((complete["channel"] == "wechat").mean())
    assert (
        "channel",
        "wechat",
        str(int((complete["channel"] == "wechat").sum())),
        f"{100 * wechat:.1f}%",
        "60.0%",
    ) in (shares.rows)
    assert shares.rows[1][:2] == ("gender", "Female")  # option codes in the questionnaire's words
    methods = next(s for s in context.sections if s.key == "methods")
    assert phrase("en", "formula_weighting") in methods.paragraphs
    assert phrase("en", "formula_unweighted_models") in methods.paragraphs


def test_an_unweighted_report_states_unweighted_figures_as_before(weighted: Weighted) -> None:
    analysis = weighted.unweighted
    assert analysis.weighting is None
    assert analysis.nps is not None
    context = build_context(analysis, [], language="en", organisation="", data_files=[], software={})
    (quality,) = [s for s in context.sections if s.key == "quality"]
    assert quality.paragraphs[-1] == phrase("en", "unweighted")
    assert phrase("en", "weights") not in [table.caption for table in quality.tables]
    summary = context.sections[0]
    assert summary.paragraphs == ()
    nps_row = next(row for row in summary.tables[0].rows if row[0] == phrase("en", "nps"))
    assert nps_row[1] == f"{analysis.nps.score.score:.1f}"
    methods = next(s for s in context.sections if s.key == "methods")
    assert phrase("en", "formula_weighting") not in methods.paragraphs


@needs_poppler
@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_the_weighted_pdf_states_the_weighted_nps(weighted: Weighted, language: str, tmp_path: Path) -> None:
    context = build_context(weighted.weighted, [], language=language, organisation="", data_files=[], software={})
    pdf = tmp_path / "report.pdf"
    write_report_pdf(render_report_html(context), pdf)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    score, low, high = _independent_nps(weighted.loaded)
    weighted_sentence = phrase(
        language, "nps_weighted", score=f"{score:.1f}", low=f"{low:.1f}", high=f"{high:.1f}",
        promoters="", detractors="", source="margins.yaml",
    )  # fmt: skip
    assert re.sub(r"\s+", "", weighted_sentence.split("：")[0].split(":")[0]) in text


def test_the_workspace_table_weights_the_report_and_margins_overrides_it_for_one_run(
    weighted: Weighted, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(weighted.stored.workspace, workspace)
    (workspace / "gender.yaml").write_text("gender: {1: 0.46, 2: 0.51, 3: 0.03}\n", encoding="utf-8")
    with (workspace / "loyalty.toml").open("a", encoding="utf-8") as config:
        config.write('\n[weighting]\nmargins = "gender.yaml"\nmethod = "poststratify"\n')
    output = tmp_path / "report.html"
    result = _report(weighted.stored, output, workspace=workspace)
    assert result.exit_code == 0, result.output
    text = _text(output.read_text(encoding="utf-8"))
    assert "weighted to the population margins in gender.yaml: post-stratification on gender" in text

    result = _report(weighted.stored, output, "--margins", str(weighted.margins), workspace=workspace)
    assert result.exit_code == 0, result.output
    text = _text(output.read_text(encoding="utf-8"))
    assert "margins.yaml: post-stratification" not in text
    assert "post-stratification needs one margin of cells" in text  # the workspace's method, the run's margins


@pytest.mark.parametrize(
    ("margins", "reason"),
    [
        ("regoin: {North: 0.5, South: 0.5}\n", "margins.yaml: regoin is not a variable of survey retail-2026."),
        (
            "gender: {1: 0.4, 2: 0.4, 3: 0.1, 9: 0.1}\n",
            "margin gender: categories ['9'] have a population target but no respondents",
        ),
    ],
)
def test_margins_the_wave_cannot_meet_leave_the_report_unweighted_with_the_reason(
    weighted: Weighted, tmp_path: Path, margins: str, reason: str
) -> None:
    path = tmp_path / "margins.yaml"
    path.write_text(margins, encoding="utf-8")
    output = tmp_path / "report.html"
    result = _report(weighted.stored, output, "--margins", str(path))
    assert result.exit_code == 0, result.output
    assert "Survey weights is left out:" in result.output
    assert reason in result.output
    text = _text(output.read_text(encoding="utf-8"))
    assert "Weighting to the population margins was left out (" in text
    assert "so every result is unweighted" in text


def test_a_margins_file_that_is_not_there_is_an_error_naming_the_setting(weighted: Weighted, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(weighted.stored.workspace, workspace)
    with (workspace / "loyalty.toml").open("a", encoding="utf-8") as config:
        config.write('\n[weighting]\nmargins = "nope.yaml"\n')
    result = _report(weighted.stored, tmp_path / "report.html", workspace=workspace)
    assert result.exit_code == 1
    assert f"loyalty.toml: weighting.margins: {workspace.resolve() / 'nope.yaml'} does not exist." in result.output


def test_weighted_changes_between_waves_use_both_waves_weights(weighted: Weighted) -> None:
    from reports.context import nps_change

    engine = make_engine(weighted.stored.database_url)
    try:
        with Session(engine) as session:
            earlier_wave = load_wave(session, SURVEY, EARLIER)
    finally:
        engine.dispose()
    assert weighted.weighted.weighting is not None
    plan = weighted.weighted.weighting.plan
    earlier = analyse_wave(earlier_wave, weighting=plan, include_flagged=True)
    assert earlier.weighting is not None
    now, then = weighted.weighted.weighting.nps, earlier.weighting.nps
    assert now is not None
    assert then is not None
    change = nps_change(weighted.weighted, earlier)
    assert change is not None
    assert change.change == pytest.approx(now.score - then.score, rel=1e-12)
    z = (now.score - then.score) / np.hypot(now.standard_error, then.standard_error)
    from scipy import stats

    assert change.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)


def test_a_compared_wave_that_cannot_be_weighted_is_named_among_the_left_out_lines(weighted: Weighted) -> None:
    engine = make_engine(weighted.stored.database_url)
    try:
        with Session(engine) as session:
            earlier_wave = load_wave(session, SURVEY, EARLIER)
    finally:
        engine.dispose()
    plan = WeightingPlan({"gender": {"1": 0.5, "2": 0.3, "3": 0.1, "9": 0.1}}, None, "raking", None, "old.yaml")
    earlier = analyse_wave(earlier_wave, weighting=plan, include_flagged=True)
    assert earlier.weighting is None
    context = build_context(weighted.weighted, [earlier], language="en", organisation="", data_files=[], software={})
    (line,) = [line for line in context.left_out if line.startswith(f"The compared wave {EARLIER} is unweighted:")]
    assert "categories ['9'] have a population target but no respondents" in line
