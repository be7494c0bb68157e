from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, run_mutation
from schema.permissions import Authenticated
from service.tallies import service


@strawberry.type(description="A recompute is queued; the report shows its figures once it has finished.")
class TallyRecomputeRequested:
    last_computed_at: datetime | None = strawberry.field(description="When the figures now shown were computed.")


RecomputeTalliesResult = Annotated[
    TallyRecomputeRequested | InvalidInput | NotFoundError, strawberry.union("RecomputeTalliesResult")
]


@strawberry.type
class TallyMutations:
    @strawberry.mutation(
        description="Recompute every participation tally now rather than at the next hourly run (staff).",
        permission_classes=[Authenticated],
    )
    async def recompute_tallies(self, info: Info) -> RecomputeTalliesResult:
        async def action(session: AsyncSession) -> TallyRecomputeRequested:
            last = await service.request_recompute(session, info.context.viewer)
            return TallyRecomputeRequested(last_computed_at=last)

        return await run_mutation(info, action)
