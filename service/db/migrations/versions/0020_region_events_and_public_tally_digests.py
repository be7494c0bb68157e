"""region events (no town) and the digests of each scope's public tallies

`events.town_id` may be empty: an event about the whole region (`tallies.recomputed` of the region roll-up).
`tally_runs.public_digests` keeps, per scope (a town's id, or `region`), the digest of the figures open data
publishes, so the next run writes `tallies.recomputed` exactly for the scopes whose public figures changed.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("events", "town_id", existing_type=sa.Uuid(), nullable=True)
    op.add_column(
        "tally_runs",
        sa.Column("public_digests", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("tally_runs", "public_digests")
    op.execute("DELETE FROM events WHERE town_id IS NULL")
    op.alter_column("events", "town_id", existing_type=sa.Uuid(), nullable=False)
