"""Personal data for tests: people with a name and an e-mail address, a life of contributions in every domain,
and a scan of every text column of every table for a string."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.tokens import Identity
from service.auth.viewer import Role
from service.users.service import viewer_for_identity
from tests.conftest import GraphQLClient
from tests.support.ideas import insert_comment_directly, publish_directly, row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import answer, published_survey, standard_answers
from tests.support.volunteering import open_shift, sign_up

SUPPORT_IDEA = "mutation S($id: ID!) { supportIdea(ideaId: $id) { __typename } }"
REPORT = """
mutation R($id: ID!) { reportContent(input: {ideaId: $id, reason: SPAM, text: "Werbung"}) { __typename } }
"""
EXPORT = """
mutation { exportMyData { __typename ... on DataExportRequested { export { id status } } ... on UserError { code } } }
"""
DELETE = """
mutation D($confirm: Boolean!) {
  deleteMyAccount(confirm: $confirm) {
    __typename
    ... on AccountDeleted { deletedAt }
    ... on UserError { code field message }
  }
}
"""


@dataclass(frozen=True)
class Citizen:
    person: Person
    subject: str
    name: str
    email: str

    @property
    def user_id(self) -> uuid.UUID:
        return self.person.user_id

    @property
    def headers(self) -> dict[str, str]:
        return self.person.headers


async def citizen(runtime: Runtime, provider: OidcProvider, subject: str, name: str) -> Citizen:
    """A person known to the service with a name and an e-mail address from the identity provider."""
    email = f"{subject}@mail.example"
    claims = provider.access_token_claims_for(subject)
    claims["name"] = name
    claims["email"] = email
    async with runtime.unit_of_work() as uow, uow.session() as session:
        viewer = await viewer_for_identity(session, Identity(provider.issuer, subject, claims))
    assert viewer.user_id is not None
    return Citizen(Person(user_id=viewer.user_id, token=provider.sign(claims)), subject, name, email)


@dataclass(frozen=True)
class Life:
    own_idea_id: str
    supported_idea_id: str
    shift_id: str
    waiting_id: uuid.UUID
    anonymous_survey_id: str
    named_survey_id: str


async def live_a_little(graphql: GraphQLClient, runtime: Runtime, provider: OidcProvider, who: Citizen) -> Life:
    """`who` takes part everywhere: a published idea and a comment, a support and a report of someone else's
    idea, the only place of a shift (someone else waits for it), answers to an anonymous and a named survey."""
    soest = await town_ref(graphql, "soest")
    other = await person(runtime, provider, "bertram")
    own_idea = await submit(graphql, who.person, soest, title="Bänke am Bahnhof", body="Mehr Sitzplätze zum Warten.")
    await publish_directly(runtime, own_idea)
    others_idea = await submit(graphql, other, soest, title="Trinkbrunnen im Park", body="Wasser für alle.")
    await publish_directly(runtime, others_idea)
    await insert_comment_directly(
        runtime, idea_id=row_id(others_idea), author_id=who.user_id, body="Gute Idee, auch am Markt!"
    )
    supported = await graphql(SUPPORT_IDEA, {"id": others_idea}, headers=who.headers)
    assert supported["data"]["supportIdea"]["__typename"] == "IdeaSupported", supported
    reported = await graphql(REPORT, {"id": others_idea}, headers=who.headers)
    assert reported["data"]["reportContent"]["__typename"] == "ContentReported", reported

    setup = await open_shift(graphql, runtime, provider, capacity=1)
    assert (await sign_up(graphql, who.person, setup.shift_id))["__typename"] == "SignedUpForShift"
    waiting = await person(runtime, provider, "wilma")
    waited = await sign_up(graphql, waiting, setup.shift_id)
    assert waited["signUp"]["status"] == "WAITLISTED", waited

    staff = await person(runtime, provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    anonymous_id, anonymous_questions = await published_survey(graphql, runtime, staff, isAnonymous=True)
    named_id, named_questions = await published_survey(
        graphql, runtime, staff, isAnonymous=False, title="Radwege in Soest"
    )
    for survey_id, questions in ((anonymous_id, anonymous_questions), (named_id, named_questions)):
        answered = await answer(graphql, who.person, survey_id, standard_answers(questions))
        assert answered["__typename"] == "SurveyAnswered", answered
    return Life(own_idea, others_idea, setup.shift_id, waiting.user_id, anonymous_id, named_id)


async def text_columns(runtime: Runtime) -> list[tuple[str, str]]:
    """(table, column) of every text-like column (text, varchar, jsonb, arrays) of every table."""
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT c.table_name, c.column_name FROM information_schema.columns c "
                "JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema "
                "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
                "AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY') "
                "ORDER BY 1, 2"
            )
        )
        return [(row[0], row[1]) for row in rows]


async def places_holding(runtime: Runtime, needles: list[str]) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a needle occurs (case-insensitive) in any row."""
    found = []
    columns = await text_columns(runtime)
    assert len(columns) > 50, columns  # the scan must see the whole schema, not an empty one
    async with runtime.engine.connect() as connection:
        for table, column in columns:
            for needle in needles:
                hits = await connection.scalar(
                    text(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE :pattern'),  # noqa: S608
                    {"pattern": f"%{needle}%"},
                )
                if hits:
                    found.append((table, column, needle))
    return found
