"""Confirming attendance is refused for everyone but the organisation's managers, and the refusal says that."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.schema.volunteering.test_authorization import CONFIRM_ATTENDANCE
from tests.support.ideas import count_rows
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.volunteering import move_shift_directly, open_shift, sign_up


@pytest.mark.parametrize("who", ["the volunteer", "another volunteer"])
async def test_a_volunteer_confirming_attendance_is_told_only_managers_confirm_attendance(
    who: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    anna = await person(runtime, oidc_provider, "anna")
    ben = await person(runtime, oidc_provider, "ben")
    signed = await sign_up(graphql, anna, setup.shift_id)
    start = datetime.now(UTC) - timedelta(hours=5)
    await move_shift_directly(runtime, setup.shift_id, starts_at=start, ends_at=start + timedelta(hours=3))
    caller = anna if who == "the volunteer" else ben

    refused = await graphql(
        CONFIRM_ATTENDANCE, {"input": {"signUpId": signed["signUp"]["id"], "attended": True}}, headers=caller.headers
    )

    assert refused["data"] is None
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == (
        "Die Teilnahme bestätigen nur die Verantwortlichen der Organisation, die den Einsatz anbietet."
    )
    assert await count_rows(runtime, "volunteer_sign_ups", "status = 'confirmed'") == 1
