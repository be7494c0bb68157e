"""region admin as a role of its own

Revision ID: 0011
Revises: 0010

A region admin was stored as `admin` without a town; it becomes `region_admin`, and `admin` always names a town.
"""

from collections.abc import Sequence

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


def downgrade() -> None:
    op.drop_constraint(op.f("ck_role_grants_admin_has_a_town"), "role_grants", type_="check")
    op.drop_constraint(op.f("ck_role_grants_region_admin_is_region_wide"), "role_grants", type_="check")
    op.execute("UPDATE role_grants SET role = 'admin' WHERE role = 'region_admin'")
    op.drop_constraint(op.f("ck_role_grants_known_role"), "role_grants", type_="check")
    op.create_check_constraint(op.f("ck_role_grants_known_role"), "role_grants", f"role IN ({ROLES_BEFORE})")
