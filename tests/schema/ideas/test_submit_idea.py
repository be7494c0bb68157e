"""Submitting, editing and withdrawing ideas: what is stored, what is queued, and what every refusal leaves alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.db.engine import count_statements
from service.ideas.models import Lifecycle
from tests.conftest import GraphQLClient
from tests.support.ideas import (
    BERLIN,
    SOEST_CENTRE,
    TownRef,
    codes,
    count_rows,
    publish_directly,
    queued_jobs,
    row_id,
    submit,
    submit_input,
    town_ref,
)
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

SUBMIT_IDEA = """
mutation SubmitIdea($input: SubmitIdeaInput!) {
  submitIdea(input: $input) {
    __typename
    ... on IdeaSubmitted {
      idea {
        id title body lifecycle location { latitude longitude } imageAltTexts supportCount commentCount
        publishedAt author { displayName } town { slug } strategyArea { id }
      }
    }
    ... on UserError { code field message }
  }
}
"""
EDIT_IDEA = """
mutation EditIdea($input: EditIdeaInput!) {
  editIdea(input: $input) {
    __typename
    ... on IdeaEdited { idea { id title body lifecycle location { latitude longitude } strategyArea { id } } }
    ... on UserError { code field message }
  }
}
"""
WITHDRAW_IDEA = """
mutation WithdrawIdea($id: ID!) {
  withdrawIdea(ideaId: $id) {
    __typename
    ... on IdeaWithdrawn { idea { id lifecycle } }
    ... on UserError { code field message }
  }
}
"""
CHOOSE_HOME_TOWN = """
mutation ChooseHomeTown($slug: String!) {
  chooseHomeTown(townSlug: $slug) { __typename ... on HomeTownChosen { me { homeTown { slug } } } }
}
"""
IDEA_NODE = "query IdeaNode($id: ID!) { node(id: $id) { ... on Idea { id title body lifecycle } } }"
TOWN_FEED = "query TownFeed($slug: String!) { town(slug: $slug) { ideas { edges { node { id } } } } }"

Overrides = Callable[[TownRef, TownRef], dict[str, Any]]

# (overrides of a valid input, built from Soest and Olpe) → (result type, code, field, German message)
VIOLATIONS: dict[str, tuple[Overrides, str, str, str | None, str]] = {
    "title of 4 characters": (
        lambda soest, olpe: {"title": "Bank"},
        "InvalidInput",
        "TITLE_LENGTH",
        "title",
        "Der Titel muss 5 bis 140 Zeichen lang sein.",
    ),
    "title of 4 characters once trimmed": (
        lambda soest, olpe: {"title": "   Bank   "},
        "InvalidInput",
        "TITLE_LENGTH",
        "title",
        "Der Titel muss 5 bis 140 Zeichen lang sein.",
    ),
    "title of 141 characters": (
        lambda soest, olpe: {"title": "x" * 141},
        "InvalidInput",
        "TITLE_LENGTH",
        "title",
        "Der Titel muss 5 bis 140 Zeichen lang sein.",
    ),
    "body of 5001 characters": (
        lambda soest, olpe: {"body": "y" * 5001},
        "InvalidInput",
        "BODY_TOO_LONG",
        "body",
        "Die Beschreibung darf höchstens 5000 Zeichen haben.",
    ),
    # NUL itself is refused for every request before execution (see tests/schema/hardening); other control
    # characters reach the idea's own validation.
    "control character in the title": (
        lambda soest, olpe: {"title": "Mehr\x07Bänke am Wall"},
        "InvalidInput",
        "TEXT_INVALID",
        "title",
        "Der Text enthält unzulässige Steuerzeichen.",
    ),
    "control character in the body": (
        lambda soest, olpe: {"body": "Bänke\x1b"},
        "InvalidInput",
        "TEXT_INVALID",
        "body",
        "Der Text enthält unzulässige Steuerzeichen.",
    ),
    "strategy area of Olpe": (
        lambda soest, olpe: {"strategyAreaId": olpe.area_ids[0]},
        "NotFound",
        "UNKNOWN_STRATEGY_AREA",
        "strategyAreaId",
        "Dieses Handlungsfeld gibt es in Soest nicht.",
    ),
    "location in Berlin": (
        lambda soest, olpe: {"location": {"latitude": BERLIN[0], "longitude": BERLIN[1]}},
        "InvalidInput",
        "LOCATION_OUTSIDE_TOWN",
        "location",
        "Der Ort liegt nicht in Soest.",
    ),
    "location in Olpe": (
        lambda soest, olpe: {"location": {"latitude": 51.029, "longitude": 7.851}},
        "InvalidInput",
        "LOCATION_OUTSIDE_TOWN",
        "location",
        "Der Ort liegt nicht in Soest.",
    ),
    "11 images": (
        lambda soest, olpe: {"imageAltTexts": [f"Bild {number}" for number in range(11)]},
        "InvalidInput",
        "TOO_MANY_IMAGES",
        "imageAltTexts",
        "Höchstens 10 Bilder je Idee.",
    ),
    "empty alt text": (
        lambda soest, olpe: {"imageAltTexts": ["Der Wall im Herbst", "  "]},
        "InvalidInput",
        "ALT_TEXT_LENGTH",
        "imageAltTexts",
        "Jeder Alternativtext braucht 1 bis 300 Zeichen.",
    ),
    "alt text of 301 characters": (
        lambda soest, olpe: {"imageAltTexts": ["a" * 301]},
        "InvalidInput",
        "ALT_TEXT_LENGTH",
        "imageAltTexts",
        "Jeder Alternativtext braucht 1 bis 300 Zeichen.",
    ),
    "malformed town id": (
        lambda soest, olpe: {"townId": "kaputt"},
        "InvalidInput",
        "INVALID_INPUT",
        "townId",
        "Diese ID ist ungültig.",
    ),
    "town id naming a strategy area": (
        lambda soest, olpe: {"townId": soest.area_ids[0]},
        "InvalidInput",
        "INVALID_INPUT",
        "townId",
        "Diese ID ist ungültig.",
    ),
    "malformed strategy area id": (
        lambda soest, olpe: {"strategyAreaId": "U3RyYXRlZ3lBcmVhOm5pY2h0cw=="},
        "InvalidInput",
        "INVALID_INPUT",
        "strategyAreaId",
        "Diese ID ist ungültig.",
    ),
}


async def _nothing_stored_nothing_queued(runtime: Runtime) -> None:
    assert await count_rows(runtime, "ideas") == 0
    assert await runtime.redis.zcard("arq:queue") == 0


async def test_citizen_submits_an_idea_which_waits_for_moderation(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara", name="Clara Citizen")
    soest = await town_ref(graphql, "soest")

    body = await graphql(
        SUBMIT_IDEA,
        {
            "input": submit_input(
                soest,
                strategyAreaId=soest.area_ids[1],
                title="  Trinkbrunnen am Markt  ",
                body="Im Sommer fehlt Wasser in der Altstadt.",
                location={"latitude": SOEST_CENTRE[0], "longitude": SOEST_CENTRE[1]},
                imageAltTexts=["Der Marktplatz im Juli"],
            )
        },
        headers=clara.headers,
    )

    result = body["data"]["submitIdea"]
    assert result["__typename"] == "IdeaSubmitted", body
    idea = result["idea"]
    assert idea["title"] == "Trinkbrunnen am Markt"
    assert idea["lifecycle"] == "PENDING"
    assert idea["publishedAt"] is None
    assert idea["location"] == {"latitude": SOEST_CENTRE[0], "longitude": SOEST_CENTRE[1]}
    assert idea["imageAltTexts"] == ["Der Marktplatz im Juli"]
    assert (idea["supportCount"], idea["commentCount"]) == (0, 0)
    assert idea["author"] == {"displayName": "Clara Citizen"}
    assert idea["town"] == {"slug": "soest"}
    assert idea["strategyArea"] == {"id": soest.area_ids[1]}
    assert await count_rows(runtime, "ideas", "id = :id AND lifecycle = 'pending'", id=row_id(idea["id"])) == 1
    assert await runtime.redis.zcard("arq:queue") == 1
    assert await queued_jobs(runtime) == [("moderation.check", ("idea", str(row_id(idea["id"]))))]


async def test_citizen_of_another_town_submits_to_soest(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    omar = await person(runtime, oidc_provider, "omar")
    chosen = await graphql(CHOOSE_HOME_TOWN, {"slug": "olpe"}, headers=omar.headers)
    assert chosen["data"]["chooseHomeTown"]["me"]["homeTown"] == {"slug": "olpe"}
    soest = await town_ref(graphql, "soest")

    body = await graphql(SUBMIT_IDEA, {"input": submit_input(soest)}, headers=omar.headers)

    result = body["data"]["submitIdea"]
    assert result["__typename"] == "IdeaSubmitted", body
    assert result["idea"]["town"] == {"slug": "soest"}
    assert result["idea"]["lifecycle"] == "PENDING"
    assert await runtime.redis.zcard("arq:queue") == 1


async def test_limits_at_their_edges_are_accepted(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    soest = await town_ref(graphql, "soest")

    shortest = await graphql(SUBMIT_IDEA, {"input": submit_input(soest, title="Bänke", body="")}, headers=clara.headers)
    longest = await graphql(
        SUBMIT_IDEA,
        {"input": submit_input(soest, title="t" * 140, body="b" * 5000, imageAltTexts=["a" * 300] * 10)},
        headers=clara.headers,
    )

    assert shortest["data"]["submitIdea"]["__typename"] == "IdeaSubmitted", shortest
    assert longest["data"]["submitIdea"]["__typename"] == "IdeaSubmitted", longest
    assert len(longest["data"]["submitIdea"]["idea"]["imageAltTexts"]) == 10
    assert await count_rows(runtime, "ideas") == 2


async def test_anonymous_caller_cannot_submit(runtime: Runtime, graphql: GraphQLClient) -> None:
    soest = await town_ref(graphql, "soest")

    body = await graphql(SUBMIT_IDEA, {"input": submit_input(soest)})

    assert body["data"] is None
    assert codes(body["errors"]) == ["UNAUTHENTICATED"]
    await _nothing_stored_nothing_queued(runtime)


@pytest.mark.parametrize("violation", list(VIOLATIONS))
async def test_each_limit_violation_is_a_typed_user_error_and_changes_nothing(
    violation: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    overrides, typename, code, field, message = VIOLATIONS[violation]
    clara = await person(runtime, oidc_provider, "clara")
    soest, olpe = await town_ref(graphql, "soest"), await town_ref(graphql, "olpe")

    body = await graphql(SUBMIT_IDEA, {"input": submit_input(soest, **overrides(soest, olpe))}, headers=clara.headers)

    assert "errors" not in body, body
    assert body["data"]["submitIdea"] == {"__typename": typename, "code": code, "field": field, "message": message}
    await _nothing_stored_nothing_queued(runtime)


async def test_author_edits_a_pending_idea_and_it_is_checked_again(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    soest = await town_ref(graphql, "soest")
    idea_id = await submit(graphql, clara, soest, location={"latitude": 51.57, "longitude": 8.1})

    edited = await graphql(
        EDIT_IDEA,
        {
            "input": {
                "ideaId": idea_id,
                "title": "Mehr Bänke am Wall und am Teich",
                "strategyAreaId": soest.area_ids[2],
                "location": None,
            }
        },
        headers=clara.headers,
    )

    assert edited["data"]["editIdea"] == {
        "__typename": "IdeaEdited",
        "idea": {
            "id": idea_id,
            "title": "Mehr Bänke am Wall und am Teich",
            "body": "Auf dem Wallweg fehlen Sitzgelegenheiten für Ältere.",
            "lifecycle": "PENDING",
            "location": None,
            "strategyArea": {"id": soest.area_ids[2]},
        },
    }
    assert [name for name, _ in await queued_jobs(runtime)] == ["moderation.check", "moderation.check"]


async def test_an_edit_that_leaves_out_the_location_keeps_it_and_null_removes_it(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    soest = await town_ref(graphql, "soest")
    idea_id = await submit(graphql, clara, soest, location={"latitude": 51.57, "longitude": 8.1})

    kept = await graphql(
        EDIT_IDEA, {"input": {"ideaId": idea_id, "title": "Mehr Bänke am Teich"}}, headers=clara.headers
    )
    removed = await graphql(EDIT_IDEA, {"input": {"ideaId": idea_id, "location": None}}, headers=clara.headers)

    assert kept["data"]["editIdea"]["idea"]["location"] == {"latitude": 51.57, "longitude": 8.1}
    assert removed["data"]["editIdea"]["idea"]["location"] is None
    assert removed["data"]["editIdea"]["idea"]["title"] == "Mehr Bänke am Teich"


async def test_edit_that_breaks_a_limit_changes_nothing(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    soest, olpe = await town_ref(graphql, "soest"), await town_ref(graphql, "olpe")
    idea_id = await submit(graphql, clara, soest)

    too_short = await graphql(EDIT_IDEA, {"input": {"ideaId": idea_id, "title": "Bank"}}, headers=clara.headers)
    other_town = await graphql(
        EDIT_IDEA,
        {"input": {"ideaId": idea_id, "title": "Ganz neuer Titel", "strategyAreaId": olpe.area_ids[0]}},
        headers=clara.headers,
    )

    assert too_short["data"]["editIdea"]["code"] == "TITLE_LENGTH"
    assert other_town["data"]["editIdea"]["code"] == "UNKNOWN_STRATEGY_AREA"
    node = (await graphql(IDEA_NODE, {"id": idea_id}, headers=clara.headers))["data"]["node"]
    assert node["title"] == "Mehr Bänke am Wall"
    assert await runtime.redis.zcard("arq:queue") == 1


async def test_published_idea_is_no_longer_editable(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    soest = await town_ref(graphql, "soest")
    idea_id = await submit(graphql, clara, soest)
    await publish_directly(runtime, idea_id)

    body = await graphql(EDIT_IDEA, {"input": {"ideaId": idea_id, "title": "Anderer Titel"}}, headers=clara.headers)

    assert body["data"]["editIdea"] == {
        "__typename": "InvalidInput",
        "code": "IDEA_NOT_EDITABLE",
        "field": None,
        "message": "Veröffentlichte Ideen können nicht mehr bearbeitet werden.",
    }
    node = (await graphql(IDEA_NODE, {"id": idea_id}))["data"]["node"]
    assert node["title"] == "Mehr Bänke am Wall"


async def test_only_the_author_edits(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    moderator = await person(runtime, oidc_provider, "mona", roles_held=((Role.MODERATOR, "soest"),))
    soest = await town_ref(graphql, "soest")
    pending = await submit(graphql, clara, soest, title="Noch in Prüfung")
    published = await submit(graphql, clara, soest, title="Schon veröffentlicht")
    await publish_directly(runtime, published)
    change = {"title": "Übernommen von jemand anderem"}

    by_moderator = await graphql(EDIT_IDEA, {"input": {"ideaId": pending, **change}}, headers=moderator.headers)
    by_other_on_published = await graphql(EDIT_IDEA, {"input": {"ideaId": published, **change}}, headers=omar.headers)
    by_other_on_pending = await graphql(EDIT_IDEA, {"input": {"ideaId": pending, **change}}, headers=omar.headers)

    # Visible to the caller but not theirs: refused at the top level.
    for refused in (by_moderator, by_other_on_published):
        assert refused["data"] is None, refused
        assert codes(refused["errors"]) == ["FORBIDDEN"]
        assert refused["errors"][0]["message"] == "Nur wer die Idee eingereicht hat, kann sie bearbeiten."
    # A pending idea of someone else is not even visible: it does not exist for the caller.
    assert by_other_on_pending["data"]["editIdea"]["code"] == "UNKNOWN_IDEA"
    titles = await count_rows(runtime, "ideas", "title IN ('Noch in Prüfung', 'Schon veröffentlicht')")
    assert titles == 2


async def test_author_withdraws_pending_and_published_ideas(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    soest = await town_ref(graphql, "soest")
    pending = await submit(graphql, clara, soest, title="Noch in Prüfung")
    published = await submit(graphql, clara, soest, title="Schon veröffentlicht")
    await publish_directly(runtime, published)
    assert len((await graphql(TOWN_FEED, {"slug": "soest"}))["data"]["town"]["ideas"]["edges"]) == 1

    first = await graphql(WITHDRAW_IDEA, {"id": pending}, headers=clara.headers)
    second = await graphql(WITHDRAW_IDEA, {"id": published}, headers=clara.headers)
    again = await graphql(WITHDRAW_IDEA, {"id": published}, headers=clara.headers)

    for result, idea_id in ((first, pending), (second, published), (again, published)):
        assert result["data"]["withdrawIdea"] == {
            "__typename": "IdeaWithdrawn",
            "idea": {"id": idea_id, "lifecycle": "WITHDRAWN"},
        }
    assert await count_rows(runtime, "ideas", "lifecycle = :state", state=Lifecycle.WITHDRAWN.value) == 2
    assert (await graphql(TOWN_FEED, {"slug": "soest"}))["data"]["town"]["ideas"]["edges"] == []
    assert (await graphql(IDEA_NODE, {"id": published}))["data"]["node"] is None
    edit = await graphql(EDIT_IDEA, {"input": {"ideaId": pending, "title": "Doch wieder da"}}, headers=clara.headers)
    assert edit["data"]["editIdea"]["code"] == "IDEA_NOT_EDITABLE"


async def test_only_the_author_withdraws(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    soest = await town_ref(graphql, "soest")
    published = await submit(graphql, clara, soest)
    await publish_directly(runtime, published)

    refused = await graphql(WITHDRAW_IDEA, {"id": published}, headers=omar.headers)
    anonymous = await graphql(WITHDRAW_IDEA, {"id": published})

    assert codes(refused["errors"]) == ["FORBIDDEN"]
    assert codes(anonymous["errors"]) == ["UNAUTHENTICATED"]
    assert await count_rows(runtime, "ideas", "lifecycle = 'published'") == 1


SUBMIT_ONLY = """
mutation SubmitIdea($input: SubmitIdeaInput!) {
  submitIdea(input: $input) { __typename ... on IdeaSubmitted { idea { id lifecycle } } }
}
"""


@pytest.mark.parametrize("located", [False, True], ids=["without a point", "with a point"])
async def test_a_submission_is_one_insert_that_checks_town_field_of_action_and_point(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider, located: bool
) -> None:
    """Signing in (the person and their roles), then the idea inserted from the town joined with its field of
    action, the point inside the town's box: no separate lookups of the town and the field of action."""
    clara = await person(runtime, oidc_provider, "clara", name="Clara Citizen")
    soest = await town_ref(graphql, "soest")
    point = {"location": {"latitude": SOEST_CENTRE[0], "longitude": SOEST_CENTRE[1]}} if located else {}

    with count_statements() as counter:
        body = await graphql(SUBMIT_ONLY, {"input": submit_input(soest, **point)}, headers=clara.headers)

    assert body["data"]["submitIdea"]["__typename"] == "IdeaSubmitted", body
    assert counter.count == 2  # before: 4 (the town and the field of action were read first)
