"""A ``dockerd`` of a test's own, beside the shared engine (which it must never disturb).

Own socket, data root, exec root, pidfile and containerd namespaces, and a bridge interface of its own: with
``--bridge=none`` dockerd deletes ``docker0`` at start-up, the shared engine's bridge, and every build and run
there then fails. The bridge has no NAT (``--iptables=false``): the daemon's containers reach only this
machine's address on it, while the daemon itself (pulls, pushes) uses the host's network, loopback included.
Each user passes its own bridge name, address and namespace, so two tests' daemons never share one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


class OwnDaemon:
    def __init__(self, root: Path, *, bridge: str = "openswe-t0", host: str = "10.254.254.1",
                 namespace: str = "openswe-test") -> None:
        self.root = root
        self.socket = f"unix://{root}/docker.sock"
        self.bridge = bridge
        """An interface of its own, on an address range of its own (no NAT: its containers have no network)."""
        self.host = host
        """This machine's address on that bridge (the only one its containers reach)."""
        self.namespace = namespace
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if subprocess.run(["ip", "link", "show", self.bridge], capture_output=True).returncode != 0:
            for cmd in (["ip", "link", "add", self.bridge, "type", "bridge"],
                        ["ip", "addr", "add", f"{self.host}/24", "dev", self.bridge],
                        ["ip", "link", "set", self.bridge, "up"]):
                subprocess.run(cmd, check=True, capture_output=True)
        args = ["dockerd", "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec"),
                "--pidfile", str(self.root / "dockerd.pid"), "-H", self.socket, f"--bridge={self.bridge}",
                "--iptables=false", "--ip6tables=false", "--containerd-namespace", self.namespace,
                "--containerd-plugins-namespace", f"{self.namespace}-plugins"]
        log = open(self.root / "dockerd.log", "ab")  # noqa: SIM115 - the daemon keeps it open
        self.proc = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 60
        while subprocess.run(["docker", "-H", self.socket, "info"], capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, (self.root / "dockerd.log").read_text()[-2000:]
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def containers(self, *, all: bool = False) -> list[str]:
        out = subprocess.run(["docker", "-H", self.socket, "ps", "-q", *(["-a"] if all else [])],
                             capture_output=True, text=True).stdout
        return out.split()

    def client(self):
        """A docker SDK client of this daemon."""
        import docker

        return docker.DockerClient(base_url=self.socket, timeout=600)


@contextlib.contextmanager
def own_daemon(root: Path, **kwargs: str) -> Iterator[OwnDaemon]:
    """Run an ``OwnDaemon`` until the block ends, then stop it and delete its bridge (``docker0`` stays);
    skips when this machine cannot run one."""
    if shutil.which("dockerd") is None or shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("needs dockerd, ip (iproute2) and root to run a daemon of its own")
    own = OwnDaemon(root, **kwargs)
    try:
        own.start()
        yield own
    finally:
        own.stop()
        subprocess.run(["ip", "link", "delete", own.bridge], capture_output=True)
