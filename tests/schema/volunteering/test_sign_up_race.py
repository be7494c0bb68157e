"""Many people signing up at once: never more confirmed than places, the waitlist in the order sign-ups committed."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows, many_people, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.volunteering import SIGN_UP, added_shift, in_days, open_shift, sign_up_rows

PEOPLE = 1000
PLACES = 10
SHIFT = "query Shift($id: ID!) { node(id: $id) { ... on Shift { capacity placesTaken freePlaces } } }"


async def test_a_thousand_simultaneous_sign_ups_fill_ten_places_and_queue_the_rest_in_commit_order(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=PLACES)
    volunteers = await many_people(runtime, oidc_provider, [f"volunteer-{number:04d}" for number in range(PEOPLE)])

    # All requests in flight at once through the app, as production runs it (the pool has 10 connections).
    results = await asyncio.gather(
        *(graphql(SIGN_UP, {"id": setup.shift_id}, headers=volunteer.headers) for volunteer in volunteers)
    )

    assert all("errors" not in result for result in results), next(r for r in results if "errors" in r)
    answers = [result["data"]["signUpForShift"] for result in results]
    assert {answer["__typename"] for answer in answers} == {"SignedUpForShift"}
    statuses = [answer["signUp"]["status"] for answer in answers]
    assert statuses.count("CONFIRMED") == PLACES
    assert statuses.count("WAITLISTED") == PEOPLE - PLACES

    rows = await sign_up_rows(runtime, setup.shift_id)
    assert len(rows) == PEOPLE
    assert len({row["user_id"] for row in rows}) == PEOPLE
    # Positions are the arrival order under the shift lock: gap-free, the first ten confirmed, the rest waiting,
    # and the moment each was written (clock_timestamp under the lock, held to commit) rises with the position.
    assert [row["position"] for row in rows] == list(range(1, PEOPLE + 1))
    assert [row["status"] for row in rows] == ["confirmed"] * PLACES + ["waitlisted"] * (PEOPLE - PLACES)
    assert all(earlier["queued_at"] < later["queued_at"] for earlier, later in itertools.pairwise(rows))
    # What each caller was told matches the stored order: the n-th waiting person was told position n.
    told = {row_id(answer["signUp"]["id"]): answer["signUp"]["waitlistPosition"] for answer in answers}
    for row in rows[PLACES:]:
        assert told[row["id"]] == row["position"] - PLACES
    for row in rows[:PLACES]:
        assert told[row["id"]] is None

    shift = (await graphql(SHIFT, {"id": setup.shift_id}))["data"]["node"]
    assert shift == {"capacity": PLACES, "placesTaken": PLACES, "freePlaces": 0}


async def test_one_person_signing_up_for_overlapping_shifts_at_once_gets_exactly_one(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=PLACES)
    overlapping = await added_shift(
        graphql, setup.organisation, setup.offer_id, capacity=PLACES, starts_at=in_days(7) + timedelta(hours=1)
    )
    anna = await person(runtime, oidc_provider, "anna")

    # The person's lock orders these; each later one sees the first and is refused, whichever shift it names.
    results = await asyncio.gather(
        *(graphql(SIGN_UP, {"id": shift_id}, headers=anna.headers) for shift_id in [setup.shift_id, overlapping] * 10)
    )

    answers = [result["data"]["signUpForShift"] for result in results]
    assert [answer["__typename"] for answer in answers].count("SignedUpForShift") == 1
    refusals = {answer["code"] for answer in answers if answer["__typename"] != "SignedUpForShift"}
    assert refusals <= {"ALREADY_SIGNED_UP", "OVERLAPPING_SHIFT"}
    assert await count_rows(runtime, "volunteer_sign_ups") == 1
