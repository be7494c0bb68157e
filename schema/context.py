from __future__ import annotations

from dataclasses import dataclass

import strawberry
from starlette.requests import Request

from schema.loaders import Loaders
from service.auth.viewer import Viewer
from service.config import Settings
from service.kit.budget import DeferredBudget, QueryBudget
from service.kit.ratelimit import RateLimiter
from service.kit.unit_of_work import UnitOfWork


@dataclass
class Context:
    request: Request
    settings: Settings
    uow: UnitOfWork
    viewer: Viewer
    loaders: Loaders
    request_id: str
    rate_limiter: RateLimiter
    client_address: str | None
    # "query" or "mutation" once the document is parsed (set by the OperationMetrics extension).
    operation_type: str | None = None
    # Charges each query's cost to the caller (`schema/budget.py`); None: no budgets.
    query_budget: QueryBudget | None = None
    # The query's estimated cost with its variables and whether a variable sizes a list (`schema.cost.request_cost`).
    query_cost: tuple[int, bool] | None = None
    # A mutation's budget, read with its write limit in one Redis round trip (`schema/ratelimit.py`).
    deferred_budget: DeferredBudget | None = None


Info = strawberry.Info[Context, None]
