"""`participationReport`: who may read it, what bad input gets, and that each figure traces back to its ideas."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.tallies.compute import recompute
from service.tallies.models import Metric
from service.tallies.report import IDEA_METRICS
from tests.conftest import GraphQLClient
from tests.support.ideas import codes, idea_gid, row_id, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.tallies import Dataset, build_dataset, expected_tallies, ideas_counted, table_content

REPORT = """
query Report($from: Date!, $to: Date!, $period: TallyPeriod!, $town: ID, $area: ID) {
  participationReport(from: $from, to: $to, period: $period, town: $town, strategyArea: $area) {
    period from to computedAt town { id }
    figures { periodStart metric value people strategyArea { id } }
  }
}
"""
TRACE = """
query Trace($town: ID, $first: Int!, $after: String) {
  participationReport(from: "2023-01-01", to: "2024-12-31", period: YEAR, town: $town) {
    figures {
      periodStart metric value strategyArea { id }
      ideas(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
    }
  }
}
"""
YEARS = {"from": "2023-01-01", "to": "2024-12-31", "period": "YEAR"}


async def _recomputed(runtime: Runtime, oidc_provider: OidcProvider) -> Dataset:
    dataset = await build_dataset(runtime, oidc_provider)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await recompute(session)
    return dataset


def _figures(report: dict[str, Any]) -> set[tuple[uuid.UUID | None, date, str, Decimal, int]]:
    return {
        (
            row_id(figure["strategyArea"]["id"]) if figure["strategyArea"] else None,
            date.fromisoformat(figure["periodStart"]),
            figure["metric"].lower(),
            Decimal(str(figure["value"])),
            figure["people"],
        )
        for figure in report["figures"]
    }


def _expected(dataset: Dataset, town: uuid.UUID | None) -> set[tuple[uuid.UUID | None, date, str, Decimal, int]]:
    return {
        (area, start, metric, value, people)
        for (found_town, area, period, start, metric), (value, people) in expected_tallies(dataset).items()
        if found_town == town and period == "year" and (town is not None or area is None)
    }


async def test_who_may_read_a_towns_report_and_the_regions(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    dataset = await _recomputed(runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")
    town = {**YEARS, "town": soest.id}
    region = dict(YEARS)
    citizen = await person(runtime, oidc_provider, "citizen")
    staff = await person(runtime, oidc_provider, "staff", roles_held=((Role.STAFF, "soest"),))
    other_staff = await person(runtime, oidc_provider, "other-staff", roles_held=((Role.STAFF, "arnsberg"),))
    moderator = await person(runtime, oidc_provider, "moderator", roles_held=((Role.MODERATOR, "soest"),))
    admin = await person(runtime, oidc_provider, "admin", roles_held=((Role.ADMIN, "soest"),))
    region_staff = await person(runtime, oidc_provider, "region", roles_held=((Role.REGION_STAFF, None),))

    refused = {
        "anonymous": (await graphql(REPORT, town), "UNAUTHENTICATED"),
        "citizen": (await graphql(REPORT, town, headers=citizen.headers), "FORBIDDEN"),
        "staff of another town": (await graphql(REPORT, town, headers=other_staff.headers), "FORBIDDEN"),
        "moderator of the town": (await graphql(REPORT, town, headers=moderator.headers), "FORBIDDEN"),
        "town staff for the region": (await graphql(REPORT, region, headers=staff.headers), "FORBIDDEN"),
        "anonymous for the region": (await graphql(REPORT, region), "UNAUTHENTICATED"),
    }
    for who, (result, code) in refused.items():
        assert result.get("data") is None, who
        assert codes(result["errors"]) == [code], (who, result)

    expected_town = _expected(dataset, soest.row_id)
    assert len(expected_town) > 20
    for reader in (staff, admin, region_staff):
        report = (await graphql(REPORT, town, headers=reader.headers))["data"]["participationReport"]
        assert report["town"] == {"id": soest.id}
        assert report["computedAt"] is not None
        assert _figures(report) == expected_town
    rolled_up = (await graphql(REPORT, region, headers=region_staff.headers))["data"]["participationReport"]
    assert rolled_up["town"] is None
    assert _figures(rolled_up) == _expected(dataset, None)


async def test_bad_input_gets_a_clear_error_and_changes_nothing(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    await _recomputed(runtime, oidc_provider)
    before = await table_content(runtime)
    soest, arnsberg = await town_ref(graphql, "soest"), await town_ref(graphql, "arnsberg")
    staff = await person(runtime, oidc_provider, "staff", roles_held=((Role.STAFF, "soest"),))
    cases = {
        "from after to": ({**YEARS, "town": soest.id, "from": "2024-02-01", "to": "2024-01-01"}, "Beginn"),
        "more than three years": ({**YEARS, "town": soest.id, "from": "2019-01-01"}, "drei Jahre"),
        "area of another town": ({**YEARS, "town": soest.id, "area": arnsberg.area_ids[0]}, "Handlungsfeld"),
        "malformed town id": ({**YEARS, "town": "kein-gueltiger-schluessel"}, "ID ist ungültig"),
        "an idea's id as town": ({**YEARS, "town": idea_gid(uuid.uuid4())}, "ID ist ungültig"),
        "malformed area id": ({**YEARS, "town": soest.id, "area": to_base64("StrategyArea", "x")}, "ID ist ungültig"),
    }
    for case, (variables, message) in cases.items():
        result = await graphql(REPORT, variables, headers=staff.headers)
        assert result.get("data") is None, case
        assert codes(result["errors"]) == ["BAD_USER_INPUT"], (case, result)
        assert message in result["errors"][0]["message"], (case, result)
    malformed_date = await graphql(REPORT, {**YEARS, "town": soest.id, "from": "2024-13-01"}, headers=staff.headers)
    assert malformed_date.get("data") is None
    assert malformed_date["errors"]

    assert await table_content(runtime) == before
    one_area = await graphql(REPORT, {**YEARS, "town": soest.id, "area": soest.area_ids[1]}, headers=staff.headers)
    figures = one_area["data"]["participationReport"]["figures"]
    assert figures
    assert {figure["strategyArea"]["id"] for figure in figures} == {soest.area_ids[1]}


async def test_each_figure_lists_exactly_the_ideas_it_counts_with_paging(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    dataset = await _recomputed(runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")
    # A region admin may read every idea (others are shown only what they may read: test_report_visibility).
    region_staff = await person(runtime, oidc_provider, "region", roles_held=((Role.REGION_ADMIN, None),))
    traced = 0
    for town_gid, town_id in ((soest.id, soest.row_id), (None, None)):
        result = await graphql(TRACE, {"town": town_gid, "first": 100}, headers=region_staff.headers)
        assert "errors" not in result, result
        for figure in result["data"]["participationReport"]["figures"]:
            area = row_id(figure["strategyArea"]["id"]) if figure["strategyArea"] else None
            metric = figure["metric"].lower()
            if Metric(metric) not in IDEA_METRICS:
                assert figure["ideas"] is None
                continue
            cell = (town_id, area, "year", date.fromisoformat(figure["periodStart"]), metric)
            found = [row_id(edge["node"]["id"]) for edge in figure["ideas"]["edges"]]
            assert len(found) == len(set(found))
            assert set(found) == ideas_counted(dataset, cell), cell
            assert figure["ideas"]["pageInfo"]["hasNextPage"] is False
            if metric in ("ideas_submitted", "ideas_published", "ideas_accepted", "ideas_implemented"):
                assert len(found) == figure["value"], "one idea per counted item"
            traced += 1
    assert traced > 30

    # Paging through the region's ideas submitted in 2024, three at a time.
    cell = (None, None, "year", date(2024, 1, 1), "ideas_submitted")
    expected = ideas_counted(dataset, cell)
    assert len(expected) > 6
    seen: list[uuid.UUID] = []
    after = None
    for _ in range(len(expected)):
        result = await graphql(TRACE, {"first": 3, "after": after}, headers=region_staff.headers)
        page = next(
            figure["ideas"]
            for figure in result["data"]["participationReport"]["figures"]
            if figure["periodStart"] == "2024-01-01" and figure["metric"] == "IDEAS_SUBMITTED"
        )
        seen += [row_id(edge["node"]["id"]) for edge in page["edges"]]
        assert len(page["edges"]) == 3 or not page["pageInfo"]["hasNextPage"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen))
    assert set(seen) == expected

    too_many = await graphql(TRACE, {"first": 101}, headers=region_staff.headers)
    assert "BAD_USER_INPUT" in codes(too_many["errors"])
    bad_cursor = await graphql(TRACE, {"first": 3, "after": "nonsense"}, headers=region_staff.headers)
    assert "BAD_USER_INPUT" in codes(bad_cursor["errors"])


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("WEEK", date(2024, 3, 25)),
        ("MONTH", date(2024, 3, 1)),
        ("QUARTER", date(2024, 1, 1)),
        ("YEAR", date(2024, 1, 1)),
    ],
)
async def test_from_inside_a_period_reports_the_period_that_contains_it(
    period: str, start: date, runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    dataset = await _recomputed(runtime, oidc_provider)
    soest = await town_ref(graphql, "soest")
    staff = await person(runtime, oidc_provider, "staff", roles_held=((Role.STAFF, "soest"),))
    expected = {
        (area, metric, value, people)
        for (town, area, kind, found_start, metric), (value, people) in expected_tallies(dataset).items()
        if town == soest.row_id and kind == period.lower() and found_start == start
    }
    assert expected, "the hand-picked Sunday idea lies in this period"

    # Thursday 28 March 2024: inside a week, a month, a quarter and a year that all started earlier.
    for to in ("2024-03-28", "2024-03-31"):
        variables = {"from": "2024-03-28", "to": to, "period": period, "town": soest.id}
        result = await graphql(REPORT, variables, headers=staff.headers)
        assert "errors" not in result, result
        report = result["data"]["participationReport"]
        assert report["from"] == start.isoformat()
        assert {figure[0] for figure in _figures(report)} <= {None, *(row_id(area) for area in soest.area_ids)}
        assert {(area, metric, value, people) for area, found, metric, value, people in _figures(report)} == expected
        assert {found for _, found, *_ in _figures(report)} == {start}
