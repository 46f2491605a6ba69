"""The Docker daemon restarts in the middle of a validation: the in-flight instance is retried as an
infrastructure failure once the engine answers again, the completed one is untouched, nothing is lost or
duplicated, and the run finishes with the verdicts it would have had anyway.

The test runs its own ``dockerd`` (own socket, data root, exec root, pidfile and containerd namespace, and a
bridge interface of its own: with ``--bridge=none`` dockerd deletes ``docker0`` at start-up, the shared
engine's bridge, and every build and run there then fails) and loads into it environment images built on
the shared engine. Builds are not restarted here: with no NAT on its bridge, that daemon's builds have no network.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
IIDS = ("openswe-examples__wordstats-7", "openswe-examples__tempconv-31")


class OwnDaemon:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = f"unix://{root}/docker.sock"
        self.proc: subprocess.Popen[bytes] | None = None

    BRIDGE = "openswe-t0"
    """An interface of its own, on an address range of its own (no NAT: its containers have no network)."""

    def start(self) -> None:
        if subprocess.run(["ip", "link", "show", self.BRIDGE], capture_output=True).returncode != 0:
            for cmd in (["ip", "link", "add", self.BRIDGE, "type", "bridge"],
                        ["ip", "addr", "add", "10.254.254.1/24", "dev", self.BRIDGE],
                        ["ip", "link", "set", self.BRIDGE, "up"]):
                subprocess.run(cmd, check=True, capture_output=True)
        args = ["dockerd", "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec"),
                "--pidfile", str(self.root / "dockerd.pid"), "-H", self.socket, f"--bridge={self.BRIDGE}",
                "--iptables=false", "--ip6tables=false", "--containerd-namespace", "openswe-test",
                "--containerd-plugins-namespace", "openswe-test-plugins"]
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

    def containers(self) -> list[str]:
        out = subprocess.run(["docker", "-H", self.socket, "ps", "-q"], capture_output=True, text=True).stdout
        return out.split()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    if shutil.which("dockerd") is None or shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("needs dockerd, ip (iproute2) and root to run a daemon of its own")
    own = OwnDaemon(tmp_path_factory.mktemp("dockerd"))
    own.start()
    yield own
    own.stop()
    subprocess.run(["ip", "link", "delete", OwnDaemon.BRIDGE], capture_output=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory, daemon):
    """Two examples collected and built on the shared engine, their images loaded into the own daemon."""
    from openswe_data import engine
    from openswe_data.collect import collect_dump
    from openswe_data.repair import build_with_loop
    from openswe_data.store import Workspace

    if not engine.available():
        pytest.skip("no Docker engine answers")
    root = tmp_path_factory.mktemp("restart")
    subprocess.run([sys.executable, str(ROOT / "examples" / "make_repos.py"), "--out", str(root / "repos"),
                    "--dump", str(root / "all.jsonl"), "--quiet"], check=True)
    names = [i.split("__")[1].rsplit("-", 1)[0] for i in IIDS]
    lines = [raw for raw in (root / "all.jsonl").read_text().splitlines()
             if any(f'"openswe-examples/{n}"' in raw for n in names)]
    (root / "prs.jsonl").write_text("\n".join(lines) + "\n")
    ws = Workspace(root / "ws", create=True)
    collect_dump([root / "prs.jsonl"], ws)
    build_with_loop(ws, workers=1)
    images = [e.image_name for e in ws.stage("environments") if e.status == "built"]
    assert len(images) == len(IIDS)
    save = subprocess.Popen(["docker", "save", *images], stdout=subprocess.PIPE)  # from the shared engine
    subprocess.run(["docker", "-H", daemon.socket, "load"], stdin=save.stdout, check=True, capture_output=True)
    assert save.wait() == 0
    return ws


def test_a_daemon_restart_mid_validation_loses_and_duplicates_nothing_and_the_run_finishes(built, daemon):
    from openswe_data.records import ValidatedRecord

    ws = built
    env = {**os.environ, "DOCKER_HOST": daemon.socket, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen([sys.executable, "-m", "openswe_data", "validate", "-w", str(ws.path), "--workers", "1"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    items = ws.path / "validations" / "items"
    deadline = time.monotonic() + 600
    while not list(items.glob("*/*.json")):  # the first instance is complete
        assert time.monotonic() < deadline and run.poll() is None, run.stdout.read() if run.poll() is not None else ""
        time.sleep(0.5)
    (first,) = list(items.glob("*/*.json"))
    first_bytes, first_mtime = first.read_bytes(), first.stat().st_mtime_ns
    while not daemon.containers():  # the second is in flight
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.2)
    daemon.stop()  # the restart: every running container dies with the daemon
    time.sleep(3)
    daemon.start()
    output, _ = run.communicate(timeout=900)
    assert run.returncode == 0, output
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())
    records = {r.instance_id: r for r in ws.stage("records", ValidatedRecord)}
    assert sorted(records) == sorted(IIDS) and len(ws.stage("records").keys()) == len(IIDS)
    for iid, record in records.items():
        assert record.verdict == expected[iid]["verdict"] and record.reason != "internal_error", (iid, record.reason)
        assert sorted(record.FAIL_TO_PASS) == sorted(expected[iid]["FAIL_TO_PASS"])
    assert first.read_bytes() == first_bytes and first.stat().st_mtime_ns == first_mtime  # untouched
    assert f"valid {len(IIDS)}, invalid 0" in output
