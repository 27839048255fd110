"""`loyalty survey diff`: what changed between waves, and what breaks comparability."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from loyalty.cli import app

DATA = Path(__file__).parent / "data"


def diff(tmp_path: Path, new_text: str, *options: str) -> tuple[int, str]:
    old = DATA / "small.yaml"
    new = tmp_path / "new.yaml"
    new.write_text(new_text, encoding="utf-8")
    result = CliRunner().invoke(app, ["survey", "diff", str(old), str(new), *options])
    return result.exit_code, result.output


def small() -> str:
    return (DATA / "small.yaml").read_text(encoding="utf-8")


def test_identical_versions_have_no_differences(tmp_path: Path) -> None:
    assert diff(tmp_path, small()) == (0, "No differences.\n")


def test_reworded_question_breaks_comparability(tmp_path: Path) -> None:
    code, output = diff(tmp_path, small().replace("en: Overall satisfaction", 'en: "Overall, how satisfied are you"'))
    assert code == 0
    assert "~ sat_overall  [breaks comparability]" in output
    assert "wording: question text changed in en !" in output


def test_scale_change_and_removed_item_break_added_item_does_not(tmp_path: Path) -> None:
    text = small().replace("importance_scale: {min: 1, max: 5}", "importance_scale: {min: 1, max: 7}")
    text = text.replace("- code: recommend\n", "- code: recommend_new\n").replace(
        "recommend <= 6", "recommend_new <= 6"
    )
    _, output = diff(tmp_path, text, "--json")
    result = json.loads(output)
    assert result["added"] == ["recommend_new"]
    assert result["removed"] == ["recommend"]
    [changed] = result["changed"]
    assert changed["code"] == "grid"
    assert changed["changes"][0] == {
        "aspect": "scale",
        "detail": "importance scale 1–5 → 1–7",
        "breaks_comparability": True,
    }
    assert result["breaks_comparability"] is True


def test_required_only_change_keeps_comparability_and_ci_mode_passes(tmp_path: Path) -> None:
    text = small().replace("        type: recommend\n", "        type: recommend\n        required: false\n")
    code, output = diff(tmp_path, text, "--fail-on-breaking")
    assert code == 0
    assert "required: True → False" in output


def test_ci_mode_exits_2_on_a_breaking_change(tmp_path: Path) -> None:
    text = small().replace("show_if: complained == 1 and recommend <= 6", "show_if: complained == 1")
    code, output = diff(tmp_path, text, "--fail-on-breaking")
    assert code == 2
    assert "routing: show_if complained == 1 and recommend <= 6 → complained == 1: a different group answers" in output


def test_option_wording_and_new_attribute_rows(tmp_path: Path) -> None:
    text = (
        small()
        .replace("en: Yes}", 'en: "Yes, I did"}')
        .replace(
            "  - {code: service, text: {zh-Hans: 服务, en: Service}}\n",
            "  - {code: service, text: {zh-Hans: 服务, en: Service}}\n"
            "  - {code: delivery, text: {zh-Hans: 配送, en: Delivery}}\n",
        )
    )
    _, output = diff(tmp_path, text)
    assert "options: wording of option 1 changed !" in output
    assert "rows: rows added: delivery\n" in output
    assert "survey attributes: price, service → price, service, delivery" in output
