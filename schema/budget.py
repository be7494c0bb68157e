"""`QueryBudgetCharge`: charges each query's estimated cost to the caller's budget before any resolver runs.

A query over what is left of the budget is refused with HTTP 429, `Retry-After` and `extensions.code =
"RATE_LIMITED"` (as `application/graphql-response+json`); no resolver runs. Every answer that reached execution
reports the budget in `extensions.budget = {limit, remaining, resetsIn, cost}`: mutations are charged nothing here
(the write limits of `schema/ratelimit.py` count them) but report the budget too. When the budget is not counted
(switched off, Redis away) the answer carries no `budget`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, OperationType
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from schema.cost import request_cost, selected_operation
from schema.view import GRAPHQL_RESPONSE_JSON
from service.kit.budget import BudgetStatus, QueryBudget
from service.kit.ratelimit import RateLimitExceeded

RATE_LIMITED = RateLimitExceeded.code


def budget_error(status: BudgetStatus) -> GraphQLError:
    minutes = max(1, round(status.resets_in / 60))
    return GraphQLError(
        f"Das Abfragekontingent ist aufgebraucht (diese Anfrage kostet {status.cost} Punkte, übrig sind "
        f"{status.remaining} von {status.limit}). "
        f"Bitte versuchen Sie es in {minutes} {'Minute' if minutes == 1 else 'Minuten'} wieder "
        "oder fragen Sie weniger Einträge ab.",
        extensions={"code": RATE_LIMITED, "retryAfterSeconds": status.resets_in, "budget": status.report()},
    )


class QueryBudgetCharge(SchemaExtension):
    status: BudgetStatus | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        budget: QueryBudget | None = getattr(context, "query_budget", None)
        document = execution.graphql_document
        if budget is not None and document is not None and not execution.result:
            operation = selected_operation(document, execution.operation_name)
            if operation is not None:
                cost = 0
                # Budgets off: nothing is charged, so nothing is estimated.
                if operation.operation is OperationType.QUERY and budget.limits.enabled:
                    cost, _ = request_cost(execution, document, operation)
                self.status = await budget.charge(
                    cost, person_id=context.viewer.user_id, address=context.client_address
                )
                if self.status is not None and not self.status.allowed:
                    # A preset result makes strawberry skip execution: no resolver runs.
                    execution.result = ExecutionResult(data=None, errors=[budget_error(self.status)])
                    sub_response: Response | None = getattr(context.request.state, "graphql_sub_response", None)
                    if sub_response is not None:
                        sub_response.status_code = 429
                        sub_response.headers["Retry-After"] = str(self.status.resets_in)
                        sub_response.media_type = GRAPHQL_RESPONSE_JSON
        yield

    def get_results(self) -> dict[str, Any]:
        if self.status is None:
            return {}
        return {"budget": self.status.report()}
