"""Arguments are converted with their settled types: strawberry looks a lazy type (`strawberry.lazy`) up again on
every call, so the built schema gives each such argument the type it refers to once."""

from __future__ import annotations

from schema.root import build_schema
from schema.strawberry_internals import argument_definitions, graphql_core_schema, is_lazy
from schema.volunteering.types import OfferFilterInput
from service.surveys.models import SurveyStatus


def test_no_argument_of_the_built_schema_is_looked_up_lazily() -> None:
    schema = build_schema()
    arguments = argument_definitions(schema)
    assert len(arguments) > 50
    assert [argument.python_name for argument in arguments if is_lazy(argument.type)] == []


def test_the_town_connections_arguments_are_their_own_types() -> None:
    town = graphql_core_schema(build_schema()).type_map["Town"]
    definitions = {
        (field_name, argument_name): argument.extensions["strawberry-definition"]
        for field_name, field in town.fields.items()  # type: ignore[attr-defined]
        for argument_name, argument in field.args.items()
    }
    assert definitions["surveys", "status"].type.of_type is SurveyStatus
    assert definitions["offers", "filter"].type.of_type is OfferFilterInput
