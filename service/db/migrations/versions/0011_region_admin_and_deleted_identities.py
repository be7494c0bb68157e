"""region admin as a role of its own; digests of deleted identities

Revision ID: 0011
Revises: 0010

A region admin was stored as `admin` without a town; it becomes `region_admin`, and `admin` always names a town.
`deleted_identities` and `erased_identity_holds` keep "one per person" across an account's deletion.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_BEFORE = "'moderator', 'staff', 'admin', 'organisation_manager', 'region_staff'"
ROLES_AFTER = f"{ROLES_BEFORE}, 'region_admin'"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_role_grants_known_role"), "role_grants", type_="check")
    op.create_check_constraint(op.f("ck_role_grants_known_role"), "role_grants", f"role IN ({ROLES_AFTER})")
    op.execute("UPDATE role_grants SET role = 'region_admin' WHERE role = 'admin' AND town_id IS NULL")
    op.create_check_constraint(
        op.f("ck_role_grants_region_admin_is_region_wide"), "role_grants", "role <> 'region_admin' OR town_id IS NULL"
    )
    op.create_check_constraint(
        op.f("ck_role_grants_admin_has_a_town"), "role_grants", "role <> 'admin' OR town_id IS NOT NULL"
    )

    op.create_table(
        "deleted_identities",
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_deleted_identities")),
    )
    op.create_table(
        "erased_identity_holds",
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=True),
        sa.Column("idea_id", sa.Uuid(), nullable=True),
        sa.Column("comment_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(survey_id IS NOT NULL)::int + (idea_id IS NOT NULL)::int + (comment_id IS NOT NULL)::int = 1",
            name=op.f("ck_erased_identity_holds_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_erased_identity_holds_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_erased_identity_holds_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_erased_identity_holds_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_identity_holds")),
        sa.UniqueConstraint(
            "digest",
            "survey_id",
            "idea_id",
            "comment_id",
            name=op.f("uq_erased_identity_holds_digest_survey_id_idea_id_comment_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    for column in ("survey_id", "idea_id", "comment_id"):
        op.create_index(op.f(f"ix_erased_identity_holds_{column}"), "erased_identity_holds", [column], unique=False)


def downgrade() -> None:
    op.drop_table("erased_identity_holds")
    op.drop_table("deleted_identities")
    op.drop_constraint(op.f("ck_role_grants_admin_has_a_town"), "role_grants", type_="check")
    op.drop_constraint(op.f("ck_role_grants_region_admin_is_region_wide"), "role_grants", type_="check")
    op.execute("UPDATE role_grants SET role = 'admin' WHERE role = 'region_admin'")
    op.drop_constraint(op.f("ck_role_grants_known_role"), "role_grants", type_="check")
    op.create_check_constraint(op.f("ck_role_grants_known_role"), "role_grants", f"role IN ({ROLES_BEFORE})")
