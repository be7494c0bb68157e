"""Relay page info for the keyset-paged connections (forward paging only, `after` means there was a page before),
how a connection is built from a page of rows, and what a connection's nodes select."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from strawberry import relay

from schema.context import Info
from schema.strawberry_internals import SelectedField, Selection


def page_info(cursors: Sequence[str], *, has_next_page: bool, after: str | None) -> relay.PageInfo:
    return relay.PageInfo(
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


Row = TypeVar("Row")
Connection = TypeVar("Connection")


class RowPage(Protocol[Row]):
    """A page from the service layer: its rows, whether more follow, and each row's cursor."""

    @property
    def items(self) -> Sequence[Row]: ...

    @property
    def has_next_page(self) -> bool: ...

    def cursor(self, row: Row, /) -> str: ...


def connection(
    connection_cls: Callable[..., Connection],
    edge_cls: Callable[..., Any],
    rows: Iterable[Row],
    *,
    cursor: Callable[[Row], str],
    node: Callable[[Row], Any],
    has_next_page: bool,
    after: str | None,
) -> Connection:
    """A Relay connection of `connection_cls` whose edges (`edge_cls`) hold `node(row)` at `cursor(row)`, in the
    order of `rows`."""
    edges = [edge_cls(cursor=cursor(row), node=node(row)) for row in rows]
    cursors = [edge.cursor for edge in edges]
    return connection_cls(edges=edges, page_info=page_info(cursors, has_next_page=has_next_page, after=after))


def connection_from_page(
    connection_cls: Callable[..., Connection],
    edge_cls: Callable[..., Any],
    page: RowPage[Row],
    node: Callable[[Row], Any],
    *,
    after: str | None,
) -> Connection:
    """`connection` of a page's items, at the cursors the page gives them."""
    return connection(
        connection_cls,
        edge_cls,
        page.items,
        cursor=page.cursor,
        node=node,
        has_next_page=page.has_next_page,
        after=after,
    )


def node_fields(info: Info) -> frozenset[str]:
    """The GraphQL names of the fields selected on the nodes (`edges { node { … } }`) of the connection that the
    resolving field returns, through fragments; skip and include directives are not evaluated (more, never fewer).
    """
    return _selected_below(info, "edges", "node")


def child_selections(info: Info) -> list[SelectedField]:
    """The fields selected on what the resolving field returns, with their arguments, through fragments (skip and
    include directives not evaluated). An argument given by a variable has the variable's value; one written in
    the document has its literal's text (`first: 10` is "10")."""
    return [field for selected in info.selected_fields for field in _fields(selected.selections, None)]


def _selected_below(info: Info, *path: str) -> frozenset[str]:
    """The names selected at the end of `path` (field names, one a level) below the resolving field."""
    level: Iterable[Selection] = info.selected_fields
    for name in path:
        level = [field for selected in level for field in _fields(selected.selections, name)]
    return frozenset(field.name for selected in level for field in _fields(selected.selections, None))


def _fields(selections: Iterable[Selection], name: str | None) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if name is None or selection.name == name:
                yield selection
        else:
            yield from _fields(selection.selections, name)
