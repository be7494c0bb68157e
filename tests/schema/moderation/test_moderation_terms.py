"""A town's own abuse terms: its moderators and admins add and remove them (audited); the checks use them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from service.config import Settings
from service.moderation.models import ModerationTerm
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import (
    CALLERS,
    MODERATORS_OF_SOEST,
    caller,
    expected_refusal,
    footprint,
    global_id,
    refusal_code,
    town_global_id,
)
from tests.support.ideas import row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person, town_id
from workers.settings import create_worker

ADD = """
mutation Add($input: AddModerationTermInput!) {
  addModerationTerm(input: $input) {
    __typename
    ... on ModerationTermAdded { term { id term severe town { slug } addedBy { displayName } } }
    ... on UserError { code field message }
  }
}
"""
REMOVE = """
mutation Remove($input: RemoveModerationTermInput!) {
  removeModerationTerm(input: $input) {
    __typename
    ... on ModerationTermRemoved { removedTermId term }
    ... on UserError { code field message }
  }
}
"""
TERMS = "query Terms($townId: ID!) { moderationTerms(townId: $townId) { term severe } }"
STATUS = "query Status($id: ID!) { moderationStatus(subjectId: $id) { lifecycle reasons explanations } }"

ALLOWED = sorted(MODERATORS_OF_SOEST)
REFUSED = [name for name in CALLERS if name not in MODERATORS_OF_SOEST]


async def _stored_terms(runtime: Runtime) -> list[tuple[str, str]]:
    """(town slug-less id, term) of every stored term, to compare before and after."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = await session.execute(select(ModerationTerm.town_id, ModerationTerm.term).order_by(ModerationTerm.term))
        return [(str(town), term) for town, term in rows.all()]


async def _term_in_soest(runtime: Runtime, term: str = "schwurbler") -> uuid.UUID:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        row = ModerationTerm(town_id=await town_id(runtime, "soest"), term=term)
        session.add(row)
        await session.flush()
        return row.id


async def _add(graphql: GraphQLClient, runtime: Runtime, headers: dict[str, str], term: str) -> dict[str, object]:
    variables = {"input": {"townId": await town_global_id(runtime, "soest"), "term": term}}
    return await graphql(ADD, variables, headers=headers)


@pytest.mark.parametrize("name", REFUSED)
async def test_a_refused_caller_can_neither_list_nor_add_nor_remove_terms(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, name)
    existing = await _term_in_soest(runtime)
    before = (await footprint(runtime), await _stored_terms(runtime))

    listed = await graphql(TERMS, {"townId": await town_global_id(runtime, "soest")}, headers=headers)
    added = await _add(graphql, runtime, headers, "Querulant")
    removed = await graphql(REMOVE, {"input": {"termId": global_id("ModerationTerm", existing)}}, headers=headers)

    assert refusal_code(listed, "moderationTerms") == expected_refusal(name)
    assert refusal_code(added, "addModerationTerm") == expected_refusal(name)
    assert refusal_code(removed, "removeModerationTerm") == expected_refusal(name)
    assert (await footprint(runtime), await _stored_terms(runtime)) == before


@pytest.mark.parametrize("name", ALLOWED)
async def test_a_moderator_adds_lists_and_removes_a_term_and_both_changes_are_audited(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, caller_id = await caller(runtime, oidc_provider, name)
    soest = await town_global_id(runtime, "soest")

    added = await _add(graphql, runtime, headers, "  !Bürger-Hasser ")
    listed = await graphql(TERMS, {"townId": soest}, headers=headers)
    term = added["data"]["addModerationTerm"]["term"]  # type: ignore[index]
    removed = await graphql(REMOVE, {"input": {"termId": term["id"]}}, headers=headers)
    listed_after = await graphql(TERMS, {"townId": soest}, headers=headers)

    assert added == {
        "data": {
            "addModerationTerm": {
                "__typename": "ModerationTermAdded",
                "term": {
                    "id": term["id"],
                    "term": "!Bürger-Hasser",
                    "severe": True,
                    "town": {"slug": "soest"},
                    "addedBy": {"displayName": name},
                },
            }
        }
    }
    assert listed == {"data": {"moderationTerms": [{"term": "!Bürger-Hasser", "severe": True}]}}
    assert removed == {
        "data": {
            "removeModerationTerm": {
                "__typename": "ModerationTermRemoved",
                "removedTermId": term["id"],
                "term": "!Bürger-Hasser",
            }
        }
    }
    assert listed_after == {"data": {"moderationTerms": []}}
    async with runtime.unit_of_work() as uow, uow.session() as session:
        audited = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.subject_type == "moderation_term")
                .order_by(AuditEntry.created_at, AuditEntry.action)
            )
        ).all()
    assert [(entry.action, entry.actor_id, entry.town_id, entry.subject_type) for entry in audited] == [
        ("moderation.term_added", caller_id, await town_id(runtime, "soest"), "moderation_term"),
        ("moderation.term_removed", caller_id, await town_id(runtime, "soest"), "moderation_term"),
    ]
    assert [(entry.before, entry.after) for entry in audited] == [
        (None, {"term": "!Bürger-Hasser"}),
        ({"term": "!Bürger-Hasser"}, None),
    ]
    assert {entry.subject_id for entry in audited} == {row_id(term["id"])}


async def test_adding_a_term_twice_keeps_one_and_audits_once(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")

    first = await _add(graphql, runtime, headers, "Querulant")
    audited = await footprint(runtime)
    again = await _add(graphql, runtime, headers, "Querulant")

    assert first["data"]["addModerationTerm"]["__typename"] == "ModerationTermAdded"  # type: ignore[index]
    assert first == again
    assert [term for _, term in await _stored_terms(runtime)] == ["Querulant"]
    assert await footprint(runtime) == audited


@pytest.mark.parametrize("term", ["", "ab", "  *x*  ", "# Kommentar", "!", "a" * 101, "***"])
async def test_an_unusable_term_is_refused_in_german_and_changes_nothing(
    term: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    before = await footprint(runtime)

    body = await _add(graphql, runtime, headers, term)

    result = body["data"]["addModerationTerm"]  # type: ignore[index]
    assert (result["__typename"], result["code"], result["field"]) == (
        "InvalidInput",
        "MODERATION_TERM_INVALID",
        "term",
    )
    assert result["message"].startswith("Ein Begriff hat mindestens 3 Buchstaben")
    assert await _stored_terms(runtime) == []
    assert await footprint(runtime) == before


async def test_removing_an_unknown_term_is_not_found(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    before = await footprint(runtime)

    body = await graphql(REMOVE, {"input": {"termId": global_id("ModerationTerm", uuid.uuid4())}}, headers=headers)

    assert body["data"]["removeModerationTerm"] == {
        "__typename": "NotFound",
        "code": "UNKNOWN_MODERATION_TERM",
        "field": "termId",
        "message": "Diesen Begriff gibt es nicht (mehr).",
    }
    assert await footprint(runtime) == before


async def test_a_new_term_holds_or_rejects_submissions_containing_it_in_inflected_or_disguised_form(
    graphql: GraphQLClient, settings: Settings, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    author = await person(runtime, oidc_provider, "autorin", name="Anna Autorin")
    elsewhere = await person(runtime, oidc_provider, "autor", name="Arne Autor")
    soest, arnsberg = await town_ref(graphql, "soest"), await town_ref(graphql, "arnsberg")
    texts = {
        "inflected": ("Die Schwurblerinnen im Rat", "Sie blockieren jede Entscheidung zum Radweg."),
        "disguised": ("Radweg statt Debatten", "Nur S.c.h.w.u.r.b.l.e.r reden hier noch mit."),
        "severe": ("Parkplätze am Bahnhof", "Ihr Bürgerhasser in der Verwaltung, tut endlich etwas."),
    }
    assert (await _add(graphql, runtime, moderator, "schwurbler"))["data"]["addModerationTerm"]["__typename"] == (  # type: ignore[index]
        "ModerationTermAdded"
    )
    assert (await _add(graphql, runtime, moderator, "!bürgerhasser"))["data"]["addModerationTerm"]["__typename"] == (  # type: ignore[index]
        "ModerationTermAdded"
    )
    in_soest = {key: await submit(graphql, author, soest, title=t, body=b) for key, (t, b) in texts.items()}
    in_arnsberg = {key: await submit(graphql, elsewhere, arnsberg, title=t, body=b) for key, (t, b) in texts.items()}

    worker = create_worker(settings, runtime, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()

    async def status(idea_id: str, viewer: dict[str, str] = author.headers) -> tuple[str, list[str]]:
        found = (await graphql(STATUS, {"id": idea_id}, headers=viewer))["data"]["moderationStatus"]
        return found["lifecycle"], found["reasons"]

    assert {key: await status(idea_id) for key, idea_id in in_soest.items()} == {
        "inflected": ("PENDING", ["ABUSIVE_LANGUAGE"]),
        "disguised": ("PENDING", ["ABUSIVE_LANGUAGE"]),
        "severe": ("REJECTED", ["SEVERE_ABUSE"]),
    }
    assert {key: await status(idea_id, elsewhere.headers) for key, idea_id in in_arnsberg.items()} == dict.fromkeys(
        texts, ("PUBLISHED", [])
    ), "another town's terms do not apply"
