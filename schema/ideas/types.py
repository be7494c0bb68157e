from __future__ import annotations

import uuid
from collections.abc import Awaitable, Iterable
from datetime import datetime
from functools import partial
from typing import Any, Self

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import uuids
from schema.loaders import prefetch, resolved
from schema.moderation.info import ModerationInfoType, moderation_info
from schema.pagination import connection_from_page
from schema.towns.types import StrategyAreaType, TownType
from schema.users.types import UserType
from service.ideas.feed import FeedIdea, IdeaOrder, Page
from service.ideas.mine import OwnPage
from service.ideas.models import Comment, Idea, Lifecycle, OfficialAnswer, OfficialStatus, ReportReason
from service.moderation.models import SubjectKind
from service.towns.models import StrategyArea, Town
from service.users.models import User

strawberry.enum(Lifecycle, name="Lifecycle", description="Moderation state of a contribution.")
strawberry.enum(OfficialStatus, name="OfficialStatus", description="The town's official status of an idea.")
strawberry.enum(ReportReason, name="ReportReason")
strawberry.enum(IdeaOrder, name="IdeaOrder")


@strawberry.type(description="A point on the map (WGS 84).")
class GeoPointType:
    latitude: float
    longitude: float


MODERATION_DESCRIPTION = (
    "Where it stands in moderation and why (reason codes, German explanations, the moderator's words); "
    "null unless it is one's own or one moderates its town."
)


def _user(row: User | None) -> UserType | None:
    return UserType.from_row(row) if row else None


def _town(row: Town | None) -> TownType:
    assert row is not None  # noqa: S101 - a foreign key
    return TownType.from_row(row)


def _area(row: StrategyArea | None) -> StrategyAreaType:
    assert row is not None  # noqa: S101 - a foreign key
    return StrategyAreaType.from_row(row)


@strawberry.type(name="OfficialAnswer", description="One step in the history of the town's answer.")
class OfficialAnswerType:
    status: OfficialStatus
    answer: str
    answered_at: datetime

    @classmethod
    def from_row(cls, row: OfficialAnswer) -> Self:
        return cls(status=OfficialStatus(row.status), answer=row.answer, answered_at=row.created_at)


@strawberry.type(name="Comment", description="A comment on an idea; replies are one level deep.")
class CommentType(relay.Node):
    id: relay.NodeID[str]
    body: str
    lifecycle: Lifecycle
    created_at: datetime
    author_id: strawberry.Private[uuid.UUID]
    town_id: strawberry.Private[uuid.UUID]
    idea_id: strawberry.Private[uuid.UUID]
    parent_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: Comment) -> Self:
        return cls(
            id=str(row.id),
            body=row.body,
            lifecycle=Lifecycle(row.lifecycle),
            created_at=row.created_at,
            author_id=row.author_id,
            town_id=row.town_id,
            idea_id=row.idea_id,
            parent_id=row.parent_id,
        )

    @strawberry.field(graphql_type=UserType | None)
    def author(self, info: Info) -> UserType | Awaitable[UserType | None] | None:
        return resolved(info.context.loaders.user_by_id, self.author_id, _user)

    @strawberry.field(description=MODERATION_DESCRIPTION)
    async def moderation(self, info: Info) -> ModerationInfoType | None:
        return await moderation_info(
            info,
            SubjectKind.COMMENT,
            uuid.UUID(self.id),
            author_id=self.author_id,
            town_id=self.town_id,
            status=self.lifecycle,
        )

    @strawberry.field(description="The comment this one answers, if it is a reply.")
    def reply_to(self) -> relay.GlobalID | None:
        return relay.GlobalID("Comment", str(self.parent_id)) if self.parent_id else None

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.comment_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="Idea", description="A citizen's idea for their town.")
class IdeaType(relay.Node):
    id: relay.NodeID[str]
    title: str
    body: str
    location: GeoPointType | None
    image_alt_texts: list[str]
    lifecycle: Lifecycle
    official_status: OfficialStatus | None
    official_answer: str | None
    answered_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    support_count: int
    comment_count: int = strawberry.field(description="Published comments.")
    row_id: strawberry.Private[uuid.UUID]
    town_id: strawberry.Private[uuid.UUID]
    author_id: strawberry.Private[uuid.UUID]
    strategy_area_id: strawberry.Private[uuid.UUID]
    # Read with the idea when it was (a feed page), or known to the feed (a town's), else loaded when selected.
    author_node: strawberry.Private[UserType | None] = None
    strategy_area_node: strawberry.Private[StrategyAreaType | None] = None
    town_node: strawberry.Private[TownType | None] = None

    @classmethod
    def from_row(cls, row: Idea | FeedIdea) -> Self:
        location = None
        if row.latitude is not None and row.longitude is not None:
            location = GeoPointType(latitude=row.latitude, longitude=row.longitude)
        return cls(
            id=str(row.id),
            title=row.title,
            body=row.body,
            location=location,
            image_alt_texts=list(row.image_alt_texts),
            lifecycle=Lifecycle(row.lifecycle),
            official_status=OfficialStatus(row.official_status) if row.official_status else None,
            official_answer=row.official_answer,
            answered_at=row.answered_at,
            published_at=row.published_at,
            created_at=row.created_at,
            support_count=row.support_count,
            comment_count=row.comment_count,
            row_id=row.id,
            town_id=row.town_id,
            author_id=row.author_id,
            strategy_area_id=row.strategy_area_id,
        )

    @classmethod
    def from_feed(cls, row: FeedIdea, town: TownType | None = None) -> Self:
        """An idea of the feed, with its author and strategy area when the page read them, and its town when the
        feed is that town's."""
        idea = cls.from_row(row)
        idea.town_node = town
        if row.author is not None:
            idea.author_node = UserType.from_row(row.author)
        if row.strategy_area is not None:
            idea.strategy_area_node = StrategyAreaType.from_row(row.strategy_area)
        return idea

    @strawberry.field(graphql_type=UserType | None)
    def author(self, info: Info) -> UserType | Awaitable[UserType | None] | None:
        if self.author_node is not None:
            return self.author_node
        return resolved(info.context.loaders.user_by_id, self.author_id, _user)

    @strawberry.field(graphql_type=TownType)
    def town(self, info: Info) -> TownType | Awaitable[TownType]:
        if self.town_node is not None:
            return self.town_node
        return resolved(info.context.loaders.town_by_id, self.town_id, _town)

    @strawberry.field(graphql_type=StrategyAreaType)
    def strategy_area(self, info: Info) -> StrategyAreaType | Awaitable[StrategyAreaType]:
        if self.strategy_area_node is not None:
            return self.strategy_area_node
        return resolved(info.context.loaders.strategy_area_by_id, self.strategy_area_id, _area)

    @strawberry.field(description=MODERATION_DESCRIPTION)
    async def moderation(self, info: Info) -> ModerationInfoType | None:
        return await moderation_info(
            info, SubjectKind.IDEA, self.row_id, author_id=self.author_id, town_id=self.town_id, status=self.lifecycle
        )

    @strawberry.field(description="Whether the logged-in person supports this idea (false when anonymous).")
    async def viewer_has_supported(self, info: Info) -> bool:
        loader = info.context.loaders.viewer_supports_idea_id
        return await loader.load(self.row_id) if loader else False

    @strawberry.field(description="The history of the town's official answers, oldest first.")
    async def official_answers(self, info: Info) -> list[OfficialAnswerType]:
        rows = await info.context.loaders.answers_by_idea_id.load(self.row_id)
        return [OfficialAnswerType.from_row(row) for row in rows]

    @strawberry.field(description="Visible comments, oldest first (at most 200).")
    async def comments(self, info: Info) -> list[CommentType]:
        rows = await info.context.loaders.comments_by_idea_id.load(self.row_id)
        return [CommentType.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.idea_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="IdeaEdge")
class IdeaEdge(relay.Edge[IdeaType]):
    pass


@strawberry.type(name="IdeaConnection")
class IdeaConnection(relay.Connection[IdeaType]):
    # Narrowed so that the SDL names the edge type IdeaEdge rather than IdeaTypeEdge.
    edges: list[IdeaEdge]  # type: ignore[assignment]

    @classmethod
    async def from_page(
        cls, info: Info, page: Page, fields: frozenset[str], *, after: str | None, town: TownType | None = None
    ) -> Self:
        """The page as a connection. What the nodes select (`fields`, see `node_fields`) is there before it
        returns: read with the page (author, strategy area), the feed's own `town` (a town's feed), or loaded now
        in one batch (the towns of a region feed)."""
        if town is not None:
            return connection_from_page(cls, IdeaEdge, page, partial(IdeaType.from_feed, town=town), after=after)
        if "town" in fields:
            await prefetch(info.context.loaders.town_by_id.load_many([row.town_id for row in page.items]))
        return connection_from_page(cls, IdeaEdge, page, IdeaType.from_feed, after=after)


@strawberry.type(name="CommentEdge")
class CommentEdge(relay.Edge[CommentType]):
    pass


@strawberry.type(name="CommentConnection")
class CommentConnection(relay.Connection[CommentType]):
    edges: list[CommentEdge]  # type: ignore[assignment]


def own_ideas(page: OwnPage[Idea], *, after: str | None) -> IdeaConnection:
    return connection_from_page(IdeaConnection, IdeaEdge, page, IdeaType.from_row, after=after)


def own_comments(page: OwnPage[Comment], *, after: str | None) -> CommentConnection:
    return connection_from_page(CommentConnection, CommentEdge, page, CommentType.from_row, after=after)


@strawberry.input(description="A circle on the map.")
class NearInput:
    latitude: float
    longitude: float
    radius_km: float = 2.0


@strawberry.input
class IdeaFilterInput:
    strategy_area_id: strawberry.ID | None = None
    status: OfficialStatus | None = None
    text: str | None = strawberry.field(default=None, description="German full-text search in title and body.")
    near: NearInput | None = None
