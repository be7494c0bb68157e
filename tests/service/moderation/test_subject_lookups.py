"""The moderation queue's dataloaders find the rows of any number of contributions in one statement whose text
does not depend on how many there are: PostgreSQL prepares it once, SQLAlchemy renders it once."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from mitmachen.runtime import Runtime
from service.moderation.appeals import open_appeals
from service.moderation.history import author_histories
from service.moderation.models import SubjectKind
from service.moderation.queue import open_reports
from service.moderation.status import shown_decisions

SubjectKey = tuple[SubjectKind, uuid.UUID]
Lookup = Callable[[Any, Sequence[SubjectKey]], Awaitable[dict[SubjectKey, Any]]]


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", before)


def subjects(count: int) -> list[SubjectKey]:
    kinds = (SubjectKind.IDEA, SubjectKind.COMMENT)
    return [(kinds[number % 2], uuid.uuid4()) for number in range(count)]


@pytest.mark.parametrize(
    "lookup", [open_appeals, shown_decisions, open_reports], ids=["appeals", "decisions", "reports"]
)
async def test_one_and_six_contributions_are_looked_up_by_the_same_statement(runtime: Runtime, lookup: Lookup) -> None:
    texts = []
    for count in (1, 6):
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await session.connection()  # the transaction's BEGIN is not the lookup's
            with statements(runtime) as seen:
                await lookup(session, subjects(count))
        assert len(seen) == 1, seen
        texts.append(seen[0])
    assert texts[0] == texts[1]


async def test_the_histories_of_one_and_six_authors_are_read_by_the_same_two_statements(runtime: Runtime) -> None:
    texts = []
    for count in (1, 6):
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await session.connection()
            with statements(runtime) as seen:
                await author_histories(session, [(uuid.uuid4(), uuid.uuid4()) for _ in range(count)])
        assert len(seen) == 2, seen
        texts.append(seen)
    assert texts[0] == texts[1]
