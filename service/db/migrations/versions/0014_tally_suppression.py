"""participation tallies remember which figures open data leaves out

Revision ID: 0014
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "participation_tallies", sa.Column("suppressed", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    # Until the next recompute: the small cells at least.
    op.execute("UPDATE participation_tallies SET suppressed = people < 5")


def downgrade() -> None:
    op.drop_column("participation_tallies", "suppressed")
