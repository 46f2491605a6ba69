"""The task bodies the nodes run, and which failures are the machine's rather than the item's.

``run_item`` wraps a stage's function: it runs it with the driver's forwarded settings, notes the node it runs
on, and sends back an ``Outcome`` — ``ok``, ``error`` (the item failed: a result) or ``infra`` (the node's
engine or the registry failed: worth a retry). ``sweep_node`` removes a node's orphaned containers.

**Which engine a task uses.** Its node's: Ray workers inherit the environment the node's ``ray start`` ran in,
so ``DOCKER_HOST`` (and the other ``DOCKER_*``) exported before ``ray start`` on a node names that node's
engine. The driver forwards only its non-secret ``OPENSWE_*`` settings (``forwarded_env``), never its own
``DOCKER_HOST``: the driver's engine is the driver machine's, and a node sent there would find no socket, or
would pile the whole cluster's builds onto one engine.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openswe_data.execute.cluster_progress import forget_running, note_running
from openswe_data.execute.images import SHARE_ENV

_FORWARD_PREFIX = "OPENSWE_"


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


def forwarded_env() -> dict[str, str]:
    """The driver's non-secret ``OPENSWE_*`` settings, for the tasks, and nothing else: a task talks to its
    node's Docker engine (``DOCKER_HOST`` and the other ``DOCKER_*`` of the environment the node's ``ray start``
    ran in, which its workers inherit), never the driver's; secrets stay with each node's own env, never in a
    task's arguments."""
    secret = {"OPENSWE_REGISTRY_PASSWORD"}
    env = {k: v for k, v in os.environ.items() if k.startswith(_FORWARD_PREFIX) and k not in secret}
    env[SHARE_ENV] = "1"
    return env
