"""A town's page reads the town, its fields of action and the first pages of its surveys and offers in one
statement (`schema/towns/page_lists.py`), and answers exactly as the lists read on their own do."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.dialects.postgresql import TSVECTOR

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.db.engine import count_statements
from service.kit.embedded import EmbeddedList, embedded_tuples, loaded_columns
from service.surveys.models import Survey, SurveyStatus
from service.surveys.repository import embedded_town_surveys
from service.towns.repository import town_by_slug_with
from service.volunteering.models import Offer
from service.volunteering.search import embedded_town_offers
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import CLOSE_SURVEY, draft, published_survey
from tests.support.volunteering import drafted_offer, published_offer, registered_organisation

LISTS = """
fragment Lists on Town {
  name
  strategyAreas { slug name }
  surveys(first: 2, status: PUBLISHED) { ...Surveys }
  closed: surveys(first: 5, status: CLOSED) { ...Surveys }
  offers(first: 2) { ...Offers }
}
fragment Surveys on SurveyConnection {
  pageInfo { hasNextPage endCursor }
  edges {
    cursor
    node {
      id title description status audience isAnonymous resultsPublic opensAt closesAt publishedAt closedAt createdAt
      isOpen town { slug } strategyArea { slug }
    }
  }
}
fragment Offers on VolunteerOfferConnection {
  pageInfo { hasNextPage endCursor }
  edges {
    cursor
    node {
      id title description address location { latitude longitude } skills accessibilityNotes minimumAge contact
      confirmationHours status publishedAt closedAt createdAt town { slug } organisation { name }
      strategyArea { slug }
    }
  }
}
"""
# The town by its slug reads the lists with the town; by its global id (`node`) each list reads itself.
BY_SLUG = 'query Page { town(slug: "soest") { ...Lists } }' + LISTS
BY_NODE = "query Page($id: ID!) { node(id: $id) { ... on Town { ...Lists } } }" + LISTS
SCALARS_ONLY = """
query Page($first: Int!) {
  town(slug: "soest") {
    name
    strategyAreas { slug }
    surveys(first: $first, status: PUBLISHED) { pageInfo { hasNextPage } edges { node { id title isOpen } } }
    offers(first: 2) { edges { node { id title skills } } }
  }
}
"""


async def _soest_with_lists(graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider) -> Person:
    """Soest with three published surveys, a closed one and a draft; three published offers and a draft."""
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    for number in range(3):
        await published_survey(graphql, runtime, staff, title=f"Umfrage Nummer {number}")
    closed, _ = await published_survey(graphql, runtime, staff, title="Geschlossene Umfrage")
    result = await graphql(CLOSE_SURVEY, {"id": closed}, headers=staff.headers)
    assert result["data"]["closeSurvey"]["__typename"] == "SurveyClosed", result
    await draft(graphql, runtime, staff, title="Entwurf einer Umfrage")
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    for number in range(3):
        await published_offer(
            graphql,
            organisation,
            title=f"Angebot Nummer {number}",
            location={"latitude": 51.57, "longitude": 8.1 + number / 70},
            minimumAge=16 if number else None,
        )
    await drafted_offer(graphql, organisation, title="Entwurf eines Angebots")
    return staff


@pytest.mark.parametrize("caller", ["anonymous", "staff"])
async def test_the_lists_read_with_the_town_answer_as_the_lists_read_alone(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider, caller: str
) -> None:
    staff = await _soest_with_lists(graphql, runtime, oidc_provider)
    headers = staff.headers if caller == "staff" else None

    by_slug = await graphql(BY_SLUG, headers=headers)
    town_id = (await graphql('{ town(slug: "soest") { id } }'))["data"]["town"]["id"]
    by_node = await graphql(BY_NODE, {"id": town_id}, headers=headers)

    assert "errors" not in by_slug, by_slug
    assert by_slug["data"]["town"] == by_node["data"]["node"]
    town = by_slug["data"]["town"]
    assert [edge["node"]["title"] for edge in town["surveys"]["edges"]] == ["Umfrage Nummer 2", "Umfrage Nummer 1"]
    assert town["surveys"]["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["title"] for edge in town["closed"]["edges"]] == ["Geschlossene Umfrage"]
    assert [edge["node"]["title"] for edge in town["offers"]["edges"]] == ["Angebot Nummer 2", "Angebot Nummer 1"]
    assert town["offers"]["edges"][0]["node"]["location"] == {"latitude": 51.57, "longitude": 8.1 + 2 / 70}


async def test_the_town_and_its_lists_cost_one_statement(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    await _soest_with_lists(graphql, runtime, oidc_provider)

    with count_statements() as counter:
        body = await graphql(SCALARS_ONLY, {"first": 2})

    assert "errors" not in body, body
    assert len(body["data"]["town"]["surveys"]["edges"]) == 2
    assert len(body["data"]["town"]["offers"]["edges"]) == 2
    assert counter.count == 1


async def test_a_list_asked_for_otherwise_reads_itself(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    staff = await _soest_with_lists(graphql, runtime, oidc_provider)
    first_page = await graphql(BY_SLUG, headers=staff.headers)
    after = first_page["data"]["town"]["surveys"]["pageInfo"]["endCursor"]
    query = """
    query Other($after: String) {
      town(slug: "soest") {
        every: surveys(first: 10) { edges { node { title status } } }
        next: surveys(first: 2, status: PUBLISHED, after: $after) { edges { node { title } } }
        searched: offers(first: 5, filter: { text: "Nummer" }) { edges { node { title } } }
      }
    }
    """

    with count_statements() as alone:
        await graphql('{ town(slug: "soest") { name } }', headers=staff.headers)
    with count_statements() as counter:
        body = await graphql(query, {"after": after}, headers=staff.headers)

    town = body["data"]["town"]
    # Without a status the staff see their draft, which is never read with the town.
    assert "Entwurf einer Umfrage" in [edge["node"]["title"] for edge in town["every"]["edges"]]
    assert [edge["node"]["title"] for edge in town["next"]["edges"]] == ["Umfrage Nummer 0"]
    assert len(town["searched"]["edges"]) == 3
    # What the town alone costs (the staff member's sign-in, the town), and one statement for each list.
    assert counter.count == alone.count + 3


async def test_rows_read_back_from_json_equal_the_rows_the_session_loads(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    await _soest_with_lists(graphql, runtime, oidc_provider)
    lists: list[EmbeddedList[Any]] = [embedded_town_surveys(SurveyStatus.PUBLISHED, 5), embedded_town_offers(5)]

    async with runtime.unit_of_work() as uow, uow.session() as session:
        found = await town_by_slug_with(session, "soest", lists)
    assert found is not None
    _, (surveys, offers) = found
    assert len(surveys) == 3
    assert len(offers) == 3

    for model, embedded in ((Survey, surveys), (Offer, offers)):
        for row in embedded:
            async with runtime.unit_of_work() as uow, uow.session() as session:
                loaded = await session.get(model, row.id)
                assert loaded is not None
                for column in loaded_columns(model):
                    ours, theirs = getattr(row, column.key), getattr(loaded, column.key)
                    assert ours == theirs, column.key
                    if isinstance(theirs, uuid.UUID):
                        # The driver's ids are its own subclass of `uuid.UUID`.
                        assert isinstance(ours, uuid.UUID), column.key
                    else:
                        assert type(ours) is type(theirs), column.key
                    if isinstance(ours, datetime):
                        assert ours.utcoffset() == theirs.utcoffset(), column.key


async def test_a_list_of_a_column_type_that_json_does_not_carry_back_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot be read back"):
        embedded_tuples((Offer.search_vector,), dict, lambda town_id: None, order=())  # type: ignore[arg-type, return-value]
    assert isinstance(Offer.search_vector.type, TSVECTOR)
