"""Reading the stored CRM records (`loyalty import-customers`) of the customers a wave's respondents are.

A record is one customer in one period: purchases, revenue, first and last purchase date, churned. Customer
keys are pseudonymised exactly as respondent keys are, so a wave's respondents' stored keys select their
records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from surveys.storage.tables import CustomerRecord, ImportBatchRecord, RespondentRecord, ResponseRecord
from surveys.storage.waves import find_wave

if TYPE_CHECKING:
    import pandas as pd

CUSTOMER_COLUMNS = ("customer_key", "period", "purchases", "revenue", "first_purchase", "last_purchase", "churned")


def load_customer_records(session: Session, survey: str, wave: str) -> pd.DataFrame:
    """The stored records of the customers who answered `wave` of `survey` (linked by respondent key), one
    row per customer and period, sorted by customer and period; CUSTOMER_COLUMNS plus `batch_id`. One query,
    whatever the number of respondents; no rows for a wave whose responses carry no respondent keys."""
    import pandas as pd

    record = find_wave(session, survey, wave)
    rows: list[tuple[object, ...]] = []
    if record is not None:
        keys = (
            select(col(RespondentRecord.key))
            .join(ResponseRecord, col(ResponseRecord.respondent_id) == col(RespondentRecord.id))
            .where(col(ResponseRecord.wave_id) == record.id)
        )
        query = select(CustomerRecord).where(col(CustomerRecord.customer_key).in_(keys))
        rows = [
            (r.customer_key, r.period, r.purchases, r.revenue, r.first_purchase, r.last_purchase, r.churned, r.batch_id)
            for r in session.exec(query)
        ]
    frame = pd.DataFrame(rows, columns=[*CUSTOMER_COLUMNS, "batch_id"])
    return frame.sort_values(["customer_key", "period"], kind="stable").reset_index(drop=True)


def customer_batches(session: Session, batch_ids: Iterable[int]) -> list[ImportBatchRecord]:
    """The import batches (files, SHA-256) the given customer records came from, oldest first."""
    ids = sorted({int(batch) for batch in batch_ids})
    if not ids:
        return []
    query = select(ImportBatchRecord).where(col(ImportBatchRecord.id).in_(ids)).order_by(col(ImportBatchRecord.id))
    return list(session.exec(query).all())
