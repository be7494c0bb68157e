"""Prometheus metrics shared by the API and the workers."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "mitmachen_http_requests",
    "HTTP requests handled, by route and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
GRAPHQL_OPERATIONS = Histogram(
    "mitmachen_graphql_operation_seconds",
    "Time to execute a GraphQL operation, by operation name and type.",
    ["operation", "kind"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SQL_STATEMENTS = Counter(
    "mitmachen_sql_statements",
    "SQL statements executed.",
    registry=REGISTRY,
)
JOBS_ENQUEUED = Counter(
    "mitmachen_jobs_enqueued",
    "Jobs sent to the queue after a commit, by job name.",
    ["job"],
    registry=REGISTRY,
)
JOBS_ENQUEUE_FAILED = Counter(
    "mitmachen_jobs_enqueue_failed",
    "Wake-up messages that could not be sent (the periodic sweep picks the work up).",
    ["job"],
    registry=REGISTRY,
)
JOBS_RUN = Counter(
    "mitmachen_jobs_run",
    "Jobs run by workers, by job name and outcome.",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_QUEUE_WAIT = Histogram(
    "mitmachen_job_queue_wait_seconds",
    "Time from when a job was due until a worker started it, by job name.",
    ["job"],
    registry=REGISTRY,
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800),
)
JOB_SECONDS = Histogram(
    "mitmachen_job_seconds",
    "Time a job ran, by job name.",
    ["job"],
    registry=REGISTRY,
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
)
JOBS_RETRIED = Counter(
    "mitmachen_jobs_retried",
    "Job runs that were a job's second or later try (handed back at a shutdown, or its worker died), by job name.",
    ["job"],
    registry=REGISTRY,
)
