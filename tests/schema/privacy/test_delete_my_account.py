"""Deleting one's account: personal data goes everywhere, public contributions stay as "Gelöschtes Konto"."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import text
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.privacy.jobs import ExportRef
from service.tallies.compute import recompute
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows, queued_jobs, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.privacy import DELETE, EXPORT, citizen, live_a_little, places_holding
from workers.jobs.privacy import export as build_export

IDEA = """
query Idea($id: ID!) {
  node(id: $id) { ... on Idea { title supportCount author { displayName } } }
}
"""
FEED = 'query { town(slug: "soest") { ideas { edges { node { id title author { displayName } } } } } }'
ME = "query { me { email user { displayName } } }"
MY_IDS = "query { me { user { id } } myDataExports { id } }"


async def _deleted(graphql: GraphQLClient, headers: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = (await graphql(DELETE, {"confirm": True}, headers=headers))["data"]["deleteMyAccount"]
    return result


async def test_name_email_and_subject_appear_nowhere_afterwards_and_public_ideas_remain(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna-privat-7f3", "Annabell Quastenberg")
    life = await live_a_little(graphql, runtime, oidc_provider, anna)
    requested = await graphql(EXPORT, headers=anna.headers)
    assert requested["data"]["exportMyData"]["__typename"] == "DataExportRequested"
    export_id = str(row_id(requested["data"]["exportMyData"]["export"]["id"]))
    assert await build_export({"runtime": runtime}, ExportRef(uuid.UUID(export_id))) == "built"
    needles = [anna.name, anna.email, anna.subject]
    # The scan finds the person before deletion (users, the export document): it can fail.
    before = {table for table, _, _ in await places_holding(runtime, needles)}
    assert {"users", "data_exports"} <= before

    deleted = await _deleted(graphql, anna.headers)

    assert deleted["__typename"] == "AccountDeleted", deleted
    assert await places_holding(runtime, needles) == []
    feed = (await graphql(FEED))["data"]["town"]["ideas"]["edges"]
    own = [edge["node"] for edge in feed if edge["node"]["id"] == life.own_idea_id]
    assert own == [{"id": life.own_idea_id, "title": "Bänke am Bahnhof", "author": {"displayName": "Gelöschtes Konto"}}]
    assert await count_rows(runtime, "comments", "author_id = :id", id=anna.user_id) == 1


async def test_supports_sign_ups_and_sessions_go_and_the_counts_follow(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    life = await live_a_little(graphql, runtime, oidc_provider, anna)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await recompute(session)
    tallies_before = await _tallies(runtime)

    assert (await _deleted(graphql, anna.headers))["__typename"] == "AccountDeleted"

    idea = (await graphql(IDEA, {"id": life.supported_idea_id}))["data"]["node"]
    assert idea["supportCount"] == 0
    assert await count_rows(runtime, "idea_supports", "user_id = :id", id=anna.user_id) == 0
    sign_ups = await _sign_up_statuses(runtime, life)
    assert sign_ups == {"anna": "cancelled", "wilma": "offered"}  # the waitlist moved up the normal way
    assert await count_rows(runtime, "role_grants", "user_id = :id", id=anna.user_id) == 0
    assert await count_rows(runtime, "web_sessions", "user_id = :id", id=anna.user_id) == 0
    assert await count_rows(runtime, "notifications", "user_id = :id", id=anna.user_id) == 0
    # Survey answers stay (anonymous ones were never linked); the participation keeps "one response" per account.
    assert await count_rows(runtime, "survey_responses") == 2
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await recompute(session)
    tallies_after = await _tallies(runtime)
    assert tallies_before["supports"] == 1
    assert tallies_after.get("supports", 0) == 0  # rows of zero are not stored
    assert tallies_before["volunteer_sign_ups"] == 2  # anna confirmed, wilma waiting
    assert tallies_after["volunteer_sign_ups"] == 1  # wilma alone
    for kept in ("ideas_published", "comments", "survey_responses"):
        assert tallies_after[kept] == tallies_before[kept] > 0, kept
    # Nothing links the login to the deleted account any more: logging in again starts a new, empty account
    # (with a token issued after the deletion; the old one is refused, see test_deletion_and_coming_back.py).
    await asyncio.sleep(1.1)
    new_token = oidc_provider.sign(oidc_provider.access_token_claims_for("anna"))
    fresh = (await graphql(MY_IDS, headers={"Authorization": f"Bearer {new_token}"}))["data"]
    assert fresh["me"]["user"]["id"] != to_base64("User", str(anna.user_id))
    assert fresh["myDataExports"] == []
    assert await count_rows(runtime, "users", "deleted_at IS NOT NULL") == 1


async def _tallies(runtime: Runtime) -> dict[str, float]:
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT metric, sum(value) FROM participation_tallies "
                "WHERE town_id IS NULL AND strategy_area_id IS NULL AND period = 'year' GROUP BY metric"
            )
        )
        return {row[0]: float(row[1]) for row in rows}


async def _sign_up_statuses(runtime: Runtime, life: Any) -> dict[str, str]:
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT CASE WHEN u.user_id = :waiting THEN 'wilma' ELSE 'anna' END, u.status "
                "FROM volunteer_sign_ups u WHERE u.shift_id = :shift"
            ),
            {"waiting": life.waiting_id, "shift": row_id(life.shift_id)},
        )
        return {row[0]: row[1] for row in rows}


async def test_without_confirmation_nothing_changes(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")

    refused = (await graphql(DELETE, {"confirm": False}, headers=anna.headers))["data"]["deleteMyAccount"]

    assert refused["__typename"] == "InvalidInput"
    assert refused["code"] == "CONFIRMATION_REQUIRED"
    assert refused["field"] == "confirm"
    assert "bestätigen" in refused["message"]
    me = (await graphql(ME, headers=anna.headers))["data"]["me"]
    assert me == {"email": anna.email, "user": {"displayName": "Anna Achterberg"}}
    assert await count_rows(runtime, "audit_log", "action = 'account.deleted'") == 0


async def test_anonymous_callers_are_refused(graphql: GraphQLClient, runtime: Runtime) -> None:
    result = await graphql(DELETE, {"confirm": True})

    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await count_rows(runtime, "users", "deleted_at IS NOT NULL") == 0
    assert await queued_jobs(runtime) == []


async def test_a_person_deletes_only_their_own_account(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    """There is no argument naming an account: whoever calls, even an admin, deletes exactly themselves."""
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    admin = await person(runtime, oidc_provider, "adele", roles_held=((Role.REGION_ADMIN, None),))

    assert (await _deleted(graphql, admin.headers))["__typename"] == "AccountDeleted"

    me = (await graphql(ME, headers=anna.headers))["data"]["me"]
    assert me == {"email": anna.email, "user": {"displayName": "Anna Achterberg"}}
    assert await count_rows(runtime, "users", "deleted_at IS NOT NULL") == 1
    assert await count_rows(runtime, "users", "id = :id AND deleted_at IS NULL", id=anna.user_id) == 1
