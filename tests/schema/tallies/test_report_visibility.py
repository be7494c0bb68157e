"""The ideas behind a report's figures follow the same visibility policy as `node(id:)`, for every caller and
every lifecycle state: counting an idea in a number never shows it to someone who may not read it."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.ideas.models import Lifecycle
from service.tallies.compute import recompute
from service.tallies.models import Metric
from service.tallies.report import IDEA_METRICS
from tests.conftest import GraphQLClient
from tests.support.ideas import STATES, codes, idea_gid, insert_comment_directly, insert_idea_directly, row_id, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

BERLIN = ZoneInfo("Europe/Berlin")
TRACE = """
query Trace($town: ID) {
  participationReport(from: "2025-01-01", to: "2027-12-31", period: YEAR, town: $town) {
    figures { periodStart metric strategyArea { id } ideas(first: 100) { edges { node { id body } } } }
  }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Idea { body } } }"

Listing = dict[tuple[str, str | None, str], set[uuid.UUID]]


async def _ideas_in_every_state(runtime: Runtime, author: Person, supporter: Person) -> dict[uuid.UUID, str]:
    """Ideas in Soest and Arnsberg in every state, each supported and commented on so that every figure lists it."""
    made: dict[uuid.UUID, str] = {}
    for town in ("soest", "arnsberg"):
        for name, lifecycle, held in STATES:
            idea_id = await insert_idea_directly(
                runtime,
                author_id=author.user_id,
                town=town,
                title=f"Idee {name} in {town}",
                body=f"Rufen Sie mich an: 0171 {len(made):07d}",
                lifecycle=lifecycle,
            )
            async with runtime.engine.begin() as connection:
                await connection.execute(
                    text(
                        "UPDATE ideas SET published_at = coalesce(published_at, now()), "
                        "held_at = CASE WHEN :held THEN now() END WHERE id = :id"
                    ),
                    {"held": held, "id": idea_id},
                )
                await connection.execute(
                    text(
                        "INSERT INTO idea_supports (idea_id, user_id, town_id) "
                        "SELECT id, :user, town_id FROM ideas WHERE id = :id"
                    ),
                    {"user": supporter.user_id, "id": idea_id},
                )
            await insert_comment_directly(runtime, idea_id=idea_id, author_id=supporter.user_id, body="Gute Idee!")
            made[idea_id] = f"{name} in {town}"
    return made


def _listing(result: dict[str, object], who: str) -> Listing:
    assert "errors" not in result, (who, result)
    data = result["data"]
    assert isinstance(data, dict)
    listed: Listing = {}
    for figure in data["participationReport"]["figures"]:
        if Metric(figure["metric"].lower()) not in IDEA_METRICS:
            assert figure["ideas"] is None
            continue
        area = figure["strategyArea"]["id"] if figure["strategyArea"] else None
        key = (figure["periodStart"], area, figure["metric"])
        listed[key] = {row_id(edge["node"]["id"]) for edge in figure["ideas"]["edges"]}
    return listed


async def test_every_figure_lists_only_ideas_the_caller_may_read_through_node(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    author = await person(runtime, oidc_provider, "author", roles_held=())
    supporter = await person(runtime, oidc_provider, "supporter")
    made = await _ideas_in_every_state(runtime, author, supporter)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await recompute(session)
    soest = await town_ref(graphql, "soest")
    arnsberg = await town_ref(graphql, "arnsberg")

    callers: dict[str, Person | None] = {
        "anonymous": None,
        "author (citizen)": author,
        "citizen of another town": await person(runtime, oidc_provider, "other-citizen"),
        "moderator of the town": await person(
            runtime, oidc_provider, "moderator", roles_held=((Role.MODERATOR, "soest"),)
        ),
        "moderator of another town": await person(
            runtime, oidc_provider, "other-moderator", roles_held=((Role.MODERATOR, "arnsberg"),)
        ),
        "staff of the town": await person(runtime, oidc_provider, "staff", roles_held=((Role.STAFF, "soest"),)),
        "staff of another town": await person(
            runtime, oidc_provider, "other-staff", roles_held=((Role.STAFF, "arnsberg"),)
        ),
        "admin of the town": await person(runtime, oidc_provider, "admin", roles_held=((Role.ADMIN, "soest"),)),
        "region staff": await person(runtime, oidc_provider, "region-staff", roles_held=((Role.REGION_STAFF, None),)),
        "region admin": await person(runtime, oidc_provider, "region-admin", roles_held=((Role.REGION_ADMIN, None),)),
    }

    # What a region admin is listed is everything the figures count: the published ideas (the only ones counted),
    # in both towns.
    region_admin = callers["region admin"]
    assert region_admin is not None
    everything = {
        scope: _listing(await graphql(TRACE, {"town": town}, headers=region_admin.headers), "region admin")
        for scope, town in (("soest", soest.id), ("arnsberg", arnsberg.id), ("region", None))
    }
    for scope, listing in everything.items():
        counted = set().union(*listing.values())
        expected = {
            idea
            for idea, name in made.items()
            if name.startswith("published ") and (scope == "region" or name.endswith(scope))
        }
        assert counted == expected, scope
        for metric in ("IDEAS_SUBMITTED", "SUPPORTS", "COMMENTS"):
            assert any(key[2] == metric and ideas == expected for key, ideas in listing.items()), (scope, metric)

    checked = 0
    for who, caller in callers.items():
        headers = caller.headers if caller else None
        readable = set()
        for idea_id in made:
            found = (await graphql(NODE, {"id": idea_gid(idea_id)}, headers=headers))["data"]["node"]
            if found is not None:
                readable.add(idea_id)
        for scope, town in (("soest", soest.id), ("arnsberg", arnsberg.id), ("region", None)):
            result = await graphql(TRACE, {"town": town}, headers=headers)
            if result.get("data") is None:
                assert codes(result["errors"]) in (["UNAUTHENTICATED"], ["FORBIDDEN"]), (who, scope, result)
                continue
            listing = _listing(result, who)
            assert listing.keys() == everything[scope].keys(), (who, scope)
            for key, ideas in listing.items():
                assert ideas == everything[scope][key] & readable, (
                    who,
                    scope,
                    key,
                    [made[i] for i in ideas - readable],
                )
                checked += 1
        if who == "region staff":
            assert {made[idea] for idea in readable} == {"published in soest", "published in arnsberg"}
    assert checked > 40


async def test_a_held_idea_of_region_staff_s_report_is_not_shown_to_them(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    """The reported case: a held idea with a phone number in its body is neither counted nor shown."""
    author = await person(runtime, oidc_provider, "author")
    held = await insert_idea_directly(
        runtime,
        author_id=author.user_id,
        town="soest",
        title="Rufen Sie an",
        body="0171 1234567",
        lifecycle=Lifecycle.PENDING,
    )
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await recompute(session)
    region_staff = await person(runtime, oidc_provider, "region-staff", roles_held=((Role.REGION_STAFF, None),))
    result = await graphql(TRACE, {"town": None}, headers=region_staff.headers)
    submitted = [
        figure
        for figure in result["data"]["participationReport"]["figures"]
        if figure["metric"] == "IDEAS_SUBMITTED" and figure["periodStart"] == f"{datetime.now(BERLIN).year}-01-01"
    ]
    assert all(figure["ideas"]["edges"] == [] for figure in submitted)
    assert "0171 1234567" not in str(result)
    assert (await graphql(NODE, {"id": idea_gid(held)}, headers=region_staff.headers))["data"]["node"] is None
