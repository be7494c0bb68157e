"""Lint, types, layering, committed SDL and migrations: checks the whole tree must pass."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from mitmachen.runtime import Runtime
from schema.export import SDL_PATH, sdl
from service.models import Base

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed developer tools from this environment
        [str(BIN / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )


def test_ruff_finds_nothing() -> None:
    result = _tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout


def test_code_is_formatted() -> None:
    result = _tool("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout


def test_mypy_strict_passes() -> None:
    result = _tool("mypy")
    assert result.returncode == 0, result.stdout


def test_committed_sdl_matches_the_code() -> None:
    assert SDL_PATH.read_text() == sdl(), "run `python -m schema.export` and commit schema/schema.graphql"


FORBIDDEN_IMPORTS = {
    # The domain knows nothing of the web, GraphQL or the queue: those are the adapters around it.
    "service": {"schema", "workers", "mitmachen", "strawberry", "starlette", "arq"},
    "schema": {"workers", "mitmachen"},
    "workers": {"schema", "mitmachen"},
}


def _imports(package: Path) -> Iterator[tuple[str, str]]:
    """(file, imported module) for every absolute import below `package`."""
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
                names += [f"{node.module}.{alias.name}" for alias in node.names]  # `from service import ideas`
            yield from ((str(path.relative_to(ROOT)), name) for name in names)


@pytest.mark.parametrize("package", sorted(FORBIDDEN_IMPORTS))
def test_layers_import_only_downwards(package: str) -> None:
    offenders = [
        f"{path}: {name}" for path, name in _imports(ROOT / package) if name.split(".")[0] in FORBIDDEN_IMPORTS[package]
    ]
    assert offenders == []


# The modules strawberry and graphql-core export for use (what their documentation imports from). Anything deeper
# is reached through `schema/strawberry_internals.py`, whose test fails on an upgrade that changes it.
PUBLIC_GRAPHQL_MODULES = {
    "graphql",
    "strawberry",
    "strawberry.asgi",
    "strawberry.dataloader",
    "strawberry.exceptions",
    "strawberry.extensions",
    "strawberry.http",
    "strawberry.permission",
    "strawberry.relay",
    "strawberry.scalars",
    "strawberry.schema.config",
    "strawberry.schema_directive",
    "strawberry.types",
}
INTERNALS = "schema/strawberry_internals.py"


def test_strawberry_and_graphql_core_internals_are_imported_only_by_one_module() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {node.module}"
        for package in ("schema", "web", "workers", "mitmachen", "service")
        for path in (ROOT / package).rglob("*.py")
        if str(path.relative_to(ROOT)) != INTERNALS
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        if node.module.split(".")[0] in {"strawberry", "graphql"} and node.module not in PUBLIC_GRAPHQL_MODULES
    ]
    assert offenders == []


# The platform below the domains: configuration and the database's engine and base beside the kit.
PLATFORM = {"kit", "config", "db"}


def test_the_kit_imports_no_domain() -> None:
    """Domains (`service/<domain>/`) import `service.kit`; the kit imports no domain, nor `service.models`, which
    gathers them all. A helper that two domains need belongs in the kit, not in the domain that needed it first."""
    offenders = [
        f"{path}: {name}"
        for path, name in _imports(ROOT / "service" / "kit")
        if name.startswith("service.") and name.split(".")[1] not in PLATFORM
    ]
    assert offenders == []


def test_service_has_no_platform_modules_outside_the_kit() -> None:
    """Platform code lives in `service/kit/`; at the top of `service/` only the configuration and the list of
    models stay (Alembic and the commands load them by these names)."""
    assert sorted(path.name for path in (ROOT / "service").glob("*.py")) == ["__init__.py", "config.py", "models.py"]


async def test_migrations_create_exactly_the_models(runtime: Runtime) -> None:
    def differences(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))

    async with runtime.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


CHECKS = text(
    "SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid) FROM pg_constraint co "
    "JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace ns ON ns.oid = cl.relnamespace "
    "WHERE co.contype = 'c' AND ns.nspname = :schema"
)


async def test_migrations_create_exactly_the_check_constraints_of_the_models(runtime: Runtime) -> None:
    """Autogenerate compares no CHECK constraints: the models are built in a scratch schema (rolled back) and
    each table's constraints compared with the migrated ones, as PostgreSQL prints them."""

    def create(connection: Connection) -> None:
        Base.metadata.create_all(connection.execution_options(schema_translate_map={None: "models_only"}))

    async with runtime.engine.connect() as connection:
        migrated = set((await connection.execute(CHECKS, {"schema": "public"})).all())
        await connection.rollback()
        transaction = await connection.begin()
        await connection.execute(text("CREATE SCHEMA models_only"))
        await connection.run_sync(create)
        modelled = set((await connection.execute(CHECKS, {"schema": "models_only"})).all())
        await transaction.rollback()

    assert modelled
    assert sorted(migrated - modelled) == sorted(modelled - migrated) == []


def test_forwarded_headers_are_read_only_by_uvicorns_proxy_middleware() -> None:
    """One mechanism believes a proxy's client address (`ProxyHeadersMiddleware` from `MITMACHEN_TRUSTED_PROXIES`,
    see `mitmachen/app.py`): no module names a forwarded header to parse it itself."""
    offenders = [
        f"{path.relative_to(ROOT)}: {node.value!r}"
        for package in ("service", "schema", "mitmachen", "workers")
        for path in (ROOT / package).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str | bytes)
        and any(name in _text(node.value).lower() for name in _FORWARDED_HEADERS)
    ]
    assert offenders == []


_FORWARDED_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded:")


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value
