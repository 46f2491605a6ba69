"""The Docker engine behind one small interface: connect once, say clearly when nothing answers.

Every image and container this library makes carries the label ``openswe.managed=1`` (plus a kind label),
so clean-up only ever touches what we made. Containers also carry the workspace they work for and the
process that made them (host, process id and the process's start time; ``bind_workspace``,
``owner_label``), so a resumed run can remove exactly what a killed predecessor left (``reap_containers``,
per workspace) and a node of a cluster the orphans of its dead workers (``sweep_orphans``, per engine) —
never what a live run is still using. Images do not: they are shared by content hash across workspaces.
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path
from typing import Any

from openswe_data.errors import EngineUnavailable

MANAGED_LABEL = "openswe.managed"
KIND_LABEL = "openswe.kind"  # base | head | env | eval | sample
WORKSPACE_LABEL = "openswe.workspace"
OWNER_LABEL = "openswe.owner"  # host:pid:start-time of the process that made the container
CONTAINER_KINDS = ("eval", "sample")
_WORKSPACE_ENV = "OPENSWE_BOUND_WORKSPACE"  # an environment variable, so worker processes inherit it


def labels(kind: str, **extra: str) -> dict[str, str]:
    """The labels every managed image or container carries (containers: plus workspace and owner)."""
    out = {MANAGED_LABEL: "1", KIND_LABEL: kind, **{f"openswe.{k}": v for k, v in extra.items()}}
    if kind in CONTAINER_KINDS and os.environ.get(_WORKSPACE_ENV):
        out[WORKSPACE_LABEL] = os.environ[_WORKSPACE_ENV]
        out[OWNER_LABEL] = process_owner()
    return out


def bind_workspace(path: str | Path) -> str:
    """Label the containers this process (and its workers) make with the workspace ``path``."""
    os.environ[_WORKSPACE_ENV] = str(Path(path).resolve())
    return os.environ[_WORKSPACE_ENV]


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


def _remove_orphans(filters: list[str], docker: Any = None) -> list[str]:
    """Remove our containers matching ``filters`` whose owner process on this host is gone; their names."""
    docker = docker or client()
    removed = []
    for container in docker.containers.list(all=True, filters={"label": [f"{MANAGED_LABEL}=1", *filters]}):
        if owner_alive(container.labels.get(OWNER_LABEL, "")):
            continue
        try:
            container.remove(force=True)
            removed.append(container.name)
        except Exception:  # noqa: BLE001 - gone already (its run's own clean-up or another sweeper won the race)
            pass
    return removed


def sweep_orphans(docker: Any = None) -> list[str]:
    """Remove every container of ours on this engine whose owner on this host is gone (a cluster node's
    sweep after a worker was killed); a container of another host or of a live owner is left alone."""
    return _remove_orphans([OWNER_LABEL], docker)


def reap_containers(workspace: str | Path) -> list[str]:
    """Remove the containers labelled with ``workspace`` whose owner process is gone (a killed run's);
    returns their names. Containers of a live run, or of another host, are left alone."""
    return _remove_orphans([f"{WORKSPACE_LABEL}={Path(workspace).resolve()}"])


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


def connection_errors() -> tuple[type[BaseException], ...]:
    """What the engine's client raises when its connection to the engine breaks (a daemon restart): requests'
    errors, and urllib3's own, which a streamed answer (a build's output) raises unwrapped when the socket
    closes mid-read (``ProtocolError: Connection broken: IncompleteRead``)."""
    from requests.exceptions import RequestException
    from urllib3.exceptions import HTTPError

    return RequestException, HTTPError


def wait_until_available(seconds: float, *, every: float = 2.0) -> bool:
    """Wait up to ``seconds`` for the engine to answer a ping (after a daemon restart); True when it does."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            client().ping()
            return True
        except Exception:  # noqa: BLE001 - any failure to answer is "not yet"
            client.cache_clear()
            if time.monotonic() >= deadline:
                return False
            time.sleep(every)


def available() -> bool:
    """True when a Docker engine answers."""
    try:
        client()
        return True
    except EngineUnavailable:
        client.cache_clear()
        return False
