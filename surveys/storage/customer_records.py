"""Reading the stored CRM records (`loyalty import-customers`) of the customers a wave's respondents are.

A record is one customer in one period: purchases, revenue, first and last purchase date, churned. Customer
keys are pseudonymised exactly as respondent keys are, so the respondents' stored keys select their records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from surveys.storage.tables import CustomerRecord, ImportBatchRecord

if TYPE_CHECKING:
    import pandas as pd

CUSTOMER_COLUMNS = ("customer_key", "period", "purchases", "revenue", "first_purchase", "last_purchase", "churned")
_CHUNK = 900  # keys per IN (…) query: below SQLite's default limit of 999 bound parameters


def load_customer_records(session: Session, keys: Iterable[str | None]) -> pd.DataFrame:
    """The stored records of the customers `keys` (respondent keys as stored; None and repeats ignored), one
    row per customer and period, sorted by customer and period; CUSTOMER_COLUMNS plus `batch_id`."""
    import pandas as pd

    wanted = sorted({key for key in keys if key})
    rows: list[tuple[object, ...]] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(CustomerRecord).where(col(CustomerRecord.customer_key).in_(chunk))
        rows += [
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
