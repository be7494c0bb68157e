"""Relay page info for the keyset-paged connections: forward paging only, `after` means there was a page before."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry import relay


def page_info(cursors: Sequence[str], *, has_next_page: bool, after: str | None) -> relay.PageInfo:
    return relay.PageInfo(
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )
