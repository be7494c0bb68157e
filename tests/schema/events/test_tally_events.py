"""`tallies.recomputed`: written by the recompute in its own transaction, one per scope of open data whose published
figures changed (a town: an event of that town; the region roll-up: an event without a town), with a digest of the
published figures only, how many there are and where to read them. Received by the town's own subscriptions (the
region's by region-wide ones), listed by the feed and the open-data file."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.events.models import Event
from service.ideas.models import Lifecycle, Support
from service.tallies.compute import TallyResult, recompute
from service.tallies.models import ParticipationTally
from service.towns.models import Town
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import global_id
from tests.service.moderation import factories
from tests.service.webhooks.receiver import receiver
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.webhooks import subscribe, town_admin
from workers.jobs.webhooks import deliver

EVENTS = """query E($town: ID) { events(first: 100, town: $town, types: ["tallies.recomputed"]) {
  edges { node { type townId townSlug node payload } } } }"""
WHEN = datetime(2026, 11, 4, 10, tzinfo=UTC)
TYPES = ["tallies.recomputed"]


async def _ideas(runtime: Runtime, slug: str, authors: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """One published idea per author, all on the same day (no event of their own: written as rows)."""
    return [
        await factories.idea_row(
            runtime, author, slug=slug, title=f"Idee Nummer {number}", lifecycle=Lifecycle.PUBLISHED, created_at=WHEN
        )
        for number, author in enumerate(authors)
    ]


async def _support(runtime: Runtime, slug: str, idea_id: uuid.UUID, user_id: uuid.UUID) -> None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        town_id = await session.scalar(select(Town.id).where(Town.slug == slug))
        assert town_id is not None
        session.add(Support(idea_id=idea_id, user_id=user_id, town_id=town_id, created_at=WHEN))


async def _region(runtime: Runtime) -> dict[str, Any]:
    """Soest: six people (figures published); Olpe: two people, one supporting the other (every figure left out)."""
    soest = [await factories.user(runtime, f"Soester {number}") for number in range(6)]
    olpe = [await factories.user(runtime, f"Olper {number}") for number in range(2)]
    await _ideas(runtime, "soest", soest)
    olpe_ideas = await _ideas(runtime, "olpe", olpe)
    await _support(runtime, "olpe", olpe_ideas[0], olpe[1])
    return {"olpe": olpe, "olpe_ideas": olpe_ideas}


async def _recompute(runtime: Runtime) -> TallyResult:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await recompute(session)


async def _events(graphql: GraphQLClient, town: str | None = None) -> list[dict[str, Any]]:
    body = await graphql(EVENTS, {"town": town})
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["events"]["edges"]]


async def _count(runtime: Runtime) -> int:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def _public_figures(runtime: Runtime, town_id: uuid.UUID | None) -> tuple[int, str]:
    """How many figures a scope has and the digest of what open data shows of them, computed here in Python."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = (
            await session.scalars(
                select(ParticipationTally).where(
                    ParticipationTally.town_id == town_id if town_id else ParticipationTally.town_id.is_(None)
                )
            )
        ).all()
    lines = sorted(
        (
            str(row.strategy_area_id or ""),
            row.period,
            row.period_start.isoformat(),
            row.metric,
            "" if row.suppressed else str(row.value),
            "true" if row.suppressed else "false",
        )
        for row in rows
    )
    text = "\n".join("|".join(line) for line in lines)
    return len(rows), hashlib.sha256(text.encode()).hexdigest()


async def test_each_scope_whose_published_figures_changed_gets_one_event_and_a_rerun_none(
    runtime: Runtime, graphql: GraphQLClient
) -> None:
    await _region(runtime)
    soest, olpe = await factories.town(runtime, "soest"), await factories.town(runtime, "olpe")

    first = await _recompute(runtime)
    events = await _events(graphql)
    again = await _recompute(runtime)

    assert first.events == 3
    assert again.events == 0
    assert await _events(graphql) == events, "nothing changed: no event"
    by_scope = {event["townSlug"]: event for event in events}
    assert set(by_scope) == {"soest", "olpe", None}
    for slug, town_id in (("soest", soest), ("olpe", olpe), (None, None)):
        event = by_scope[slug]
        payload = event["payload"]
        figures, digest = await _public_figures(runtime, town_id)
        file_name = slug or "suedwestfalen"
        assert payload["data"] == {
            "digest": f"sha256:{digest}",
            "figures": figures,
            "openData": {
                "csv": f"/open-data/{file_name}.csv",
                "json": f"/open-data/{file_name}.json",
                "meta": f"/open-data/{file_name}.meta.json",
            },
        }
        assert figures > 0
        assert payload["version"] == 1
        assert payload["type"] == event["type"] == "tallies.recomputed"
        if town_id is None:
            assert (event["townId"], payload["town"]) == (None, None)
            assert base64.b64decode(event["node"]).decode().startswith("TallyRun:")
        else:
            assert event["townId"] == global_id("Town", town_id)
            assert payload["town"] == {"id": global_id("Town", town_id), "slug": slug}
            assert event["node"] == global_id("Town", town_id)
    # A town's feed has its own event only; the region's is in the feed without a town.
    assert [event["townSlug"] for event in await _events(graphql, global_id("Town", olpe))] == ["olpe"]


async def _digests(runtime: Runtime) -> dict[str | None, str]:
    return {
        slug: (await _public_figures(runtime, await factories.town(runtime, slug) if slug else None))[1]
        for slug in ("soest", "olpe", None)
    }


async def test_a_change_inside_left_out_figures_writes_no_event_and_a_published_change_only_its_scopes(
    runtime: Runtime, graphql: GraphQLClient
) -> None:
    region = await _region(runtime)
    await _recompute(runtime)
    before = await _events(graphql)
    published_before = await _digests(runtime)

    # Olpe's second support: its supports figure goes from 1 to 2, still left out (two people).
    await _support(runtime, "olpe", region["olpe_ideas"][1], region["olpe"][0])
    hidden_change = await _recompute(runtime)
    after_hidden = await _events(graphql)
    # Three more people in Olpe: its figures are published now, and the region's change with them.
    await _ideas(runtime, "olpe", [await factories.user(runtime, f"Neu {number}") for number in range(3)])
    published_change = await _recompute(runtime)
    new = (await _events(graphql))[len(before) :]
    published_after = await _digests(runtime)

    assert hidden_change.changed > 0, "the table did change"
    assert hidden_change.events == 0
    assert after_hidden == before
    changed = {slug for slug in published_after if published_after[slug] != published_before[slug]}
    assert {"olpe", None} <= changed
    assert published_change.events == len(new) == len(changed)
    assert {event["townSlug"] for event in new} == changed
    assert {event["townSlug"]: event["payload"]["data"]["digest"] for event in new} == {
        slug: f"sha256:{published_after[slug]}" for slug in changed
    }


async def test_the_events_roll_back_with_the_recompute(runtime: Runtime, graphql: GraphQLClient) -> None:
    await _region(runtime)
    before = await _count(runtime)

    class Abort(Exception):
        pass

    written_inside: list[int] = []

    async def recompute_then_fail() -> None:
        async with runtime.unit_of_work() as uow, uow.session() as session:
            written_inside.append((await recompute(session)).events)
            raise Abort

    with pytest.raises(Abort):
        await recompute_then_fail()

    assert written_inside == [3]
    assert await _count(runtime) == before
    assert await _events(graphql) == []
    # The next run finds the same changes (the rolled-back run left no digests behind) and writes them.
    assert (await _recompute(runtime)).events == 3


async def test_a_towns_subscription_receives_its_own_towns_event_and_a_region_wide_one_every_scope(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    await _region(runtime)
    soest_admin = await town_admin(runtime, oidc_provider, "soest")
    olpe_admin = await town_admin(runtime, oidc_provider, "olpe")
    region_admin = await person(runtime, oidc_provider, "tally-region-admin", roles_held=((Role.REGION_ADMIN, None),))
    with receiver() as hook:
        secrets = {
            "/soest": (await subscribe(graphql, soest_admin, "soest", hook.url("/soest"), TYPES))["secret"],
            "/olpe": (await subscribe(graphql, olpe_admin, "olpe", hook.url("/olpe"), TYPES))["secret"],
            "/region": (await subscribe(graphql, region_admin, None, hook.url("/region"), TYPES))["secret"],
        }
        await _recompute(runtime)
        await deliver({"runtime": runtime}, schedule=(timedelta(0),))

    received: dict[str, list[Any]] = {path: [] for path in secrets}
    for item in hook.received:
        payload = Webhook(secrets[item.path]).verify(item.body, item.headers)
        received[item.path].append(payload["town"] and payload["town"]["slug"])
    assert received["/soest"] == ["soest"]
    assert received["/olpe"] == ["olpe"]
    assert sorted(received["/region"], key=str) == sorted(["soest", "olpe", None], key=str)


async def test_the_open_data_file_lists_them_the_region_only_without_a_town_filter(
    runtime: Runtime, client: httpx.AsyncClient, graphql: GraphQLClient
) -> None:
    await _region(runtime)
    await _recompute(runtime)

    everything = await client.get("/open-data/events.jsonl?types=tallies.recomputed")
    soest = await client.get("/open-data/events.jsonl?town=soest&types=tallies.recomputed")

    assert everything.status_code == soest.status_code == 200
    lines = [json.loads(line) for line in everything.text.splitlines()]
    assert lines == [event["payload"] for event in await _events(graphql)]
    assert sorted((line["town"] or {}).get("slug", "") for line in lines) == ["", "olpe", "soest"]
    assert [json.loads(line)["town"]["slug"] for line in soest.text.splitlines()] == ["soest"]
