"""pydantic's validation errors, said in the questionnaire writer's terms with the line they are on.

pydantic reports a location as a path into the data, with the tags of tagged unions (the item `type`)
mixed in. We follow that path through the data to find the line, and through the model classes to
suggest the nearest valid key, type or value.
"""

from __future__ import annotations

import difflib
import types
import typing
from enum import Enum
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from surveys.problems import Problem
from surveys.questionnaire import CODE_PATTERN, LANGUAGES
from surveys.yaml_source import DataPath, YamlSource

Model = TypeVar("Model", bound=BaseModel)


def validate_model(model: type[Model], data: Any, source: YamlSource, at: DataPath = ()) -> Model | list[Problem]:
    """The data validated as `model`, or every problem pydantic found, each with its line."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems: list[Problem] = []
        seen: set[DataPath] = set()
        for detail in error.errors():
            path = _data_path(data, detail["loc"])
            if path in seen:  # a value that fails every member of a union is one problem, not several
                continue
            seen.add(path)
            problems.append(_problem(model, data, path, detail, source, at))
        return problems


def _data_path(data: Any, loc: tuple[str | int, ...]) -> DataPath:
    """The error location with union tags and member names removed: only steps that exist in the data."""
    path: list[str | int] = []
    current = data
    for step in loc:
        if isinstance(current, dict | list) and _has(current, step):
            current = current[step]  # type: ignore[index]  # _has checked the step fits the container
        elif step == "[key]":
            continue
        elif isinstance(current, dict) and isinstance(step, str) and _is_tag(step, current):
            continue  # the union member pydantic tried: not part of the user's file
        else:
            path.append(step)  # a missing key: keep it, the message names it
            break
        path.append(step)
    return tuple(path)


def _is_tag(step: str, mapping: dict[Any, Any]) -> bool:
    """Whether `step` names the union member pydantic tried rather than a key of `mapping`."""
    return step == mapping.get("type") or "[" in step or step in ("str", "int", "float", "bool")


def _problem(
    model: type[BaseModel], data: Any, path: DataPath, detail: ErrorDetails, source: YamlSource, at: DataPath
) -> Problem:
    kind = detail["type"]
    full_path = (*at, *path)
    key = path[-1] if path else ""
    value = detail.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(model, data, path[:-1])
        return source.problem(full_path, f"unknown key {key!r}.", _nearest(str(key), allowed, "Allowed keys"))
    if kind == "missing":
        return source.problem(full_path[:-1], f"{key!r} is missing.", f"Add `{key}:`.")
    if kind == "union_tag_invalid":
        from surveys.questionnaire import ITEM_TYPES

        return source.problem(
            (*full_path, "type"),
            f"unknown item type {value if isinstance(value, str) else _tag(detail)!r}.",
            _nearest(str(_tag(detail)), ITEM_TYPES, "Item types"),
        )
    if kind == "union_tag_not_found":
        from surveys.questionnaire import ITEM_TYPES

        return source.problem(full_path, "the item has no `type`.", f"Add `type:`, one of {', '.join(ITEM_TYPES)}.")
    if kind in ("literal_error", "enum") and _is_language_key(detail):
        key_text = str(_key_input(detail))
        fix = _nearest(key_text, LANGUAGES, "Languages")
        if " " in key_text:  # `{en: Overall, how satisfied}`: the comma split the text
            fix += " If this is the rest of a text after a comma, put the whole text in quotes."
        return source.problem(full_path, f"{key_text!r} is not a language of loyalty.", fix)
    if kind in ("literal_error", "enum"):
        expected = _expected_values(model, data, path)
        return source.problem(full_path, f"{value!r} is not allowed here.", _nearest(str(value), expected, "Allowed"))
    if kind == "string_pattern_mismatch" and detail.get("ctx", {}).get("pattern") == CODE_PATTERN:
        return source.problem(
            full_path,
            f"code {value!r} is not a valid code.",
            "A code starts with a letter and holds only letters, digits and _ (at most 64): sat_overall.",
        )
    if kind == "string_pattern_mismatch" and key == "survey":
        return source.problem(
            full_path,
            f"survey id {value!r} is not valid.",
            "Use lower-case letters, digits and hyphens, e.g. retail-2026.",
        )
    return source.problem(full_path, f"{detail['msg']} (found {value!r}).")


def _tag(detail: ErrorDetails) -> Any:
    return detail.get("ctx", {}).get("tag", detail.get("input"))


def _is_language_key(detail: ErrorDetails) -> bool:
    return "[key]" in detail["loc"] and "zh-Hans" in str(detail.get("ctx", {}).get("expected", ""))


def _key_input(detail: ErrorDetails) -> Any:
    return detail.get("input")


def _nearest(word: str, choices: typing.Iterable[str], label: str) -> str:
    choices = list(choices)
    nearest = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if nearest:
        return f'Did you mean "{nearest[0]}"?'
    return f"{label}: {', '.join(choices)}."


def _annotation_at(model: type[BaseModel], data: Any, path: DataPath) -> Any:
    """The type annotation describing the value at `path`, resolving item unions by the data's `type`."""
    annotation: Any = model
    current = data
    for step in path:
        annotation = _resolve(annotation, current)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(step))
            if field is None:
                return None
            annotation = field.annotation
        elif get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
        current = current[step] if isinstance(current, dict | list) and _has(current, step) else None  # type: ignore[index]
    return _resolve(annotation, current)


def _has(container: dict[Any, Any] | list[Any], step: str | int) -> bool:
    if isinstance(container, dict):
        return step in container
    return isinstance(step, int) and 0 <= step < len(container)


def _resolve(annotation: Any, value: Any) -> Any:
    """Unwrap Annotated and unions; for a union of models pick the one whose `type` the data names."""
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [_resolve(member, value) for member in get_args(annotation) if member is not type(None)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if isinstance(value, dict):
            for member in models:
                type_field = member.model_fields.get("type")
                if type_field is not None and value.get("type") in get_args(type_field.annotation):
                    return member
        if len(models) == 1:
            return models[0]
        lists = [m for m in members if get_origin(m) is list]
        if isinstance(value, list) and lists:
            return lists[0]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _fields_at(model: type[BaseModel], data: Any, path: DataPath) -> list[str]:
    annotation = _annotation_at(model, data, path)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _expected_values(model: type[BaseModel], data: Any, path: DataPath) -> list[str]:
    annotation = _annotation_at(model, data, path)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    if get_origin(annotation) is Literal:
        return [str(value) for value in get_args(annotation)]
    return []
