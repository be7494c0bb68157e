"""`QueryBudgetCharge`: charges each query's estimated cost to the caller's budget before any resolver runs.

A query over what is left of the budget is refused with HTTP 429, `Retry-After` and `extensions.code =
"RATE_LIMITED"` (as `application/graphql-response+json`); no resolver runs. Every answer that reached execution
reports the budget in `extensions.budget = {limit, remaining, resetsIn, cost}`: mutations are charged nothing here
(the write limits of `schema/ratelimit.py` count them) but report the budget too. When the budget is not counted
(switched off, Redis away) the answer carries no `budget`.

A mutation whose first field counts a write limit has its budget read in that limit's round trip (one Redis round
trip per write instead of two); should that field not count (its guard refused the caller), the budget is read
when the answer is put together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, FieldNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, OperationType
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from schema.cost import request_cost, selected_operation
from schema.ratelimit import RateLimited
from schema.strawberry_internals import field_extensions, graphql_core_schema
from schema.view import GRAPHQL_RESPONSE_JSON
from service.kit.budget import BudgetStatus, DeferredBudget, QueryBudget
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


def _first_field_rate_limited(schema: GraphQLSchema, operation: OperationDefinitionNode) -> bool:
    """Whether the mutation's first field counts a write limit (`RateLimited`), which then reads the budget too."""
    first = operation.selection_set.selections[0]
    mutation = schema.mutation_type
    if not isinstance(first, FieldNode) or mutation is None or first.name.value not in mutation.fields:
        return False
    return any(isinstance(extension, RateLimited) for extension in field_extensions(mutation.fields[first.name.value]))


class QueryBudgetCharge(SchemaExtension):
    status: BudgetStatus | None = None
    deferred: DeferredBudget | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        budget: QueryBudget | None = getattr(context, "query_budget", None)
        document = execution.graphql_document
        if budget is not None and document is not None and not execution.result:
            operation = selected_operation(document, execution.operation_name)
            core_schema = graphql_core_schema(execution.schema)
            if (
                operation is not None
                and operation.operation is OperationType.MUTATION
                and _first_field_rate_limited(core_schema, operation)
            ):
                counter = budget.counter(0, person_id=context.viewer.user_id, address=context.client_address)
                if counter is not None:
                    self.deferred = context.deferred_budget = DeferredBudget(budget, counter)
            elif operation is not None:
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

    async def get_results(self) -> dict[str, Any]:
        deferred = self.deferred
        if deferred is not None:
            if not deferred.done:
                # No write limit was counted (the guard refused the caller): the budget is read on its own.
                self.execution_context.context.deferred_budget = None
                deferred.read(await deferred.budget.counters_reply(deferred.counter))
            self.status = deferred.status()
        if self.status is None:
            return {}
        return {"budget": self.status.report()}
