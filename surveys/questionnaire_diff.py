"""What changed between two versions of a questionnaire, and which changes break comparison across waves.

A change breaks comparability when an answer in the new version no longer means what it meant in the old:
the wording, the type, the scale (bounds or labels), the options, the direction, or who is asked (show-if).
Required-ness, instructions, sources and section moves do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from surveys.questionnaire import ImportanceSatisfactionGrid, Item, Questionnaire, RatingGrid


@dataclass(frozen=True, slots=True)
class Change:
    aspect: str  # "wording", "scale", "options", …
    detail: str  # what exactly, in words
    breaks_comparability: bool


@dataclass(frozen=True, slots=True)
class ItemChanges:
    code: str
    changes: list[Change]

    @property
    def breaks_comparability(self) -> bool:
        return any(change.breaks_comparability for change in self.changes)


@dataclass(frozen=True, slots=True)
class QuestionnaireDiff:
    added: list[str]
    removed: list[str]
    changed: list[ItemChanges]
    survey_changes: list[Change] = field(default_factory=list)

    @property
    def breaks_comparability(self) -> bool:
        return bool(self.removed) or any(item.breaks_comparability for item in self.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": [
                {
                    "code": item.code,
                    "breaks_comparability": item.breaks_comparability,
                    "changes": [
                        {
                            "aspect": c.aspect,
                            "detail": c.detail,
                            "breaks_comparability": c.breaks_comparability,
                        }
                        for c in item.changes
                    ],
                }
                for item in self.changed
            ],
            "survey_changes": [{"aspect": c.aspect, "detail": c.detail} for c in self.survey_changes],
            "breaks_comparability": self.breaks_comparability,
        }


def diff_questionnaires(old: Questionnaire, new: Questionnaire) -> QuestionnaireDiff:
    """Items added, removed and changed from `old` to `new`, by item code."""
    old_items = {item.code: item for item in old.items()}
    new_items = {item.code: item for item in new.items()}
    changed = []
    for code, new_item in new_items.items():
        if code in old_items:
            changes = _item_changes(old, old_items[code], new, new_item)
            if changes:
                changed.append(ItemChanges(code, changes))
    survey_changes = []
    if old.languages != new.languages:
        survey_changes.append(Change("languages", f"{', '.join(old.languages)} → {', '.join(new.languages)}", False))
    if [row.code for row in old.attributes] != [row.code for row in new.attributes]:
        survey_changes.append(
            Change(
                "attributes",
                f"{', '.join(r.code for r in old.attributes)} → {', '.join(r.code for r in new.attributes)}",
                False,
            )
        )
    return QuestionnaireDiff(
        added=[code for code in new_items if code not in old_items],
        removed=[code for code in old_items if code not in new_items],
        changed=changed,
        survey_changes=survey_changes,
    )


def _item_changes(old: Questionnaire, before: Item, new: Questionnaire, after: Item) -> list[Change]:
    changes: list[Change] = []
    if before.type != after.type:
        return [Change("type", f"{before.type} → {after.type}", True)]
    languages = [language for language in before.text if language in after.text]
    reworded = [language for language in languages if before.text[language] != after.text[language]]
    if reworded:
        changes.append(Change("wording", f"question text changed in {', '.join(reworded)}", True))
    if before.construct != after.construct:
        changes.append(Change("construct", f"{before.construct} → {after.construct}", True))
    for key in ("scale", "importance_scale", "satisfaction_scale"):
        old_scale, new_scale = getattr(before, key, None), getattr(after, key, None)
        if old_scale is not None and new_scale is not None:
            if (old_scale.min, old_scale.max) != (new_scale.min, new_scale.max):
                bounds = f"{old_scale.min}–{old_scale.max} → {new_scale.min}–{new_scale.max}"
                changes.append(Change("scale", f"{key.replace('_', ' ')} {bounds}", True))
            elif old_scale.labels != new_scale.labels:
                changes.append(Change("scale", f"{key.replace('_', ' ')} labels changed", True))
    if getattr(before, "direction", None) != getattr(after, "direction", None):
        detail = f"{getattr(before, 'direction', None)} → {getattr(after, 'direction', None)}"
        changes.append(Change("direction", detail, True))
    changes.extend(_option_changes(before, after))
    if isinstance(before, RatingGrid | ImportanceSatisfactionGrid) and isinstance(
        after, RatingGrid | ImportanceSatisfactionGrid
    ):
        changes.extend(_row_changes(old, before, new, after))
    if before.show_if != after.show_if:
        routing = f"show_if {before.show_if or '(always)'} → {after.show_if or '(always)'}"
        detail = f"{routing}: a different group answers"
        changes.append(Change("routing", detail, True))
    if before.required != after.required:
        changes.append(Change("required", f"{before.required} → {after.required}", False))
    if before.instruction != after.instruction:
        changes.append(Change("instruction", "instruction changed", False))
    for key in ("unit", "min", "max"):
        if getattr(before, key, None) != getattr(after, key, None):
            detail = f"{key} {getattr(before, key, None)} → {getattr(after, key, None)}"
            changes.append(Change(key, detail, key == "unit"))
    return changes


def _option_changes(before: Item, after: Item) -> list[Change]:
    old_options = {option.code: option for option in getattr(before, "options", [])}
    new_options = {option.code: option for option in getattr(after, "options", [])}
    changes = []
    added = [code for code in new_options if code not in old_options]
    removed = [code for code in old_options if code not in new_options]
    if added:
        changes.append(Change("options", f"options added: {', '.join(map(str, added))}", True))
    if removed:
        changes.append(Change("options", f"options removed: {', '.join(map(str, removed))}", True))
    for code in old_options.keys() & new_options.keys():
        old_text, new_text = old_options[code].text, new_options[code].text
        if any(old_text[language] != new_text[language] for language in old_text if language in new_text):
            changes.append(Change("options", f"wording of option {code} changed", True))
    return changes


def _row_changes(
    old: Questionnaire,
    before: RatingGrid | ImportanceSatisfactionGrid,
    new: Questionnaire,
    after: RatingGrid | ImportanceSatisfactionGrid,
) -> list[Change]:
    old_rows = {row.code: row for row in old.grid_rows(before)}
    new_rows = {row.code: row for row in new.grid_rows(after)}
    changes = []
    added = [code for code in new_rows if code not in old_rows]
    removed = [code for code in old_rows if code not in new_rows]
    if added:
        changes.append(Change("rows", f"rows added: {', '.join(added)}", False))
    if removed:
        changes.append(Change("rows", f"rows removed: {', '.join(removed)} (their trend ends here)", True))
    reworded = [
        code
        for code in old_rows.keys() & new_rows.keys()
        if any(
            old_rows[code].text[language] != new_rows[code].text[language]
            for language in old_rows[code].text
            if language in new_rows[code].text
        )
    ]
    if reworded:
        changes.append(Change("rows", f"wording of rows changed: {', '.join(sorted(reworded))}", True))
    return changes
