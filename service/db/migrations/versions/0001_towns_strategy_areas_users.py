"""towns, strategy areas, users

Revision ID: 0001
Revises:
Create Date: 2026-11-21 22:12:05.381830
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "towns",
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("is_pioneer", sa.Boolean(), nullable=False),
        sa.Column("min_latitude", sa.Double(), nullable=False),
        sa.Column("max_latitude", sa.Double(), nullable=False),
        sa.Column("min_longitude", sa.Double(), nullable=False),
        sa.Column("max_longitude", sa.Double(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "min_latitude < max_latitude AND min_longitude < max_longitude",
            name=op.f("ck_towns_bounding_box"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_towns")),
        sa.UniqueConstraint("slug", name=op.f("uq_towns_slug")),
    )
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_name", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("jobs_pending", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("worker_name", name=op.f("pk_worker_heartbeats")),
    )
    op.create_table(
        "strategy_areas",
        sa.Column("town_id", sa.Uuid(), nullable=True),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_strategy_areas_town_id_towns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_areas")),
        sa.UniqueConstraint(
            "town_id", "slug", name=op.f("uq_strategy_areas_town_id_slug"), postgresql_nulls_not_distinct=True
        ),
    )
    op.create_index(op.f("ix_strategy_areas_town_id"), "strategy_areas", ["town_id"], unique=False)
    op.create_table(
        "users",
        sa.Column("issuer", sa.String(length=500), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("home_town_id", sa.Uuid(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["home_town_id"], ["towns.id"], name=op.f("fk_users_home_town_id_towns"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_users_issuer_subject")),
    )
    op.create_index(op.f("ix_users_home_town_id"), "users", ["home_town_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_users_home_town_id"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_strategy_areas_town_id"), table_name="strategy_areas")
    op.drop_table("strategy_areas")
    op.drop_table("worker_heartbeats")
    op.drop_table("towns")
