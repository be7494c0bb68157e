"""Finding offers in a town and in the region: text, skills, strategy area, shift dates and distance; only
published offers of verified organisations; keyset pages; bad arguments are top-level errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.kit.geo import KM_PER_DEGREE_LATITUDE
from tests.conftest import GraphQLClient
from tests.support.ideas import SOEST_CENTRE, codes, count_rows, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.volunteering import (
    added_shift,
    drafted_offer,
    in_days,
    published_offer,
    registered_organisation,
)

PAGE = """
  edges { cursor node { title town { slug } } }
  pageInfo { hasNextPage hasPreviousPage endCursor }
"""
REGION = f"""
query Region($first: Int! = 20, $after: String, $filter: OfferFilterInput) {{
  offers(first: $first, after: $after, filter: $filter) {{ {PAGE} }}
}}
"""
TOWN = f"""
query Town($slug: String!, $first: Int! = 20, $after: String, $filter: OfferFilterInput) {{
  town(slug: $slug) {{ offers(first: $first, after: $after, filter: $filter) {{ {PAGE} }} }}
}}
"""
CLOSE = """
mutation Close($id: ID!) { closeOffer(offerId: $id) { __typename } }
"""
CANCEL_SHIFT = """
mutation CancelShift($id: ID!) { cancelShift(shiftId: $id) { __typename } }
"""
ONE_KM_NORTH = 1 / KM_PER_DEGREE_LATITUDE
NO_ID = "00000000-0000-0000-0000-000000000000"


def _cursor(value: object) -> str:
    """A cursor as the search encodes one (urlsafe base64 of JSON: the kind "offer" and the values), holding
    anything."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


async def _search(
    graphql: GraphQLClient,
    *,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    **variables: Any,
) -> dict[str, Any]:
    if slug is None:
        body = await graphql(REGION, variables, headers=headers)
        assert "errors" not in body, body
        connection: dict[str, Any] = body["data"]["offers"]
    else:
        body = await graphql(TOWN, {"slug": slug, **variables}, headers=headers)
        assert "errors" not in body, body
        connection = body["data"]["town"]["offers"]
    return connection


async def _titles(graphql: GraphQLClient, **arguments: Any) -> list[str]:
    connection = await _search(graphql, **arguments)
    return [edge["node"]["title"] for edge in connection["edges"]]


async def test_town_and_region_newest_first(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    soest = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    arnsberg = await registered_organisation(graphql, runtime, oidc_provider, town="arnsberg", manager_subject="arne")
    await published_offer(graphql, soest, title="Soester Tafel hilft")
    await published_offer(graphql, arnsberg, title="Arnsberger Waldputz")
    await published_offer(graphql, soest, title="Soester Lesepaten")

    assert await _titles(graphql, slug="soest") == ["Soester Lesepaten", "Soester Tafel hilft"]
    assert await _titles(graphql, slug="arnsberg") == ["Arnsberger Waldputz"]
    assert await _titles(graphql, slug="olpe") == []
    assert await _titles(graphql) == ["Soester Lesepaten", "Arnsberger Waldputz", "Soester Tafel hilft"]
    region = await _search(graphql)
    assert [edge["node"]["town"]["slug"] for edge in region["edges"]] == ["soest", "arnsberg", "soest"]


@pytest.mark.parametrize("viewer", ["anonymous", "manager", "staff_of_town", "admin_of_region"])
async def test_drafts_closed_offers_and_unverified_organisations_never_appear(
    viewer: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    verified = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    unverified = await registered_organisation(
        graphql, runtime, oidc_provider, town="soest", manager_subject="ulla", verified=False
    )
    await published_offer(graphql, verified, title="Sichtbares Angebot")
    await drafted_offer(graphql, verified, title="Entwurf des Vereins")
    await drafted_offer(graphql, unverified, title="Entwurf ohne Bestätigung")
    closed = await published_offer(graphql, verified, title="Geschlossenes Angebot")
    done = await graphql(CLOSE, {"id": closed}, headers=verified.manager.headers)
    assert done["data"]["closeOffer"]["__typename"] == "OfferClosed"
    headers = {
        "anonymous": None,
        "manager": verified.manager.headers,
        "staff_of_town": (await person(runtime, oidc_provider, "sara", roles_held=((Role.STAFF, "soest"),))).headers,
        "admin_of_region": (
            await person(runtime, oidc_provider, "ada", roles_held=((Role.REGION_ADMIN, None),))
        ).headers,
    }[viewer]

    assert await _titles(graphql, slug="soest", headers=headers) == ["Sichtbares Angebot"]
    assert await _titles(graphql, headers=headers) == ["Sichtbares Angebot"]
    assert await count_rows(runtime, "volunteer_offers") == 4


async def test_pages_visit_every_offer_exactly_once(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    titles = [f"Angebot Nummer {number}" for number in range(5)]
    for title in titles:
        await published_offer(graphql, organisation, title=title)

    for slug in ("soest", None):
        seen: list[str] = []
        after = None
        pages = []
        while True:
            connection = await _search(graphql, slug=slug, first=2, after=after)
            seen += [edge["node"]["title"] for edge in connection["edges"]]
            pages.append((connection["pageInfo"]["hasNextPage"], connection["pageInfo"]["hasPreviousPage"]))
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        assert seen == list(reversed(titles)), slug
        assert pages == [(True, False), (True, True), (False, True)], slug


async def test_german_full_text_search(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    await published_offer(
        graphql,
        organisation,
        title="Gassi gehen im Tierheim",
        description="Wir gehen mit den Hunden des Tierheims spazieren.",
    )
    await published_offer(graphql, organisation, title="Lesepaten in der Grundschule")

    # German stemming: "Hund" finds "Hunden", "Grundschulen" finds "Grundschule"; words in title or description.
    assert await _titles(graphql, slug="soest", filter={"text": "Hund"}) == ["Gassi gehen im Tierheim"]
    assert await _titles(graphql, filter={"text": "Grundschulen"}) == ["Lesepaten in der Grundschule"]
    assert await _titles(graphql, filter={"text": "Hund -Tierheim"}) == []
    assert await _titles(graphql, filter={"text": "Feuerwehr"}) == []
    # Blank text filters nothing; search syntax characters are not errors.
    assert len(await _titles(graphql, filter={"text": "   "})) == 2
    assert await _titles(graphql, filter={"text": '"( & | ! :*'}) == []


async def test_the_skills_filter_ignores_case_and_spacing(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    await published_offer(graphql, organisation, title="Sanitätsdienst beim Stadtfest", skills=["Erste Hilfe"])
    await published_offer(graphql, organisation, title="Fahrdienst", skills=["Führerschein"])

    for spelled in ("Erste Hilfe", "erste hilfe", "ERSTE HILFE", " erste  Hilfe "):
        assert await _titles(graphql, filter={"skills": [spelled]}) == ["Sanitätsdienst beim Stadtfest"], spelled
    assert await _titles(graphql, filter={"skills": ["führerschein", "ERSTE HILFE"]}) == [
        "Fahrdienst",
        "Sanitätsdienst beim Stadtfest",
    ]
    assert await _titles(graphql, filter={"skills": ["erste"]}) == []


async def test_filter_by_skills_and_strategy_area(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    soest = await town_ref(graphql, "soest")
    first_area = await published_offer(graphql, organisation, title="Fahrdienst", skills=["Führerschein"])
    await published_offer(graphql, organisation, title="Kochen für alle", skills=["Kochen", "Einkaufen"])
    update = """
    mutation Update($input: UpdateOfferInput!) { updateOffer(input: $input) { __typename } }
    """
    moved = await graphql(
        update,
        {"input": {"offerId": first_area, "strategyAreaId": soest.area_ids[1], "fields": {}}},
        headers=organisation.manager.headers,
    )
    assert moved["data"]["updateOffer"]["__typename"] == "OfferUpdated", moved

    assert await _titles(graphql, filter={"skills": ["Kochen"]}) == ["Kochen für alle"]
    assert await _titles(graphql, filter={"skills": ["Führerschein", "Einkaufen"]}) == [
        "Kochen für alle",
        "Fahrdienst",
    ]
    assert await _titles(graphql, filter={"skills": ["Gärtnern"]}) == []
    assert await _titles(graphql, filter={"skills": []}) == ["Kochen für alle", "Fahrdienst"]
    assert await _titles(graphql, slug="soest", filter={"strategyAreaId": soest.area_ids[1]}) == ["Fahrdienst"]
    assert await _titles(graphql, filter={"strategyAreaId": soest.area_ids[0]}) == ["Kochen für alle"]
    # An area of another town matches nothing in this town.
    arnsberg = await town_ref(graphql, "arnsberg")
    assert await _titles(graphql, slug="soest", filter={"strategyAreaId": arnsberg.area_ids[0]}) == []


async def test_filter_by_the_dates_of_shifts(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    soon = await published_offer(graphql, organisation, title="Bald: Stadtfest")
    later = await published_offer(graphql, organisation, title="Später: Weihnachtsmarkt")
    cancelled = await published_offer(graphql, organisation, title="Abgesagt: Sommerfest")
    await published_offer(graphql, organisation, title="Ohne Einsätze")
    await added_shift(graphql, organisation, soon, capacity=3, starts_at=in_days(3))
    await added_shift(graphql, organisation, later, capacity=3, starts_at=in_days(20))
    shift = await added_shift(graphql, organisation, cancelled, capacity=3, starts_at=in_days(4))
    done = await graphql(CANCEL_SHIFT, {"id": shift}, headers=organisation.manager.headers)
    assert done["data"]["cancelShift"]["__typename"] == "ShiftCancelled"

    def window(start: float | None, end: float | None) -> dict[str, Any]:
        return {
            "filter": {
                "startsAfter": in_days(start).isoformat() if start is not None else None,
                "startsBefore": in_days(end).isoformat() if end is not None else None,
            }
        }

    assert await _titles(graphql, **window(1, 10)) == ["Bald: Stadtfest"]
    assert await _titles(graphql, slug="soest", **window(10, None)) == ["Später: Weihnachtsmarkt"]
    assert await _titles(graphql, **window(None, 30)) == ["Später: Weihnachtsmarkt", "Bald: Stadtfest"]
    # The window is [startsAfter, startsBefore): a shift starting exactly at startsBefore is outside.
    assert await _titles(graphql, **window(3, 20)) == ["Bald: Stadtfest"]
    assert await _titles(graphql, **window(21, 30)) == []


async def test_near_a_point(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    latitude, longitude = SOEST_CENTRE
    await published_offer(
        graphql,
        organisation,
        title="Am Markt",
        location={"latitude": latitude + 0.5 * ONE_KM_NORTH, "longitude": longitude},
    )
    await published_offer(
        graphql,
        organisation,
        title="Am Stadtrand",
        location={"latitude": latitude + 3 * ONE_KM_NORTH, "longitude": longitude},
    )
    await published_offer(graphql, organisation, title="Ohne Ort")

    def near(radius: float) -> dict[str, Any]:
        return {"filter": {"near": {"latitude": latitude, "longitude": longitude, "radiusKm": radius}}}

    assert await _titles(graphql, **near(1)) == ["Am Markt"]
    assert await _titles(graphql, slug="soest", **near(5)) == ["Am Stadtrand", "Am Markt"]
    assert await _titles(graphql, **near(0.4)) == []
    assert await _titles(graphql, slug="arnsberg", **near(50)) == []


async def test_filters_combine(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    await published_offer(graphql, organisation, title="Kochen im Jugendzentrum", skills=["Kochen"])
    await published_offer(graphql, organisation, title="Kochen im Seniorenheim", skills=["Pflege"])

    both = {"filter": {"text": "Kochen", "skills": ["Kochen"]}}
    assert await _titles(graphql, **both) == ["Kochen im Jugendzentrum"]


@pytest.mark.parametrize("slug", [None, "soest"])
@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 101}, "`first` muss zwischen 1 und 100 liegen."),
        ({"first": 0}, "`first` muss zwischen 1 und 100 liegen."),
        ({"first": -5}, "`first` muss zwischen 1 und 100 liegen."),
        ({"after": "kein-cursor"}, "Ungültiger Cursor."),
        ({"after": _cursor(["offer", 1, 2])}, "Ungültiger Cursor."),
        ({"after": _cursor({"a": 1})}, "Ungültiger Cursor."),
        ({"after": _cursor(7)}, "Ungültiger Cursor."),
        ({"after": _cursor(["offer", None, NO_ID])}, "Ungültiger Cursor."),
        ({"after": _cursor(["offer", "2026-01-01T00:00:00+00:00", "x"])}, "Ungültiger Cursor."),
        ({"after": _cursor(["offer", "gestern", NO_ID])}, "Ungültiger Cursor."),
        ({"after": _cursor(["offer", "2026-01-01T00:00:00+00:00", NO_ID, "3"])}, "Ungültiger Cursor."),
        ({"after": _cursor(["2026-01-01T00:00:00+00:00", NO_ID])}, "Ungültiger Cursor."),
        ({"after": _cursor(["survey", "2026-01-01T00:00:00+00:00", NO_ID])}, "Ungültiger Cursor."),
        ({"after": base64.urlsafe_b64encode(b"\xff\xfe").decode()}, "Ungültiger Cursor."),
        ({"filter": {"strategyAreaId": "kaputt"}}, "Diese ID ist ungültig."),
        ({"filter": {"near": {"latitude": 51.5, "longitude": 8.1, "radiusKm": 0}}}, "zwischen 0 und 50 km"),
        ({"filter": {"near": {"latitude": 51.5, "longitude": 8.1, "radiusKm": -1}}}, "zwischen 0 und 50 km"),
        ({"filter": {"near": {"latitude": 51.5, "longitude": 8.1, "radiusKm": 50.5}}}, "zwischen 0 und 50 km"),
        ({"filter": {"skills": [f"Fähigkeit {n}" for n in range(21)]}}, "Höchstens 20 Fähigkeiten im Filter."),
    ],
)
async def test_bad_arguments_are_top_level_errors(
    slug: str | None, variables: dict[str, Any], message: str, graphql: GraphQLClient
) -> None:
    body = await graphql(REGION if slug is None else TOWN, {**variables, **({"slug": slug} if slug else {})})

    assert codes(body["errors"]) == ["BAD_USER_INPUT"], body
    assert message in body["errors"][0]["message"]


async def test_a_strategy_area_id_of_another_type_is_refused(graphql: GraphQLClient) -> None:
    town = await town_ref(graphql, "soest")

    body = await graphql(REGION, {"filter": {"strategyAreaId": town.id}})

    assert codes(body["errors"]) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "Diese ID ist ungültig."


async def test_a_cursor_with_a_time_without_zone_is_read_as_utc(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest")
    await published_offer(graphql, organisation, title="Ein Angebot")
    cursor = _cursor(["offer", "2999-01-01T00:00:00", NO_ID])  # a time without zone, far in the future

    body = await graphql(REGION, {"after": cursor})

    assert "errors" not in body, body
    assert [edge["node"]["title"] for edge in body["data"]["offers"]["edges"]] == ["Ein Angebot"]
