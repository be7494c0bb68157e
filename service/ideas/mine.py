"""A person's own ideas and comments in every lifecycle state, newest first, so that held or rejected ones are
never lost to their author (the feeds list only published ones)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.ideas.models import Comment, Idea
from service.ideas.policies import comment_visible_to, idea_visible_to
from service.kit.pagination import check_page_size, decode_cursor, encode_cursor, parse_time, parse_uuid

Row = TypeVar("Row", Idea, Comment)


@dataclass(frozen=True)
class OwnPage(Generic[Row]):
    items: Sequence[Row]
    has_next_page: bool
    kind: str

    def cursor(self, row: Row) -> str:
        return encode_cursor(self.kind, row.created_at.isoformat(), str(row.id))


async def _page(
    session: AsyncSession, model: type[Row], statement: Select[Row], *, kind: str, first: int, after: str | None
) -> OwnPage[Row]:
    check_page_size(first)
    if after is not None:
        created_at, row_id = decode_cursor(kind, after, 2)
        statement = statement.where(tuple_(model.created_at, model.id) < (parse_time(created_at), parse_uuid(row_id)))
    ordered = statement.order_by(model.created_at.desc(), model.id.desc()).limit(first + 1)
    rows = (await session.scalars(ordered)).all()
    return OwnPage(items=rows[:first], has_next_page=len(rows) > first, kind=kind)


async def my_ideas(session: AsyncSession, viewer: Viewer, *, first: int, after: str | None = None) -> OwnPage[Idea]:
    statement = select(Idea).where(Idea.author_id == viewer.require_person(), idea_visible_to(viewer))
    return await _page(session, Idea, statement, kind="my-ideas", first=first, after=after)


async def my_comments(
    session: AsyncSession, viewer: Viewer, *, first: int, after: str | None = None
) -> OwnPage[Comment]:
    statement = select(Comment).where(Comment.author_id == viewer.require_person(), comment_visible_to(viewer))
    return await _page(session, Comment, statement, kind="my-comments", first=first, after=after)
