"""YAML read with the line of every key and value, so that a problem found later can say where it is.

Two deliberate departures from PyYAML's defaults, both because survey texts are data, not config:
only `true` and `false` are booleans (YAML 1.1 would turn an English answer option `No` into False), and
a key written twice in one mapping is a problem instead of the last one silently winning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from surveys.problems import InputError, Problem

DataPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (YAML 1.2), never yes/no/on/off."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class YamlSource:
    """A parsed YAML file: its data, and the 1-based line of each path into the data."""

    name: str  # how the user knows the file: the path they gave
    data: Any
    lines: dict[DataPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while reading (duplicate keys)

    def where(self, path: DataPath) -> str:
        """`name, line N` for the deepest part of `path` whose line is known."""
        for length in range(len(path), -1, -1):
            line = self.lines.get(path[:length])
            if line is not None:
                return f"{self.name}, line {line}"
        return self.name

    def problem(self, path: DataPath, what: str, fix: str = "") -> Problem:
        return Problem(self.where(path), what, fix)


def read_yaml(path: Path, name: str | None = None) -> YamlSource:
    """Read a YAML file, or raise InputError with the line and column where it cannot be read."""
    display = name or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{display} cannot be read.", [Problem(display, "no such file.")]) from None
    except UnicodeDecodeError:
        raise InputError(
            f"{display} cannot be read.", [Problem(display, "is not UTF-8 text.", "Save it as UTF-8.")]
        ) from None
    return parse_yaml(text, display)


def parse_yaml(text: str, name: str) -> YamlSource:
    """Parse YAML text; see `read_yaml`."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        location = f"{name}, line {mark.line + 1}, column {mark.column + 1}" if mark else name
        what = f"is not valid YAML: {error.problem}"
        fix = "Check the indentation, and put in quotes a text with ': ' or ' #' in it, or with ',' or '?' inside {…}."
        raise InputError(f"{name} cannot be read.", [Problem(location, what, fix)]) from None
    source = YamlSource(name, None)
    if node is not None:
        source.data = _build(node, (), source, yaml.constructor.SafeConstructor())
    return source


def _build(node: yaml.Node, path: DataPath, source: YamlSource, constructor: Any) -> Any:
    source.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, constructor)
            if key in mapping:
                source.problems.append(
                    Problem(
                        f"{source.name}, line {key_node.start_mark.line + 1}",
                        f"key {key!r} appears twice in the same block.",
                        "Remove or rename one of them.",
                    )
                )
            source.lines[(*path, key)] = key_node.start_mark.line + 1
            mapping[key] = _build(value_node, (*path, key), source, constructor)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, index), source, constructor) for index, child in enumerate(node.value)]
    return _scalar(node, constructor)


def _scalar(node: yaml.Node, constructor: Any) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        # A list or mapping used as a key: keep its text so the model rejects it with a location.
        return str(node.start_mark)
    return constructor.construct_object(node)
