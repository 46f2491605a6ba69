"""``openswe doctor`` for a cluster: the Ray cluster answers, and every node has a Docker engine, declares
the ``docker`` resource the stage tasks ask for, and reaches the registry images travel through.

Each node is probed by a zero-CPU task pinned to it, so the answer is the node's own view (its engine, its
route to the registry), not the driver's.
"""

from __future__ import annotations

import socket
import urllib.request
from typing import Any

from openswe_data.doctor import Check
from openswe_data.settings import Settings

PROBE_SECONDS = 60


def probe_node(registry: str | None) -> dict[str, Any]:
    """Runs on one node: its Docker engine and its route to the registry."""
    from openswe_data import engine

    found: dict[str, Any] = {"host": socket.gethostname()}
    try:
        found["docker"] = engine.client().version().get("Version", "?")
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        found["docker_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    if registry:
        try:
            with urllib.request.urlopen(f"http://{registry}/v2/", timeout=10) as resp:
                found["registry"] = resp.status
        except Exception as exc:  # noqa: BLE001
            found["registry_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    return found


def check_cluster(settings: Settings | None = None) -> list[Check]:
    """One check for the cluster, then one per node."""
    from openswe_data.errors import ClusterUnavailable
    from openswe_data.execute.cluster_connect import connect
    from openswe_data.execute.cluster_resources import DOCKER_RESOURCE

    settings = settings or Settings()
    try:
        connect(settings.ray_address)
    except ClusterUnavailable as exc:
        return [Check("ray cluster", False, exc.message, exc.hint or "")]
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = [n for n in ray.nodes() if n.get("Alive")]
    total = ray.cluster_resources()
    checks = [Check("ray cluster", True, f"{settings.ray_address}: {len(nodes)} node(s), {total.get('CPU', 0):g} CPUs, "
                                          f"{total.get(DOCKER_RESOURCE, 0):g} docker unit(s)")]
    if not settings.cluster_registry and len(nodes) > 1:
        checks.append(Check("cluster registry", False, "not set: images built on one node cannot reach the others",
                            "set OPENSWE_CLUSTER_REGISTRY (or OPENSWE_REGISTRY) to a registry every node reaches"))
    probe = ray.remote(probe_node)
    refs = {n["NodeID"]: probe.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False))
            .remote(settings.cluster_registry) for n in nodes}
    for n in nodes:
        name = f"node {n.get('NodeManagerAddress', '?')}/{n['NodeID'][:8]}"
        docker_units = n.get("Resources", {}).get(DOCKER_RESOURCE, 0)
        try:
            found = ray.get(refs[n["NodeID"]], timeout=PROBE_SECONDS)
        except Exception as exc:  # noqa: BLE001 - a node that does not answer is a finding
            checks.append(Check(name, False, f"did not answer a probe: {type(exc).__name__}", "check the node's raylet"))
            continue
        problems = []
        if "docker_error" in found:
            problems.append(f"no Docker engine ({found['docker_error']})")
        if "registry_error" in found:
            problems.append(f"registry {settings.cluster_registry} unreachable ({found['registry_error']})")
        detail = (f"{found['host']}: docker {found.get('docker', '-')}, {docker_units:g} docker unit(s)"
                  + (f", registry {settings.cluster_registry} answers" if "registry" in found else ""))
        if problems:
            checks.append(Check(name, False, "; ".join(problems),
                                "start Docker on the node and export DOCKER_HOST before `ray start`; open the route to the registry"))
        elif not docker_units:
            checks.append(Check(name, True, detail + " (declares no docker resource: stage tasks never run here)",
                                "start it with `ray start --resources '{\"docker\": N}'`", required=False))
        else:
            checks.append(Check(name, True, detail))
    return checks
