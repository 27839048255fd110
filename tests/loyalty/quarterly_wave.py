"""A workspace with the quarterly-loyalty questionnaire published and one wave of generated responses.

The responses are drawn with a seeded numpy generator from one latent loyalty per respondent, so the scales
correlate as real ones do, and follow the questionnaire's routing (no complaint questions without a
problem). They are imported through `import_responses` from an ExportTable, the path every platform export
takes. The same answers are returned as a DataFrame, so a test can write them to a CSV and measure that
file with `--data`: the stored-wave mode must give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlmodel import Session

from loyalty.workspace import create_workspace
from surveys.blueprints import new_questionnaire
from surveys.codebook import codebook
from surveys.importers.export_table import Cell, ExportColumn, ExportRow, ExportTable, MetadataField
from surveys.importers.import_responses import ImportOptions, import_responses
from surveys.questionnaire import Questionnaire
from surveys.questionnaire_file import questionnaire_yaml
from surveys.storage.survey_versions import publish_questionnaire

SURVEY = "retail-2026"
WAVE = "2026Q3"
METADATA: tuple[MetadataField, ...] = (
    "response_id",
    "submitted_at",
    "duration_seconds",
    "status",
    "channel",
    "ip_address",
    "user_agent",
    "respondent_key",  # only in waves made with respondent keys
)


@dataclass(frozen=True)
class StoredWave:
    workspace: Path
    database_url: str
    questionnaire: Questionnaire
    answers: pd.DataFrame  # one row per imported response: metadata columns, then one column per variable


def quarterly_questionnaire(survey: str = SURVEY, blueprint: str = "quarterly-loyalty") -> Questionnaire:
    return new_questionnaire(blueprint, survey, ["zh-Hans", "en"]).questionnaire


def make_stored_wave(
    directory: Path,
    database_url: str | None = None,
    n: int = 240,
    seed: int = 20260701,
    questionnaire: Questionnaire | None = None,
    respondent_keys: bool = False,
) -> StoredWave:
    """Create a workspace in `directory`, publish the questionnaire, import `n` generated responses (with
    `respondent_keys`, each row's customer key K0001, K0002 …, to link CRM records by)."""
    questionnaire = questionnaire or quarterly_questionnaire()
    workspace = create_workspace(directory, database_url)
    answers = generated_answers(questionnaire, n, seed)
    if respondent_keys:
        answers.insert(1, "respondent_key", customer_keys(n))
    engine = workspace.engine()
    try:
        with Session(engine) as session:
            publish_questionnaire(session, questionnaire, questionnaire_yaml(questionnaire))
            session.commit()
        with Session(engine) as session:
            import_responses(session, export_table(answers), ImportOptions(questionnaire.survey, WAVE), "generated")
            session.commit()
    finally:
        engine.dispose()
    return StoredWave(directory, workspace.database_url, questionnaire, answers)


def add_wave(
    stored: StoredWave,
    wave: str,
    n: int = 240,
    seed: int = 20260401,
    shift: float = 0.0,
    respondent_keys: bool = False,
) -> pd.DataFrame:
    """Import `n` more generated responses into the workspace of `stored` as wave `wave`; `shift` moves every
    respondent's latent loyalty (e.g. −0.3 for an earlier, less loyal quarter); `respondent_keys` as in
    `make_stored_wave` (the same customers answer again)."""
    answers = generated_answers(stored.questionnaire, n, seed, shift)
    if respondent_keys:
        answers.insert(1, "respondent_key", customer_keys(n))
    engine = create_workspace(stored.workspace, stored.database_url).engine()
    try:
        with Session(engine) as session:
            import_responses(
                session, export_table(answers), ImportOptions(stored.questionnaire.survey, wave), "generated"
            )
            session.commit()
    finally:
        engine.dispose()
    return answers


def customer_keys(n: int) -> list[str]:
    """The customer keys of the first `n` respondents of a wave made with respondent keys."""
    return [f"K{index + 1:04d}" for index in range(n)]


def generated_answers(questionnaire: Questionnaire, n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Answers to every scale, single-choice and number item, with routing respected; NaN where not asked."""
    rng = np.random.default_rng(seed)
    loyalty = rng.normal(size=n) + shift
    columns: dict[str, object] = {}
    factors: dict[str, np.ndarray] = {}  # each construct: the shared loyalty plus a part of its own
    for variable in codebook(questionnaire):
        if variable.construct not in factors:
            factors[variable.construct] = 0.8 * loyalty + 0.6 * rng.normal(size=n)
        factor = factors[variable.construct]
        if variable.kind == "scale":
            assert variable.minimum is not None
            assert variable.maximum is not None
            low, high = variable.minimum, variable.maximum
            sign = -1.0 if variable.direction is not None and variable.direction.value == "higher_is_worse" else 1.0
            middle = (low + high) / 2 + 0.12 * (high - low)
            values = middle + sign * 0.22 * (high - low) * factor + rng.normal(scale=0.2 * (high - low), size=n)
            columns[variable.code] = np.clip(np.round(values), low, high)
        elif variable.kind == "choice":
            columns[variable.code] = rng.choice(variable.option_codes, size=n).astype(float)
        elif variable.kind == "number":
            rate = (
                np.exp(1.5 + 0.5 * loyalty) if variable.direction == "higher_is_better" else np.exp(2 - 0.4 * loyalty)
            )
            low = variable.minimum or 0.0
            columns[variable.code] = np.maximum(low, rng.poisson(rate)).astype(float)
    answers = pd.DataFrame(columns)
    if "problem" in answers:
        # the less loyal had more problems; those who did not complain buy a little less again
        answers["problem"] = np.where(rng.random(n) < np.clip(0.3 - 0.1 * loyalty, 0.05, 0.9), 1.0, 2.0)
        silent = (answers["problem"] == 1) & (answers["complained"] == 2)
        answers.loc[silent, "repurchase"] = np.clip(answers.loc[silent, "repurchase"] - 1, 0, 10)
        answers.loc[answers["problem"] == 2, ["complained", "complaint_resolved", "resolution_speed"]] = np.nan
        answers.loc[answers["problem"] == 2, "resolution_satisfaction"] = np.nan
        answers.loc[answers["complained"] == 2, ["complaint_resolved", "resolution_speed"]] = np.nan
        answers.loc[answers["complained"] == 2, "resolution_satisfaction"] = np.nan
        answers.loc[~answers["complaint_resolved"].isin([1, 2]), "resolution_speed"] = np.nan
        # those whose problem was put right mostly stay; the unresolved mostly go (what TARP measures)
        resolved = answers["complaint_resolved"] == 1
        answers.loc[resolved, "repurchase"] = np.clip(answers.loc[resolved, "repurchase"] + 2, 0, 10)
        unresolved = answers["complaint_resolved"].isin([2, 3])
        answers.loc[unresolved, "repurchase"] = np.clip(answers.loc[unresolved, "repurchase"] - 3, 0, 10)
    if "recommended_12m" in answers:
        answers.loc[answers["recommended_12m"] == 2, "referral_count"] = np.nan
    if "attention_instructed" in answers:
        answers["attention_instructed"] = np.where(rng.random(n) < 0.9, 2.0, 4.0)
    metadata = pd.DataFrame(
        {
            "response_id": [f"R{index + 1:04d}" for index in range(n)],
            "submitted_at": [
                (pd.Timestamp("2026-07-01 09:00:00") + pd.Timedelta(minutes=7 * index)).strftime("%Y-%m-%d %H:%M:%S")
                for index in range(n)
            ],
            "duration_seconds": np.round(rng.lognormal(np.log(600), 0.35, size=n)),
            "status": np.where(rng.random(n) < 0.08, "partial", "complete"),
            "channel": rng.choice(["wechat", "sms", "email"], size=n),
            "ip_address": [f"10.0.{index // 250}.{index % 250}" for index in range(n)],
            "user_agent": "Mozilla/5.0",
        }
    )
    # planted for the screening: a speeder, a straight-liner, and a second submission from one device
    metadata.loc[PLANTED["speeder"], "duration_seconds"] = 45.0
    grid = [column for column in answers.columns if column.startswith("attr_")]
    answers.loc[PLANTED["straightliner"], grid] = 3.0
    addresses = metadata["ip_address"].tolist()
    addresses[PLANTED["same_device"]] = addresses[PLANTED["same_device"] - 1]
    metadata["ip_address"] = addresses
    metadata.loc[[*PLANTED.values(), PLANTED["same_device"] - 1], "status"] = "complete"
    return pd.concat([metadata, answers], axis=1)


#: Rows (0-based) of the planted low-quality responses; their response ids are R0011, R0021, R0031.
PLANTED = {"speeder": 10, "straightliner": 20, "same_device": 30}


def export_table(answers: pd.DataFrame) -> ExportTable:
    """The answers as a platform reader would hand them over: one column per variable, headed by its code."""
    columns = [
        ExportColumn(position, name, "metadata", metadata=name)
        if name in METADATA
        else ExportColumn(position, name, "answer")
        for position, name in enumerate(answers.columns)
    ]

    def cell(value: object) -> Cell:
        if isinstance(value, float):
            return None if np.isnan(value) else str(int(value)) if value.is_integer() else str(value)
        return str(value)

    rows = (
        ExportRow(number + 2, tuple(cell(value) for value in record), tuple(str(value) for value in record))
        for number, record in enumerate(answers.itertuples(index=False))
    )
    return ExportTable("csv", "generated.csv", columns, rows)
