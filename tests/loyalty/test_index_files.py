"""The AHP and indicator files of `loyalty measure index`: several experts, methods, and what is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from loyalty.index_files import read_ahp_file, read_indicator_file, read_result_file
from measure.ahp import ahp_weights, group_judgments
from surveys.problems import InputError

NAMES = ["trust", "churn", "repeat_purchases"]


def test_several_experts_and_a_textbook_method(tmp_path: Path) -> None:
    path = tmp_path / "ahp.yaml"
    path.write_text(
        "order: [trust, churn, repeat_purchases]\n"
        "method: geometric_mean\n"
        "random_index_table: saaty2005\n"
        "matrices:\n"
        "  - [[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]]\n"
        "  - [[1, 1/2, 3], [2, 1, 5], [1/3, 1/5, 1]]\n",
        encoding="utf-8",
    )
    judgments = read_ahp_file(path, NAMES)
    assert judgments.method == "geometric_mean"
    assert judgments.random_index_table == "saaty2005"
    assert judgments.matrices[1][2] == (1 / 3, 1 / 5, 1.0)
    combined = group_judgments([np.array(matrix) for matrix in judgments.matrices])
    assert_allclose(combined[0], [1, 1, np.sqrt(12)], rtol=1e-12)
    assert ahp_weights(combined, method="geometric_mean").consistency_ratio < 0.1


def test_every_problem_of_an_ahp_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "ahp.yaml"
    path.write_text(
        "order: [trust, churn, trust]\nmatrix:\n  - [1, 2, x]\n  - [1/2, 1, 1/0]\n  - [1, 1]\nweight: 3\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_ahp_file(path, NAMES)
    messages = [str(problem) for problem in caught.value.problems]
    assert any("unknown key(s) ['weight']" in message for message in messages)
    assert any("['trust'] appear more than once" in message for message in messages)
    assert any("['repeat_purchases'] are missing" in message for message in messages)
    assert any("line 3, row 1, column 3: 'x' is not a positive number" in message for message in messages)
    assert any("line 4, row 2, column 3: '1/0' is not a positive number" in message for message in messages)
    assert any("line 5, row 3: has 2 entries; it needs 3" in message for message in messages)


def test_an_indicator_entry_needs_one_of_column_or_columns(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(
        "trust: {column: t1, columns: [t1, t2], direction: higher_is_better, anchors: [1, 5]}\n"
        "churn: {column: stop, direction: higher_is_worse, anchors: [0, 10], cap: 9}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_indicator_file(path)
    messages = [str(problem) for problem in caught.value.problems]
    assert messages[0].startswith(f"{path}, line 1 (trust): needs exactly one of column")
    assert messages[1].startswith(f"{path}, line 2 (churn): unknown key(s) ['cap']")


def test_invalid_yaml_and_a_foreign_json_are_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text("trust: {column: t1\n", encoding="utf-8")
    with pytest.raises(InputError, match="is not valid YAML"):
        read_indicator_file(path)
    result = tmp_path / "other.json"
    result.write_text('{"score": 12}', encoding="utf-8")
    with pytest.raises(InputError, match="is not a loyalty index result"):
        read_result_file(result)


def test_an_indicator_file_saved_as_gb18030_with_chinese_column_names(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    text = "trust: {columns: [信任1, 信任2], direction: higher_is_better, anchors: [1, 5]}\n"
    path.write_bytes(text.encode("gb18030"))
    (source,) = read_indicator_file(path)
    assert source.columns == ("信任1", "信任2")
