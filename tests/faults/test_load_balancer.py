"""Three `mitmachen serve` processes behind haproxy (round robin, health checks on `/healthz`), one killed mid-run.

haproxy is Debian's (see `tests/support/balancer.py`). Every call is a new person supporting one idea or signing up
for one shift, so each is counted exactly once or not at all. A call that met the killed process may get 502 or no
answer (it may or may not have been committed): one in flight when it died, or one sent before haproxy's health
checks took it out over a connection haproxy kept open to it. Every call sent after that must succeed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from mitmachen.runtime import Runtime
from service.config import Settings
from tests.conftest import GraphQLClient
from tests.support.balancer import TAKEN_OUT_WITHIN_SECONDS, haproxy
from tests.support.ideas import idea_gid, insert_idea_directly, row_id
from tests.support.load import new_person_token, rows
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.server import ServeProcess, serve_process
from tests.support.volunteering import SIGN_UP, open_shift

APIS = 3
CLIENTS = 6
RUN_SECONDS = 10.0
KILL_AT = 3.0
SUPPORT = "mutation Support($id: ID!) { supportIdea(ideaId: $id) { __typename ... on UserError { code } } }"
DROPPED = 0  # the connection was closed without an answer
SUCCESS = {"supportIdea": "IdeaSupported", "signUpForShift": "SignedUpForShift"}


@dataclass
class Call:
    action: str
    subject: str
    sent: float
    answered: float
    status: int
    typename: str | None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == 200 and self.typename == SUCCESS[self.action]


async def _client(number: int, url: str, provider: OidcProvider, targets: dict[str, str], start: float) -> list[Call]:
    calls: list[Call] = []
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30.0) as http:
        count = 0
        while time.monotonic() - start < RUN_SECONDS:
            action = ("supportIdea", "signUpForShift")[(count + number) % 2]
            subject = f"lb-{number}-{count}"
            count += 1
            query = SUPPORT if action == "supportIdea" else SIGN_UP
            sent = time.monotonic() - start
            typename: str | None = None
            failure: str | None = None
            try:
                response = await http.post(
                    "/graphql",
                    json={"query": query, "variables": {"id": targets[action]}},
                    headers={"Authorization": f"Bearer {new_person_token(provider, subject)}"},
                )
            except httpx.TransportError as error:
                status, failure = DROPPED, repr(error)
            else:
                status = response.status_code
                if status == 200:
                    typename = ((response.json().get("data") or {}).get(action) or {}).get("__typename")
            calls.append(Call(action, subject, sent, time.monotonic() - start, status, typename, failure))
    return calls


async def _kill(served: ServeProcess, start: float) -> float:
    await asyncio.sleep(KILL_AT)
    os.kill(served.pid, signal.SIGKILL)
    return time.monotonic() - start


async def test_three_api_processes_behind_haproxy_count_every_write_once_and_survive_a_kill(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                serve_process(settings, tmp_path / f"serve{number}.log", MITMACHEN_DATABASE_POOL_SIZE="4")
            )
            for number in range(APIS)
        ]
        url = stack.enter_context(haproxy(tmp_path, servers))
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30.0) as http:
            setup = await open_shift(GraphQLClient(http), runtime, oidc_provider, capacity=10_000)
        author = await person(runtime, oidc_provider, "author")
        idea = await insert_idea_directly(runtime, author_id=author.user_id, town="soest", title="Mehr Bänke")
        targets = {"supportIdea": idea_gid(idea), "signUpForShift": setup.shift_id}

        start = time.monotonic()
        killing = asyncio.create_task(_kill(servers[1], start))
        per_client = await asyncio.gather(
            *(_client(number, url, oidc_provider, targets, start) for number in range(CLIENTS))
        )
        killed = await killing
        served_posts = [server.output().count("POST /graphql") for server in servers]

    calls = [call for calls in per_client for call in calls]
    failed = [call for call in calls if not call.succeeded]
    taken_out = killed + TAKEN_OUT_WITHIN_SECONDS
    balancer_log = (tmp_path / "haproxy.log").read_text(errors="replace")[-3000:]
    # Only a call that met the killed process may fail: haproxy answers 502 or closes the connection.
    met_the_kill = [call for call in failed if call.sent <= taken_out and call.answered >= killed]
    assert all(call.status in {502, DROPPED} for call in failed), (failed, balancer_log)
    assert met_the_kill == failed, ([call for call in failed if call not in met_the_kill], killed, balancer_log)
    # At most one call in flight per client when it died, and one sent on a connection to it before it was taken out.
    assert len(failed) <= 2 * CLIENTS, failed
    assert all(posts > 0 for posts in served_posts), served_posts
    after = [call for call in calls if call.sent > taken_out]
    assert after
    assert all(call.succeeded for call in after), [call for call in after if not call.succeeded]

    ok = {action: {call.subject for call in calls if call.action == action and call.succeeded} for action in SUCCESS}
    unsure = {call.subject for call in failed}
    supports = await rows(
        runtime,
        "SELECT u.subject FROM idea_supports s JOIN users u ON u.id = s.user_id WHERE s.idea_id = :idea",
        idea=idea,
    )
    sign_ups = await rows(
        runtime,
        "SELECT u.subject, count(*) FROM volunteer_sign_ups s JOIN users u ON u.id = s.user_id "
        "WHERE s.shift_id = :shift GROUP BY u.subject",
        shift=row_id(setup.shift_id),
    )
    [(support_count,)] = await rows(runtime, "SELECT support_count FROM ideas WHERE id = :idea", idea=idea)
    [(places_taken,)] = await rows(
        runtime, "SELECT places_taken FROM volunteer_shifts WHERE id = :shift", shift=row_id(setup.shift_id)
    )
    supporters = {subject for (subject,) in supports}
    signed_up = {subject for subject, _ in sign_ups}
    assert ok["supportIdea"] <= supporters <= ok["supportIdea"] | unsure
    assert support_count == len(supports)
    assert ok["signUpForShift"] <= signed_up <= ok["signUpForShift"] | unsure
    assert all(number == 1 for _, number in sign_ups)
    assert places_taken == len(sign_ups)
    failures = [(call.status, call.error, round(call.sent - killed, 2)) for call in failed]
    print(  # noqa: T201 - the measurement, read with -s
        f"\n{len(calls)} calls through haproxy, {len(calls) - len(failed)} succeeded, {len(failed)} that met the "
        f"killed process failed (status, error, sent s after the kill: "
        f"{failures}); POSTs per process: {served_posts}; {len(after)} calls sent after haproxy took "
        f"it out ({TAKEN_OUT_WITHIN_SECONDS} s after the kill) all succeeded"
    )
