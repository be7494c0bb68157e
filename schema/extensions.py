from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from service.errors import ExpectedError
from service.observability import GRAPHQL_OPERATIONS

logger = logging.getLogger("mitmachen.graphql")


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        kind = context.operation_type.value if context.operation_type else "unknown"
        GRAPHQL_OPERATIONS.labels(operation=context.operation_name or "anonymous", kind=kind).observe(
            time.perf_counter() - started
        )


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, ExpectedError))


class MaskUnexpectedErrors(MaskErrors):
    """Unexpected exceptions become "internal error" with the request id; the traceback goes to the log."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message="Interner Fehler.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = getattr(self.execution_context.context, "request_id", None)
        logger.error(
            "unexpected error in GraphQL resolver",
            exc_info=error.original_error,
            extra={"request_id": request_id, "path": error.path},
        )
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        return masked
