"""participation tallies remember which figures open data leaves out; a trigram index for compound-word search

Revision ID: 0014
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The folded text the feed's compound-word search matches (`service/ideas/feed.py`, `_COMPOUND_PARTS`).
FOLDED = "replace(translate(lower(title || ' ' || body), 'äöü', 'aou'), 'ß', 'ss')"

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "participation_tallies", sa.Column("suppressed", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    # Until the next recompute: the small cells at least.
    op.execute("UPDATE participation_tallies SET suppressed = people < 5")
    op.execute(f"CREATE INDEX ix_ideas_folded_text_trgm ON ideas USING gin (({FOLDED}) gin_trgm_ops)")


def downgrade() -> None:
    op.drop_index("ix_ideas_folded_text_trgm", table_name="ideas")
    op.drop_column("participation_tallies", "suppressed")
