"""How soon stored survey results reflect an answer, and a close: the real API and one worker.

Run it from the repository root:

    uv run python bench/results_freshness.py

Options: `--rate 20 --seconds 20` (answers per second, for how long), `--drain 100` (how long to wait for the
results to catch up), `--code DIR` (run the API and worker from another tree, e.g. an earlier commit unpacked with
`git archive`), `--keep-database`.

What it does, in one run (database, issuer and process helpers are those of `bench/moderation.py`):

1. Creates its own database, seeds the demo towns, starts the API and ONE worker with production settings (roles
   from the token's `roles` claim, so that a staff member of Soest needs no database grant).
2. Staff drafts, fills (the tests' standard questions) and publishes a survey; every answering person is made
   known to the API first (one `me` query each).
3. Sends `answerSurvey` at a fixed rate, one person each (open loop), while reading the stored results
   (`survey_results.response_count`, `computed_at`) every 50 ms.
4. For each answer answered at time t, when n answers had been answered by t: the delay until the stored results
   first counted at least n. Then closes the survey and measures the delay until results computed after the close
   are stored. Reports p50, p95 and max, and how many different computations the reader saw.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent))

from moderation import (  # noqa: E402 - after the path is set
    AUDIENCE,
    IDENTITY_SECRET,
    LOCAL_SERVER,
    ME,
    ROOT,
    TOWNS,
    Issuer,
    claim_redis,
    database_url,
    free_port,
    migrate_and_seed_towns,
    percentile,
    recreate_database,
    release_redis,
    say,
    serve_issuer,
    start,
    stop,
    wait_for_api,
    wait_for_worker,
)
from strawberry.relay import GlobalID  # noqa: E402

from tests.support.surveys import (  # noqa: E402 - the tests' survey documents and answers
    ANSWER_SURVEY,
    CLOSE_SURVEY,
    DRAFT_SURVEY,
    PUBLISH_SURVEY,
    SET_QUESTIONS,
    STANDARD_QUESTIONS,
    in_days,
    standard_answers,
)

RESULTS = ROOT / "bench" / "results" / "results_freshness.json"


def staff_token(issuer: Issuer) -> str:
    from joserfc import jwt  # noqa: PLC0415

    now = int(time.time())
    claims = {
        "iss": issuer.url,
        "aud": AUDIENCE,
        "sub": "staff-soest",
        "name": "Stefanie Stadt",
        "roles": ["staff:soest"],
        "iat": now,
        "exp": now + 7200,
    }
    return str(jwt.encode({"alg": "RS256", "kid": "bench", "typ": "at+jwt"}, claims, issuer.key))


async def call(client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any], field: str) -> Any:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
    )
    return response.json()["data"][field]


async def published_survey(client: httpx.AsyncClient, token: str) -> tuple[str, list[str]]:
    towns = (await client.post("/graphql", json={"query": TOWNS})).json()["data"]["towns"]
    town_id = next(town["id"] for town in towns if town["slug"] == "soest")
    draft = {"input": {"townId": town_id, "title": "Mobilität in der Innenstadt", "closesAt": in_days(7)}}
    survey_id = (await call(client, token, DRAFT_SURVEY, draft, "draftSurvey"))["survey"]["id"]
    questions = {"input": {"surveyId": survey_id, "questions": STANDARD_QUESTIONS}}
    filled = await call(client, token, SET_QUESTIONS, questions, "setSurveyQuestions")
    published = await call(client, token, PUBLISH_SURVEY, {"id": survey_id}, "publishSurvey")
    assert published["__typename"] == "SurveyPublished", published  # noqa: S101 - the benchmark's own setup
    return survey_id, [question["id"] for question in filled["survey"]["questions"]]


class ResultsReader:
    """Reads the stored results every 50 ms: (time, response count, computed_at as epoch seconds)."""

    def __init__(self, dsn: str, survey_id: str) -> None:
        self.dsn = dsn
        self.survey_id = GlobalID.from_id(survey_id).node_id
        self.seen: list[tuple[float, int, float]] = []
        self.stop = asyncio.Event()

    async def run(self) -> None:
        connection = await asyncpg.connect(self.dsn)
        try:
            while not self.stop.is_set():
                row = await connection.fetchrow(
                    "SELECT response_count, extract(epoch FROM computed_at)::float8 AS at FROM survey_results "
                    "WHERE survey_id = $1::uuid",
                    self.survey_id,
                )
                if row is not None:
                    self.seen.append((time.time(), row["response_count"], row["at"]))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), 0.05)
        finally:
            await connection.close()

    async def wait_for(self, seconds: float, **wanted: float) -> None:
        """Until `first(**wanted)` is found, for at most `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.first(**wanted) is None:  # noqa: ASYNC110 - polls what `run` reads
            await asyncio.sleep(0.2)

    def first(self, *, after: float, count: float = 0, computed_after: float = 0.0) -> float | None:
        for at, counted, computed in self.seen:
            if at >= after and counted >= count and computed > computed_after:
                return at
        return None


async def answer_all(
    client: httpx.AsyncClient, tokens: list[str], survey_id: str, question_ids: list[str], *, rate: float
) -> list[float]:
    """Answers at `rate`, one person each; returns the times at which answers were accepted."""
    accepted: list[float] = []
    began = time.monotonic()

    async def one(number: int) -> None:
        variables = {"input": {"surveyId": survey_id, "answers": standard_answers(question_ids, mode=number % 2)}}
        with contextlib.suppress(httpx.HTTPError, KeyError, TypeError):
            result = await call(client, tokens[number], ANSWER_SURVEY, variables, "answerSurvey")
            if result["__typename"] == "SurveyAnswered":
                accepted.append(time.time())

    tasks = []
    for number in range(len(tokens)):
        delay = began + number / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number)))
    await asyncio.gather(*tasks)
    return sorted(accepted)


def delays(values: list[float | None]) -> dict[str, Any]:
    found = [value for value in values if value is not None]
    return {
        "p50_s": round(percentile(found, 0.5), 2),
        "p95_s": round(percentile(found, 0.95), 2),
        "max_s": round(max(found), 2) if found else None,
        "never": len(values) - len(found),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:  # noqa: PLR0915 - one run, step by step
    server = os.environ.get("MITMACHEN_BENCH_DATABASE_URL", LOCAL_SERVER)
    redis_url = await claim_redis(os.environ.get("MITMACHEN_BENCH_REDIS_URL"))
    name = f"mitmachen_bench_results_{os.getpid()}"
    dsn = database_url(server, name)
    say(f"database {name}, redis {redis_url}, code {args.code}")
    await recreate_database(server, name)
    processes: list[asyncio.subprocess.Process] = []
    issuer_server: Any = None
    issuer_task: asyncio.Task[None] | None = None
    try:
        await migrate_and_seed_towns(dsn)
        issuer = Issuer(free_port())
        issuer_server, issuer_task = await serve_issuer(issuer)
        port = free_port()
        env = {
            **os.environ,
            "MITMACHEN_ENVIRONMENT": "production",
            "MITMACHEN_DATABASE_URL": dsn,
            "MITMACHEN_REDIS_URL": redis_url,
            "MITMACHEN_OIDC_ISSUER": issuer.url,
            "MITMACHEN_OIDC_AUDIENCE": AUDIENCE,
            "MITMACHEN_OIDC_ROLES_CLAIM": "roles",
            "MITMACHEN_IDENTITY_SECRET": IDENTITY_SECRET,
            "MITMACHEN_LOG_LEVEL": "WARNING",
            # Every simulated person calls from 127.0.0.1: with fair admission they would share one client's slots.
            "MITMACHEN_FAIR_ADMISSION": "false",
            "MITMACHEN_RATE_LIMIT_PER_ADDRESS": "1000000",  # every simulated person calls from 127.0.0.1
        }
        log_dir = Path(tempfile.mkdtemp(prefix="mitmachen-bench-results-"))
        argv = [sys.executable, "-m", "mitmachen"]
        api = await start("api", [*argv, "serve", "--port", str(port)], env, log_dir, code=args.code)
        processes.append(api)
        worker = await start("worker", [*argv, "worker"], env, log_dir, code=args.code)
        processes.append(worker)
        url = f"http://127.0.0.1:{port}"
        await wait_for_api(url, api, log_dir / "api.log")
        await wait_for_worker(dsn, worker, log_dir / "worker.log")
        staff = staff_token(issuer)
        tokens = [issuer.token(f"resident-{n}", f"Einwohnerin {n}") for n in range(int(args.rate * args.seconds))]
        async with httpx.AsyncClient(base_url=url, timeout=60, trust_env=False) as client:
            survey_id, question_ids = await published_survey(client, staff)
            say(f"warming up: {len(tokens)} people")
            for token in tokens:
                await client.post("/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"})
            reader = ResultsReader(dsn, survey_id)
            reading = asyncio.create_task(reader.run())
            say(f"answering: {len(tokens)} answers at {args.rate}/s")
            accepted = await answer_all(client, tokens, survey_id, question_ids, rate=args.rate)
            await reader.wait_for(args.drain, after=accepted[-1], count=len(accepted))
            say("closing")
            closing = time.time()
            await call(client, staff, CLOSE_SURVEY, {"id": survey_id}, "closeSurvey")
            closed = time.time()
            await reader.wait_for(args.drain, after=closed, computed_after=closing)
            reader.stop.set()
            await reading
        to_results: list[float | None] = []
        for number, at in enumerate(accepted):
            seen = reader.first(after=at, count=number + 1)
            to_results.append(None if seen is None else seen - at)
        close_seen = reader.first(after=closed, computed_after=closing)
        return {
            "benchmark": "survey results: answer or close to stored results",
            "code": str(args.code),
            "settings": {"rate_per_second": args.rate, "seconds": args.seconds},
            "answers_accepted": len(accepted),
            "answer_to_results": delays(to_results),
            "close_to_results_s": None if close_seen is None else round(close_seen - closed, 2),
            "computations_seen": len({computed for _, _, computed in reader.seen}),
            "logs": str(log_dir),
        }
    finally:
        for process in processes:
            await stop(process)
        if issuer_server is not None and issuer_task is not None:
            issuer_server.should_exit = True
            await issuer_task
        await release_redis(redis_url)
        if not args.keep_database:
            await recreate_database(server, name, drop_only=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=20.0, help="answers per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--drain", type=float, default=100.0, help="seconds to wait for the results to catch up")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--code", type=Path, default=ROOT, help="run the API and worker from this tree")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    args.output.resolve().parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    say(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
