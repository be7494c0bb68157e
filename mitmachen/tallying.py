"""`mitmachen tally`: recompute the participation tallies now, and optionally write the open data files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

import service.models  # noqa: F401 - every mapped model, so that foreign keys resolve when the run is recorded
from mitmachen.open_data import REGION
from service.config import Settings
from service.db.engine import create_engine, create_session_factory
from service.jobs import DiscardingJobSender
from service.tallies import report
from service.tallies.compute import PARTS, recompute
from service.unit_of_work import UnitOfWork


async def run_tally(settings: Settings, *, export: str | None) -> list[str]:
    """Returns the lines to print: the run's summary and the files written."""
    # The run's own session plus one connection per share it reads at once.
    engine = create_engine(settings, pool_size=1 + PARTS)
    try:
        factory = create_session_factory(engine)
        async with UnitOfWork(factory, DiscardingJobSender()) as uow, uow.session() as session:
            result = await recompute(session)
        lines = [f"tallies recomputed: {result.rows} rows, {result.changed} written, {result.deleted} deleted"]
        lines.append(f"digest {result.digest}")
        if export is not None:
            async with UnitOfWork(factory, DiscardingJobSender()) as uow, uow.session() as session:
                lines += await write_open_data(session, Path(export))
        return lines
    finally:
        await engine.dispose()


async def write_open_data(session: AsyncSession, directory: Path) -> list[str]:
    run = await report.last_run(session)
    computed_at = run.finished_at if run else None
    files: dict[Path, str] = {}
    written = []
    scopes: list[str | None] = [None, *await report.town_slugs_with_tallies(session)]
    for slug in scopes:
        name = slug or REGION
        rows = await report.open_data(session, town_slug=slug)
        meta = report.metadata(scope=slug or "Region", computed_at=computed_at)
        meta["files"] = [f"{name}.csv", f"{name}.json"]
        files[directory / f"{name}.csv"] = report.as_csv(rows)
        files[directory / f"{name}.json"] = report.as_json(rows)
        files[directory / f"{name}.meta.json"] = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
        written.append(f"wrote {directory / name}.csv, .json, .meta.json ({len(rows)} rows)")
    await asyncio.to_thread(_write, files)
    return written


def _write(files: dict[Path, str]) -> None:
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
