"""Where work runs: a bounded local worker pool (default), or a Ray cluster through the same interface.

Input: a function and items. Output: ``(item, result)`` pairs as they finish, where a result may be the
exception an item raised — one failing item never stops the others. Stages call ``executor.map`` and
write each result to the store as it arrives, so a killed run keeps everything already finished.

Which executor runs is configuration (``OPENSWE_EXECUTOR``, ``OPENSWE_RAY_ADDRESS``, ``OPENSWE_WORKERS``, or
the CLI's ``--executor`` / ``--ray-address`` / ``--workers``), so a stage's code is the same on one machine
and on a cluster. The cluster path is ``cluster.py`` (the Ray executor: tasks in flight, retries),
``cluster_resources.py`` (what a task asks for), ``cluster_tasks.py`` (what runs on a node, with its node's
Docker engine), ``cluster_connect.py`` (joining), ``cluster_progress.py``, ``images.py`` (images between nodes
through a registry) and ``engine.sweep_orphans`` (containers of dead workers).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Protocol, TypeVar

from openswe_data import progress

T = TypeVar("T")
U = TypeVar("U")

GB_PER_WORKER = 4
"""Memory one Docker build or validation may need; concurrency follows cores and memory."""


def default_workers() -> int:
    """Workers for this machine: at most one per core, and one per ``GB_PER_WORKER`` of memory."""
    cores = os.cpu_count() or 1
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gb = 8
    return max(1, min(cores, int(mem_gb // GB_PER_WORKER)))


class Executor(Protocol):
    def map(self, fn: Callable[[T], U], items: Iterable[T]) -> Iterator[tuple[T, U | BaseException]]:
        """Run ``fn`` over ``items``; yield each item with its result or exception as it finishes."""


class LocalExecutor:
    """A bounded thread pool: the heavy work happens in the Docker engine, not in Python."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or default_workers()

    def map(self, fn: Callable[[T], U], items: Iterable[T]) -> Iterator[tuple[T, U | BaseException]]:
        pending: dict[Future[U], T] = {}
        it = iter(items)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="openswe") as pool:
            def refill() -> None:
                while len(pending) < self.workers:
                    try:
                        item = next(it)
                    except StopIteration:
                        return
                    pending[pool.submit(fn, item)] = item
                    progress.current().started(item)

            refill()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    item = pending.pop(fut)
                    exc = fut.exception()
                    yield item, (exc if exc is not None else fut.result())
                refill()


def get_executor(workers: int = 0, *, kind: str | None = None, address: str | None = None) -> Executor:
    """The executor the settings name: ``workers`` (else ``OPENSWE_WORKERS``) bounds items in flight."""
    from openswe_data.errors import ConfigError
    from openswe_data.settings import Settings

    settings = Settings()
    workers = workers or settings.workers
    kind = kind or settings.executor
    if kind == "local":
        return LocalExecutor(workers)
    if kind == "ray":
        from openswe_data.execute.cluster import RayExecutor

        return RayExecutor(address or settings.ray_address, workers=workers, settings=settings)
    raise ConfigError(f"unknown executor {kind!r}", hint="use `local` or `ray` (--executor / OPENSWE_EXECUTOR)")
