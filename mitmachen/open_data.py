"""Open data over HTTP: `/open-data/{scope}.csv`, `.json` and `.meta.json` for the region and every town, and the
region's public events as JSON Lines, `/open-data/events.jsonl`.

`scope` is `suedwestfalen` for the region roll-up or a town's slug. Public, read-only, suppressed like the files
of `mitmachen tally --export`. 503 with `Retry-After` while the database does not answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from mitmachen.unavailable import unavailable_gives_503
from service.events.log import open_data_page
from service.kit.errors import InvalidArgument
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

    @unavailable_gives_503()
    async def events(request: Request) -> Response:
        """One page of up to 1 000 events, oldest first, one payload (as webhooks send it) per line. `after`: the
        `sequence` of the last line read; `town`: a town's slug; `types`: comma-separated event types. The next
        page is named in a `Link: <…>; rel="next"` header while there is one."""
        query = request.query_params
        unknown = sorted(set(query) - {"after", "town", "types"})
        if unknown:
            return _bad_request(f"Unbekannter Parameter: {', '.join(unknown)[:100]}. Erlaubt: after, town, types.")
        slug = query.get("town")
        types = query["types"].split(",") if "types" in query else None
        async with session_factory()() as session:
            town_id = None
            if slug is not None:
                town_id = await session.scalar(select(Town.id).where(Town.slug == slug)) if _SCOPE.match(slug) else None
                if town_id is None:
                    return PlainTextResponse("Diese Stadt gibt es nicht.", status_code=404)
            try:
                page = await open_data_page(session, after=query.get("after"), town_id=town_id, types=types)
            except InvalidArgument as error:
                return _bad_request(str(error))
        body = b"".join(orjson.dumps(event.payload()) + b"\n" for event in page.items)
        # A minute: new events show soon, and a tombstone empties earlier lines of a page.
        headers = {"Cache-Control": "public, max-age=60"}
        if page.has_next_page:
            following = {key: value for key, value in query.items() if key != "after"}
            following["after"] = str(page.items[-1].sequence)
            headers["Link"] = f'</open-data/events.jsonl?{urlencode(following)}>; rel="next"'
        return Response(body, media_type="application/jsonl", headers=headers)

    # Listed first: `events.jsonl` is not a `{scope}.{kind}` of the tallies.
    return [
        Route("/open-data/events.jsonl", events, methods=["GET"]),
        Route("/open-data/{name}", serve, methods=["GET"]),
    ]


def _bad_request(message: str) -> Response:
    return JSONResponse({"code": "BAD_USER_INPUT", "message": message}, status_code=400)


def _split(name: str) -> tuple[str, str]:
    """`soest.meta.json` -> ("soest", "meta.json"); a path parameter `{scope}.{kind}` would split at the last dot."""
    for kind in ("meta.json", "csv", "json"):
        if name.endswith(f".{kind}"):
            return name.removesuffix(f".{kind}"), kind
    return name, ""


def _cache() -> dict[str, str]:
    # Tallies change at most once per recompute; five minutes of caching keeps crawlers cheap.
    return {"Cache-Control": "public, max-age=300"}
