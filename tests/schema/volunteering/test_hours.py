"""Hours after a shift: bounded by the shift's length plus an hour, stored in whole minutes, shown as minutes and as
hours rounded to two decimals; a person's yearly totals add up the exact minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.volunteering import added_shift, in_days, move_shift_directly, open_shift, sign_up

CONFIRM_ATTENDANCE = """
mutation Attendance($input: ConfirmAttendanceInput!) {
  confirmAttendance(input: $input) {
    __typename
    ... on AttendanceConfirmed { signUp { status minutes hours } }
    ... on UserError { code field message }
  }
}
"""
ENGAGEMENTS = "{ myEngagements { signUps { minutes hours } yearlyTotals { year minutes hours shifts } } }"


async def _past_shift(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider, *, length: timedelta
) -> tuple[Person, str]:
    """(manager, sign-up id) of a volunteer on a shift of `length` that ended an hour ago."""
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    anna = await person(runtime, oidc_provider, "anna")
    signed = await sign_up(graphql, anna, setup.shift_id)
    end = datetime.now(UTC) - timedelta(hours=1)
    await move_shift_directly(runtime, setup.shift_id, starts_at=end - length, ends_at=end)
    return setup.organisation.manager, signed["signUp"]["id"]


async def _confirm(graphql: GraphQLClient, manager: Person, sign_up_id: str, **amount: Any) -> dict[str, Any]:
    variables = {"input": {"signUpId": sign_up_id, "attended": True, **amount}}
    result: dict[str, Any] = (await graphql(CONFIRM_ATTENDANCE, variables, headers=manager.headers))["data"][
        "confirmAttendance"
    ]
    return result


@pytest.mark.parametrize(
    "case",
    [
        # The default is the shift's length; a one-minute shift shows 0.02 hours, not 0.016666666666666666.
        (timedelta(minutes=1), {}, 1),
        (timedelta(minutes=1), {"hours": 1 + 1 / 60}, 61),
        (timedelta(minutes=1), {"minutes": 0}, 0),
        (timedelta(hours=3), {}, 180),
        (timedelta(hours=3), {"hours": 4}, 240),
        (timedelta(hours=3), {"hours": 1 / 3}, 20),
        (timedelta(hours=3), {"minutes": 95}, 95),
        (timedelta(hours=23, minutes=30), {"hours": 24}, 1440),
    ],
)
async def test_hours_within_the_shift_and_an_hour_are_stored_in_minutes(
    case: tuple[timedelta, dict[str, Any], int],
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
) -> None:
    length, amount, minutes = case
    manager, sign_up_id = await _past_shift(graphql, runtime, oidc_provider, length=length)

    confirmed = await _confirm(graphql, manager, sign_up_id, **amount)

    assert confirmed == {
        "__typename": "AttendanceConfirmed",
        "signUp": {"status": "ATTENDED", "minutes": minutes, "hours": round(minutes / 60, 2)},
    }
    assert await count_rows(runtime, "volunteer_sign_ups", f"attended_minutes = {minutes}") == 1


@pytest.mark.parametrize(
    "case",
    [
        # 2.5 hours for a one-minute shift: the shift and an hour allow 61 minutes.
        (timedelta(minutes=1), {"hours": 2.5}, "hours"),
        (timedelta(minutes=1), {"minutes": 62}, "minutes"),
        (timedelta(hours=3), {"hours": 4.02}, "hours"),
        (timedelta(hours=3), {"hours": -0.5}, "hours"),
        (timedelta(hours=3), {"minutes": -1}, "minutes"),
        (timedelta(hours=3), {"hours": 1e300}, "hours"),
        # Never more than a day, however long the shift.
        (timedelta(hours=23, minutes=30), {"minutes": 1441}, "minutes"),
        (timedelta(hours=3), {"hours": 2, "minutes": 120}, "minutes"),
    ],
)
async def test_hours_beyond_the_bound_are_refused_and_change_nothing(
    case: tuple[timedelta, dict[str, Any], str],
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
) -> None:
    length, amount, field = case
    manager, sign_up_id = await _past_shift(graphql, runtime, oidc_provider, length=length)

    refused = await _confirm(graphql, manager, sign_up_id, **amount)

    assert refused["__typename"] == "InvalidInput", refused
    assert refused["code"] == ("INVALID_INPUT" if len(amount) == 2 else "HOURS_RANGE")
    assert refused["field"] == field
    assert await count_rows(runtime, "volunteer_sign_ups", "status = 'confirmed' AND attended_minutes IS NULL") == 1


async def test_yearly_totals_add_up_the_exact_minutes(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    manager = setup.organisation.manager
    second = await added_shift(graphql, setup.organisation, setup.offer_id, capacity=3, starts_at=in_days(8), hours=1)
    anna = await person(runtime, oidc_provider, "anna")
    signed = [await sign_up(graphql, anna, shift_id) for shift_id in (setup.shift_id, second)]
    # Two shifts on one day this year (Europe/Berlin), 20 minutes confirmed on each.
    day = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=1)
    if day.year != datetime.now(UTC).year:
        day += timedelta(days=1)
    for hour, shift_id in enumerate((setup.shift_id, second)):
        start = day + timedelta(hours=2 * hour)
        await move_shift_directly(runtime, shift_id, starts_at=start, ends_at=start + timedelta(hours=1))
    for entry in signed:
        confirmed = await _confirm(graphql, manager, entry["signUp"]["id"], hours=1 / 3)
        assert confirmed["signUp"] == {"status": "ATTENDED", "minutes": 20, "hours": 0.33}

    mine = (await graphql(ENGAGEMENTS, headers=anna.headers))["data"]["myEngagements"]

    assert mine["signUps"] == [{"minutes": 20, "hours": 0.33}, {"minutes": 20, "hours": 0.33}]
    # 40 minutes are 0.67 hours: the total is rounded from the exact sum, not summed from rounded values.
    assert mine["yearlyTotals"] == [{"year": day.year, "minutes": 40, "hours": 0.67, "shifts": 2}]
