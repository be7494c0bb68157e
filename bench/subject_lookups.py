"""Benchmark of the moderation queue's batch lookup by subject: the latest decision on each of a page's
contributions, as the queue's dataloader asks for it.

Run it from the repository root:

    uv run python bench/subject_lookups.py

Options: `--decisions 200000`, `--page 20` (contributions looked up at once), `--rounds 15`, `--calls 200` (calls
per form and round).

It creates its own database `mitmachen_bench_lookups_<pid>` on the server of `MITMACHEN_BENCH_DATABASE_URL` (else
127.0.0.1:5432), migrates it, writes `--decisions` decisions on ideas and comments (half each) and runs two forms
of the same lookup, alternating in every round so that the machine's noise falls on both alike:

- `pairs`: `(subject_type, subject_id) IN (SELECT * FROM unnest(:firsts, :seconds))` (`service.kit.lookup`), the
  statement the code runs, with the same text and two array parameters for any number of keys;
- `separate`: the form it replaced, `subject_type IN (…) AND subject_id IN (…)` with one parameter per key (the
  text changes with the number of keys) and the wanted pairs picked in Python afterwards.

It prints the median time per call of each form over the rounds and their ratio, checks both find the same rows,
writes `bench/results/subject_lookups.json` and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import and_, make_url, select, text
from sqlalchemy.dialects.postgresql import distinct_on

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SCRIPT.parent))

from feed import create_database, drop_database, migrate_and_seed_towns  # noqa: E402

from service.config import Settings  # noqa: E402
from service.db.engine import create_engine, create_session_factory  # noqa: E402
from service.ideas.models import Idea, Lifecycle  # noqa: E402
from service.moderation.models import ModerationDecision, SubjectKey, SubjectKind  # noqa: E402
from service.moderation.status import shown_decisions  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "subject_lookups.json"
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def separate_form(keys: list[SubjectKey]) -> Any:
    """The lookup as it was written before `pair_in_keys`: each column against the set of its values."""
    return (
        select(ModerationDecision, Idea)
        .outerjoin(
            Idea, and_(Idea.id == ModerationDecision.similar_idea_id, Idea.lifecycle == Lifecycle.PUBLISHED.value)
        )
        .where(
            ModerationDecision.subject_type.in_({kind.value for kind, _ in keys}),
            ModerationDecision.subject_id.in_({subject_id for _, subject_id in keys}),
        )
        .ext(distinct_on(ModerationDecision.subject_type, ModerationDecision.subject_id))
        .order_by(
            ModerationDecision.subject_type,
            ModerationDecision.subject_id,
            ModerationDecision.created_at.desc(),
            ModerationDecision.id.desc(),
        )
    )


async def separate(session: Any, keys: list[SubjectKey]) -> dict[SubjectKey, Any]:
    wanted = set(keys)
    rows = await session.execute(separate_form(keys))
    found = {(SubjectKind(decision.subject_type), decision.subject_id): decision for decision, _ in rows}
    return {key: decision for key, decision in found.items() if key in wanted}


async def pairs(session: Any, keys: list[SubjectKey]) -> dict[SubjectKey, Any]:
    return {key: shown.decision for key, shown in (await shown_decisions(session, keys)).items()}


SEED_SQL = """
INSERT INTO moderation_decisions (id, subject_type, subject_id, town_id, automated, outcome, reasons, score,
                                  content_digest, note, created_at)
SELECT gen_random_uuid(), CASE WHEN n % 2 = 0 THEN 'idea' ELSE 'comment' END, gen_random_uuid(),
       (SELECT id FROM towns ORDER BY slug LIMIT 1), true, 'publish', '{}', 0, md5(n::text), '',
       now() - n * interval '1 second'
FROM generate_series(1, :count) AS n
"""


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server = os.environ.get("MITMACHEN_BENCH_DATABASE_URL", LOCAL_SERVER)
    name = f"mitmachen_bench_lookups_{os.getpid()}"
    await create_database(server, name)
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        await migrate_and_seed_towns(url)
        engine = create_engine(Settings(database_url=url), pool_size=1)
        try:
            return await measure(engine, args)
        finally:
            await engine.dispose()
    finally:
        await drop_database(server, name)


async def measure(engine: Any, args: argparse.Namespace) -> dict[str, Any]:
    sessions = create_session_factory(engine)
    async with sessions() as session:
        await session.execute(text(SEED_SQL), {"count": args.decisions})
        await session.commit()
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE moderation_decisions"))
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT subject_type, subject_id FROM moderation_decisions ORDER BY random() LIMIT :page"),
            {"page": args.page},
        )
        keys: list[SubjectKey] = [(SubjectKind(kind), subject_id) for kind, subject_id in rows]
        keys.append((SubjectKind.IDEA, uuid.uuid4()))  # one without a decision, as on a real page
        forms = {"pairs": pairs, "separate": separate}
        found = {form: await lookup(session, keys) for form, lookup in forms.items()}
        if {key: row.id for key, row in found["pairs"].items()} != {
            key: row.id for key, row in found["separate"].items()
        }:
            raise SystemExit("the two forms find different rows")
        per_call: dict[str, list[float]] = {form: [] for form in forms}
        for round_number in range(args.rounds):
            order = list(forms) if round_number % 2 == 0 else list(reversed(forms))
            for form in order:
                started = time.perf_counter()
                for _ in range(args.calls):
                    await forms[form](session, keys)
                per_call[form].append((time.perf_counter() - started) / args.calls * 1000)
    medians = {form: statistics.median(times) for form, times in per_call.items()}
    return {
        "decisions": args.decisions,
        "keys_per_call": len(keys),
        "rounds": args.rounds,
        "calls_per_round": args.calls,
        "median_ms_per_call": medians,
        "ratio_pairs_to_separate": medians["pairs"] / medians["separate"],
        "per_round_ms": per_call,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--decisions", type=int, default=200_000)
    parser.add_argument("--page", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    result = asyncio.run(run(parser.parse_args()))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    medians = result["median_ms_per_call"]
    print(f"{result['keys_per_call']} keys per call, {result['decisions']} decisions, {result['rounds']} rounds")  # noqa: T201
    for form, value in medians.items():
        print(f"  {form:>9}: {value:.3f} ms per call (median)")  # noqa: T201
    print(f"  ratio pairs/separate: {result['ratio_pairs_to_separate']:.2f}")  # noqa: T201


if __name__ == "__main__":
    main()
