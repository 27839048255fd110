"""loyalty.toml's `[weighting]` table: which margins each survey and wave is weighted to, and the messages a
mistyped table gets (every problem at once, each with its key and a fix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loyalty.workspace import CONFIG_NAME, WorkspaceOptions, open_workspace
from surveys.problems import InputError


def _workspace(directory: Path, weighting: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_NAME).write_text(f'{weighting}\n[workspace]\norganisation = "示例"\n', encoding="utf-8")
    return directory


def test_a_workspace_without_weighting_has_no_margins(tmp_path: Path) -> None:
    workspace = open_workspace(WorkspaceOptions(_workspace(tmp_path, "")), check_schema=False)
    assert workspace.weighting is None


def test_the_most_specific_margins_win_survey_wave_then_survey_then_wave_then_workspace(tmp_path: Path) -> None:
    directory = _workspace(
        tmp_path,
        """[weighting]
margins = "margins.yaml"
method = "raking"
trim = [0.3, 3]
waves = {"2026Q1" = "margins-2025.yaml"}

[weighting.surveys.retail-2026]
margins = "retail.yaml"
waves = {"2026Q4" = "retail-q4.yaml"}
""",
    )
    settings = open_workspace(WorkspaceOptions(directory), check_schema=False).weighting
    assert settings is not None
    assert settings.method == "raking"
    assert settings.trim == (0.3, 3.0)

    def chosen(survey: str, wave: str) -> tuple[str, str]:
        source = settings.margins_for(survey, wave)
        assert source is not None
        return source.path.name, source.setting

    assert chosen("retail-2026", "2026Q4") == (
        "retail-q4.yaml",
        "loyalty.toml: weighting.surveys.retail-2026.waves.2026Q4",
    )
    assert chosen("retail-2026", "2026Q1") == ("retail.yaml", "loyalty.toml: weighting.surveys.retail-2026.margins")
    assert chosen("other", "2026Q1") == ("margins-2025.yaml", "loyalty.toml: weighting.waves.2026Q1")
    assert chosen("other", "2026Q3") == ("margins.yaml", "loyalty.toml: weighting.margins")
    source = settings.margins_for("other", "2026Q3")
    assert source is not None
    assert source.path == (directory / "margins.yaml").resolve()


def test_margins_files_are_checked_when_a_report_reads_them_not_when_the_workspace_opens(tmp_path: Path) -> None:
    directory = _workspace(tmp_path, '[weighting]\nmargins = "not-there-yet.yaml"\n')
    settings = open_workspace(WorkspaceOptions(directory), check_schema=False).weighting
    assert settings is not None
    assert settings.margins is not None
    assert not settings.margins.path.exists()


def test_every_problem_of_the_table_is_reported_with_its_key_and_a_fix(tmp_path: Path) -> None:
    directory = _workspace(
        tmp_path,
        """[weighting]
margin = "margins.yaml"
method = "rake"
trim = [3, 0.3]
waves = "margins.yaml"

[weighting.surveys.retail-2026]
margins = 5
""",
    )
    with pytest.raises(InputError) as raised:
        open_workspace(WorkspaceOptions(directory), check_schema=False)
    error = raised.value
    assert error.summary == f"{directory / CONFIG_NAME} has 5 problem(s) in [weighting]."
    messages = [str(problem) for problem in error.problems]
    assert 'loyalty.toml: weighting.margin: is not a weighting setting. Did you mean "margins"?' in messages
    assert (
        'loyalty.toml: weighting.method: \'rake\' is not a weighting method. Use "raking" or "poststratify".'
        in messages
    )
    assert any(
        m.startswith("loyalty.toml: weighting.trim: [3, 0.3] are not bounds around the mean weight") for m in messages
    )
    assert any(m.startswith("loyalty.toml: weighting.waves: must map each wave to its margins file.") for m in messages)
    assert any(
        m.startswith("loyalty.toml: weighting.surveys.retail-2026.margins: 5 is not a file name.") for m in messages
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("weighting = 3\n", "loyalty.toml: weighting: must be a table."),
        ('[weighting]\ntrim = "0.3,3"\n', "loyalty.toml: weighting.trim: '0.3,3' is not two numbers [low, high]."),
        (
            '[weighting]\nmargins = "m.yaml"\nmethod = "poststratify"\ntrim = [0.3, 3]\n',
            "loyalty.toml: weighting.trim: trimming needs raking",
        ),
        ('[weighting.surveys]\nretail = "m.yaml"\n', "loyalty.toml: weighting.surveys.retail: must be a table"),
    ],
)
def test_a_misshapen_setting_names_its_key(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        open_workspace(WorkspaceOptions(_workspace(tmp_path, table)), check_schema=False)
    assert any(str(problem).startswith(message) for problem in raised.value.problems), raised.value.report()


def test_the_readme_s_weighting_example_is_a_valid_table(tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[weighting\].*?)```", readme, re.DOTALL)
    assert block is not None
    settings = open_workspace(WorkspaceOptions(_workspace(tmp_path, block.group(1))), check_schema=False).weighting
    assert settings is not None
    chosen = settings.margins_for("retail-2026", "2026Q4")
    assert chosen is not None
    assert chosen.path.name == "margins-retail-2026Q4.yaml"
