"""`loyalty measure index --data FILE`: as a new user runs it, with its files and its error messages."""

from __future__ import annotations

import itertools
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from typer.testing import CliRunner, Result

from loyalty.cli import app
from tests.measure import d5

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
runner = CliRunner()


def run(*arguments: str | Path) -> Result:
    return runner.invoke(app, ["measure", "index", *map(str, arguments)])


def run_json(*arguments: str | Path) -> dict[str, Any]:
    result = run(*arguments, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    for name in ("loyalty_q3.csv", "loyalty_q4.csv", "indicators.yaml", "ahp.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def d5_files(tmp_path: Path) -> Path:
    """D5 of METHODS §3.7 as a user would give it: a CSV and an indicator file with sample anchors."""
    d5.d5_values().to_csv(tmp_path / "d5.csv", index=False)
    lines = [
        f"{name}: {{column: {name}, direction: {direction}, anchors: sample}}"
        for name, direction in zip(d5.NAMES, d5.DIRECTIONS, strict=True)
    ]
    (tmp_path / "indicators.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "ahp.yaml").write_text(
        f"order: {json.dumps(d5.NAMES)}\nmatrix:\n"
        "  - [1, 3, 2, 2, 1/2, 1/2]\n  - [1/3, 1, 1/2, 1/2, 1/4, 1/4]\n  - [1/2, 2, 1, 1, 1/3, 1/3]\n"
        "  - [1/2, 2, 1, 1, 1/3, 1/3]\n  - [2, 4, 3, 3, 1, 1]\n  - [2, 4, 3, 3, 1, 1]\n",
        encoding="utf-8",
    )
    return tmp_path


def test_d5_through_the_command_line_reproduces_the_methods_vectors(d5_files: Path) -> None:
    data, indicators = d5_files / "d5.csv", d5_files / "indicators.yaml"
    entropy = run_json("--data", data, "--indicators", indicators, "--weights", "entropy")
    assert_allclose(list(entropy["weights"].values()), d5.ENTROPY_WEIGHTS, atol=5e-7)
    assert_allclose(entropy["respondent_index"], d5.ENTROPY_INDEX, atol=5e-4)
    assert entropy["n"] == 8
    critic = run_json("--data", data, "--indicators", indicators, "--weights", "critic")
    assert_allclose(list(critic["weights"].values()), d5.CRITIC_WEIGHTS, atol=5e-7)
    pca = run_json("--data", data, "--indicators", indicators, "--weights", "pca")
    assert_allclose(list(pca["weights"].values()), d5.PCA_WEIGHTS, atol=5e-7)
    ahp = run_json("--data", data, "--indicators", indicators, "--weights", f"ahp:{d5_files / 'ahp.yaml'}")
    assert_allclose([ahp["weights"][name] for name in d5.NAMES], d5.AHP_WEIGHTS, atol=5e-7)
    assert ahp["lambda_max"] == pytest.approx(6.041350, abs=5e-7)
    assert ahp["consistency_index"] == pytest.approx(0.008270, abs=5e-7)
    assert ahp["consistency_ratio"] == pytest.approx(0.006669, abs=5e-7)
    assert_allclose(ahp["respondent_index"], d5.AHP_INDEX, atol=5e-4)
    equal = run_json("--data", data, "--indicators", indicators)
    assert_allclose(equal["respondent_index"], d5.EQUAL_INDEX, atol=5e-4)
    assert equal["anchors"]["deliberation_time"] == [5, 45]  # the sample anchors, ready to freeze


def test_the_documented_example_gives_the_promised_keys_and_a_table(examples: Path) -> None:
    data, indicators = examples / "loyalty_q3.csv", examples / "indicators.yaml"
    result = run_json("--data", data, "--indicators", indicators, "--weights", f"ahp:{examples / 'ahp.yaml'}")
    for key in ("index", "ci_low", "ci_high", "n", "weights", "method"):
        assert key in result
    for key in ("lambda_max", "consistency_index", "consistency_ratio"):
        assert key in result
    assert result["method"] == "ahp"
    assert result["ci_low"] < result["index"] < result["ci_high"]
    assert result["n"] + result["n_excluded"] == len(pd.read_csv(data))
    assert result["n_excluded"] == 1  # row 19 has only 3 of the 6 indicators
    assert result["capped"]["repeat_purchases"] == 1  # 31 purchases capped at the anchor 24
    text = run("--data", data, "--indicators", indicators, "--by", "region", "--sensitivity")
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("Loyalty index ")
    for expected in ("North", "South", "East", "entropy", "critic", "pca", "Spread across weightings"):
        assert expected in text.stdout


def test_weights_complete_cases_do_not_hide_the_index_n(examples: Path) -> None:
    result = run_json(
        "--data",
        examples / "loyalty_q3.csv",
        "--indicators",
        examples / "indicators.yaml",
        "--weights",
        "entropy",
    )
    assert result["n"] == sum(value is not None for value in result["respondent_index"])
    assert result["complete_cases"] < result["n"]


def test_segments_and_survey_weights(examples: Path) -> None:
    data, indicators = examples / "loyalty_q3.csv", examples / "indicators.yaml"
    weighted = run_json("--data", data, "--indicators", indicators, "--by", "region", "--survey-weight", "weight")
    plain = run_json("--data", data, "--indicators", indicators, "--by", "region")
    assert weighted["weighted"] is True
    assert weighted["effective_n"] < weighted["n"]
    assert weighted["index"] != pytest.approx(plain["index"], abs=1e-9)
    assert [segment["segment"] for segment in weighted["segments"]] == ["East", "North", "South"]
    assert sum(segment["n"] for segment in weighted["segments"]) == weighted["n"]


def test_a_later_wave_with_frozen_baseline_and_the_change_test(examples: Path) -> None:
    indicators = examples / "indicators.yaml"
    q3 = run("--data", examples / "loyalty_q3.csv", "--indicators", indicators, "--weights", "entropy", "--json")
    (examples / "q3.json").write_text(q3.stdout, encoding="utf-8")
    q3_result = json.loads(q3.stdout)
    q4 = run_json(
        "--data",
        examples / "loyalty_q4.csv",
        "--indicators",
        indicators,
        "--baseline",
        examples / "q3.json",
        "--previous",
        examples / "q3.json",
    )
    assert q4["weights"] == q3_result["weights"]
    assert q4["method"] == "entropy"
    change = q4["change"]
    assert change["change"] == pytest.approx(q4["index"] - q3_result["index"], rel=1e-12)
    assert 0 < change["p_value"] < 1
    refused = run(
        "--data",
        examples / "loyalty_q4.csv",
        "--indicators",
        indicators,
        "--weights",
        "critic",
        "--previous",
        examples / "q3.json",
    )
    assert refused.exit_code == 1
    assert "Freeze them with --baseline" in refused.output


def test_inconsistent_judgments_are_refused_unless_accepted_with_a_warning(examples: Path) -> None:
    text = (examples / "ahp.yaml").read_text(encoding="utf-8")
    # repeat purchases over churn 9 instead of 1/2 makes the judgments contradict each other
    inconsistent = text.replace("[1,   3,   2,   2,   1/2, 1/2]", "[1,   3,   2,   2,   9,   1/2]").replace(
        "[2,   4,   3,   3,   1,   1]\n  - [2,", "[1/9, 4,   3,   3,   1,   1]\n  - [2,", 1
    )
    (examples / "bad.yaml").write_text(inconsistent, encoding="utf-8")
    arguments: list[str | Path] = [
        "--data",
        examples / "loyalty_q3.csv",
        "--indicators",
        examples / "indicators.yaml",
        "--weights",
        f"ahp:{examples / 'bad.yaml'}",
    ]
    refused = run(*arguments)
    assert refused.exit_code == 1
    assert "consistency ratio" in refused.output
    assert "--accept-inconsistent" in refused.output
    accepted = run(*arguments, "--accept-inconsistent", "--json")
    assert accepted.exit_code == 0, accepted.output
    assert "Warning: Inconsistent judgments accepted" in accepted.output
    assert json.loads(accepted.stdout)["consistency_ratio"] > 0.10


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("trust:  ", "loyalty:"), "'loyalty' is not one of the six loyalty indicators"),
        (
            ("column: stop_buying", "column: stop_buyng"),
            "(churn): column stop_buyng is not in",
        ),
        (("anchors: [0, 10]}", "}"), "(churn): anchors are missing"),
        (
            ("anchors: [1, 5]}\ncompetitor", "anchors: [5, 1]}\ncompetitor"),
            "anchors must be [low, high] with low < high",
        ),
        (("higher_is_worse,  anchors: [0, 10]", "lower_is_better, anchors: [0, 10]"), "direction must be"),
    ],
)
def test_a_bad_indicator_file_names_the_file_line_and_entry(
    examples: Path, edit: tuple[str, str], message: str
) -> None:
    path = examples / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    result = run("--data", examples / "loyalty_q3.csv", "--indicators", path)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert message in result.output
    assert f"{path}, line " in result.output
    assert 'Did you mean "stop_buying"' in result.output or "stop_buyng" not in edit[1]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("[1/3, 1,   1/2", "[3,   1,   1/2"),
            "matrix is not reciprocal: row 1, column 2 is 3 but row 2, column 1 is 3",
        ),
        (
            ("[1/2, 2,   1,   1,   1/3, 1/3]\n", "[0,   2,   1,   1,   1/3, 1/3]\n"),
            "row 3, column 1: 0 is not a positive",
        ),
        (
            ("[1/2, 2,   1,   1,   1/3, 1/3]\n", "[1/2, 2,   1,   1,   1/3]\n"),
            "row 3: has 5 entries; it needs 6",
        ),
        (("  - [2,   4,   3,   3,   1,   1]\n", ""), "matrix: has 5 rows; order names 6 indicators"),
        (("competitor_attitude, churn", "rival, churn"), "'rival' is not an indicator of the indicator file"),
        (("[1/3, 1,   1/2", "[1/3, 1,   a half"), "'a half' is not a positive number or fraction"),
    ],
)
def test_a_bad_ahp_file_names_the_file_and_the_entry(examples: Path, edit: tuple[str, str], message: str) -> None:
    path = examples / "ahp.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    result = run(
        "--data",
        examples / "loyalty_q3.csv",
        "--indicators",
        examples / "indicators.yaml",
        "--weights",
        f"ahp:{path}",
    )
    assert result.exit_code == 1
    assert str(path) in result.output
    assert message in result.output


def test_a_constant_indicator_with_sample_anchors_is_a_clear_error(d5_files: Path) -> None:
    data = d5.d5_values().assign(trust=4)
    data.to_csv(d5_files / "d5.csv", index=False)
    result = run("--data", d5_files / "d5.csv", "--indicators", d5_files / "indicators.yaml")
    assert result.exit_code == 1
    assert "trust takes the single value 4 in this sample" in result.output


def test_an_unknown_weighting_method_is_named(examples: Path) -> None:
    result = run(
        "--data",
        examples / "loyalty_q3.csv",
        "--indicators",
        examples / "indicators.yaml",
        "--weights",
        "topsis",
    )
    assert result.exit_code == 1
    assert "Use equal, entropy, critic, pca or ahp:FILE.yaml" in result.output


def test_fewer_indicators_than_the_minimum_is_a_clear_error(examples: Path) -> None:
    path = examples / "indicators.yaml"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(("trust", "churn"))]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = run("--data", examples / "loyalty_q3.csv", "--indicators", path)
    assert result.exit_code == 1
    assert "minimum_indicators must be between 1 and the 2 indicators; got 4" in result.output
    assert run("--data", examples / "loyalty_q3.csv", "--indicators", path, "--minimum-indicators", "2").exit_code == 0


def test_the_commands_and_outputs_in_the_user_guide_are_true(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    guide = EXAMPLES.parent / "measure-index.md"
    shutil.copytree(EXAMPLES, tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```(\w*)\n(.*?)```", guide.read_text(encoding="utf-8"), flags=re.DOTALL)
    checked = 0
    for (language, commands), (_, shown) in itertools.pairwise(blocks):
        if language != "sh" or not commands.startswith("loyalty measure index"):
            continue
        output = ""
        for command in commands.replace("\\\n", " ").strip().splitlines():
            words = shlex.split(command)
            target = None
            if ">" in words:
                target = words[words.index(">") + 1]
                words = words[: words.index(">")]
            result = runner.invoke(app, words[1:])
            assert result.exit_code == 0, result.output
            if target:
                Path(target).write_text(result.stdout, encoding="utf-8")
            else:
                output = result.stdout
        assert output.strip() == shown.strip(), commands
        checked += 1
    assert checked == 3


def test_expert_weights_combined_with_entropy_weights(d5_files: Path) -> None:
    arguments: list[str | Path] = [
        "--data",
        d5_files / "d5.csv",
        "--indicators",
        d5_files / "indicators.yaml",
    ]
    combined = run_json(
        *arguments,
        "--weights",
        f"ahp:{d5_files / 'ahp.yaml'}",
        "--combine-with",
        "entropy",
        "--subjective-share",
        "0.6",
    )
    expected = 0.6 * np.array(d5.AHP_WEIGHTS) + 0.4 * np.array(d5.ENTROPY_WEIGHTS)
    assert_allclose([combined["weights"][name] for name in d5.NAMES], expected, atol=1e-6)
    assert combined["method"] == "combined"
    assert combined["description"] == "linear: 0.6 × ahp + 0.4 × entropy"
    alone = run(*arguments, "--combine-with", "entropy")
    assert alone.exit_code == 1
    assert "Give --weights ahp:FILE.yaml too." in alone.output


def test_percentile_anchors_in_the_indicator_file_are_frozen_as_numbers(examples: Path) -> None:
    path = examples / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("anchors: [0, 24]", "anchors: [0, p99]"), encoding="utf-8")
    result = run_json("--data", examples / "loyalty_q3.csv", "--indicators", path)
    purchases = pd.read_csv(examples / "loyalty_q3.csv")["purchases_12m"].dropna()
    assert result["anchors"]["repeat_purchases"] == [
        0,
        pytest.approx(np.percentile(purchases, 99), rel=1e-12),
    ]
    path.write_text(path.read_text(encoding="utf-8").replace("[0, p99]", "[0, top]"), encoding="utf-8")
    bad = run("--data", examples / "loyalty_q3.csv", "--indicators", path)
    assert bad.exit_code == 1
    assert "(repeat_purchases): anchors must be [low, high]" in bad.output


def test_a_missing_survey_weight_is_reported_with_its_row(examples: Path) -> None:
    frame = pd.read_csv(examples / "loyalty_q3.csv")
    frame.loc[4, "weight"] = None
    frame.to_csv(examples / "loyalty_q3.csv", index=False)
    result = run(
        "--data",
        examples / "loyalty_q3.csv",
        "--indicators",
        examples / "indicators.yaml",
        "--survey-weight",
        "weight",
    )
    assert result.exit_code == 1
    assert "row 6, column weight: has no weight." in result.output


def test_fuzzy_evaluation_of_rated_indicators_uses_the_share_of_answers_at_each_level(tmp_path: Path) -> None:
    items = ["price_switch", "rival_appeal", "trust1", "stay_likely"]
    answers = pd.DataFrame(
        {
            "price_switch": [1, 2, 2, 5, 3],
            "rival_appeal": [2, 2, 1, 4, 3],
            "trust1": [5, 4, 4, 1, 3],
            "stay_likely": [5, 5, 4, 2, 3],
        }
    )
    answers.to_csv(tmp_path / "answers.csv", index=False)
    (tmp_path / "indicators.yaml").write_text(
        "price_sensitivity: {column: price_switch, direction: higher_is_worse, anchors: [1, 5]}\n"
        "competitor_attitude: {column: rival_appeal, direction: higher_is_worse, anchors: [1, 5]}\n"
        "trust: {column: trust1, direction: higher_is_better, anchors: [1, 5]}\n"
        "churn: {column: stay_likely, direction: higher_is_better, anchors: [1, 5]}\n",
        encoding="utf-8",
    )
    result = run_json("--data", tmp_path / "answers.csv", "--indicators", tmp_path / "indicators.yaml", "--fuzzy")
    best_first = {
        "price_switch": [1, 2, 3, 4, 5],
        "rival_appeal": [1, 2, 3, 4, 5],
        "trust1": [5, 4, 3, 2, 1],
        "stay_likely": [5, 4, 3, 2, 1],
    }
    shares = np.array([[float((answers[item] == level).mean()) for level in best_first[item]] for item in items])
    fuzzy = result["fuzzy_evaluation"]
    assert_allclose(list(fuzzy["membership"].values()), shares.mean(axis=0), atol=1e-12)
    assert list(fuzzy["membership"]) == ["很高", "较高", "一般", "较低", "很低"]
    assert fuzzy["operator"] == "weighted_average"


def test_panel_respondents_get_the_paired_test_of_their_change(examples: Path) -> None:
    indicators = examples / "indicators.yaml"
    q3 = run("--data", examples / "loyalty_q3.csv", "--indicators", indicators, "--id", "respondent", "--json")
    (examples / "q3.json").write_text(q3.stdout, encoding="utf-8")
    q4 = run_json(
        "--data",
        examples / "loyalty_q4.csv",
        "--indicators",
        indicators,
        "--id",
        "respondent",
        "--baseline",
        examples / "q3.json",
        "--previous",
        examples / "q3.json",
    )
    first, second = json.loads(q3.stdout), q4
    before = dict(zip(first["respondent_ids"], first["respondent_index"], strict=True))
    after = dict(zip(second["respondent_ids"], second["respondent_index"], strict=True))
    both = [key for key in after if before.get(key) is not None and after[key] is not None]
    paired = stats.ttest_rel([after[key] for key in both], [before[key] for key in both])
    assert q4["paired_change"]["n_pairs"] == len(both) == 29
    assert q4["paired_change"]["statistic"] == pytest.approx(paired.statistic, rel=1e-10)
    assert q4["paired_change"]["p_value"] == pytest.approx(paired.pvalue, rel=1e-8)


def test_repeated_or_empty_respondent_ids_are_reported_with_their_rows(examples: Path) -> None:
    frame = pd.read_csv(examples / "loyalty_q3.csv")
    frame.loc[3, "respondent"] = "R63001"  # the id on row 2
    frame.loc[7, "respondent"] = None
    frame.to_csv(examples / "loyalty_q3.csv", index=False)
    result = run(
        "--data",
        examples / "loyalty_q3.csv",
        "--indicators",
        examples / "indicators.yaml",
        "--id",
        "respondent",
    )
    assert result.exit_code == 1
    assert "row 9, column respondent: has no respondent id." in result.output
    assert "row 2, column respondent: 'R63001' appears on more than one row." in result.output
    assert "row 5, column respondent: 'R63001' appears on more than one row." in result.output
