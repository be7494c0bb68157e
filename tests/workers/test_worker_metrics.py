"""A real `mitmachen worker` serves its own /metrics: jobs run by outcome, retries, queue wait and run time."""

from __future__ import annotations

import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families

from mitmachen.embedded import EmbeddedValkey, free_port
from mitmachen.runtime import Runtime
from service.config import Settings
from tests.support.ideas import row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.workers.processes import all_decided, api_on, eventually, worker_process


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The worker's samples by name and labels."""
    answer = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert answer.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_worker_counts_its_jobs_by_outcome_and_their_queue_wait_on_its_own_metrics_port(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, valkey: EmbeddedValkey
) -> None:
    port = free_port()
    citizen = await person(runtime, oidc_provider, "buerger-metrics")
    async with api_on(settings, valkey.url()) as (queue, graphql):
        town = await town_ref(graphql, "soest")
        idea = row_id(await submit(graphql, citizen, town, title="Mehr Bänke am Wall", body="Sitzplätze fehlen."))
        # A job that fails (its requester is no user: the tally run cannot be recorded), and one that is a second try.
        await queue.redis.enqueue_job("tallies.recompute", str(uuid.uuid4()), _job_id="failing")
        await queue.redis.enqueue_job("notifications.deliver", str(uuid.uuid4()), _job_id="second-try", _job_try=2)
        log = valkey.directory / "worker.log"
        with worker_process(settings, valkey.url(), log, MITMACHEN_WORKER_METRICS_PORT=str(port)) as worker:
            await eventually(lambda: all_decided(runtime, [idea]), within=30, what="the check ran")

            async def counted() -> bool:
                assert worker.process.poll() is None, worker.output()
                samples = scrape(port)
                failed = value(samples, "mitmachen_jobs_run_total", job="tallies.recompute", outcome="failed")
                cron = value(samples, "mitmachen_jobs_run_total", job="system.heartbeat.cron", outcome="succeeded")
                return failed >= 1 and cron >= 1

            await eventually(counted, within=20, what="the failing job and the start-up heartbeat are counted")
            samples = scrape(port)

    check = {"job": "moderation.check"}
    assert value(samples, "mitmachen_jobs_run_total", **check, outcome="succeeded") == 1
    assert value(samples, "mitmachen_jobs_run_total", job="tallies.recompute", outcome="failed") == 1
    assert value(samples, "mitmachen_jobs_run_total", job="notifications.deliver", outcome="succeeded") >= 1
    assert value(samples, "mitmachen_jobs_retried_total", job="notifications.deliver") == 1
    assert value(samples, "mitmachen_jobs_retried_total", **check) == 0
    assert value(samples, "mitmachen_job_queue_wait_seconds_count", **check) == 1
    assert value(samples, "mitmachen_job_queue_wait_seconds_sum", **check) > 0
    assert value(samples, "mitmachen_job_seconds_count", **check) == 1
    assert value(samples, "mitmachen_jobs_run_total", job="system.heartbeat.cron", outcome="succeeded") >= 1
