"""Joining the Ray cluster: once per process, failing fast and clearly when nothing answers."""

from __future__ import annotations

import socket

from openswe_data.errors import ClusterUnavailable
from openswe_data.execute.cluster_resources import DOCKER_RESOURCE


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
