"""The item bank: validated question wordings in 简体中文, 繁體中文 and English, one YAML file per construct.

Bank files live in `surveys/bank/`. Each holds `items:`, a list in the questionnaire item format, with
every text in all three languages and, where the wording is adapted, its `source`. A scale may be written
as the name of a shared scale in `scales.yaml` (`scale: agree_5`), so that every agreement item carries
the same complete labels. `attributes.yaml` is the glossary of service attributes for grids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from surveys.model_errors import validate_model
from surveys.problems import InputError, Problem
from surveys.questionnaire import LANGUAGES, Construct, Item, Row, Scale
from surveys.yaml_source import YamlSource, read_yaml

BANK_DIRECTORY = Path(__file__).parent / "bank"
_SCALE_KEYS = ("scale", "importance_scale", "satisfaction_scale")
_NOT_ITEM_FILES = ("scales.yaml", "attributes.yaml")


class _BankFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    items: list[Item]


class _ScalesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    scales: dict[str, Scale]


class GlossaryAttribute(Row):
    """A service attribute with its texts and the other names researchers give it."""

    aliases: tuple[str, ...] = ()


class _AttributesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    attributes: list[GlossaryAttribute]


@dataclass(frozen=True, slots=True)
class BankItem:
    item: Item
    file: str  # the bank file it comes from, e.g. "trust.yaml"


@dataclass(frozen=True, slots=True)
class ItemBank:
    items: dict[str, BankItem]  # by item code, in file order
    scales: dict[str, Scale]
    attributes: list[GlossaryAttribute]

    def item(self, code: str) -> Item:
        return self.items[code].item

    def by_construct(self, construct: Construct | None = None) -> list[BankItem]:
        return [entry for entry in self.items.values() if construct is None or entry.item.construct == construct]


@cache
def load_bank(directory: Path = BANK_DIRECTORY) -> ItemBank:
    """Read and check the whole bank; InputError lists every problem (a bank edit gone wrong)."""
    problems: list[Problem] = []
    scales = _load_scales(directory, problems)
    items: dict[str, BankItem] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in _NOT_ITEM_FILES:
            continue
        source = read_yaml(path, name=f"surveys/bank/{path.name}")
        problems.extend(source.problems)
        data = _with_named_scales(source, scales, problems)
        result = validate_model(_BankFile, data, source)
        if isinstance(result, list):
            problems.extend(result)
            continue
        for index, item in enumerate(result.items):
            where = ("items", index)
            if item.code in items:
                problems.append(source.problem((*where, "code"), f"item code {item.code!r} is already in the bank."))
            problems.extend(_missing_languages(source, where, data["items"][index]))
            items[item.code] = BankItem(item, path.name)
    attributes = _load_attributes(directory, problems)
    if problems:
        raise InputError(f"The item bank has {len(problems)} problems.", problems)
    return ItemBank(items, scales, attributes)


@cache
def attribute_glossary(directory: Path = BANK_DIRECTORY) -> tuple[GlossaryAttribute, ...]:
    """The glossary of service attributes (`attributes.yaml`) alone, without reading the item files."""
    problems: list[Problem] = []
    attributes = _load_attributes(directory, problems)
    if problems:
        raise InputError(f"The attribute glossary has {len(problems)} problems.", problems)
    return tuple(attributes)


def glossary_attribute(code: str, texts: Iterable[str] = ()) -> GlossaryAttribute | None:
    """The glossary attribute a grid row stands for: the one with the row's code, else the one whose code,
    texts or aliases include one of the row's `texts` (ignoring case), as `loyalty survey new --attributes`
    matches names; None when the glossary has no such attribute.

    >>> glossary_attribute("delivery").text["zh-Hant"]
    '到貨速度'
    >>> glossary_attribute("attribute_3", ["线上下单"]).code
    'online_ordering'
    """
    glossary = attribute_glossary()
    found = next((attribute for attribute in glossary if attribute.code == code), None)
    if found is not None:
        return found
    wanted = {text.casefold() for text in texts if text}
    for attribute in glossary:
        names = [attribute.code, *attribute.text.values(), *attribute.aliases]
        if wanted & {name.casefold() for name in names}:
            return attribute
    return None


def _load_scales(directory: Path, problems: list[Problem]) -> dict[str, Scale]:
    source = read_yaml(directory / "scales.yaml", name="surveys/bank/scales.yaml")
    result = validate_model(_ScalesFile, source.data, source)
    if isinstance(result, list):
        problems.extend(result)
        return {}
    return result.scales


def _load_attributes(directory: Path, problems: list[Problem]) -> list[GlossaryAttribute]:
    source = read_yaml(directory / "attributes.yaml", name="surveys/bank/attributes.yaml")
    result = validate_model(_AttributesFile, source.data, source)
    if isinstance(result, list):
        problems.extend(result)
        return []
    for index, attribute_data in enumerate(source.data["attributes"]):
        problems.extend(_missing_languages(source, ("attributes", index), attribute_data))
    return result.attributes


def _with_named_scales(source: YamlSource, scales: dict[str, Scale], problems: list[Problem]) -> Any:
    """The file's data with `scale: agree_5` replaced by the named scale's definition."""
    data = source.data
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return data
    for index, item in enumerate(data["items"]):
        if not isinstance(item, dict):
            continue
        for key in _SCALE_KEYS:
            name = item.get(key)
            if isinstance(name, str):
                if name in scales:
                    item[key] = scales[name].model_dump()
                else:
                    known = ", ".join(scales)
                    problems.append(source.problem(("items", index, key), f"no scale named {name!r}.", known))
    return data


def _missing_languages(source: YamlSource, where: tuple[str | int, ...], data: Any) -> list[Problem]:
    """Every text under `data` that lacks one of the three languages: the bank is always complete."""
    problems: list[Problem] = []

    def visit(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            if value and set(value) <= set(LANGUAGES):
                missing = [language for language in LANGUAGES if not str(value.get(language, "")).strip()]
                if missing:
                    problems.append(source.problem(path, f"the text has no {', '.join(missing)} version."))
                return
            for key, inner in value.items():
                visit(inner, (*path, key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                visit(inner, (*path, index))

    visit(data, where)
    return problems
