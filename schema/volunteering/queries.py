from __future__ import annotations

import uuid

import strawberry

from schema.context import Info
from schema.errors import decode_id
from schema.pagination import connection_from_page
from schema.permissions import Authenticated, Public
from schema.volunteering.types import (
    MyEngagementsType,
    OfferConnection,
    OfferEdge,
    OfferFilterInput,
    OfferType,
    OrganisationConnection,
    OrganisationEdge,
    OrganisationType,
    SignUpType,
    YearlyHoursType,
)
from service.kit.errors import InvalidArgument, UserError
from service.kit.geo import GeoPoint, Near
from service.volunteering import repository
from service.volunteering.models import OrganisationStatus
from service.volunteering.search import OfferFilter, OfferPage, list_offers

DEFAULT_PAGE_SIZE = 20


def _filter(value: OfferFilterInput | None) -> OfferFilter:
    if value is None:
        return OfferFilter()
    try:
        area = (
            decode_id(value.strategy_area_id, "StrategyArea", field="strategyAreaId")
            if value.strategy_area_id
            else None
        )
    except UserError as error:
        raise InvalidArgument(error.message) from None
    near = None
    if value.near is not None:
        near = Near(GeoPoint(value.near.latitude, value.near.longitude), value.near.radius_km)
    return OfferFilter(
        text=value.text,
        skills=tuple(value.skills or ()),
        strategy_area_id=area,
        starts_after=value.starts_after,
        starts_before=value.starts_before,
        near=near,
    )


async def organisation_list(
    info: Info, *, town_id: uuid.UUID, first: int, after: str | None, status: OrganisationStatus | None
) -> OrganisationConnection:
    async with info.context.uow.session() as session:
        page = await repository.list_organisations(
            session, info.context.viewer, town_id=town_id, status=status, first=first, after=after
        )
    return connection_from_page(OrganisationConnection, OrganisationEdge, page, OrganisationType.from_row, after=after)


async def offer_search(
    info: Info, *, town_id: uuid.UUID | None, first: int, after: str | None, filter: OfferFilterInput | None
) -> OfferConnection:
    async with info.context.uow.session() as session:
        page = await list_offers(session, town_id=town_id, offer_filter=_filter(filter), first=first, after=after)
    return offer_connection(page, after=after)


def offer_connection(page: OfferPage, *, after: str | None) -> OfferConnection:
    return connection_from_page(OfferConnection, OfferEdge, page, OfferType.from_row, after=after)


@strawberry.type
class VolunteeringQueries:
    @strawberry.field(
        description="Published volunteer offers of the whole region, newest first.", permission_classes=[Public]
    )
    async def offers(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: OfferFilterInput | None = None,
    ) -> OfferConnection:
        return await offer_search(info, town_id=None, first=first, after=after, filter=filter)

    @strawberry.field(
        description="An organisation; unverified ones only for their managers and their town's staff.",
        permission_classes=[Public],
    )
    async def organisation(self, info: Info, id: strawberry.ID) -> OrganisationType | None:
        try:
            organisation_id = decode_id(id, "Organisation", field="id")
        except UserError:
            return None
        row = await info.context.loaders.organisation_by_id.load(organisation_id)
        return OrganisationType.from_row(row) if row else None

    @strawberry.field(
        description="The logged-in person's sign-ups and confirmed hours per year.",
        permission_classes=[Authenticated],
    )
    async def my_engagements(self, info: Info) -> MyEngagementsType:
        user_id = info.context.viewer.require_person()
        async with info.context.uow.session() as session:
            sign_ups = await repository.engagements(session, user_id)
            totals = await repository.yearly_totals(session, user_id)
        return MyEngagementsType(
            sign_ups=[SignUpType.from_row(row) for row in sign_ups],
            yearly_totals=[YearlyHoursType.from_total(total) for total in totals],
        )
