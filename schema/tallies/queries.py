from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import decode_id
from schema.permissions import Authenticated
from schema.tallies.types import ParticipationReport
from service.kit.errors import InvalidArgument, UserError
from service.tallies import report
from service.tallies.models import Period


def _decode(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return decode_id(value, type_name, field=field)
    except UserError as error:
        raise InvalidArgument(error.message) from None


@strawberry.type
class TallyQueries:
    @strawberry.field(
        description=(
            "Participation figures per strategy area and period, from the period containing `from` (the report's "
            "`from` is that period's first day) to the last period starting by `to` (a town's staff and admins; "
            "region staff and region admins for every town and, without `town`, the region)."
        ),
        permission_classes=[Authenticated],
    )
    async def participation_report(
        self,
        info: Info,
        *,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        period: Period = Period.MONTH,
        town: Annotated[strawberry.ID | None, strawberry.argument(description="Leave out for the region.")] = None,
        strategy_area: strawberry.ID | None = None,
    ) -> ParticipationReport:
        async with info.context.uow.session() as session:
            found = await report.participation_report(
                session,
                info.context.viewer,
                town_id=_decode(town, "Town", "town"),
                from_date=from_,
                to_date=to,
                period=period,
                strategy_area_id=_decode(strategy_area, "StrategyArea", "strategyArea"),
            )
        return ParticipationReport.from_report(found)
