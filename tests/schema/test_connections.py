"""Every Relay connection is built by the one helper in `schema.pagination`: edges in page order at the page's
cursors, page info from those cursors."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import strawberry
from strawberry import relay

from schema.pagination import connection, connection_from_page

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


@strawberry.type
class Thing:
    name: str


@strawberry.type
class ThingEdge:
    cursor: str
    node: Thing


@strawberry.type
class ThingConnection:
    edges: list[ThingEdge]
    page_info: relay.PageInfo


@dataclass(frozen=True)
class ThingPage:
    items: Sequence[str]
    has_next_page: bool

    def cursor(self, row: str) -> str:
        return f"c-{row}"


def test_edges_keep_the_page_order_and_cursors() -> None:
    page = ThingPage(items=["b", "a", "c"], has_next_page=True)

    built = connection_from_page(ThingConnection, ThingEdge, page, lambda row: Thing(name=row.upper()), after="x")

    assert [(edge.cursor, edge.node.name) for edge in built.edges] == [("c-b", "B"), ("c-a", "A"), ("c-c", "C")]
    assert built.page_info == relay.PageInfo(
        has_next_page=True, has_previous_page=True, start_cursor="c-b", end_cursor="c-c"
    )


def test_an_empty_first_page_has_no_cursors() -> None:
    built = connection(
        ThingConnection,
        ThingEdge,
        [],
        cursor=str,
        node=lambda row: Thing(name=row),
        has_next_page=False,
        after=None,
    )

    assert built.edges == []
    assert built.page_info == relay.PageInfo(
        has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
    )


def test_rows_with_their_own_cursor_function() -> None:
    built = connection(
        ThingConnection,
        ThingEdge,
        [1, 2],
        cursor=lambda row: f"n{row}",
        node=lambda row: Thing(name=str(row)),
        has_next_page=False,
        after="n0",
    )

    assert [edge.cursor for edge in built.edges] == ["n1", "n2"]
    assert (built.page_info.start_cursor, built.page_info.end_cursor) == ("n1", "n2")
    assert built.page_info.has_previous_page


def test_no_connection_builds_its_page_info_by_hand() -> None:
    """A connection assembled outside the helper is the copy this test keeps out: nothing in the schema adapter
    but `schema/pagination.py` calls `page_info`."""
    offenders = [
        f"{path.relative_to(SCHEMA.parent)}:{node.lineno}"
        for path in sorted(SCHEMA.rglob("*.py"))
        if path.name != "pagination.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "page_info"
    ]
    assert offenders == []
