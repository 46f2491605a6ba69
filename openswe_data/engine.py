"""The Docker engine behind one small interface: connect once, say clearly when nothing answers.

Every image and container this library makes carries the label ``openswe.managed=1`` (plus a kind label),
so clean-up only ever touches what we made. Containers also carry their owner (host, process id and the
process's start time): a container whose owner died (a SIGKILLed worker, a killed driver) is an orphan,
and ``sweep_orphans`` removes it when the next run starts on that node.
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path
from typing import Any

from openswe_data.errors import EngineUnavailable

MANAGED_LABEL = "openswe.managed"
KIND_LABEL = "openswe.kind"  # base | env | eval
OWNER_LABEL = "openswe.owner"  # host:pid:start-time of the process that made the container (containers only)


def labels(kind: str, **extra: str) -> dict[str, str]:
    """The labels every managed image or container carries."""
    return {MANAGED_LABEL: "1", KIND_LABEL: kind, **{f"openswe.{k}": v for k, v in extra.items()}}


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # field 22: start time in clock ticks since boot


def process_owner(pid: int | None = None) -> str:
    """``host:pid:start-time``: names a process uniquely even after its pid is reused."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or '?'}"


def owner_alive(owner: str) -> bool:
    """Whether the process an owner label names is still running (on another host: assumed so)."""
    host, _, rest = owner.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname():
        return True
    if not pid.isdigit():
        return False
    return _start_time(int(pid)) == start


def owner_label() -> dict[str, str]:
    """The owner label of a container made by this process (images never get it: it would change their id)."""
    return {OWNER_LABEL: process_owner()}


def sweep_orphans(docker: Any = None) -> list[str]:
    """Remove our containers whose owning process on this host is gone; returns their names.

    A container of another host (a shared engine) or of a live owner (same pid and start time) is left alone.
    """
    docker = docker or client()
    removed = []
    for c in docker.containers.list(all=True, filters={"label": [f"{MANAGED_LABEL}=1", OWNER_LABEL]}):
        if owner_alive(c.labels.get(OWNER_LABEL, "")):
            continue
        try:
            c.remove(force=True)
            removed.append(c.name)
        except Exception:  # noqa: BLE001 - already gone (another sweeper won the race)
            pass
    return removed


@functools.lru_cache(maxsize=1)
def client(timeout: int = 600) -> Any:
    """A connected ``docker.DockerClient`` (``DOCKER_HOST`` or the default socket)."""
    import docker
    from docker.errors import DockerException

    try:
        c = docker.from_env(timeout=timeout)
        c.ping()
    except (DockerException, OSError) as exc:
        raise EngineUnavailable(
            f"no Docker engine answers ({exc.__class__.__name__}: {str(exc)[:200]})",
            hint="run `bash scripts/docker-up.sh` and export the DOCKER_HOST it prints",
        ) from None
    return c


def available() -> bool:
    """True when a Docker engine answers."""
    try:
        client()
        return True
    except EngineUnavailable:
        client.cache_clear()
        return False
