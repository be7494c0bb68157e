from __future__ import annotations

import uuid

import strawberry

from schema.context import Info
from schema.errors import decode_id
from schema.pagination import connection_from_page
from schema.permissions import Public
from schema.surveys.types import SurveyConnection, SurveyEdge, SurveyType
from service.kit.errors import InvalidArgument, UserError
from service.surveys.models import SurveyStatus
from service.surveys.repository import SurveyPage, list_open_surveys, list_surveys


async def survey_list(
    info: Info, *, town_id: uuid.UUID, first: int, after: str | None, status: SurveyStatus | None
) -> SurveyConnection:
    async with info.context.uow.session() as session:
        page = await list_surveys(
            session, info.context.viewer, town_id=town_id, status=status, first=first, after=after
        )
    return survey_connection(page, after=after)


def survey_connection(page: SurveyPage, *, after: str | None) -> SurveyConnection:
    return connection_from_page(SurveyConnection, SurveyEdge, page, SurveyType.from_row, after=after)


@strawberry.type
class SurveyQueries:
    @strawberry.field(
        description="Open surveys of the whole region (published, opened and not yet closed), newest first "
        "(`first` at most 100).",
        permission_classes=[Public],
    )
    async def surveys(self, info: Info, first: int = 20, after: str | None = None) -> SurveyConnection:
        async with info.context.uow.session() as session:
            page = await list_open_surveys(session, first=first, after=after)
        return connection_from_page(SurveyConnection, SurveyEdge, page, SurveyType.from_row, after=after)

    @strawberry.field(
        description="One survey by its global id; null when it does not exist or the caller may not see it.",
        permission_classes=[Public],
    )
    async def survey(self, info: Info, id: strawberry.ID) -> SurveyType | None:
        try:
            survey_id = decode_id(id, "Survey", field="id")
        except UserError as error:
            raise InvalidArgument(error.message) from None
        row = await info.context.loaders.survey_by_id.load(survey_id)
        return SurveyType.from_row(row) if row else None
