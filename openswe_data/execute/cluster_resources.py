"""What one Ray task asks the scheduler for, and how many tasks the cluster's nodes take at once.

A stage task asks for CPUs, memory, one unit of the custom ``docker`` resource (a node declares how many Docker
jobs its engine takes: ``ray start --resources '{"docker": 4}'``), ``disk_gb`` where nodes declare it, and
the custom resources of ``OPENSWE_RAY_RESOURCES`` (only nodes declaring them run the task: a stage pinned to
some nodes). Ray places tasks by those requests; this module only says what they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DOCKER_RESOURCE = "docker"
DISK_RESOURCE = "disk_gb"


@dataclass(frozen=True)
class TaskRequest:
    """What one task asks the scheduler for."""

    cpus: float = 1.0
    memory_gb: float = 4.0
    disk_gb: float = 10.0
    extra: tuple[tuple[str, float], ...] = ()
    """Custom resources besides ``docker`` (``OPENSWE_RAY_RESOURCES``): only nodes declaring them run the task."""

    def options(self, cluster: dict[str, float]) -> dict[str, Any]:
        resources = {DOCKER_RESOURCE: 1.0}
        if cluster.get(DISK_RESOURCE):
            resources[DISK_RESOURCE] = self.disk_gb
        resources.update(self.extra)
        return {"num_cpus": self.cpus, "memory": int(self.memory_gb * 2**30), "resources": resources}

    def capacity(self, cluster: dict[str, float]) -> int:
        """Tasks the cluster's totals allow at once (an upper bound; see ``capacity_of_nodes``)."""
        return self.capacity_of_nodes([{"Alive": True, "Resources": cluster}], cluster)

    def capacity_of_nodes(self, nodes: list[dict[str, Any]], cluster: dict[str, float]) -> int:
        """The sum of what each live node can run at once: a task never spans nodes."""
        opts = self.options(cluster)
        total = 0
        for n in nodes:
            if n.get("Alive"):
                have = n.get("Resources", {})
                limits = [have.get("CPU", 0) / opts["num_cpus"] if opts["num_cpus"] else float("inf"),
                          have.get("memory", 0) / opts["memory"] if opts["memory"] else float("inf")]
                total += int(min(limits + [have.get(k, 0) / v for k, v in opts["resources"].items()]))
        return total


def extra_resources(text: str) -> tuple[tuple[str, float], ...]:
    """``OPENSWE_RAY_RESOURCES`` (a JSON object of resource name -> amount) as ``TaskRequest.extra``."""
    import json

    from openswe_data.errors import ConfigError

    if not text.strip():
        return ()
    hint = 'write a JSON object of custom resources the nodes declare, e.g. OPENSWE_RAY_RESOURCES=\'{"builder": 1}\''
    try:
        wanted = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"OPENSWE_RAY_RESOURCES is not JSON ({exc})", hint=hint) from None
    if not isinstance(wanted, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in wanted.values()):
        raise ConfigError(f"OPENSWE_RAY_RESOURCES must map names to positive amounts, got {text!r}", hint=hint)
    reserved = {"CPU", "GPU", "memory", DOCKER_RESOURCE, DISK_RESOURCE} & set(wanted)
    if reserved:
        raise ConfigError(f"OPENSWE_RAY_RESOURCES names {sorted(reserved)}, which other settings ask for",
                          hint="use OPENSWE_RAY_CPUS / OPENSWE_RAY_MEMORY_GB / OPENSWE_RAY_DISK_GB for those")
    return tuple(sorted((str(k), float(v)) for k, v in wanted.items()))
