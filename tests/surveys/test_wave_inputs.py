"""What each measure takes from a stored wave's codebook: selection only, every reversal from the direction."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from surveys.blueprints import new_questionnaire
from surveys.codebook import codebook
from surveys.problems import InputError
from surveys.questionnaire import Construct, Direction, Questionnaire
from surveys.storage.wave_data import WaveData
from surveys.wave_inputs import (
    aligned_values,
    attention_checks,
    attribute_pairs,
    complaint_path,
    complete_responses,
    grids,
    loyalty_indicators,
    loyalty_outcome_items,
    percent_of_scale,
    rated_items,
    recommend_item,
    satisfaction_items,
)


def wave_of(questionnaire: Questionnaire, responses: pd.DataFrame | None = None) -> WaveData:
    variables = codebook(questionnaire)
    frame = responses if responses is not None else pd.DataFrame(columns=[v.code for v in variables])
    return WaveData(questionnaire.survey, "2026Q3", questionnaire, variables, frame, frame.copy())


@pytest.fixture(scope="module")
def quarterly() -> WaveData:
    return wave_of(new_questionnaire("quarterly-loyalty", "retail-2026", ["en"]).questionnaire)


@pytest.fixture(scope="module")
def pulse() -> WaveData:
    return wave_of(new_questionnaire("nps-pulse", "pulse-2026", ["en"]).questionnaire)


def edited(questionnaire: Questionnaire, item_code: str, **changes: Any) -> Questionnaire:
    data = questionnaire.model_dump(exclude_defaults=True)
    for section in data["sections"]:
        for item in section["items"]:
            if item["code"] == item_code:
                item.update(changes)
    return Questionnaire.model_validate(data)


def test_a_construct_gives_its_rated_items_and_the_higher_is_worse_ones(quarterly: WaveData) -> None:
    items = rated_items(quarterly, Construct.COMPETITOR_ATTITUDE, "a test needs it")
    assert items.codes == ["versus_competitors", "competitor_offers_attractive"]
    assert items.reversed_codes == ["competitor_offers_attractive"]
    assert items.common_scale("a test") == (1.0, 5.0)


def test_reversal_follows_the_scale_bounds_of_the_codebook(quarterly: WaveData) -> None:
    items = rated_items(quarterly, Construct.COMPETITOR_ATTITUDE, "a test needs it")
    answers = pd.DataFrame({"versus_competitors": [1, 5, None], "competitor_offers_attractive": [1, 4, 2]})
    turned = aligned_values(answers.astype("Int64"), items)
    assert turned["versus_competitors"].tolist()[:2] == [1.0, 5.0]
    assert turned["competitor_offers_attractive"].tolist() == [5.0, 2.0, 4.0]


def test_the_six_indicators_prefer_rated_items_and_anchor_counts_at_the_p99(quarterly: WaveData) -> None:
    found, absent = loyalty_indicators(quarterly)
    by_construct = {item.construct: item for item in found}
    assert absent == []
    assert list(by_construct) == [
        Construct.REPEAT_PURCHASE,
        Construct.DELIBERATION_TIME,
        Construct.PRICE_SENSITIVITY,
        Construct.COMPETITOR_ATTITUDE,
        Construct.CHURN_INTENT,
        Construct.TRUST,
    ]
    assert by_construct[Construct.REPEAT_PURCHASE].anchors == (0.0, "p99")
    assert by_construct[Construct.DELIBERATION_TIME].items.codes == ["buy_without_comparing"]
    assert by_construct[Construct.CHURN_INTENT].direction == Direction.HIGHER_IS_WORSE
    assert by_construct[Construct.CHURN_INTENT].anchors == (0.0, 10.0)
    assert by_construct[Construct.COMPETITOR_ATTITUDE].mixed_directions


def test_a_count_without_a_stated_minimum_is_refused(quarterly: WaveData) -> None:
    data = quarterly.questionnaire.model_dump(exclude_defaults=True)
    for section in data["sections"]:
        for item in section["items"]:
            if item["code"] == "purchases_12m":
                item.pop("min", None)
    with pytest.raises(InputError) as caught:
        loyalty_indicators(wave_of(Questionnaire.model_validate(data)))
    assert "a number needs a stated min and a direction" in caught.value.report()
    assert "Give --indicators FILE.yaml" in caught.value.report()


def test_fewer_than_four_indicators_names_each_missing_construct(pulse: WaveData) -> None:
    with pytest.raises(InputError) as caught:
        loyalty_indicators(pulse)
    report = caught.value.report()
    for construct in ("repeat_purchase", "deliberation_time", "price_sensitivity", "churn_intent", "trust"):
        assert f"has no item of construct {construct}; the loyalty index needs at least 4" in report


def test_nps_takes_only_the_0_to_10_recommend_item(quarterly: WaveData) -> None:
    assert recommend_item(quarterly).code == "recommend"
    with pytest.raises(InputError, match="repurchase is not a 0–10 recommend item"):
        recommend_item(quarterly, "repurchase")


def test_the_complaint_path_reads_resolved_as_completely_and_leaves_open_cases_out(quarterly: WaveData) -> None:
    path = complaint_path(quarterly)
    assert (path.problem.code, path.complained.code, path.resolved.code) == (
        "problem",
        "complained",
        "complaint_resolved",
    )
    assert path.repurchase.code == "repurchase"
    assert (path.resolved_codes, path.unresolved_codes) == ((1,), (2, 3))


def test_a_complaint_item_that_is_not_yes_no_is_refused(quarterly: WaveData) -> None:
    options = [{"code": code, "text": {"en": text}} for code, text in ((1, "Yes"), (2, "No"), (3, "Not sure"))]
    with pytest.raises(InputError, match=r"problem: has options \[1, 2, 3\]; a yes/no item has 1 = yes, 2 = no"):
        complaint_path(wave_of(edited(quarterly.questionnaire, "problem", options=options)))


def test_attributes_pair_satisfaction_with_importance_by_grid_row(quarterly: WaveData) -> None:
    pairs = attribute_pairs(quarterly)
    assert pairs[0].attribute == "price"
    assert pairs[0].satisfaction.code == "attr_satisfaction_price"
    assert pairs[0].importance is not None
    assert pairs[0].importance.code == "attr_importance_price"


def test_grids_and_attention_checks_come_from_the_questionnaire(quarterly: WaveData) -> None:
    assert sorted(grids(quarterly)) == ["attr_importance", "attr_satisfaction"]
    assert len(grids(quarterly)["attr_satisfaction"]) == 8
    assert attention_checks(quarterly) == {"attention_instructed": [2]}


def test_only_complete_responses_are_kept_and_the_rest_counted(quarterly: WaveData) -> None:
    responses = pd.DataFrame({"status": ["complete", "partial", "complete", "screened_out"], "recommend": [9, 3, 7, 1]})
    kept, status = complete_responses(wave_of(quarterly.questionnaire, responses))
    assert kept.responses["recommend"].tolist() == [9, 7]
    assert status.as_dict() == {
        "used": 2,
        "used_by_status": {"complete": 2},
        "excluded_by_status": {"partial": 1, "screened_out": 1},
    }
    everyone, status = complete_responses(wave_of(quarterly.questionnaire, responses), include_incomplete=True)
    assert len(everyone.responses) == 4
    assert status.excluded == {}
    assert status.used_by_status == {"complete": 2, "partial": 1, "screened_out": 1}


def test_threshold_composites_put_each_outcome_item_on_0_to_100_of_its_own_scale(quarterly: WaveData) -> None:
    assert satisfaction_items(quarterly).codes == ["sat_overall", "sat_expectations", "sat_ideal"]
    outcomes = loyalty_outcome_items(quarterly)
    assert outcomes.codes == ["repurchase", "recommend"]
    answers = pd.DataFrame({"repurchase": [0, 5, 10], "recommend": [10, 0, None]}).astype("Int64")
    percent = percent_of_scale(answers, outcomes)
    assert percent["repurchase"].tolist() == [0.0, 50.0, 100.0]
    assert percent["recommend"].tolist()[:2] == [100.0, 0.0]


def test_churn_intent_on_0_to_100_is_reversed_from_its_direction(quarterly: WaveData) -> None:
    churn = rated_items(quarterly, Construct.CHURN_INTENT, "a test")
    percent = percent_of_scale(pd.DataFrame({"stop_buying": [0, 10, 8]}).astype("Int64"), churn)
    assert percent["stop_buying"].tolist() == [100.0, 0.0, pytest.approx(20.0)]
