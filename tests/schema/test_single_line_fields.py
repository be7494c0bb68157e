"""Every one-line free-text field (titles, names, options, labels, skills, terms, and names and addresses from the
identity provider) is stored without line breaks, tabs or control characters, so that it cannot break a mail
header, a CSV row or a list, wherever it is shown later."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.tokens import Identity
from service.auth.viewer import Role
from service.users.service import viewer_for_identity
from tests.conftest import GraphQLClient
from tests.support.ideas import submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.surveys import draft, set_questions
from tests.support.volunteering import drafted_offer, registered_organisation

BROKEN = "Zeile eins\r\nZeile\tzwei\u2028drei\n"
ONE_LINE = "Zeile eins Zeile zwei drei"
ADD_TERM = """
mutation AddTerm($input: AddModerationTermInput!) {
  addModerationTerm(input: $input) { __typename ... on UserError { code field message } }
}
"""


async def _column(runtime: Runtime, query: str, **params: Any) -> list[Any]:
    async with runtime.engine.connect() as connection:
        return list((await connection.scalars(text(query), params)).all())


async def test_one_line_fields_lose_their_line_breaks_and_tabs_at_input(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    soest = await town_ref(graphql, "soest")
    author = await person(runtime, oidc_provider, "clara")
    await submit(graphql, author, soest, title=BROKEN, imageAltTexts=[BROKEN])
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    renamed = await graphql(
        """mutation R($input: RegisterOrganisationInput!) {
             registerOrganisation(input: $input) { __typename ... on UserError { code message } } }""",
        {"input": {"townId": soest.id, "name": BROKEN}},
        headers=author.headers,
    )
    assert renamed["data"]["registerOrganisation"]["__typename"] == "OrganisationRegistered", renamed
    await drafted_offer(graphql, organisation, title=BROKEN, skills=[BROKEN])
    staff = await person(runtime, oidc_provider, "sara", roles_held=((Role.STAFF, "soest"), (Role.ADMIN, "soest")))
    survey_id = await draft(graphql, runtime, staff, title=BROKEN)
    await set_questions(
        graphql,
        staff,
        survey_id,
        [
            {"kind": "SINGLE_CHOICE", "prompt": "Wie?", "options": [BROKEN, "Bus"]},
            {"kind": "SCALE", "prompt": "Wie sehr?", "scaleMin": 1, "scaleMax": 5, "minLabel": BROKEN},
        ],
    )
    added = await graphql(ADD_TERM, {"input": {"townId": soest.id, "term": "böses\twort"}}, headers=staff.headers)
    assert added["data"]["addModerationTerm"]["__typename"] == "ModerationTermAdded", added

    assert await _column(runtime, "SELECT title FROM ideas") == [ONE_LINE]
    assert await _column(runtime, "SELECT image_alt_texts FROM ideas") == [[ONE_LINE]]
    assert await _column(runtime, "SELECT name FROM organisations WHERE name <> 'Tafel Soest e. V.'") == [ONE_LINE]
    assert await _column(runtime, "SELECT title FROM volunteer_offers") == [ONE_LINE]
    assert await _column(runtime, "SELECT skills FROM volunteer_offers") == [[ONE_LINE]]
    assert await _column(runtime, "SELECT title FROM surveys") == [ONE_LINE]
    settings = await _column(runtime, "SELECT settings::text FROM survey_questions ORDER BY position")
    assert ONE_LINE in settings[0]
    assert ONE_LINE in settings[1]
    assert not any(escaped in value for value in settings for escaped in ("\\n", "\\r", "\\t", "\u2028"))
    assert await _column(runtime, "SELECT term FROM moderation_terms") == ["böses wort"]


async def test_names_and_addresses_from_the_identity_provider_cannot_break_a_line(
    runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    claims = oidc_provider.access_token_claims_for("mallory")
    async with runtime.unit_of_work() as uow, uow.session() as session:
        for subject, name, email in (
            ("mallory", BROKEN, "mallory@example.org\r\nBcc: everyone@example.org"),
            ("trudy", "Trudy\u2029Tester", "trudy @example.org"),
            ("clean", "Clean Person", "clean@example.org"),
        ):
            await viewer_for_identity(
                session,
                Identity(oidc_provider.issuer, subject, {**claims, "sub": subject, "name": name, "email": email}),
            )
    rows = await _column(
        runtime, "SELECT display_name || ' | ' || coalesce(email, '-') FROM users ORDER BY display_name"
    )
    assert rows == ["Clean Person | clean@example.org", "Trudy Tester | -", f"{ONE_LINE} | -"]
