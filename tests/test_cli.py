"""The `mitmachen` command as an operator meets it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from service.auth.models import RoleGrant
from service.config import Settings, load_settings
from service.users.models import User


def _run(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    env.update(environment)
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "mitmachen", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MITMACHEN_DATABASE_URL", "nonsense"),
        ("MITMACHEN_DATABASE_URL", "mysql://root@localhost/db"),
        ("MITMACHEN_REDIS_URL", "http://localhost"),
        ("MITMACHEN_DATABASE_POOL_SIZE", "many"),
        ("MITMACHEN_OIDC_ISSUER", "http://idp.example.org"),
        ("MITMACHEN_DATABASE_REPLICA_URLS", "postgresql://r1/db,mysql://r2/db"),
        ("MITMACHEN_DATABASE_REPLICA_MAX_LAG_SECONDS", "0"),
    ],
)
def test_invalid_configuration_stops_serve_with_one_line_naming_the_variable(variable: str, value: str) -> None:
    result = _run("serve", **{variable: value})

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"mitmachen: configuration error: {variable}:")


def test_serve_without_database_url_says_how_to_run_locally() -> None:
    result = _run("serve")

    assert result.returncode == 2
    assert "MITMACHEN_DATABASE_URL is not set" in result.stderr
    assert "mitmachen dev" in result.stderr


def test_seed_without_a_set_is_refused() -> None:
    result = _run("seed", MITMACHEN_DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")

    assert result.returncode == 2
    assert "--demo" in result.stderr


async def test_grant_gives_the_first_admin_of_a_town_and_revoke_takes_it_back(
    settings: Settings, runtime: Runtime
) -> None:
    url = settings.database_url or ""
    person = ["--issuer", "https://idp.example.org", "--subject", "first-admin"]

    granted = _run("grant", "--role", "admin", "--town", "soest", *person, MITMACHEN_DATABASE_URL=url)
    again = _run("grant", "--role", "admin", "--town", "soest", *person, MITMACHEN_DATABASE_URL=url)
    unknown_town = _run("grant", "--role", "admin", "--town", "atlantis", *person, MITMACHEN_DATABASE_URL=url)

    assert granted.stdout.strip() == "granted admin in soest"
    assert again.returncode == 0
    assert unknown_town.returncode == 1
    assert "no town with slug 'atlantis'" in unknown_town.stderr
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = (
            await session.execute(
                select(RoleGrant.role, AuditEntry.action).join(AuditEntry, AuditEntry.subject_id == RoleGrant.user_id)
            )
        ).all()
    assert rows == [("admin", "role.granted")], "granted once, recorded once, by the system"

    revoked = _run("grant", "--role", "admin", "--town", "soest", "--revoke", *person, MITMACHEN_DATABASE_URL=url)
    assert revoked.stdout.strip() == "revoked admin in soest"
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(func.count()).select_from(RoleGrant)) == 0


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ([], "mitmachen grant: --town is required: moderator is held in one town"),
        (["--town", "soest"], "mitmachen grant: region_staff is region-wide: leave out --town"),
    ],
    ids=["town-role-without-town", "region-role-with-town"],
)
@pytest.mark.parametrize(
    "person", [["--email", "ops@example.org"], ["--issuer", "https://idp.example.org", "--subject", "new"]]
)
async def test_a_role_in_the_wrong_scope_is_one_line_exit_2_and_changes_nothing(
    settings: Settings, runtime: Runtime, scope: list[str], expected: str, person: list[str]
) -> None:
    role = "moderator" if not scope else "region_staff"

    result = _run("grant", "--role", role, *scope, *person, MITMACHEN_DATABASE_URL=settings.database_url or "")

    assert (result.returncode, result.stderr.strip().splitlines(), result.stdout) == (2, [expected], "")
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0, "nobody was created"
        assert await session.scalar(select(func.count()).select_from(RoleGrant)) == 0


@pytest.mark.parametrize("command", ["serve", "worker", "tally", "dev"])
def test_an_unknown_log_level_is_one_line_naming_the_variable_and_the_valid_levels(command: str) -> None:
    result = _run(
        command,
        MITMACHEN_LOG_LEVEL="LOUD",
        MITMACHEN_DATABASE_URL="postgresql://postgres@127.0.0.1:1/none",
        MITMACHEN_REDIS_URL="redis://127.0.0.1:1/0",
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mitmachen: configuration error: MITMACHEN_LOG_LEVEL: 'LOUD' is not a log level "
        "(expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL)"
    ]


def test_a_lower_case_log_level_is_accepted() -> None:
    assert load_settings(log_level="debug").log_level == "DEBUG"


def test_importing_the_app_prints_no_warning() -> None:
    """Start-up output begins with the first log line: no library's deprecation notice before it."""
    result = subprocess.run(
        [sys.executable, "-c", "import mitmachen.app, mitmachen.dev, mitmachen.cli"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")


def _dev_instance(data_dir: Path, *, pid: int, database_url: str) -> None:
    """What a running `mitmachen dev` leaves in its data folder (see mitmachen/dev_instance.py)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "dev-instance.json").write_text(json.dumps({"pid": pid, "database_url": database_url}))


async def test_tally_and_grant_beside_a_running_dev_use_its_database(
    settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    _dev_instance(tmp_path, pid=os.getpid(), database_url=settings.database_url or "")

    tally = _run("tally", MITMACHEN_DATA_DIR=str(tmp_path))
    grant = _run(
        "grant", "--role", "region_staff", "--issuer", "https://idp.example.org", "--subject", "ops",
        MITMACHEN_DATA_DIR=str(tmp_path),
    )  # fmt: skip

    assert tally.returncode == 0, tally.stderr
    assert tally.stdout.startswith("tallies recomputed:")
    assert (grant.returncode, grant.stdout.strip()) == (0, "granted region_staff region-wide"), grant.stderr
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(func.count()).select_from(RoleGrant)) == 1


@pytest.mark.parametrize("command", [["tally"], ["migrate"], ["grant", "--role", "region_staff", "--email", "a@b.de"]])
@pytest.mark.parametrize("instance", ["none", "stale"])
def test_without_database_url_or_running_dev_the_commands_say_what_to_do(
    command: list[str], instance: str, tmp_path: Path
) -> None:
    if instance == "stale":  # a `dev` that was killed and could not remove its file
        ended = subprocess.Popen(["true"])  # noqa: S607 - a process that has ended
        ended.wait()
        _dev_instance(tmp_path, pid=ended.pid, database_url="postgresql://postgres@127.0.0.1:1/gone")

    result = _run(*command, MITMACHEN_DATA_DIR=str(tmp_path))

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mitmachen: configuration error: MITMACHEN_DATABASE_URL is not set and no `mitmachen dev` is running with "
        f"its data in {tmp_path}: start `mitmachen dev` (in another terminal, from the same folder), "
        "or set MITMACHEN_DATABASE_URL"
    ]
