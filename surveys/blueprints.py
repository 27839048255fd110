"""Blueprints: ready questionnaire designs built from the item bank (`loyalty survey new --blueprint …`).

A blueprint in `surveys/blueprints/NAME.yaml` names its sections and, in each, the bank items by code. A
new questionnaire is the blueprint with the bank's wording, narrowed to the languages asked for, and the
attribute list the researcher gives (matched against the bank's glossary for professional translations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from surveys.bank import GlossaryAttribute, ItemBank, load_bank
from surveys.model_errors import validate_model
from surveys.problems import InputError, Problem
from surveys.questionnaire import LANGUAGES, Code, Questionnaire, Text
from surveys.questionnaire_checks import check_questionnaire
from surveys.yaml_source import read_yaml

BLUEPRINT_DIRECTORY = Path(__file__).parent / "blueprints"


class BlueprintSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: Code
    title: Text
    intro: Text | None = None
    items: list[str]  # bank item codes


class Blueprint(BaseModel):
    """A questionnaire design: which bank items, in which sections, with which default attributes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    blueprint: str
    description: Text
    title: Text
    intro: Text | None = None
    thanks: Text | None = None
    attributes: list[str] = []  # glossary codes used when the researcher names none
    sections: list[BlueprintSection]


@dataclass(frozen=True, slots=True)
class NewQuestionnaire:
    questionnaire: Questionnaire
    notes: list[str]  # what the researcher should look at (attributes not in the glossary, …)


def blueprint_names() -> list[str]:
    return sorted(path.stem for path in BLUEPRINT_DIRECTORY.glob("*.yaml"))


def load_blueprint(name: str) -> Blueprint:
    path = BLUEPRINT_DIRECTORY / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(blueprint_names())
        raise InputError(f"No blueprint {name!r}.", [Problem("--blueprint", f"{name!r} is not a blueprint.", known)])
    source = read_yaml(path, name=f"surveys/blueprints/{path.name}")
    result = validate_model(Blueprint, source.data, source)
    if isinstance(result, list):
        raise InputError(f"{source.name} has problems.", result)
    return result


def new_questionnaire(
    blueprint_name: str,
    survey: str,
    languages: list[str],
    attributes: list[str] | None = None,
    bank: ItemBank | None = None,
) -> NewQuestionnaire:
    """A valid questionnaire from a blueprint, for the researcher to edit.

    `attributes` are names in any language ("价格", "delivery", "服務"); those found in the glossary get
    its wording in every language, the others keep the name as given in every language and are listed
    in `notes` for translation.
    """
    bank = bank or load_bank()
    blueprint = load_blueprint(blueprint_name)
    problems = [
        Problem("--languages", f"{language!r} is not a language of loyalty.", f"Use {', '.join(LANGUAGES)}.")
        for language in languages
        if language not in LANGUAGES
    ]
    if not languages:
        problems.append(Problem("--languages", "no language given.", f"Use some of {', '.join(LANGUAGES)}."))
    if problems:
        raise InputError("Cannot make the questionnaire.", problems)

    notes: list[str] = []
    if attributes:
        rows = [_attribute_row(name, index, bank.attributes, languages, notes) for index, name in enumerate(attributes)]
    else:
        glossary = {attribute.code: attribute for attribute in bank.attributes}
        rows = [_row(glossary[code]) for code in blueprint.attributes]

    data: dict[str, Any] = {
        "survey": survey,
        "version": 1,
        "languages": languages,
        "title": blueprint.title,
        "intro": blueprint.intro,
        "thanks": blueprint.thanks,
        "attributes": rows,
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "intro": section.intro,
                "items": [bank.item(code).model_dump(exclude_defaults=True) for code in section.items],
            }
            for section in blueprint.sections
        ],
    }
    questionnaire = Questionnaire.model_validate(_narrowed(data, languages))
    findings = check_questionnaire(questionnaire)
    if findings:  # a blueprint that does not validate is a bug in the bank, not the user's problem
        raise RuntimeError(f"blueprint {blueprint_name} does not validate: {findings}")
    return NewQuestionnaire(questionnaire, notes)


def parse_attribute_names(text: str) -> list[str]:
    """Attribute names from the command line, split on commas (, ，) and 、."""
    return [name.strip() for name in re.split(r"[,，、]", text) if name.strip()]


def _row(attribute: GlossaryAttribute) -> dict[str, Any]:
    return {"code": attribute.code, "text": dict(attribute.text)}


def _attribute_row(
    name: str, index: int, glossary: list[GlossaryAttribute], languages: list[str], notes: list[str]
) -> dict[str, Any]:
    wanted = name.casefold()
    for attribute in glossary:
        names = [attribute.code, *attribute.text.values(), *attribute.aliases]
        if wanted in (candidate.casefold() for candidate in names):
            return _row(attribute)
    code = re.sub(r"[^a-z0-9]+", "_", wanted).strip("_") if name.isascii() else ""
    code = code if re.match(r"^[a-z][a-z0-9_]*$", code) else f"attribute_{index + 1}"
    notes.append(
        f"Attribute {name!r} is not in the glossary: it reads {name!r} in every language and has code "
        f"{code!r}. Translate it and give it a meaningful code in the file."
    )
    return {"code": code, "text": dict.fromkeys(languages, name)}


def _narrowed(value: Any, languages: list[str]) -> Any:
    """Every text narrowed to the chosen languages; None values dropped so defaults apply."""
    if isinstance(value, dict):
        if value and set(value) <= set(LANGUAGES):
            return {language: text for language, text in value.items() if language in languages}
        return {key: _narrowed(inner, languages) for key, inner in value.items() if inner is not None}
    if isinstance(value, list):
        return [_narrowed(inner, languages) for inner in value]
    return value
