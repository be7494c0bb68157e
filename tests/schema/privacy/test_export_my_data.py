"""Exporting one's data: everything about the person and nothing about others, through a link that works once,
only for that person, and only for a day."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text
from strawberry.relay import GlobalID

from mitmachen.runtime import Runtime
from service.kit.jobs import Job
from service.privacy.exports import unbuilt
from service.privacy.jobs import ExportRef
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows, queued_jobs, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.privacy import EXPORT, Citizen, citizen, live_a_little
from workers.jobs.privacy import export as build_export
from workers.jobs.privacy import purge

STATUSES = "query { myDataExports { id status expiresAt downloadedAt } }"
LINK = re.compile(r"http://testserver(/me/export/[A-Za-z0-9_-]+)")


async def _requested(graphql: GraphQLClient, who: Citizen) -> str:
    result = (await graphql(EXPORT, headers=who.headers))["data"]["exportMyData"]
    assert result["__typename"] == "DataExportRequested", result
    assert result["export"]["status"] == "PENDING"
    global_id = GlobalID.from_id(result["export"]["id"])
    assert global_id.type_name == "DataExport"
    return global_id.node_id


async def _link_mailed_to(runtime: Runtime, who: Citizen) -> str:
    async with runtime.engine.connect() as connection:
        bodies = (
            await connection.scalars(
                text("SELECT body FROM notifications WHERE user_id = :id AND kind = 'privacy.export_ready'"),
                {"id": who.user_id},
            )
        ).all()
    assert len(bodies) == 1, bodies
    found = LINK.search(bodies[0])
    assert found is not None, bodies[0]
    return found.group(1)


async def _ready_link(graphql: GraphQLClient, runtime: Runtime, who: Citizen) -> str:
    export_id = await _requested(graphql, who)
    assert await build_export({"runtime": runtime}, ExportRef(uuid.UUID(export_id))) == "built"
    return await _link_mailed_to(runtime, who)


async def test_the_document_holds_the_person_s_data_from_every_domain_and_nothing_of_others(
    graphql: GraphQLClient, client: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    life = await live_a_little(graphql, runtime, oidc_provider, anna)
    link = await _ready_link(graphql, runtime, anna)

    response = await client.get(link, headers=anna.headers)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    document: dict[str, Any] = response.json()
    assert document["personId"] == str(anna.user_id)
    account = document["account"]
    assert [(row["display_name"], row["email"], row["subject"]) for row in account] == [
        ("Anna Achterberg", anna.email, "anna")
    ]
    assert [row["title"] for row in document["ideas"]] == ["Bänke am Bahnhof"]
    assert [row["body"] for row in document["comments"]] == ["Gute Idee, auch am Markt!"]
    assert [row["idea_id"] for row in document["supports"]] == [str(row_id(life.supported_idea_id))]
    assert [row["text"] for row in document["reports"]] == ["Werbung"]
    assert [row["status"] for row in document["volunteerSignUps"]] == ["confirmed"]
    assert sorted(row["survey_id"] for row in document["surveyParticipations"]) == sorted(
        str(row_id(survey)) for survey in (life.anonymous_survey_id, life.named_survey_id)
    )
    # Only the named survey's response is the person's; the anonymous one cannot be found, and the note says so.
    assert [row["survey_id"] for row in document["surveyResponses"]] == [str(row_id(life.named_survey_id))]
    assert {row["survey_id"] for row in document["surveyAnswers"]} == {str(row_id(life.named_survey_id))}
    assert "anonymen Umfragen" in document["notes"]["anonymousSurveys"]
    assert document["emails"] == []  # the e-mail with this very link is written after the document
    assert len(document["dataExports"]) == 1
    assert "token_hash" not in document["dataExports"][0]
    everything = json.dumps(document, ensure_ascii=False)
    for other in ("Bertram", "Wilma", "Manni", "Trinkbrunnen", str(life.waiting_id)):
        assert other not in everything, other


async def test_the_link_works_once(
    graphql: GraphQLClient, client: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    link = await _ready_link(graphql, runtime, anna)
    assert (await graphql(STATUSES, headers=anna.headers))["data"]["myDataExports"][0]["status"] == "READY"

    first = await client.get(link, headers=anna.headers)
    second = await client.get(link, headers=anna.headers)

    assert first.status_code == 200
    assert first.json()["account"][0]["email"] == anna.email
    assert second.status_code == 410
    assert "schon benutzt" in second.text
    assert await count_rows(runtime, "data_exports", "document IS NULL AND used_at IS NOT NULL") == 1
    exports = (await graphql(STATUSES, headers=anna.headers))["data"]["myDataExports"]
    assert [(row["status"], row["downloadedAt"] is not None) for row in exports] == [("DOWNLOADED", True)]


async def test_another_person_gets_not_found_and_the_link_stays_usable(
    graphql: GraphQLClient, client: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    bert = await citizen(runtime, oidc_provider, "bert", "Bert Brinkmann")
    link = await _ready_link(graphql, runtime, anna)

    foreign = await client.get(link, headers=bert.headers)
    anonymous = await client.get(link)
    unknown = await client.get("/me/export/" + "x" * 43, headers=anna.headers)

    assert foreign.status_code == 404
    assert "Achterberg" not in foreign.text
    assert anonymous.status_code == 401
    assert unknown.status_code == 404
    assert await count_rows(runtime, "data_exports", "used_at IS NOT NULL") == 0
    assert (await client.get(link, headers=anna.headers)).status_code == 200


async def test_an_expired_link_is_gone(
    graphql: GraphQLClient, client: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    link = await _ready_link(graphql, runtime, anna)
    expires = await _one(runtime, "SELECT expires_at - ready_at FROM data_exports")
    assert expires.total_seconds() == 24 * 3600
    async with runtime.engine.begin() as connection:
        await connection.execute(text("UPDATE data_exports SET expires_at = now() - interval '1 second'"))

    response = await client.get(link, headers=anna.headers)

    assert response.status_code == 410
    assert await count_rows(runtime, "data_exports", "used_at IS NULL") == 1
    exports = (await graphql(STATUSES, headers=anna.headers))["data"]["myDataExports"]
    assert [row["status"] for row in exports] == ["EXPIRED"]
    assert await purge({"runtime": runtime}) == 1
    assert await count_rows(runtime, "data_exports", "document IS NULL") == 1


async def test_building_twice_mails_one_link_and_asking_twice_while_pending_makes_one_export(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    export_id = await _requested(graphql, anna)
    assert await _requested(graphql, anna) == export_id
    assert await queued_jobs(runtime) == [("privacy.export", (export_id,))]

    assert await build_export({"runtime": runtime}, ExportRef(uuid.UUID(export_id))) == "built"
    assert await build_export({"runtime": runtime}, ExportRef(uuid.UUID(export_id))) == "already built"

    assert await count_rows(runtime, "notifications", "kind = 'privacy.export_ready'") == 1
    assert await build_export({"runtime": runtime}, ExportRef(uuid.uuid4())) == "unknown"


async def test_anonymous_callers_cannot_ask_for_an_export(graphql: GraphQLClient, runtime: Runtime) -> None:
    asked = await graphql(EXPORT)
    listed = await graphql(STATUSES)

    for result in (asked, listed):
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await count_rows(runtime, "data_exports") == 0
    assert await queued_jobs(runtime) == []


async def _one(runtime: Runtime, sql: str) -> Any:
    async with runtime.engine.connect() as connection:
        return await connection.scalar(text(sql))


async def test_the_sweep_asks_again_for_exports_not_built(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    export_id = await _requested(graphql, anna)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await unbuilt(session, timedelta(minutes=1)) == []
    async with runtime.engine.begin() as connection:
        await connection.execute(text("UPDATE data_exports SET created_at = now() - interval '10 minutes'"))

    async with runtime.unit_of_work() as uow, uow.session() as session:
        jobs = await unbuilt(session, timedelta(minutes=1))

    assert jobs == [Job("privacy.export", (export_id,))]
    assert await build_export({"runtime": runtime}, ExportRef(uuid.UUID(export_id))) == "built"
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await unbuilt(session, timedelta(minutes=1)) == []
