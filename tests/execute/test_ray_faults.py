"""Faults on a real Ray cluster: the driver (`openswe validate --executor ray`) SIGKILLed mid-validation and
then resumed, and a node that disappears mid-task. Nothing is lost, nothing is written twice, and no
container outlives the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from execute_helpers import descendants, leftovers, ray_task_pids, running_container_of, wait_for


@pytest.mark.docker
@pytest.mark.slow
def test_a_killed_driver_loses_nothing_and_the_same_command_resumes(
        examples_workspace, ray_cluster, cluster_registry, docker_client, tmp_path):
    from openswe_data.store import Workspace

    local, expected, _ = examples_workspace
    ids = sorted(i for i, e in expected.items() if e["verdict"] == "valid")[:3]
    ws = Workspace(tmp_path / "ws", create=True)
    for iid in ids:  # built environments (their images are on the engine); only validation is left
        ws.stage("tasks").put(local.stage("tasks").get(iid))
        ws.stage("environments").put(local.stage("environments").get(iid))
    env = {**os.environ, "OPENSWE_RAY_MEMORY_GB": "1", "OPENSWE_PROGRESS_SECONDS": "0",
           "OPENSWE_CLUSTER_REGISTRY": cluster_registry}
    cmd = [sys.executable, "-m", "openswe_data", "validate", "-w", str(ws.path),
           "--executor", "ray", "--ray-address", ray_cluster.address]

    driver = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any(running_container_of(docker_client, pid) for pid in ray_task_pids()), 300,
                 "a validation container of the first driver")
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait()
    before = set(ws.stage("records").keys())
    assert before != set(ids), "the driver was killed after it had finished"

    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"skipped (already done) {len(before)}" in resumed.stdout
    assert "[ray] validate_environments:" in resumed.stderr  # progress across the cluster
    records = {r.instance_id: r for r in ws.stage("records")}
    assert set(records) == set(ids)
    for iid in ids:
        want = local.stage("records").get(iid)
        assert (records[iid].verdict, sorted(records[iid].FAIL_TO_PASS)) == (want.verdict, sorted(want.FAIL_TO_PASS))
    for stage in ("validations", "records"):
        assert len(list((ws.path / stage / "items").rglob("*.json"))) == len(ids), stage
    assert leftovers(docker_client) == []


def nap(x: int) -> int:
    time.sleep(2)
    return x


def test_a_node_that_disappears_mid_task_has_its_items_run_elsewhere(on_ray):
    import threading

    from openswe_data.execute import get_executor

    node = on_ray.add_node(num_cpus=1, resources={"docker": 1}, memory=4 * 2**30)
    on_ray.wait_for_nodes()
    raylet = node.all_processes["raylet"][0].process.pid
    ex = get_executor()

    def remove_when_busy() -> None:
        wait_for(lambda: set(ray_task_pids()) & descendants(raylet), 60, "a task on the new node")
        on_ray.remove_node(node, allow_graceful=False)

    t = threading.Thread(target=remove_when_busy)
    t.start()
    results = dict(ex.map(nap, range(6)))
    t.join()
    assert results == {i: i for i in range(6)}
    assert ex.progress.stages["nap"].retried >= 1, ex.progress.retries
