"""The assembled GraphQL schema."""

from __future__ import annotations

from functools import cache

import strawberry
from graphql import ASTValidationRule
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from schema.cost import CostRule, VariableCostLimit
from schema.extensions import (
    MaskUnexpectedErrors,
    NulInLiterals,
    OperationMetrics,
    ParseOffTheLoop,
    ProductionHardening,
    QueriesReadOnly,
    RefuseNulCharacters,
    ReleasingExecutionContext,
    Schema,
    ValidationByQueryText,
)
from schema.ideas.mutations import IdeaMutations
from schema.ideas.queries import IdeaQueries
from schema.moderation.mutations import ModerationMutations
from schema.moderation.queries import ModerationQueries
from schema.permissions import Public
from schema.privacy.mutations import PrivacyMutations
from schema.privacy.queries import PrivacyQueries
from schema.surveys.mutations import SurveyMutations
from schema.surveys.queries import SurveyQueries
from schema.tallies.mutations import TallyMutations
from schema.tallies.queries import TallyQueries
from schema.towns.queries import TownQueries
from schema.users.mutations import UserMutations
from schema.users.queries import UserQueries
from schema.volunteering.mutations import VolunteeringMutations
from schema.volunteering.queries import VolunteeringQueries

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
):
    node: relay.Node | None = relay.node(
        description="Any object by its global id; objects the caller may not see resolve to null.",
        permission_classes=[Public],
    )


@cache
@strawberry.type
class Mutation(
    IdeaMutations,
    UserMutations,
    ModerationMutations,
    SurveyMutations,
    VolunteeringMutations,
    TallyMutations,
    PrivacyMutations,
):
    pass


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
        config=StrawberryConfig(auto_camel_case=True),
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
            QueriesReadOnly,
            OperationMetrics,
            MaskUnexpectedErrors,
        ],
    )
