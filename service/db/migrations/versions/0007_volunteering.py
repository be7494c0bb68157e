"""organisations, volunteer offers, shifts and sign-ups; organisation managers' grants point at organisations

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=140), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("registered_by_id", sa.Uuid(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("char_length(description) <= 5000", name=op.f("ck_organisations_description_length")),
        sa.CheckConstraint("char_length(name) BETWEEN 3 AND 140", name=op.f("ck_organisations_name_length")),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["users.id"],
            name=op.f("fk_organisations_registered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_organisations_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"], ["users.id"], name=op.f("fk_organisations_verified_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_index(
        op.f("ix_organisations_town_id_verified_at"), "organisations", ["town_id", "verified_at"], unique=False
    )
    op.create_table(
        "volunteer_offers",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("strategy_area_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=140), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("skills", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("accessibility_notes", sa.Text(), nullable=False),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("confirmation_hours", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('german', coalesce(title, '')), 'A') || "
                "setweight(to_tsvector('german', coalesce(description, '')), 'B')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'published', 'closed')", name=op.f("ck_volunteer_offers_known_status")),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)", name=op.f("ck_volunteer_offers_whole_geo_point")
        ),
        sa.CheckConstraint("char_length(description) <= 5000", name=op.f("ck_volunteer_offers_description_length")),
        sa.CheckConstraint("char_length(title) BETWEEN 5 AND 140", name=op.f("ck_volunteer_offers_title_length")),
        sa.CheckConstraint(
            "confirmation_hours BETWEEN 1 AND 168", name=op.f("ck_volunteer_offers_confirmation_hours_range")
        ),
        sa.CheckConstraint(
            "minimum_age IS NULL OR minimum_age BETWEEN 0 AND 99", name=op.f("ck_volunteer_offers_minimum_age_range")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_volunteer_offers_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["strategy_area_id"],
            ["strategy_areas.id"],
            name=op.f("fk_volunteer_offers_strategy_area_id_strategy_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_volunteer_offers_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_offers")),
    )
    op.create_index(op.f("ix_volunteer_offers_organisation_id"), "volunteer_offers", ["organisation_id"], unique=False)
    op.create_index(
        op.f("ix_volunteer_offers_search_vector"),
        "volunteer_offers",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_volunteer_offers_skills"), "volunteer_offers", ["skills"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        op.f("ix_volunteer_offers_status_published_at"), "volunteer_offers", ["status", "published_at"], unique=False
    )
    op.create_index(
        op.f("ix_volunteer_offers_town_id_status_published_at"),
        "volunteer_offers",
        ["town_id", "status", "published_at"],
        unique=False,
    )
    op.create_table(
        "volunteer_shifts",
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("places_taken", sa.Integer(), nullable=False),
        sa.Column("last_position", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("capacity BETWEEN 1 AND 10000", name=op.f("ck_volunteer_shifts_capacity_range")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_volunteer_shifts_ends_after_start")),
        sa.CheckConstraint("places_taken BETWEEN 0 AND capacity", name=op.f("ck_volunteer_shifts_not_overbooked")),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["volunteer_offers.id"],
            name=op.f("fk_volunteer_shifts_offer_id_volunteer_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_volunteer_shifts_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_shifts")),
    )
    op.create_index(
        op.f("ix_volunteer_shifts_offer_id_starts_at"), "volunteer_shifts", ["offer_id", "starts_at"], unique=False
    )
    op.create_index(op.f("ix_volunteer_shifts_starts_at"), "volunteer_shifts", ["starts_at"], unique=False)
    op.create_index(
        op.f("ix_volunteer_shifts_town_id_starts_at"), "volunteer_shifts", ["town_id", "starts_at"], unique=False
    )
    op.create_table(
        "volunteer_sign_ups",
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attended_minutes", sa.Integer(), nullable=True),
        sa.Column("attendance_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attendance_confirmed_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status <> 'offered' OR offer_expires_at IS NOT NULL", name=op.f("ck_volunteer_sign_ups_offer_has_deadline")
        ),
        sa.CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'offered', 'cancelled', 'expired', 'attended', 'absent')",
            name=op.f("ck_volunteer_sign_ups_known_status"),
        ),
        sa.CheckConstraint(
            "attended_minutes IS NULL OR attended_minutes BETWEEN 0 AND 1440",
            name=op.f("ck_volunteer_sign_ups_minutes_range"),
        ),
        sa.ForeignKeyConstraint(
            ["attendance_confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_sign_ups_attendance_confirmed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["volunteer_shifts.id"],
            name=op.f("fk_volunteer_sign_ups_shift_id_volunteer_shifts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_volunteer_sign_ups_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteer_sign_ups_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_sign_ups")),
    )
    op.create_index(
        "ix_volunteer_sign_ups_offered",
        "volunteer_sign_ups",
        ["offer_expires_at"],
        unique=False,
        postgresql_where="status = 'offered'",
    )
    op.create_index(
        op.f("ix_volunteer_sign_ups_shift_id_status_position"),
        "volunteer_sign_ups",
        ["shift_id", "status", "position"],
        unique=False,
    )
    op.create_index(
        op.f("ix_volunteer_sign_ups_town_id_created_at"), "volunteer_sign_ups", ["town_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_volunteer_sign_ups_user_id_status"), "volunteer_sign_ups", ["user_id", "status"], unique=False
    )
    op.create_index(
        "uq_volunteer_sign_ups_active",
        "volunteer_sign_ups",
        ["shift_id", "user_id"],
        unique=True,
        postgresql_where="status IN ('confirmed', 'waitlisted', 'offered', 'attended')",
    )

    op.create_foreign_key(
        op.f("fk_role_grants_organisation_id_organisations"),
        "role_grants",
        "organisations",
        ["organisation_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index(op.f("ix_role_grants_organisation_id"), "role_grants", ["organisation_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_role_grants_organisation_id"), table_name="role_grants")
    op.drop_constraint(op.f("fk_role_grants_organisation_id_organisations"), "role_grants", type_="foreignkey")
    op.execute("DELETE FROM role_grants WHERE organisation_id IS NOT NULL")
    op.drop_index(
        "uq_volunteer_sign_ups_active",
        table_name="volunteer_sign_ups",
        postgresql_where="status IN ('confirmed', 'waitlisted', 'offered', 'attended')",
    )
    op.drop_index(op.f("ix_volunteer_sign_ups_user_id_status"), table_name="volunteer_sign_ups")
    op.drop_index(op.f("ix_volunteer_sign_ups_town_id_created_at"), table_name="volunteer_sign_ups")
    op.drop_index(op.f("ix_volunteer_sign_ups_shift_id_status_position"), table_name="volunteer_sign_ups")
    op.drop_index(
        "ix_volunteer_sign_ups_offered", table_name="volunteer_sign_ups", postgresql_where="status = 'offered'"
    )
    op.drop_table("volunteer_sign_ups")
    op.drop_index(op.f("ix_volunteer_shifts_town_id_starts_at"), table_name="volunteer_shifts")
    op.drop_index(op.f("ix_volunteer_shifts_starts_at"), table_name="volunteer_shifts")
    op.drop_index(op.f("ix_volunteer_shifts_offer_id_starts_at"), table_name="volunteer_shifts")
    op.drop_table("volunteer_shifts")
    op.drop_index(op.f("ix_volunteer_offers_town_id_status_published_at"), table_name="volunteer_offers")
    op.drop_index(op.f("ix_volunteer_offers_status_published_at"), table_name="volunteer_offers")
    op.drop_index(op.f("ix_volunteer_offers_skills"), table_name="volunteer_offers", postgresql_using="gin")
    op.drop_index(op.f("ix_volunteer_offers_search_vector"), table_name="volunteer_offers", postgresql_using="gin")
    op.drop_index(op.f("ix_volunteer_offers_organisation_id"), table_name="volunteer_offers")
    op.drop_table("volunteer_offers")
    op.drop_index(op.f("ix_organisations_town_id_verified_at"), table_name="organisations")
    op.drop_table("organisations")
