"""`RateLimited("action")`: a field extension that counts each call of a mutation against the rate limits.

Place it on a mutation after its guard, e.g.
`@strawberry.mutation(permission_classes=[Authenticated], extensions=[RateLimited("idea.submit")])`: the guard
runs first, so refused callers are not counted. A caller over a limit gets a top-level error with
`extensions.code = "RATE_LIMITED"` and `extensions.retryAfterSeconds`, and the response a `Retry-After` header.
Only async resolvers can carry it (strawberry refuses the schema otherwise).

Actions are named `domain.verb`, each counted on its own: `idea.submit`, `idea.support`, `idea.comment`,
`content.report`; volunteering and surveys attach theirs the same way (`shift.sign_up`, `survey.answer`).

When the mutation is the first field of its document, the query budget (`schema/budget.py`) is read in the same
Redis round trip as the limit: one round trip per write, before the mutation takes a database connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response
from strawberry.extensions import FieldExtension

from schema.context import Info
from service.kit.ratelimit import RateLimitExceeded


class RateLimited(FieldExtension):
    def __init__(self, action: str) -> None:
        self.action = action

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any) -> Any:
        context = info.context
        # The budget of a mutation waiting to be read (`QueryBudgetCharge`): read with this limit, once.
        deferred, context.deferred_budget = context.deferred_budget, None
        try:
            budget = await context.rate_limiter.hit(
                self.action,
                person_id=context.viewer.user_id,
                address=context.client_address,
                budget=deferred.counter if deferred is not None else None,
            )
        except RateLimitExceeded as limited:
            if deferred is not None:
                deferred.read(limited.budget)
            sub_response: Response | None = getattr(context.request.state, "graphql_sub_response", None)
            if sub_response is not None:
                sub_response.headers["Retry-After"] = str(limited.retry_after_seconds)
            raise
        if deferred is not None:
            deferred.read(budget)
        return await next_(source, info, **kwargs)
