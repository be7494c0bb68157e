"""participation tallies and their runs

Revision ID: 0009
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIODS = "period IN ('week', 'month', 'quarter', 'year')"
METRICS = (
    "metric IN ('ideas_submitted', 'ideas_published', 'ideas_accepted', 'ideas_implemented', 'supports', "
    "'comments', 'survey_responses', 'volunteer_sign_ups', 'volunteer_hours', 'participants')"
)


def upgrade() -> None:
    op.create_table(
        "participation_tallies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=True),
        sa.Column("strategy_area_id", sa.Uuid(), nullable=True),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.CheckConstraint(PERIODS, name=op.f("ck_participation_tallies_known_period")),
        sa.CheckConstraint(METRICS, name=op.f("ck_participation_tallies_known_metric")),
        sa.CheckConstraint(
            "strategy_area_id IS NULL OR town_id IS NOT NULL", name=op.f("ck_participation_tallies_area_within_town")
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_participation_tallies_town_id_towns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["strategy_area_id"],
            ["strategy_areas.id"],
            name=op.f("fk_participation_tallies_strategy_area_id_strategy_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation_tallies")),
        sa.UniqueConstraint(
            "town_id",
            "strategy_area_id",
            "period",
            "period_start",
            "metric",
            name=op.f("uq_participation_tallies_cell"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        op.f("ix_participation_tallies_period_period_start"),
        "participation_tallies",
        ["period", "period_start"],
        unique=False,
    )
    op.create_table(
        "tally_runs",
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("changed_rows", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_tally_runs_requested_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tally_runs")),
    )
    op.create_index(op.f("ix_tally_runs_finished_at"), "tally_runs", ["finished_at"], unique=False)


def downgrade() -> None:
    op.drop_table("tally_runs")
    op.drop_table("participation_tallies")
