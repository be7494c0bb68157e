"""A closing time in the past is refused when it is written (draft or update), not only later at publish."""

from __future__ import annotations

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import town_global_id
from tests.support.ideas import count_rows, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.surveys import DRAFT_SURVEY, draft, in_days

UPDATE = """
mutation U($input: UpdateSurveyInput!) {
  updateSurvey(input: $input) {
    __typename
    ... on SurveyUpdated { survey { title closesAt } }
    ... on UserError { code field message }
  }
}
"""


@pytest.mark.parametrize("closes_in_days", [-30, -1 / 24, 0])
async def test_a_draft_closing_in_the_past_is_refused(
    closes_in_days: float, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    survey_input = {
        "townId": await town_global_id(runtime, "soest"),
        "title": "Mobilität 2030",
        "closesAt": in_days(closes_in_days),
    }

    result = (await graphql(DRAFT_SURVEY, {"input": survey_input}, headers=staff.headers))["data"]["draftSurvey"]

    assert (result["__typename"], result["code"], result["field"]) == (
        "InvalidInput",
        "SURVEY_DATES_INVALID",
        "closesAt",
    )
    assert result["message"] == "Das Ende der Umfrage liegt in der Vergangenheit."
    assert await count_rows(runtime, "surveys") == 0


async def test_moving_a_drafts_end_into_the_past_is_refused_and_other_edits_still_work(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    survey_id = await draft(graphql, runtime, staff)

    moved = await graphql(
        UPDATE,
        {"input": {"surveyId": survey_id, "closesAt": in_days(-2), "title": "Neue Überschrift"}},
        headers=staff.headers,
    )
    renamed = await graphql(UPDATE, {"input": {"surveyId": survey_id, "title": "Neuer Titel"}}, headers=staff.headers)

    assert (moved["data"]["updateSurvey"]["code"], moved["data"]["updateSurvey"]["field"]) == (
        "SURVEY_DATES_INVALID",
        "closesAt",
    )
    assert renamed["data"]["updateSurvey"]["__typename"] == "SurveyUpdated"
    assert await count_rows(runtime, "surveys", "title = :title", title="Neue Überschrift") == 0
    assert await count_rows(runtime, "surveys", "closes_at > now() AND id = :id", id=row_id(survey_id)) == 1
