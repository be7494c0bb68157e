"""The cost limit: an estimate of how many fields a document resolves, refused above `MAX_COST` before execution.

Every field costs 1 for each object it is resolved on. A list field multiplies the cost of what is selected under
it by its size: the value of its `first` argument (given, from a variable, or the argument's default), or
`DEFAULT_LIST_SIZE` for a list without `first`. The lists inside a connection (`edges`) are sized by the
connection's `first`, so they do not multiply again.

Two checks share the one estimate:

- `CostRule`, a validation rule, runs on the document alone (and its verdict is kept by the validation cache). A
  size given by a variable is unknown there and counts as 1, so the rule never refuses a document that the
  variables could make cheap.
- `VariableCostLimit`, an extension, runs after validation and before any resolver, only for documents that size
  a list by a variable, and estimates again with the request's variable values (or the variable's declared
  default, or the argument's default, as execution would use them). A validation rule cannot do this:
  graphql-core's `validate` never sees variables, and its verdict is cached by document, not by variables.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from graphql import GraphQLInterfaceType as InterfaceType
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from schema.strawberry_internals import graphql_core_schema

# About as many objects as one answer may hold: a staff report whose figures each list a page of 100 ideas fits.
MAX_COST = 20_000
DEFAULT_LIST_SIZE = 20
SIZE_ARGUMENT = "first"
COST_CODE = "QUERY_TOO_EXPENSIVE"
# Far over the limit, far under 2**63: where an estimate stops growing.
SATURATED = 10**15


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class _Estimate:
    """Walks one operation; `variables` None means "unknown" (the validation rule)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults: dict[str, int] = {}
        for definition in operation.variable_definitions or ():
            if isinstance(definition.default_value, IntValueNode):
                self.defaults[definition.variable.name.value] = int(definition.default_value.value)
        # The variables whose values the estimate read: it depends on nothing else of the request.
        self.sizing_variables: set[str] = set()
        self.memo: dict[tuple[str, str], int] = {}
        self.visiting: set[tuple[str, str]] = set()

    def size(self, node: FieldNode, default: int) -> int:
        for argument in node.arguments or ():
            if argument.name.value != SIZE_ARGUMENT:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(int(value.value), 0)
            if isinstance(value, VariableNode):
                self.sizing_variables.add(value.name.value)
                if self.variables is None:
                    return 1  # unknown before execution: the least it can be
                given = _size(self.variables.get(value.name.value))
                if given is not None:
                    return max(given, 0)
                return self.defaults.get(value.name.value, default)
            return default
        return default

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> int:
        """The cost of `selection_set` resolved on one object of type `parent`.

        The cost is linear in the number of objects, so it is computed for one and multiplied: a fragment's cost
        is computed once per type it is spread on (memoised), however often and however deep it is spread.
        Every sum and product saturates at `SATURATED`, so a chain of fragments that doubles at each step costs
        one visit per fragment and still gives a number that fits the answer.
        """
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    condition = self.schema.get_type(selection.type_condition.name.value) or parent
                total += self.selection_set(selection.selection_set, condition)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, parent)
            total = min(total, SATURATED)
        return total

    def fragment(self, name: str, parent: GraphQLNamedType) -> int:
        fragment = self.fragments.get(name)
        if fragment is None:
            return 0  # unknown: other rules report it
        condition = self.schema.get_type(fragment.type_condition.name.value) or parent
        key = (name, condition.name)
        known = self.memo.get(key)
        if known is not None:
            return known
        if key in self.visiting:
            return 0  # cyclic: other rules report it
        self.visiting.add(key)
        cost = self.selection_set(fragment.selection_set, condition)
        self.visiting.discard(key)
        self.memo[key] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        if not isinstance(parent, (GraphQLObjectType, InterfaceType)):
            return 1  # `__typename` on a union, or an invalid field other rules report
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 1
        children = 1
        if SIZE_ARGUMENT in definition.args:
            children = self.size(node, int(definition.args[SIZE_ARGUMENT].default_value or DEFAULT_LIST_SIZE))
        elif _is_list(definition.type) and not parent.name.endswith("Connection"):
            children = DEFAULT_LIST_SIZE
        if node.selection_set is None:
            return 1
        # Huge sizes (`first: 99999999999999999999`) saturate: the estimate still fits the 64-bit integer the
        # answer reports.
        below = self.selection_set(node.selection_set, get_named_type(definition.type))
        return min(1 + min(children, SATURATED) * below, SATURATED)


def _size(value: object) -> int | None:
    """A variable's value as a list size: an integer (not a boolean), else None (the default applies)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _operations(document: DocumentNode) -> Iterator[OperationDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            yield definition


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> tuple[int, bool]:
    """The estimated cost of `operation`, and whether a variable sizes one of its lists."""
    cost, sizing = _estimated(schema, document, operation, variables)
    return cost, bool(sizing)


def _estimated(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> tuple[int, frozenset[str]]:
    """The estimated cost of `operation`, and the variables that size its lists."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    estimate = _Estimate(schema, fragments, operation, variables)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0, frozenset()
    cost = estimate.selection_set(operation.selection_set, root)
    return cost, frozenset(estimate.sizing_variables)


_Sizes = tuple[tuple[str, int | None], ...]


def _sizes(sizing: frozenset[str], variables: Mapping[str, Any]) -> _Sizes:
    return tuple(sorted((variable, _size(variables.get(variable))) for variable in sizing))


class KnownCosts:
    """Estimates with variables kept by document text, operation and the sizes its sizing variables give: a page
    sends the same document with the same sizes again and again, and its estimate is then looked up, not made.

    The estimate reads nothing of the variables but the sizes (`_Estimate.size`), so two requests that agree on
    them have the same cost. Bounded: the least recently used entries go first."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._sizing: OrderedDict[tuple[GraphQLSchema, str, str | None], frozenset[str]] = OrderedDict()
        self._costs: OrderedDict[tuple[GraphQLSchema, str, str | None, _Sizes], int] = OrderedDict()

    def cost(
        self,
        schema: GraphQLSchema,
        text: str,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> tuple[int, bool]:
        name = operation.name.value if operation.name else None
        sizing = self._sizing.get((schema, text, name))
        if sizing is not None:
            key = (schema, text, name, _sizes(sizing, variables))
            known = self._costs.get(key)
            if known is not None:
                self._costs.move_to_end(key)
                return known, bool(sizing)
        cost, sizing = _estimated(schema, document, operation, variables)
        self._keep(self._sizing, (schema, text, name), sizing)
        self._keep(self._costs, (schema, text, name, _sizes(sizing, variables)), cost)
        return cost, bool(sizing)

    def _keep(self, entries: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        entries[key] = value
        entries.move_to_end(key)
        while len(entries) > self._maxsize:
            entries.popitem(last=False)


# As many as the validation cache keeps documents, a few sizes each.
KNOWN_COSTS = KnownCosts(maxsize=4000)


def cost_error(cost: int) -> GraphQLError:
    return GraphQLError(
        f"Die Anfrage ist zu aufwendig (geschätzte Kosten {cost}, erlaubt sind {MAX_COST}). "
        "Bitte weniger Einträge (`first`) oder weniger verschachtelte Listen abfragen.",
        extensions={"code": COST_CODE, "cost": cost, "maxCost": MAX_COST},
    )


class CostRule(ValidationRule):
    """Refuses an operation whose cost, with variable sizes at their lower bound, is over `MAX_COST`."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> object:
        cost, _ = operation_cost(self.context.schema, self.context.document, node, None)
        if cost > MAX_COST:
            self.report_error(cost_error(cost))
        return self.SKIP


class VariableCostLimit(SchemaExtension):
    """Estimates again with the request's variables, after validation and before any resolver runs."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.result:
            operation = selected_operation(document, context.operation_name)
            if operation is not None and operation.variable_definitions:
                cost, variable_sizes = request_cost(context, document, operation)
                if variable_sizes and cost > MAX_COST:
                    # A preset result makes strawberry skip execution: no resolver runs.
                    context.result = ExecutionResult(data=None, errors=[cost_error(cost)])
        yield


def request_cost(
    execution: ExecutionContext, document: DocumentNode, operation: OperationDefinitionNode
) -> tuple[int, bool]:
    """`operation_cost` with the request's variables, estimated once per request: kept on the request's context
    (`Context.query_cost`) for the variable cost limit and the query budget to share."""
    context = execution.context
    known: tuple[int, bool] | None = getattr(context, "query_cost", None)
    if known is None:
        schema, variables = graphql_core_schema(execution.schema), execution.variables or {}
        if execution.query is not None:
            known = KNOWN_COSTS.cost(schema, execution.query, document, operation, variables)
        else:
            known = operation_cost(schema, document, operation, variables)
        if hasattr(context, "query_cost"):
            context.query_cost = known
    return known


def selected_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = list(_operations(document))
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((operation for operation in operations if operation.name and operation.name.value == name), None)
