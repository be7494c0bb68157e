"""The assembled GraphQL schema."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Annotated

import strawberry
from graphql import ASTValidationRule
from strawberry import Info, relay
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.relay import GlobalIDValueError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import get_object_definition

from schema.budget import QueryBudgetCharge
from schema.cost import CostRule, VariableCostLimit
from schema.events.queries import EventQueries
from schema.extensions import (
    MaskUnexpectedErrors,
    NulInLiterals,
    OperationMetrics,
    ParseOffTheLoop,
    ProductionHardening,
    QueriesReadOnly,
    RefuseNulCharacters,
    Schema,
    ValidationByQueryText,
)
from schema.ideas.mutations import IdeaMutations
from schema.ideas.queries import IdeaQueries
from schema.moderation.mutations import ModerationMutations
from schema.moderation.queries import ModerationQueries
from schema.notifications.mutations import NotificationMutations
from schema.permissions import Public, show_guards
from schema.privacy.mutations import PrivacyMutations
from schema.privacy.queries import PrivacyQueries
from schema.strawberry_internals import ReleasingExecutionContext, id_scalar
from schema.surveys.mutations import SurveyMutations
from schema.surveys.queries import SurveyQueries
from schema.surveys.questions import QUESTION_TYPES
from schema.tallies.mutations import TallyMutations
from schema.tallies.queries import TallyQueries
from schema.towns.queries import TownQueries
from schema.users.mutations import UserMutations
from schema.users.queries import UserQueries
from schema.volunteering.mutations import VolunteeringMutations
from schema.volunteering.queries import VolunteeringQueries
from schema.webhooks.mutations import WebhookMutations
from schema.webhooks.queries import WebhookQueries


def _is_node_type(info: Info, name: str) -> bool:
    """A concrete object type of this schema that implements Node (not the interface itself)."""
    origin = getattr(info.schema.get_type_by_name(name), "origin", None)
    if not isinstance(origin, type):
        return False
    definition = get_object_definition(origin)
    return definition is not None and not definition.is_interface and issubclass(origin, relay.Node)


MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000
CACHED_DOCUMENTS = 1000


@strawberry.type
class Query(
    TownQueries,
    IdeaQueries,
    UserQueries,
    ModerationQueries,
    SurveyQueries,
    VolunteeringQueries,
    TallyQueries,
    PrivacyQueries,
    EventQueries,
    WebhookQueries,
):
    @strawberry.field(
        description="Any object by its global id; objects the caller may not see resolve to null.",
        permission_classes=[Public],
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the object.")],
    ) -> relay.Node | None:
        # An id that is no global id, or whose type name is no Node type (a type that is not a Node, or no type at
        # all), is an id of nothing, as an unknown id is: null. (Strawberry's `relay.node()` raises for these, an
        # input error without a code or an internal error.)
        try:
            global_id = relay.GlobalID.from_id(id)
        except GlobalIDValueError:
            return None
        if not _is_node_type(info, global_id.type_name):
            return None
        return await global_id.resolve_node(info, required=False)


@strawberry.type
class Mutation(
    IdeaMutations,
    UserMutations,
    ModerationMutations,
    SurveyMutations,
    VolunteeringMutations,
    TallyMutations,
    PrivacyMutations,
    NotificationMutations,
    WebhookMutations,
):
    pass


show_guards(Query, Mutation)


# Built once: the rule classes are part of the validation cache's key. One list, so one extension adds them all.
_LIMIT_RULES: list[type[ASTValidationRule]] = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    CostRule,
    NulInLiterals,
]


@cache
def build_schema() -> Schema:
    """The schema is immutable once built, so every app in the process shares one (and its caches)."""
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[question_type for question_type, _ in QUESTION_TYPES.values()],
        config=StrawberryConfig(auto_camel_case=True),
        # A mutation's id arguments are `uuid.UUID`s in Python (decoded by `@mutation`), `ID`s in the schema.
        scalar_overrides={uuid.UUID: id_scalar()},
        execution_context_class=ReleasingExecutionContext,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: AddValidationRules(_LIMIT_RULES),
            # Introspection and name suggestions off in production (decided per request from the settings).
            ProductionHardening,
            # The parse and validation caches are shared across requests.
            ParseOffTheLoop,
            lambda: ValidationByQueryText(maxsize=CACHED_DOCUMENTS),
            VariableCostLimit,
            RefuseNulCharacters,
            QueryBudgetCharge,
            QueriesReadOnly,
            OperationMetrics,
            MaskUnexpectedErrors,
        ],
    )
