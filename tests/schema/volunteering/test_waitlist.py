"""The waitlist: a cancelled place is offered to the first person waiting, and passes on when the deadline passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitmachen.runtime import Runtime
from service.config import Settings
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.volunteering import (
    CANCEL_SIGN_UP,
    CONFIRM_PLACE,
    added_shift,
    in_days,
    move_shift_directly,
    notifications_of,
    open_shift,
    pass_deadline_directly,
    sign_up,
    sign_up_rows,
)
from workers.settings import create_worker


async def _run_expiry(runtime: Runtime, settings: Settings) -> None:
    await runtime.redis.enqueue_job("volunteering.expire_offers")
    worker = create_worker(settings, runtime, burst=True)
    await worker.main()
    await worker.close()


async def test_a_cancelled_place_passes_down_the_waitlist_until_someone_confirms(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=1)
    anna, ben, cem = [await person(runtime, oidc_provider, name) for name in ("anna", "ben", "cem")]
    first = await sign_up(graphql, anna, setup.shift_id)
    second = await sign_up(graphql, ben, setup.shift_id)
    third = await sign_up(graphql, cem, setup.shift_id)
    assert [first["signUp"]["status"], second["signUp"]["status"], third["signUp"]["status"]] == [
        "CONFIRMED",
        "WAITLISTED",
        "WAITLISTED",
    ]
    assert [second["signUp"]["waitlistPosition"], third["signUp"]["waitlistPosition"]] == [1, 2]

    cancelled = await graphql(CANCEL_SIGN_UP, {"id": first["signUp"]["id"]}, headers=anna.headers)
    assert cancelled["data"]["cancelSignUp"]["signUp"]["status"] == "CANCELLED"
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == [
        "cancelled",
        "offered",
        "waitlisted",
    ]
    assert len(await notifications_of(runtime, ben.user_id, "volunteering.place_offered")) == 1

    # Ben lets the deadline pass: the worker's expiry hands the place to Cem; running it again changes nothing.
    await pass_deadline_directly(runtime, second["signUp"]["id"])
    await _run_expiry(runtime, settings)
    await _run_expiry(runtime, settings)
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == [
        "cancelled",
        "expired",
        "offered",
    ]
    assert len(await notifications_of(runtime, cem.user_id, "volunteering.place_offered")) == 1
    assert await count_rows(runtime, "volunteer_shifts", "places_taken = 1") == 1

    too_late = await graphql(CONFIRM_PLACE, {"id": second["signUp"]["id"]}, headers=ben.headers)
    assert too_late["data"]["confirmOfferedPlace"] == {
        "__typename": "InvalidInput",
        "code": "PLACE_NOT_OFFERED",
        "field": None,
        "message": "Für diese Anmeldung ist kein Platz angeboten.",
    }
    confirmed = await graphql(CONFIRM_PLACE, {"id": third["signUp"]["id"]}, headers=cem.headers)
    assert confirmed["data"]["confirmOfferedPlace"]["signUp"] == {
        "id": third["signUp"]["id"],
        "status": "CONFIRMED",
        "offerExpiresAt": None,
    }


async def test_an_offered_place_past_its_deadline_cannot_be_confirmed(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=1)
    anna, ben = await person(runtime, oidc_provider, "anna"), await person(runtime, oidc_provider, "ben")
    first = await sign_up(graphql, anna, setup.shift_id)
    second = await sign_up(graphql, ben, setup.shift_id)
    await graphql(CANCEL_SIGN_UP, {"id": first["signUp"]["id"]}, headers=anna.headers)
    await pass_deadline_directly(runtime, second["signUp"]["id"])

    late = await graphql(CONFIRM_PLACE, {"id": second["signUp"]["id"]}, headers=ben.headers)

    assert late["data"]["confirmOfferedPlace"]["code"] == "PLACE_OFFER_EXPIRED"
    assert [row["status"] for row in await sign_up_rows(runtime, setup.shift_id)] == ["cancelled", "offered"]


async def test_no_double_sign_up_and_no_overlapping_shifts(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=5)
    start = in_days(7)
    overlapping = await added_shift(
        graphql, setup.organisation, setup.offer_id, capacity=5, starts_at=start + timedelta(hours=1)
    )
    later = await added_shift(
        graphql, setup.organisation, setup.offer_id, capacity=5, starts_at=start + timedelta(hours=3)
    )
    anna = await person(runtime, oidc_provider, "anna")
    assert (await sign_up(graphql, anna, setup.shift_id))["__typename"] == "SignedUpForShift"

    again = await sign_up(graphql, anna, setup.shift_id)
    clash = await sign_up(graphql, anna, overlapping)
    afterwards = await sign_up(graphql, anna, later)

    assert again == {
        "__typename": "InvalidInput",
        "code": "ALREADY_SIGNED_UP",
        "field": None,
        "message": "Sie sind für diesen Einsatz bereits angemeldet.",
    }
    assert clash == {
        "__typename": "InvalidInput",
        "code": "OVERLAPPING_SHIFT",
        "field": None,
        "message": "Sie sind zu dieser Zeit schon für einen anderen Einsatz angemeldet.",
    }
    assert afterwards["__typename"] == "SignedUpForShift"
    assert await count_rows(runtime, "volunteer_sign_ups") == 2


async def test_sign_up_closes_when_the_shift_starts(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=5)
    start = datetime.now(UTC) - timedelta(minutes=10)
    await move_shift_directly(
        runtime, setup.shift_id, starts_at=start - timedelta(minutes=1), ends_at=start + timedelta(hours=2)
    )
    anna = await person(runtime, oidc_provider, "anna")

    closed = await sign_up(graphql, anna, setup.shift_id)

    assert closed["code"] == "SIGN_UP_CLOSED"
    assert await count_rows(runtime, "volunteer_sign_ups") == 0
