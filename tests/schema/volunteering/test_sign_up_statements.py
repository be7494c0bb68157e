"""A sign-up costs the same few SQL statements whether it gets a place or joins the waitlist."""

from __future__ import annotations

from mitmachen.runtime import Runtime
from service.db.engine import count_statements
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.volunteering import SIGN_UP, open_shift

ME = "{ me { id } }"


async def _signed_up(graphql: GraphQLClient, volunteer: Person, shift_id: str) -> tuple[dict[str, object], int]:
    """The sign-up as answered and the statements it took (the person is known already: no first-login writes)."""
    await graphql(ME, headers=volunteer.headers)
    with count_statements() as counter:
        body = await graphql(SIGN_UP, {"id": shift_id}, headers=volunteer.headers)
    return body["data"]["signUpForShift"]["signUp"], counter.count


async def test_a_confirmed_and_a_waitlisted_sign_up_each_take_three_statements(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=1)
    people = [await person(runtime, oidc_provider, name) for name in ("anna", "ben", "cem")]

    answers = [await _signed_up(graphql, volunteer, setup.shift_id) for volunteer in people]

    assert [(answer["status"], answer["waitlistPosition"]) for answer, _ in answers] == [
        ("CONFIRMED", None),
        ("WAITLISTED", 1),
        ("WAITLISTED", 2),
    ]
    # The caller with their roles; the person's and the shift's locks with the shift; the sign-up (with the count
    # of those waiting ahead).
    assert [statements for _, statements in answers] == [3, 3, 3]
