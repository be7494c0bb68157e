"""`/open-data/events.jsonl`: the region's public events for open-data portals, one payload per line, the same as
the `events` feed gives, paged by the plain `sequence` of the last line read, public and cacheable."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select, text

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.events.log import EventType, record
from service.towns.models import Town
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

PATH = "/open-data/events.jsonl"
FEED = """query F($after: String) { events(first: 100, after: $after) {
  edges { node { payload } } pageInfo { hasNextPage endCursor } } }"""


async def _town_id(runtime: Runtime, slug: str) -> uuid.UUID:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        found = await session.scalar(select(Town.id).where(Town.slug == slug))
    assert found is not None
    return found


async def _many_events(runtime: Runtime, slug: str, count: int) -> None:
    """`count` idea.published events of a town in one statement (the log's own writer is tested elsewhere)."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await session.execute(
            text(
                "INSERT INTO events (type, town_id, subject_type, subject_id, data) "
                "SELECT 'idea.published', :town, 'Idea', gen_random_uuid(), jsonb_build_object('title', 'Idee ' || n) "
                "FROM generate_series(1, :count) AS n"
            ),
            {"town": await _town_id(runtime, slug), "count": count},
        )


def _lines(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def _next(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    target, relation = link.split(";")
    assert relation.strip() == 'rel="next"'
    url = urlsplit(target.strip().strip("<>"))
    assert url.path == PATH
    return f"{url.path}?{url.query}"


async def _feed(graphql: GraphQLClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await graphql(FEED, {"after": after}))["data"]["events"]
        found += [edge["node"]["payload"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def test_every_event_once_in_order_in_pages_of_a_thousand_as_the_feed_gives_them(
    runtime: Runtime, client: httpx.AsyncClient, graphql: GraphQLClient
) -> None:
    await _many_events(runtime, "soest", 1001)
    await _many_events(runtime, "olpe", 1)

    first = await client.get(PATH)
    assert first.headers["content-type"] == "application/jsonl"
    assert first.headers["cache-control"] == "public, max-age=60"
    lines = _lines(first)
    assert len(lines) == 1000
    following = _next(first)
    assert following == f"{PATH}?after={lines[-1]['sequence']}"
    second = await client.get(following)
    lines += _lines(second)
    assert _next(second) is None

    assert lines == await _feed(graphql)
    sequences = [int(line["sequence"]) for line in lines]
    assert sequences == sorted(set(sequences))
    assert [line["town"]["slug"] for line in lines].count("olpe") == 1
    # A follower that has read everything gets an empty page, then what came since.
    assert _lines(await client.get(f"{PATH}?after={sequences[-1]}")) == []
    await _many_events(runtime, "soest", 1)
    assert len(_lines(await client.get(f"{PATH}?after={sequences[-1]}"))) == 1


async def test_town_and_type_filters_carry_over_to_the_next_page(runtime: Runtime, client: httpx.AsyncClient) -> None:
    await _many_events(runtime, "olpe", 1002)
    await _many_events(runtime, "soest", 2)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await record(
            session,
            EventType.SURVEY_CLOSED,
            town_id=await _town_id(runtime, "olpe"),
            subject_type="Survey",
            subject_id=uuid.uuid4(),
            data={"title": "Umfrage"},
        )

    assert [line["town"]["slug"] for line in _lines(await client.get(f"{PATH}?town=soest"))] == ["soest", "soest"]
    first = await client.get(f"{PATH}?town=olpe&types=idea.published")
    assert len(_lines(first)) == 1000
    following = _next(first)
    assert following is not None
    assert "town=olpe" in following
    assert "types=idea.published" in following
    assert [line["type"] for line in _lines(await client.get(following))] == ["idea.published"] * 2
    closed = _lines(await client.get(f"{PATH}?types=survey.closed,survey.published"))
    assert [(line["type"], line["data"]) for line in closed] == [("survey.closed", {"title": "Umfrage"})]


async def test_a_tombstone_leaves_only_the_tombstone_and_an_emptied_publication(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    idea = uuid.uuid4()
    soest = await _town_id(runtime, "soest")
    for event_type, data in ((EventType.IDEA_PUBLISHED, {"title": "Bald versteckt"}), (EventType.IDEA_REMOVED, None)):
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await record(session, event_type, town_id=soest, subject_type="Idea", subject_id=idea, data=data)

    response = await client.get(PATH)

    assert [(line["type"], line["data"]) for line in _lines(response)] == [("idea.published", {}), ("idea.removed", {})]
    assert "Bald versteckt" not in response.text


async def test_everyone_reads_the_same_file(
    runtime: Runtime, client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    await _many_events(runtime, "soest", 3)
    await _many_events(runtime, "olpe", 2)
    callers = [
        await person(runtime, oidc_provider, "buergerin"),
        await person(runtime, oidc_provider, "buerger"),
        await person(runtime, oidc_provider, "moderatorin", roles_held=((Role.MODERATOR, "soest"),)),
        await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),)),
        await person(runtime, oidc_provider, "staff-olpe", roles_held=((Role.STAFF, "olpe"),)),
        await person(runtime, oidc_provider, "admin-olpe", roles_held=((Role.ADMIN, "olpe"),)),
        await person(runtime, oidc_provider, "region-admin", roles_held=((Role.REGION_ADMIN, None),)),
    ]
    anonymous = await client.get(PATH)
    assert len(_lines(anonymous)) == 5
    for caller in callers:
        answer = await client.get(PATH, headers=caller.headers)
        assert answer.status_code == 200
        assert answer.content == anonymous.content


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("after=abc", 400, "Folgenummer"),
        ("after=-1", 400, "Folgenummer"),
        ("after=" + "9" * 20, 400, "Folgenummer"),
        ("after=" + "9" * 19, 400, "Folgenummer"),  # 19 digits, beyond the largest bigint
        ("after=%C2%B2", 400, "Folgenummer"),  # a superscript two: a digit to str.isdigit, not to int()
        ("types=idea.deleted", 400, "Unbekannte Ereignisart"),
        ("types=", 400, "Unbekannte Ereignisart"),
        ("first=10", 400, "Unbekannter Parameter"),
        ("town=gibt-es-nicht", 404, "Diese Stadt gibt es nicht"),
        ("town=%2E%2E%2Fetc", 404, "Diese Stadt gibt es nicht"),
    ],
)
async def test_bad_parameters_are_refused_with_a_german_message(
    runtime: Runtime, client: httpx.AsyncClient, query: str, status: int, words: str
) -> None:
    response = await client.get(f"{PATH}?{query}")
    assert response.status_code == status
    assert words in response.text
    if status == 400:
        assert response.json()["code"] == "BAD_USER_INPUT"
