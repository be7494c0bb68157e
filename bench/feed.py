"""Benchmark of the town feed: the GraphQL API against a hand-written floor on the same data.

Run it from the repository root:

    uv run --with orjson python bench/feed.py

(`uv run python bench/feed.py` works too when orjson is installed in the environment; the script says so if it
is not.) Options: `--seconds 10 --warmup 2 --concurrency 32`, `--keep-database` to leave the data for a later
look, `--app-log-level INFO` for the API's log level (production default; every request writes an access line).

What it does, in one run:

1. Creates its own database `mitmachen_bench_<pid>` on the PostgreSQL server of `MITMACHEN_BENCH_DATABASE_URL`
   (any database URL on that server, e.g. `postgresql://postgres@127.0.0.1:5432/postgres`), else on the local
   server at 127.0.0.1:5432, else on an embedded PostgreSQL; migrates it with the project's migrations and seeds
   the demo towns.
2. Makes Soest a busy town with bulk SQL (`INSERT ... SELECT generate_series`): 20 000 citizens, 5 000 published
   ideas (plus some pending, rejected, hidden and withdrawn ones, and 100 published ideas in every other town),
   200 000 supports with a long-tailed popularity, 50 000 published comments (about one in six a reply) and
   official answers for about one idea in eight; counters are set from the rows, then VACUUM ANALYZE.
3. Starts two servers under uvicorn on 127.0.0.1, one process each:
   - `graphql`: the real app, `python -m mitmachen serve` with production settings, serving
     `town(slug: "soest") { ideas(first: 20, orderBy: MOST_SUPPORTED) { edges { node { id title supportCount
     commentCount author { displayName } strategyArea { name } } } } }` to an anonymous caller;
   - `floor`: a bare Starlette endpoint that runs ONE hand-written asyncpg query (ideas joined with towns, users
     and strategy areas) and encodes the same JSON with orjson. It is what serving these rows from Python
     costs at the least; the distance to it is the price of the GraphQL stack.
   Both answers are compared before measuring: they must be equal.
4. Drives each server with httpx.AsyncClient from this process: `--warmup` seconds, then `--seconds` seconds
   measured, `--concurrency` requests in flight. Prints requests/s and p50/p95/p99 latency for both, the ratio
   GraphQL/floor, and the CPU time per request of the server process (and of PostgreSQL when it runs on this
   machine). The load generator shares the machine's cores with the servers and PostgreSQL, so on a small
   machine the floor's throughput is partly the client's limit: the CPU time per request is the fairer
   comparison there.
   Failed requests are counted by kind (status or transport error); when a target has any, the script shows
   the last lines of that server's output other than its access lines for answered requests.
5. Writes `bench/results/feed.json` (numbers, data sizes, settings, machine and package versions), stops both
   servers and drops the database (unless `--keep-database`).

`MITMACHEN_BENCH_REDIS_URL` (default `redis://127.0.0.1:6379/15`) is handed to the app, which needs one to
start; each request is charged to the caller's query budget there.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
from sqlalchemy import make_url

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

try:
    import orjson  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on how the script is started
    orjson = None

RESULTS = ROOT / "bench" / "results" / "feed.json"
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
BENCH_ISSUER = "https://login.bench.invalid"

USERS = 20_000
SOEST_PUBLISHED = 5_000
SOEST_UNPUBLISHED = {"pending": 250, "rejected": 150, "hidden": 50, "withdrawn": 50}
OTHER_TOWN_PUBLISHED = 100
SUPPORTS = 200_000
COMMENTS = 50_000
REPLY_SHARE = 5  # an idea with n comments has n // 5 replies among them
SEED = 20260504
# Share of one core above which the (single-threaded) load generator is taken to be the bottleneck.
CLIENT_SATURATED = 0.85

FEED_QUERY = (
    '{ town(slug: "soest") { ideas(first: 20, orderBy: MOST_SUPPORTED) { edges { node { id title supportCount '
    "commentCount author { displayName } strategyArea { name } } } } } }"
)
# The same rows as the GraphQL feed for an anonymous caller: published ideas of the town, most supported first,
# ties broken by id; author names as `User.displayName` shows them.
FLOOR_SQL = """
WITH page AS (
    SELECT id, title, support_count, comment_count, author_id, strategy_area_id
    FROM ideas
    WHERE town_id = (SELECT id FROM towns WHERE slug = $1) AND lifecycle = 'published'
    ORDER BY support_count DESC, id DESC
    LIMIT 20
)
SELECT page.id, page.title, page.support_count, page.comment_count,
       CASE WHEN users.deleted_at IS NOT NULL THEN 'Gelöschtes Konto'
            ELSE coalesce(nullif(users.display_name, ''), 'Ohne Namen') END AS display_name,
       strategy_areas.name AS area_name
FROM page
JOIN users ON users.id = page.author_id
JOIN strategy_areas ON strategy_areas.id = page.strategy_area_id
ORDER BY page.support_count DESC, page.id DESC
"""

FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Ida", "Jonas", "Karl", "Lena")
LAST_NAMES = ("Becker", "Schulte", "Hoffmann", "Wagner", "Schäfer", "Koch", "Richter", "Klein", "Wolf", "Özdemir")
TOPICS = (
    "Neue Radwege",
    "Mehr Bänke",
    "Trinkbrunnen",
    "Sichere Schulwege",
    "Öffentliches WLAN",
    "Baumpflanzungen",
    "Bessere Beleuchtung",
    "Carsharing-Station",
    "Spielplatz erneuern",
    "Blühwiese anlegen",
    "Bushaltestelle überdachen",
    "Fahrradständer",
)
PLACES = (
    "am Bahnhof",
    "in der Altstadt",
    "am Wall",
    "am Großen Teich",
    "in Soest-Süd",
    "an der Grandweger Straße",
    "im Theodor-Heuss-Park",
    "am Markt",
    "in Ampen",
    "am Osthofentor",
)


def say(message: str = "") -> None:
    print(message, flush=True)  # noqa: T201 - the benchmark reports on stdout


# ---------------------------------------------------------------- database


def server_url() -> tuple[str, contextlib.ExitStack]:
    """The PostgreSQL server to use (a URL of any database on it), and what stops it if it was started here."""
    stack = contextlib.ExitStack()
    configured = os.environ.get("MITMACHEN_BENCH_DATABASE_URL")
    if configured:
        return configured, stack
    from mitmachen.embedded import EmbeddedPostgres, port_answers  # noqa: PLC0415 - only when needed

    if port_answers(5432):
        return LOCAL_SERVER, stack
    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mitmachen-bench-")))
    embedded = EmbeddedPostgres(scratch / "postgres")
    url = embedded.start()
    stack.callback(embedded.stop)
    return url, stack


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name, drivername="postgresql").render_as_string(hide_password=False)


async def create_database(server: str, name: str) -> None:
    connection = await asyncpg.connect(database_url(server, make_url(server).database or "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(server: str, name: str) -> None:
    connection = await asyncpg.connect(database_url(server, make_url(server).database or "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def migrate_and_seed_towns(url: str) -> None:
    from service.config import Settings  # noqa: PLC0415 - the project is imported once sys.path is set
    from service.db.engine import create_engine, create_session_factory  # noqa: PLC0415
    from service.db.migrate import upgrade_with_engine  # noqa: PLC0415
    from service.towns.demo import seed_towns  # noqa: PLC0415

    engine = create_engine(Settings(database_url=url), pool_size=1)
    try:
        await upgrade_with_engine(engine)
        async with create_session_factory(engine)() as session:
            await seed_towns(session)
            await session.commit()
    finally:
        await engine.dispose()


def _shares(total: int, weights: Sequence[float], cap: int) -> list[int]:
    """`total` split in proportion to `weights`, each share at most `cap`, summing to exactly `total`."""
    scale = total / sum(weights)
    shares = [min(cap, int(weight * scale)) for weight in weights]
    index = 0
    while sum(shares) < total:
        if shares[index % len(shares)] < cap:
            shares[index % len(shares)] += 1
        index += 1
    return shares


async def seed_busy_town(url: str) -> dict[str, int]:
    """Soest with thousands of ideas, supports and comments, written with set-based SQL."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not security
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SELECT setseed(0.42)")
        soest = await connection.fetchval("SELECT id FROM towns WHERE slug = 'soest'")
        await connection.execute(
            """
            INSERT INTO users (id, issuer, subject, display_name, email, created_at)
            SELECT gen_random_uuid(), $1, 'citizen-' || n,
                   ($2::text[])[1 + n % cardinality($2::text[])] || ' '
                     || ($3::text[])[1 + (n / cardinality($2::text[])) % cardinality($3::text[])],
                   'citizen-' || n || '@example.org', now() - random() * interval '700 days'
            FROM generate_series(0, $4 - 1) AS n
            """,
            BENCH_ISSUER,
            FIRST_NAMES,
            LAST_NAMES,
            USERS,
        )
        await connection.execute(
            """
            CREATE TEMP TABLE bench_users AS
            SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id FROM users WHERE issuer = $1;
            """,
            BENCH_ISSUER,
        )
        await connection.execute("ALTER TABLE bench_users ADD PRIMARY KEY (n)")
        await _insert_ideas(connection, soest, "published", SOEST_PUBLISHED, offset=0)
        offset = SOEST_PUBLISHED
        for lifecycle, count in SOEST_UNPUBLISHED.items():
            await _insert_ideas(connection, soest, lifecycle, count, offset=offset)
            offset += count
        for town in await connection.fetch("SELECT id FROM towns WHERE slug <> 'soest' ORDER BY slug"):
            await _insert_ideas(connection, town["id"], "published", OTHER_TOWN_PUBLISHED, offset=offset)
            offset += OTHER_TOWN_PUBLISHED

        ideas = [
            row["id"]
            for row in await connection.fetch(
                "SELECT id FROM ideas WHERE town_id = $1 AND lifecycle = 'published' ORDER BY id", soest
            )
        ]
        rng.shuffle(ideas)  # popularity rank
        supports = _shares(SUPPORTS, [1 / (rank + 1) ** 0.8 for rank in range(len(ideas))], cap=USERS)
        comments = _shares(COMMENTS, [(count + 1) ** 0.7 for count in supports], cap=USERS)
        replies = [count // REPLY_SHARE for count in comments]
        starts = [rng.randrange(USERS) for _ in ideas]
        await _insert_supports(connection, soest, ideas, supports, starts)
        await _insert_comments(connection, soest, ideas=ideas, comments=comments, replies=replies, starts=starts)
        await _insert_answers(connection, soest)
        await connection.execute(
            """
            UPDATE ideas SET support_count = counted.n
            FROM (SELECT idea_id, count(*) AS n FROM idea_supports GROUP BY idea_id) AS counted
            WHERE ideas.id = counted.idea_id
            """
        )
        await connection.execute(
            """
            UPDATE ideas SET comment_count = counted.n
            FROM (SELECT idea_id, count(*) AS n FROM comments WHERE lifecycle = 'published' GROUP BY idea_id)
                 AS counted
            WHERE ideas.id = counted.idea_id
            """
        )
        await connection.execute("VACUUM ANALYZE")
        return await _sizes(connection, soest)
    finally:
        await connection.close()


async def _insert_ideas(connection: Any, town_id: Any, lifecycle: str, count: int, *, offset: int) -> None:
    await connection.execute(
        """
        WITH town AS (
            SELECT towns.id, (towns.min_latitude + towns.max_latitude) / 2 AS latitude,
                   (towns.min_longitude + towns.max_longitude) / 2 AS longitude,
                   array_agg(areas.id ORDER BY areas.position, areas.name) AS areas
            FROM towns JOIN strategy_areas AS areas ON areas.town_id = towns.id
            WHERE towns.id = $1 GROUP BY towns.id
        ), numbered AS (
            SELECT n, now() - n * interval '2 hours' - random() * interval '2 hours' AS at
            FROM generate_series($2::int, $2::int + $3::int - 1) AS n
        )
        INSERT INTO ideas (id, town_id, author_id, strategy_area_id, title, body, latitude, longitude,
                           image_alt_texts, lifecycle, published_at, created_at, updated_at,
                           support_count, comment_count)
        SELECT gen_random_uuid(), town.id, author.id, town.areas[1 + numbered.n % cardinality(town.areas)],
               ($5::text[])[1 + numbered.n % cardinality($5::text[])] || ' '
                 || ($6::text[])[1 + (numbered.n / 7) % cardinality($6::text[])] || ' (' || numbered.n || ')',
               'Vorschlag ' || numbered.n || ': '
                 || repeat('Das würde den Alltag vieler Menschen hier spürbar verbessern. ', 2 + numbered.n % 9),
               CASE WHEN numbered.n % 5 < 3 THEN town.latitude + (random() - 0.5) * 0.08 END,
               CASE WHEN numbered.n % 5 < 3 THEN town.longitude + (random() - 0.5) * 0.12 END,
               CASE WHEN numbered.n % 4 = 0 THEN ARRAY['Foto vom Ort'] ELSE '{}' END,
               $4::text, CASE WHEN $4::text IN ('published', 'hidden', 'withdrawn') THEN numbered.at END,
               numbered.at - interval '1 day', numbered.at, 0, 0
        FROM numbered CROSS JOIN town
        JOIN bench_users AS author ON author.n = (numbered.n * 7919) % $7
        """,
        town_id,
        offset,
        count,
        lifecycle,
        list(TOPICS),
        list(PLACES),
        USERS,
    )


async def _insert_supports(
    connection: Any, town_id: Any, ideas: list[Any], supports: list[int], starts: list[int]
) -> None:
    # Supporter k of an idea is citizen (start + k) mod USERS: distinct within an idea, as the primary key wants.
    await connection.execute(
        """
        INSERT INTO idea_supports (idea_id, user_id, town_id, created_at)
        SELECT planned.idea_id, supporter.id, $1, now() - random() * interval '400 days'
        FROM unnest($2::uuid[], $3::int[], $4::int[]) AS planned(idea_id, supports, start)
        CROSS JOIN LATERAL generate_series(0, planned.supports - 1) AS k
        JOIN bench_users AS supporter ON supporter.n = (planned.start + k) % $5
        """,
        town_id,
        ideas,
        supports,
        starts,
        USERS,
    )


async def _insert_comments(
    connection: Any,
    town_id: Any,
    *,
    ideas: list[Any],
    comments: list[int],
    replies: list[int],
    starts: list[int],
) -> None:
    await connection.execute(
        """
        INSERT INTO comments (id, idea_id, town_id, author_id, body, lifecycle, published_at, created_at)
        SELECT gen_random_uuid(), planned.idea_id, $1, author.id,
               'Gute Idee! ' || repeat('Ich sehe das jeden Tag auf dem Weg zur Arbeit. ', 1 + k % 4),
               'published', at, at
        FROM unnest($2::uuid[], $3::int[], $4::int[]) AS planned(idea_id, top_level, start)
        CROSS JOIN LATERAL generate_series(0, planned.top_level - 1) AS k
        CROSS JOIN LATERAL (SELECT now() - random() * interval '400 days' AS at) AS stamp
        JOIN bench_users AS author ON author.n = (planned.start * 31 + k * 37) % $5
        """,
        town_id,
        ideas,
        [total - reply for total, reply in zip(comments, replies, strict=True)],
        starts,
        USERS,
    )
    # Reply j of an idea answers its j-th top-level comment (there are always more top-level comments).
    await connection.execute(
        """
        INSERT INTO comments (id, idea_id, town_id, author_id, parent_id, body, lifecycle, published_at, created_at)
        SELECT gen_random_uuid(), parent.idea_id, $1, author.id, parent.id, 'Danke, das sehe ich genauso.',
               'published', parent.created_at + interval '3 hours', parent.created_at + interval '3 hours'
        FROM (SELECT id, idea_id, created_at,
                     (row_number() OVER (PARTITION BY idea_id ORDER BY created_at, id) - 1)::int AS j
              FROM comments WHERE parent_id IS NULL AND town_id = $1) AS parent
        JOIN unnest($2::uuid[], $3::int[]) AS planned(idea_id, replies)
          ON planned.idea_id = parent.idea_id AND parent.j < planned.replies
        JOIN bench_users AS author ON author.n = (parent.j * 101 + 7) % $4
        """,
        town_id,
        ideas,
        replies,
        USERS,
    )


async def _insert_answers(connection: Any, town_id: Any) -> None:
    await connection.execute(
        """
        INSERT INTO idea_official_answers (id, idea_id, town_id, status, answer, created_at)
        SELECT gen_random_uuid(), ideas.id, ideas.town_id,
               (ARRAY['under_review', 'accepted', 'implemented', 'declined'])[1 + abs(hashtext(ideas.title)) % 4],
               'Die Stadt hat Ihre Idee geprüft und meldet sich mit dem weiteren Vorgehen.',
               ideas.published_at + interval '20 days'
        FROM ideas
        WHERE ideas.town_id = $1 AND ideas.lifecycle = 'published' AND abs(hashtext(ideas.id::text)) % 8 = 0
        """,
        town_id,
    )
    await connection.execute(
        """
        UPDATE ideas SET official_status = answer.status, official_answer = answer.answer,
                         answered_at = answer.created_at
        FROM idea_official_answers AS answer WHERE answer.idea_id = ideas.id
        """
    )


async def _sizes(connection: Any, soest: Any) -> dict[str, int]:
    row = await connection.fetchrow(
        """
        SELECT (SELECT count(*) FROM users) AS users,
               (SELECT count(*) FROM ideas WHERE town_id = $1 AND lifecycle = 'published') AS soest_published_ideas,
               (SELECT count(*) FROM ideas WHERE town_id = $1 AND lifecycle <> 'published')
                 AS soest_unpublished_ideas,
               (SELECT count(*) FROM ideas WHERE town_id <> $1) AS other_towns_ideas,
               (SELECT count(*) FROM idea_supports) AS supports,
               (SELECT count(*) FROM comments) AS comments,
               (SELECT count(*) FROM comments WHERE parent_id IS NOT NULL) AS replies,
               (SELECT count(*) FROM idea_official_answers) AS official_answers,
               (SELECT max(support_count) FROM ideas) AS most_supports_on_one_idea
        """,
        soest,
    )
    return {key: int(value) for key, value in dict(row).items()}


# ---------------------------------------------------------------- the floor server


def floor_app(dsn: str) -> Any:
    """One query, the rows turned into the GraphQL answer's shape, orjson; nothing else."""
    from starlette.applications import Starlette  # noqa: PLC0415 - only in the floor's process
    from starlette.requests import Request  # noqa: PLC0415
    from starlette.responses import PlainTextResponse, Response  # noqa: PLC0415
    from starlette.routing import Route  # noqa: PLC0415

    pools: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pools["pool"] = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
        yield
        await pools["pool"].close()

    async def feed(request: Request) -> Response:
        await request.body()
        async with pools["pool"].acquire() as connection:
            rows = await connection.fetch(FLOOR_SQL, "soest")
        edges = [
            {
                "node": {
                    "id": base64.b64encode(f"Idea:{row['id']}".encode()).decode(),
                    "title": row["title"],
                    "supportCount": row["support_count"],
                    "commentCount": row["comment_count"],
                    "author": {"displayName": row["display_name"]},
                    "strategyArea": {"name": row["area_name"]},
                }
            }
            for row in rows
        ]
        body = orjson.dumps({"data": {"town": {"ideas": {"edges": edges}}}})
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/graphql", feed, methods=["GET", "POST"]), Route("/healthz", healthz)], lifespan=lifespan
    )


def serve_floor(dsn: str, port: int) -> None:
    import uvicorn  # noqa: PLC0415

    uvicorn.run(floor_app(dsn), host="127.0.0.1", port=port, log_level="warning", access_log=False)


# ---------------------------------------------------------------- servers and load


@dataclass
class Server:
    name: str
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    from mitmachen.embedded import free_port as pick  # noqa: PLC0415

    return pick()


async def start_server(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> Server:
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *[part.replace("{port}", str(port)) for part in argv],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    server = Server(name, process, port, log)
    async with httpx.AsyncClient(trust_env=False) as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.returncode is not None:
                break
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(f"{server.url}/healthz")).status_code == httpx.codes.OK:
                    return server
            await asyncio.sleep(0.2)
    await stop_server(server)
    raise RuntimeError(f"the {name} server did not start; its output:\n{log.read_text()[-3000:]}")


def say_server_complaints(server: Server, most: int = 20) -> None:
    """The last lines of the server's output other than its access lines for answered requests: warnings,
    errors, tracebacks and requests that did not end in 200."""
    lines = server.log.read_text(errors="replace").splitlines()
    complaints = [line for line in lines if '"logger": "uvicorn.access"' not in line or 'HTTP/1.1\\" 200' not in line]
    for line in complaints[-most:]:
        say(f"  {server.name}: {line[:500]}")


async def stop_server(server: Server) -> None:
    if server.process.returncode is None:
        server.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(server.process.wait(), 10)
        except TimeoutError:
            server.process.kill()
            await server.process.wait()


@dataclass
class Measurement:
    requests: int
    errors: int
    failures: dict[str, int]
    seconds: float
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    server_cpu_ms_per_request: float | None
    postgres_cpu_ms_per_request: float | None
    client_cpu_ms_per_request: float | None
    notes: list[str] = field(default_factory=list)


def _percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def _postgres_processes() -> list[psutil.Process]:
    return [process for process in psutil.process_iter(["name"]) if process.info["name"] in {"postgres", "postmaster"}]


def _cpu_seconds(processes: Sequence[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


@contextlib.contextmanager
def _cpu_meter(server_pid: int, local_postgres: bool) -> Iterator[dict[str, float]]:
    server = [psutil.Process(server_pid)]
    client = [psutil.Process()]
    postgres = _postgres_processes() if local_postgres else []
    spent: dict[str, float] = {}
    before = (_cpu_seconds(server), _cpu_seconds(postgres), _cpu_seconds(client))
    yield spent
    # PostgreSQL backends come and go with connections; those that ended during the window are not counted.
    after = (_cpu_seconds(server), _cpu_seconds(postgres), _cpu_seconds(client))
    spent.update(
        server=after[0] - before[0],
        postgres=after[1] - before[1] if local_postgres else float("nan"),
        client=after[2] - before[2],
    )


async def measure(
    server: Server, body: bytes, *, warmup: float, seconds: float, concurrency: int, local_postgres: bool
) -> Measurement:
    headers = {"content-type": "application/json", "accept": "application/json"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30, trust_env=False) as client:
        phase = {"measuring": False, "running": True}

        async def worker() -> None:
            while phase["running"]:
                started = time.perf_counter()
                measuring = phase["measuring"]
                failure = None
                try:
                    response = await client.post("/graphql", content=body, headers=headers)
                    if response.status_code != httpx.codes.OK:
                        failure = f"HTTP {response.status_code}"
                except httpx.HTTPError as error:
                    failure = type(error).__name__
                finished = time.perf_counter()
                if measuring and phase["measuring"]:
                    if failure is None:
                        latencies.append(finished - started)
                    else:
                        failures[failure] += 1

        workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
        await asyncio.sleep(warmup)
        with _cpu_meter(server.process.pid, local_postgres) as cpu:
            phase["measuring"] = True
            window_started = time.perf_counter()
            await asyncio.sleep(seconds)
            phase["measuring"] = False
            window = time.perf_counter() - window_started
        phase["running"] = False
        await asyncio.gather(*workers)
    ordered = sorted(latencies)
    count = len(ordered)
    notes = []
    client_busy = cpu["client"] / window
    if client_busy > CLIENT_SATURATED:
        notes.append(
            f"the load generator kept {client_busy:.0%} of a core busy: this throughput is (close to) the client's "
            "limit, not the server's; compare CPU time per request instead"
        )

    def per_request(spent: float) -> float | None:
        return None if count == 0 or math.isnan(spent) else round(spent / count * 1000, 3)

    return Measurement(
        requests=count,
        errors=sum(failures.values()),
        failures=dict(failures),
        seconds=round(window, 3),
        requests_per_second=round(count / window, 1),
        p50_ms=round(_percentile(ordered, 0.50) * 1000, 2),
        p95_ms=round(_percentile(ordered, 0.95) * 1000, 2),
        p99_ms=round(_percentile(ordered, 0.99) * 1000, 2),
        mean_ms=round(statistics.fmean(ordered) * 1000, 2) if ordered else float("nan"),
        max_ms=round(ordered[-1] * 1000, 2) if ordered else float("nan"),
        server_cpu_ms_per_request=per_request(cpu["server"]),
        postgres_cpu_ms_per_request=per_request(cpu["postgres"]),
        client_cpu_ms_per_request=per_request(cpu["client"]),
        notes=notes,
    )


async def same_answer(graphql: Server, floor: Server, body: bytes) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(trust_env=False) as client:
        headers = {"content-type": "application/json"}
        from_graphql = (await client.post(f"{graphql.url}/graphql", content=body, headers=headers)).json()
        from_floor = (await client.post(f"{floor.url}/graphql", content=body, headers=headers)).json()
    # The API adds `extensions` of its own (the caller's query budget); the data must be the floor's.
    if "errors" in from_graphql or from_graphql.get("data") != from_floor.get("data"):
        raise RuntimeError(
            "the two servers do not answer alike:\n"
            f"graphql: {json.dumps(from_graphql)[:1500]}\nfloor:   {json.dumps(from_floor)[:1500]}"
        )
    edges: list[dict[str, Any]] = from_graphql["data"]["town"]["ideas"]["edges"]
    if len(edges) != 20:
        raise RuntimeError(f"expected 20 ideas, got {len(edges)}")
    return edges


# ---------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    cpu_model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    packages = {}
    for name in ("strawberry-graphql", "sqlalchemy", "asyncpg", "starlette", "uvicorn", "uvloop", "httptools"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    packages["httpx"] = metadata.version("httpx")
    packages["orjson"] = metadata.version("orjson")
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_model": cpu_model,
        "logical_cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "packages": packages,
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator, 2)


def report(results: dict[str, Measurement]) -> dict[str, float | None]:
    graphql, floor = results["graphql"], results["floor"]
    say()
    say(f"{'target':<8} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'server CPU ms/req':>18}")
    for name, result in results.items():
        cpu = "-" if result.server_cpu_ms_per_request is None else f"{result.server_cpu_ms_per_request:.3f}"
        say(
            f"{name:<8} {result.requests_per_second:>9.1f} {result.p50_ms:>8.2f} {result.p95_ms:>8.2f} "
            f"{result.p99_ms:>8.2f} {result.errors:>7} {cpu:>18}"
        )
    for name, result in results.items():
        if result.failures:
            say(f"failures ({name}): " + ", ".join(f"{count} x {kind}" for kind, count in result.failures.items()))
        for note in result.notes:
            say(f"note ({name}): {note}")
    ratios = {
        "requests_per_second": ratio(graphql.requests_per_second, floor.requests_per_second),
        "p50": ratio(graphql.p50_ms, floor.p50_ms),
        "p95": ratio(graphql.p95_ms, floor.p95_ms),
        "p99": ratio(graphql.p99_ms, floor.p99_ms),
        "server_cpu_per_request": ratio(graphql.server_cpu_ms_per_request, floor.server_cpu_ms_per_request),
        "postgres_cpu_per_request": ratio(graphql.postgres_cpu_ms_per_request, floor.postgres_cpu_ms_per_request),
    }
    say(
        f"GraphQL/floor: throughput x{ratios['requests_per_second']}, p50 x{ratios['p50']}, p95 x{ratios['p95']}, "
        f"p99 x{ratios['p99']}, server CPU per request x{ratios['server_cpu_per_request']}, "
        f"PostgreSQL CPU per request x{ratios['postgres_cpu_per_request']}"
    )
    return ratios


# ---------------------------------------------------------------- main


async def run(args: argparse.Namespace) -> None:
    server, stop_embedded = server_url()
    name = f"mitmachen_bench_{os.getpid()}"
    url = database_url(server, name)
    host = make_url(server).host or "127.0.0.1"
    local_postgres = host in {"127.0.0.1", "localhost", "::1"}
    with stop_embedded, tempfile.TemporaryDirectory(prefix="mitmachen-bench-logs-") as logs:
        say(f"database {name} on {make_url(server).render_as_string(hide_password=True)}")
        await create_database(server, name)
        try:
            started = time.perf_counter()
            await migrate_and_seed_towns(url)
            sizes = await seed_busy_town(url)
            seeding = time.perf_counter() - started
            say(f"seeded in {seeding:.1f} s: {json.dumps(sizes)}")
            results = await serve_and_measure(args, url, Path(logs), local_postgres)
            ratios = report(results)
            write_results(
                args, sizes=sizes, seeding=seeding, results=results, ratios=ratios, local_postgres=local_postgres
            )
        finally:
            if args.keep_database:
                say(f"kept database {name}: {url}")
            else:
                await drop_database(server, name)


async def serve_and_measure(
    args: argparse.Namespace, url: str, logs: Path, local_postgres: bool
) -> dict[str, Measurement]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    app_env = {
        **env,
        "MITMACHEN_ENVIRONMENT": "production",
        "MITMACHEN_DATABASE_URL": url,
        "MITMACHEN_REDIS_URL": os.environ.get("MITMACHEN_BENCH_REDIS_URL", DEFAULT_REDIS),
        "MITMACHEN_LOG_LEVEL": args.app_log_level,
        # Required in production (it keys the digests of deleted identities); the feed never uses it.
        "MITMACHEN_IDENTITY_SECRET": "bench-identity-secret-0123456789abcdef",
        # Every request is charged to the query budget in Redis as in production, but all come from one address:
        # a budget no run can use up, so that runs back to back (which share a window) measure the feed, not 429s.
        "MITMACHEN_QUERY_BUDGET_PER_ADDRESS": "1000000000",
    }
    servers = {
        "graphql": await start_server(
            "graphql",
            [sys.executable, "-m", "mitmachen", "serve", "--host", "127.0.0.1", "--port", "{port}"],
            app_env,
            logs,
        ),
    }
    try:
        servers["floor"] = await start_server(
            "floor", [sys.executable, str(SCRIPT), "--serve-floor", url, "{port}"], env, logs
        )
        body = json.dumps({"query": FEED_QUERY}).encode()
        edges = await same_answer(servers["graphql"], servers["floor"], body)
        top = edges[0]["node"]
        say(f"both answer alike; most supported: {top['title']!r} with {top['supportCount']} supports")
        results = {}
        for target in ("graphql", "floor"):
            say(f"measuring {target}: {args.warmup:g} s warm-up, {args.seconds:g} s at concurrency {args.concurrency}")
            results[target] = await measure(
                servers[target],
                body,
                warmup=args.warmup,
                seconds=args.seconds,
                concurrency=args.concurrency,
                local_postgres=local_postgres,
            )
            if results[target].failures:
                say_server_complaints(servers[target])
        return results
    finally:
        for running in servers.values():
            await stop_server(running)


def write_results(
    args: argparse.Namespace,
    *,
    sizes: dict[str, int],
    seeding: float,
    results: dict[str, Measurement],
    ratios: dict[str, float | None],
    local_postgres: bool,
) -> None:
    document = {
        "benchmark": "town feed: GraphQL API against a one-query floor",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "query": FEED_QUERY,
        "floor_sql": " ".join(FLOOR_SQL.split()),
        "data": {**sizes, "seeding_seconds": round(seeding, 1)},
        "load": {
            "client": "httpx.AsyncClient in the benchmark process (shares the machine with servers and database)",
            "warmup_seconds": args.warmup,
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "caller": "anonymous",
        },
        "servers": {
            "graphql": "python -m mitmachen serve (uvicorn, one process, production settings, "
            f"log level {args.app_log_level}, database pool 10)",
            "floor": "Starlette + asyncpg pool of 10 + orjson under uvicorn, one process, no access log",
        },
        "postgres_cpu_measured": local_postgres,
        "results": {name: asdict(result) for name, result in results.items()},
        "ratio_graphql_to_floor": ratios,
        "machine": machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"wrote {RESULTS.relative_to(ROOT)}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per target")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per target")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--app-log-level", default="INFO", help="the API's log level (production default: INFO)")
    parser.add_argument("--keep-database", action="store_true", help="leave the benchmark database in place")
    parser.add_argument("--serve-floor", nargs=2, metavar=("DATABASE_URL", "PORT"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if orjson is None:
        say("orjson is not installed here; run the benchmark with it added:  uv run --with orjson python bench/feed.py")
        return 2
    if args.serve_floor:
        serve_floor(args.serve_floor[0], int(args.serve_floor[1]))
        return 0
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
