"""The demo's simulated data: deterministic, valid where it should be, and carrying what it claims to plant.

The thresholds are checked with `measure.threshold.fit_hinge`, the model the report uses: the planted
breakpoints must fall inside the fitted ones' profile-likelihood intervals, wave by wave.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from loyalty.commands.demo import DEMO_ATTRIBUTES, DEMO_LANGUAGES
from loyalty.workspace import WorkspaceOptions, create_workspace, workspace_session
from surveys.blueprints import new_questionnaire, parse_attribute_names
from surveys.codebook import Variable, codebook
from surveys.importers.export_table import Choice, Missing
from surveys.importers.import_responses import ImportOptions, ImportSummary, file_digest, import_responses
from surveys.importers.read_export import read_export
from surveys.importers.response_checks import ResponseChecker
from surveys.importers.wjx import read_wjx
from surveys.questionnaire import Questionnaire
from surveys.questionnaire_file import questionnaire_yaml
from surveys.simulation import THRESHOLDS, SimulatedWave, Simulation, planted_loyalty, simulate
from surveys.simulation.files import write_customer_records, write_generic_table, write_wjx_pair
from surveys.storage.survey_versions import publish_questionnaire
from surveys.storage.wave_data import load_wave

ACSI = ("sat_overall", "sat_expectations", "sat_ideal")


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    attributes = parse_attribute_names(DEMO_ATTRIBUTES)
    return new_questionnaire("quarterly-loyalty", "demo-2026q4", DEMO_LANGUAGES, attributes).questionnaire


@pytest.fixture(scope="module")
def full(questionnaire: Questionnaire) -> Simulation:
    """The demo's own simulation: 1,500 customers, seed 2026."""
    return simulate(questionnaire, 2026)


@pytest.fixture(scope="module")
def small(questionnaire: Questionnaire) -> Simulation:
    return simulate(questionnaire, 11, customers=300)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(
    questionnaire: Questionnaire, small: Simulation
) -> None:
    again = simulate(questionnaire, 11, customers=300)
    assert again.waves == small.waves
    assert again.customers == small.customers
    other = simulate(questionnaire, 12, customers=300)
    assert [r.answers for r in other.waves[0].responses] != [r.answers for r in small.waves[0].responses]


def test_four_quarterly_waves_of_realistic_size_with_a_panel_overlapping_between_them(full: Simulation) -> None:
    assert [wave.period for wave in full.waves] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert all(600 <= len(wave.responses) <= 1000 for wave in full.waves)
    keys = [{r.customer_key for r in wave.responses} for wave in full.waves]
    for earlier, later in itertools.pairwise(keys):
        assert 0.3 < len(earlier & later) / len(later) < 0.9
    assert all(len(wave.customer_records) == 1500 for wave in full.waves)


def test_every_row_but_the_bad_ones_fits_the_questionnaire_routing_and_scales(
    questionnaire: Questionnaire, full: Simulation
) -> None:
    variables = codebook(questionnaire)
    checker = ResponseChecker(questionnaire, {variable.code for variable in variables})
    for wave in full.waves:
        for response in wave.responses:
            problems = list(checker.problems(response.answers, complete=True))
            outside = [v.code for v in variables if not _fits(v, response.answers.get(v.code))]
            if response.planted == "bad":
                assert outside == [response.bad_variable]
            else:
                assert (problems, outside) == ([], []), response.response_id


def test_another_design_gets_a_valid_answer_to_every_item_the_model_does_not_know() -> None:
    pulse = new_questionnaire("nps-pulse", "pulse", ["zh-Hans"], parse_attribute_names("价格,服务")).questionnaire
    variables = codebook(pulse)
    checker = ResponseChecker(pulse, {variable.code for variable in variables})
    for wave in simulate(pulse, 5, customers=200).waves:
        for response in wave.responses:
            assert set(response.answers) >= {variable.code for variable in variables}
            outside = [v.code for v in variables if not _fits(v, response.answers.get(v.code))]
            if response.planted == "bad":
                assert outside == [response.bad_variable]
            else:
                assert (list(checker.problems(response.answers, complete=True)), outside) == ([], [])


def _fits(variable: Variable, value: object) -> bool:
    if value is None or variable.kind == "text":
        return True
    if variable.kind == "choice":
        return value in variable.option_codes
    if variable.kind == "choices":
        return isinstance(value, list) and set(value) <= set(variable.option_codes) and len(value) > 0
    assert isinstance(value, int)
    low = variable.minimum if variable.minimum is not None else -np.inf
    high = variable.maximum if variable.maximum is not None else np.inf
    return bool(low <= value <= high)


def test_the_planted_quality_problems_are_there_in_every_wave(full: Simulation) -> None:
    for wave in full.waves:
        durations = np.array([r.duration_seconds for r in wave.responses])
        median = float(np.median(durations))
        speeders = [r for r in wave.responses if "speeder" in r.flags]
        assert len(speeders) >= 10
        assert all(r.duration_seconds < 0.4 * median for r in speeders)
        straight = [r for r in wave.responses if "straightliner" in r.flags]
        assert straight
        assert all(
            len({r.answers[f"attr_satisfaction_{a}"] for a in ("price", "service", "delivery")}) == 1 for r in straight
        )
        failed = [r for r in wave.responses if "attention_failed" in r.flags]
        assert failed
        assert all(r.answers["attention_instructed"] != 2 for r in failed)
        duplicates = [r for r in wave.responses if r.planted == "duplicate"]
        assert len(duplicates) == 3
        for duplicate in duplicates:
            (original,) = [
                r for r in wave.responses if r.customer_key == duplicate.customer_key and r.planted == "response"
            ]
            assert original.answers == duplicate.answers
            assert original.ip_address == duplicate.ip_address
            assert 0 < (duplicate.submitted_at - original.submitted_at).total_seconds() <= 150
        assert len([r for r in wave.responses if r.planted == "bad"]) == 4


def test_the_planted_thresholds_come_back_from_the_hinge_fit_within_their_intervals_in_every_wave(
    full: Simulation,
) -> None:
    from measure.threshold import fit_hinge, profile_breakpoint_intervals

    for wave in full.waves:
        clean = [r for r in wave.responses if r.planted == "response" and not r.flags]
        s = np.array([r.satisfaction for r in clean])
        loyalty = np.array([r.loyalty for r in clean])
        assert np.allclose(s, [np.mean([r.answers[c] for c in ACSI]) for r in clean])
        assert np.allclose(
            loyalty, [10 * np.mean([r.answers[c] for c in ("repurchase", "recommend", "cross_buy")]) for r in clean]
        )
        fit = fit_hinge(s, loyalty, 2)
        intervals = profile_breakpoint_intervals(s, loyalty, fit)
        planted = (THRESHOLDS.lower, THRESHOLDS.upper)
        for value, low, high in zip(planted, intervals.low, intervals.high, strict=True):
            assert low <= value <= high, f"{wave.period}: {value} outside [{low:.2f}, {high:.2f}]"
        below, between, above = THRESHOLDS.slopes
        assert fit.slopes[0] == pytest.approx(below, abs=3.0)
        assert fit.slopes[1] == pytest.approx(between, abs=1.5)
        assert fit.slopes[2] == pytest.approx(above, abs=4.0)


def test_binned_loyalty_collapses_below_4_is_flat_between_and_rises_above_8(full: Simulation) -> None:
    clean = [r for w in full.waves for r in w.responses if r.planted == "response" and not r.flags]
    s = np.array([r.satisfaction for r in clean])
    loyalty = np.array([r.loyalty for r in clean])

    def mean(low: float, high: float) -> float:
        return float(loyalty[(s >= low) & (s < high)].mean())

    assert mean(4, 5) - mean(2, 3) > 15  # steep below 4: the planted 12 points per point
    assert abs(mean(7, 8) - mean(4, 5)) < 6  # flat between: 1 point per point
    assert mean(9.5, 10.1) - mean(8, 8.5) > 15  # steep above 8: 15 points per point
    assert planted_loyalty(np.array([4.0, 8.0])).tolist() == [THRESHOLDS.at_lower, THRESHOLDS.at_lower + 4.0]


def test_the_service_problem_of_2026q3_shows_in_its_ratings_and_problem_rate(full: Simulation) -> None:
    def mean(wave: SimulatedWave, code: str) -> float:
        return float(np.mean([r.answers[code] for r in wave.responses if r.planted == "response" and not r.flags]))

    q2, q3, q4 = full.waves[1], full.waves[2], full.waves[3]
    assert mean(q2, "attr_satisfaction_service") - mean(q3, "attr_satisfaction_service") > 0.3
    assert mean(q4, "attr_satisfaction_service") > mean(q3, "attr_satisfaction_service")
    assert mean(q2, "sat_overall") > mean(q3, "sat_overall")

    def share_problem(wave: SimulatedWave) -> float:
        return float(np.mean([r.answers["problem"] == 1 for r in wave.responses]))

    assert share_problem(q3) > share_problem(q2)


def test_the_complaint_path_has_tarp_shares_and_repurchase_ordered_by_path(full: Simulation) -> None:
    rows = [r for w in full.waves for r in w.responses if r.planted == "response"]
    problem = [r for r in rows if r.answers["problem"] == 1]
    complained = [r for r in problem if r.answers["complained"] == 1]
    resolved = [r for r in complained if r.answers["complaint_resolved"] == 1]
    assert len(problem) / len(rows) == pytest.approx(0.27, abs=0.04)
    assert len(complained) / len(problem) == pytest.approx(0.5, abs=0.05)
    assert len(resolved) / len(complained) == pytest.approx(0.6, abs=0.07)

    def repurchase(path: str) -> float:
        return float(np.mean([r.answers["repurchase"] >= 7 for r in rows if r.path == path]))

    assert repurchase("unresolved") < repurchase("not_complained") < repurchase("none")
    assert repurchase("resolved") > repurchase("not_complained") + 0.15


# ---------------------------------------------------------------------------------------------------------
# Through the real importers


def _import(workspace: Path, questionnaire: Questionnaire, period: str, files: list[Path]) -> ImportSummary:
    with workspace_session(WorkspaceOptions(workspace)) as session:
        return import_responses(
            session,
            read_export(files),
            ImportOptions(questionnaire.survey, period, quarantine=workspace / f"rejected-{period}.csv"),
            file_digest(files),
        )


@pytest.fixture(scope="module")
def imported(
    tmp_path_factory: pytest.TempPathFactory, questionnaire: Questionnaire, small: Simulation
) -> tuple[Path, dict[str, ImportSummary], dict[str, list[Path]]]:
    """The small simulation written in the demo's formats and imported into a fresh SQLite workspace."""
    workspace = tmp_path_factory.mktemp("workspace")
    create_workspace(workspace)
    with workspace_session(WorkspaceOptions(workspace)) as session:
        publish_questionnaire(session, questionnaire, questionnaire_yaml(questionnaire))
    q1, q2, q3, q4 = small.waves
    files = {
        "2026Q1": [write_generic_table(q1, questionnaire, workspace / "2026Q1.csv")],
        "2026Q2": [write_generic_table(q2, questionnaire, workspace / "2026Q2.csv")],
        "2026Q3": list(write_wjx_pair(q3, questionnaire, workspace, "2026Q3")),
        "2026Q4": [write_generic_table(q4, questionnaire, workspace / "2026Q4.xlsx")],
    }
    summaries = {period: _import(workspace, questionnaire, period, paths) for period, paths in files.items()}
    return workspace, summaries, files


def test_every_wave_imports_with_exactly_the_planted_bad_rows_rejected(
    imported: tuple[Path, dict[str, ImportSummary], dict[str, list[Path]]], small: Simulation
) -> None:
    workspace, summaries, files = imported
    for wave in small.waves:
        summary = summaries[wave.period]
        planted = wave.rejected_at_import
        assert summary.read == len(wave.responses)
        assert (summary.rejected, summary.duplicates) == (len(planted), 0)
        assert summary.read == summary.stored + summary.rejected + summary.duplicates
        assert summary.variables_without_column == []
        with (workspace / f"rejected-{wave.period}.csv").open(encoding="utf-8-sig", newline="") as handle:
            rejected = list(csv.DictReader(handle))
        if wave.period == "2026Q3":  # 问卷星's 序号 is the row's position in the download
            numbers = {str(i) for i, r in enumerate(wave.responses, start=1) if r in planted}
            assert {row["序号"] for row in rejected} == numbers
        else:
            assert {row["response_id"] for row in rejected} == {r.response_id for r in planted}
    assert files["2026Q3"][0].name == "2026Q3_0.csv"


def test_the_wjx_pair_reads_as_wjx_and_its_satisfaction_answers_come_back_as_simulated(
    imported: tuple[Path, dict[str, ImportSummary], dict[str, list[Path]]],
    questionnaire: Questionnaire,
    small: Simulation,
) -> None:
    workspace, _, files = imported
    wave = small.waves[2]
    table = read_wjx(files["2026Q3"])
    assert table.format == "wjx"
    (overall,) = [i for i, c in enumerate(table.columns) if c.question_text and c.question_text.startswith("综合考虑")]
    rows = list(table.rows)
    for response, row in zip(wave.responses, rows, strict=True):
        point = response.answers["sat_overall"]
        assert row.cells[overall] == Choice(label=f"{point}分", code=point + 1)
    skipped = [i for i, c in enumerate(table.columns) if c.question_number == 12]  # referral_count, routed
    assert any(row.cells[skipped[0]] == Missing.NOT_SHOWN for row in rows)

    with workspace_session(WorkspaceOptions(workspace)) as session:
        stored = load_wave(session, questionnaire.survey, "2026Q3").responses
    kept = [r for r in wave.responses if r not in wave.rejected_at_import]
    codes = [*ACSI, *(f"attr_satisfaction_{row.code}" for row in questionnaire.attributes), "recommend"]
    for code in codes:
        assert stored[code].tolist() == [r.answers[code] for r in kept], code


def test_the_crm_file_has_one_record_per_customer_and_quarter_consistent_with_churn(
    tmp_path: Path, small: Simulation
) -> None:
    path = write_customer_records(small.waves[3], tmp_path / "crm.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300
    assert {row["period"] for row in rows} == {"2026Q4"}
    assert set(rows[0]) >= {"customer_id", "purchases", "revenue", "first_purchase", "last_purchase", "churned"}
    churned_before = {r["customer_id"] for r in small.waves[2].customer_records if r["churned"]}
    assert all(
        row["purchases"] == "0" and row["churned"] == "1" for row in rows if row["customer_id"] in churned_before
    )
    respondents = {r.customer_key for r in small.waves[3].responses}
    assert not respondents & churned_before  # a lost customer is not surveyed


def test_the_same_wave_is_written_as_the_same_bytes_so_a_second_import_changes_nothing(
    tmp_path: Path, questionnaire: Questionnaire, small: Simulation
) -> None:
    wave = small.waves[3]
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
        write_generic_table(wave, questionnaire, tmp_path / run / "wave.xlsx")
        write_generic_table(wave, questionnaire, tmp_path / run / "wave.csv")
        write_wjx_pair(wave, questionnaire, tmp_path / run, "wjx")
        write_customer_records(wave, tmp_path / run / "crm.csv")
    for name in ("wave.xlsx", "wave.csv", "wjx_0.csv", "wjx_2.csv", "crm.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
