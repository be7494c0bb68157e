"""Open data over HTTP: `/open-data/{scope}.csv`, `.json` and `.meta.json` for the region and every town.

`scope` is `suedwestfalen` for the region roll-up or a town's slug. Public, read-only, suppressed like the files
of `mitmachen tally --export`. 503 with `Retry-After` while the database does not answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from mitmachen.unavailable import unavailable_gives_503
from service.tallies import report
from service.towns.models import Town

REGION = "suedwestfalen"
_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "meta.json": "application/json"}
_SCOPE = re.compile(r"^[a-z0-9-]{1,64}$")


def open_data_routes(session_factory: Callable[[], async_sessionmaker[AsyncSession]]) -> list[BaseRoute]:
    @unavailable_gives_503()
    async def serve(request: Request) -> Response:
        scope, kind = _split(request.path_params["name"])
        if not _SCOPE.match(scope) or not kind:
            return PlainTextResponse("Nicht gefunden.", status_code=404)
        async with session_factory()() as session:
            slug = None if scope == REGION else scope
            name = report.REGION_NAME
            if slug is not None:
                found = await session.scalar(select(Town.name).where(Town.slug == slug))
                if found is None:
                    return PlainTextResponse("Diese Stadt gibt es nicht.", status_code=404)
                name = found
            files = await report.open_data_files(session, slug=slug, name=name, file_name=scope)
        return Response(files[kind], media_type=_MEDIA_TYPES[kind], headers=_cache())

    return [Route("/open-data/{name}", serve, methods=["GET"])]


def _split(name: str) -> tuple[str, str]:
    """`soest.meta.json` -> ("soest", "meta.json"); a path parameter `{scope}.{kind}` would split at the last dot."""
    for kind in ("meta.json", "csv", "json"):
        if name.endswith(f".{kind}"):
            return name.removesuffix(f".{kind}"), kind
    return name, ""


def _cache() -> dict[str, str]:
    # Tallies change at most once per recompute; five minutes of caching keeps crawlers cheap.
    return {"Cache-Control": "public, max-age=300"}
