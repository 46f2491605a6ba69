"""The Docker engine behind one small interface: connect once, say clearly when nothing answers.

Every image and container this library makes carries the label ``openswe.managed=1`` (plus a kind label),
so clean-up only ever touches what we made. Containers also carry their owner (host, process id and the
process's start time): a container whose owner died (a SIGKILLed worker, a killed driver) is an orphan,
and ``sweep_orphans`` removes it when the next run starts on that node.
"""

from __future__ import annotations

import functools
from typing import Any

from openswe_data.errors import EngineUnavailable

MANAGED_LABEL = "openswe.managed"
KIND_LABEL = "openswe.kind"  # base | env | eval
OWNER_LABEL = "openswe.owner"  # <host>/<pid>/<process start time>, on containers only


def labels(kind: str, **extra: str) -> dict[str, str]:
    """The labels every managed image or container carries."""
    return {MANAGED_LABEL: "1", KIND_LABEL: kind, **{f"openswe.{k}": v for k, v in extra.items()}}


def process_start(pid: int) -> str:
    """The start time (clock ticks since boot) of process ``pid``; '' when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def owner_label() -> dict[str, str]:
    """The owner label of a container made by this process (images never get it: it would change their id)."""
    import os
    import socket

    return {OWNER_LABEL: f"{socket.gethostname()}/{os.getpid()}/{process_start(os.getpid())}"}


def sweep_orphans(docker: Any = None) -> list[str]:
    """Remove our containers whose owning process on this host is gone; returns their names.

    Only containers with this host's owner label are looked at, so a shared engine never loses the running
    containers of another machine; a live owner (same pid and start time) keeps its containers.
    """
    import socket

    host = socket.gethostname()
    docker = docker or client()
    removed = []
    for c in docker.containers.list(all=True, filters={"label": [f"{MANAGED_LABEL}=1", OWNER_LABEL]}):
        owner_host, _, rest = c.labels.get(OWNER_LABEL, "").partition("/")
        pid, _, started = rest.partition("/")
        if owner_host != host or (pid.isdigit() and process_start(int(pid)) == started):
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
