"""The organisation changes or cancels a shift: the people on it are told by e-mail (through the outbox and a real
SMTP server), freed places go to the waitlist, and only the organisation's managers may do it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.config import Settings
from tests.conftest import GraphQLClient
from tests.support.ideas import codes, count_rows, row_id
from tests.support.mail import Inbox, give_address, run_worker, smtp_inbox
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.volunteering import (
    CANCEL_SIGN_UP,
    CONFIRM_PLACE,
    Setup,
    added_shift,
    in_days,
    move_shift_directly,
    open_shift,
    registered_organisation,
    sign_up,
    sign_up_rows,
)

UPDATE_SHIFT = """
mutation UpdateShift($input: UpdateShiftInput!) {
  updateShift(input: $input) {
    __typename
    ... on ShiftUpdated { shift { startsAt endsAt capacity placesTaken freePlaces isCancelled } }
    ... on UserError { code field message }
  }
}
"""
CANCEL_SHIFT = """
mutation CancelShift($id: ID!) {
  cancelShift(shiftId: $id) {
    __typename
    ... on ShiftCancelled { shift { capacity placesTaken freePlaces isCancelled } }
    ... on UserError { code field message }
  }
}
"""
ATTENDANCE = """
mutation Attendance($input: ConfirmAttendanceInput!) {
  confirmAttendance(input: $input) { __typename ... on UserError { code } }
}
"""
BERLIN = ZoneInfo("Europe/Berlin")
TITLE = "„Lebensmittel ausgeben“"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_inbox() as server:
        yield server


def _email(subject: str) -> str:
    return f"{subject}@example.org"


async def _shift_row(runtime: Runtime, shift_id: str) -> dict[str, Any]:
    async with runtime.engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT starts_at, ends_at, capacity, places_taken, cancelled_at "
                    "FROM volunteer_shifts WHERE id = :id"
                ),
                {"id": row_id(shift_id)},
            )
        ).one()
    return dict(row._mapping)


async def _move(graphql: GraphQLClient, setup: Setup, start: datetime) -> dict[str, Any]:
    """`updateShift` by the organisation's manager: the shift to two hours from `start`."""
    times = {"startsAt": start.isoformat(), "endsAt": (start + timedelta(hours=2)).isoformat()}
    return await graphql(
        UPDATE_SHIFT, {"input": {"shiftId": setup.shift_id, **times}}, headers=setup.organisation.manager.headers
    )


async def _people(runtime: Runtime, provider: OidcProvider, *subjects: str) -> list[Person]:
    """People with an e-mail address each."""
    people = [await person(runtime, provider, subject) for subject in subjects]
    for someone, subject in zip(people, subjects, strict=True):
        await give_address(runtime, someone, _email(subject))
    return people


async def _caller(kind: str, runtime: Runtime, provider: OidcProvider) -> Person | None:
    roles: dict[str, tuple[tuple[Role, str | None], ...]] = {
        "citizen": (),
        "staff_of_town": ((Role.STAFF, "soest"),),
        "staff_of_other_town": ((Role.STAFF, "olpe"),),
        "moderator_of_town": ((Role.MODERATOR, "soest"),),
        "admin_of_town": ((Role.ADMIN, "soest"),),
        "admin_of_region": ((Role.REGION_ADMIN, None),),
    }
    if kind == "anonymous":
        return None
    return await person(runtime, provider, f"caller-{kind}", roles_held=roles[kind])


NOT_MANAGERS = [
    "anonymous",
    "citizen",
    "staff_of_town",
    "staff_of_other_town",
    "moderator_of_town",
    "admin_of_town",
    "admin_of_region",
    "manager_of_other_organisation",
]


# ----------------------------------------------------------------------------- updateShift


async def test_new_times_are_mailed_to_everyone_on_the_shift_once(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider, inbox: Inbox
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    anna, ben, cem, dora = await _people(runtime, oidc_provider, "anna", "ben", "cem", "dora")
    for volunteer in (anna, ben, cem, dora):
        await sign_up(graphql, volunteer, setup.shift_id)
    dora_sign_up = (await sign_up_rows(runtime, setup.shift_id))[3]
    # Dora (waitlisted) leaves before the change; she is not told.
    left = await graphql(CANCEL_SIGN_UP, {"id": _sign_up_gid(dora_sign_up["id"])}, headers=dora.headers)
    assert left["data"]["cancelSignUp"]["signUp"]["status"] == "CANCELLED"
    await run_worker(runtime, settings)  # earlier notifications (none expected) and jobs out of the way
    new_start = in_days(9, hour=14)

    changed = await _move(graphql, setup, new_start)
    await run_worker(runtime, settings, inbox)
    await run_worker(runtime, settings, inbox)  # nothing left to send

    assert changed["data"]["updateShift"]["__typename"] == "ShiftUpdated", changed
    shift = changed["data"]["updateShift"]["shift"]
    assert datetime.fromisoformat(shift["startsAt"]) == new_start
    assert datetime.fromisoformat(shift["endsAt"]) == new_start + timedelta(hours=2)
    assert sorted(message["To"] for message in inbox.messages) == [_email("anna"), _email("ben"), _email("cem")]
    local = new_start.astimezone(BERLIN)
    expected_when = f"{local:%d.%m.%Y} von {local:%H:%M} bis {local + timedelta(hours=2):%H:%M} Uhr"
    for message in inbox.messages:
        assert message["Subject"] == f"Neue Zeiten: {TITLE}"
        assert expected_when in Inbox.body(message)
    assert inbox.to(_email("dora")) == []
    assert await count_rows(runtime, "notifications", "kind = 'volunteering.shift_changed' AND sent_at IS NULL") == 0
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "cancelled",
    ]


async def test_only_places_changed_tells_nobody(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    (anna,) = await _people(runtime, oidc_provider, "anna")
    await sign_up(graphql, anna, setup.shift_id)
    before = await _shift_row(runtime, setup.shift_id)

    same_times = await graphql(
        UPDATE_SHIFT,
        {"input": {"shiftId": setup.shift_id, "startsAt": before["starts_at"].isoformat(), "capacity": 5}},
        headers=setup.organisation.manager.headers,
    )

    assert same_times["data"]["updateShift"]["shift"]["capacity"] == 5
    assert same_times["data"]["updateShift"]["shift"]["freePlaces"] == 4
    assert await count_rows(runtime, "notifications") == 0


async def test_more_places_are_offered_to_the_waitlist_in_order(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider, inbox: Inbox
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=1)
    anna, ben, cem, dora = await _people(runtime, oidc_provider, "anna", "ben", "cem", "dora")
    results = [await sign_up(graphql, volunteer, setup.shift_id) for volunteer in (anna, ben, cem, dora)]
    assert [result["signUp"]["status"] for result in results] == ["CONFIRMED", "WAITLISTED", "WAITLISTED", "WAITLISTED"]
    await run_worker(runtime, settings)

    grown = await graphql(
        UPDATE_SHIFT, {"input": {"shiftId": setup.shift_id, "capacity": 3}}, headers=setup.organisation.manager.headers
    )
    await run_worker(runtime, settings, inbox)

    assert grown["data"]["updateShift"]["shift"] == {
        "startsAt": grown["data"]["updateShift"]["shift"]["startsAt"],
        "endsAt": grown["data"]["updateShift"]["shift"]["endsAt"],
        "capacity": 3,
        "placesTaken": 3,
        "freePlaces": 0,
        "isCancelled": False,
    }
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == [
        "confirmed",
        "offered",
        "offered",
        "waitlisted",
    ]
    assert sorted(message["To"] for message in inbox.messages) == [_email("ben"), _email("cem")]
    assert all(message["Subject"] == f"Ein Platz ist frei geworden: {TITLE}" for message in inbox.messages)
    confirmed = await graphql(CONFIRM_PLACE, {"id": results[1]["signUp"]["id"]}, headers=ben.headers)
    assert confirmed["data"]["confirmOfferedPlace"]["signUp"]["status"] == "CONFIRMED"


async def test_fewer_places_than_taken_are_refused_and_nothing_changes(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    for volunteer in await _people(runtime, oidc_provider, "anna", "ben"):
        await sign_up(graphql, volunteer, setup.shift_id)
    before = await _shift_row(runtime, setup.shift_id)
    new_start = in_days(12)

    refused = await graphql(
        UPDATE_SHIFT,
        {
            "input": {
                "shiftId": setup.shift_id,
                "capacity": 1,
                "startsAt": new_start.isoformat(),
                "endsAt": (new_start + timedelta(hours=1)).isoformat(),
            }
        },
        headers=setup.organisation.manager.headers,
    )

    assert refused["data"]["updateShift"] == {
        "__typename": "InvalidInput",
        "code": "CAPACITY_BELOW_TAKEN",
        "field": "capacity",
        "message": "Es sind schon 2 Plätze vergeben.",
    }
    assert await _shift_row(runtime, setup.shift_id) == before
    assert await count_rows(runtime, "notifications") == 0
    exact = await graphql(
        UPDATE_SHIFT, {"input": {"shiftId": setup.shift_id, "capacity": 2}}, headers=setup.organisation.manager.headers
    )
    assert exact["data"]["updateShift"]["shift"]["freePlaces"] == 0


@pytest.mark.parametrize(
    "case",
    [
        ({"capacity": 0}, "CAPACITY_RANGE", "capacity", "Ein Einsatz hat 1 bis 10000 Plätze."),
        ({"capacity": 10001}, "CAPACITY_RANGE", "capacity", "Ein Einsatz hat 1 bis 10000 Plätze."),
        ({"endsAt": "START"}, "SHIFT_TIMES_INVALID", "endsAt", "Das Ende muss nach dem Beginn liegen."),
        (
            {"startsAt": "PAST", "endsAt": "PAST_END"},
            "SHIFT_TIMES_INVALID",
            "startsAt",
            "Der Beginn muss in der Zukunft liegen.",
        ),
        ({"endsAt": "TWO_DAYS"}, "SHIFT_TIMES_INVALID", "endsAt", "Ein Einsatz dauert höchstens 24 Stunden."),
    ],
)
async def test_bad_changes_are_refused_and_nothing_changes(
    case: tuple[dict[str, Any], str, str, str],
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
) -> None:
    change, code, field, message = case
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    (anna,) = await _people(runtime, oidc_provider, "anna")
    await sign_up(graphql, anna, setup.shift_id)
    before = await _shift_row(runtime, setup.shift_id)
    values = {
        "START": before["starts_at"].isoformat(),
        "PAST": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "PAST_END": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "TWO_DAYS": (before["starts_at"] + timedelta(days=2)).isoformat(),
    }
    given = {key: values.get(value, value) if isinstance(value, str) else value for key, value in change.items()}

    refused = await graphql(
        UPDATE_SHIFT, {"input": {"shiftId": setup.shift_id, **given}}, headers=setup.organisation.manager.headers
    )

    assert refused["data"]["updateShift"] == {
        "__typename": "InvalidInput",
        "code": code,
        "field": field,
        "message": message,
    }
    assert await _shift_row(runtime, setup.shift_id) == before
    assert await count_rows(runtime, "notifications") == 0


@pytest.mark.parametrize(("started_hours_ago", "lasting_hours"), [(1, 3), (5, 3)], ids=["running", "over"])
async def test_a_shift_that_has_started_cannot_be_moved(
    started_hours_ago: int, lasting_hours: int, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    (anna,) = await _people(runtime, oidc_provider, "anna")
    await sign_up(graphql, anna, setup.shift_id)
    start = datetime.now(UTC) - timedelta(hours=started_hours_ago)
    await move_shift_directly(runtime, setup.shift_id, starts_at=start, ends_at=start + timedelta(hours=lasting_hours))
    before = await _shift_row(runtime, setup.shift_id)
    new_start = in_days(3)

    refused = await _move(graphql, setup, new_start)

    assert refused["data"]["updateShift"] == {
        "__typename": "InvalidInput",
        "code": "SHIFT_STARTED",
        "field": "startsAt",
        "message": "Der Einsatz hat schon begonnen; seine Zeiten lassen sich nicht mehr ändern.",
    }
    assert await _shift_row(runtime, setup.shift_id) == before
    assert await count_rows(runtime, "notifications") == 0


async def test_people_whose_other_shift_now_overlaps_keep_both_and_are_told_in_the_change_mail(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider, inbox: Inbox
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    other_start = in_days(9, hour=14)
    other = await added_shift(graphql, setup.organisation, setup.offer_id, capacity=3, starts_at=other_start)
    anna, ben = await _people(runtime, oidc_provider, "anna", "ben")
    for shift_id in (setup.shift_id, other):
        assert (await sign_up(graphql, anna, shift_id))["__typename"] == "SignedUpForShift"
    await sign_up(graphql, ben, setup.shift_id)
    await run_worker(runtime, settings)
    new_start = other_start - timedelta(hours=1)

    changed = await _move(graphql, setup, new_start)
    await run_worker(runtime, settings, inbox)

    assert changed["data"]["updateShift"]["__typename"] == "ShiftUpdated", changed
    local = other_start.astimezone(BERLIN)
    clash = f"Zur neuen Zeit sind Sie auch für {TITLE} am {local:%d.%m.%Y} von {local:%H:%M} bis"
    [to_anna] = inbox.to(_email("anna"))
    [to_ben] = inbox.to(_email("ben"))
    assert clash in Inbox.body(to_anna)
    assert "Zur neuen Zeit" not in Inbox.body(to_ben)
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == ["confirmed", "confirmed"]
    assert [row["status"] for row in await sign_up_rows(runtime, other)] == ["confirmed"]


async def test_a_cancelled_shift_cannot_be_changed(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    manager = setup.organisation.manager
    await graphql(CANCEL_SHIFT, {"id": setup.shift_id}, headers=manager.headers)

    refused = await graphql(
        UPDATE_SHIFT, {"input": {"shiftId": setup.shift_id, "capacity": 5}}, headers=manager.headers
    )

    assert refused["data"]["updateShift"] == {
        "__typename": "InvalidInput",
        "code": "SHIFT_CANCELLED",
        "field": None,
        "message": "Dieser Einsatz wurde abgesagt.",
    }
    assert (await _shift_row(runtime, setup.shift_id))["capacity"] == 3


@pytest.mark.parametrize("mutation", ["update", "cancel"])
async def test_unknown_and_malformed_shift_ids(
    mutation: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    headers = setup.organisation.manager.headers

    async def call(shift_id: str) -> dict[str, Any]:
        if mutation == "update":
            body = await graphql(UPDATE_SHIFT, {"input": {"shiftId": shift_id, "capacity": 5}}, headers=headers)
            result: dict[str, Any] = body["data"]["updateShift"]
        else:
            result = (await graphql(CANCEL_SHIFT, {"id": shift_id}, headers=headers))["data"]["cancelShift"]
        return result

    assert await call("kaputt") == {
        "__typename": "InvalidInput",
        "code": "INVALID_INPUT",
        "field": "shiftId",
        "message": "Diese ID ist ungültig.",
    }
    assert (await call(setup.offer_id))["code"] == "INVALID_INPUT"  # an offer's id is no shift's id
    assert await call(_shift_gid("00000000-0000-0000-0000-000000000000")) == {
        "__typename": "NotFound",
        "code": "UNKNOWN_SHIFT",
        "field": "shiftId",
        "message": "Diesen Einsatz gibt es nicht (mehr).",
    }
    after = await _shift_row(runtime, setup.shift_id)
    assert (after["capacity"], after["cancelled_at"]) == (3, None)


# ----------------------------------------------------------------------------- cancelShift


async def test_cancelling_ends_every_sign_up_and_tells_each_person_once(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider, inbox: Inbox
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    anna, ben, cem, dora, emil = await _people(runtime, oidc_provider, "anna", "ben", "cem", "dora", "emil")
    results = [await sign_up(graphql, volunteer, setup.shift_id) for volunteer in (anna, ben, cem, dora)]
    # Anna leaves: her place is offered to Cem; Dora keeps waiting.
    await graphql(CANCEL_SIGN_UP, {"id": results[0]["signUp"]["id"]}, headers=anna.headers)
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == [
        "cancelled",
        "confirmed",
        "offered",
        "waitlisted",
    ]
    await run_worker(runtime, settings)
    manager = setup.organisation.manager

    cancelled = await graphql(CANCEL_SHIFT, {"id": setup.shift_id}, headers=manager.headers)
    again = await graphql(CANCEL_SHIFT, {"id": setup.shift_id}, headers=manager.headers)
    await run_worker(runtime, settings, inbox)
    await run_worker(runtime, settings, inbox)

    expected = {
        "__typename": "ShiftCancelled",
        "shift": {"capacity": 2, "placesTaken": 0, "freePlaces": 0, "isCancelled": True},
    }
    assert cancelled["data"]["cancelShift"] == expected
    assert again["data"]["cancelShift"] == expected
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == ["cancelled"] * 4
    assert await count_rows(runtime, "volunteer_sign_ups", "cancelled_at IS NULL OR offer_expires_at IS NOT NULL") == 0
    assert sorted(message["To"] for message in inbox.messages) == [_email("ben"), _email("cem"), _email("dora")]
    for message in inbox.messages:
        assert message["Subject"] == f"Abgesagt: {TITLE}"
        assert "hat den Einsatz" in Inbox.body(message)
        assert "abgesagt" in Inbox.body(message)

    # No further sign-ups, and the place once offered to Cem cannot be taken any more.
    late = await sign_up(graphql, emil, setup.shift_id)
    assert late == {
        "__typename": "InvalidInput",
        "code": "SHIFT_CANCELLED",
        "field": None,
        "message": "Dieser Einsatz wurde abgesagt.",
    }
    again_ben = await sign_up(graphql, ben, setup.shift_id)
    assert again_ben["code"] == "SHIFT_CANCELLED"
    taken = await graphql(CONFIRM_PLACE, {"id": results[2]["signUp"]["id"]}, headers=cem.headers)
    assert taken["data"]["confirmOfferedPlace"]["code"] == "PLACE_NOT_OFFERED"
    assert await count_rows(runtime, "volunteer_sign_ups") == 4


async def test_cancelling_a_shift_that_is_over_keeps_the_recorded_attendance(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    (anna,) = await _people(runtime, oidc_provider, "anna")
    signed = await sign_up(graphql, anna, setup.shift_id)
    start = datetime.now(UTC) - timedelta(hours=5)
    await move_shift_directly(runtime, setup.shift_id, starts_at=start, ends_at=start + timedelta(hours=3))
    manager = setup.organisation.manager
    recorded = await graphql(
        ATTENDANCE, {"input": {"signUpId": signed["signUp"]["id"], "attended": True}}, headers=manager.headers
    )
    assert recorded["data"]["confirmAttendance"]["__typename"] == "AttendanceConfirmed"

    refused = await graphql(CANCEL_SHIFT, {"id": setup.shift_id}, headers=manager.headers)

    assert refused["data"]["cancelShift"] == {
        "__typename": "InvalidInput",
        "code": "SHIFT_STARTED",
        "field": None,
        "message": "Der Einsatz hat schon begonnen und kann nicht mehr abgesagt werden.",
    }
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == ["attended"]
    assert (await _shift_row(runtime, setup.shift_id))["cancelled_at"] is None
    assert await count_rows(runtime, "notifications") == 0


# ----------------------------------------------------------------------------- authorization


@pytest.mark.parametrize("kind", NOT_MANAGERS)
async def test_only_the_organisations_managers_change_or_cancel_shifts(
    kind: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    (anna,) = await _people(runtime, oidc_provider, "anna")
    await sign_up(graphql, anna, setup.shift_id)
    before = await _shift_row(runtime, setup.shift_id)
    if kind == "manager_of_other_organisation":
        other = await registered_organisation(graphql, runtime, oidc_provider, manager_subject="other-manager")
        caller: Person | None = other.manager
    else:
        caller = await _caller(kind, runtime, oidc_provider)
    headers = caller.headers if caller else {}
    new_start = in_days(10)

    changed = await graphql(
        UPDATE_SHIFT,
        {
            "input": {
                "shiftId": setup.shift_id,
                "capacity": 7,
                "startsAt": new_start.isoformat(),
                "endsAt": (new_start + timedelta(hours=2)).isoformat(),
            }
        },
        headers=headers,
    )
    cancelled = await graphql(CANCEL_SHIFT, {"id": setup.shift_id}, headers=headers)

    for refused in (changed, cancelled):
        assert refused["data"] is None, refused
        assert codes(refused["errors"]) == ["FORBIDDEN" if caller else "UNAUTHENTICATED"]
    assert await _shift_row(runtime, setup.shift_id) == before
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == ["confirmed"]
    assert await count_rows(runtime, "notifications") == 0


def _shift_gid(raw: str) -> str:
    return to_base64("Shift", raw)


def _sign_up_gid(raw: object) -> str:
    return to_base64("SignUp", str(raw))
