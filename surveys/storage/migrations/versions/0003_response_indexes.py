"""response: drop the two indexes that no query reads (survey version, import batch)

No query looks responses up by survey version or import batch, and neither is ever deleted; each index
was updated with every stored response, a share of a million-row import's time in SQLite. The wave index
stays (loading a wave reads its responses in id order through it, without a sort), and so does the
respondent index (a respondent's responses, the wave's check that a respondent answers once).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 22:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_DROPPED = {"ix_response_survey_version_id": "survey_version_id", "ix_response_batch_id": "batch_id"}


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        for name in _DROPPED:
            batch_op.drop_index(name)


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        for name, column in _DROPPED.items():
            batch_op.create_index(name, [column], unique=False)
