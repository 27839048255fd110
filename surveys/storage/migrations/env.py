"""alembic environment: always run from `surveys.storage.schema.migrate` with a live connection."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from surveys.storage import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for us
)
with context.begin_transaction():
    context.run_migrations()
