"""`mitmachen tally`: recompute the participation tallies now, and optionally write the open data files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

import service.models  # noqa: F401 - every mapped model, so that foreign keys resolve when the run is recorded
from mitmachen.open_data import REGION
from service.config import Settings
from service.db.engine import create_engine, create_session_factory
from service.kit.jobs import DiscardingJobSender
from service.kit.unit_of_work import UnitOfWork
from service.tallies import report
from service.tallies.compute import PARTS, recompute


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
    """The same files as `/open-data/` serves, for the region and every town (header only where nothing counts)."""
    files: dict[Path, str] = {}
    written = []
    for slug, name in await report.open_data_scopes(session):
        file_name = slug or REGION
        for kind, content in (await report.open_data_files(session, slug=slug, name=name, file_name=file_name)).items():
            files[directory / f"{file_name}.{kind}"] = content
        rows = files[directory / f"{file_name}.csv"].count("\n") - 1
        written.append(f"wrote {directory / file_name}.csv, .json, .meta.json ({rows} rows)")
    await asyncio.to_thread(_write, files)
    return written


def _write(files: dict[Path, str]) -> None:
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
