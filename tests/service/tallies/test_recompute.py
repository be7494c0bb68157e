"""Recomputing tallies from the source tables: exact figures, identical reruns, and a run killed half-way."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from mitmachen.runtime import Runtime
from service.ideas.models import Idea
from service.tallies.compute import PARTS, TallyResult, recompute, share_ranges
from service.tallies.models import Metric
from tests.support.oidc_provider import OidcProvider
from tests.support.tallies import (
    MONDAY_AFTER_MIDNIGHT,
    build_dataset,
    expected_tallies,
    table_content,
    table_rows,
    utc,
    write_dataset,
)

LOCKS = text(
    "SELECT relation::regclass::text FROM pg_locks WHERE pid = :pid AND locktype = 'relation' AND granted = :granted"
)
WRITE_LOCKS = text(
    "SELECT relation::regclass::text FROM pg_locks "
    "WHERE pid = :pid AND locktype = 'relation' AND granted AND mode = 'RowExclusiveLock'"
)


async def _recompute(runtime: Runtime, *, parts: int = PARTS) -> TallyResult:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await recompute(session, parts=parts)


async def _runs(runtime: Runtime) -> list[tuple[int, int, str]]:
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT row_count, changed_rows, digest FROM tally_runs ORDER BY finished_at")
        )
        return [(row[0], row[1], row[2]) for row in rows]


async def test_every_cell_matches_an_independent_count_at_every_level_and_period(
    runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    dataset = await build_dataset(runtime, oidc_provider)
    expected = expected_tallies(dataset)

    result = await _recompute(runtime)
    found = await table_content(runtime)

    assert set(found) == set(expected), set(found) ^ set(expected)
    wrong = {cell: (found[cell], value) for cell, value in expected.items() if found[cell] != value}
    assert wrong == {}
    assert result.rows == len(expected)
    assert {cell[2] for cell in found} == {"week", "month", "quarter", "year"}
    assert {(cell[0] is None, cell[1] is None) for cell in found} == {(False, False), (False, True), (True, True)}
    soest, area = dataset.towns["soest"], dataset.areas["soest"][0]
    # The local calendar decides: 23:30 on Sunday 31 March is March and Q1, 00:30 on Monday 1 April is not.
    assert found[(soest, area, "week", date(2024, 3, 25), "ideas_submitted")][0] >= 1
    assert found[(soest, area, "week", date(2024, 4, 1), "ideas_submitted")][0] >= 1
    assert (None, None, "year", date(2024, 1, 1), "ideas_submitted") in found


async def test_figures_agree_with_plain_selects_over_the_source_tables(
    runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    dataset = await build_dataset(runtime, oidc_provider)
    await _recompute(runtime)
    found = await table_content(runtime)
    arnsberg = dataset.towns["arnsberg"]

    async with runtime.engine.connect() as connection:
        submitted_2024 = await connection.scalar(
            text(
                "SELECT count(*) FROM ideas WHERE town_id = :town AND lifecycle = 'published' "
                "AND (created_at AT TIME ZONE 'Europe/Berlin') >= '2024-01-01' "
                "AND (created_at AT TIME ZONE 'Europe/Berlin') < '2025-01-01'"
            ),
            {"town": arnsberg},
        )
        supports_2023 = await connection.scalar(
            text(
                "SELECT count(*) FROM idea_supports s JOIN ideas i ON i.id = s.idea_id "
                "WHERE i.lifecycle = 'published' "
                "AND (s.created_at AT TIME ZONE 'Europe/Berlin')::date BETWEEN '2023-01-01' AND '2023-12-31'"
            )
        )
        accepted_ideas = await connection.scalar(
            text(
                "SELECT count(DISTINCT idea_id) FROM idea_official_answers a JOIN ideas i ON i.id = a.idea_id "
                "WHERE status = 'accepted' AND i.lifecycle = 'published'"
            )
        )

    assert found[(arnsberg, None, "year", date(2024, 1, 1), "ideas_submitted")][0] == submitted_2024
    assert found[(None, None, "year", date(2023, 1, 1), "supports")][0] == supports_2023
    accepted_cells = [
        value for cell, (value, _) in found.items() if cell[:3] == (None, None, "year") and cell[4] == "ideas_accepted"
    ]
    assert sum(accepted_cells) == accepted_ideas, "an idea accepted twice counts once"
    # The hand-picked idea was accepted on 1 July and again on 1 August 2023: July only.
    answered = next(idea for idea in dataset.ideas if idea.created_at == utc(2023, 6, 10))
    july = expected_tallies(dataset)[(arnsberg, answered.area_id, "month", date(2023, 7, 1), "ideas_accepted")]
    assert found[(arnsberg, answered.area_id, "month", date(2023, 7, 1), "ideas_accepted")] == july


async def test_recomputing_twice_gives_the_same_table_and_digest_and_writes_nothing(
    runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    await build_dataset(runtime, oidc_provider)
    first = await _recompute(runtime)
    content, rows = await table_content(runtime), await table_rows(runtime)

    second = await _recompute(runtime)

    assert first.changed == first.rows > 0
    assert (second.rows, second.changed, second.deleted) == (first.rows, 0, 0)
    assert second.digest == first.digest
    assert await table_content(runtime) == content
    assert await table_rows(runtime) == rows, "no row was rewritten (same location, same transaction id)"
    assert [run[1:] for run in await _runs(runtime)] == [(first.rows, first.digest), (0, first.digest)]


async def test_the_number_of_shares_read_at_once_does_not_change_a_figure(
    runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    dataset = await build_dataset(runtime, oidc_provider)
    expected = expected_tallies(dataset)

    for parts in (1, 3, PARTS):
        result = await _recompute(runtime, parts=parts)
        assert await table_content(runtime) == expected, f"{parts} shares"
        assert result.changed == (result.rows if parts == 1 else 0)


async def test_a_recompute_after_a_source_change_replaces_stale_cells(
    runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    dataset = await build_dataset(runtime, oidc_provider)
    first = await _recompute(runtime)
    # The only idea of a week goes away: its cells must disappear, not linger with old values.
    lonely = dataset.ideas[1]
    async with runtime.engine.begin() as connection:
        await connection.execute(text("DELETE FROM comments WHERE idea_id = :id"), {"id": lonely.id})
        await connection.execute(text("DELETE FROM ideas WHERE id = :id"), {"id": lonely.id})
    dataset.ideas.remove(lonely)
    dataset.comments = [row for row in dataset.comments if row[0] != lonely.id]

    second = await _recompute(runtime)

    assert await table_content(runtime) == expected_tallies(dataset)
    assert second.digest != first.digest
    assert second.deleted > 0
    assert second.changed > 0


async def test_a_run_killed_before_commit_leaves_the_previous_snapshot_and_the_next_run_completes(
    runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    dataset = await build_dataset(runtime, oidc_provider, random_ideas=10)
    await _recompute(runtime)
    before = await table_content(runtime)
    assert before == expected_tallies(dataset)
    runs_before = await _runs(runtime)
    # New source rows that the killed run will have counted but never committed.
    later = dataset.ideas[0]
    dataset.ideas.append(
        type(later)(
            id=uuid.uuid4(),
            town_id=later.town_id,
            area_id=later.area_id,
            author_id=dataset.people[5].user_id,
            created_at=MONDAY_AFTER_MIDNIGHT + timedelta(days=400),
            published_at=MONDAY_AFTER_MIDNIGHT + timedelta(days=401),
            lifecycle=later.lifecycle.PUBLISHED,
        )
    )
    await write_dataset(runtime, type(dataset)(dataset.people, dataset.towns, dataset.areas, [dataset.ideas[-1]]))
    after = expected_tallies(dataset)
    assert after != before

    pid: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def run() -> None:
        async with runtime.unit_of_work() as uow, uow.session() as session:
            pid.set_result((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            await recompute(session)

    async with runtime.engine.connect() as blocker:
        await blocker.execute(text("LOCK TABLE tally_runs IN SHARE MODE"))
        task = asyncio.create_task(run())
        backend = await asyncio.wait_for(pid, 10)
        # The run blocks at its last statement, the INSERT into tally_runs (its lock is taken while the statement
        # is parsed, so pg_stat_activity may still show the previous query), after its DELETE and upsert.
        waiting: list[str] = []
        for _ in range(400):
            waiting = list(await blocker.scalars(LOCKS, {"pid": backend, "granted": False}))
            if waiting:
                break
            await asyncio.sleep(0.05)
        assert waiting == ["tally_runs"]
        written = set(await blocker.scalars(WRITE_LOCKS, {"pid": backend}))
        assert "participation_tallies" in written, "the DELETE and upsert ran and are not committed"

        async with runtime.engine.connect() as reader:  # another session reads the previous snapshot meanwhile
            assert await table_content(runtime) == before
            assert await reader.scalar(text("SELECT count(*) FROM tally_runs")) == len(runs_before)

        assert await blocker.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}) is True
        with pytest.raises(DBAPIError):
            await task
        await blocker.rollback()

    assert await table_content(runtime) == before
    assert await _runs(runtime) == runs_before

    result = await _recompute(runtime)

    assert await table_content(runtime) == after
    assert result.changed > 0
    assert len(await _runs(runtime)) == len(runs_before) + 1
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(Idea.id).where(Idea.id == dataset.ideas[-1].id)) is not None
    assert Metric.PARTICIPANTS.value in {cell[4] for cell in after}


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_the_shares_cover_every_uuid_once(parts: int) -> None:
    shares = share_ranges(parts)

    assert len(shares) == parts
    assert shares[0][0] == uuid.UUID(int=0)
    assert shares[-1][1] == uuid.UUID(int=(1 << 128) - 1)
    for (_, high), (low, _) in itertools.pairwise(shares):
        assert low.int == high.int + 1
    assert all(low <= high for low, high in shares)
