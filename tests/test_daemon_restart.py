"""The Docker daemon restarts in the middle of a validation, and in the middle of an image build: the
in-flight instance is retried as an infrastructure failure once the engine answers again, the completed one
is untouched, nothing is lost or duplicated, and the run finishes with the verdicts it would have had anyway.

The test runs its own ``dockerd`` (``own_daemon.py``: own socket, data root, exec root, pidfile, containerd
namespace and bridge; never ``--bridge=none``, which deletes the shared engine's ``docker0``) and loads into
it environment images built on the shared engine. That daemon's builds have no network (no NAT on its
bridge): the build case uses a tiny project without requirements and a local, empty package index on the
bridge's host address.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from own_daemon import own_daemon

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
IIDS = ("openswe-examples__wordstats-7", "openswe-examples__tempconv-31")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    with own_daemon(tmp_path_factory.mktemp("dockerd")) as own:
        yield own


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



BASE = "openswe/base:py3.11"
TINY = {"calc.py": "def add(a, b):\n    return a - b\n",
        "tests/test_calc.py": "from calc import add\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n"}
FIX = "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n"
NEW_TEST = ("diff --git a/tests/test_add.py b/tests/test_add.py\nnew file mode 100644\n--- /dev/null\n"
            "+++ b/tests/test_add.py\n@@ -0,0 +1,5 @@\n+from calc import add\n+\n+\n+def test_add():\n"
            "+    assert add(1, 2) == 3\n")
LOOP = ("import sys\nfrom openswe_data.repair import build_with_loop\nfrom openswe_data.repair.loop import LoopOptions\n"
        "from openswe_data.store import Workspace\nfrom openswe_data.validate.instance import ValidateOptions\n"
        "from openswe_data.build import BuildOptions\n"
        "probe = ValidateOptions(reruns=0, k=1, max_runs_per_side=1)  # one run a side: the build is under test\n"
        "s = build_with_loop(Workspace(sys.argv[1]), workers=1, options=BuildOptions(pythons=['3.11']),\n"
        "                    loop=LoopOptions(probe=probe, memory=False, infra_pause=1.0))\n"
        "print('built', s.built, 'failed', s.failed)\n")


def _empty_index(root: Path, host: str) -> tuple[subprocess.Popen[bytes], int]:
    """A package index with no packages, on the own bridge's host address (what its builds can reach)."""
    import socket

    (root / "simple").mkdir(parents=True)
    with socket.socket() as s:
        s.bind((host, 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", host],
                              cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server, port


def test_a_daemon_restart_mid_build_retries_the_build_in_flight_and_the_run_finishes(daemon, make_repo, tmp_path,
                                                                                   request):
    """Two instances of a tiny project without packaging or requirements (it builds offline on the own
    daemon, its base image loaded once), one worker: the first completes; the daemon restarts the moment a
    step of the second's image build starts (a container from a base-image layer); that build is recorded
    as ``internal_error`` and repeated, both come out built and valid, the first untouched."""
    from openswe_data import engine
    from openswe_data.records import BuildAttempt, Environment, Task
    from openswe_data.store import Workspace

    if not engine.available():
        pytest.skip("no Docker engine answers")
    if subprocess.run(["docker", "image", "inspect", BASE], capture_output=True).returncode != 0:
        pytest.skip(f"no {BASE} on the shared engine (run `openswe images build --python 3.11`)")
    save = subprocess.Popen(["docker", "save", BASE], stdout=subprocess.PIPE)
    subprocess.run(["docker", "-H", daemon.socket, "load"], stdin=save.stdout, check=True, capture_output=True)
    assert save.wait() == 0
    ws = Workspace(tmp_path / "ws", create=True)
    iids = ("o__tiny-1", "o__tiny-2")
    for n, iid in enumerate(iids):  # different content: the second's testbed layers are not in the cache
        repo = make_repo(f"tiny{n}", {**TINY, "README": f"copy {n}\n"})
        base = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        ws.stage("tasks").put(Task(instance_id=iid, repo="o/tiny", repo_url=str(repo), base_commit=base, patch=FIX,
                                   test_patch=NEW_TEST, problem_statement="add subtracts"))
    index = _empty_index(tmp_path / "index", daemon.host)
    # the own daemon's builds have no network: the index they are given is a local one, with nothing in it, so
    # the helper step finds no pytest-timeout at once instead of retrying PyPI for minutes (tests then run
    # without a per-test timeout, as helpers.sh allows)
    env = {**os.environ, "DOCKER_HOST": daemon.socket, "PYTHONPATH": str(ROOT),
           "OPENSWE_INDEX_URL": f"http://{daemon.host}:{index[1]}/simple"}
    run = subprocess.Popen([sys.executable, "-c", LOOP, str(ws.path)], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    request.addfinalizer(index[0].kill)
    deadline = time.monotonic() + 600
    while not Workspace(ws.path).stage("environments").keys():  # the first instance is complete
        assert time.monotonic() < deadline and run.poll() is None, run.communicate()[0] if run.poll() is not None else ""
        time.sleep(0.3)
    (first,) = Workspace(ws.path).stage("environments").keys()
    first_env = Workspace(ws.path).stage("environments", Environment).get(first)
    events = subprocess.Popen(["docker", "-H", daemon.socket, "events", "--filter", "type=container", "--filter",
                               "event=start", "--filter", f"label={engine.KIND_LABEL}=base", "--format", "{{.ID}}"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert events.stdout.readline().strip(), "no build step started"  # a RUN step of the second's build
    finally:
        events.kill()
        events.wait()
    daemon.stop()  # the restart: the build dies with the daemon
    daemon.start()
    output, _ = run.communicate(timeout=900)
    assert run.returncode == 0 and "built 2 failed 0" in output, output
    ws = Workspace(ws.path)
    envs = {e.instance_id: e for e in ws.stage("environments", Environment)}
    assert sorted(envs) == sorted(iids) and len(ws.stage("environments").keys()) == len(iids)  # none lost, none twice
    assert all(e.status == "built" for e in envs.values()), {i: (e.status, e.reason) for i, e in envs.items()}
    assert ws.stage("environments", Environment).get(first) == first_env  # the completed one is untouched
    (second,) = set(iids) - {first}
    turns = sorted((a for a in ws.stage("build_attempts", BuildAttempt) if a.instance_id == second), key=lambda a: a.attempt)
    assert [(a.stage, a.reason) for a in turns][:1] == [("build", "internal_error")] and turns[-1].outcome == "valid", [
        (a.stage, a.outcome, a.reason) for a in turns]
    assert [a.attempt for a in ws.stage("build_attempts", BuildAttempt) if a.instance_id == first] == [1]
