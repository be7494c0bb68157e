"""Benchmark of a full tally recompute on region-scale data.

Run it from the repository root:

    uv run python bench/tallies.py

Options: `--scale 0.1` for a tenth of the data (a quick look), `--runs 3`, `--shares 2 1` (how many shares each
run reads at once, in turn: the comparison within one run), `--keep-database`, `--generate-only`, and
`--database NAME` to measure again on a database kept earlier (nothing is generated, nothing dropped).

What it does, in one run:

1. Creates its own database `mitmachen_tallies_<pid>` (same server choice as `bench/feed.py`:
   `MITMACHEN_BENCH_DATABASE_URL`, else 127.0.0.1:5432, else an embedded PostgreSQL), migrates it and seeds the
   demo towns.
2. Generates region-scale data with set-based SQL over two years: 200 000 people, 50 000 ideas across the 20
   towns (with official answers for one in eight), 2 000 000 supports, 200 000 comments, and — where those
   domains' tables exist — 500 000 survey answers and 100 000 volunteer sign-ups with confirmed hours.
3. Recomputes every tally `--runs` times with each number of `--shares` (the first recompute fills the empty
   table, later ones find nothing changed) and reports the seconds of each, the number of rows and whether every
   recompute produced the same digest, and the CPU seconds the database spent on it (when it runs on this machine).
4. Writes `bench/results/tallies.json` and drops the database (unless `--keep-database`).

`--compare REF` (e.g. `--compare main`) measures this tree's code against REF's on the same data, alternating: it
checks REF out into a temporary worktree, recomputes once with each tree (in processes of their own, the order
swapped every round) `--runs` times after one warm-up each, and reports the median of wall time and of database
CPU per tree and the median ratio of the rounds (this tree / REF), whether both produced the same digest, and the
plans of the share statement of both (`EXPLAIN`, node by node). Results go to `bench/results/tallies_compare.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import psutil

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SCRIPT.parent))

from feed import create_database, database_url, drop_database, migrate_and_seed_towns, say, server_url  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "tallies.json"
COMPARED = ROOT / "bench" / "results" / "tallies_compare.json"
FULL = {
    "users": 200_000,
    "ideas": 50_000,
    "supports": 2_000_000,
    "comments": 200_000,
    "survey_answers": 500_000,
    "sign_ups": 100_000,
}
ISSUER = "https://bench.mitmachen.invalid"

Generator = Callable[[Any, dict[str, int]], Awaitable[None]]


async def _users(connection: Any, sizes: dict[str, int]) -> None:
    await connection.execute(
        """
        INSERT INTO users (id, issuer, subject, display_name, home_town_id, created_at)
        SELECT gen_random_uuid(), $1, 'person-' || n, 'Person ' || n,
               (SELECT id FROM towns ORDER BY slug OFFSET n % 20 LIMIT 1), now() - interval '800 days'
        FROM generate_series(0, $2 - 1) AS n
        """,
        ISSUER,
        sizes["users"],
    )
    await connection.execute(
        "CREATE TABLE bench_people AS "
        "SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id FROM users WHERE issuer = $1",
        ISSUER,
    )
    await connection.execute("ALTER TABLE bench_people ADD PRIMARY KEY (n)")


async def _ideas(connection: Any, sizes: dict[str, int]) -> None:
    await connection.execute(
        """
        CREATE TABLE bench_areas AS
        SELECT (row_number() OVER (ORDER BY t.slug, a.position, a.slug) - 1)::int AS n, a.id, a.town_id
        FROM strategy_areas a JOIN towns t ON t.id = a.town_id
        """
    )
    await connection.execute(
        """
        INSERT INTO ideas (id, town_id, author_id, strategy_area_id, title, body, image_alt_texts, lifecycle,
                           published_at, created_at, updated_at, support_count, comment_count)
        SELECT gen_random_uuid(), area.town_id, author.id, area.id, 'Idee Nummer ' || g.k, 'Beschreibung ' || g.k,
               '{}', CASE WHEN g.k % 10 = 0 THEN 'rejected' ELSE 'published' END,
               CASE WHEN g.k % 10 <> 0 THEN t.at + interval '3 hours' END, t.at, t.at, 0, 0
        FROM generate_series(0, $1 - 1) AS g(k)
        CROSS JOIN LATERAL (SELECT now() - (g.k % 730) * interval '1 day' - (g.k % 24) * interval '1 hour' AS at) t
        JOIN bench_areas AS area ON area.n = g.k % (SELECT count(*) FROM bench_areas)
        JOIN bench_people AS author ON author.n = (g.k * 7919) % $2
        """,
        sizes["ideas"],
        sizes["users"],
    )
    await connection.execute(
        "CREATE TABLE bench_ideas AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id, town_id, created_at "
        "FROM ideas WHERE lifecycle = 'published'"
    )
    await connection.execute("ALTER TABLE bench_ideas ADD PRIMARY KEY (n)")
    await connection.execute(
        """
        INSERT INTO idea_official_answers (id, idea_id, town_id, status, answer, created_at)
        SELECT gen_random_uuid(), i.id, i.town_id, s.status, 'Antwort', i.created_at + s.after
        FROM ideas i
        CROSS JOIN LATERAL (VALUES ('accepted', interval '20 days'), ('implemented', interval '90 days'))
            AS s(status, after)
        WHERE i.lifecycle = 'published' AND hashtext(i.id::text) % 8 = 0
          AND (s.status = 'accepted' OR hashtext(i.id::text) % 16 = 0)
        """
    )


async def _supports(connection: Any, sizes: dict[str, int]) -> None:
    # Support k goes to idea k mod ideas from person (k * 31 + k / ideas) mod users: unique pairs.
    ideas = await connection.fetchval("SELECT count(*) FROM bench_ideas")
    await connection.execute(
        """
        INSERT INTO idea_supports (idea_id, user_id, town_id, created_at)
        SELECT idea.id, person.id, idea.town_id, idea.created_at + (k % 97) * interval '1 day'
        FROM generate_series(0, $1 - 1) AS k
        JOIN bench_ideas AS idea ON idea.n = k % $3
        JOIN bench_people AS person ON person.n = (k / $3 * 7 + k * 13) % $2
        ON CONFLICT DO NOTHING
        """,
        sizes["supports"],
        sizes["users"],
        ideas,
    )


async def _comments(connection: Any, sizes: dict[str, int]) -> None:
    await connection.execute(
        """
        INSERT INTO comments (id, idea_id, town_id, author_id, body, lifecycle, published_at, created_at)
        SELECT gen_random_uuid(), idea.id, idea.town_id, person.id,
               'Kommentar ' || k, 'published', idea.created_at + (k % 40) * interval '1 day',
               idea.created_at + (k % 40) * interval '1 day'
        FROM generate_series(0, $1 - 1) AS k
        JOIN bench_ideas AS idea ON idea.n = (k * 17) % $3
        JOIN bench_people AS person ON person.n = (k * 101) % $2
        """,
        sizes["comments"],
        sizes["users"],
        await connection.fetchval("SELECT count(*) FROM bench_ideas"),
    )


async def _surveys(connection: Any, sizes: dict[str, int]) -> None:
    """Five questions per survey, so answers / 5 responses; half the surveys anonymous."""
    responses = sizes["survey_answers"] // 5
    surveys = max(1, responses // 2_000)
    await connection.execute(
        """
        INSERT INTO surveys (id, town_id, strategy_area_id, title, description, status, audience, is_anonymous,
                             results_public, opens_at, closes_at, published_at, created_at, updated_at)
        SELECT gen_random_uuid(), area.town_id, CASE WHEN g.k % 4 = 0 THEN NULL ELSE area.id END,
               'Umfrage ' || g.k, '', 'closed', 'everyone', g.k % 2 = 0, true, t.at, t.at + interval '30 days',
               t.at, t.at, t.at
        FROM generate_series(0, $1 - 1) AS g(k)
        CROSS JOIN LATERAL (SELECT now() - (g.k * 7 % 700) * interval '1 day' - interval '40 days' AS at) AS t
        JOIN bench_areas AS area ON area.n = (g.k * 3) % (SELECT count(*) FROM bench_areas)
        """,
        surveys,
    )
    await connection.execute(
        """
        INSERT INTO survey_questions (id, survey_id, town_id, position, kind, prompt, help_text, required, settings)
        SELECT gen_random_uuid(), s.id, s.town_id, q, 'single_choice', 'Frage ' || q, '', true,
               '{"options": ["ja", "nein", "vielleicht"]}'
        FROM surveys s CROSS JOIN generate_series(0, 4) AS q
        """
    )
    await connection.execute(
        "CREATE TABLE bench_surveys AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id, town_id, "
        "is_anonymous, opens_at FROM surveys"
    )
    # Response k: survey k mod surveys, person (k * 37) mod users; a person answers a survey at most once.
    await connection.execute(
        """
        INSERT INTO survey_participations (survey_id, user_id, town_id)
        SELECT s.id, p.id, s.town_id
        FROM generate_series(0, $1 - 1) AS g(k)
        JOIN bench_surveys AS s ON s.n = g.k % $2
        JOIN bench_people AS p ON p.n = (g.k * 37) % $3
        ON CONFLICT DO NOTHING
        """,
        responses,
        surveys,
        sizes["users"],
    )
    await connection.execute(
        """
        INSERT INTO survey_responses (id, survey_id, town_id, respondent_id, submitted_on)
        SELECT gen_random_uuid(), pa.survey_id, pa.town_id, CASE WHEN s.is_anonymous THEN NULL ELSE pa.user_id END,
               (s.opens_at + (hashtext(pa.user_id::text) & 15) * interval '1 day')::date
        FROM survey_participations pa JOIN bench_surveys s ON s.id = pa.survey_id
        """
    )
    await connection.execute(
        """
        INSERT INTO survey_answers (response_id, question_id, survey_id, option_indexes)
        SELECT r.id, q.id, r.survey_id, ARRAY[(hashtext(r.id::text || q.position) & 2)]
        FROM survey_responses r JOIN survey_questions q ON q.survey_id = r.survey_id
        """
    )


async def _volunteering(connection: Any, sizes: dict[str, int]) -> None:
    """Ten places per shift; each shift filled by ten people, of whom most attended (two-hour shifts)."""
    shifts = max(1, sizes["sign_ups"] // 10)
    await connection.execute(
        """
        INSERT INTO organisations (id, town_id, name, description, verified_at, created_at)
        SELECT gen_random_uuid(), t.id, 'Verein ' || t.slug, '', now() - interval '800 days',
               now() - interval '800 days'
        FROM towns t
        """
    )
    await connection.execute(
        """
        INSERT INTO volunteer_offers (id, organisation_id, town_id, strategy_area_id, title, description, address,
                                      skills, accessibility_notes, contact, confirmation_hours, status,
                                      published_at, created_at, updated_at)
        SELECT gen_random_uuid(), o.id, o.town_id, a.id, 'Angebot ' || a.n, '', '', '{}', '', '', 24,
               'published', now() - interval '750 days', now() - interval '750 days', now()
        FROM bench_areas a JOIN organisations o ON o.town_id = a.town_id
        """
    )
    await connection.execute(
        """
        INSERT INTO volunteer_shifts (id, offer_id, town_id, starts_at, ends_at, capacity, places_taken,
                                      last_position, created_at)
        SELECT gen_random_uuid(), o.id, o.town_id, t.at, t.at + interval '2 hours', 10, 10, 10, t.at
        FROM generate_series(0, $1 - 1) AS g(k)
        CROSS JOIN LATERAL (SELECT now() - (g.k % 700) * interval '1 day' + interval '9 hours' AS at) AS t
        JOIN (SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id, town_id FROM volunteer_offers) AS o
          ON o.n = g.k % (SELECT count(*) FROM volunteer_offers)
        """,
        shifts,
    )
    await connection.execute(
        """
        INSERT INTO volunteer_sign_ups (id, shift_id, user_id, town_id, status, position, queued_at, confirmed_at,
                                        attended_minutes, attendance_confirmed_at, created_at)
        SELECT gen_random_uuid(), s.id, p.id, s.town_id,
               CASE WHEN seat < 8 THEN 'attended' ELSE 'confirmed' END, seat + 1,
               s.starts_at - interval '5 days', s.starts_at - interval '5 days',
               CASE WHEN seat < 8 THEN 120 END, CASE WHEN seat < 8 THEN s.ends_at END, s.starts_at - interval '5 days'
        FROM (SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id, town_id, starts_at, ends_at
              FROM volunteer_shifts) AS s
        CROSS JOIN generate_series(0, 9) AS seat
        JOIN bench_people AS p ON p.n = (s.n * 10 + seat) * 7 % $1
        """,
        sizes["users"],
    )


GENERATORS: list[tuple[str, Generator, str | None]] = [
    ("users", _users, None),
    ("ideas", _ideas, None),
    ("supports", _supports, None),
    ("comments", _comments, None),
    ("survey answers", _surveys, "surveys"),
    ("volunteer sign-ups", _volunteering, "volunteer_sign_ups"),
]


async def generate(url: str, sizes: dict[str, int]) -> None:
    connection = await asyncpg.connect(url)
    try:
        for name, generator, table in GENERATORS:
            if table and not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
                say(f"  {name}: table {table} does not exist, skipped")
                continue
            started = time.perf_counter()
            await generator(connection, sizes)
            say(f"  {name}: {time.perf_counter() - started:.1f} s")
        for table in ("bench_people", "bench_areas", "bench_ideas", "bench_surveys"):
            await connection.execute(f"DROP TABLE IF EXISTS {table}")
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def count_rows(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        counted = {}
        tables = ["users", "ideas", "idea_supports", "comments", "idea_official_answers"]
        tables += [
            table
            for table in ("survey_responses", "survey_answers", "volunteer_sign_ups")
            if await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", table)
        ]
        for table in tables:
            counted[table] = await connection.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        return counted
    finally:
        await connection.close()


async def recompute_runs(url: str, runs: int, parts: list[int]) -> list[dict[str, Any]]:
    import service.models  # noqa: F401, PLC0415 - every table the run record refers to
    from service.config import Settings  # noqa: PLC0415 - the project is imported once sys.path is set
    from service.db.engine import create_engine, create_session_factory  # noqa: PLC0415
    from service.tallies.compute import recompute  # noqa: PLC0415

    engine = create_engine(Settings(database_url=url), pool_size=1 + max(parts))
    measured = []
    try:
        for run in range(runs):
            for shares in parts:
                cpu_before = await _database_cpu(engine)
                started = time.perf_counter()
                async with create_session_factory(engine)() as session:
                    result = await recompute(session, parts=shares)
                    await session.commit()
                seconds = time.perf_counter() - started
                cpu = _spent(cpu_before, await _database_cpu(engine))
                say(
                    f"  run {run + 1}, {shares} share(s): {seconds:.2f} s (database CPU {cpu} s), "
                    f"{result.rows} rows, {result.changed} written, digest {result.digest}"
                )
                measured.append(
                    {
                        "run": run + 1,
                        "shares": shares,
                        "seconds": round(seconds, 3),
                        "database_cpu_seconds": cpu,
                        "rows": result.rows,
                        "changed": result.changed,
                        "digest": result.digest,
                    }
                )
    finally:
        await engine.dispose()
    return measured


async def _database_cpu(engine: Any) -> dict[int, float] | None:
    """CPU seconds so far of each server process serving this database (pooled connections live across runs);
    None when the server does not run on this machine."""
    from sqlalchemy import text  # noqa: PLC0415

    async with engine.connect() as connection:
        pids = list(
            await connection.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
        )
    readings: dict[int, float] = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        readings[pid] = times.user + times.system
    return readings


def _spent(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
    if before is None or after is None:
        return None
    return round(sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items()), 2)


# ---------------------------------------------------------------- comparing two versions of the code

# What a tree's `recompute_runs` prints for each recompute (this script's, and that of every version before it).
_RUN_LINE = re.compile(
    r"run \d+, (?P<shares>\d+) share\(s\): (?P<seconds>[0-9.]+) s \(database CPU (?P<cpu>[0-9.]+|None) s\), "
    r"(?P<rows>\d+) rows, (?P<changed>\d+) written, digest (?P<digest>[0-9a-f]+)"
)

# Prints the share statement of the tree on sys.path[0]: `statements.SHARE`, or before it `compute._SHARE`.
_SHARE_OF_TREE = """
import sys
sys.path.insert(0, sys.argv[1])
try:
    from service.tallies.statements import SHARE, SHARE_SETTINGS, WORK_SETTINGS
except ImportError:
    from service.tallies.compute import _SHARE as SHARE, _SHARE_SETTINGS as SHARE_SETTINGS
    from service.tallies.compute import _WORK_SETTINGS as WORK_SETTINGS
import json
print(json.dumps({"share": SHARE, "settings": [*WORK_SETTINGS, *SHARE_SETTINGS]}))
"""


def _recompute_with(tree: Path, database: str, shares: int) -> dict[str, Any]:
    """One recompute by the code of `tree`, in a process of its own (its `bench/tallies.py --database`)."""
    output = subprocess.run(  # noqa: S603 - this interpreter and a script of a checked-out tree
        [
            sys.executable,
            str(tree / "bench" / "tallies.py"),
            "--database",
            database,
            "--runs",
            "1",
            "--shares",
            str(shares),
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = _RUN_LINE.search(output)
    if found is None:
        raise RuntimeError(f"no recompute reported by {tree}:\n{output}")
    cpu = found["cpu"]
    return {
        "seconds": float(found["seconds"]),
        "database_cpu_seconds": None if cpu == "None" else float(cpu),
        "rows": int(found["rows"]),
        "changed": int(found["changed"]),
        "digest": found["digest"],
    }


async def _plan(tree: Path, url: str, shares: int) -> list[str]:
    """The plan of one share of `tree`'s statement, one line per node, without costs and row estimates."""
    statement = _share_of(tree)
    low, high = share_bounds(shares)
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            for setting in statement["settings"]:
                await connection.execute(setting)
            if shares > 1:
                await connection.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            rows = await connection.fetch("EXPLAIN (COSTS OFF) " + statement["share"], low, high)
    finally:
        await connection.close()
    return [row[0] for row in rows]


def _share_of(tree: Path) -> dict[str, Any]:
    printed = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", _SHARE_OF_TREE, str(tree)], capture_output=True, text=True, check=True
    ).stdout
    found: dict[str, Any] = json.loads(printed)
    return found


def _git(*arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=ROOT, check=True)  # noqa: S603, S607 - git of this checkout


def share_bounds(shares: int) -> tuple[Any, Any]:
    """The first share's range of people when the events are split into `shares` (as `compute.share_ranges`)."""
    import uuid  # noqa: PLC0415

    return uuid.UUID(int=0), uuid.UUID(int=(1 << 128) // shares - 1)


def _nodes(plan: list[str]) -> list[str]:
    """The plan's nodes with their depth, without the names a statement happens to give its tables, subqueries
    and aliases (the conditions, which name them, are left out): the shape of the plan."""
    nodes = []
    for number, line in enumerate(plan):
        if number and "->" not in line:
            continue
        depth = len(line) - len(re.sub(r"^[ >-]*", "", line))
        node = re.split(r" (?:on|using) ", line.strip().removeprefix("->").strip())[0]
        nodes.append(f"{depth} {node}")
    return nodes


async def compare(args: argparse.Namespace, url: str) -> int:
    """This tree against `args.compare`, alternating, on the database at `url`."""
    checkout = Path(tempfile.mkdtemp(prefix="tallies-compare-")) / "tree"
    _git("worktree", "add", "--detach", str(checkout), args.compare)
    trees = {"ref": checkout, "this": ROOT}
    # Each recompute by this tree's script writes its results file: what it held is put back afterwards.
    kept = RESULTS.read_bytes() if RESULTS.exists() else None
    database = url.rsplit("/", 1)[1]
    measured: list[dict[str, Any]] = []
    try:
        shares = args.shares[0]
        for name, tree in trees.items():  # the first recompute fills the table; warm the caches for both alike
            say(f"  warm-up, {name}: {_recompute_with(tree, database, shares)}")
        for round_number in range(args.runs):
            order = list(trees.items()) if round_number % 2 == 0 else list(reversed(trees.items()))
            for name, tree in order:
                result = {"round": round_number + 1, "code": name, **_recompute_with(tree, database, shares)}
                say(f"  round {round_number + 1}, {name}: {result}")
                measured.append(result)
        plans = {name: await _plan(tree, url, shares) for name, tree in trees.items()}
    finally:
        _git("worktree", "remove", "--force", str(checkout))
        if kept is not None:
            RESULTS.write_bytes(kept)

    def of(name: str, key: str) -> list[float]:
        return [run[key] for run in measured if run["code"] == name and run[key] is not None]

    summary: dict[str, Any] = {}
    for key in ("seconds", "database_cpu_seconds"):
        ratios = [
            this[key] / ref[key]
            for this, ref in zip(
                (run for run in measured if run["code"] == "this"),
                (run for run in measured if run["code"] == "ref"),
                strict=True,
            )
            if this[key] and ref[key]
        ]
        summary[key] = {
            "median_this": statistics.median(of("this", key)) if of("this", key) else None,
            "median_ref": statistics.median(of("ref", key)) if of("ref", key) else None,
            "median_ratio": round(statistics.median(ratios), 3) if ratios else None,
            "ratios": [round(ratio, 3) for ratio in ratios],
        }
        say(f"{key}: {summary[key]}")
    digests = {run["digest"] for run in measured}
    nodes = {name: _nodes(plan) for name, plan in plans.items()}
    same_plan = nodes["this"] == nodes["ref"]
    say(f"identical digests: {len(digests) == 1}; same plan shape of a share: {same_plan}")
    if not same_plan:
        for name, plan in plans.items():
            say(f"plan of {name}:\n" + "\n".join(plan))
    COMPARED.parent.mkdir(parents=True, exist_ok=True)
    COMPARED.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
                "ref": args.compare,
                "shares": shares,
                "rows": await count_rows(url),
                "runs": measured,
                "summary": summary,
                "identical_digests": len(digests) == 1,
                "same_plan_shape": same_plan,
                "plans": plans,
            },
            indent=2,
        )
        + "\n"
    )
    say(f"written to {COMPARED.relative_to(ROOT)}")
    return 0 if len(digests) == 1 else 1


async def run(args: argparse.Namespace) -> int:
    sizes = {name: max(1, int(count * args.scale)) for name, count in FULL.items()}
    server, stack = server_url()
    name = args.database or f"mitmachen_tallies_{os.getpid()}"
    url = database_url(server, name)
    with stack:
        if args.database is None:
            await create_database(server, name)
        try:
            if args.database is None:
                await migrate_and_seed_towns(url)
                say(f"generating data (scale {args.scale}):")
                await generate(url, sizes)
            counted = await count_rows(url)
            say(f"rows: {counted}")
            if args.generate_only:
                say(f"kept database {name}")
                return 0
            if args.compare:
                say(f"comparing with {args.compare}:")
                return await compare(args, url)
            say("recomputing:")
            runs = await recompute_runs(url, args.runs, args.shares)
        finally:
            if not (args.keep_database or args.generate_only or args.database):
                await drop_database(server, name)
    identical = len({run["digest"] for run in runs}) == 1
    for shares in args.shares:
        seconds = [run["seconds"] for run in runs if run["shares"] == shares]
        say(f"full recompute with {shares} share(s): {seconds} s")
    say(f"identical digests: {identical}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
                "scale": args.scale,
                "rows": counted,
                "runs": runs,
                "identical_digests": identical,
            },
            indent=2,
        )
        + "\n"
    )
    say(f"written to {RESULTS.relative_to(ROOT)}")
    return 0 if identical else 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generate-only", action="store_true", help="generate, keep the database, measure nothing")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--shares", type=int, nargs="+", default=[2, 1], help="shares read at once, in turn")
    parser.add_argument("--database", help="measure on this database, kept by an earlier run")
    parser.add_argument("--compare", metavar="REF", help="measure against the code of this git revision, alternating")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
