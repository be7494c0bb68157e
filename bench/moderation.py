"""Benchmark of the moderation pipeline: from `submitIdea` through the API to the automated decision.

Run it from the repository root:

    uv run python bench/moderation.py

Options: `--rates 0 20 50` (submissions per second, each in a round of its own; 0 is a burst of `--burst 1000`
sent at once), `--seconds 20` (how long a fixed rate is sent), `--rounds 1`, `--compare TREE` (a second tree, e.g.
an earlier commit unpacked with `git archive`, run in alternation with this one: the order flips every round),
`--authors 1000`, `--drain 120` (how long to wait for the last decisions), `--keep-database`.

What it does, in each round:

1. Creates its own database `mitmachen_bench_moderation_<pid>` on the PostgreSQL server of
   `MITMACHEN_BENCH_DATABASE_URL` (any database URL on that server), else on the local server at
   127.0.0.1:5432; migrates it and seeds the demo towns. Redis: a database of its own, never 0 — the one of
   `MITMACHEN_BENCH_REDIS_URL`, or else the first empty one of 15 down to 1 on the local server, claimed with a key
   (`SET NX`) for the whole run and emptied before each round, so that no stale jobs are counted and two runs at
   once never share one.
2. Serves a minimal OpenID issuer (discovery document and key set) from this process and signs one access
   token per author, so that the API validates tokens exactly as in production.
3. Starts the API (`python -m mitmachen serve`) and ONE worker process (`python -m mitmachen worker`), both
   with production settings, and waits until the worker's heartbeat is in the database. Every author is made
   known to the API first (one `me` query each), so that the measurement does not include first-login writes.
4. Sends `submitIdea` at a fixed rate (open loop: a submission is sent on schedule whether or not earlier ones
   have been answered; at most 200 keep-alive connections of a plain HTTP/1.1 client whose own CPU is small next
   to the API's, reported as `client_cpu_seconds_sending`; a connection idle for 3 s is opened afresh, and one the
   server closed before answering is reopened and the request sent again), spread over all towns, by `--authors`
   different people; about 80 % clean texts, the rest abusive language, contact data or advertising, so that the
   worker publishes, holds and rejects.
5. Waits until every stored submission has its automated decision and reports, per submission, the time from
   sending the request to the decision (the idea's `checked_at`, taken with `clock_timestamp()` when the worker
   decides, a moment before it commits): p50, p95, p99 and max; decisions per second from the first submission to
   the last decision; the API's response time and the outcomes; and the CPU time of the API's and the worker's
   processes (each with any process it started) from the first submission to the last decision, per submission.
   Client, API, worker and PostgreSQL share this machine and its clock.
6. Stops both processes and drops the database (unless `--keep-database`). After the last round it prints a table
   row per round and writes every round to `bench/results/moderation.json` (`--output`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
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

RESULTS = ROOT / "bench" / "results" / "moderation.json"
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
AUDIENCE = "https://api.bench.invalid"
SEED = 20260505
# Production settings require the key of identity digests; any 32 characters do for a benchmark.
IDENTITY_SECRET = "bench-identity-secret-0123456789abcdef"  # noqa: S105 - a benchmark's own, not a secret

SUBMIT = """
mutation Submit($input: SubmitIdeaInput!) {
  submitIdea(input: $input) { __typename ... on IdeaSubmitted { idea { id } } ... on UserError { code } }
}
"""
TOWNS = "{ towns { id slug strategyAreas { id } } }"
ME = "{ me { user { id } } }"

TOPICS = (
    "Radweg",
    "Sitzbänke",
    "Trinkbrunnen",
    "Schulweg",
    "WLAN",
    "Bäume",
    "Beleuchtung",
    "Carsharing",
    "Spielplatz",
    "Blühwiese",
    "Bushaltestelle",
    "Fahrradständer",
    "Hundewiese",
    "Bücherschrank",
    "Ladesäule",
)
PLACES = ("am Bahnhof", "in der Altstadt", "am Markt", "im Stadtpark", "an der Schule", "am Friedhof", "am See")
SENTENCES = (
    "Ältere Menschen brauchen unterwegs Pausen.",
    "Kinder sind dort morgens viel unterwegs.",
    "Im Sommer ist es dort sehr heiß und es gibt kaum Schatten.",
    "Abends fühlen sich viele dort unsicher.",
    "Das würde den Verkehr in der Innenstadt entlasten.",
    "Viele Nachbarn haben sich das schon lange gewünscht.",
    "Das spart auf Dauer Geld und Wege.",
    "Der Verein vor Ort würde bei der Pflege helfen.",
    "Touristen fragen oft danach.",
    "Bei Regen steht dort das Wasser knöcheltief.",
    "Die Grundschule liegt nur wenige Meter entfernt.",
    "Pendler könnten so das Auto stehen lassen.",
    "Für Familien mit Kinderwagen ist das heute kaum möglich.",
    "In Nachbarorten hat sich das bewährt.",
    "Der Platz wird bisher kaum genutzt.",
    "Am Wochenende ist dort besonders viel los.",
    "Es gibt Fördergeld vom Land für solche Vorhaben.",
    "Rollstuhlfahrer kommen dort bisher nicht weiter.",
    "Das wäre gut für Insekten und Vögel.",
    "Jugendliche hätten endlich einen Treffpunkt.",
    "Die Händler in der Straße würden profitieren.",
    "Nach der Baustelle wäre der richtige Zeitpunkt.",
    "Senioren aus dem Wohnheim gehen dort täglich spazieren.",
    "Die Stadtwerke könnten den Strom liefern.",
    "Wir haben dafür schon Unterschriften gesammelt.",
    "Im Winter wird dort nicht geräumt.",
    "Der Weg ist schmal und unübersichtlich.",
    "Eine Patenschaft aus der Nachbarschaft ist möglich.",
    "Das Klima würde davon profitieren.",
    "Die Kosten wären überschaubar.",
)
PROBLEMS = (
    ("abusive", "Der Planer ist ein Vollidiot, {topic} {place} ist Unsinn."),
    ("contact", "Wer beim Thema {topic} {place} mithelfen will: 0171 {number}."),
    ("spam", "Online Casino mit Bitcoin, {topic}-Bonus {place}: www.casino{number}.example.com"),
)


def say(message: str = "") -> None:
    print(message, flush=True)  # noqa: T201 - the benchmark reports on stdout


# ---------------------------------------------------------------- database and queue


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name, drivername="postgresql").render_as_string(hide_password=False)


async def recreate_database(server: str, name: str, *, drop_only: bool = False) -> None:
    connection = await asyncpg.connect(database_url(server, make_url(server).database or "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{name}"')
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


CLAIM_KEY = "mitmachen-bench-moderation:claimed-by"


async def claim_redis(url: str | None) -> str:
    """A Redis database of this run's own: never 0 (the machine's shared one). Given a URL, its database must be
    empty or claimed by an earlier run of this script; without one, the first empty database of 1 to 15 on the local
    server is claimed (`SET NX`), so that two runs at once, or other work on the server, never share jobs."""
    from redis.asyncio import Redis  # noqa: PLC0415

    candidates = [url] if url else [f"redis://127.0.0.1:6379/{number}" for number in range(15, 0, -1)]
    for candidate in candidates:
        client = Redis.from_url(candidate)
        try:
            if client.get_connection_kwargs().get("db", 0) == 0:
                raise SystemExit(f"{candidate}: Redis database 0 is shared; name another one")
            keys = await client.dbsize()
            claimed = await client.get(CLAIM_KEY)
            if keys == 0 or (claimed is not None and keys == 1) or (url and claimed is not None):
                await client.flushdb()
                if await client.set(CLAIM_KEY, str(os.getpid()), nx=True):
                    return candidate
        finally:
            await client.aclose()
    raise SystemExit("no empty Redis database (1 to 15) to claim; name one with MITMACHEN_BENCH_REDIS_URL")


async def reset_redis(url: str) -> None:
    """Empties the database this run claimed before a round (no stale jobs or results are counted), keeping the
    claim."""
    from redis.asyncio import Redis  # noqa: PLC0415

    client = Redis.from_url(url)
    try:
        if await client.get(CLAIM_KEY) != str(os.getpid()).encode():
            raise SystemExit(f"{url} is no longer this run's")
        await client.flushdb()
        await client.set(CLAIM_KEY, str(os.getpid()))
    finally:
        await client.aclose()


async def release_redis(url: str) -> None:
    """Empties the database this run claimed (its own jobs and results; nobody else's)."""
    from redis.asyncio import Redis  # noqa: PLC0415

    client = Redis.from_url(url)
    try:
        if await client.get(CLAIM_KEY) == str(os.getpid()).encode():
            await client.flushdb()
    finally:
        await client.aclose()


async def flush_own_redis(url: str) -> None:
    """Empties a Redis server the run started for itself (never the machine's shared one: use `claim_redis`)."""
    from redis.asyncio import Redis  # noqa: PLC0415

    client = Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


# ---------------------------------------------------------------- a minimal OpenID issuer


class Issuer:
    """Discovery document and key set over HTTP; access tokens signed here, one per author."""

    def __init__(self, port: int) -> None:
        from joserfc.jwk import RSAKey  # noqa: PLC0415

        self.port = port
        self.key = RSAKey.generate_key(2048, parameters={"kid": "bench", "alg": "RS256", "use": "sig"})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Any:
        from starlette.applications import Starlette  # noqa: PLC0415
        from starlette.requests import Request  # noqa: PLC0415
        from starlette.responses import JSONResponse  # noqa: PLC0415
        from starlette.routing import Route  # noqa: PLC0415

        async def discovery(request: Request) -> JSONResponse:
            return JSONResponse({"issuer": self.url, "jwks_uri": f"{self.url}/jwks"})

        async def jwks(request: Request) -> JSONResponse:
            return JSONResponse({"keys": [self.key.as_dict(private=False)]})

        return Starlette(
            routes=[Route("/.well-known/openid-configuration", discovery), Route("/jwks", jwks)],
        )

    def token(self, subject: str, name: str) -> str:
        from joserfc import jwt  # noqa: PLC0415

        now = int(time.time())
        claims = {"iss": self.url, "aud": AUDIENCE, "sub": subject, "name": name, "iat": now, "exp": now + 7200}
        return jwt.encode({"alg": "RS256", "kid": "bench", "typ": "at+jwt"}, claims, self.key)


async def serve_issuer(issuer: Issuer) -> tuple[Any, asyncio.Task[None]]:
    import uvicorn  # noqa: PLC0415

    server = uvicorn.Server(uvicorn.Config(issuer.app(), host="127.0.0.1", port=issuer.port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    return server, task


# ---------------------------------------------------------------- processes


def free_port() -> int:
    from mitmachen.embedded import free_port as pick  # noqa: PLC0415

    return pick()


async def start(
    name: str, argv: list[str], env: dict[str, str], log_dir: Path, *, code: Path = ROOT
) -> asyncio.subprocess.Process:
    """Runs `argv` in `code` (the project's tree by default; another tree, e.g. an earlier commit unpacked with
    `git archive`, to compare with it): `python -m mitmachen` imports the project from there."""
    log = log_dir / f"{name}.log"
    with log.open("wb") as output:
        return await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=code, stdout=output, stderr=asyncio.subprocess.STDOUT
        )


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def wait_for_api(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.returncode is None:
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(f"{url}/healthz")).status_code == httpx.codes.OK:
                    return
            await asyncio.sleep(0.2)
    output = await asyncio.to_thread(log.read_text)
    raise RuntimeError(f"the API did not start; its output:\n{output[-3000:]}")


async def wait_for_worker(dsn: str, process: asyncio.subprocess.Process, log: Path) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.returncode is None:
            if await connection.fetchval("SELECT count(*) FROM worker_heartbeats"):
                return
            await asyncio.sleep(0.2)
    finally:
        await connection.close()
    output = await asyncio.to_thread(log.read_text)
    raise RuntimeError(f"the worker did not start; its output:\n{output[-3000:]}")


# ---------------------------------------------------------------- load

# The most connections a client keeps open to the API, as a load balancer would.
CONNECTIONS = 200


class Connection:
    """One keep-alive HTTP/1.1 connection to the API that posts GraphQL requests; far less CPU per request than
    httpx, whose share would otherwise compete with the API for the machine's two cores.

    uvicorn closes a keep-alive connection after 5 s without a request: a connection idle for longer than
    `IDLE_SECONDS` is opened afresh before it is used, and a reused one the server closed before answering (no
    byte of a response read) is opened again and the request sent once more (the server never saw it)."""

    IDLE_SECONDS = 3.0

    def __init__(self, url: str) -> None:
        parsed = httpx.URL(url)
        self.host, self.port = parsed.host, parsed.port or 80
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.used_at = 0.0
        self.reconnects = 0

    async def post(self, payload: dict[str, Any], token: str) -> dict[str, Any]:
        body = json.dumps(payload).encode()
        request = (
            f"POST /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        if self.streams is not None and time.monotonic() - self.used_at > self.IDLE_SECONDS:
            await self.close()
            self.reconnects += 1
        reused = self.streams is not None
        try:
            head = await self._send(request)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            partial = error.partial if isinstance(error, asyncio.IncompleteReadError) else b""
            if not reused or partial:
                raise
            await self.close()
            self.reconnects += 1
            head = await self._send(request)
        assert self.streams is not None  # noqa: S101 - _send opened it
        length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0])
        answer: dict[str, Any] = json.loads(await self.streams[0].readexactly(length))
        self.used_at = time.monotonic()
        if "connection: close" in head:
            await self.close()
        return answer

    async def _send(self, request: bytes) -> str:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(request)
        await writer.drain()
        return (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


@dataclass
class Submission:
    sent_at: float  # wall clock, seconds since the epoch
    response_ms: float
    idea_id: uuid.UUID | None
    kind: str
    error: str | None = None


def text_for(rng: random.Random, number: int) -> tuple[str, str, str]:
    """(kind, title, body): mostly clean ideas, varied so that they are not near-duplicates of each other."""
    topic, place = rng.choice(TOPICS), rng.choice(PLACES)
    if rng.random() < 0.8:
        return "clean", f"{topic} {place} ({number})", " ".join(rng.sample(SENTENCES, 2))
    kind, template = rng.choice(PROBLEMS)
    return kind, f"{topic} {place} ({number})", template.format(topic=topic, place=place, number=1000000 + number)


async def towns_and_warm_up(url: str, tokens: list[str]) -> list[tuple[str, str]]:
    """Each town with a field of action of it; and every author once through the API."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60, trust_env=False) as client:
        towns_body = (await client.post("/graphql", json={"query": TOWNS})).json()
        await warm_up(client, tokens)
    return [(town["id"], town["strategyAreas"][0]["id"]) for town in towns_body["data"]["towns"]]


async def warm_up(client: httpx.AsyncClient, tokens: list[str]) -> None:
    """Every author once through the API: people are written to the database on first sight."""
    semaphore = asyncio.Semaphore(20)

    async def one(token: str) -> None:
        async with semaphore:
            response = await client.post("/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"})
            response.raise_for_status()

    await asyncio.gather(*(one(token) for token in tokens))


async def submit_all(
    url: str, tokens: list[str], towns: list[tuple[str, str]], *, rate: float, total: int
) -> list[Submission]:
    """Open loop over at most `CONNECTIONS` keep-alive connections (`Connection`: a plain HTTP/1.1 client, so that
    the client's own CPU stays small next to the API's); a submission waits for a free connection when all are
    busy, and its time counts from its scheduled send."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not security
    started = time.monotonic()
    tasks: list[asyncio.Task[Submission]] = []
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        idle.put_nowait(Connection(url))

    async def one(number: int) -> Submission:
        kind, title, body = text_for(rng, number)
        town_id, area_id = towns[number % len(towns)]
        variables = {"input": {"townId": town_id, "strategyAreaId": area_id, "title": title, "body": body}}
        sent_at, clock = time.time(), time.perf_counter()
        connection = await idle.get()
        try:
            answer = await connection.post({"query": SUBMIT, "variables": variables}, tokens[number % len(tokens)])
            result = (answer.get("data") or {}).get("submitIdea") or {
                "__typename": next((error.get("extensions") or {}).get("code") for error in answer["errors"])
            }
        except (OSError, asyncio.IncompleteReadError, KeyError, TypeError, ValueError, IndexError) as error:
            await connection.close()
            return Submission(sent_at, (time.perf_counter() - clock) * 1000, None, kind, error=repr(error))
        finally:
            idle.put_nowait(connection)
        elapsed = (time.perf_counter() - clock) * 1000
        if result.get("__typename") != "IdeaSubmitted":
            return Submission(sent_at, elapsed, None, kind, error=str(result))
        return Submission(sent_at, elapsed, _uuid_of(result["idea"]["id"]), kind)

    try:
        for number in range(total):
            delay = started + number / rate - time.monotonic() if rate else 0
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(number)))
        return list(await asyncio.gather(*tasks))
    finally:
        while not idle.empty():
            await idle.get_nowait().close()


def _uuid_of(global_id: str) -> uuid.UUID:
    from strawberry.relay import GlobalID  # noqa: PLC0415

    return uuid.UUID(GlobalID.from_id(global_id).node_id)


async def wait_for_decisions(dsn: str, ids: list[uuid.UUID], *, drain: float) -> dict[uuid.UUID, tuple[float, str]]:
    """checked_at (epoch seconds) and lifecycle of every idea, once all are decided or the time is up."""
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + drain
        while True:
            rows = await connection.fetch(
                "SELECT id, extract(epoch FROM checked_at)::float8 AS at, lifecycle FROM ideas "
                "WHERE id = ANY($1::uuid[]) AND checked_at IS NOT NULL",
                ids,
            )
            if len(rows) == len(ids) or time.monotonic() > deadline:
                return {row["id"]: (row["at"], row["lifecycle"]) for row in rows}
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


async def decision_facts(dsn: str, api_log: Path) -> tuple[dict[str, int], float, int]:
    """Reason codes of the automated decisions, the worker's decisions per second in its busiest five seconds,
    and how many wake-ups the API could not send (those waited for the sweep)."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT reason, count(*) AS n FROM moderation_decisions, unnest(reasons) AS reason "
            "WHERE automated GROUP BY reason ORDER BY n DESC"
        )
        busiest = await connection.fetchval(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM ideas WHERE checked_at IS NOT NULL "
            "GROUP BY date_bin('5 seconds', checked_at, TIMESTAMPTZ '2000-01-01')) AS windows"
        )
    finally:
        await connection.close()
    log = await asyncio.to_thread(api_log.read_text)
    rate = (busiest or 0) / 5
    return {row["reason"]: row["n"] for row in rows}, round(rate, 1), log.count("could not send job")


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of every process it started, so far."""
    with contextlib.suppress(psutil.Error):
        process = psutil.Process(pid)
        total = 0.0
        for one in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = one.cpu_times()
                total += times.user + times.system
        return total
    return float("nan")


# ---------------------------------------------------------------- report


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "max_ms": round(max(values), 1) if values else float("nan"),
        "mean_ms": round(statistics.fmean(values), 1) if values else float("nan"),
    }


def versions() -> dict[str, str]:
    found = {}
    for package in ("strawberry-graphql", "sqlalchemy", "asyncpg", "arq", "uvicorn", "starlette"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    return found


# ---------------------------------------------------------------- main


def environment(dsn: str, redis_url: str, issuer_url: str) -> dict[str, str]:
    """The API's and the worker's settings: production, with this run's database, Redis and issuer."""
    return {
        **os.environ,
        "MITMACHEN_ENVIRONMENT": "production",
        "MITMACHEN_DATABASE_URL": dsn,
        "MITMACHEN_REDIS_URL": redis_url,
        "MITMACHEN_OIDC_ISSUER": issuer_url,
        "MITMACHEN_OIDC_AUDIENCE": AUDIENCE,
        "MITMACHEN_IDENTITY_SECRET": IDENTITY_SECRET,
        "MITMACHEN_LOG_LEVEL": "WARNING",
        # Every simulated person calls from 127.0.0.1: with fair admission they would share one client's slots.
        "MITMACHEN_FAIR_ADMISSION": "false",
        # In production the authors call from many addresses: the per-address limit (300 submissions from one
        # address an hour) is raised; every call is still counted in Redis, and each author's own limit holds.
        "MITMACHEN_RATE_LIMIT_PER_ADDRESS": "1000000",
    }


async def run(args: argparse.Namespace, *, code: Path, rate: float, redis_url: str) -> dict[str, Any]:
    """One round: a fresh database and Redis database, the API and one worker from `code`, one load, the report.

    `rate` 0 is a burst: `--burst` submissions sent at once (as fast as the connections allow)."""
    server = os.environ.get("MITMACHEN_BENCH_DATABASE_URL", LOCAL_SERVER)
    name = f"mitmachen_bench_moderation_{os.getpid()}"
    dsn = database_url(server, name)
    await recreate_database(server, name)
    processes: list[asyncio.subprocess.Process] = []
    issuer_server: Any = None
    issuer_task: asyncio.Task[None] | None = None
    try:
        await migrate_and_seed_towns(dsn)
        await reset_redis(redis_url)
        issuer = Issuer(free_port())
        issuer_server, issuer_task = await serve_issuer(issuer)
        port = free_port()
        env = environment(dsn, redis_url, issuer.url)
        log_dir = Path(tempfile.mkdtemp(prefix="mitmachen-bench-moderation-"))
        api = await start(
            "api", [sys.executable, "-m", "mitmachen", "serve", "--port", str(port)], env, log_dir, code=code
        )
        processes.append(api)
        worker = await start("worker", [sys.executable, "-m", "mitmachen", "worker"], env, log_dir, code=code)
        processes.append(worker)
        url = f"http://127.0.0.1:{port}"
        await wait_for_api(url, api, log_dir / "api.log")
        await wait_for_worker(dsn, worker, log_dir / "worker.log")
        tokens = [issuer.token(f"author-{number}", f"Autorin {number}") for number in range(args.authors)]
        towns = await towns_and_warm_up(url, tokens)
        total = args.burst if rate == 0 else int(rate * args.seconds)
        say(f"  {code}: {total} submissions " + ("at once" if rate == 0 else f"at {rate}/s for {args.seconds} s"))
        # CPU from the first submission to the last decision: start-up and the warm-up are not counted.
        cpu_before = {"api": cpu_seconds(api.pid), "worker": cpu_seconds(worker.pid)}
        sending_started, client_cpu_before = time.monotonic(), time.process_time()
        submissions = await submit_all(url, tokens, towns, rate=rate, total=total)
        sending_took, client_cpu = time.monotonic() - sending_started, time.process_time() - client_cpu_before
        stored = [submission for submission in submissions if submission.idea_id is not None]
        decided = await wait_for_decisions(dsn, [item.idea_id for item in stored if item.idea_id], drain=args.drain)
        cpu = {key: cpu_seconds(process.pid) - cpu_before[key] for key, process in (("api", api), ("worker", worker))}
        to_decision = [(decided[item.idea_id][0] - item.sent_at) * 1000 for item in stored if item.idea_id in decided]
        first_sent = min((item.sent_at for item in submissions), default=0.0)
        last_decided = max((at for at, _ in decided.values()), default=first_sent)
        outcomes = Counter(lifecycle for _, lifecycle in decided.values())
        reasons, worker_rate, lost = await decision_facts(dsn, log_dir / "api.log")
        return {
            "code": str(code),
            "rate_per_second": rate or "burst",
            "settings": {"seconds": args.seconds, "authors": args.authors, "towns": len(towns), "worker_processes": 1},
            "submissions": {
                "sent": len(submissions),
                "stored": len(stored),
                "failed": len(submissions) - len(stored),
                "decided": len(decided),
                "sending_seconds": round(sending_took, 2),
                "kinds": dict(Counter(item.kind for item in submissions)),
                "outcomes": {
                    "published": outcomes.get("published", 0),
                    "held": outcomes.get("pending", 0),
                    "rejected": outcomes.get("rejected", 0),
                },
                "errors": sorted({item.error for item in submissions if item.error})[:5],
                "reasons": reasons,
                "wake_ups_not_sent": lost,
            },
            "decisions_per_second": round(len(decided) / max(last_decided - first_sent, 1e-3), 1),
            "worker_decisions_per_second_busiest_5s": worker_rate,
            "cpu_ms_per_submission": {
                key: round(seconds * 1000 / max(len(stored), 1), 2) for key, seconds in cpu.items()
            },
            "client_cpu_seconds_sending": round(client_cpu, 1),
            "submission_to_decision": summary(to_decision),
            "api_response": summary([item.response_ms for item in submissions]),
            "logs": str(log_dir),
        }
    finally:
        for process in processes:
            await stop(process)
        if issuer_server is not None and issuer_task is not None:
            issuer_server.should_exit = True
            await issuer_task
        if not args.keep_database:
            await recreate_database(server, name, drop_only=True)


def row(result: dict[str, Any], label: str) -> str:
    decision, cpu = result["submission_to_decision"], result["cpu_ms_per_submission"]
    return (
        f"| {result['rate_per_second']} | {label} | {result['decisions_per_second']} | "
        f"{decision['p50_ms'] / 1000:.2f} / {decision['p95_ms'] / 1000:.2f} s | "
        f"{result['api_response']['p50_ms']:.0f} ms | {cpu['api']} | {cpu['worker']} | "
        f"{result['submissions']['decided']}/{result['submissions']['sent']} |"
    )


async def run_all(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every rate; with `--compare`, the two trees alternate round by round (the order flips every round)."""
    redis_url = await claim_redis(os.environ.get("MITMACHEN_BENCH_REDIS_URL"))
    say(f"redis {redis_url}")
    trees = [("after", args.code)] + ([("before", args.compare)] if args.compare else [])
    results: list[dict[str, Any]] = []
    try:
        for rate in args.rates:
            for number in range(args.rounds):
                for label, code in trees if number % 2 == 0 else trees[::-1]:
                    result = await run(args, code=code, rate=rate, redis_url=redis_url)
                    result["label"], result["round"] = label, number + 1
                    say(row(result, label))
                    results.append(result)
    finally:
        await release_redis(redis_url)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--rates", "--rate", type=float, nargs="+", default=[0, 20, 50], help="submissions per second; 0: burst"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each fixed rate is sent")
    parser.add_argument("--burst", type=int, default=1000, help="submissions sent at once for rate 0")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per rate (and tree)")
    parser.add_argument("--authors", type=int, default=1000)
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait for the last decisions")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="run the API (and worker) from this tree, e.g. an earlier commit"
    )
    parser.add_argument("--compare", type=Path, help="a second tree (e.g. `git archive` of main), alternating")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the results (JSON)")
    args = parser.parse_args()
    say("| rate | code | decisions/s | decision p50 / p95 | API response p50 | API CPU ms | worker CPU ms | decided |")
    say("| --- | --- | --- | --- | --- | --- | --- | --- |")
    results = asyncio.run(run_all(args))
    output: Path = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "moderation: submitIdea to automated decision",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "versions": versions(),
        "rounds": results,
    }
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    say(f"written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
