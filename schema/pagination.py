"""Relay page info for the keyset-paged connections (forward paging only, `after` means there was a page before),
and what a connection's nodes select."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from strawberry import relay
from strawberry.types.nodes import SelectedField, Selection

from schema.context import Info


def page_info(cursors: Sequence[str], *, has_next_page: bool, after: str | None) -> relay.PageInfo:
    return relay.PageInfo(
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def node_fields(info: Info) -> frozenset[str]:
    """The GraphQL names of the fields selected on the nodes (`edges { node { … } }`) of the connection that the
    resolving field returns, through fragments; skip and include directives are not evaluated (more, never fewer).
    """
    return frozenset(
        field.name
        for connection in info.selected_fields
        for edges in _fields(connection.selections, "edges")
        for node in _fields(edges.selections, "node")
        for field in _fields(node.selections, None)
    )


def _fields(selections: Iterable[Selection], name: str | None) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if name is None or selection.name == name:
                yield selection
        else:
            yield from _fields(selection.selections, name)
