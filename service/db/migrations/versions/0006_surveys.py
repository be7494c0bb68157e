"""surveys, questions, participations, responses, answers, results

Revision ID: 0006
Revises: 0005

Participations (who took part) and responses (what was answered) share no key and no precise time, so that
anonymous surveys' answers cannot be linked back to a person; see the README section "Surveys".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("strategy_area_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=140), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("is_anonymous", sa.Boolean(), nullable=False),
        sa.Column("results_public", sa.Boolean(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'closed', 'archived')", name=op.f("ck_surveys_known_status")
        ),
        sa.CheckConstraint("audience IN ('residents', 'everyone')", name=op.f("ck_surveys_known_audience")),
        sa.CheckConstraint("char_length(title) BETWEEN 5 AND 140", name=op.f("ck_surveys_title_length")),
        sa.CheckConstraint("char_length(description) <= 5000", name=op.f("ck_surveys_description_length")),
        sa.CheckConstraint("opens_at IS NULL OR opens_at < closes_at", name=op.f("ck_surveys_opens_before_closing")),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"], name=op.f("fk_surveys_town_id_towns"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["strategy_area_id"],
            ["strategy_areas.id"],
            name=op.f("fk_surveys_strategy_area_id_strategy_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_surveys_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    op.create_index(
        op.f("ix_surveys_town_id_status_created_at"), "surveys", ["town_id", "status", "created_at"], unique=False
    )
    op.create_index(
        "ix_surveys_due", "surveys", ["closes_at"], unique=False, postgresql_where=sa.text("status = 'published'")
    )

    op.create_table(
        "survey_questions",
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("prompt", sa.String(length=500), nullable=False),
        sa.Column("help_text", sa.String(length=1000), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("show_if", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('single_choice', 'multiple_choice', 'free_text', 'scale', 'ranking', 'number')",
            name=op.f("ck_survey_questions_known_kind"),
        ),
        sa.CheckConstraint("position >= 0", name=op.f("ck_survey_questions_position_not_negative")),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_questions_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_survey_questions_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_questions")),
        sa.UniqueConstraint("survey_id", "position", name=op.f("uq_survey_questions_survey_id_position")),
    )
    op.create_index(op.f("ix_survey_questions_town_id"), "survey_questions", ["town_id"], unique=False)

    # Who took part: no timestamp, no reference to the response.
    op.create_table(
        "survey_participations",
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_participations_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_survey_participations_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_survey_participations_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("survey_id", "user_id", name=op.f("pk_survey_participations")),
    )
    op.create_index(op.f("ix_survey_participations_user_id"), "survey_participations", ["user_id"], unique=False)
    op.create_index(op.f("ix_survey_participations_town_id"), "survey_participations", ["town_id"], unique=False)

    # What was answered: a random id, the day only, a respondent only for surveys that are not anonymous.
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("respondent_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_responses_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_survey_responses_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["users.id"], name=op.f("fk_survey_responses_respondent_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("survey_id", "respondent_id", name=op.f("uq_survey_responses_survey_id_respondent_id")),
    )
    op.create_index(op.f("ix_survey_responses_survey_id_id"), "survey_responses", ["survey_id", "id"], unique=False)
    op.create_index(op.f("ix_survey_responses_town_id"), "survey_responses", ["town_id"], unique=False)
    op.create_index(op.f("ix_survey_responses_respondent_id"), "survey_responses", ["respondent_id"], unique=False)

    op.create_table(
        "survey_answers",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("option_indexes", postgresql.ARRAY(sa.Integer()), nullable=True),
        sa.Column("other_text", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("number", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_answers_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_answers_question_id_survey_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_answers_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id", name=op.f("pk_survey_answers")),
    )
    op.create_index(op.f("ix_survey_answers_survey_id"), "survey_answers", ["survey_id"], unique=False)
    op.create_index(op.f("ix_survey_answers_question_id"), "survey_answers", ["question_id"], unique=False)

    op.create_table(
        "survey_results",
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("response_count", sa.Integer(), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_results_survey_id_surveys"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_survey_results_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_survey_results")),
    )
    op.create_index(op.f("ix_survey_results_town_id"), "survey_results", ["town_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_results_town_id"), table_name="survey_results")
    op.drop_table("survey_results")
    op.drop_index(op.f("ix_survey_answers_question_id"), table_name="survey_answers")
    op.drop_index(op.f("ix_survey_answers_survey_id"), table_name="survey_answers")
    op.drop_table("survey_answers")
    op.drop_index(op.f("ix_survey_responses_respondent_id"), table_name="survey_responses")
    op.drop_index(op.f("ix_survey_responses_town_id"), table_name="survey_responses")
    op.drop_index(op.f("ix_survey_responses_survey_id_id"), table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index(op.f("ix_survey_participations_town_id"), table_name="survey_participations")
    op.drop_index(op.f("ix_survey_participations_user_id"), table_name="survey_participations")
    op.drop_table("survey_participations")
    op.drop_index(op.f("ix_survey_questions_town_id"), table_name="survey_questions")
    op.drop_table("survey_questions")
    op.drop_index("ix_surveys_due", table_name="surveys", postgresql_where=sa.text("status = 'published'"))
    op.drop_index(op.f("ix_surveys_town_id_status_created_at"), table_name="surveys")
    op.drop_table("surveys")
