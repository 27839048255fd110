"""`loyalty measure … --survey S --wave W`: every measure on a stored wave, with its inputs found in the codebook.

One workspace holds the quarterly-loyalty questionnaire and a wave of generated responses imported the way
platform exports are. The key check: a measure on the stored wave gives the same numbers as the same
measure on a CSV file of the same (complete) responses with the columns named by hand — so what the
stored-wave mode takes from the codebook is exactly what a researcher would name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from loyalty.cli import app
from tests.loyalty.quarterly_wave import SURVEY, WAVE, StoredWave, make_stored_wave, quarterly_questionnaire

runner = CliRunner()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> StoredWave:
    return make_stored_wave(tmp_path_factory.mktemp("stored") / "workspace")


@pytest.fixture(scope="module")
def complete_csv(stored: StoredWave) -> Path:
    """The complete responses as a data file, as a researcher would export them."""
    path = stored.workspace.parent / "complete.csv"
    stored.answers[stored.answers["status"] == "complete"].to_csv(path, index=False)
    return path


def run(stored: StoredWave, *arguments: str) -> Any:
    result = runner.invoke(app, ["--workspace", str(stored.workspace), "measure", *arguments])
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.output) if "--json" in arguments else result.output


def fails(stored: StoredWave, *arguments: str) -> str:
    result = runner.invoke(app, ["--workspace", str(stored.workspace), "measure", *arguments])
    assert result.exit_code == 1, result.output
    return result.stderr


def on_wave(*arguments: str) -> list[str]:
    """A measure on the stored wave, keeping the responses the screening flags, so that it reads the same
    responses as the file of all complete ones (leaving flagged ones out is specified in TestFlaggedResponses)."""
    keep = [] if arguments[0] == "quality" else ["--include-flagged"]
    return [arguments[0], "--survey", SURVEY, "--wave", WAVE, *arguments[1:], *keep, "--json"]


def without(result: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in result.items() if key not in keys}


class TestNetPromoterScore:
    def test_the_recommend_item_is_found_by_construct_and_matches_the_file(
        self, stored: StoredWave, complete_csv: Path
    ) -> None:
        wave = run(stored, *on_wave("nps", "--by", "channel"))
        file = run(
            stored, "nps", "--data", str(complete_csv), "--column", "recommend", "--by", "channel", "--json",
            "--repurchase-column", "repurchase", "--other-products-column", "cross_buy",
        )  # fmt: skip
        assert wave["column"] == "recommend"
        assert without(wave, "stored_wave") == file
        assert wave["customer_loyalty_index"]["n"] == file["n"]

    def test_only_complete_responses_are_measured_and_the_rest_are_counted(self, stored: StoredWave) -> None:
        statuses = stored.answers["status"].value_counts()
        wave = run(stored, *on_wave("nps"))
        assert without(wave["stored_wave"], "flagged") == {
            "survey": SURVEY,
            "wave": WAVE,
            "used": int(statuses["complete"]),
            "used_by_status": {"complete": int(statuses["complete"])},
            "excluded_by_status": {"partial": int(statuses["partial"])},
        }
        everyone = run(stored, *on_wave("nps", "--include-incomplete"))
        assert everyone["n"] == len(stored.answers)
        assert everyone["stored_wave"]["excluded_by_status"] == {}
        table = run(stored, "nps", "--survey", SURVEY, "--wave", WAVE)
        assert f"left out: {statuses['partial']} partial (--include-incomplete keeps them)" in table

    def test_nps_is_refused_on_an_item_that_is_not_the_recommend_item(self, stored: StoredWave) -> None:
        error = fails(stored, *on_wave("nps", "--column", "sat_overall"))
        assert "sat_overall is not a 0–10 recommend item." in error
        assert "NPS is computed only on the 0–10 recommend item. Use recommend." in error


class TestChoosingTheMode:
    def test_a_data_file_and_a_stored_wave_together_are_refused(self, stored: StoredWave, complete_csv: Path) -> None:
        error = fails(stored, "nps", "--data", str(complete_csv), "--column", "recommend", "--survey", SURVEY)
        assert "Measure either a data file or a stored wave, not both." in error
        assert "--data and --survey: were both given." in error

    def test_neither_is_refused(self, stored: StoredWave) -> None:
        assert "Give --data FILE, or --survey S --wave W" in fails(stored, "nps")

    def test_a_survey_needs_its_wave(self, stored: StoredWave) -> None:
        assert "--wave: is not given." in fails(stored, "nps", "--survey", SURVEY)

    def test_an_unknown_wave_or_survey_is_named(self, stored: StoredWave) -> None:
        assert "No wave '2026Q4' of survey 'retail-2026'." in fails(
            stored, "nps", "--survey", SURVEY, "--wave", "2026Q4"
        )
        assert "retail-2025" in fails(stored, "nps", "--survey", "retail-2025", "--wave", WAVE)

    def test_file_options_the_codebook_answers_are_refused(self, stored: StoredWave) -> None:
        error = fails(stored, *on_wave("nps", "--scale", "1-10"))
        assert "--scale cannot be used with a stored wave." in error

    def test_a_multiple_choice_cannot_make_segments(self, stored: StoredWave) -> None:
        error = fails(stored, *on_wave("nps", "--by", "problem_type"))
        assert "--by: problem_type is a multiple-choice item: a respondent may give several answers." in error

    def test_respondents_without_an_answer_are_in_no_segment(self, stored: StoredWave) -> None:
        wave = run(stored, *on_wave("nps", "--by", "complained"))
        complete = stored.answers[stored.answers["status"] == "complete"]
        assert [row["segment"] for row in wave["segments"]] == ["1", "2"]
        assert sum(row["n"] for row in wave["segments"]) == complete["complained"].notna().sum()

    def test_an_unknown_segment_column_gets_the_nearest_name(self, stored: StoredWave) -> None:
        error = fails(stored, *on_wave("nps", "--by", "chanel"))
        assert 'chanel is not a variable of survey retail-2026. Did you mean "channel"?' in error


# The indicators a researcher would name for the quarterly questionnaire, as the codebook defines them:
# rated items on their scale bounds, the purchase count from 0 to this wave's P99, and the competitor items
# on one direction (the file holds competitor_offers_attractive reversed on its 1–5 scale: 6 − x).
INDICATOR_FILE = """\
repeat_purchases:    {column: purchases_12m, direction: higher_is_better, anchors: [0, p99]}
deliberation_time:   {column: buy_without_comparing, direction: higher_is_better, anchors: [1, 5]}
price_sensitivity:   {column: price_rise_10, direction: higher_is_better, anchors: [1, 5]}
competitor_attitude: {columns: [versus_competitors, rivals_unattractive], direction: higher_is_better, anchors: [1, 5]}
churn:               {column: stop_buying, direction: higher_is_worse, anchors: [0, 10]}
trust:
  columns: [trust_reliable, trust_honest, trust_competent, trust_cares]
  direction: higher_is_better
  anchors: [1, 5]
"""


@pytest.fixture(scope="module")
def index_files(stored: StoredWave) -> tuple[Path, Path]:
    complete = stored.answers[stored.answers["status"] == "complete"].copy()
    complete["rivals_unattractive"] = 6 - complete["competitor_offers_attractive"]
    data = stored.workspace.parent / "index.csv"
    complete.to_csv(data, index=False)
    indicators = stored.workspace.parent / "indicators.yaml"
    indicators.write_text(INDICATOR_FILE, encoding="utf-8")
    return data, indicators


class TestLoyaltyIndex:
    @pytest.mark.parametrize("weights", ["equal", "entropy"])
    def test_the_six_indicators_are_found_by_construct_without_a_yaml_file(
        self, stored: StoredWave, index_files: tuple[Path, Path], weights: str
    ) -> None:
        data, indicators = index_files
        wave = run(stored, *on_wave("index", "--weights", weights, "--by", "channel"))
        file = run(
            stored, "index", "--data", str(data), "--indicators", str(indicators), "--weights", weights,
            "--by", "channel", "--json",
        )  # fmt: skip
        assert without(wave, "stored_wave", "indicator_items") == file
        assert wave["indicator_items"]["competitor_attitude"]["reversed"] == ["competitor_offers_attractive"]
        assert wave["indicator_items"]["deliberation_time"]["items"] == ["buy_without_comparing"]
        assert "deliberation_days left out" in wave["indicator_items"]["deliberation_time"]["note"]

    def test_a_later_run_can_freeze_the_waves_anchors_including_the_p99(
        self, stored: StoredWave, tmp_path: Path
    ) -> None:
        first = run(stored, *on_wave("index", "--weights", "entropy"))
        baseline = tmp_path / "baseline.json"
        baseline.write_text(json.dumps(first), encoding="utf-8")
        again = run(stored, *on_wave("index", "--baseline", str(baseline)))
        assert again["anchors"] == first["anchors"]
        assert again["anchors"]["repeat_purchases"][1] == pytest.approx(
            stored.answers.loc[stored.answers["status"] == "complete", "purchases_12m"].quantile(0.99)
        )
        assert again["weights"] == first["weights"]
        assert again["index"] == pytest.approx(first["index"], rel=1e-12)

    def test_an_indicator_file_may_still_choose_the_variables(self, stored: StoredWave, tmp_path: Path) -> None:
        indicators = tmp_path / "indicators.yaml"
        indicators.write_text(
            INDICATOR_FILE.replace("[versus_competitors, rivals_unattractive]", "[versus_competitors]"),
            encoding="utf-8",
        )
        wave = run(stored, *on_wave("index", "--indicators", str(indicators)))
        assert wave["anchors"]["competitor_attitude"] == [1.0, 5.0]
        assert "indicator_items" not in wave


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> StoredWave:
    """A short NPS pulse survey: recommend, overall satisfaction and repurchase, nothing else."""
    questionnaire = quarterly_questionnaire("pulse-2026", "nps-pulse")
    return make_stored_wave(tmp_path_factory.mktemp("pulse") / "workspace", questionnaire=questionnaire, n=60)


def on_pulse(*arguments: str) -> list[str]:
    return [arguments[0], "--survey", "pulse-2026", "--wave", WAVE, *arguments[1:], "--include-flagged", "--json"]


class TestWhatTheWaveLacks:
    def test_the_index_names_every_indicator_the_survey_lacks(self, pulse: StoredWave) -> None:
        error = fails(pulse, *on_pulse("index"))
        assert "Survey pulse-2026 measures 0 of the six loyalty indicators; the index needs 4." in error
        assert "has no item of construct trust; the loyalty index needs at least 4 of the six indicators" in error
        assert "Give --indicators FILE.yaml naming the variables, directions and anchors yourself." in error

    def test_drivers_without_stated_importance_rank_by_relative_weights(self, pulse: StoredWave) -> None:
        wave = run(pulse, *on_pulse("drivers"))
        assert wave["outcome"] == "sat_overall"
        assert "stated" not in wave["importance_performance"]["importance_source"]
        assert all(item["importance"] is None for item in wave["attribute_items"].values())

    def test_nps_works_on_the_pulse(self, pulse: StoredWave) -> None:
        assert run(pulse, *on_pulse("nps"))["n"] == (pulse.answers["status"] == "complete").sum()


TRUST = "trust_reliable,trust_honest,trust_competent,trust_cares"


class TestReliabilityAndValidity:
    def test_a_construct_names_its_items(self, stored: StoredWave, complete_csv: Path) -> None:
        wave = run(stored, *on_wave("reliability", "--construct", "trust"))
        file = run(stored, "reliability", "--data", str(complete_csv), "--items", TRUST, "--json")
        assert without(wave, "stored_wave") == file

    def test_items_are_reversed_where_the_codebook_says_higher_is_worse(
        self, stored: StoredWave, complete_csv: Path
    ) -> None:
        wave = run(stored, *on_wave("reliability", "--construct", "competitor_attitude"))
        file = run(
            stored, "reliability", "--data", str(complete_csv), "--items",
            "versus_competitors,competitor_offers_attractive", "--reverse", "competitor_offers_attractive",
            "--scale", "1-5", "--json",
        )  # fmt: skip
        assert wave["reversed_items"] == ["competitor_offers_attractive"]
        assert without(wave, "stored_wave") == file

    def test_reversing_by_hand_is_refused_on_a_stored_wave(self, stored: StoredWave) -> None:
        error = fails(stored, *on_wave("reliability", "--construct", "trust", "--reverse", "trust_cares"))
        assert "--reverse: on a stored wave, items are reversed where the codebook says higher is worse." in error

    def test_without_a_construct_the_candidates_are_listed(self, stored: StoredWave) -> None:
        error = fails(stored, *on_wave("reliability"))
        assert "Constructs with two or more rated items: overall_satisfaction, attribute_importance," in error

    def test_the_measurement_model_takes_constructs_by_name(self, stored: StoredWave, complete_csv: Path) -> None:
        wave = run(
            stored, *on_wave("validity", "--construct", "trust", "--construct", "competitor_attitude",
                             "--construct", "LOY=repurchase,cross_buy,recommend"),
        )  # fmt: skip
        file = run(
            stored, "validity", "--data", str(complete_csv), "--construct", f"trust={TRUST}",
            "--construct", "competitor_attitude=versus_competitors,competitor_offers_attractive",
            "--construct", "LOY=repurchase,cross_buy,recommend",
            "--reverse", "competitor_offers_attractive", "--scale", "1-5", "--json",
        )  # fmt: skip
        assert without(wave, "stored_wave") == file

    def test_a_construct_the_survey_lacks_is_named(self, pulse: StoredWave) -> None:
        error = fails(pulse, *on_pulse("reliability", "--construct", "trust"))
        assert "has no item of construct trust; a reliability analysis needs its items." in error


ATTRIBUTES = ["price", "product_quality", "service", "staff_expertise", "delivery", "after_sales",
              "online_ordering", "membership"]  # fmt: skip


class TestDrivers:
    def test_the_attribute_grid_gives_performance_and_stated_importance_by_attribute(
        self, stored: StoredWave, tmp_path: Path
    ) -> None:
        complete = stored.answers[stored.answers["status"] == "complete"]
        data = tmp_path / "drivers.csv"
        complete.rename(columns={f"attr_satisfaction_{name}": name for name in ATTRIBUTES}).to_csv(data, index=False)
        wave = run(stored, *on_wave("drivers", "--outcome", "sat_overall"))
        file = run(
            stored, "drivers", "--data", str(data), "--outcome", "sat_overall", "--attributes", ",".join(ATTRIBUTES),
            "--importance-columns", ",".join(f"attr_importance_{name}" for name in ATTRIBUTES),
            "--scale", "1,5", "--json",
        )  # fmt: skip
        assert without(wave, "stored_wave", "attribute_items", "data") == without(file, "data")
        assert wave["importance_performance"]["importance_source"] == "stated"
        assert wave["attribute_items"]["price"] == {
            "satisfaction": "attr_satisfaction_price",
            "importance": "attr_importance_price",
        }

    def test_several_overall_ratings_need_a_choice(self, stored: StoredWave) -> None:
        error = fails(stored, *on_wave("drivers"))
        assert "has 3 items of construct overall_satisfaction." in error
        assert "--outcome: choose one of sat_overall, sat_expectations, sat_ideal." in error


class TestQualityScreening:
    def test_grids_times_attention_items_and_devices_come_from_the_survey(
        self, stored: StoredWave, tmp_path: Path
    ) -> None:
        complete = stored.answers[stored.answers["status"] == "complete"].assign(version=1)
        data = tmp_path / "screen.csv"
        complete.to_csv(data, index=False)
        wave = run(stored, *on_wave("quality"))
        file = run(
            stored, "quality", "--data", str(data),
            "--grid", "attr_importance=" + ",".join(f"attr_importance_{name}" for name in ATTRIBUTES),
            "--grid", "attr_satisfaction=" + ",".join(f"attr_satisfaction_{name}" for name in ATTRIBUTES),
            "--duration-column", "duration_seconds", "--version-column", "version",
            "--attention", "attention_instructed=2", "--fingerprint-column", "ip_address",
            "--submitted-column", "submitted_at", "--json",
        )  # fmt: skip
        for response in file["responses"]:
            del response["line"]
        for response in wave["responses"]:
            del response["response_id"]
        assert without(wave, "stored_wave", "screened", "data") == without(file, "data")
        assert wave["screened"]["attention_checks"] == {"attention_instructed": ["2"]}
        assert wave["checks_skipped"] == file["checks_skipped"]
        failed = next(count["count"] for count in wave["counts"] if count["reason"] == "attention_check_failed")
        assert failed == int((complete["attention_instructed"] != 2).sum())

    def test_the_planted_speeder_straightliner_and_repeated_device_are_flagged(self, stored: StoredWave) -> None:
        wave = run(stored, *on_wave("quality"))
        flagged = {response["response_id"]: response["reasons"] for response in wave["responses"]}
        assert "speeder" in flagged[11]
        assert "straightlining" in flagged[21]
        assert "duplicate_device" in flagged[30]
        assert "duplicate_device" in flagged[31]


class TestMarketDamage:
    def test_the_complaint_path_is_read_from_the_survey(self, stored: StoredWave, tmp_path: Path) -> None:
        complete = stored.answers[stored.answers["status"] == "complete"]
        # the path as a researcher would code it by hand: yes = 1, no = 0; resolved only when "completely";
        # "still being dealt with" (4) left out; will buy again = the top two points of the 0–10 scale
        resolution = complete["complaint_resolved"].map({1: 1, 2: 0, 3: 0})
        path = pd.DataFrame(
            {
                "had_problem": (complete["problem"] == 1).astype(int),
                "complained": complete["complained"].map({1: 1, 2: 0}),
                "resolved": resolution,
                "buy_again": complete["repurchase"],
            }
        )
        data = tmp_path / "complaints.csv"
        path.to_csv(data, index=False)
        model = ["--customers", "100000", "--annual-value", "500", "--what-if", "resolution-rate=0.8"]
        wave = run(stored, *on_wave("damage", *model))
        file = run(
            stored, "damage", "--data", str(data), *model, "--problem-column", "had_problem",
            "--complained-column", "complained", "--resolved-column", "resolved",
            "--repurchase-column", "buy_again", "--repurchase-min", "9", "--json",
        )  # fmt: skip
        assert without(wave, "stored_wave", "complaint_path") == file
        assert wave["complaint_path"]["unresolved_codes"] == [2, 3]
        assert wave["complaint_path"]["repurchase_min"] == 9

    def test_a_survey_without_a_complaint_path_is_told_what_is_missing(self, pulse: StoredWave) -> None:
        error = fails(pulse, *on_pulse("damage", "--customers", "1000", "--annual-value", "100"))
        assert "Survey pulse-2026 lacks the complaint path the market-damage model needs." in error
        assert "has no single-choice item of construct complained." in error


MARGINS = """\
channel: {wechat: 0.5, sms: 0.3, email: 0.2}
gender: {1: 0.49, 2: 0.49, 3: 0.02}
"""


class TestSurveyWeights:
    def test_margins_name_the_surveys_variables_and_details(
        self, stored: StoredWave, complete_csv: Path, tmp_path: Path
    ) -> None:
        margins = tmp_path / "margins.yaml"
        margins.write_text(MARGINS, encoding="utf-8")
        estimates = ["--margins", str(margins), "--variable", "sat_overall", "--nps", "recommend"]
        wave = run(stored, *on_wave("weights", *estimates))
        file = run(stored, "weights", "--data", str(complete_csv), *estimates, "--json")
        assert without(wave, "stored_wave", "data") == without(file, "data")
        assert wave["weights"]["converged"]

    def test_weighted_nps_only_on_the_recommend_item(self, stored: StoredWave, tmp_path: Path) -> None:
        margins = tmp_path / "margins.yaml"
        margins.write_text(MARGINS, encoding="utf-8")
        error = fails(stored, *on_wave("weights", "--margins", str(margins), "--nps", "repurchase"))
        assert "--nps: repurchase measures repurchase_intent on 0–10; NPS is computed only on" in error

    def test_a_margin_on_an_unknown_variable_gets_the_nearest_name(self, stored: StoredWave, tmp_path: Path) -> None:
        margins = tmp_path / "margins.yaml"
        margins.write_text("gendr: {1: 0.5, 2: 0.5}\n", encoding="utf-8")
        error = fails(stored, *on_wave("weights", "--margins", str(margins)))
        assert 'margins.yaml, gendr: gendr is not a variable of survey retail-2026. Did you mean "gender"?' in error


class TestSegments:
    LADDER = ("--purchases-column", "purchases_12m", "--recommend-column", "recommend",
              "--referrals-column", "referral_count")  # fmt: skip

    def test_the_ladder_columns_name_the_surveys_variables(self, stored: StoredWave, tmp_path: Path) -> None:
        complete = stored.answers[stored.answers["status"] == "complete"]
        data = tmp_path / "ladder.csv"
        complete.assign(aware=complete["aware"].map({1: 1, 2: 0})).to_csv(data, index=False)
        wave = run(stored, "segments", *on_wave("ladder", *self.LADDER, "--aware-column", "aware"))
        file = run(stored, "segments", "ladder", "--data", str(data), *self.LADDER, "--aware-column", "aware", "--json")
        assert without(wave, "stored_wave") == file

    def test_a_choice_item_is_neither_a_count_nor_a_yes_no_answer_unless_it_is_one(self, stored: StoredWave) -> None:
        error = fails(
            stored, "segments", *on_wave("ladder", "--purchases-column", "purchases_to_date", "--need-column", "need")
        )
        assert "purchases_to_date: is a choice item: its answers are option codes, not numbers." in error
        assert "need: is not a yes/no item (a single choice with options 1 = yes, 2 = no)." in error


def test_a_stored_wave_measures_the_same_on_sqlite_and_postgresql(tmp_path: Path, database_url: str) -> None:
    small = make_stored_wave(tmp_path / "workspace", database_url, n=80, seed=7)
    complete = small.answers[small.answers["status"] == "complete"]
    data = tmp_path / "complete.csv"
    complete.assign(rivals_unattractive=6 - complete["competitor_offers_attractive"]).to_csv(data, index=False)
    indicators = tmp_path / "indicators.yaml"
    indicators.write_text(INDICATOR_FILE, encoding="utf-8")
    wave = run(small, *on_wave("index", "--weights", "critic"))
    file = run(small, "index", "--data", str(data), "--indicators", str(indicators), "--weights", "critic", "--json")
    assert without(wave, "stored_wave", "indicator_items") == file
    assert wave["stored_wave"]["used"] == len(complete)
    nps = run(small, *on_wave("nps"))
    assert nps["n"] == complete["recommend"].notna().sum()


class TestOptionsThatBelongToDataFiles:
    def test_include_incomplete_is_for_a_stored_wave(self, stored: StoredWave, complete_csv: Path) -> None:
        error = fails(stored, "nps", "--data", str(complete_csv), "--column", "recommend", "--include-incomplete")
        assert "--include-incomplete is for a stored wave." in error

    def test_include_flagged_is_refused_where_a_data_file_has_no_screening_column_to_read(
        self, stored: StoredWave, complete_csv: Path
    ) -> None:
        error = fails(stored, "nps", "--data", str(complete_csv), "--column", "recommend", "--include-flagged")
        assert "--include-flagged is for a stored wave here." in error


class TestFlaggedResponses:
    """On a stored wave, the responses the quality screening flags are left out by default and counted by
    reason; --include-flagged keeps them. The flagged ones are those `loyalty measure quality` lists."""

    def test_nps_leaves_out_the_responses_quality_lists_and_says_so(
        self, stored: StoredWave, complete_csv: Path
    ) -> None:
        quality = run(stored, *on_wave("quality"))
        flagged = [r["row"] for r in quality["responses"] if r["reasons"]]
        assert flagged, "the generated wave has planted speeders and straight-liners"
        clean = stored.answers[stored.answers["status"] == "complete"].reset_index(drop=True).drop(index=flagged)
        data = stored.workspace.parent / "clean.csv"
        clean.to_csv(data, index=False)
        by_default = run(stored, "nps", "--survey", SURVEY, "--wave", WAVE, "--json")
        file = run(stored, "nps", "--data", str(data), "--column", "recommend", "--json")
        assert without(by_default, "stored_wave", "customer_loyalty_index") == without(file, "customer_loyalty_index")
        screening = by_default["stored_wave"]["flagged"]
        assert screening["flagged"] == screening["excluded"] == len(flagged)
        assert screening["by_reason"] == {c["reason"]: c["count"] for c in quality["counts"] if c["count"]}
        text = run(stored, "nps", "--survey", SURVEY, "--wave", WAVE)
        complete = int((stored.answers["status"] == "complete").sum())
        assert f"{complete - len(flagged)} of {complete} complete responses measured" in text
        assert f"{len(flagged)} flagged responses left out (" in text
        assert "--include-flagged keeps them" in text

    def test_include_flagged_keeps_them(self, stored: StoredWave, complete_csv: Path) -> None:
        kept = run(stored, *on_wave("nps"))
        file = run(stored, "nps", "--data", str(complete_csv), "--column", "recommend", "--json")
        assert without(kept, "stored_wave", "customer_loyalty_index") == without(file, "customer_loyalty_index")
        assert kept["stored_wave"]["flagged"]["excluded"] == 0


class TestThreshold:
    def test_satisfaction_and_loyalty_come_from_the_codebook_and_match_the_file(
        self, stored: StoredWave, complete_csv: Path
    ) -> None:
        wave = run(stored, *on_wave("threshold", "--breakpoints", "1"))
        file = run(
            stored, "threshold", "--data", str(complete_csv),
            "--satisfaction", "sat_overall,sat_expectations,sat_ideal", "--satisfaction-scale", "0-10",
            "--loyalty", "repurchase,recommend", "--loyalty-scale", "0-10", "--breakpoints", "1", "--json",
        )  # fmt: skip
        assert wave["stored_wave"]["survey"] == SURVEY
        assert wave["n"] == file["n"]
        assert wave["breakpoints"] == pytest.approx(file["breakpoints"], rel=1e-9)
        assert wave["sse"] == pytest.approx(file["sse"], rel=1e-9)
        assert [zone["share"] for zone in wave["zones"]] == pytest.approx([zone["share"] for zone in file["zones"]])

    def test_file_options_are_refused_on_a_stored_wave(self, stored: StoredWave) -> None:
        message = fails(stored, *on_wave("threshold", "--satisfaction", "sat_overall"))
        assert "--satisfaction cannot be used with a stored wave." in message


class TestNetPromoterScoreBetweenStoredWaves:
    def test_the_change_from_an_earlier_stored_wave_matches_the_file_mode(self, tmp_path: Path) -> None:
        from sqlmodel import Session

        from loyalty.workspace import WorkspaceOptions, open_workspace
        from surveys.importers.import_responses import ImportOptions, import_responses
        from tests.loyalty.quarterly_wave import export_table, generated_answers

        stored = make_stored_wave(tmp_path / "workspace", n=120)
        earlier = generated_answers(stored.questionnaire, 150, seed=7)
        engine = open_workspace(WorkspaceOptions(stored.workspace)).engine()
        with Session(engine) as session:
            import_responses(session, export_table(earlier), ImportOptions(SURVEY, "2026Q2"), "earlier")
            session.commit()
        engine.dispose()

        wave = run(stored, *on_wave("nps", "--compare-wave", "2026Q2"))
        both = pd.concat([earlier.assign(quarter="2026Q2"), stored.answers.assign(quarter=WAVE)])
        data = tmp_path / "both.csv"
        both[both["status"] == "complete"].to_csv(data, index=False)
        file = run(stored, "nps", "--data", str(data), "--column", "recommend", "--wave-column", "quarter", "--json")
        assert wave["change"] == file["change"]
        assert wave["score"] == file["score"]
        assert [w["wave"] for w in wave["waves"]] == ["2026Q2", WAVE]
