"""A page of a town's surveys costs a fixed number of SQL statements, however many surveys it shows."""

from __future__ import annotations

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.db.engine import count_statements
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.surveys import answer, published_survey

SURVEYS = """
query Surveys($first: Int!) {
  town(slug: "soest") {
    surveys(first: $first) {
      edges {
        node {
          title isOpen town { name } strategyArea { name }
          questions { prompt options }
          responseCount
          myParticipation { tookPart answers { value } }
          results { responseCount }
        }
      }
    }
  }
}
"""
# The viewer with their roles, the town, the page, then one batch each for towns, questions, response counts,
# the viewer's participations, the viewer's own answers, and results.
STATEMENTS = 9


@pytest.mark.parametrize("shown", [2, 6])
async def test_a_page_of_surveys_costs_the_same_statements_for_any_size(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider, shown: int
) -> None:
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    questions = [{"kind": "NUMBER", "prompt": "Wie viele?", "required": True}]
    for number in range(shown):
        survey_id, question_ids = await published_survey(
            graphql, runtime, staff, questions=questions, title=f"Umfrage Nummer {number}"
        )
        await answer(graphql, staff, survey_id, [{"questionId": question_ids[0], "value": number}])

    with count_statements() as counter:
        body = await graphql(SURVEYS, {"first": shown}, headers=staff.headers)

    assert "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["town"]["surveys"]["edges"]]
    assert len(nodes) == shown
    assert all(node["responseCount"] == 1 and node["myParticipation"]["tookPart"] for node in nodes)
    assert sorted(node["myParticipation"]["answers"][0]["value"] for node in nodes) == list(range(shown))
    assert counter.count == STATEMENTS
