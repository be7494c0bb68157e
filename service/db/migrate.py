"""Apply Alembic migrations programmatically (`mitmachen migrate`, `mitmachen dev`, the test suite)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

from service.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    url = settings.async_database_url().render_as_string(hide_password=False)
    command.upgrade(alembic_config(url), revision)


async def upgrade_with_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Run migrations on an existing engine (a caller already inside an event loop)."""
    url = engine.url.render_as_string(hide_password=False)

    def _upgrade(connection: object) -> None:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
