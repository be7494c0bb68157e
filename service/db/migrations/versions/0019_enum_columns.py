"""enum columns: CHECK constraints as the models' Enum types write them; the rating question kind

Nullable enum columns no longer spell out `IS NULL OR` (a CHECK holds for NULL anyway).

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "'single_choice', 'multiple_choice', 'free_text', 'scale', 'ranking', 'number'"
OFFICIAL_STATUSES = "'under_review', 'accepted', 'implemented', 'declined'"
RESOLUTIONS = "'reversed', 'upheld'"


def _replace(table: str, name: str, condition: str) -> None:
    op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
    op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, condition)


def upgrade() -> None:
    _replace("survey_questions", "known_kind", f"kind IN ({KINDS}, 'rating')")
    _replace("ideas", "known_status", f"official_status IN ({OFFICIAL_STATUSES})")
    _replace("moderation_appeals", "known_resolution", f"resolution IN ({RESOLUTIONS})")


def downgrade() -> None:
    # Refused while rating questions exist (the constraint would fail): their answers are not thrown away.
    _replace("survey_questions", "known_kind", f"kind IN ({KINDS})")
    _replace("ideas", "known_status", f"official_status IS NULL OR official_status IN ({OFFICIAL_STATUSES})")
    _replace("moderation_appeals", "known_resolution", f"resolution IS NULL OR resolution IN ({RESOLUTIONS})")
