"""Progress of a cluster run: done / running / queued / failed / retried per stage, and per stage per node.

The Ray executor updates it as tasks are submitted and come back, and prints one line every
``OPENSWE_PROGRESS_SECONDS`` (default 10) and a per-node table at the end of each stage. The driver knows
what it submitted (a stage's *in flight*); where a task runs is known once it starts: each task notes its
node under a key of the cluster's key-value store (``RUNNING_NAMESPACE``, key ``<map>/<task>/<node>``)
which the driver lists (one call, throttled) and deletes when the result (or the worker's death) comes
back, so a task is *running* on a node, or *queued* while it waits for a slot. The current stage's
per-node counts also go to the live progress (``progress.current().set_nodes``), which shows them.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

RUNNING_NAMESPACE = "openswe-running"


@dataclass
class Counts:
    done: int = 0
    running: int = 0
    failed: int = 0
    retried: int = 0

    def text(self) -> str:
        return f"{self.done} done, {self.running} running, {self.failed} failed" + (
            f", {self.retried} retried" if self.retried else "")


@dataclass
class ClusterProgress:
    stages: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    nodes: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    cells: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))
    in_flight: Counter = field(default_factory=Counter)
    retries: list[str] = field(default_factory=list)
    swept: dict[str, list[str]] = field(default_factory=dict)
    sweep_errors: list[str] = field(default_factory=list)
    every: float = field(default_factory=lambda: float(os.environ.get("OPENSWE_PROGRESS_SECONDS", "10") or 10))
    _last: float = 0.0
    _stage: str = ""

    def start(self, stage: str) -> None:
        self._stage = stage
        self._last = time.monotonic()
        self.stages[stage]  # noqa: B018 - a stage with no items still shows up

    def submitted(self, stage: str, delta: int) -> None:
        """Tasks handed to Ray (+1) or back from it (-1): in flight, running or queued."""
        self.in_flight[stage] += delta

    def placed(self, stage: str, running_nodes: list[str]) -> None:
        """Where the stage's tasks run now (one node name per running task)."""
        per_node = Counter(running_nodes)
        for (s, node), c in list(self.cells.items()):
            if s == stage:
                c.running = per_node.pop(node, 0)
        for node, n in per_node.items():
            self.cells[(stage, node)].running = n
        self.stages[stage].running = sum(c.running for (s, _), c in self.cells.items() if s == stage)
        for node in {n for _, n in self.cells}:
            self.nodes[node].running = sum(c.running for (_, n), c in self.cells.items() if n == node)

    def finished(self, stage: str, node: str, *, failed: bool) -> None:
        for c in (self.stages[stage], self.nodes[node or "unknown"], self.cells[(stage, node or "unknown")]):
            c.done += 1
            c.failed += failed
            c.running = max(0, c.running - 1)  # until the next look at where tasks run

    def retried(self, stage: str, node: str, why: str) -> None:
        for c in (self.stages[stage], self.nodes[node or "unknown"], self.cells[(stage, node or "unknown")]):
            c.retried += 1
        self.retries.append(f"{stage} on {node or 'unknown'}: {why[:200]}")

    def swept_containers(self, host: str, names: list[str], error: str = "") -> None:
        self.swept.setdefault(host, []).extend(names)
        if error:
            self.sweep_errors.append(f"{host}: {error}")

    def node_view(self, stage: str | None = None) -> dict[str, Counts]:
        """The stage's counts per node (nodes that ran or run one of its tasks)."""
        stage = stage or self._stage
        return {n: c for (s, n), c in sorted(self.cells.items()) if s == stage}

    def queued(self, stage: str) -> int:
        return max(0, self.in_flight[stage] - self.stages[stage].running)

    def line(self, stage: str | None = None) -> str:
        stage = stage or self._stage
        c = self.stages[stage]
        nodes = "; ".join(f"{n}: {k.text()}" for n, k in self.node_view(stage).items())
        return (f"[ray] {stage}: {c.done} done, {c.running} running, {self.queued(stage)} queued, {c.failed} failed, "
                f"{c.retried} retried" + (f" | {nodes}" if nodes else ""))

    def maybe_report(self, say: Callable[[str], None]) -> None:
        if self.every > 0 and time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            say(self.line())

    def report(self, say: Callable[[str], None], *, final: bool = False) -> None:
        say(self.line())
        if final:
            for n, k in self.node_view().items():
                say(f"[ray]   node {n}: {k.done} done, {k.failed} failed, {k.retried} retried")
            for host, names in sorted(self.swept.items()):
                if names:
                    say(f"[ray]   removed {len(names)} orphaned container(s) on {host}")
            for error in sorted(set(self.sweep_errors)):
                say(f"[ray]   orphaned containers not swept on {error}")


def note_running(run: str, node: str) -> str:
    """In a task: note that it runs on ``node`` (the key, to remove when it ends; "" when there is no map)."""
    if not run:
        return ""
    import ray
    from ray.experimental import internal_kv

    key = f"{run}/{ray.get_runtime_context().get_task_id()}/{node}"
    internal_kv._internal_kv_put(key, b"", namespace=RUNNING_NAMESPACE)
    return key


def forget_running(key_or_prefix: str) -> None:
    """Remove a task's note (by its key in the task, by ``<map>/<task>/`` in the driver: a killed worker's
    note stays until its result comes back), or a whole map's (``<map>/``)."""
    import contextlib

    from ray.experimental import internal_kv

    with contextlib.suppress(Exception):  # the cluster left: nothing to keep tidy
        internal_kv._internal_kv_del(key_or_prefix, del_by_prefix=True, namespace=RUNNING_NAMESPACE)


def running_now(run: str) -> dict[str, str]:
    """The tasks of map ``run`` that run now: task id -> node (one call to the cluster's store)."""
    from ray.experimental import internal_kv

    found = {}
    for key in internal_kv._internal_kv_list(f"{run}/", namespace=RUNNING_NAMESPACE):
        _, task, node = key.decode().split("/", 2)
        found[task] = node
    return found
