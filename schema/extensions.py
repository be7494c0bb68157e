from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, ParamSpec, TypeVar

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from schema.shape import shape_errors
from schema.strawberry_internals import (
    OperationType,
    graphql_core_schema,
    provided_operation_name,
    validate_document,
)
from service.db.availability import database_unavailable
from service.kit.errors import ExpectedError
from service.kit.observability import GRAPHQL_OPERATIONS

logger = logging.getLogger("mitmachen.graphql")


class QueriesReadOnly(SchemaExtension):
    """A query only reads: once the document is known to be one, the request's unit of work is told so."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        uow = getattr(context.context, "uow", None)
        if uow is not None and context.operation_type is OperationType.QUERY:
            uow.reads_only()
        yield


# Parsing and validating a document the caches do not know is the one CPU-heavy step of a request that no database
# call interrupts (a document of 4 000 tokens takes tens of milliseconds): it runs in this worker thread, so the
# event loop keeps answering other requests meanwhile (the interpreter hands it the lock at least every 5 ms). One
# thread: documents take turns instead of splitting the processor between them.
_DOCUMENT_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphql-documents")

_T = TypeVar("_T")
_P = ParamSpec("_P")


async def off_the_loop(function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`function(*args, **kwargs)` in the document worker thread."""
    return await asyncio.get_running_loop().run_in_executor(_DOCUMENT_WORKER, partial(function, *args, **kwargs))


def _too_deep() -> GraphQLError:
    return GraphQLError("Die Anfrage ist zu tief verschachtelt.", extensions={"code": "BAD_USER_INPUT"})


def _parse(query: str, options: dict[str, Any]) -> DocumentNode:
    try:
        return parse(query, **options)
    except RecursionError:
        raise _too_deep() from None


_ParseKey = tuple[str, int | None]


class _ParsedDocuments:
    """Parsed documents by query text, the most recently used first out of `entries` and `characters`.

    A parsed document holds about one object per character of its text, and every full garbage collection walks
    them all: with 200 documents of 4 000 tokens in a cache, one full collection took 3 s, the event loop stalled
    meanwhile. So the cache holds at most `characters` of query text, and no single text over a tenth of it (such
    a text is parsed again, in the worker thread, when it comes again; its validation verdict stays cached).
    """

    def __init__(self, *, entries: int, characters: int) -> None:
        self.entries = entries
        self.characters = characters
        self.held = 0
        self.documents: OrderedDict[_ParseKey, DocumentNode] = OrderedDict()

    def get(self, key: _ParseKey) -> DocumentNode | None:
        document = self.documents.get(key)
        if document is not None:
            self.documents.move_to_end(key)
        return document

    def keep(self, key: _ParseKey, document: DocumentNode) -> None:
        if len(key[0]) > self.characters // 10 or key in self.documents:
            return
        self.documents[key] = document
        self.held += len(key[0])
        while len(self.documents) > self.entries or self.held > self.characters:
            (query, _), _ = self.documents.popitem(last=False)
            self.held -= len(query)


CACHED_DOCUMENT_CHARACTERS = 200_000
_PARSED = _ParsedDocuments(entries=1000, characters=CACHED_DOCUMENT_CHARACTERS)


class ParseOffTheLoop(SchemaExtension):
    """Parses the query text in the document worker thread, and caches the result by the text (see
    `_ParsedDocuments`), as strawberry's `ParserCache` does in the event loop.

    Also refuses a document with several operations and no `operationName` (the GraphQL spec's GetOperation: the
    operation to run is not determined), which strawberry would answer by running the first.
    """

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            key = (context.query, context.parse_options.get("max_tokens"))
            document = _PARSED.get(key)
            if document is None:
                # A syntax error is raised from here; strawberry answers it as it answers its own parse errors.
                document = await off_the_loop(_parse, context.query, dict(context.parse_options))
                _PARSED.keep(key, document)
            if provided_operation_name(context) is None and _operation_count(document) > 1:
                raise GraphQLError(
                    "Die Anfrage enthält mehrere Operationen: bitte mit `operationName` angeben, welche laufen soll.",
                    extensions={"code": "OPERATION_NAME_REQUIRED"},
                )
            context.graphql_document = document
        yield


def _operation_count(document: DocumentNode) -> int:
    return sum(isinstance(definition, OperationDefinitionNode) for definition in document.definitions)


def _validate(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """The shape bounds first: past them, a rule could take seconds; within them, every rule's work is bounded."""
    try:
        return shape_errors(document) or validate_document(schema, document, rules)
    except RecursionError:
        return [_too_deep()]


_ValidationKey = tuple[GraphQLSchema, str, tuple[type[ASTValidationRule], ...]]
_VALIDATED: OrderedDict[_ValidationKey, list[GraphQLError]] = OrderedDict()


class ValidationByQueryText(SchemaExtension):
    """Caches validation by the query's text and the rules, across requests (the `maxsize` most recently used).

    Strawberry's `ValidationCache` keys by the parsed document instead: graphql-core's syntax nodes are frozen
    dataclasses, so hashing the document walks the whole tree on every request. The same text parses to the
    same document, and a text is hashed once. A document not in the cache is checked against the shape bounds of
    `schema.shape` and validated in the document worker thread.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        # Strawberry validates only a document it parsed from the request's query text.
        assert context.graphql_document is not None  # noqa: S101
        assert context.query is not None  # noqa: S101
        schema = graphql_core_schema(context.schema)
        key = (schema, context.query, context.validation_rules)
        errors = _VALIDATED.get(key)
        if errors is None:
            errors = await off_the_loop(_validate, schema, context.graphql_document, context.validation_rules)
            _VALIDATED[key] = errors
            if len(_VALIDATED) > self.maxsize:
                _VALIDATED.popitem(last=False)
        else:
            _VALIDATED.move_to_end(key)
        context.pre_execution_errors = errors
        yield


class OperationMetrics(SchemaExtension):
    """Times each operation, labelled by its kind and its first root field (`towns`, `submitIdea`).

    Not by the operation name the client sends: every made-up name would become a series of its own, and
    `/metrics` would grow without bound. The root fields are the schema's, a bounded set; anything else (a
    document that did not parse, `__typename`) is `other`.
    """

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        operation = _selected_operation(context)
        kind = operation.operation.value if operation is not None else "unknown"
        if hasattr(context.context, "operation_type"):
            context.context.operation_type = kind
        GRAPHQL_OPERATIONS.labels(operation=_root_field(context, operation), kind=kind).observe(
            time.perf_counter() - started
        )


def _selected_operation(context: ExecutionContext) -> OperationDefinitionNode | None:
    document = context.graphql_document
    if document is None:
        return None
    name = provided_operation_name(context)
    operations = [definition for definition in document.definitions if isinstance(definition, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((operation for operation in operations if operation.name and operation.name.value == name), None)


def _root_field(context: ExecutionContext, operation: OperationDefinitionNode | None) -> str:
    if operation is None:
        return "other"
    root = graphql_core_schema(context.schema).get_root_type(operation.operation)
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode) and root is not None and selection.name.value in root.fields:
            return selection.name.value
    return "other"


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, ExpectedError))


def _is_masked(error: GraphQLError) -> bool:
    # A database that does not answer is left for the view to see: it answers 503 with an error of its own.
    return _is_unexpected(error) and not database_unavailable(error.original_error)


class MaskUnexpectedErrors(SchemaExtension):
    """Unexpected exceptions become "internal error" with the request id (`Schema.process_errors` logs them).

    Strawberry's `MaskErrors` does the same through hooks of its own (and checks each result against a
    runtime-checkable protocol); this one uses only the public `on_operation`. No operation of this schema
    streams, so the one result is the answer."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors and any(_is_masked(error) for error in errors):
            request_id = getattr(self.execution_context.context, "request_id", None)
            result.errors = [_masked(error, request_id) if _is_masked(error) else error for error in errors]  # type: ignore[union-attr]


def _masked(error: GraphQLError, request_id: str | None) -> GraphQLError:
    return GraphQLError(
        "Interner Fehler.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


class Schema(strawberry.Schema):
    """Strawberry's schema with a log that tells refusals from faults."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Refusals the contract foresees — documents refused before execution, `RATE_LIMITED`, `UNAUTHENTICATED`,
        every typed error — are logged at INFO without a traceback; anything else is a fault, logged at ERROR with
        its traceback and the request id the caller is given. Called before `MaskUnexpectedErrors` masks them."""
        request_id = getattr(getattr(execution_context, "context", None), "request_id", None)
        for error in errors:
            if database_unavailable(error.original_error):
                # Not a fault of ours: the view answers 503 and logs one line for the request.
                continue
            if _is_unexpected(error):
                logger.error(
                    "unexpected error in GraphQL resolver",
                    exc_info=error.original_error,
                    extra={"request_id": request_id, "path": error.path},
                )
            else:
                code = (error.extensions or {}).get("code")
                logger.info("request refused: %s", error.message, extra={"code": code, "path": error.path})


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


_NO_INTROSPECTION: tuple[type[ASTValidationRule], ...] = (NoSchemaIntrospectionCustomRule,)


class ProductionHardening(SchemaExtension):
    """In production: introspection (`__schema`, `__type`) is refused, and no error message suggests names.

    Decided per request from the context's settings, so one schema (and its caches) serves every environment; the
    rule class is a constant, so the validation cache keys stay stable.
    """

    def on_operation(self) -> Iterator[None]:
        settings = getattr(self.execution_context.context, "settings", None)
        production = settings is not None and settings.is_production
        if production:
            self.execution_context.validation_rules = self.execution_context.validation_rules + _NO_INTROSPECTION
        yield
        if not production:
            return
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            # New errors in a new list: validation errors are shared through the validation cache.
            result.errors = [_without_suggestion(error) for error in errors]  # type: ignore[union-attr]


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    if "Did you mean" not in error.message:
        return error
    return GraphQLError(
        _SUGGESTION.sub("", error.message),
        nodes=error.nodes,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


_NUL = "\x00"


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return _NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def _nul_error() -> GraphQLError:
    return GraphQLError("Texte dürfen kein NUL-Zeichen (\\u0000) enthalten.", extensions={"code": "BAD_USER_INPUT"})


class NulInLiterals(ValidationRule):
    """PostgreSQL stores no NUL character in text: a document with one in a string literal is refused. As a
    validation rule, the verdict is cached with the document's validation."""

    def enter_document(self, *_: object) -> None:
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if not self.found and _NUL in node.value:
            self.found = True
            self.report_error(_nul_error())


class RefuseNulCharacters(SchemaExtension):
    """PostgreSQL stores no NUL character in text: a request whose variables carry one is refused before any
    resolver runs (string literals are checked by `NulInLiterals`)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.variables and not context.result and _holds_nul(context.variables):
            context.result = ExecutionResult(data=None, errors=[_nul_error()])
        yield
