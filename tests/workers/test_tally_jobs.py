"""`recomputeTallies` queues `tallies.recompute`; a real arq worker (burst mode) runs it."""

from __future__ import annotations

from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.config import Settings
from tests.conftest import GraphQLClient
from tests.support.ideas import codes, count_rows, queued_jobs
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.tallies import build_dataset, expected_tallies, table_content
from workers.settings import create_worker

RECOMPUTE = """
mutation { recomputeTallies { __typename ... on TallyRecomputeRequested { lastComputedAt } ... on UserError { code } } }
"""


async def _run_worker(settings: Settings, runtime: Runtime) -> None:
    worker = create_worker(settings, runtime, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()


async def test_staff_queue_a_recompute_that_the_worker_runs(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    dataset = await build_dataset(runtime, oidc_provider, random_ideas=15)
    staff = await person(runtime, oidc_provider, "staff", roles_held=((Role.STAFF, "arnsberg"),))

    first = await graphql(RECOMPUTE, headers=staff.headers)
    again = await graphql(RECOMPUTE, headers=staff.headers)

    assert first["data"]["recomputeTallies"] == {"__typename": "TallyRecomputeRequested", "lastComputedAt": None}
    assert again["data"]["recomputeTallies"]["__typename"] == "TallyRecomputeRequested"
    assert await queued_jobs(runtime) == [("tallies.recompute", (str(staff.user_id),))], "requests collapse"
    assert await count_rows(runtime, "participation_tallies") == 0, "nothing computed before the worker runs"

    await _run_worker(settings, runtime)

    results = [result for result in await runtime.redis.all_job_results() if result.function == "tallies.recompute"]
    assert [result.success for result in results] == [True]
    assert await table_content(runtime) == expected_tallies(dataset)
    async with runtime.engine.connect() as connection:
        run = (await connection.execute(text("SELECT requested_by_id, digest FROM tally_runs"))).one()
    assert run == (staff.user_id, results[0].result)
    later = await graphql(RECOMPUTE, headers=staff.headers)
    assert later["data"]["recomputeTallies"]["lastComputedAt"] is not None


async def test_citizens_and_anonymous_callers_cannot_queue_a_recompute(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    citizen = await person(runtime, oidc_provider, "citizen")
    moderator = await person(runtime, oidc_provider, "moderator", roles_held=((Role.MODERATOR, "soest"),))

    refused = {
        "anonymous": (await graphql(RECOMPUTE), "UNAUTHENTICATED"),
        "citizen": (await graphql(RECOMPUTE, headers=citizen.headers), "FORBIDDEN"),
        "moderator": (await graphql(RECOMPUTE, headers=moderator.headers), "FORBIDDEN"),
    }

    for who, (result, code) in refused.items():
        assert result.get("data") is None, who
        assert codes(result["errors"]) == [code], (who, result)
    assert await queued_jobs(runtime) == []
    assert await count_rows(runtime, "tally_runs") == 0
