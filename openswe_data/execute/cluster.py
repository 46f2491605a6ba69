"""The Ray executor: each item of a stage runs as a Ray task that asks for what a Docker job needs.

Input: a function and items, as for ``LocalExecutor``. Output: ``(item, result)`` pairs as tasks finish.

- **Resources.** A task asks for ``OPENSWE_RAY_CPUS`` CPUs, ``OPENSWE_RAY_MEMORY_GB`` of memory, one unit of
  the custom ``docker`` resource (a node declares how many Docker jobs its engine takes, e.g.
  ``ray start --resources '{"docker": 4}'``) and, where nodes declare ``disk_gb``, ``OPENSWE_RAY_DISK_GB`` of
  it. Ray places tasks by those requests — no scheduler of ours. Items in flight follow the cluster's
  capacity (per node, what the smallest of those resources allows), twice over so every slot has its next
  task queued, or exactly ``--workers`` when set.
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
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from openswe_data import progress
from openswe_data.errors import ClusterUnavailable
from openswe_data.execute.images import SHARE_ENV
from openswe_data.execute.cluster_progress import ClusterProgress, forget_running, note_running, running_now
from openswe_data.settings import Settings

T = TypeVar("T")
U = TypeVar("U")

DOCKER_RESOURCE = "docker"
DISK_RESOURCE = "disk_gb"
MAX_BACKOFF = 30.0
PLACE_EVERY = 0.5
"""Seconds between two looks at where a map's tasks run (one call to the cluster's key-value store)."""
_FORWARD_PREFIX = "OPENSWE_"


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


@dataclass
class Outcome:
    """What a task sends back: ``kind`` is ok | error (a result) | infra (worth a retry)."""

    kind: str
    value: Any
    node: str = ""
    seconds: float = 0.0


def is_infrastructure(exc: BaseException) -> bool:
    """Failures of the machine rather than of the item: worth running again, elsewhere if need be."""
    from openswe_data.errors import EngineUnavailable, ImageTransferFailed

    if isinstance(exc, (EngineUnavailable, ImageTransferFailed)):
        return True
    try:
        import requests
    except ImportError:  # pragma: no cover - comes with the docker SDK
        return False
    return isinstance(exc, requests.exceptions.ConnectionError)


def run_item(fn: Callable[[Any], Any], item: Any, env: dict[str, str] | None = None, run: str = "") -> Outcome:
    """The body of every Ray task (runs on a worker, one task at a time): ``fn(item)`` with the driver's
    settings ``env`` in the environment for its duration, noted as running on this node for map ``run``."""
    import ray

    node = f"{ray.util.get_node_ip_address()}/{ray.get_runtime_context().get_node_id()[:8]}"
    noted = note_running(run, node)
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    start = time.monotonic()
    try:
        return Outcome("ok", fn(item), node, time.monotonic() - start)
    except Exception as exc:  # noqa: BLE001 - a task failure is a result, sent back to the stage
        kind = "infra" if is_infrastructure(exc) else "error"
        return Outcome(kind, _portable(exc), node, time.monotonic() - start)
    finally:
        if noted:
            forget_running(noted)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a ``RuntimeError`` that keeps its type name and message."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def sweep_node() -> tuple[str, list[str], str]:
    """Remove this node's orphaned containers (a task pinned to each node): host, removed, error."""
    from openswe_data import engine

    try:
        return socket.gethostname(), engine.sweep_orphans(), ""
    except Exception as exc:  # noqa: BLE001 - reported in the progress, never fatal to the run
        return socket.gethostname(), [], f"{type(exc).__name__}: {str(exc)[:200]}"


def _system_failures() -> tuple[type[BaseException], ...]:
    from ray import exceptions as rx

    return (rx.WorkerCrashedError, rx.NodeDiedError, rx.LocalRayletDiedError, rx.ObjectLostError,
            rx.OwnerDiedError, rx.OutOfMemoryError, rx.ObjectFetchTimedOutError)


def forwarded_env() -> dict[str, str]:
    """The driver's non-secret ``OPENSWE_*`` settings, for the tasks, and nothing else: a task talks to its
    node's Docker engine (``DOCKER_HOST`` and the other ``DOCKER_*`` of the environment the node's ``ray start``
    ran in, which its workers inherit), never the driver's; secrets stay with each node's own env, never in a
    task's arguments."""
    secret = {"OPENSWE_REGISTRY_PASSWORD"}
    env = {k: v for k, v in os.environ.items() if k.startswith(_FORWARD_PREFIX) and k not in secret}
    env[SHARE_ENV] = "1"
    return env


def connect(address: str) -> None:
    """Join (or, for ``local``, start) the Ray cluster once per process."""
    import ray

    if ray.is_initialized():
        return
    _answers(address)
    try:
        if address == "local":  # a one-node cluster of this machine, as many docker units as the local pool
            from openswe_data.execute import default_workers

            ray.init(address="local", resources={DOCKER_RESOURCE: float(default_workers())},
                     include_dashboard=False, log_to_driver=False, logging_level="warning")
        else:
            ray.init(address=address, log_to_driver=False, logging_level="warning")
    except Exception as exc:  # noqa: BLE001 - ConnectionError, RuntimeError, ValueError depending on the form
        raise ClusterUnavailable(f"cannot join the Ray cluster at {address!r}: {type(exc).__name__}: {str(exc)[:300]}",
                                 hint="start one with `ray start --head` and pass --ray-address HOST:6379 "
                                      "(or `auto` on a node of the cluster)") from None


def _answers(address: str, timeout: float = 5.0) -> None:
    """Fail fast when a ``HOST:PORT`` (or ``ray://HOST:PORT``) address does not accept connections: Ray itself
    would wait for the head indefinitely."""
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        return  # ``local``, ``auto``: nothing to probe here
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return
    except OSError as exc:
        raise ClusterUnavailable(f"cannot join the Ray cluster at {address!r}: nothing answers there ({exc})",
                                 hint="start the head with `ray start --head --port 6379` and pass its HOST:PORT") from None


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
