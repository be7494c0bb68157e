"""A request's cost is estimated at most once, after validation: the variable cost limit and the query budget
share the estimate, and with budgets off a document whose lists no variable sizes is not estimated at all. A
document sent again with the same sizes (a page, again and again) is not estimated again: its cost is known."""

from __future__ import annotations

from typing import Any

import pytest

import schema.cost
from tests.schema.hardening.conftest import AppClient
from tests.schema.hardening.test_query_budget import budgets

SIZED = "query Towns($first: Int!) { ideas(first: $first) { edges { node { id title } } } }"
FIXED = "{ ideas(first: 5) { edges { node { id title } } } }"


@pytest.fixture
def estimates(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the estimates made (validation's included, which the validation cache keeps per query text)."""
    made: list[int] = []
    counted = schema.cost._Estimate

    class Counted(counted):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(schema.cost, "_Estimate", Counted)
    return made


async def _estimates_of_second_request(
    app_client: AppClient,
    estimates: list[int],
    query: str,
    variables: dict[str, Any],
    second_variables: dict[str, Any] | None = None,
    **settings: Any,
) -> tuple[int, dict[str, Any]]:
    async with app_client(address="203.0.113.9", **settings) as http:
        # The first request validates the text (the rule estimates with sizes unknown); the second finds it cached.
        first = await http.post("/graphql", json={"query": query, "variables": variables})
        assert "errors" not in first.json(), first.json()
        estimates.clear()
        second = await http.post(
            "/graphql", json={"query": query, "variables": variables if second_variables is None else second_variables}
        )
    body: dict[str, Any] = second.json()
    assert "errors" not in body, body
    return len(estimates), body


@pytest.mark.parametrize(("sent", "then"), [(3, 4), (2, 90)])
async def test_with_budgets_a_request_sized_by_a_variable_is_estimated_once_for_its_sizes(
    app_client: AppClient, estimates: list[int], sent: int, then: int
) -> None:
    made, body = await _estimates_of_second_request(
        app_client, estimates, SIZED, {"first": sent}, {"first": then}, **budgets(per_address=10_000)
    )

    assert made == 1
    assert body["extensions"]["budget"]["cost"] == 1 + then * 4


async def test_the_same_document_with_the_same_sizes_is_not_estimated_again(
    app_client: AppClient, estimates: list[int]
) -> None:
    made, body = await _estimates_of_second_request(
        app_client, estimates, SIZED, {"first": 7}, **budgets(per_address=10_000)
    )
    _, other = await _estimates_of_second_request(
        app_client, estimates, SIZED, {"first": 6}, {"first": 7}, **budgets(per_address=10_000)
    )

    assert made == 0
    # The known cost is the one estimated for these sizes, not for others.
    assert body["extensions"]["budget"]["cost"] == other["extensions"]["budget"]["cost"]
    assert body["extensions"]["budget"]["cost"] == 1 + 7 * 4


async def test_without_budgets_only_a_request_sized_by_a_variable_is_estimated(
    app_client: AppClient, estimates: list[int]
) -> None:
    sized, _ = await _estimates_of_second_request(
        app_client, estimates, SIZED, {"first": 3}, {"first": 5}, query_budget_enabled=False
    )
    fixed, body = await _estimates_of_second_request(app_client, estimates, FIXED, {}, query_budget_enabled=False)

    assert sized == 1
    assert fixed == 0
    assert "budget" not in body.get("extensions", {})
