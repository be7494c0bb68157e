"""notifications that cannot be delivered: when delivery was given up, and why

Revision ID: 0012
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("notifications", sa.Column("failure", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("notifications", "failure")
    op.drop_column("notifications", "failed_at")
