"""Benchmark: the worst documents we could build within the request limits, parsed and validated.

Run it from the repository root:

    uv run python bench/validation.py

Options: `--repeat 3` (each time is the best of this many runs).

For each document (all within the token limit and the body limit, each built to make one step as slow as
possible) it prints the tokens and bytes, the time to parse it, the time to check and validate it as the API does
(the shape bounds of `schema/shape.py`, then every validation rule of the production schema, introspection rule
included) and the verdict: the error code, or `ok`. Then it runs every document through the document worker
thread, as a request does, while a task on the event loop ticks every millisecond, and prints the longest gap
between two ticks: how long one document holds the event loop. No database or Redis is needed.

Numbers depend on the machine; `tests/schema/hardening/test_document_shape.py` checks the promise of the README
(every such document refused within 50 ms, `/healthz` answering meanwhile).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphql import DocumentNode, GraphQLError, TokenKind  # noqa: E402
from graphql.language import Lexer, Source  # noqa: E402
from graphql.validation import NoSchemaIntrospectionCustomRule, specified_rules  # noqa: E402

from schema.extensions import _parse, _validate, off_the_loop  # noqa: E402
from schema.root import _LIMIT_RULES, MAX_TOKENS, build_schema  # noqa: E402
from tests.schema.hardening.documents import WORST_DOCUMENTS  # noqa: E402


def tokens(document: str) -> int:
    lexer = Lexer(Source(document))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            result = run()
        except GraphQLError as error:
            result = [error]
        best = min(best, time.perf_counter() - started)
    return best, result


def verdict(result: object) -> str:
    if isinstance(result, list) and result:
        first = result[0]
        code = (first.extensions or {}).get("code") if isinstance(first, GraphQLError) else None
        return str(code or first.message[:50])
    return "ok"


async def loop_lag(documents: list[str], rules: tuple[type, ...]) -> float:
    """The longest the event loop went without running a 1 ms ticker while the documents were checked."""
    schema = build_schema()._schema
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    for document in documents:
        try:
            parsed = await off_the_loop(_parse, document, {"max_tokens": MAX_TOKENS})
        except GraphQLError:
            continue
        await off_the_loop(_validate, schema, parsed, rules)
    done.set()
    await task
    return max(gaps)


def report(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - the benchmark reports on stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    schema = build_schema()._schema
    gc.freeze()  # as `mitmachen serve` does once the schema is built
    # As in production: graphql-core's rules, the limits, and the introspection rule of production.
    rules = (*specified_rules, *_LIMIT_RULES, NoSchemaIntrospectionCustomRule)
    report(f"{'document':<28} {'tokens':>6} {'bytes':>6} {'parse ms':>9} {'validate ms':>12}  verdict")
    worst = 0.0
    for name, document in WORST_DOCUMENTS.items():
        parse_time, parsed = best_of(arguments.repeat, partial(_parse, document, {"max_tokens": MAX_TOKENS}))
        validate_time = 0.0
        result = parsed
        if isinstance(parsed, DocumentNode):
            validate_time, result = best_of(arguments.repeat, partial(_validate, schema, parsed, rules))
        worst = max(worst, parse_time + validate_time)
        report(
            f"{name:<28} {tokens(document):>6} {len(document.encode()):>6} {parse_time * 1000:>9.1f} "
            f"{validate_time * 1000:>12.1f}  {verdict(result)}"
        )
    report(f"worst parse + validation: {worst * 1000:.1f} ms")
    lag = asyncio.run(loop_lag(list(WORST_DOCUMENTS.values()), rules))
    report(f"longest event-loop gap while they were checked in the worker thread: {lag * 1000:.1f} ms")


if __name__ == "__main__":
    main()
