from __future__ import annotations

import uuid
from collections.abc import Awaitable, Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ideas.order import ORDER_BY_DESCRIPTION
from schema.ids import uuids
from schema.loaders import resolved
from schema.towns.page_lists import first_offers_page, first_surveys_page
from service.ideas.feed import IdeaOrder
from service.towns.models import StrategyArea, Town
from service.towns.repository import AreaHeader, TownHeader

if TYPE_CHECKING:
    from schema.ideas.types import IdeaConnection, IdeaFilterInput
    from schema.surveys.types import SurveyConnection
    from schema.volunteering.types import OfferConnection, OfferFilterInput, OrganisationConnection
    from schema.webhooks.types import WebhookSubscriptionType
    from service.surveys.models import SurveyStatus
    from service.volunteering.models import OrganisationStatus


@strawberry.type(name="StrategyArea", description="A field of action of a town's strategy, or a region theme.")
class StrategyAreaType(relay.Node):
    id: relay.NodeID[str]
    slug: str
    name: str
    description: str
    is_region_theme: bool
    town_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: StrategyArea | AreaHeader) -> Self:
        return cls(
            id=str(row.id),
            slug=row.slug,
            name=row.name,
            description=row.description,
            is_region_theme=row.town_id is None,
            town_id=row.town_id,
        )

    @strawberry.field(description="The town this area belongs to; null for region-wide themes.")
    async def town(self, info: Info) -> TownType | None:
        if self.town_id is None:
            return None
        row = await info.context.loaders.town_by_id.load(self.town_id)
        return TownType.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.strategy_area_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


def _areas(rows: Sequence[StrategyArea | AreaHeader]) -> list[StrategyAreaType]:
    return [StrategyAreaType.from_row(row) for row in rows]


@strawberry.type(name="Town", description="A town of the region with its own participation strategy.")
class TownType(relay.Node):
    id: relay.NodeID[str]
    slug: str
    name: str
    is_pioneer: bool = strawberry.field(description="One of the five pioneer towns of the smart-city strategy.")
    row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Town | TownHeader) -> Self:
        return cls(id=str(row.id), slug=row.slug, name=row.name, is_pioneer=row.is_pioneer, row_id=row.id)

    @strawberry.field(
        description="The town's webhook subscriptions with their latest deliveries (the town's admins, region admins)."
    )
    async def webhook_subscriptions(
        self, info: Info
    ) -> list[Annotated[WebhookSubscriptionType, strawberry.lazy("schema.webhooks.types")]]:
        from schema.webhooks.types import WebhookSubscriptionType  # noqa: PLC0415 - the types import each other
        from service.webhooks.subscriptions import of_town  # noqa: PLC0415

        async with info.context.uow.session() as session:
            rows = await of_town(session, info.context.viewer, self.row_id)
        return [WebhookSubscriptionType.from_row(row) for row in rows]

    @strawberry.field(
        description="The town's fields of action (Handlungsfelder), in the town's order.",
        graphql_type=list[StrategyAreaType],
    )
    def strategy_areas(self, info: Info) -> list[StrategyAreaType] | Awaitable[list[StrategyAreaType]]:
        # At once when the town's query read them with the town (a town's page), else one batch for all towns.
        return resolved(info.context.loaders.strategy_areas_by_town_id, self.row_id, _areas)

    @strawberry.field(description="Published ideas of this town, one page at a time (`first` at most 100).")
    async def ideas(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: Annotated[IdeaFilterInput, strawberry.lazy("schema.ideas.types")] | None = None,
        order_by: Annotated[IdeaOrder | None, strawberry.argument(description=ORDER_BY_DESCRIPTION)] = None,
    ) -> Annotated[IdeaConnection, strawberry.lazy("schema.ideas.types")]:
        from schema.ideas.queries import idea_feed  # noqa: PLC0415 - the ideas adapter imports this module

        return await idea_feed(info, town=self, first=first, after=after, filter=filter, order_by=order_by)

    @strawberry.field(
        description="The town's surveys the caller may see (drafts and archived ones only for the town's staff), "
        "newest first (`first` at most 100).",
        graphql_type=Annotated["SurveyConnection", strawberry.lazy("schema.surveys.types")],
    )
    def surveys(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: Annotated[SurveyStatus, strawberry.lazy("schema.surveys.types")] | None = None,
    ) -> SurveyConnection | Awaitable[SurveyConnection]:
        from schema.surveys.queries import survey_connection, survey_list  # noqa: PLC0415 - they import this module

        # Read with the town (a town's page, see `schema/towns/page_lists.py`): at once, no statement of its own.
        page = first_surveys_page(info, self.row_id, first=first, after=after, status=status)
        if page is not None:
            return survey_connection(page, after=None)
        return survey_list(info, town_id=self.row_id, first=first, after=after, status=status)

    @strawberry.field(
        description="Published volunteer offers of this town, newest first (`first` at most 100).",
        graphql_type=Annotated["OfferConnection", strawberry.lazy("schema.volunteering.types")],
    )
    def offers(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: Annotated[OfferFilterInput, strawberry.lazy("schema.volunteering.types")] | None = None,
    ) -> OfferConnection | Awaitable[OfferConnection]:
        from schema.volunteering.queries import offer_connection, offer_search  # noqa: PLC0415 - they import this

        page = first_offers_page(info, self.row_id, first=first, after=after, filtered=filter is not None)
        if page is not None:
            return offer_connection(page, after=None)
        return offer_search(info, town_id=self.row_id, first=first, after=after, filter=filter)

    @strawberry.field(
        description="The town's organisations the caller may see: unverified ones only for the town's staff and "
        "admins (and their own managers), newest first (`first` at most 100)."
    )
    async def organisations(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: Annotated[OrganisationStatus, strawberry.lazy("schema.volunteering.types")] | None = None,
    ) -> Annotated[OrganisationConnection, strawberry.lazy("schema.volunteering.types")]:
        from schema.volunteering.queries import organisation_list  # noqa: PLC0415 - that adapter imports this module

        return await organisation_list(info, town_id=self.row_id, first=first, after=after, status=status)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.town_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]
