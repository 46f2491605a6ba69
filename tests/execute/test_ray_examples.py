"""Bundled examples (one of each verdict) built and validated on a real Ray cluster (a head and two one-CPU nodes, each with
one ``docker`` unit) with a real registry carrying the images, while a worker is SIGKILLed during the
build stage and another during a validation: the records are those of the local run, each exactly once,
and no container is left behind."""

from __future__ import annotations

import pytest

from execute_helpers import WorkerKiller, capture_executors, leftovers, running_container_of

pytestmark = [pytest.mark.docker, pytest.mark.slow]

# One example of each verdict the examples reach (valid, flaky, patch_does_not_apply, no_fail_to_pass) and a
# second valid one: every path of build and validate, at half the cost of all eleven (CI time).
SUBSET = ["openswe-examples__bytesize-18", "openswe-examples__wordstats-7", "openswe-examples__coinflip-3",
          "openswe-examples__headline-22", "openswe-examples__listutils-14"]


def test_the_examples_on_a_ray_cluster_with_killed_workers_end_as_locally(
        examples_workspace, on_ray, cluster_registry, docker_client, monkeypatch, tmp_path):
    from openswe_data.execute.images import registry_tags
    from openswe_data.records import Environment
    from openswe_data.repair import build_with_loop
    from openswe_data.store import Workspace
    from openswe_data.validate import validate_environments

    monkeypatch.setenv("OPENSWE_CLUSTER_REGISTRY", cluster_registry)
    local, expected, _ = examples_workspace
    ws = Workspace(tmp_path / "ws", create=True)
    for iid in SUBSET:
        ws.stage("tasks").put(local.stage("tasks").get(iid))
    executors = capture_executors(monkeypatch)

    with WorkerKiller(after=3.0) as build_kill:
        build_with_loop(ws)
    with WorkerKiller(after=0.5, ready=lambda pid: running_container_of(docker_client, pid)) as validate_kill:
        validate_environments(ws)

    assert build_kill.killed and validate_kill.killed, "a worker must have been killed in each stage"
    build_ex, validate_ex = executors
    assert build_ex.progress.stages["build_with_loop"].retried >= 1
    assert validate_ex.progress.stages["validate_environments"].retried >= 1
    for ex in executors:  # both nodes did work in both stages
        assert sum(c.done > 0 for c in ex.progress.nodes.values()) == 2, ex.progress.nodes

    mine = {r.instance_id: r for r in ws.stage("records")}
    theirs = {r.instance_id: r for r in local.stage("records") if r.instance_id in SUBSET}
    assert set(mine) == set(theirs) == set(SUBSET)
    assert {expected[i]["verdict"] + expected[i]["reason"] for i in SUBSET} == {
        "valid", "invalidflaky", "invalidpatch_does_not_apply", "invalidno_fail_to_pass"}
    for iid, r in theirs.items():
        # not the image id: a build cut short by the kill leaves some layers uncached, and a rebuilt layer
        # has a new id; what the image does (the verdict and its tests) is what must match
        got = (mine[iid].verdict, mine[iid].reason, sorted(mine[iid].FAIL_TO_PASS), sorted(mine[iid].PASS_TO_PASS))
        assert got == (r.verdict, r.reason, sorted(r.FAIL_TO_PASS), sorted(r.PASS_TO_PASS)), iid
    for stage in ("environments", "validations", "records"):  # one result file per instance: nothing twice
        assert len(list((ws.path / stage / "items").rglob("*.json"))) == len(SUBSET), stage

    built = {e.image_digest.split(":", 1)[1] for e in ws.stage("environments", Environment) if e.status == "built"}
    assert built and built <= set(registry_tags(cluster_registry))  # every image travelled through the registry
    assert leftovers(docker_client) == []
