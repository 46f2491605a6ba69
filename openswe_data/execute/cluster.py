"""The Ray executor: each item of a stage runs as a Ray task that asks for what a Docker job needs.

Input: a function and items, as for ``LocalExecutor``. Output: ``(item, result)`` pairs as tasks finish.

- **Resources** (``cluster_resources.py``). A task asks for ``OPENSWE_RAY_CPUS`` CPUs, ``OPENSWE_RAY_MEMORY_GB``
  of memory, one unit of the custom ``docker`` resource, ``OPENSWE_RAY_DISK_GB`` of ``disk_gb`` where nodes
  declare it, and the custom resources of ``OPENSWE_RAY_RESOURCES``. Ray places tasks by those requests — no
  scheduler of ours. Items in flight follow the cluster's capacity (per node, what the smallest of those
  resources allows), twice over so every slot has its next task queued, or exactly ``--workers`` when set.
- **Engines** (``cluster_tasks.py``). A task talks to its node's Docker engine (the ``DOCKER_HOST`` its
  ``ray start`` ran with); the driver forwards only its ``OPENSWE_*`` settings, never its own engine.
- **Failures.** A task whose function raised is a *result*: it comes back as the exception, like locally,
  and the stage records it. An *infrastructure* failure — the worker process or its node died, the node's
  Docker engine does not answer, an image could not travel through the registry — is retried with
  exponential backoff (``OPENSWE_RAY_RETRIES`` times, 1 s, 2 s, 4 s, ... up to 30 s), then returned.
- **Leftovers.** Containers carry their owner process (``engine.owner_label``); at the start and end of a
  map, and after every infrastructure failure, a zero-CPU task on every node removes the containers of dead
  owners, so a SIGKILLed worker or a killed driver leaves nothing behind once the next run passes.
- **Results.** Tasks return records to the driver, which writes each one atomically as it arrives (the
  store's one-file-per-item guarantee), so a driver killed mid-run loses only what was still running.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from openswe_data import progress
from openswe_data.errors import ClusterUnavailable
from openswe_data.execute.cluster_connect import connect
from openswe_data.execute.cluster_progress import ClusterProgress, forget_running, running_now
from openswe_data.execute.cluster_resources import DOCKER_RESOURCE, TaskRequest, extra_resources
from openswe_data.execute.cluster_tasks import Outcome, forwarded_env, run_item, sweep_node
from openswe_data.settings import Settings

T = TypeVar("T")
U = TypeVar("U")
MAX_BACKOFF = 30.0
PLACE_EVERY = 0.5
"""Seconds between two looks at where a map's tasks run (one call to the cluster's key-value store)."""


@dataclass
class RayExecutor:
    """Runs a stage's items as Ray tasks on the cluster at ``address``."""

    address: str = "local"
    workers: int = 0
    settings: Settings = field(default_factory=Settings)
    say: Callable[[str], None] | None = None
    progress: ClusterProgress = field(default_factory=ClusterProgress)
    base_delay: float = 1.0

    def request(self) -> TaskRequest:
        s = self.settings
        return TaskRequest(cpus=s.ray_cpus, memory_gb=s.ray_memory_gb, disk_gb=s.ray_disk_gb,
                           extra=extra_resources(s.ray_resources))

    def sweep(self) -> list[Any]:
        """Start a sweep of orphaned containers on every live node; returns the task refs."""
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        remote = ray.remote(sweep_node)
        return [remote.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False))
                .remote() for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get(DOCKER_RESOURCE)]

    def map(self, fn: Callable[[T], U], items: Iterable[T]) -> Iterator[tuple[T, U | BaseException]]:
        import ray

        request = self.request()  # a bad setting fails before the cluster is joined
        connect(self.address)
        stage = getattr(fn, "__qualname__", "work").split(".")[0]
        cluster = ray.cluster_resources()
        capacity = request.capacity_of_nodes(ray.nodes(), cluster)
        if capacity < 1:
            raise ClusterUnavailable(
                f"no node of the Ray cluster can run a task asking for {request.options(cluster)} "
                f"(cluster: { {k: v for k, v in cluster.items() if not k.startswith('node:')}})",
                hint="start nodes with `ray start --resources '{\"docker\": N}'` and enough CPU and memory, "
                     "or lower OPENSWE_RAY_CPUS / OPENSWE_RAY_MEMORY_GB")
        # One task queued per slot besides the running one: a finished worker starts the next task on the lease
        # it holds instead of waiting a round trip to the driver (--workers caps the total exactly).
        in_flight = self.workers or 2 * capacity
        task = ray.remote(run_item).options(max_retries=0, **request.options(cluster))
        fn_ref, env_ref = ray.put(fn), ray.put(forwarded_env())  # settings as an argument: no per-env worker pool
        sweeps = self.sweep()
        run = uuid.uuid4().hex[:12]  # this map's notes of where its tasks run
        pending: dict[Any, tuple[T, int]] = {}
        retry_at: list[tuple[float, int, T, int]] = []
        seq = itertools.count()
        source = iter(items)
        exhausted = False
        self.progress.start(stage)
        tracker = progress.current()
        placed_at = 0.0

        def submit(item: T, attempt: int) -> None:
            pending[task.remote(fn_ref, item, env_ref, run)] = (item, attempt)
            self.progress.submitted(stage, +1)
            tracker.started(item)

        def place(look: bool = True) -> None:  # where tasks run now, per node (throttled: one call to the cluster)
            nonlocal placed_at
            if look and time.monotonic() - placed_at >= PLACE_EVERY:
                placed_at = time.monotonic()
                tasks = {ref.task_id().hex() for ref in pending}
                self.progress.placed(stage, [n for t, n in running_now(run).items() if t in tasks])
            tracker.set_nodes({n: c.text() for n, c in self.progress.node_view(stage).items()})

        try:
            while True:
                while len(pending) < in_flight and retry_at and retry_at[0][0] <= time.monotonic():
                    _, _, item, attempt = heapq.heappop(retry_at)
                    submit(item, attempt)
                while len(pending) < in_flight and not exhausted:
                    try:
                        submit(next(source), 1)
                    except StopIteration:
                        exhausted = True
                if not pending and not retry_at and exhausted:
                    break
                wait_for = max(0.05, retry_at[0][0] - time.monotonic()) if retry_at else 1.0
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=min(wait_for, 1.0)) if pending else ([], [])
                if not pending:
                    time.sleep(min(wait_for, 1.0))
                for ref in ready:
                    item, attempt = pending.pop(ref)
                    self.progress.submitted(stage, -1)
                    outcome = self._outcome(ref)
                    if outcome.kind == "infra":  # a killed worker could not remove its note
                        forget_running(f"{run}/{ref.task_id().hex()}/")
                    if outcome.kind == "infra" and attempt <= self.settings.ray_retries:
                        delay = min(MAX_BACKOFF, self.base_delay * 2 ** (attempt - 1))
                        heapq.heappush(retry_at, (time.monotonic() + delay, next(seq), item, attempt + 1))
                        self.progress.retried(stage, outcome.node, f"{type(outcome.value).__name__}: {outcome.value}")
                        sweeps += self.sweep()
                        continue
                    failed = outcome.kind != "ok" or _failed_record(outcome.value)
                    self.progress.finished(stage, outcome.node, failed=failed)
                    place(look=False)
                    yield item, outcome.value
                place()
                self.progress.maybe_report(self.say or _stderr)
        finally:  # the consumer stopped early (an interrupt, an error): stop what still runs
            for ref in pending:
                with contextlib.suppress(Exception):  # already finished, or Ray already gone
                    ray.cancel(ref)
            forget_running(f"{run}/")
        sweeps += self.sweep()
        self._settle(sweeps)
        self.progress.report(self.say or _stderr, final=True)

    def _outcome(self, ref: Any) -> Outcome:
        import ray
        from ray.exceptions import RayTaskError

        try:
            return ray.get(ref)
        except RayTaskError as exc:  # the wrapper itself failed (a function or result that cannot be pickled)
            return Outcome("error", RuntimeError(str(exc).strip().splitlines()[-1] if str(exc) else repr(exc)))
        except _system_failures() as exc:
            return Outcome("infra", exc, _node_of(exc))

    def _settle(self, sweeps: list[Any]) -> None:
        import ray

        try:
            for host, removed, error in ray.get(sweeps, timeout=120):
                self.progress.swept_containers(host, removed, error)
        except Exception:  # noqa: BLE001 - a node that left mid-sweep is swept when it comes back
            pass


def _system_failures() -> tuple[type[BaseException], ...]:
    from ray import exceptions as rx

    return (rx.WorkerCrashedError, rx.NodeDiedError, rx.LocalRayletDiedError, rx.ObjectLostError,
            rx.OwnerDiedError, rx.OutOfMemoryError, rx.ObjectFetchTimedOutError)


def _failed_record(value: Any) -> bool:
    """Whether a returned record says the item failed (a build ``failed``, a validation ``invalid``)."""
    if isinstance(value, tuple) and value:
        value = value[0]
    value = getattr(value, "environment", value)
    return (getattr(value, "status", None) or getattr(value, "verdict", None)) in ("failed", "invalid")


def _node_of(exc: BaseException) -> str:
    """The node a system failure names (``IP/id``, as ``run_item`` reports nodes), or ``unknown node``."""
    import re

    import ray

    m = re.search(r"[Nn]ode ?(?:ID|id)[:=]? ?([0-9a-f]{8,})", str(exc))
    if m:
        for n in ray.nodes():
            if n["NodeID"].startswith(m.group(1)[:8]):
                return f"{n.get('NodeManagerAddress', '?')}/{n['NodeID'][:8]}"
    return "unknown node"


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
