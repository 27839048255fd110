"""Importing CRM records (purchases, revenue, churn per customer and period), linked to respondents by key.

The behavioural loyalty indicators — repeat purchases and churn — come from here when the survey does not
ask them. Customer keys are pseudonymised exactly as respondent keys are, so a CRM record and a response
of the same customer meet. Importing a period again replaces that period's record of each customer.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, select

from surveys.importers.column_matching import normalised
from surveys.importers.export_table import Cell, ExportTable, cell_text
from surveys.importers.pseudonyms import Pseudonymiser
from surveys.problems import InputError, Problem
from surveys.storage.tables import CustomerRecord, ImportBatchRecord

FIELDS: dict[str, tuple[str, ...]] = {
    # field → the headers it is recognised by (compared without spacing, punctuation or case)
    "customer_key": (
        "customer_key",
        "customer_id",
        "customer",
        "member_id",
        "客户编号",
        "客户id",
        "会员号",
        "会员编号",
        "客戶編號",
        "會員編號",
    ),
    "period": ("period", "quarter", "month", "期间", "季度", "月份", "期間"),
    "purchases": ("purchases", "purchase_count", "orders", "购买次数", "订单数", "購買次數", "訂單數"),
    "revenue": ("revenue", "spend", "amount", "sales", "消费金额", "金额", "销售额", "消費金額", "金額"),
    "first_purchase": ("first_purchase", "first_purchase_date", "首次购买", "首次购买日期", "首次購買日期"),
    "last_purchase": ("last_purchase", "last_purchase_date", "最近购买", "最近购买日期", "最近購買日期"),
    "churned": ("churned", "churn", "lost", "是否流失", "流失"),
}
REQUIRED = ("customer_key", "period")
_YES = {"1", "true", "yes", "y", "是", "已流失", "流失"}
_NO = {"0", "false", "no", "n", "否", "未流失", ""}


@dataclass
class CustomerImportSummary:
    source: str
    read: int = 0
    stored: int = 0
    replaced: int = 0
    rejected: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field → header

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def import_customer_records(
    session: Session,
    table: ExportTable,
    digest: str,
    mapping: dict[str, str] | None = None,
    keep_identifiers: bool = False,
) -> CustomerImportSummary:
    """Store the CRM records of `table`; InputError listing every bad row stores nothing."""
    positions = _columns(table, mapping or {})
    summary = CustomerImportSummary(
        table.source, columns={name: table.columns[i].header for name, i in positions.items()}
    )
    pseudonyms = Pseudonymiser.for_workspace(session)
    problems: list[Problem] = []
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for row in table.rows:
        summary.read += 1
        values = {name: row.cells[index] for name, index in positions.items()}
        try:
            record = _record(values)
        except ValueError as error:
            problems.append(Problem(f"row {row.row_number}", str(error)))
            continue
        key = (record["customer_key"], record["period"])
        if key in records:
            problems.append(
                Problem(f"row {row.row_number}", f"customer {key[0]!r} appears twice for period {key[1]!r}.")
            )
            continue
        records[key] = record
    if problems:
        raise InputError(f"{table.source}: {len(problems)} problems; nothing was imported.", problems)

    batch = ImportBatchRecord(
        kind="customers", file_names=table.source, sha256=digest, format=table.format, read=summary.read,
        stored=len(records), rejected=0, duplicates=0, imported_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(batch)
    session.flush()
    for (customer, period), record in records.items():
        stored_key = customer if keep_identifiers else pseudonyms.pseudonym(customer)
        existing = session.exec(
            select(CustomerRecord).where(CustomerRecord.customer_key == stored_key, CustomerRecord.period == period)
        ).first()
        stored: dict[str, Any] = {**record, "customer_key": stored_key, "batch_id": batch.id}
        if existing is not None:
            for name, value in stored.items():
                setattr(existing, name, value)
            summary.replaced += 1
        else:
            session.add(CustomerRecord(**stored))
        summary.stored += 1
    session.flush()
    return summary


def _columns(table: ExportTable, mapping: dict[str, str]) -> dict[str, int]:
    headers = {normalised(column.header): index for index, column in enumerate(table.columns)}
    positions: dict[str, int] = {}
    for header, target in mapping.items():
        index = next((i for i, column in enumerate(table.columns) if column.header == header), None)
        if index is not None and target in FIELDS:
            positions[target] = index
    for name, names in FIELDS.items():
        if name in positions:
            continue
        for candidate in names:
            if normalised(candidate) in headers:
                positions[name] = headers[normalised(candidate)]
                break
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        available = [column.header for column in table.columns]
        problems = []
        for name in missing:
            nearest = difflib.get_close_matches(name, available, n=1)
            hint = (
                f'Did you mean "{nearest[0]}"? Map it: --mapping with `{nearest[0]}: {name}`.'
                if nearest
                else (f"Name a column {name} or map one to it with --mapping.")
            )
            problems.append(Problem(table.source, f"has no {name} column.", hint))
        raise InputError(f"{table.source} is not a customer file.", problems)
    return positions


def _record(values: dict[str, Cell]) -> dict[str, Any]:
    customer = cell_text(values["customer_key"])
    period = cell_text(values["period"])
    if not customer:
        raise ValueError("customer_key is empty.")
    if not period:
        raise ValueError("period is empty.")
    return {
        "customer_key": customer,
        "period": period,
        "purchases": _count(values.get("purchases"), "purchases"),
        "revenue": _amount(values.get("revenue")),
        "first_purchase": _date(values.get("first_purchase"), "first_purchase"),
        "last_purchase": _date(values.get("last_purchase"), "last_purchase"),
        "churned": _yes_no(values.get("churned")),
    }


def _count(cell: Cell, name: str) -> int | None:
    text = cell_text(cell)
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a number.") from None
    if value < 0 or not value.is_integer():
        raise ValueError(f"{name} {text!r} is not a whole number of at least 0.")
    return int(value)


def _amount(cell: Cell) -> float | None:
    text = cell_text(cell).replace(",", "").lstrip("¥￥$")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"revenue {cell_text(cell)!r} is not an amount.") from None


def _date(cell: Cell, name: str) -> date | None:
    text = cell_text(cell)
    if not text:
        return None
    for layout in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(f"{name} {text!r} is not a date; write it as 2026-07-01.")


def _yes_no(cell: Cell) -> bool | None:
    if cell is None:
        return None
    text = cell_text(cell).casefold()
    if text in _YES:
        return True
    if text in _NO:
        return None if text == "" else False
    raise ValueError(f"churned {cell_text(cell)!r} is neither yes nor no; write 1/0, yes/no or 是/否.")
