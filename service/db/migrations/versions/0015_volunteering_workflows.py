"""volunteering workflows: waitlists end as not needed, contact sharing, managers always of an organisation

Revision ID: 0015
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "'confirmed', 'waitlisted', 'offered', 'cancelled', 'expired', 'attended', 'absent'"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_volunteer_sign_ups_known_status"), "volunteer_sign_ups", type_="check")
    op.create_check_constraint(
        op.f("ck_volunteer_sign_ups_known_status"), "volunteer_sign_ups", f"status IN ({_STATUSES}, 'not_needed')"
    )
    # Waiting lists of shifts that have begun end: nobody is waiting for them any more.
    op.execute(
        "UPDATE volunteer_sign_ups AS u SET status = 'not_needed' FROM volunteer_shifts AS s "
        "WHERE s.id = u.shift_id AND u.status = 'waitlisted' AND s.starts_at <= now()"
    )
    op.add_column(
        "volunteer_sign_ups",
        sa.Column("share_contact", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    # Organisation manager roles granted for a town gave no access to any organisation: they go.
    op.execute("DELETE FROM role_grants WHERE role = 'organisation_manager' AND organisation_id IS NULL")
    op.create_check_constraint(
        op.f("ck_role_grants_manager_has_organisation"),
        "role_grants",
        "role <> 'organisation_manager' OR organisation_id IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_role_grants_manager_has_organisation"), "role_grants", type_="check")
    op.drop_column("volunteer_sign_ups", "share_contact")
    op.execute("UPDATE volunteer_sign_ups SET status = 'waitlisted' WHERE status = 'not_needed'")
    op.drop_constraint(op.f("ck_volunteer_sign_ups_known_status"), "volunteer_sign_ups", type_="check")
    op.create_check_constraint(
        op.f("ck_volunteer_sign_ups_known_status"), "volunteer_sign_ups", f"status IN ({_STATUSES})"
    )
