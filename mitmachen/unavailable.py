"""Plain HTTP routes that read the database answer 503 with `Retry-After` when it does not answer, as `/graphql`
does: nothing about the request was wrong, and trying again shortly is the right thing to do."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from schema.view import RETRY_AFTER_UNAVAILABLE_SECONDS
from service.db.availability import database_unavailable

logger = logging.getLogger("mitmachen.http")

Endpoint = Callable[[Request], Awaitable[Response]]
MESSAGE = "Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal."


def unavailable_gives_503(headers: Mapping[str, str] | None = None) -> Callable[[Endpoint], Endpoint]:
    """Answer 503 (`Retry-After`, plus `headers`) when the endpoint meets an unreachable database; every other
    failure goes on as before."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            try:
                return await endpoint(request)
            except Exception as error:
                if not database_unavailable(error):
                    raise
                logger.warning("database unavailable: %s", type(error).__name__)
                return PlainTextResponse(
                    MESSAGE,
                    status_code=503,
                    headers={**(headers or {}), "Retry-After": str(RETRY_AFTER_UNAVAILABLE_SECONDS)},
                )

        return guarded

    return decorate
