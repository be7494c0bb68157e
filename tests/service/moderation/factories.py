"""Ideas, comments, reports and people for moderation tests, written straight into the database."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Update, select, update

from mitmachen.runtime import Runtime
from service.auth.viewer import Viewer
from service.ideas import service as ideas
from service.ideas.models import Comment, Idea, Lifecycle, Report, ReportReason
from service.moderation.models import ModerationPolicy, TownModerationSettings
from service.towns.models import StrategyArea, Town
from service.users.models import User


async def user(runtime: Runtime, name: str = "Anna Autorin") -> uuid.UUID:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        row = User(id=uuid.uuid4(), issuer="https://idp.test", subject=f"{name}-{uuid.uuid4()}", display_name=name)
        session.add(row)
    return row.id


async def town(runtime: Runtime, slug: str = "soest") -> uuid.UUID:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        found = await session.scalar(select(Town.id).where(Town.slug == slug))
    assert found is not None
    return found


async def submit_idea(
    runtime: Runtime, author_id: uuid.UUID, *, slug: str = "soest", title: str = "Mehr Bänke am Wall", body: str = ""
) -> uuid.UUID:
    """Through the ideas service, as the API does it: pending, with a wake-up sent after commit."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        town_id = await session.scalar(select(Town.id).where(Town.slug == slug))
        assert town_id is not None
        area = await session.scalar(select(StrategyArea.id).where(StrategyArea.town_id == town_id).limit(1))
        assert area is not None
        idea = await ideas.submit_idea(
            session,
            Viewer(user_id=author_id),
            town_id=town_id,
            strategy_area_id=area,
            title=title,
            body=body or "Zum Ausruhen auf dem Spaziergang rund um die Altstadt.",
        )
    return idea.id


async def idea_row(
    runtime: Runtime,
    author_id: uuid.UUID,
    *,
    slug: str = "soest",
    title: str = "Mehr Bänke am Wall",
    body: str = "Zum Ausruhen auf dem Spaziergang rund um die Altstadt.",
    lifecycle: Lifecycle = Lifecycle.PENDING,
    created_at: datetime | None = None,
) -> uuid.UUID:
    """An idea written directly (no wake-up sent), e.g. one whose message was lost."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        town_id = await session.scalar(select(Town.id).where(Town.slug == slug))
        area = await session.scalar(select(StrategyArea.id).where(StrategyArea.town_id == town_id).limit(1))
        assert town_id is not None
        assert area is not None
        row = Idea(
            id=uuid.uuid4(),
            town_id=town_id,
            author_id=author_id,
            strategy_area_id=area,
            title=title,
            body=body,
            lifecycle=lifecycle.value,
            published_at=created_at if lifecycle is Lifecycle.PUBLISHED else None,
        )
        if created_at is not None:
            row.created_at = created_at
            row.updated_at = created_at
        session.add(row)
    return row.id


async def comment_row(
    runtime: Runtime,
    idea_id: uuid.UUID,
    author_id: uuid.UUID,
    *,
    body: str = "Gute Idee, das unterstütze ich.",
    lifecycle: Lifecycle = Lifecycle.PENDING,
    created_at: datetime | None = None,
) -> uuid.UUID:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        idea = await session.get(Idea, idea_id)
        assert idea is not None
        row = Comment(
            id=uuid.uuid4(), idea_id=idea_id, town_id=idea.town_id, author_id=author_id, body=body, lifecycle=lifecycle
        )
        if created_at is not None:
            row.created_at = created_at
        session.add(row)
    return row.id


async def report(
    runtime: Runtime,
    reporter_id: uuid.UUID,
    *,
    idea_id: uuid.UUID | None = None,
    comment_id: uuid.UUID | None = None,
    reason: ReportReason = ReportReason.OFFENSIVE,
) -> None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        subject = await session.get(Idea, idea_id) if idea_id else await session.get(Comment, comment_id)
        assert subject is not None
        session.add(
            Report(
                id=uuid.uuid4(),
                town_id=subject.town_id,
                reporter_id=reporter_id,
                idea_id=idea_id,
                comment_id=comment_id,
                reason=reason.value,
            )
        )


async def policy(runtime: Runtime, slug: str, value: ModerationPolicy, *, report_threshold: int = 3) -> None:
    town_id = await town(runtime, slug)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        session.add(TownModerationSettings(town_id=town_id, policy=value.value, report_threshold=report_threshold))


async def load_idea(runtime: Runtime, idea_id: uuid.UUID) -> Idea:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        found = await session.get(Idea, idea_id)
    assert found is not None
    return found


async def load_comment(runtime: Runtime, comment_id: uuid.UUID) -> Comment:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        found = await session.get(Comment, comment_id)
    assert found is not None
    return found


def update_reports_created_at(created_at: datetime) -> Update:
    """Backdate every report (to look like reports whose wake-up was lost long ago)."""
    return update(Report).values(created_at=created_at)
