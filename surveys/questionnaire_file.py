"""Reading and writing questionnaire YAML files: the one way from a file to a validated Questionnaire.

`load_questionnaire` runs every check and raises InputError listing all problems with their lines;
`questionnaire_yaml` writes a questionnaire back out in the order a researcher reads it.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from surveys.model_errors import validate_model
from surveys.problems import InputError, Problem
from surveys.questionnaire import Questionnaire
from surveys.questionnaire_checks import check_questionnaire
from surveys.yaml_source import YamlSource, parse_yaml, read_yaml


def load_questionnaire(path: Path) -> Questionnaire:
    """The questionnaire in `path`, validated; InputError with every problem otherwise."""
    return questionnaire_from_source(read_yaml(path))


def parse_questionnaire(text: str, name: str = "questionnaire.yaml") -> Questionnaire:
    """The questionnaire in YAML `text`; see `load_questionnaire`."""
    return questionnaire_from_source(parse_yaml(text, name))


def questionnaire_from_source(source: YamlSource) -> Questionnaire:
    problems: list[Problem] = list(source.problems)
    if not isinstance(source.data, dict):
        problems.append(
            Problem(
                source.name,
                "does not hold a questionnaire.",
                "Start from `loyalty survey new` or the example.",
            )
        )
        raise _problems(source, problems)
    result = validate_model(Questionnaire, source.data, source)
    if isinstance(result, list):
        raise _problems(source, problems + result)
    problems.extend(source.problem(finding.path, finding.what, finding.fix) for finding in check_questionnaire(result))
    if problems:
        raise _problems(source, problems)
    return result


def _problems(source: YamlSource, problems: list[Problem]) -> InputError:
    count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
    return InputError(f"{source.name} has {count}.", problems)


_KEY_ORDER = (
    "survey",
    "version",
    "languages",
    "code",
    "type",
    "construct",
    "direction",
    "required",
    "show_if",
)


def questionnaire_yaml(questionnaire: Questionnaire) -> str:
    """The questionnaire as YAML: defaults left out, identifying keys first, texts as written."""
    data = questionnaire.model_dump(mode="python", exclude_defaults=True)
    data["version"] = questionnaire.version
    return yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False, width=100)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda pair: _rank(pair[0]))
        return {key: _plain(inner) for key, inner in ordered}
    if isinstance(value, list | tuple):
        return [_plain(inner) for inner in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _rank(key: object) -> tuple[int, int]:
    if isinstance(key, str) and key in _KEY_ORDER:
        return (0, _KEY_ORDER.index(key))
    return (1, 0)  # sorted() is stable: the rest keep the model's order
