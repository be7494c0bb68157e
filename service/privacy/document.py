"""The export document: every row stored about one person, from every domain, as JSON.

Each section is one table and the condition that makes a row "about the person"; rows are exported with all
their columns (full-text search vectors left out: they repeat the text), except that a column naming another
person (a grantor, a verifier, a moderator, an audit entry's actor or subject) is emptied, and sections of acts
on what is not the person's (organisations verified, attendance confirmed) keep only the act's columns.
Aggregates (tallies, survey results) hold no person and are not part of it; anonymous survey answers cannot be
linked to the person, so only the participation is there, and the document says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Column, ColumnElement, Table, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.models import AuditEntry
from service.auth.models import RoleGrant
from service.auth.sessions import WebSession
from service.db.base import Base
from service.ideas.models import Comment, Idea, OfficialAnswer, Report, Support
from service.moderation.models import ModerationAppeal, ModerationDecision, ModerationTerm, TownModerationSettings
from service.notifications.models import Notification
from service.privacy.models import DataExport
from service.surveys.models import Answer, Participation, Response, Survey
from service.users.models import User
from service.volunteering.models import Organisation, SignUp

FORMAT_VERSION = 1
LEFT_OUT_COLUMNS = frozenset({"search_vector", "document", "token_hash"})

ANONYMOUS_SURVEYS_NOTE = (
    "Bei anonymen Umfragen wird nur gespeichert, dass Sie teilgenommen haben. Ihre Antworten sind von Ihrer "
    "Person getrennt gespeichert und können Ihnen nicht zugeordnet werden, auch nicht für diesen Export."
)

Condition = Callable[[uuid.UUID], ColumnElement[bool]]

# (section, table, condition on the person's id), in the order of the document.
SECTIONS: tuple[tuple[str, type[Base], Condition], ...] = (
    ("account", User, lambda person: User.id == person),
    ("roles", RoleGrant, lambda person: RoleGrant.user_id == person),
    ("browserSessions", WebSession, lambda person: WebSession.user_id == person),
    ("ideas", Idea, lambda person: Idea.author_id == person),
    ("comments", Comment, lambda person: Comment.author_id == person),
    ("supports", Support, lambda person: Support.user_id == person),
    ("reports", Report, lambda person: Report.reporter_id == person),
    ("moderationAppeals", ModerationAppeal, lambda person: ModerationAppeal.author_id == person),
    (
        "officialAnswersGiven",
        OfficialAnswer,
        lambda person: OfficialAnswer.answered_by_id == person,
    ),
    (
        "moderationDecisionsTaken",
        ModerationDecision,
        lambda person: ModerationDecision.decided_by_id == person,
    ),
    (
        "moderationTermsAdded",
        ModerationTerm,
        lambda person: ModerationTerm.added_by_id == person,
    ),
    (
        "moderationSettingsChanged",
        TownModerationSettings,
        lambda person: TownModerationSettings.updated_by_id == person,
    ),
    (
        "auditLog",
        AuditEntry,
        lambda person: or_(
            AuditEntry.actor_id == person, and_(AuditEntry.subject_type == "user", AuditEntry.subject_id == person)
        ),
    ),
    ("emails", Notification, lambda person: Notification.user_id == person),
    ("surveysCreated", Survey, lambda person: Survey.created_by_id == person),
    (
        "surveyParticipations",
        Participation,
        lambda person: Participation.user_id == person,
    ),
    (
        # Only surveys that are not anonymous keep who answered.
        "surveyResponses",
        Response,
        lambda person: Response.respondent_id == person,
    ),
    (
        "surveyAnswers",
        Answer,
        lambda person: Answer.response_id.in_(select(Response.id).where(Response.respondent_id == person)),
    ),
    ("organisations", Organisation, lambda person: Organisation.registered_by_id == person),
    (
        # Organisations that others registered and the person verified in an office: the act, not the organisation.
        "organisationsVerified",
        Organisation,
        lambda person: and_(
            Organisation.verified_by_id == person, Organisation.registered_by_id.is_distinct_from(person)
        ),
    ),
    ("volunteerSignUps", SignUp, lambda person: SignUp.user_id == person),
    (
        # Attendance the person confirmed as an organisation's manager: when and for which shift, never whose.
        "attendanceConfirmed",
        SignUp,
        lambda person: and_(SignUp.attendance_confirmed_by_id == person, SignUp.user_id != person),
    ),
    ("dataExports", DataExport, lambda person: DataExport.user_id == person),
)


# Sections that record the person's act on something that is not theirs keep only these columns.
ACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "organisationsVerified": ("id", "town_id", "verified_at", "verified_by_id"),
    "attendanceConfirmed": ("shift_id", "attendance_confirmed_at", "attendance_confirmed_by_id"),
}


def _names_a_person(column: Column[Any]) -> bool:
    return any(key.column.table.name == "users" for key in column.foreign_keys)


def _others_left_out(row: dict[str, Any], person_columns: list[str], person: uuid.UUID) -> dict[str, Any]:
    """Who else a row names (a grantor, a verifier, a moderator, the actor of an audit entry, the person an
    entry is about) is left out: the export is about the person, never about others."""
    for name in person_columns:
        if row[name] is not None and row[name] != person:
            row[name] = None
    if row.get("subject_type") == "user" and row.get("subject_id") not in (None, person):
        row["subject_id"] = None
    return row


def _json(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


async def _rows(
    session: AsyncSession, section: str, model: type[Base], condition: ColumnElement[bool], person: uuid.UUID
) -> list[dict[str, Any]]:
    table = cast(Table, model.__table__)
    wanted = ACT_COLUMNS.get(section)
    columns = [
        column
        for column in table.columns
        if column.name not in LEFT_OUT_COLUMNS and (wanted is None or column.name in wanted)
    ]
    person_columns = [column.name for column in columns if _names_a_person(column)]
    order = [table.c.created_at] if "created_at" in table.c else []
    result = await session.execute(select(*columns).where(condition).order_by(*order, *table.primary_key.columns))
    return [
        {key: _json(value) for key, value in _others_left_out(dict(row), person_columns, person).items()}
        for row in result.mappings()
    ]


async def build_document(session: AsyncSession, person: uuid.UUID) -> dict[str, Any]:
    """Everything stored about `person`, one section per table; every section is present, empty or not."""
    created_at = await session.scalar(select(func.now()))
    document: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "createdAt": _json(created_at),
        "personId": str(person),
        "notes": {
            "anonymousSurveys": ANONYMOUS_SURVEYS_NOTE,
            "aggregates": "Zählungen (Beteiligungsstatistik, Umfrageergebnisse) enthalten keine Personen.",
        },
    }
    for section, model, condition in SECTIONS:
        document[section] = await _rows(session, section, model, condition(person), person)
    return document
