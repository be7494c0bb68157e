"""Limits on what organisations write: every broken limit in `registerOrganisation`, `draftOffer`, `updateOffer`
and `addShift` is a typed user error with a German message naming the field, and changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.support.ideas import SOEST_CENTRE, count_rows, row_id, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.volunteering import (
    ADD_SHIFT,
    DRAFT,
    REGISTER,
    drafted_offer,
    in_days,
    offer_fields,
    published_offer,
    registered_organisation,
)

UPDATE_OFFER = """
mutation Update($input: UpdateOfferInput!) {
  updateOffer(input: $input) {
    __typename
    ... on OfferUpdated { offer { title skills minimumAge confirmationHours } }
    ... on UserError { code field message }
  }
}
"""
CLOSE = "mutation Close($id: ID!) { closeOffer(offerId: $id) { __typename } }"
OFFER_COLUMNS = (
    "title, description, address, latitude, longitude, skills, accessibility_notes, minimum_age, contact, "
    "confirmation_hours, strategy_area_id, status, updated_at"
)

# (field given, value, code, field named, message); "UNKNOWN_AREA"/"OTHER_TOWNS_AREA" are filled in by the test.
OFFER_CASES: list[tuple[str, Any, str, str | None, str]] = [
    ("title", "Kurz", "TITLE_LENGTH", "title", "Der Titel muss 5 bis 140 Zeichen lang sein."),
    ("title", "x" * 141, "TITLE_LENGTH", "title", "Der Titel muss 5 bis 140 Zeichen lang sein."),
    ("title", "       ", "TITLE_LENGTH", "title", "Der Titel muss 5 bis 140 Zeichen lang sein."),
    ("title", "Glocke \x07 läutet", "TEXT_INVALID", "title", "Der Text enthält unzulässige Steuerzeichen."),
    (
        "description",
        "x" * 5001,
        "TEXT_TOO_LONG",
        "description",
        "Die Beschreibung darf höchstens 5000 Zeichen haben.",
    ),
    ("address", "x" * 301, "TEXT_TOO_LONG", "address", "Die Adresse darf höchstens 300 Zeichen haben."),
    ("contact", "x" * 301, "TEXT_TOO_LONG", "contact", "Der Kontakt darf höchstens 300 Zeichen haben."),
    (
        "accessibilityNotes",
        "x" * 2001,
        "TEXT_TOO_LONG",
        "accessibilityNotes",
        "Der Hinweis zur Barrierefreiheit darf höchstens 2000 Zeichen haben.",
    ),
    (
        "skills",
        [f"Fähigkeit {n}" for n in range(21)],
        "TOO_MANY_SKILLS",
        "skills",
        "Höchstens 20 Fähigkeiten je Angebot.",
    ),
    ("skills", ["Kochen", "x" * 61], "SKILL_LENGTH", "skills", "Jede Fähigkeit hat 1 bis 60 Zeichen."),
    ("skills", ["Kochen", "   "], "SKILL_LENGTH", "skills", "Jede Fähigkeit hat 1 bis 60 Zeichen."),
    ("minimumAge", -1, "MINIMUM_AGE_RANGE", "minimumAge", "Das Mindestalter liegt zwischen 0 und 99."),
    ("minimumAge", 100, "MINIMUM_AGE_RANGE", "minimumAge", "Das Mindestalter liegt zwischen 0 und 99."),
    (
        "confirmationHours",
        0,
        "CONFIRMATION_HOURS_RANGE",
        "confirmationHours",
        "Die Frist zum Bestätigen liegt zwischen 1 und 168 Stunden.",
    ),
    (
        "confirmationHours",
        169,
        "CONFIRMATION_HOURS_RANGE",
        "confirmationHours",
        "Die Frist zum Bestätigen liegt zwischen 1 und 168 Stunden.",
    ),
    (
        "location",
        {"latitude": 51.029, "longitude": 7.851},  # Olpe
        "LOCATION_OUTSIDE_TOWN",
        "location",
        "Der Ort liegt nicht in Soest.",
    ),
]
AREA_CASES: list[tuple[str, str, str, str]] = [
    ("kaputt", "InvalidInput", "INVALID_INPUT", "Diese ID ist ungültig."),
    ("TOWN_ID", "InvalidInput", "INVALID_INPUT", "Diese ID ist ungültig."),
    ("UNKNOWN_AREA", "NotFound", "UNKNOWN_STRATEGY_AREA", "Dieses Handlungsfeld gibt es in Soest nicht."),
    ("OTHER_TOWNS_AREA", "NotFound", "UNKNOWN_STRATEGY_AREA", "Dieses Handlungsfeld gibt es in Soest nicht."),
]


def _case_id(case: tuple[Any, ...]) -> str:
    return f"{case[0]}-{case[2]}"


async def _area(graphql: GraphQLClient, given: str) -> str:
    soest, arnsberg = await town_ref(graphql, "soest"), await town_ref(graphql, "arnsberg")
    return {
        "TOWN_ID": soest.id,
        "UNKNOWN_AREA": to_base64("StrategyArea", str(uuid.uuid4())),
        "OTHER_TOWNS_AREA": arnsberg.area_ids[0],
    }.get(given, given)


async def _offer_row(runtime: Runtime, offer_id: str) -> dict[str, Any]:
    async with runtime.engine.connect() as connection:
        row = (
            await connection.execute(
                text(f"SELECT {OFFER_COLUMNS} FROM volunteer_offers WHERE id = :id"),  # noqa: S608 - own literal
                {"id": row_id(offer_id)},
            )
        ).one()
    return dict(row._mapping)


def _refusal(typename: str, code: str, field: str | None, message: str) -> dict[str, Any]:
    return {"__typename": typename, "code": code, "field": field, "message": message}


# ----------------------------------------------------------------------------- registerOrganisation


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"name": "ab"}, ("InvalidInput", "NAME_LENGTH", "name", "Der Name muss 3 bis 140 Zeichen lang sein.")),
        ({"name": "x" * 141}, ("InvalidInput", "NAME_LENGTH", "name", "Der Name muss 3 bis 140 Zeichen lang sein.")),
        ({"name": "  a  "}, ("InvalidInput", "NAME_LENGTH", "name", "Der Name muss 3 bis 140 Zeichen lang sein.")),
        (
            {"name": "Verein\x1b e. V."},
            ("InvalidInput", "TEXT_INVALID", "name", "Der Text enthält unzulässige Steuerzeichen."),
        ),
        (
            {"description": "x" * 5001},
            ("InvalidInput", "TEXT_TOO_LONG", "description", "Die Beschreibung darf höchstens 5000 Zeichen haben."),
        ),
        ({"townId": "kaputt"}, ("InvalidInput", "INVALID_INPUT", "townId", "Diese ID ist ungültig.")),
        ({"townId": "AREA"}, ("InvalidInput", "INVALID_INPUT", "townId", "Diese ID ist ungültig.")),
        ({"townId": "UNKNOWN"}, ("NotFound", "UNKNOWN_TOWN", "townId", "Diese Stadt gibt es hier nicht.")),
    ],
    ids=lambda value: "-".join(map(str, value))[:40] if isinstance(value, tuple) else None,
)
async def test_register_organisation_refuses_bad_input(
    given: dict[str, str],
    expected: tuple[str, str, str, str],
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
) -> None:
    manni = await person(runtime, oidc_provider, "manni")
    soest = await town_ref(graphql, "soest")
    town_ids = {"AREA": soest.area_ids[0], "UNKNOWN": to_base64("Town", str(uuid.uuid4()))}
    values = {key: town_ids.get(value, value) for key, value in given.items()}

    result = await graphql(
        REGISTER, {"input": {"townId": soest.id, "name": "Tafel Soest e. V.", **values}}, headers=manni.headers
    )

    assert result["data"]["registerOrganisation"] == _refusal(*expected)
    assert await count_rows(runtime, "organisations") == 0
    assert await count_rows(runtime, "role_grants", "organisation_id IS NOT NULL") == 0
    assert await count_rows(runtime, "audit_log", "action = 'organisation.registered'") == 0


async def test_register_organisation_accepts_the_limits_and_trims(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    manni = await person(runtime, oidc_provider, "manni")
    soest = await town_ref(graphql, "soest")

    names = []
    for name in ("  abc  ", "x" * 140):
        result = await graphql(
            REGISTER, {"input": {"townId": soest.id, "name": name, "description": "y" * 5000}}, headers=manni.headers
        )
        assert result["data"]["registerOrganisation"]["__typename"] == "OrganisationRegistered", result
        names.append(result["data"]["registerOrganisation"]["organisation"]["name"])

    assert names == ["abc", "x" * 140]
    assert await count_rows(runtime, "organisations") == 2


# ----------------------------------------------------------------------------- draftOffer


@pytest.mark.parametrize("case", OFFER_CASES, ids=_case_id)
async def test_draft_offer_refuses_each_broken_limit(
    case: tuple[str, Any, str, str | None, str], runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    field, value, code, named, message = case
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")

    result = await graphql(
        DRAFT,
        {
            "input": {
                "organisationId": organisation.id,
                "strategyAreaId": soest.area_ids[0],
                "fields": offer_fields(**{field: value}),
            }
        },
        headers=organisation.manager.headers,
    )

    assert result["data"]["draftOffer"] == _refusal("InvalidInput", code, named, message)
    assert await count_rows(runtime, "volunteer_offers") == 0


async def test_update_offer_keeps_what_is_left_out_and_removes_what_is_null(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    offer_id = await published_offer(graphql, organisation, minimumAge=16)
    headers = organisation.manager.headers

    kept = await graphql(
        UPDATE_OFFER, {"input": {"offerId": offer_id, "fields": {"skills": ["Kochen"]}}}, headers=headers
    )
    removed = await graphql(
        UPDATE_OFFER, {"input": {"offerId": offer_id, "fields": {"minimumAge": None}}}, headers=headers
    )

    assert (kept["data"]["updateOffer"]["offer"]["minimumAge"], kept["data"]["updateOffer"]["offer"]["skills"]) == (
        16,
        ["Kochen"],
    )
    assert (
        removed["data"]["updateOffer"]["offer"]["minimumAge"],
        removed["data"]["updateOffer"]["offer"]["skills"],
    ) == (
        None,
        ["Kochen"],
    )


@pytest.mark.parametrize("case", AREA_CASES, ids=lambda case: case[0])
async def test_draft_offer_refuses_a_strategy_area_not_of_the_town(
    case: tuple[str, str, str, str], runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    given, typename, code, message = case
    organisation = await registered_organisation(graphql, runtime, oidc_provider)

    result = await graphql(
        DRAFT,
        {
            "input": {
                "organisationId": organisation.id,
                "strategyAreaId": await _area(graphql, given),
                "fields": offer_fields(),
            }
        },
        headers=organisation.manager.headers,
    )

    assert result["data"]["draftOffer"] == _refusal(typename, code, "strategyAreaId", message)
    assert await count_rows(runtime, "volunteer_offers") == 0


@pytest.mark.parametrize("missing", ["title", "description"])
async def test_a_draft_needs_title_and_description(
    missing: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")
    fields = {key: value for key, value in offer_fields().items() if key != missing}

    result = await graphql(
        DRAFT,
        {"input": {"organisationId": organisation.id, "strategyAreaId": soest.area_ids[0], "fields": fields}},
        headers=organisation.manager.headers,
    )

    assert result["data"]["draftOffer"] == _refusal(
        "InvalidInput", "INVALID_INPUT", "title", "Titel und Beschreibung sind nötig."
    )
    assert await count_rows(runtime, "volunteer_offers") == 0


async def test_draft_offer_refuses_an_unknown_organisation(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")

    results = []
    for organisation_id in ("kaputt", to_base64("Organisation", str(uuid.uuid4()))):
        body = await graphql(
            DRAFT,
            {
                "input": {
                    "organisationId": organisation_id,
                    "strategyAreaId": soest.area_ids[0],
                    "fields": offer_fields(),
                }
            },
            headers=organisation.manager.headers,
        )
        results.append(body["data"]["draftOffer"])

    assert results == [
        _refusal("InvalidInput", "INVALID_INPUT", "organisationId", "Diese ID ist ungültig."),
        _refusal("NotFound", "UNKNOWN_ORGANISATION", "organisationId", "Diese Organisation gibt es nicht."),
    ]
    assert await count_rows(runtime, "volunteer_offers") == 0


async def test_draft_offer_accepts_the_limits(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")
    fields = offer_fields(
        title="  " + "t" * 140 + "  ",
        description="d" * 5000,
        address="a" * 300,
        contact="c" * 300,
        accessibilityNotes="b" * 2000,
        skills=[f"Fähigkeit {n:02}".ljust(60, "x") for n in range(19)] + ["  fähigkeit 00".ljust(62, "x")],
        minimumAge=99,
        confirmationHours=168,
        location={"latitude": SOEST_CENTRE[0], "longitude": SOEST_CENTRE[1]},
    )

    result = await graphql(
        DRAFT,
        {"input": {"organisationId": organisation.id, "strategyAreaId": soest.area_ids[0], "fields": fields}},
        headers=organisation.manager.headers,
    )

    assert result["data"]["draftOffer"]["__typename"] == "OfferDrafted", result
    offer = result["data"]["draftOffer"]["offer"]
    assert offer["title"] == "t" * 140
    # 20 skills given (the limit counts what is given), one repeats another but for case and outer spaces.
    assert len(offer["skills"]) == 19
    assert offer["skills"][0] == "Fähigkeit 00".ljust(60, "x")
    assert (offer["minimumAge"], offer["confirmationHours"]) == (99, 168)


# ----------------------------------------------------------------------------- updateOffer


@pytest.mark.parametrize("case", OFFER_CASES, ids=_case_id)
async def test_update_offer_refuses_each_broken_limit_and_changes_nothing(
    case: tuple[str, Any, str, str | None, str], runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    field, value, code, named, message = case
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    offer_id = await published_offer(graphql, organisation, minimumAge=16)
    before = await _offer_row(runtime, offer_id)

    # A valid change in the same call is not kept either.
    result = await graphql(
        UPDATE_OFFER,
        {"input": {"offerId": offer_id, "fields": {"contact": "neu@example.org", field: value}}},
        headers=organisation.manager.headers,
    )

    assert result["data"]["updateOffer"] == _refusal("InvalidInput", code, named, message)
    assert await _offer_row(runtime, offer_id) == before


@pytest.mark.parametrize("case", AREA_CASES, ids=lambda case: case[0])
async def test_update_offer_refuses_a_strategy_area_not_of_the_town(
    case: tuple[str, str, str, str], runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    given, typename, code, message = case
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    offer_id = await drafted_offer(graphql, organisation)
    before = await _offer_row(runtime, offer_id)

    result = await graphql(
        UPDATE_OFFER,
        {"input": {"offerId": offer_id, "strategyAreaId": await _area(graphql, given), "fields": {}}},
        headers=organisation.manager.headers,
    )

    assert result["data"]["updateOffer"] == _refusal(typename, code, "strategyAreaId", message)
    assert await _offer_row(runtime, offer_id) == before


async def test_closed_and_unknown_offers_are_not_updated(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    offer_id = await published_offer(graphql, organisation)
    closed = await graphql(CLOSE, {"id": offer_id}, headers=organisation.manager.headers)
    assert closed["data"]["closeOffer"]["__typename"] == "OfferClosed"
    before = await _offer_row(runtime, offer_id)

    results = []
    for target in (offer_id, "kaputt", to_base64("VolunteerOffer", str(uuid.uuid4()))):
        body = await graphql(
            UPDATE_OFFER,
            {"input": {"offerId": target, "fields": {"title": "Neuer Titel"}}},
            headers=organisation.manager.headers,
        )
        results.append(body["data"]["updateOffer"])

    assert results == [
        _refusal("InvalidInput", "OFFER_NOT_EDITABLE", None, "Geschlossene Angebote können nicht bearbeitet werden."),
        _refusal("InvalidInput", "INVALID_INPUT", "offerId", "Diese ID ist ungültig."),
        _refusal("NotFound", "UNKNOWN_OFFER", "offerId", "Dieses Angebot gibt es nicht (mehr)."),
    ]
    assert await _offer_row(runtime, offer_id) == before


# ----------------------------------------------------------------------------- addShift


def _shift_case(start: datetime | str, end: datetime | str, capacity: int = 3) -> dict[str, Any]:
    return {
        "startsAt": start.isoformat() if isinstance(start, datetime) else start,
        "endsAt": end.isoformat() if isinstance(end, datetime) else end,
        "capacity": capacity,
    }


START = in_days(5)
SHIFT_CASES: list[tuple[str, dict[str, Any], str, str | None, str]] = [
    ("no places", _shift_case(START, START + timedelta(hours=2), 0), "CAPACITY_RANGE", "capacity", ""),
    ("negative places", _shift_case(START, START + timedelta(hours=2), -3), "CAPACITY_RANGE", "capacity", ""),
    ("too many places", _shift_case(START, START + timedelta(hours=2), 10001), "CAPACITY_RANGE", "capacity", ""),
    (
        "ends at start",
        _shift_case(START, START),
        "SHIFT_TIMES_INVALID",
        "endsAt",
        "Das Ende muss nach dem Beginn liegen.",
    ),
    (
        "ends before start",
        _shift_case(START, START - timedelta(hours=1)),
        "SHIFT_TIMES_INVALID",
        "endsAt",
        "Das Ende muss nach dem Beginn liegen.",
    ),
    (
        "longer than a day",
        _shift_case(START, START + timedelta(hours=24, minutes=1)),
        "SHIFT_TIMES_INVALID",
        "endsAt",
        "Ein Einsatz dauert höchstens 24 Stunden.",
    ),
    (
        "in the past",
        _shift_case(datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) - timedelta(hours=22)),
        "SHIFT_TIMES_INVALID",
        "startsAt",
        "Der Beginn muss in der Zukunft liegen.",
    ),
    (
        "without time zone",
        _shift_case("2031-05-04T10:00:00", "2031-05-04T12:00:00"),
        "SHIFT_TIMES_INVALID",
        "startsAt",
        "Bitte Zeiten mit Zeitzone angeben.",
    ),
]


@pytest.mark.parametrize("case", SHIFT_CASES, ids=lambda case: case[0])
async def test_add_shift_refuses_each_broken_limit(
    case: tuple[str, dict[str, Any], str, str | None, str],
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
) -> None:
    _name, shift, code, named, message = case
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    offer_id = await published_offer(graphql, organisation)

    result = await graphql(ADD_SHIFT, {"input": {"offerId": offer_id, **shift}}, headers=organisation.manager.headers)

    assert result["data"]["addShift"] == _refusal(
        "InvalidInput", code, named, message or "Ein Einsatz hat 1 bis 10000 Plätze."
    )
    assert await count_rows(runtime, "volunteer_shifts") == 0


async def test_add_shift_refuses_closed_and_unknown_offers(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    offer_id = await published_offer(graphql, organisation)
    await graphql(CLOSE, {"id": offer_id}, headers=organisation.manager.headers)
    shift = _shift_case(START, START + timedelta(hours=2))

    results = []
    for target in (offer_id, "kaputt", to_base64("VolunteerOffer", str(uuid.uuid4()))):
        body = await graphql(ADD_SHIFT, {"input": {"offerId": target, **shift}}, headers=organisation.manager.headers)
        results.append(body["data"]["addShift"])

    assert results == [
        _refusal("InvalidInput", "OFFER_NOT_EDITABLE", None, "Geschlossene Angebote bekommen keine neuen Einsätze."),
        _refusal("InvalidInput", "INVALID_INPUT", "offerId", "Diese ID ist ungültig."),
        _refusal("NotFound", "UNKNOWN_OFFER", "offerId", "Dieses Angebot gibt es nicht (mehr)."),
    ]
    assert await count_rows(runtime, "volunteer_shifts") == 0


async def test_add_shift_accepts_the_limits(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    offer_id = await drafted_offer(graphql, organisation)  # drafts get shifts before they are published

    results = []
    for shift in (
        _shift_case(START, START + timedelta(hours=24), 1),
        _shift_case(START + timedelta(days=2), START + timedelta(days=2, minutes=1), 10000),
    ):
        body = await graphql(ADD_SHIFT, {"input": {"offerId": offer_id, **shift}}, headers=organisation.manager.headers)
        results.append(body["data"]["addShift"])

    assert [result["__typename"] for result in results] == ["ShiftAdded", "ShiftAdded"], results
    assert [result["shift"]["freePlaces"] for result in results] == [1, 10000]
    assert await count_rows(runtime, "volunteer_shifts") == 2
