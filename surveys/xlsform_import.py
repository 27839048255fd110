"""An XLSForm made elsewhere (KoboToolbox, ODK, SurveyCTO) converted into a loyalty questionnaire.

For the command line (`loyalty survey import-xlsform FILE.xlsx -o FILE.yaml`):

    import_xlsform(path: Path) -> XlsformImport      # .questionnaire, .unmapped: list[str]
    questionnaire_yaml(result.questionnaire) -> str  # from surveys.questionnaire_file, to write -o FILE

InputError (with sheet, row and column) when the workbook is not an XLSForm: not an .xlsx, no `survey`
sheet, no `type` or `name` column, a select whose list is not in `choices`, unbalanced groups. Everything
else is converted as far as it maps, and what does not map is said, with its row, in `unmapped`; the
questionnaire always passes surveys.questionnaire_checks.

What maps:
- label/hint columns `label::English (en)`, `label::中文 (zh)`, `label::Chinese (Simplified)`, plain
  `label` (the default language, or by its script) → en, zh-Hans, zh-Hant. zh, zh-CN, zh-SG, 简体中文,
  中文 and Chinese are simplified; zh-TW, zh-HK, zh-MO, 繁體中文 traditional. Other languages are listed.
  A text missing in one language is filled from another and listed.
- select_one → single choice; over consecutive integer choices with a likert/horizontal appearance or a
  `direction` column, a rating (0–10 about recommending: the recommend item). select_multiple → multiple
  choice; rank → ranking; range (step 1) → rating; integer/decimal → number; text → text (multiline
  by appearance).
- choice names that are not integers get the next free integer codes (listed); `or_other` and a text
  question right after a choice, asked only when one option is chosen, become "other, please specify".
- constraints of the forms we write: `. >= a and . <= b`, `count-selected(.) <= n`, exclusive options
  `not(selected(., 'x') and count-selected(.) > 1)`, `string-length(.) <= n`.
- a field-list/table-list group of select_one rows over one scale → a rating grid (its rows' names
  `{item}_{row}` are kept); a group holding two such grids `{item}_importance_…`/`{item}_satisfaction_…`
  → an importance/satisfaction grid; a header row (appearance `label`) holds no answer and is dropped.
- top-level groups → sections (questions outside any group go into a section of their own, listed);
  groups inside a section are opened up, their relevant joined to their questions' show-if.
- relevant → show-if through surveys.xlsform_relevant; a condition that does not fit is dropped and listed.
- notes before the first question → the intro; after the last → the thanks; at a section's top → its intro.
- form_title, form_id (made a valid survey id), version (an integer, else 1).
- construct and direction from `construct`/`direction` columns (which our XLSForm export writes);
  otherwise a construct is guessed from keywords in the name and labels (recommend, satisfaction, trust,
  importance, age, gender …) and, when nothing fits, set to `demographics` — a background variable that
  no score uses, so a wrong guess cannot distort an index — and every guess is listed; a direction of a
  rating, grid or number defaults to higher_is_better and is listed.

What does not map, listed with its row: calculate, note (elsewhere), date/time, geopoint and the other
geo types, image/audio/video/file, barcode, acknowledge, metadata (start, end, deviceid …), repeats with
everything in them, choice_filter, defaults, calculations, read_only, media columns, constraints of other
forms, required expressions, relevant on grid rows, unknown languages and unknown question types.
Appearances are presentation only and are not listed.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveys.codebook import specify_code
from surveys.problems import InputError, Problem
from surveys.questionnaire import (
    CODE_PATTERN,
    LANGUAGES,
    Construct,
    Direction,
    Language,
    Questionnaire,
)
from surveys.questionnaire_checks import check_questionnaire
from surveys.show_if import All, Condition
from surveys.xlsform_relevant import (
    RelevantVariable,
    UntranslatableRelevant,
    condition_text,
    relevant_condition,
)

Texts = dict[str, str]  # language → text, for the languages found


@dataclass(frozen=True, slots=True)
class XlsformImport:
    """The converted questionnaire and, one line each, what could not be carried over or was guessed."""

    questionnaire: Questionnaire
    unmapped: list[str]


def import_xlsform(path: Path) -> XlsformImport:
    """The XLSForm at `path` as a valid questionnaire, with what did not map; see the module docstring."""
    workbook = _read_workbook(path)
    return _Importer(path, workbook).run()


# --- reading the workbook --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sheet:
    name: str
    columns: list[str]  # as written in the header
    rows: list[tuple[int, dict[str, str]]]  # (row number in the sheet, column → text), blank rows left out


def _read_workbook(path: Path) -> dict[str, _Sheet]:
    from openpyxl import load_workbook  # only this command needs it

    if path.suffix.lower() != ".xlsx":
        raise InputError(
            f"{path.name} is not an .xlsx file.",
            [Problem(str(path), "only XLSForms saved as .xlsx can be imported.", "Save it as .xlsx in Excel.")],
        )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError(f"{path} does not exist.", [Problem(str(path), "no such file.")]) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InputError(
            f"{path.name} cannot be read.", [Problem(str(path), f"is not an Excel workbook ({error}).")]
        ) from None
    sheets: dict[str, _Sheet] = {}
    for worksheet in workbook.worksheets:
        rows = list(worksheet.iter_rows(values_only=True))
        columns = [_cell_text(value) for value in rows[0]] if rows else []
        body = []
        for number, values in enumerate(rows[1:], start=2):
            cells = {column: _cell_text(value) for column, value in zip(columns, values, strict=False) if column}
            if any(cells.values()):
                body.append((number, {column: text for column, text in cells.items() if text}))
        sheets[worksheet.title.strip().lower()] = _Sheet(worksheet.title, columns, body)
    workbook.close()
    return sheets


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- languages -------------------------------------------------------------------------------------

_LANGUAGE_CODES: dict[str, Language] = {
    "en": "en",
    "eng": "en",
    "zh": "zh-Hans",
    "zho": "zh-Hans",
    "chi": "zh-Hans",
    "cmn": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "zh-hant-hk": "zh-Hant",
}
_LANGUAGE_NAMES: dict[str, Language] = {
    "english": "en",
    "英文": "en",
    "英语": "en",
    "英語": "en",
    "chinese": "zh-Hans",
    "中文": "zh-Hans",
    "汉语": "zh-Hans",
    "简体中文": "zh-Hans",
    "简体": "zh-Hans",
    "中文简体": "zh-Hans",
    "chinese (simplified)": "zh-Hans",
    "simplified chinese": "zh-Hans",
    "繁體中文": "zh-Hant",
    "繁体中文": "zh-Hant",
    "繁體": "zh-Hant",
    "繁体": "zh-Hant",
    "中文繁體": "zh-Hant",
    "chinese (traditional)": "zh-Hant",
    "traditional chinese": "zh-Hant",
}
_TRADITIONAL_ONLY = set("體們這國為說對會學與關於還開時問題麼應從點實現經過們將當業產來無進區個東")


def language_of(name: str) -> Language | None:
    """The loyalty language an XLSForm language name means: `English (en)` → en, `中文 (zh)` → zh-Hans …

    >>> names = ["English (en)", "Chinese (Simplified)", "繁體中文", "zh-TW", "Français (fr)"]
    >>> [language_of(name) for name in names]
    ['en', 'zh-Hans', 'zh-Hant', 'zh-Hant', None]
    """
    text = name.strip()
    match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", text)
    if match:
        code = match.group(2).strip().lower().replace("_", "-")
        if code in _LANGUAGE_CODES:
            return _LANGUAGE_CODES[code]
    lowered = text.lower().replace("_", "-")
    if lowered in _LANGUAGE_CODES:
        return _LANGUAGE_CODES[lowered]
    if lowered in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[lowered]
    if match and match.group(1).strip().lower() in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[match.group(1).strip().lower()]
    return None


def _script_language(texts: list[str]) -> Language:
    joined = "".join(texts)
    if not re.search(r"[\u4e00-\u9fff]", joined):
        return "en"
    return "zh-Hant" if any(character in _TRADITIONAL_ONLY for character in joined) else "zh-Hans"


# --- the model of the form while it is converted ---------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # base column (lower case, no language) → text, language-free columns only
    texts: dict[str, Texts]  # label / hint / constraint_message → language → text
    kind: str  # the type's first word, normalised: select_one, begin_group, integer …
    list_name: str = ""
    or_other: bool = False

    @property
    def name(self) -> str:
        return self.cells.get("name", "")

    @property
    def appearance(self) -> str:
        return self.cells.get("appearance", "").lower()


@dataclass
class _Group:
    row: _Row
    children: list[_Row | _Group] = field(default_factory=list)


@dataclass
class _Choices:
    name: str
    codes: dict[str, int]  # choice name → option code
    texts: dict[int, Texts]  # option code → its label
    all_integers: bool  # every name was an integer already


_OPENERS = ("begin_group", "begin_repeat", "begin_kobomatrix")
_CLOSERS = {"end_group": "begin_group", "end_repeat": "begin_repeat", "end_kobomatrix": "begin_kobomatrix"}
_HANDLED_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "construct",
    "direction",
    "source",
    "correct",
    "rank_count",
    "parameters",  # read for range; listed otherwise
    "required_message",  # a message only: the required flag is carried over
}
_IGNORED_COLUMNS = {"$kuid", "$autoname", "$prev", "$given_name", "label_en", "xml_name"}
_LANGUAGE_COLUMNS = {"label", "hint", "constraint_message", "required_message"}
_UNMAPPED_TYPES = {
    "calculate": "a calculation",
    "date": "a date question",
    "time": "a time question",
    "datetime": "a date-and-time question",
    "geopoint": "a GPS location",
    "geotrace": "a GPS line",
    "geoshape": "a GPS area",
    "start-geopoint": "a GPS location",
    "image": "a photo",
    "audio": "a sound recording",
    "video": "a video",
    "file": "a file upload",
    "background-audio": "a background recording",
    "barcode": "a barcode scan",
    "acknowledge": "an acknowledgement",
    "trigger": "an acknowledgement",
    "hidden": "a hidden field",
    "xml-external": "an external data file",
    "csv-external": "an external data file",
    "select_one_from_file": "a choice list from a file",
    "select_multiple_from_file": "a choice list from a file",
    "audit": "metadata",
    "start": "metadata",
    "end": "metadata",
    "today": "metadata",
    "deviceid": "metadata",
    "subscriberid": "metadata",
    "simserial": "metadata",
    "phonenumber": "metadata",
    "username": "metadata",
    "email": "metadata",
}
_SCALE_APPEARANCES = ("likert", "horizontal", "columns", "list-nolabel", "quick")
_DEFAULT_HEADINGS = {
    "importance": {"zh-Hans": "重要程度", "zh-Hant": "重要程度", "en": "Importance"},
    "satisfaction": {"zh-Hans": "满意程度", "zh-Hant": "滿意程度", "en": "Satisfaction"},
}
_SECTION_TITLE = {"zh-Hans": "问题", "zh-Hant": "問題", "en": "Questions"}
_OTHER_TEXT = {"zh-Hans": "其他", "zh-Hant": "其他", "en": "Other"}
# the unit as our XLSForm writes it into the hint (phrases "number_unit"), and as others commonly do
_UNIT = re.compile(r"\s*[（(]\s*(?:(?:单位|單位|unit)\s*[:：]|in\s)\s*(.+?)\s*[)）]\s*$", re.IGNORECASE)
_NUMBERED_LABEL = re.compile(r"^\s*(-?\d+)\s*[–—\-:=.]\s*(.+)$")

# Keywords that suggest a construct, looked for in the question's name and labels (first match wins).
_CONSTRUCT_KEYWORDS: list[tuple[Construct, tuple[str, ...]]] = [
    (Construct.RECOMMEND, ("recommend", "nps", "推荐", "推薦")),
    (Construct.ATTENTION_CHECK, ("attention", "注意力")),
    (Construct.ATTRIBUTE_IMPORTANCE, ("importan", "重要")),
    (Construct.REPURCHASE_INTENT, ("repurchase", "buy again", "再次购买", "再次購買", "回购", "复购")),
    (Construct.CHURN_INTENT, ("switch", "stop buying", "churn", "换用", "換用", "流失", "不再购买")),
    (Construct.TRUST, ("trust", "信任", "信赖", "信賴")),
    (Construct.COMPLAINED, ("complain", "投诉", "投訴")),
    (Construct.OVERALL_SATISFACTION, ("overall satisf", "总体满意", "整體滿意", "總體滿意", "整体满意")),
    (Construct.ATTRIBUTE_SATISFACTION, ("satisf", "满意", "滿意")),
    (Construct.TENURE, ("tenure", "how long", "多久", "多长时间", "多長時間")),
    (
        Construct.DEMOGRAPHICS,
        (
            "age",
            "gender",
            "sex",
            "income",
            "education",
            "occupation",
            "city",
            "年龄",
            "年齡",
            "性别",
            "性別",
            "收入",
            "学历",
            "學歷",
            "职业",
            "職業",
            "城市",
        ),
    ),
]


class _Importer:
    def __init__(self, path: Path, sheets: dict[str, _Sheet]) -> None:
        self.path = path
        self.sheets = sheets
        self.unmapped: list[str] = []
        self.missing_texts: dict[str, list[int]] = {}  # language → rows whose text was filled
        self.codes_taken: set[str] = set()  # item and variable codes given so far
        self.section_codes: set[str] = set()
        self.variables: dict[str, RelevantVariable] = {}  # XLSForm name → what it became

    # --- the steps ------------------------------------------------------------------------------

    def run(self) -> XlsformImport:
        survey = self.sheets.get("survey")
        if survey is None:
            raise _malformed(
                f"{self.path.name} is not an XLSForm.",
                f"{self.path.name}",
                "has no sheet named 'survey'.",
                "An XLSForm has sheets survey and choices.",
            )
        self.settings = self.read_settings()
        self.languages = self.read_languages(survey)
        self.choices = self.read_choices()
        tree = self.read_tree(survey)
        data = self.questionnaire_data(tree)
        questionnaire = self.validated(data)
        self.unmapped.extend(
            f"{_language_label(language)} texts missing on rows {_row_ranges(rows)}: "
            f"filled with another language's text; translate them."
            for language, rows in self.missing_texts.items()
        )
        return XlsformImport(questionnaire, self.unmapped)

    def note(self, row: int | None, what: str) -> None:
        line = f"row {row}: {what}" if row is not None else what
        if line not in self.unmapped:
            self.unmapped.append(line)

    def read_settings(self) -> dict[str, str]:
        settings = self.sheets.get("settings")
        if settings is None or not settings.rows:
            return {}
        return {column.strip().lower(): text for column, text in settings.rows[0][1].items()}

    def read_languages(self, survey: _Sheet) -> list[Language]:
        """The loyalty languages of the label columns, the default language first."""
        self.column_language: dict[str, Language] = {}  # language part of a header → our language
        found: list[Language] = []
        plain_label = False
        unknown: dict[str, list[str]] = {}
        named_by: dict[Language, set[str]] = {}
        sheets = [survey, *([self.sheets["choices"]] if "choices" in self.sheets else [])]
        for sheet in sheets:
            for column in sheet.columns:
                base, _, language_name = column.partition("::")
                if base.strip().lower() not in _LANGUAGE_COLUMNS:
                    continue
                if not language_name:
                    plain_label = plain_label or base.strip().lower() == "label"
                    continue
                language = language_of(language_name)
                if language is None:
                    unknown.setdefault(language_name.strip(), []).append(f"{column} in {sheet.name}")
                    continue
                self.column_language[language_name.strip()] = language
                if language not in found:
                    found.append(language)
                named_by.setdefault(language, set()).add(language_name.strip())
        for name, columns in unknown.items():
            self.note(
                None,
                f"{name!r} ({', '.join(columns)}) is not a language loyalty has "
                f"({', '.join(LANGUAGES)}); its texts are left out.",
            )
        for language, names in named_by.items():
            if len(names) > 1:
                self.note(
                    None,
                    f"columns in {', '.join(sorted(names))} all read as {_language_label(language)}; "
                    "where a row has several, the leftmost column's text is used.",
                )
        default_name = self.settings.get("default_language", "")
        default = language_of(default_name) if default_name else None
        if plain_label:
            plain = default
            if plain is None:
                texts = [cells.get(column, "") for _, cells in survey.rows for column in ("label",) if column in cells]
                plain = _script_language(texts)
                self.note(
                    None,
                    f"the plain `label` column has no language; read as {_language_label(plain)} from its script.",
                )
            self.column_language[""] = plain
            if plain not in found:
                found.insert(0, plain)
        if default is not None and default in found:
            found.remove(default)
            found.insert(0, default)
        if not found:
            raise _malformed(
                f"{self.path.name} has no labels loyalty can read.",
                "sheet survey, row 1",
                "no `label` column in English or Chinese.",
                "Add `label::English (en)` or `label::中文 (zh)`.",
            )
        return found

    def row_texts(self, cells: dict[str, str]) -> tuple[dict[str, str], dict[str, Texts]]:
        plain: dict[str, str] = {}
        texts: dict[str, Texts] = {}
        for column, text in cells.items():
            base, separator, language_name = column.partition("::")
            base = base.strip().lower().replace(" ", "_")
            if base in _LANGUAGE_COLUMNS:
                language = self.column_language.get(language_name.strip() if separator else "")
                if language is not None:
                    texts.setdefault(base, {}).setdefault(language, text)
                continue
            plain[base] = text
        return plain, texts

    def read_choices(self) -> dict[str, _Choices]:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return {}
        lower = [column.strip().lower().replace(" ", "_") for column in sheet.columns]
        for needed in ("list_name", "name"):
            if needed not in lower and sheet.rows:
                raise _malformed(
                    f"{self.path.name}: the choices sheet is not an XLSForm choices sheet.",
                    "sheet choices, row 1",
                    f"has no column {needed!r}.",
                    "Its columns are list_name, name, label.",
                )
        rows: dict[str, list[tuple[int, str, Texts]]] = {}
        extra_columns: dict[str, list[int]] = {}
        for number, cells in sheet.rows:
            plain, texts = self.row_texts(cells)
            list_name, name = plain.get("list_name", ""), plain.get("name", "")
            if not list_name:
                continue
            if not name:
                raise _malformed(
                    f"{self.path.name}: a choice has no name.",
                    f"sheet choices, row {number}, column name",
                    "is empty.",
                    "Give every choice a name.",
                )
            if any(name == seen for _, seen, _ in rows.get(list_name, [])):
                raise _malformed(
                    f"{self.path.name}: a choice name is used twice.",
                    f"sheet choices, row {number}, column name",
                    f"{name!r} is already a choice of list {list_name!r}.",
                    "Give each choice of a list its own name.",
                )
            rows.setdefault(list_name, []).append((number, name, texts.get("label", {})))
            for extra in sorted(set(plain) - {"list_name", "name"} - _IGNORED_COLUMNS):
                extra_columns.setdefault(extra, []).append(number)
        for extra, numbers in extra_columns.items():
            media = extra.startswith(("media", "image", "audio", "video"))
            self.note(
                None,
                f"choices column {extra!r} (rows {_row_ranges(numbers)}) is not carried over"
                + (": loyalty has no media." if media else " (choice filters use such columns)."),
            )
        lists: dict[str, _Choices] = {}
        for list_name, entries in rows.items():
            integers = [int(name) for _, name, _ in entries if re.fullmatch(r"-?\d+", name)]
            next_code = max([0, *integers]) + 1
            codes: dict[str, int] = {}
            renumbered: list[str] = []
            for _, name, _ in entries:
                if re.fullmatch(r"-?\d+", name) and int(name) not in codes.values():
                    codes[name] = int(name)
                else:
                    codes[name] = next_code
                    renumbered.append(f"{name} → {next_code}")
                    next_code += 1
            if renumbered:
                self.note(
                    None,
                    f"choices list {list_name!r} (rows {_row_ranges([number for number, _, _ in entries])}): "
                    f"names that are not distinct whole numbers are coded {', '.join(renumbered)}.",
                )
            lists[list_name] = _Choices(
                list_name,
                codes,
                {codes[name]: texts for _, name, texts in entries},
                all_integers=not renumbered,
            )
        return lists

    def read_tree(self, survey: _Sheet) -> list[_Row | _Group]:
        lower = [column.strip().lower() for column in survey.columns]
        for needed in ("type", "name"):
            if needed not in lower:
                raise _malformed(
                    f"{self.path.name} is not an XLSForm.",
                    "sheet survey, row 1",
                    f"has no column {needed!r}.",
                    "An XLSForm's survey sheet has columns type, name and label.",
                )
        root: list[_Row | _Group] = []
        stack: list[_Group] = []
        for number, cells in survey.rows:
            plain, texts = self.row_texts(cells)
            type_text = re.sub(r"\s+", " ", plain.get("type", "")).strip()
            if not type_text:
                self.note(number, f"has no type; {plain.get('name', 'the row')!r} is left out.")
                continue
            row = self.parsed_row(number, plain, texts, type_text)
            siblings = stack[-1].children if stack else root
            if row.kind in _OPENERS:
                group = _Group(row)
                siblings.append(group)
                stack.append(group)
            elif row.kind in _CLOSERS:
                opened = _CLOSERS[row.kind]
                if not stack or stack[-1].row.kind != opened:
                    raise _malformed(
                        f"{self.path.name}: groups do not match.",
                        f"sheet survey, row {number}, column type",
                        f"{type_text} closes no open {opened.replace('_', ' ')}.",
                        "Every begin group/repeat needs its own end.",
                    )
                stack.pop()
            else:
                siblings.append(row)
        if stack:
            raise _malformed(
                f"{self.path.name}: groups do not match.",
                f"sheet survey, row {stack[-1].row.number}, column type",
                f"{stack[-1].row.kind.replace('_', ' ')} {stack[-1].row.name!r} is never ended.",
                "Add an end group/repeat row.",
            )
        return root

    def parsed_row(self, number: int, plain: dict[str, str], texts: dict[str, Texts], type_text: str) -> _Row:
        lowered = type_text.lower()
        aliases = {
            "begin group": "begin_group",
            "end group": "end_group",
            "begin repeat": "begin_repeat",
            "end repeat": "end_repeat",
            "begin_table": "begin_group",
            "end_table": "end_group",
        }
        lowered = aliases.get(lowered, lowered)
        select = re.fullmatch(
            r"(select_one|select_multiple|select one|select multiple|rank)\s+(\S+)(\s+or_other)?", lowered
        )
        if select:
            kind = select.group(1).replace(" ", "_")
            list_name = type_text.split(" ")[len(select.group(1).split(" "))]
            if list_name not in self.choices:
                raise _malformed(
                    f"{self.path.name}: a choice list is missing.",
                    f"sheet survey, row {number}, column type",
                    f"list {list_name!r} is not in the choices sheet.",
                    "Add its choices or correct the list name.",
                )
            row = _Row(number, plain, texts, kind, list_name, or_other=bool(select.group(3)))
        else:
            kind = lowered.split(" ")[0]
            row = _Row(number, plain, texts, kind)
        if not row.name and row.kind not in _CLOSERS:
            raise _malformed(
                f"{self.path.name}: a question has no name.",
                f"sheet survey, row {number}, column name",
                f"the {type_text} row has no name.",
                "Give it a name (letters, digits and _).",
            )
        return row

    # --- from the tree to questionnaire data ----------------------------------------------------

    def questionnaire_data(self, tree: list[_Row | _Group]) -> dict[str, Any]:
        sections: list[dict[str, Any]] = []
        loose: list[dict[str, Any]] = []
        intro: Texts | None = None
        thanks: list[_Row] = []

        def close_loose() -> None:
            if loose:
                code = self.new_code(f"section_{len(sections) + 1}", None, section=True, quiet=True)
                items = self.absorbed_specify(list(loose))
                sections.append({"code": code, "title": self.filled(_SECTION_TITLE, None), "items": items})
                self.note(
                    loose[0].get("_row"),
                    f"questions outside any group are put in a section {code!r}; give it a title.",
                )
                loose.clear()

        content = [
            index
            for index, node in enumerate(tree)
            if not (isinstance(node, _Row) and (node.kind == "note" or _UNMAPPED_TYPES.get(node.kind) == "metadata"))
        ]
        first_content, last_content = (content[0], content[-1]) if content else (len(tree), -1)
        for index, node in enumerate(tree):
            if (
                isinstance(node, _Row)
                and node.kind == "note"
                and node.texts.get("label")
                and (index < first_content or index > last_content)
            ):
                if index < first_content and intro is None:
                    intro = node.texts.get("label", {})
                    continue
                if index > last_content:
                    thanks.append(node)
                    continue
            if isinstance(node, _Group) and node.row.kind == "begin_group" and not self.grid_shape(node):
                close_loose()
                section = self.section(node)
                if section is not None:
                    sections.append(section)
                continue
            loose.extend(self.items(node, []))
        close_loose()
        if len(thanks) > 1:
            for extra in thanks[1:]:
                self.note(
                    extra.number,
                    f"note {extra.name!r} is not carried over (only one closing note becomes the thanks).",
                )
        title = self.settings.get("form_title") or self.path.stem
        if len(self.languages) > 1:
            self.note(None, f"the title {title!r} is in one language in an XLSForm; translate it.")
        survey_id = (
            re.sub(r"[^a-z0-9-]+", "-", (self.settings.get("form_id") or self.path.stem).lower()).strip("-")[:64]
            or "imported-survey"
        )
        if survey_id != self.settings.get("form_id"):
            self.note(None, f"survey id {survey_id!r} made from {self.settings.get('form_id') or self.path.name!r}.")
        version_text = self.settings.get("version", "1")
        version = int(version_text) if re.fullmatch(r"\d+", version_text) and int(version_text) >= 1 else 1
        if version_text and str(version) != version_text:
            self.note(None, f"settings version {version_text!r} is not a whole number; the version is 1.")
        data: dict[str, Any] = {
            "survey": survey_id,
            "version": version,
            "languages": self.languages,
            "title": self.filled({"any": title}, None),
            "sections": sections,
        }
        if intro:
            data["intro"] = self.filled(intro, None)
        if thanks:
            data["thanks"] = self.filled(thanks[0].texts.get("label", {}), thanks[0].number)
        self.hoist_attributes(data)
        return data

    def section(self, group: _Group) -> dict[str, Any] | None:
        row = group.row
        code = self.new_code(row.name, row.number, section=True)
        section: dict[str, Any] = {
            "code": code,
            "title": self.filled(row.texts.get("label", {}) or {"any": row.name}, row.number),
        }
        children = list(group.children)
        if children and isinstance(children[0], _Row) and children[0].kind == "note" and children[0].texts.get("label"):
            section["intro"] = self.filled(children[0].texts.get("label", {}), children[0].number)
            children = children[1:]
        conditions = [(row.number, row.cells["relevant"])] if row.cells.get("relevant") else []
        self.leftover_columns(row)
        items: list[dict[str, Any]] = []
        for child in children:
            items.extend(self.items(child, conditions))
        if not items:
            self.note(row.number, f"group {row.name!r} has no question loyalty can carry over; left out.")
            return None
        section["items"] = self.absorbed_specify(items)
        return section

    def items(self, node: _Row | _Group, conditions: list[tuple[int, str]]) -> list[dict[str, Any]]:
        """The items a node of the survey tree becomes, with the relevant of enclosing groups."""
        if isinstance(node, _Group):
            row = node.row
            if row.kind == "begin_repeat":
                count = _count_rows(node)
                self.note(
                    row.number,
                    f"repeat {row.name!r} is not carried over, nor the {count} row{'s' * (count != 1)} in it "
                    "(loyalty asks each question once).",
                )
                return []
            if row.kind == "begin_kobomatrix":
                self.note(
                    row.number,
                    f"Kobo matrix {row.name!r} is not carried over, nor the rows in it: rebuild it as a rating grid.",
                )
                return []
            own = [(row.number, row.cells["relevant"])] if row.cells.get("relevant") else []
            shape = self.grid_shape(node)
            if shape is not None:
                return self.grid_items(node, shape, conditions)
            self.note(row.number, f"group {row.name!r} inside a section is opened up; its questions stay, in order.")
            self.leftover_columns(row)
            return self.absorbed_specify(
                [item for child in node.children for item in self.items(child, conditions + own)]
            )
        return self.question_items(node, conditions)

    def absorbed_specify(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A text asked right after a choice only when one option is chosen: its "please specify"."""
        kept: list[dict[str, Any]] = []
        for item in items:
            target = item.pop("_specify_of", None)
            previous = kept[-1] if kept else None
            if target and previous and previous["code"] == target[0] and "options" in previous:
                options = [option for option in previous["options"] if option["code"] == target[1]]
                if options and not any(option.get("specify") for option in previous["options"]):
                    options[0]["specify"] = True
                    if item["code"] != specify_code(previous["code"]):
                        self.note(
                            item.pop("_row"),
                            f"{item['code']!r} becomes the 'please specify' text of {previous['code']!r}, "
                            f"named {specify_code(previous['code'])!r}.",
                        )
                    continue
            if target:  # not a "please specify" after all: an open question of its own
                self.note(item.get("_row"), f"{item['code']!r}: construct set to {item['construct']}; check it.")
            kept.append(item)
        return kept

    # --- questions ------------------------------------------------------------------------------

    def question_items(self, row: _Row, conditions: list[tuple[int, str]]) -> list[dict[str, Any]]:
        if row.kind == "note":
            self.note(row.number, f"note {row.name!r} is not carried over.")
            return []
        if _is_header(row):
            self.note(row.number, f"{row.name!r} is a table's header row (appearance label); it holds no answer.")
            return []
        if any("${" in text for text in row.texts.get("label", {}).values()):
            self.note(row.number, f"{row.name!r}: its label shows an earlier answer (${{…}}); kept as written.")
        if row.kind not in (
            "select_one",
            "select_multiple",
            "rank",
            "integer",
            "decimal",
            "text",
            "range",
        ):
            what = _UNMAPPED_TYPES.get(row.kind, f"type {row.kind!r}, which loyalty does not know")
            self.note(row.number, f"{row.name!r} is {what}; not carried over.")
            return []
        item: dict[str, Any] = {"code": self.new_code(row.name, row.number), "_row": row.number}
        item["text"] = self.filled(row.texts.get("label", {}) or {"any": row.name}, row.number)
        if not row.texts.get("label"):
            self.note(row.number, f"{row.name!r} has no label; its name stands in as the question text.")
        if row.texts.get("hint"):
            item["instruction"] = self.filled(row.texts["hint"], row.number)
        item["required"] = self.required(row)
        if row.cells.get("source"):
            item["source"] = row.cells["source"]
        constraint = row.cells.get("constraint", "")
        handled_constraint = False
        variable: RelevantVariable
        if row.kind in ("select_one", "select_multiple", "rank"):
            choices = self.choices[row.list_name]
            scale = self.choice_scale(choices)
            if row.kind == "select_one" and scale is not None and self.reads_as_scale(row):
                item.update(self.scale_item(row, item, scale, choices))
                variable = RelevantVariable(item["code"], "scale", choices.codes, minimum=scale[0])
            else:
                options = [
                    {"code": code, "text": self.filled(texts or {"any": str(code)}, row.number)}
                    for code, texts in choices.texts.items()
                ]
                if row.or_other:
                    code = max(choices.texts) + 1
                    options.append({"code": code, "text": self.filled(_OTHER_TEXT, None), "specify": True})
                    self.note(
                        row.number,
                        f"{row.name!r}: `or_other` becomes option {code} with a text box "
                        f"({specify_code(item['code'])}).",
                    )
                type_ = {
                    "select_one": "single_choice",
                    "select_multiple": "multiple_choice",
                    "rank": "ranking",
                }[row.kind]
                item["type"] = type_
                item["options"] = options
                if type_ == "single_choice" and row.cells.get("correct") in choices.codes:
                    item["correct"] = choices.codes[row.cells["correct"]]
                if type_ == "ranking" and re.fullmatch(r"\d+", row.cells.get("rank_count", "")):
                    item["rank_count"] = int(row.cells["rank_count"])
                if type_ == "multiple_choice" and constraint:
                    handled_constraint = self.choice_constraint(item, constraint, choices)
                variable = RelevantVariable(
                    item["code"],
                    "choice" if type_ == "single_choice" else "choices" if type_ == "multiple_choice" else "text",
                    choices.codes,
                )
                item["construct"] = self.construct(row, item, "choice").value
        elif row.kind == "range":
            item.update(self.range_item(row, item))
            if item.get("type") != "rating":
                return []
            variable = RelevantVariable(item["code"], "scale", None, minimum=item["scale"]["min"])
        elif row.kind in ("integer", "decimal"):
            item["type"] = "number"
            item["integer"] = row.kind == "integer"
            self.take_unit(item)
            if constraint:
                handled_constraint = self.number_constraint(item, constraint)
            item["construct"] = self.construct(row, item, "number").value
            item["direction"] = self.direction(row, item)
            variable = RelevantVariable(item["code"], "number")
        else:
            item["type"] = "text"
            item["multiline"] = "multiline" in row.appearance
            match = re.fullmatch(r"\s*string-length\(\s*\.\s*\)\s*<=?\s*(\d+)\s*", constraint)
            if match and int(match.group(1)) > 0:
                item["max_length"] = int(match.group(1))
                handled_constraint = True
            item["construct"] = self.construct(row, item, "text", quiet=True).value
            variable = RelevantVariable(item["code"], "text")
            target = self.specify_target(row.cells.get("relevant", ""))
            if target is not None:
                item["_specify_of"] = target
            else:
                self.construct(row, item, "text")
        if constraint and not handled_constraint:
            self.note(row.number, f"{row.name!r}: constraint {constraint!r} is not carried over.")
        self.leftover_columns(row)
        self.show_if(item, row, conditions)
        self.variables[row.name] = variable
        return [item]

    def specify_target(self, relevant: str) -> tuple[str, int] | None:
        """(choice item code, option code) when `relevant` asks only "this option was chosen"."""
        match = re.fullmatch(
            r"\s*(?:\$\{([^}]+)\}\s*=\s*'([^']*)'|selected\(\s*\$\{([^}]+)\}\s*,\s*'([^']*)'\s*\))\s*",
            relevant,
        )
        if match is None:
            return None
        name, choice = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        variable = self.variables.get(name.strip())
        if variable is None or variable.kind not in ("choice", "choices") or not variable.choice_codes:
            return None
        code = variable.choice_codes.get(choice)
        return (variable.code, code) if code is not None else None

    def required(self, row: _Row) -> bool:
        text = row.cells.get("required", "").strip().lower()
        if text in ("", "no", "false", "false()", "0", "n"):
            return False
        if text in ("yes", "true", "true()", "1", "y"):
            return True
        self.note(row.number, f"{row.name!r}: required {text!r} is an expression; the question is optional.")
        return False

    def choice_scale(self, choices: _Choices) -> tuple[int, int] | None:
        codes = sorted(choices.texts)
        if not choices.all_integers or len(codes) < 3 or codes != list(range(codes[0], codes[-1] + 1)):
            return None
        if list(choices.texts) != codes:
            return None
        return codes[0], codes[-1]

    def reads_as_scale(self, row: _Row) -> bool:
        construct = row.cells.get("construct", "")
        if "direction" in row.cells or construct in ("recommend",):
            return True
        return any(word in row.appearance for word in _SCALE_APPEARANCES)

    def scale_item(
        self, row: _Row, item: dict[str, Any], scale: tuple[int, int], choices: _Choices, kind: str = "scale"
    ) -> dict[str, Any]:
        low, high = scale
        labels: dict[int, dict[str, str]] = {}
        for code, texts in choices.texts.items():
            label: dict[str, str] = {}
            for language, text in texts.items():
                numbered = _NUMBERED_LABEL.match(text)
                if numbered and int(numbered.group(1)) == code:
                    text = numbered.group(2).strip()
                if text.strip() != str(code):
                    label[language] = text
            if label:
                labels[code] = self.filled(label, row.number)
        scale_data: dict[str, Any] = {"min": low, "max": high}
        if labels:
            scale_data["labels"] = labels
        recommend = (low, high) == (0, 10) and self.construct(row, item, "scale", quiet=True) == Construct.RECOMMEND
        if recommend:
            self.guessed_construct(row, Construct.RECOMMEND)
            return {"type": "recommend", "construct": "recommend", "scale": scale_data}
        result: dict[str, Any] = {"type": "rating", "scale": scale_data}
        result["construct"] = self.construct(row, item, kind).value
        result["direction"] = self.direction(row, item)
        if kind == "scale" and row.cells.get("correct") in choices.codes:
            result["correct"] = choices.codes[row.cells["correct"]]
        return result

    def range_item(self, row: _Row, item: dict[str, Any]) -> dict[str, Any]:
        parameters = dict(re.findall(r"(\w+)\s*=\s*(-?\d+(?:\.\d+)?)", row.cells.get("parameters", "")))
        start, end, step = (
            parameters.get("start", "1"),
            parameters.get("end", "10"),
            parameters.get("step", "1"),
        )
        if (
            not (re.fullmatch(r"-?\d+", start) and re.fullmatch(r"-?\d+", end))
            or step not in ("1", "1.0")
            or int(start) >= int(end)
        ):
            self.note(
                row.number,
                f"{row.name!r} is a range with {row.cells.get('parameters', 'no parameters')!r}, not whole "
                f"steps; not carried over.",
            )
            return {}
        result: dict[str, Any] = {"type": "rating", "scale": {"min": int(start), "max": int(end)}}
        result["construct"] = self.construct(row, item, "scale").value
        result["direction"] = self.direction(row, item)
        return result

    def choice_constraint(self, item: dict[str, Any], constraint: str, choices: _Choices) -> bool:
        understood = True
        for clause in _clauses(constraint):
            maximum = re.fullmatch(r"count-selected\(\s*\.\s*\)\s*(<=|<)\s*(\d+)", clause)
            exclusive = re.fullmatch(
                r"not\(\s*selected\(\s*\.\s*,\s*'([^']*)'\s*\)\s*and\s*count-selected\(\s*\.\s*\)\s*>\s*1\s*\)",
                clause,
            )
            if maximum:
                item["max_choices"] = int(maximum.group(2)) - (1 if maximum.group(1) == "<" else 0)
            elif exclusive and exclusive.group(1) in choices.codes:
                code = choices.codes[exclusive.group(1)]
                for option in item["options"]:
                    if option["code"] == code:
                        option["exclusive"] = True
            else:
                understood = False
        return understood

    def number_constraint(self, item: dict[str, Any], constraint: str) -> bool:
        understood = True
        for clause in _clauses(constraint):
            match = re.fullmatch(r"\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)", clause) or re.fullmatch(
                r"(-?\d+(?:\.\d+)?)\s*(<=|>=|<|>)\s*\.", clause
            )
            if match is None:
                understood = False
                continue
            if match.group(1) in (">=", "<=", ">", "<"):
                operator, number = match.group(1), match.group(2)
            else:
                operator, number = (
                    {"<=": ">=", ">=": "<=", "<": ">", ">": "<"}[match.group(2)],
                    match.group(1),
                )
            value = float(number)
            if operator in (">", "<"):
                if not item["integer"]:
                    understood = False
                    continue
                value += 1 if operator == ">" else -1
            key = "min" if operator in (">=", ">") else "max"
            item[key] = int(value) if value.is_integer() else value
        if "min" in item and "max" in item and item["min"] >= item["max"]:
            del item["min"], item["max"]
            return False
        return understood

    def take_unit(self, item: dict[str, Any]) -> None:
        instruction = item.get("instruction")
        if not instruction:
            return
        units: dict[str, str] = {}
        rest: dict[str, str] = {}
        for language, text in instruction.items():
            match = _UNIT.search(text)
            if match:
                units[language] = match.group(1)
                rest[language] = text[: match.start()].strip()
            else:
                rest[language] = text
        if len(units) == len(instruction):
            item["unit"] = units
            if any(rest.values()):
                item["instruction"] = self.filled({k: v for k, v in rest.items() if v}, None)
            else:
                del item["instruction"]

    # --- grids ----------------------------------------------------------------------------------

    def grid_shape(self, group: _Group) -> str | None:
        """ "grid" for a table of select_one rows over one scale, "paired" for importance + satisfaction."""
        if group.row.kind != "begin_group":
            return None
        children = group.children
        if len(children) == 2 and all(
            isinstance(child, _Group) and self.grid_shape(child) == "grid" for child in children
        ):
            prefixes = [self.grid_rows(child)[0] for child in children]  # type: ignore[arg-type]
            if (
                prefixes[0].endswith("_importance")
                and prefixes[1].endswith("_satisfaction")
                and prefixes[0][: -len("_importance")] == prefixes[1][: -len("_satisfaction")]
            ):
                rows = [[code for code, _ in self.grid_rows(child)[1]] for child in children]  # type: ignore[arg-type]
                if rows[0] == rows[1]:
                    return "paired"
            return None
        questions = [child for child in children if isinstance(child, _Row)]
        if len(questions) != len(children) or not questions:
            return None
        if not all(row.kind == "select_one" for row in questions) or len({row.list_name for row in questions}) != 1:
            return None
        if self.choice_scale(self.choices[questions[0].list_name]) is None:
            return None
        if len([row for row in questions if not _is_header(row)]) < 2:
            return None
        prefix, codes = self.grid_rows(group)
        return "grid" if prefix and all(re.fullmatch(CODE_PATTERN, code) for code, _ in codes) else None

    def grid_rows(self, group: _Group) -> tuple[str, list[tuple[str, _Row]]]:
        """The grid's item code (the rows' common name prefix) and each row's code after it."""
        rows = [child for child in group.children if isinstance(child, _Row) and not _is_header(child)]
        names = [row.name for row in rows]
        candidates = [group.row.name, _common_prefix(names)]
        for candidate in candidates:
            prefix = candidate.rstrip("_")
            if prefix and all(name.startswith(prefix + "_") and len(name) > len(prefix) + 1 for name in names):
                return prefix, [(row.name[len(prefix) + 1 :], row) for row in rows]
        return "", []

    def grid_items(self, group: _Group, shape: str, conditions: list[tuple[int, str]]) -> list[dict[str, Any]]:
        row = group.row
        for child in group.children:
            for inner in child.children if isinstance(child, _Group) else [child]:
                if isinstance(inner, _Row) and inner.cells.get("relevant"):
                    self.note(
                        inner.number,
                        f"{inner.name!r}: a grid row's own relevant {inner.cells['relevant']!r} is not "
                        f"carried over (the grid is asked as a whole).",
                    )
        if shape == "grid":
            prefix, rows = self.grid_rows(group)
            header = next((child for child in group.children if isinstance(child, _Row) and _is_header(child)), None)
            first = header or rows[0][1]
            code = self.new_code(prefix, row.number)
            text = row.texts.get("label") or (header.texts.get("label") if header else None) or {"any": prefix}
            item: dict[str, Any] = {
                "code": code,
                "type": "rating_grid",
                "text": self.filled(text, row.number),
            }
            hint = (header.texts.get("hint") if header else None) or row.texts.get("hint")
            if hint:
                item["instruction"] = self.filled(hint, row.number)
            item["required"] = all(self.required(grid_row) for _, grid_row in rows)
            item["rows"] = [
                {
                    "code": row_code,
                    "text": self.filled(grid_row.texts.get("label", {}) or {"any": row_code}, grid_row.number),
                }
                for row_code, grid_row in rows
            ]
            choices = self.choices[first.list_name]
            scale = self.choice_scale(choices)
            if scale is None:  # pragma: no cover - grid_shape checked it
                raise RuntimeError("a grid without a scale")
            scale_item = self.scale_item(row, item, scale, choices, kind="grid")
            item["scale"] = scale_item["scale"]
            item["construct"] = scale_item.get("construct", Construct.ATTRIBUTE_SATISFACTION.value)
            item["direction"] = scale_item.get("direction", Direction.HIGHER_IS_BETTER.value)
            for row_code, grid_row in rows:
                self.variables[grid_row.name] = RelevantVariable(
                    f"{code}_{row_code}", "scale", choices.codes, minimum=scale[0]
                )
                self.codes_taken.add(f"{code}_{row_code}")
            if row.cells.get("source"):
                item["source"] = row.cells["source"]  # a grid's source sits on its group
            self.leftover_columns(row)
            self.show_if(item, row, conditions)
            return [item]
        halves = [child for child in group.children if isinstance(child, _Group)]
        prefix = self.grid_rows(halves[0])[0][: -len("_importance")]
        code = self.new_code(prefix, row.number)
        item = {
            "code": code,
            "type": "importance_satisfaction_grid",
            "text": self.filled(
                row.texts.get("label") or halves[0].row.texts.get("label") or {"any": prefix}, row.number
            ),
        }
        item["construct"] = (
            self.construct(row, item, "scale", quiet=True).value
            if row.cells.get("construct")
            else Construct.ATTRIBUTE_SATISFACTION.value
        )
        rows_of = []
        for half, name in zip(halves, ("importance", "satisfaction"), strict=True):
            _, rows = self.grid_rows(half)
            header = next((child for child in half.children if isinstance(child, _Row) and _is_header(child)), None)
            choices = self.choices[rows[0][1].list_name]
            scale = self.choice_scale(choices)
            if scale is None:  # pragma: no cover - grid_shape checked it
                raise RuntimeError("a grid without a scale")
            item[f"{name}_scale"] = self.scale_item(half.row, item, scale, choices)["scale"]
            heading = half.row.texts.get("label")
            if heading and any(heading.get(language) != _DEFAULT_HEADINGS[name][language] for language in heading):
                item[f"{name}_label"] = self.filled(heading, half.row.number)
            if header and header.texts.get("hint") and "instruction" not in item:
                item["instruction"] = self.filled(header.texts["hint"], header.number)
            for row_code, grid_row in rows:
                self.variables[grid_row.name] = RelevantVariable(
                    f"{code}_{name}_{row_code}", "scale", choices.codes, minimum=scale[0]
                )
                self.codes_taken.add(f"{code}_{name}_{row_code}")
            rows_of = rows
            item["required"] = item.get("required", True) and all(self.required(grid_row) for _, grid_row in rows)
        item["rows"] = [
            {
                "code": row_code,
                "text": self.filled(grid_row.texts.get("label", {}) or {"any": row_code}, grid_row.number),
            }
            for row_code, grid_row in rows_of
        ]
        if row.cells.get("source"):
            item["source"] = row.cells["source"]  # a grid's source sits on its group
        self.leftover_columns(row)
        self.show_if(item, row, conditions)
        return [item]

    def hoist_attributes(self, data: dict[str, Any]) -> None:
        """The rows of the grids become the survey's attribute list (`rows: attributes`): the rows of all
        grids when they share one list, else the list two or more grids share."""
        grids = [
            item
            for section in data["sections"]
            for item in section["items"]
            if item.get("type") in ("rating_grid", "importance_satisfaction_grid")
        ]
        counts: dict[str, int] = {}
        for grid in grids:
            counts[repr(grid["rows"])] = counts.get(repr(grid["rows"]), 0) + 1
        if not counts:
            return
        most_used = max(counts, key=lambda key: counts[key])
        if counts[most_used] < 2 and len(counts) > 1:
            return  # several grids, each with rows of its own: no list is the survey's
        for grid in grids:
            if repr(grid["rows"]) == most_used:
                data.setdefault("attributes", grid["rows"])
                grid["rows"] = "attributes"

    # --- constructs, directions, conditions, codes and texts -------------------------------------

    def construct(self, row: _Row, item: dict[str, Any], kind: str, quiet: bool = False) -> Construct:
        written = row.cells.get("construct", "").strip()
        if written in Construct.__members__.values():
            return Construct(written)
        if written and not quiet:
            self.note(row.number, f"{row.name!r}: construct {written!r} is not one loyalty knows.")
        words = " ".join([row.name.replace("_", " "), *item.get("text", {}).values()]).lower()
        for construct, keywords in _CONSTRUCT_KEYWORDS:
            if any(_has_keyword(words, keyword) for keyword in keywords):
                if construct == Construct.RECOMMEND and kind != "scale":
                    continue
                if not quiet:
                    self.guessed_construct(row, construct)
                return construct
        fallback = {"text": Construct.OPEN_FEEDBACK, "grid": Construct.ATTRIBUTE_SATISFACTION}.get(
            kind, Construct.DEMOGRAPHICS
        )
        if not quiet and kind == "grid":
            self.note(
                row.number,
                f"{row.name!r}: construct set to attribute_satisfaction, as for most grids; check it.",
            )
        elif not quiet:
            self.note(
                row.number,
                f"{row.name!r}: construct not recognisable; set to {fallback.value} (used by no score). Set "
                f"the construct it measures.",
            )
        return fallback

    def guessed_construct(self, row: _Row, construct: Construct) -> None:
        if not row.cells.get("construct"):
            self.note(row.number, f"{row.name!r}: construct {construct.value} guessed from its wording; check it.")

    def direction(self, row: _Row, item: dict[str, Any]) -> str:
        written = row.cells.get("direction", "").strip()
        if written in Direction.__members__.values():
            return written
        self.note(row.number, f"{row.name!r}: direction set to higher_is_better; check it.")
        return Direction.HIGHER_IS_BETTER.value

    def show_if(self, item: dict[str, Any], row: _Row, conditions: list[tuple[int, str]]) -> None:
        relevant = [
            *conditions,
            *([(row.number, row.cells["relevant"])] if row.cells.get("relevant") else []),
        ]
        parts: list[Condition] = []
        for number, expression in relevant:
            try:
                parts.append(relevant_condition(expression, self.variables))
            except UntranslatableRelevant as reason:
                self.note(
                    number,
                    f"relevant {expression!r} (for {row.name!r}) does not fit show-if ({reason}); dropped, "
                    "so the question is asked more widely.",
                )
        if parts:
            item["show_if"] = condition_text(parts[0] if len(parts) == 1 else All(tuple(parts)))

    def leftover_columns(self, row: _Row) -> None:
        for column, text in row.cells.items():
            if column in _HANDLED_COLUMNS or column in _IGNORED_COLUMNS or column.startswith("$"):
                if column == "parameters" and row.kind != "range":
                    self.note(row.number, f"{row.name!r}: parameters {text!r} are not carried over.")
                continue
            self.note(row.number, f"{row.name!r}: column {column} ({text!r}) is not carried over.")

    def new_code(self, name: str, number: int | None, section: bool = False, quiet: bool = False) -> str:
        code = re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not re.match(r"[A-Za-z]", code):
            code = f"q{code}" if code else "q"
        code = code[:64]
        base, counter = code, 1
        taken = self.section_codes if section else self.codes_taken
        while code in taken:
            counter += 1
            code = f"{base[:60]}_{counter}"
        taken.add(code)
        if code != name and not quiet:
            self.note(number, f"name {name!r} becomes code {code!r}.")
        return code

    def filled(self, texts: Texts, number: int | None) -> dict[str, str]:
        """A text in every language of the survey; a missing one is filled from another and noted."""
        available = {language: text for language, text in texts.items() if text.strip()}
        if "any" in available:
            return dict.fromkeys(self.languages, available["any"])
        fallback = next((available[language] for language in self.languages if language in available), None)
        if fallback is None:
            fallback = next(iter(available.values()), "")
        result: dict[str, str] = {}
        for language in self.languages:
            if language in available:
                result[language] = available[language]
            else:
                result[language] = fallback
                if number is not None:
                    self.missing_texts.setdefault(language, []).append(number)
        return result

    # --- the result must validate --------------------------------------------------------------

    def validated(self, data: dict[str, Any]) -> Questionnaire:
        for section in data["sections"]:
            for item in section["items"]:
                item.pop("_row", None)
                item.pop("_specify_of", None)
        self.drop_unaskable(data)
        questionnaire = Questionnaire.model_validate(data)
        for _ in range(len(questionnaire.items()) + 1):
            findings = check_questionnaire(questionnaire)
            show_if = [finding for finding in findings if finding.path[-1:] == ("show_if",)]
            if not show_if:
                break
            for finding in show_if:
                section_index, item_index = finding.path[1], finding.path[3]
                item = data["sections"][section_index]["items"][item_index]
                if "show_if" in item:
                    self.note(None, f"show-if {item['show_if']!r} of {item['code']!r} dropped: {finding.what}")
                    del item["show_if"]
            questionnaire = Questionnaire.model_validate(data)
        findings = check_questionnaire(questionnaire)
        if findings:
            problems = [
                Problem("/".join(str(step) for step in finding.path), finding.what, finding.fix) for finding in findings
            ]
            raise InputError(f"{self.path.name} converts to a questionnaire that does not validate.", problems)
        return questionnaire

    def drop_unaskable(self, data: dict[str, Any]) -> None:
        """Choices with fewer than two options cannot be asked as loyalty items: dropped and listed."""
        for section in data["sections"]:
            kept = []
            for item in section["items"]:
                if item.get("type") in ("single_choice", "multiple_choice", "ranking") and len(item["options"]) < 2:
                    self.note(None, f"{item['code']!r} has fewer than two choices; not carried over.")
                    continue
                kept.append(item)
            section["items"] = kept
        data["sections"] = [section for section in data["sections"] if section["items"]]


def _malformed(summary: str, location: str, what: str, fix: str) -> InputError:
    """The workbook is not an XLSForm loyalty can read: one problem, where it is and how to fix it."""
    return InputError(summary, [Problem(location, what, fix)])


def _row_ranges(numbers: list[int]) -> str:
    """Row numbers as runs: [2, 3, 4, 7] → '2–4, 7'."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def _is_header(row: _Row) -> bool:
    return row.kind == "select_one" and "label" in row.appearance.split() and "list-nolabel" not in row.appearance


def _common_prefix(names: list[str]) -> str:
    if not names:
        return ""
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    cut = prefix.rfind("_")
    return prefix[:cut] if cut > 0 else ""


def _count_rows(group: _Group) -> int:
    return sum(_count_rows(child) + 2 if isinstance(child, _Group) else 1 for child in group.children)


def _clauses(constraint: str) -> Iterator[str]:
    """The top-level `and` parts of a constraint, each without enclosing parentheses."""
    depth, start = 0, 0
    parts: list[str] = []
    for match in re.finditer(r"\(|\)|\band\b", constraint):
        if match.group() == "(":
            depth += 1
        elif match.group() == ")":
            depth -= 1
        elif depth == 0:
            parts.append(constraint[start : match.start()])
            start = match.end()
    parts.append(constraint[start:])
    for part in parts:
        clause = part.strip()
        while clause.startswith("(") and clause.endswith(")") and _balanced(clause[1:-1]):
            clause = clause[1:-1].strip()
        yield clause


def _balanced(text: str) -> bool:
    depth = 0
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def _has_keyword(words: str, keyword: str) -> bool:
    if keyword.isascii():
        return re.search(rf"\b{re.escape(keyword)}", words) is not None
    return keyword in words


def _language_label(language: str) -> str:
    from surveys.questionnaire import LANGUAGE_NAMES

    return f"{LANGUAGE_NAMES[language]} ({language})"
