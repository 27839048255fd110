"""The questionnaire model: a survey's sections and items, with texts per language.

A questionnaire is written once as YAML (`docs/questionnaire-format.md`) and validated into these classes.
Every key is checked (`extra="forbid"`), so a misspelt key is an error with its line, never ignored.
Structure lives here; the rules that span items (unique codes, show-if order, complete translations)
live in `surveys.questionnaire_checks`.

Every scale item knows its bounds, its direction and its construct, so scoring and reversing downstream are
derived from the questionnaire, never hand-coded.
"""

from __future__ import annotations

import warnings
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["zh-Hans", "zh-Hant", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-Hans", "zh-Hant", "en")
LANGUAGE_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}

# A text in each of the survey's languages: {"zh-Hans": "…", "en": "…"}. Completeness is checked against
# the survey's languages in questionnaire_checks, where the survey is known.
Text = dict[Language, str]

# Codes become XLSForm names, SPSS variable names and database keys: ASCII identifiers.
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN)]
# A survey id names files, waves and URLs: lower-case letters, digits and hyphens (retail-2026).
SURVEY_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


class Construct(StrEnum):
    """What an item measures. The loyalty index, the threshold model and the report find items by this."""

    OVERALL_SATISFACTION = "overall_satisfaction"
    ATTRIBUTE_SATISFACTION = "attribute_satisfaction"
    ATTRIBUTE_IMPORTANCE = "attribute_importance"
    REPURCHASE_INTENT = "repurchase_intent"
    RECOMMEND = "recommend"  # likelihood to recommend, 0–10 (NPS)
    CROSS_BUY_INTENT = "cross_buy_intent"  # buy other products: the third item of the Customer Loyalty Index
    TRUST = "trust"
    # The six loyalty indicators (trust above is the sixth)
    REPEAT_PURCHASE = "repeat_purchase"
    DELIBERATION_TIME = "deliberation_time"
    PRICE_SENSITIVITY = "price_sensitivity"
    COMPETITOR_ATTITUDE = "competitor_attitude"
    CHURN_INTENT = "churn_intent"
    # Problem, complaint and resolution path (market damage model)
    PROBLEM_EXPERIENCED = "problem_experienced"
    COMPLAINED = "complained"
    COMPLAINT_RESOLVED = "complaint_resolved"
    RESOLUTION_SATISFACTION = "resolution_satisfaction"
    # Lost-customer interview
    REASONS_FOR_LEAVING = "reasons_for_leaving"
    COMPETITOR_CHOSEN = "competitor_chosen"
    WIN_BACK = "win_back"
    # Loyalty-ladder screeners
    AWARENESS = "awareness"
    NEED = "need"
    ABILITY_TO_BUY = "ability_to_buy"
    PURCHASE_HISTORY = "purchase_history"
    REFERRAL_BEHAVIOUR = "referral_behaviour"
    # Relationship and value
    TENURE = "tenure"
    SHARE_OF_WALLET = "share_of_wallet"
    SPENDING = "spending"
    # Quality and background
    ATTENTION_CHECK = "attention_check"
    DEMOGRAPHICS = "demographics"
    OPEN_FEEDBACK = "open_feedback"


class Direction(StrEnum):
    """Whether a higher answer means more loyalty/satisfaction (better) or less (worse)."""

    HIGHER_IS_BETTER = "higher_is_better"
    HIGHER_IS_WORSE = "higher_is_worse"


# `construct` is the field's name in the file format and in the field's vocabulary; pydantic warns that it
# shadows the long-deprecated `BaseModel.construct` classmethod, which nothing here uses.
warnings.filterwarnings("ignore", message='Field name "construct"', category=UserWarning)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """One answer option of a choice or ranking item."""

    code: int
    text: Text
    specify: bool = False  # "other, please specify": a text box comes with this option
    exclusive: bool = False  # "none of these": cannot be ticked together with another option


class Row(_Strict):
    """One row of a grid: usually a service attribute (price, service, delivery …)."""

    code: Code
    text: Text


class Scale(_Strict):
    """A rating scale from `min` to `max`; `labels` maps scale points to their texts.

    Conventions: a 5- or 7-point agreement or satisfaction scale labels every point; a 0–10 scale labels
    its ends.
    """

    min: int
    max: int
    labels: dict[int, Text] = {}


class _ItemBase(_Strict):
    code: Code
    text: Text
    construct: Construct  # type: ignore[assignment]  # see the warnings filter above
    required: bool = True  # as 问卷星 does: researchers expect an answer unless they say otherwise
    show_if: str | None = None  # condition on earlier answers, see surveys.show_if
    instruction: Text | None = None  # e.g. "Tick all that apply"; shown under the question
    source: str | None = None  # where the wording was adapted from (ACSI, Reichheld 2003, …)


class SingleChoice(_ItemBase):
    """Tick one option."""

    type: Literal["single_choice"]
    options: list[Option]
    correct: int | None = None  # for an attention check: the one right option code


class MultipleChoice(_ItemBase):
    """Tick any number of options; an option may ask "other, please specify"."""

    type: Literal["multiple_choice"]
    options: list[Option]
    max_choices: int | None = None


class Rating(_ItemBase):
    """One answer on a numeric scale (agreement, satisfaction, likelihood …)."""

    type: Literal["rating"]
    scale: Scale
    direction: Direction | None = None
    correct: int | None = None  # for an attention check: the one right scale point


class Recommend(_ItemBase):
    """Reichheld's likelihood to recommend, always 0–10: the only item NPS is computed on."""

    type: Literal["recommend"]
    scale: Scale = Scale(min=0, max=10)
    direction: Direction = Direction.HIGHER_IS_BETTER


class RatingGrid(_ItemBase):
    """Rows (e.g. service attributes) rated on one scale; `rows: attributes` uses the survey's list."""

    type: Literal["rating_grid"]
    rows: Literal["attributes"] | list[Row]
    scale: Scale
    direction: Direction | None = None


class ImportanceSatisfactionGrid(_ItemBase):
    """Each attribute rated for importance and for satisfaction: the input of importance–performance."""

    type: Literal["importance_satisfaction_grid"]
    construct: Construct = Construct.ATTRIBUTE_SATISFACTION
    rows: Literal["attributes"] | list[Row]
    importance_scale: Scale
    satisfaction_scale: Scale
    importance_label: Text | None = None  # column heading; a sensible default per language otherwise
    satisfaction_label: Text | None = None


class Number(_ItemBase):
    """A count, a duration or an amount, with its unit and bounds."""

    type: Literal["number"]
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = True
    direction: Direction | None = None


class FreeText(_ItemBase):
    """An open answer."""

    type: Literal["text"]
    max_length: int = Field(default=2000, gt=0)
    multiline: bool = True


class Ranking(_ItemBase):
    """Put options in order of preference; `rank_count` limits it to the top N."""

    type: Literal["ranking"]
    options: list[Option]
    rank_count: int | None = None


Item = Annotated[
    SingleChoice
    | MultipleChoice
    | Rating
    | Recommend
    | RatingGrid
    | ImportanceSatisfactionGrid
    | Number
    | FreeText
    | Ranking,
    Field(discriminator="type"),
]
ITEM_TYPES = (
    "single_choice",
    "multiple_choice",
    "rating",
    "recommend",
    "rating_grid",
    "importance_satisfaction_grid",
    "number",
    "text",
    "ranking",
)


class Section(_Strict):
    """A page of the web form and a heading of the printed questionnaire."""

    code: Code
    title: Text
    intro: Text | None = None
    items: list[Item]


class Questionnaire(_Strict):
    """One version of a survey, as the researcher wrote it."""

    survey: Annotated[str, Field(pattern=SURVEY_ID_PATTERN)]
    version: int = Field(default=1, ge=1)
    languages: list[Language]
    title: Text
    intro: Text | None = None
    thanks: Text | None = None
    attributes: list[Row] = []
    sections: list[Section]

    def items(self) -> list[Item]:
        """Every item in questionnaire order."""
        return [item for section in self.sections for item in section.items]

    def grid_rows(self, item: RatingGrid | ImportanceSatisfactionGrid) -> list[Row]:
        """The rows of a grid, with `rows: attributes` resolved to the survey's attribute list."""
        return self.attributes if item.rows == "attributes" else item.rows
