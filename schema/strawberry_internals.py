"""The internals of strawberry and graphql-core this project relies on, in one place.

strawberry gives no public accessor for the graphql-core schema it builds, nor a hook to release the executor's
helpers or to process a result without its protocol check. Each use goes through here, and
`tests/schema/test_strawberry_internals.py` fails on an upgrade that changes any of them (strawberry is pinned to
compatible releases in pyproject).
"""

from __future__ import annotations

from graphql import GraphQLSchema
from strawberry import Schema


def graphql_core_schema(schema: Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built (validation and root-type lookups need it)."""
    return schema._schema
