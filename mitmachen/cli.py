"""The `mitmachen` command."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence

from service.config import ConfigurationError, Environment, Settings, load_settings
from service.kit.logging import configure_logging

GC_YOUNG_THRESHOLD = 10_000


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.async_database_url()
    settings.require_redis_url()

    import uvicorn  # noqa: PLC0415 - imported after the configuration is known to be valid

    from mitmachen.app import create_app  # noqa: PLC0415
    from schema.root import build_schema  # noqa: PLC0415

    configure_logging(settings.log_level)
    app = create_app(settings)
    # What is built at startup (modules, the schema and its caches, the app) lives as long as the process. Frozen,
    # it is left out of garbage collection: a full collection no longer walks its ~160 000 objects (about 0.1 s
    # of CPU each time, every few hundred requests).
    build_schema()
    gc.freeze()
    # A request frees what it made by reference counting (see `ReleasingExecutionContext`), yet it allocates
    # thousands of objects: at the default threshold (700) the collector ran about once per request and took
    # ~6 % of the feed's CPU; at 10 000 it runs every hundred requests or so (bench/feed.py).
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        # The app itself believes X-Forwarded-For from MITMACHEN_TRUSTED_PROXIES only (see `create_app`);
        # uvicorn's own proxy handling would trust 127.0.0.1 by default and let any loopback peer choose its address.
        proxy_headers=False,
        server_header=False,
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from mitmachen.worker import run_worker  # noqa: PLC0415

    settings = load_settings()
    configure_logging(settings.log_level)
    return run_worker(settings, burst=args.burst, shutdown_grace_seconds=args.shutdown_grace)


def _beside_dev() -> Settings:
    """Settings for the operator's commands (migrate, seed, grant, tally): without MITMACHEN_DATABASE_URL they
    use the servers of the `mitmachen dev` running in the same data folder."""
    from mitmachen.dev_instance import with_running_dev  # noqa: PLC0415

    return with_running_dev(load_settings())


def _migrate(args: argparse.Namespace) -> int:
    from service.db.migrate import upgrade  # noqa: PLC0415

    settings = _beside_dev()
    upgrade(settings, args.revision)
    print(f"database migrated to {args.revision}")  # noqa: T201 - command output
    return 0


def _seed(args: argparse.Namespace) -> int:
    from mitmachen.seeding import seed  # noqa: PLC0415

    if not args.demo:
        print("nothing to seed: pass --demo for the demo towns", file=sys.stderr)  # noqa: T201
        return 2
    asyncio.run(seed(_beside_dev()))
    print("demo data loaded")  # noqa: T201 - command output
    return 0


def _dev(args: argparse.Namespace) -> int:
    from mitmachen.dev import run_dev  # noqa: PLC0415

    settings = load_settings(environment=Environment.DEV)
    configure_logging(settings.log_level)
    code = run_dev(settings, host=args.host, port=args.port)
    # Every process `dev` started has stopped and been waited for, and its files are written. Tearing down the
    # interpreter (a full garbage collection of everything the app built, then every module) took one to three
    # seconds of each Ctrl-C on a busy machine, and there is nothing left for it to clean up.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _grant(args: argparse.Namespace) -> int:
    from mitmachen.granting import GrantError, change_role  # noqa: PLC0415
    from service.auth.errors import RoleErrorCode  # noqa: PLC0415
    from service.auth.viewer import Role  # noqa: PLC0415
    from service.kit.errors import UserError  # noqa: PLC0415

    settings = _beside_dev()
    try:
        outcome = asyncio.run(
            change_role(
                settings,
                role=Role(args.role),
                town=args.town,
                email=args.email,
                issuer=args.issuer,
                subject=args.subject,
                revoke=args.revoke,
            )
        )
    except GrantError as error:
        print(f"mitmachen grant: {error}", file=sys.stderr)  # noqa: T201
        return 1
    except UserError as error:
        # The role service speaks of the API's fields; here they are options.
        explained: dict[str, str] = {
            RoleErrorCode.ROLE_NEEDS_TOWN: f"--town is required: {args.role} is held in one town",
            RoleErrorCode.ROLE_IS_REGION_WIDE: f"{args.role} is region-wide: leave out --town",
        }
        print(f"mitmachen grant: {explained.get(error.code, error.message)}", file=sys.stderr)  # noqa: T201
        return 2
    print(outcome)  # noqa: T201 - command output
    return 0


def _tally(args: argparse.Namespace) -> int:
    from mitmachen.tallying import run_tally  # noqa: PLC0415

    settings = _beside_dev()
    configure_logging(settings.log_level)
    for line in asyncio.run(run_tally(settings, export=args.export)):
        print(line)  # noqa: T201 - command output
    return 0


def _seconds(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of seconds (0 or more)")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mitmachen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    for name, handler, help_text in (
        (
            "dev",
            _dev,
            "Run everything locally: embedded database and Redis, migrations, demo data, API, worker.",
        ),
        ("serve", _serve, "Run the API server."),
    ):
        sub = command(name, handler, help_text)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=8000)
    worker = command("worker", _worker, "Run a background worker.")
    worker.add_argument("--burst", action="store_true", help="process the queue, then exit")
    worker.add_argument(
        "--shutdown-grace",
        type=_seconds,
        metavar="SECONDS",
        help="on SIGTERM/SIGINT, how long running jobs may finish before they are handed back to the queue "
        "(default: MITMACHEN_JOB_TIMEOUT_SECONDS); a second signal hands them back at once",
    )
    command("migrate", _migrate, "Apply database migrations.").add_argument("--revision", default="head")
    grant = command("grant", _grant, "Grant a role to a person (or take it away with --revoke).")
    grant.add_argument("--role", required=True, choices=["moderator", "staff", "admin", "region_staff", "region_admin"])
    grant.add_argument("--town", help="town slug; leave out for the region-wide roles region_staff and region_admin")
    grant.add_argument("--email", help="the person's e-mail address (they must have logged in once)")
    grant.add_argument("--issuer", help="with --subject: the person's identity provider")
    grant.add_argument("--subject", help="with --issuer: the person's subject at the identity provider")
    grant.add_argument("--revoke", action="store_true")
    command("tally", _tally, "Recompute the participation tallies now.").add_argument(
        "--export", metavar="DIRECTORY", help="then write the open data files (CSV, JSON, metadata) there"
    )
    command("seed", _seed, "Load data.").add_argument("--demo", action="store_true", help="the demo towns")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except ConfigurationError as error:
        print(f"mitmachen: configuration error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        return 130
    return result


__all__ = ["Settings", "main"]
