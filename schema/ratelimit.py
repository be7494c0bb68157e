"""`RateLimited("action")`: a field extension that counts each call of a mutation against the rate limits.

Place it on a mutation after its guard, e.g.
`@strawberry.mutation(permission_classes=[Authenticated], extensions=[RateLimited("idea.submit")])`: the guard
runs first, so refused callers are not counted. A caller over a limit gets a top-level error with
`extensions.code = "RATE_LIMITED"` and `extensions.retryAfterSeconds`, and the response a `Retry-After` header.
Only async resolvers can carry it (strawberry refuses the schema otherwise).

Actions are named `domain.verb`, each counted on its own: `idea.submit`, `idea.support`, `idea.comment`,
`content.report`; volunteering and surveys attach theirs the same way (`shift.sign_up`, `survey.answer`).
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
        try:
            await context.rate_limiter.hit(
                self.action, person_id=context.viewer.user_id, address=context.client_address
            )
        except RateLimitExceeded as limited:
            sub_response: Response | None = getattr(context.request.state, "graphql_sub_response", None)
            if sub_response is not None:
                sub_response.headers["Retry-After"] = str(limited.retry_after_seconds)
            raise
        return await next_(source, info, **kwargs)
