from __future__ import annotations

from datetime import datetime

import strawberry

from schema.mutation import Call, mutation
from service.tallies import service


@strawberry.type(description="A recompute is queued; the report shows its figures once it has finished.")
class TallyRecomputeRequested:
    last_computed_at: datetime | None = strawberry.field(description="When the figures now shown were computed.")


@strawberry.type
class TallyMutations:
    @mutation("Recompute every participation tally now rather than at the next hourly run (staff).")
    async def recompute_tallies(call: Call) -> TallyRecomputeRequested:
        return TallyRecomputeRequested(last_computed_at=await service.request_recompute(call.session, call.viewer))
