"""`loyalty demo`, the README's main job, end to end from the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from loyalty.cli import app
from loyalty.workspace import WorkspaceOptions, workspace_session
from surveys.questionnaire_file import load_questionnaire
from surveys.simulation import simulate
from surveys.storage.wave_data import load_wave


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """One run of the demo, shared by the tests of this module (it takes about 25 s)."""
    demo = tmp_path_factory.mktemp("run") / "demo"
    return demo, CliRunner().invoke(app, ["demo", str(demo)])


def test_demo_designs_the_quarterly_questionnaire_and_renders_every_form(demo_run: tuple[Path, Result]) -> None:
    demo, result = demo_run
    assert result.exit_code == 0, result.output
    questionnaire = load_questionnaire(demo / "demo-2026q4.yaml")
    assert questionnaire.languages == ["zh-Hans", "zh-Hant", "en"]
    for language in questionnaire.languages:
        pdf = PdfReader(demo / f"questionnaire.{language}.pdf")
        assert questionnaire.title[language] in pdf.pages[0].extract_text()
    assert (demo / "web-form.zh-Hans.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (demo / "xlsform.xlsx").read_bytes().startswith(b"PK")
    assert f"Wrote {demo / 'xlsform.xlsx'}" in result.output


def test_demo_imports_four_simulated_waves_through_the_importers_and_quarantines_the_planted_bad_rows(
    demo_run: tuple[Path, Result],
) -> None:
    demo, result = demo_run
    assert result.exit_code == 0, result.output
    questionnaire = load_questionnaire(demo / "demo-2026q4.yaml")
    simulation = simulate(questionnaire, 2026)
    assert (demo / "loyalty.toml").is_file()
    assert "Simulating 1,500 customers" in result.output
    assert "Importing 2026Q3 (问卷星 pair) … read" in result.output
    for name in ("2026Q1.csv", "2026Q2.csv", "2026Q3-wjx_0.csv", "2026Q3-wjx_2.csv", "2026Q4.xlsx"):
        assert (demo / "data" / name).is_file()
    with workspace_session(WorkspaceOptions(demo)) as session:
        for wave in simulation.waves:
            rejected = len(wave.rejected_at_import)
            stored = len(wave.responses) - rejected
            line = f"read {len(wave.responses)} = {stored} stored + {rejected} rejected + 0 duplicates"
            assert line in result.output
            assert len(load_wave(session, questionnaire.survey, wave.period).responses) == stored
            with (demo / "data" / f"rejected-{wave.period}.csv").open(encoding="utf-8-sig", newline="") as handle:
                assert len(list(csv.DictReader(handle))) == rejected
    assert result.output.count("1500 customer records stored") == 4


def test_demo_refuses_a_file_in_place_of_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    target.write_text("not a folder")
    result = CliRunner().invoke(app, ["demo", str(target)])
    assert result.exit_code == 1
    assert "is a file, not a folder." in result.output


def test_demo_ends_in_both_reports_and_finds_the_thresholds_it_planted(demo_run: tuple[Path, Result]) -> None:
    from reports.analysis import analyse_wave
    from surveys.simulation import THRESHOLDS

    demo, result = demo_run
    assert result.exit_code == 0, result.output
    for language in ("zh-Hans", "en"):
        report = demo / f"report-2026Q4.{language}.pdf"
        assert len(PdfReader(report).pages) > 5
        assert f"Wrote {report} ({language};" in result.output
    with workspace_session(WorkspaceOptions(demo)) as session:
        wave = load_wave(session, "demo-2026q4", "2026Q4")
    threshold = analyse_wave(wave).threshold
    assert threshold is not None
    analysis = threshold.analysis
    assert len(analysis.fit.breakpoints) == 2  # chosen automatically, by BIC and the tests
    for planted, low, high in zip(
        (THRESHOLDS.lower, THRESHOLDS.upper), analysis.intervals.low, analysis.intervals.high, strict=True
    ):
        assert low <= planted <= high


def test_demo_weights_its_reports_to_the_simulated_base_s_margins(demo_run: tuple[Path, Result]) -> None:
    from collections import Counter

    from loyalty.commands.report import weighting_plan
    from loyalty.workspace import open_workspace
    from measure.survey_weights import raked_weights, weighted_net_promoter_score
    from surveys.simulation.files import MARGIN_VARIABLES

    demo, result = demo_run
    assert result.exit_code == 0, result.output
    simulation = simulate(load_questionnaire(demo / "demo-2026q4.yaml"), 2026)
    workspace = open_workspace(WorkspaceOptions(demo))
    plan = weighting_plan(workspace, "demo-2026q4", "2026Q4", None)
    assert plan is not None
    assert plan.source == "margins.yaml"
    assert plan.trim == (0.3, 3.0)
    for name in MARGIN_VARIABLES:
        counts = Counter(str(customer[name]) for customer in simulation.customers)
        assert plan.margins[name] == {code: float(count) for code, count in sorted(counts.items())}
    from reports.screening import screen_wave
    from surveys.wave_inputs import complete_responses

    with workspace_session(WorkspaceOptions(demo)) as session:
        wave, _ = complete_responses(load_wave(session, "demo-2026q4", "2026Q4"))
    flagged = list(screen_wave(wave).flagged_rows)  # the report leaves the screening's flagged responses out
    complete = wave.responses.drop(index=flagged)
    categories = complete[list(MARGIN_VARIABLES)].astype(int).astype(str)
    raked = raked_weights(categories, plan.margins, population_total=plan.population_total, trim=plan.trim)
    nps = weighted_net_promoter_score(complete["recommend"].astype(float).to_numpy(), raked)
    text = " ".join(page.extract_text() for page in PdfReader(demo / "report-2026Q4.en.pdf").pages)
    text = " ".join(text.split())
    assert "weighted to the population margins in margins.yaml: raking (iterative proportional fitting)" in text
    assert f"the NPS is {nps.score:.1f} (95% interval {nps.ci_low:.1f} to {nps.ci_high:.1f})" in text
    # the older, more content customers answer more often: weighting them down lowers the NPS
    unweighted = 100 * ((complete["recommend"] >= 9).mean() - (complete["recommend"] <= 6).mean())
    assert nps.score < unweighted - 1
