"""Writes kobo_example.xlsx: an XLSForm as KoboToolbox exports one, for the XLSForm import tests.

Run `python tests/surveys/data/make_kobo_example.py` after changing it; the .xlsx is committed beside it.
It has what Kobo forms have: metadata rows, `true`/`false` in required, choice names that are words,
an "other" choice with its text question, a table-list grid (as Kobo's matrix question writes it), a
repeat, a calculation, a GPS point, a choice filter, a French label column next to English and 中文
ones, a relevant that uses a function show-if cannot express, and a `$kuid` column.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

EN, ZH, FR = "label::English (en)", "label::中文 (zh)", "label::Français (fr)"
SURVEY_COLUMNS = [
    "type",
    "name",
    EN,
    ZH,
    FR,
    "hint::English (en)",
    "hint::中文 (zh)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "appearance",
    "choice_filter",
    "calculation",
    "$kuid",
]
SURVEY: list[dict[str, str]] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "note", "name": "welcome", EN: "Thank you for shopping with us.", ZH: "感谢您在本店购物。"},
    {
        "type": "select_one yes_no",
        "name": "consent",
        EN: "Do you agree to take part?",
        ZH: "您同意参加本次调查吗？",
        FR: "Acceptez-vous de participer ?",
        "required": "true",
    },
    {
        "type": "begin_group",
        "name": "experience",
        EN: "Your visit",
        ZH: "您的到店体验",
        "relevant": "${consent} = 'yes'",
    },
    {
        "type": "select_one store",
        "name": "store",
        EN: "Which store did you visit?",
        ZH: "您去了哪家门店？",
        "required": "true",
        "appearance": "minimal",
    },
    {
        "type": "select_one satisfaction5",
        "name": "overall_satisfaction",
        EN: "Overall, how satisfied are you with our store?",
        ZH: "总体而言，您对本店满意吗？",
        "required": "true",
        "appearance": "likert",
    },
    {
        "type": "begin_group",
        "name": "quality",
        EN: "How do you rate…",
        ZH: "请评价以下方面",
        "appearance": "table-list",
    },
    {"type": "select_one agree5", "name": "quality_taste", EN: "Taste", ZH: "口味", "required": "true"},
    {"type": "select_one agree5", "name": "quality_price", EN: "Price", ZH: "价格", "required": "true"},
    {"type": "select_one agree5", "name": "quality_service", EN: "Service", ZH: "服务", "required": "true"},
    {"type": "end_group"},
    {
        "type": "select_one nps",
        "name": "nps",
        EN: "How likely are you to recommend us to a friend?",
        ZH: "您有多大可能向朋友推荐本店？",
        "required": "true",
        "appearance": "horizontal-compact",
    },
    {
        "type": "select_multiple reasons",
        "name": "reasons",
        EN: "Why did you choose us?",
        ZH: "您为什么选择本店？",
        "hint::English (en)": "Choose all that apply",
        "hint::中文 (zh)": "可多选",
        "constraint": "not(selected(., 'none') and count-selected(.) > 1)",
        "constraint_message::English (en)": "'None' cannot be combined",
        "relevant": "${nps} >= 7",
    },
    {
        "type": "text",
        "name": "reasons_other",
        EN: "Other reason",
        ZH: "其他原因",
        "relevant": "selected(${reasons}, 'other')",
    },
    {
        "type": "integer",
        "name": "visits",
        EN: "How many times have you visited in the last month?",
        ZH: "过去一个月您来过几次？",
        "constraint": ". >= 0 and . <= 31",
        "required": "false",
    },
    {
        "type": "text",
        "name": "improve",
        EN: "What should we improve?",
        ZH: "我们应该改进什么？",
        "relevant": "${nps} <= 6 and string-length(${store}) > 0",
        "appearance": "multiline",
    },
    {"type": "calculate", "name": "promoter", "calculation": "if(${nps} >= 9, 1, 0)"},
    {"type": "end_group"},
    {"type": "begin_group", "name": "about_you", EN: "About you", ZH: "关于您"},
    {"type": "select_one gender", "name": "gender", EN: "Gender", ZH: "性别"},
    {
        "type": "integer",
        "name": "age",
        EN: "Age",
        ZH: "年龄",
        "constraint": ". > 17 and . < 100",
        "constraint_message::English (en)": "18 to 99",
    },
    {
        "type": "select_one district",
        "name": "district",
        EN: "District",
        ZH: "区",
        "choice_filter": "city = 'sh'",
    },
    {"type": "geopoint", "name": "location", EN: "Where are you now?", ZH: "您现在在哪里？"},
    {"type": "begin_repeat", "name": "household", EN: "Household members", ZH: "家庭成员"},
    {"type": "text", "name": "member_name", EN: "Name", ZH: "姓名"},
    {"type": "end_repeat"},
    {"type": "end_group"},
    {"type": "note", "name": "goodbye", EN: "Thank you!", ZH: "谢谢！"},
]
CHOICES: list[tuple[str, str, str, str]] = [
    ("yes_no", "yes", "Yes", "是"),
    ("yes_no", "no", "No", "否"),
    ("store", "1", "Nanjing Road", "南京路店"),
    ("store", "2", "Xujiahui", "徐家汇店"),
    ("store", "3", "Pudong", "浦东店"),
    *[
        ("satisfaction5", str(point), en, zh)
        for point, en, zh in [
            (1, "Very dissatisfied", "非常不满意"),
            (2, "Dissatisfied", "不满意"),
            (3, "Neutral", "一般"),
            (4, "Satisfied", "满意"),
            (5, "Very satisfied", "非常满意"),
        ]
    ],
    *[
        ("agree5", str(point), en, zh)
        for point, en, zh in [
            (1, "Very poor", "很差"),
            (2, "Poor", "差"),
            (3, "Fair", "一般"),
            (4, "Good", "好"),
            (5, "Excellent", "很好"),
        ]
    ],
    *[("nps", str(point), str(point), str(point)) for point in range(11)],
    ("reasons", "price", "Low prices", "价格实惠"),
    ("reasons", "location", "Close to me", "离我近"),
    ("reasons", "other", "Other", "其他"),
    ("reasons", "none", "No particular reason", "没有特别原因"),
    ("gender", "female", "Female", "女"),
    ("gender", "male", "Male", "男"),
    ("gender", "no_answer", "Prefer not to say", "不愿透露"),
    ("district", "huangpu", "Huangpu", "黄浦区"),
    ("district", "pudong", "Pudong", "浦东新区"),
]


def write_kobo_example(path: Path) -> None:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for number, row in enumerate(SURVEY):
        survey.append(
            [row.get(column) or (f"k{number:03d}" if column == "$kuid" else None) for column in SURVEY_COLUMNS]
        )
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", EN, ZH, "city"])
    for list_name, name, english, chinese in CHOICES:
        choices.append([list_name, name, english, chinese, "sh" if list_name == "district" else None])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(["Store visit survey 门店调查", "store_visit_2024", "vQx7pLk2", "English (en)"])
    workbook.save(path)


if __name__ == "__main__":
    write_kobo_example(Path(__file__).with_name("kobo_example.xlsx"))
