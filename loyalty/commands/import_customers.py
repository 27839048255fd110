"""`loyalty import-customers`: CRM records (purchases, revenue, churn per customer and period)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loyalty.workspace import WorkspaceOptions, workspace_session


def import_customers(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV or Excel: customer key, period, purchases, revenue, dates, churned.")
    ],
    mapping: Annotated[
        Path | None, typer.Option(help="YAML: header → field (customer_key, period, purchases, revenue, …).")
    ] = None,
    keep_identifiers: Annotated[bool, typer.Option(help="Store customer keys as given, not pseudonymised.")] = False,
) -> None:
    """Import CRM records, linked to respondents by customer key, for the behavioural loyalty indicators.

    Columns are recognised by name in English or Chinese (customer_id / 客户编号, period / 季度, purchases /
    购买次数, revenue / 消费金额, first_purchase, last_purchase, churned / 是否流失). Importing a period
    again replaces that period's record of each customer.

    Example: loyalty import-customers crm-2026Q3.csv
    """
    from loyalty.commands.import_responses import read_mapping
    from surveys.importers.customer_records import import_customer_records
    from surveys.importers.import_responses import file_digest
    from surveys.importers.read_export import read_export

    options: WorkspaceOptions = ctx.obj
    table = read_export([file], "auto")
    with workspace_session(options) as session:
        summary = import_customer_records(
            session, table, file_digest([file]), read_mapping(mapping) if mapping else None, keep_identifiers
        )
    typer.echo(
        f"Read {summary.read} customer records: {summary.stored} stored ({summary.replaced} replacing earlier ones)."
    )
