"""The events of the participation tallies, written by the recompute (`service.tallies.compute.recompute`) in its
own transaction: one `tallies.recomputed` per scope whose published figures changed.

A scope is what open data publishes as one file: a town (`/open-data/<slug>.csv`, an event of that town, which its
own followers receive) and the region roll-up (`/open-data/suedwestfalen.csv`, an event without a town, which
region-wide followers receive). Figures left out of open data (small cells) count only as "left out": a change
inside them changes no digest and writes no event, so the log says nothing about them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.log import EventType, record
from service.towns.models import Town

# The key of the region roll-up among the scopes (towns are keyed by their id), and the name of its files.
REGION = "region"
REGION_FILE = "suedwestfalen"
# The digest of a scope without any figure.
NO_FIGURES = hashlib.sha256(b"").hexdigest()


def open_data_links(file_name: str) -> dict[str, str]:
    """Where the scope's figures are read: paths of this service, no login."""
    return {
        "csv": f"/open-data/{file_name}.csv",
        "json": f"/open-data/{file_name}.json",
        "meta": f"/open-data/{file_name}.meta.json",
    }


async def tallies_recomputed(
    session: AsyncSession,
    run_id: uuid.UUID,
    before: Mapping[str, str],
    after: Mapping[str, tuple[str, int]],
) -> int:
    """An event per scope whose digest differs between `before` (the last run's, scope -> digest) and `after`
    (this run's, scope -> (digest, figures)); a scope missing on one side has no figures there. Towns are the
    subject of their events (`node` is the town); the region's event is about the run. Returns how many."""
    changed = sorted(
        scope
        for scope in set(before) | set(after)
        if before.get(scope, NO_FIGURES) != after.get(scope, (NO_FIGURES,))[0]
    )
    towns = [uuid.UUID(scope) for scope in changed if scope != REGION]
    slugs: dict[uuid.UUID, str] = dict(
        (await session.execute(select(Town.id, Town.slug).where(Town.id.in_(towns)))).all()
    )
    written = 0
    for scope in changed:
        digest, figures = after.get(scope, (NO_FIGURES, 0))
        if scope == REGION:
            town_id, file_name, subject_type, subject_id = None, REGION_FILE, "TallyRun", run_id
        elif uuid.UUID(scope) in slugs:
            town_id = subject_id = uuid.UUID(scope)
            file_name, subject_type = slugs[town_id], "Town"
        else:
            continue  # the town itself is gone, and its events with it
        data = {"digest": f"sha256:{digest}", "figures": figures, "openData": open_data_links(file_name)}
        await record(
            session,
            EventType.TALLIES_RECOMPUTED,
            town_id=town_id,
            subject_type=subject_type,
            subject_id=subject_id,
            data=data,
        )
        written += 1
    return written
