"""Ideas: submit, edit while pending, withdraw; supports; comments; reports; the town's official answer."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Float, Table, and_, bindparam, delete, func, literal, select, update
from sqlalchemy import insert as sql_insert
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ExecutableReturnsRows

from service.auth.viewer import Viewer
from service.events.ideas import idea_answered, lifecycle_changed
from service.ideas import validation
from service.ideas.errors import IdeaErrorCode
from service.ideas.models import Comment, Idea, Lifecycle, OfficialAnswer, OfficialStatus, Report, ReportReason, Support
from service.ideas.policies import can_answer, comment_visible_to, idea_visible_to
from service.kit.errors import CommonErrorCode, NotFound, PermissionDenied, UserError
from service.kit.geo import GeoPoint
from service.kit.jobs import request_job
from service.kit.text import clean_title
from service.moderation.jobs import CHECK, HIDE_REPORTED, Subject
from service.moderation.models import SubjectKind
from service.notifications.service import notify
from service.privacy.identities import held
from service.towns.models import StrategyArea, Town
from service.towns.service import check_location, existing_town, town_strategy_area

STATUS_NAMES = {
    OfficialStatus.UNDER_REVIEW: "wird geprüft",
    OfficialStatus.ACCEPTED: "angenommen",
    OfficialStatus.IMPLEMENTED: "umgesetzt",
    OfficialStatus.DECLINED: "abgelehnt",
}


async def visible_idea(session: AsyncSession, viewer: Viewer, idea_id: uuid.UUID, *, lock: bool = False) -> Idea:
    statement = select(Idea).where(Idea.id == idea_id, idea_visible_to(viewer))
    idea = await session.scalar(statement.with_for_update() if lock else statement)
    if idea is None:
        raise NotFound(IdeaErrorCode.UNKNOWN_IDEA, "Diese Idee gibt es nicht (mehr).", field="ideaId")
    return idea


async def submit_idea(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID,
    strategy_area_id: uuid.UUID,
    title: str,
    body: str,
    location: GeoPoint | None = None,
    image_alt_texts: list[str] | None = None,
) -> Idea:
    """Stored as pending in this transaction; the moderation worker is woken after commit."""
    author_id = viewer.require_person()
    new_title, new_body = clean_title(title), validation.body(body)
    alt_texts = validation.alt_texts(image_alt_texts or [])
    values = {
        "id": uuid.uuid4(),
        "author_id": author_id,
        "town_id": town_id,
        "strategy_area_id": strategy_area_id,
        "title": new_title,
        "body": new_body,
        "image_alt_texts": alt_texts,
    }
    if location is not None:
        values |= {"latitude": location.latitude, "longitude": location.longitude}
    # One statement: the idea is inserted only where the town, its field of action (and the point) are right.
    idea: Idea | None = await session.scalar(_SUBMIT[location is not None], values)
    if idea is None:
        # Nothing inserted: find out why, to tell the author (or, if all is well now, insert it the long way).
        town = await existing_town(session, town_id)
        await town_strategy_area(session, town, strategy_area_id)
        check_location(town, location)
        idea = Idea(**values, lifecycle=Lifecycle.PENDING.value)
        session.add(idea)
        await session.flush()
    request_job(session, CHECK(Subject(SubjectKind.IDEA, idea.id), collapse=False))
    return idea


def _submit_statement(*, located: bool) -> ExecutableReturnsRows:
    """`INSERT … SELECT` from the town joined with the field of action (of that town), the point inside the town's
    bounding box if there is one: no row when any of them is wrong. Built once for each of the two shapes."""
    columns = [Idea.id, Idea.town_id, Idea.author_id, Idea.strategy_area_id, Idea.title, Idea.body]
    columns += [Idea.image_alt_texts, Idea.lifecycle]
    values: list[Any] = [
        bindparam("id", type_=Idea.id.type),
        Town.id,
        bindparam("author_id", type_=Idea.author_id.type),
        StrategyArea.id,
        bindparam("title", type_=Idea.title.type),
        bindparam("body", type_=Idea.body.type),
        bindparam("image_alt_texts", type_=Idea.image_alt_texts.type),
        literal(Lifecycle.PENDING.value, type_=Idea.lifecycle.type),
    ]
    conditions = [Town.id == bindparam("town_id", type_=Town.id.type)]
    if located:
        latitude, longitude = bindparam("latitude", type_=Float()), bindparam("longitude", type_=Float())
        columns += [Idea.latitude, Idea.longitude]
        values += [latitude, longitude]
        conditions += [latitude.between(Town.min_latitude, Town.max_latitude)]
        conditions += [longitude.between(Town.min_longitude, Town.max_longitude)]
    area = and_(
        StrategyArea.id == bindparam("strategy_area_id", type_=StrategyArea.id.type), StrategyArea.town_id == Town.id
    )
    source = select(*values).select_from(Town).join(StrategyArea, area).where(*conditions)
    inserted = sql_insert(cast(Table, Idea.__table__)).from_select([column.key for column in columns], source)
    # As an ORM statement, so that the idea comes back as an entity of the session (core execution: not a bulk insert).
    return select(Idea).from_statement(inserted.returning(*Idea.__table__.columns))


_SUBMIT = {located: _submit_statement(located=located) for located in (False, True)}


async def edit_idea(
    session: AsyncSession,
    viewer: Viewer,
    *,
    idea_id: uuid.UUID,
    title: str | None = None,
    body: str | None = None,
    strategy_area_id: uuid.UUID | None = None,
    location: GeoPoint | None = None,
    clear_location: bool = False,
    image_alt_texts: list[str] | None = None,
) -> Idea:
    """Authors edit their idea while it is pending; the edited text is checked again."""
    author_id = viewer.require_person()
    idea = await visible_idea(session, viewer, idea_id, lock=True)
    if idea.author_id != author_id:
        raise PermissionDenied("Nur wer die Idee eingereicht hat, kann sie bearbeiten.")
    if idea.lifecycle != Lifecycle.PENDING.value:
        raise UserError(IdeaErrorCode.IDEA_NOT_EDITABLE, "Veröffentlichte Ideen können nicht mehr bearbeitet werden.")
    town = await existing_town(session, idea.town_id)
    if title is not None:
        idea.title = clean_title(title)
    if body is not None:
        idea.body = validation.body(body)
    if strategy_area_id is not None:
        idea.strategy_area_id = (await town_strategy_area(session, town, strategy_area_id)).id
    if location is not None:
        check_location(town, location)
        idea.latitude, idea.longitude = location.latitude, location.longitude
    elif clear_location:
        idea.latitude = idea.longitude = None
    if image_alt_texts is not None:
        idea.image_alt_texts = validation.alt_texts(image_alt_texts)
    idea.updated_at = func.now()
    await session.flush()
    await session.refresh(idea)
    request_job(session, CHECK(Subject(SubjectKind.IDEA, idea.id), collapse=False))
    return idea


async def withdraw_idea(session: AsyncSession, viewer: Viewer, *, idea_id: uuid.UUID) -> Idea:
    author_id = viewer.require_person()
    idea = await visible_idea(session, viewer, idea_id, lock=True)
    if idea.author_id != author_id:
        raise PermissionDenied("Nur wer die Idee eingereicht hat, kann sie zurückziehen.")
    if idea.lifecycle not in {Lifecycle.PENDING.value, Lifecycle.PUBLISHED.value, Lifecycle.WITHDRAWN.value}:
        raise UserError(IdeaErrorCode.IDEA_NOT_EDITABLE, "Diese Idee kann nicht zurückgezogen werden.")
    await lifecycle_changed(session, idea, Lifecycle(idea.lifecycle), Lifecycle.WITHDRAWN)
    idea.lifecycle = Lifecycle.WITHDRAWN.value
    await session.flush()
    return idea


async def _supportable(session: AsyncSession, viewer: Viewer, idea_id: uuid.UUID) -> tuple[uuid.UUID, Idea]:
    user_id = viewer.require_person()
    idea = await visible_idea(session, viewer, idea_id)
    if idea.author_id == user_id:
        raise UserError(IdeaErrorCode.OWN_IDEA, "Die eigene Idee kann man nicht unterstützen.")
    if idea.lifecycle != Lifecycle.PUBLISHED.value:
        raise UserError(IdeaErrorCode.IDEA_NOT_OPEN, "Diese Idee kann gerade nicht unterstützt werden.")
    return user_id, idea


async def support_idea(session: AsyncSession, viewer: Viewer, *, idea_id: uuid.UUID) -> Idea:
    """Idempotent: a second support by the same person counts once (the primary key decides)."""
    user_id, idea = await _supportable(session, viewer, idea_id)
    inserted = await session.scalar(
        insert(Support)
        .values(idea_id=idea.id, user_id=user_id, town_id=idea.town_id)
        .on_conflict_do_nothing()
        .returning(Support.idea_id)
    )
    if inserted is not None:
        await session.execute(update(Idea).where(Idea.id == idea.id).values(support_count=Idea.support_count + 1))
    await session.refresh(idea)
    return idea


async def withdraw_support(session: AsyncSession, viewer: Viewer, *, idea_id: uuid.UUID) -> Idea:
    user_id = viewer.require_person()
    idea = await visible_idea(session, viewer, idea_id)
    removed = await session.scalar(
        delete(Support).where(Support.idea_id == idea.id, Support.user_id == user_id).returning(Support.idea_id)
    )
    if removed is not None:
        await session.execute(update(Idea).where(Idea.id == idea.id).values(support_count=Idea.support_count - 1))
    await session.refresh(idea)
    return idea


async def comment_on_idea(
    session: AsyncSession, viewer: Viewer, *, idea_id: uuid.UUID, body: str, reply_to: uuid.UUID | None = None
) -> Comment:
    """Comments are moderated like ideas: pending until the moderation worker (or a moderator) decides."""
    author_id = viewer.require_person()
    text = validation.comment(body)
    idea = await visible_idea(session, viewer, idea_id)
    if idea.lifecycle != Lifecycle.PUBLISHED.value:
        raise UserError(IdeaErrorCode.IDEA_NOT_OPEN, "Zu dieser Idee kann man nicht kommentieren.")
    if reply_to is not None:
        await _answerable(session, viewer, idea, reply_to)
    comment = Comment(
        id=uuid.uuid4(), idea_id=idea.id, town_id=idea.town_id, author_id=author_id, parent_id=reply_to, body=text
    )
    session.add(comment)
    await session.flush()
    request_job(session, CHECK(Subject(SubjectKind.COMMENT, comment.id), collapse=False))
    return comment


async def _answerable(session: AsyncSession, viewer: Viewer, idea: Idea, reply_to: uuid.UUID) -> None:
    """A reply's parent: a published top-level comment on the same idea.

    A comment still in moderation is named as such (its author, or someone given its id, would otherwise be
    told it does not exist); a rejected, hidden or withdrawn one only to those who may see it.
    """
    found = (
        await session.execute(
            select(Comment, comment_visible_to(viewer).label("visible")).where(
                Comment.id == reply_to, Comment.idea_id == idea.id
            )
        )
    ).first()
    parent, visible = (found[0], bool(found[1])) if found is not None else (None, False)
    if parent is not None and parent.lifecycle == Lifecycle.PENDING.value:
        raise UserError(
            IdeaErrorCode.COMMENT_NOT_PUBLISHED,
            "Dieser Kommentar ist noch nicht veröffentlicht; antworten kann man erst, wenn die Moderation ihn "
            "freigegeben hat.",
            field="replyTo",
        )
    if parent is None or not visible:
        raise NotFound(IdeaErrorCode.UNKNOWN_COMMENT, "Diesen Kommentar gibt es nicht.", field="replyTo")
    if parent.lifecycle != Lifecycle.PUBLISHED.value:
        raise UserError(
            IdeaErrorCode.COMMENT_NOT_OPEN,
            "Dieser Kommentar ist nicht öffentlich sichtbar; auf ihn kann man nicht antworten.",
            field="replyTo",
        )
    if parent.parent_id is not None:
        raise UserError(IdeaErrorCode.REPLY_NOT_ALLOWED, "Auf Antworten kann man nicht antworten.", field="replyTo")


async def report_content(
    session: AsyncSession,
    viewer: Viewer,
    *,
    idea_id: uuid.UUID | None = None,
    comment_id: uuid.UUID | None = None,
    reason: ReportReason,
    text: str = "",
) -> Report:
    reporter_id = viewer.require_person()
    clean = validation.report_text(text)
    if (idea_id is None) == (comment_id is None):
        raise UserError(
            CommonErrorCode.INVALID_INPUT, "Bitte genau eine Idee oder einen Kommentar melden.", field="ideaId"
        )
    reported: Idea | Comment | None
    if idea_id is not None:
        reported = await visible_idea(session, viewer, idea_id)
    else:
        reported = await session.scalar(
            select(Comment)
            .join(Idea, Idea.id == Comment.idea_id)
            .where(Comment.id == comment_id, comment_visible_to(viewer), idea_visible_to(viewer))
        )
        if reported is None:
            raise NotFound(IdeaErrorCode.UNKNOWN_COMMENT, "Diesen Kommentar gibt es nicht.", field="commentId")
    if reported.author_id == reporter_id:
        raise UserError(
            IdeaErrorCode.OWN_CONTRIBUTION,
            "Eigene Beiträge kann man nicht melden. Eine Idee können Sie bearbeiten, solange sie in Prüfung ist, "
            "oder zurückziehen.",
            field="ideaId" if idea_id is not None else "commentId",
        )
    town_id = reported.town_id
    if await held(session, viewer.identity_digest, idea_id=idea_id, comment_id=comment_id):
        # The same person reported it under an account they deleted since (while the report is open).
        raise UserError(IdeaErrorCode.ALREADY_REPORTED, "Sie haben diesen Beitrag bereits gemeldet.")
    report = Report(
        id=uuid.uuid4(),
        town_id=town_id,
        reporter_id=reporter_id,
        idea_id=idea_id,
        comment_id=comment_id,
        reason=reason.value,
        text=clean,
    )
    try:
        async with session.begin_nested():
            session.add(report)
    except IntegrityError:
        raise UserError(IdeaErrorCode.ALREADY_REPORTED, "Sie haben diesen Beitrag bereits gemeldet.") from None
    request_job(session, HIDE_REPORTED(Subject.of(idea_id, comment_id), collapse=False))
    return report


async def answer_idea(
    session: AsyncSession, viewer: Viewer, *, idea_id: uuid.UUID, status: OfficialStatus, answer: str
) -> Idea:
    """The town's official status and answer; kept as a history, the author is notified by e-mail."""
    viewer.require_person()
    idea = await visible_idea(session, viewer, idea_id, lock=True)
    if not can_answer(viewer, idea.town_id):
        raise PermissionDenied("Offizielle Antworten gibt die Verwaltung der Stadt.")
    text = validation.answer(answer)
    if idea.lifecycle != Lifecycle.PUBLISHED.value:
        raise UserError(IdeaErrorCode.IDEA_NOT_OPEN, "Nur veröffentlichte Ideen bekommen eine offizielle Antwort.")
    session.add(
        OfficialAnswer(
            idea_id=idea.id, town_id=idea.town_id, status=status.value, answer=text, answered_by_id=viewer.user_id
        )
    )
    idea.official_status, idea.official_answer = status.value, text
    idea.answered_at = func.now()
    await session.flush()
    await session.refresh(idea)
    await idea_answered(session, idea)
    notify(
        session,
        user_id=idea.author_id,
        kind="idea.answered",
        subject=f"Ihre Idee „{idea.title}“: {STATUS_NAMES[status]}",
        body=f"Die Stadt hat Ihre Idee „{idea.title}“ beantwortet.\n\nStatus: {STATUS_NAMES[status]}\n\n{text}\n",
    )
    return idea
