"""Each node of a cluster talks to its own Docker engine: two nodes joined to the session's cluster, node A
started with the shared engine's ``DOCKER_HOST`` and node B with a ``dockerd`` of this test's own (empty at the
start). The driver's ``DOCKER_HOST`` names the shared engine: had it reached B's tasks, B would find the
image there and pull nothing. An example is built on A (``OPENSWE_RAY_RESOURCES`` pins each stage to one
node), travels through the registry, is pulled by digest on B, validated and graded there: the records are
the local run's, B holds only what it pulled, and neither engine keeps a container. Then B asks for the base
image a build would need: it pulls the one A offered to the registry instead of building it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from execute_helpers import assert_same_records, capture_executors, leftovers
from own_daemon import own_daemon

pytestmark = [pytest.mark.docker, pytest.mark.slow]

IID = "openswe-examples__wordstats-7"
ATTEMPTS = Path(__file__).resolve().parents[2] / "examples" / "attempts.jsonl"


@pytest.fixture(scope="module")
def two_engines(ray_cluster, tmp_path_factory):
    """Nodes A (the shared engine) and B (an own dockerd), each with one ``docker`` unit and a resource naming
    it; removed again, with the daemon and its bridge, when the module ends (``docker0`` stays)."""
    with own_daemon(tmp_path_factory.mktemp("engine-b"), bridge="openswe-t1", host="10.254.253.1",
                    namespace="openswe-test-ray") as own:
        a = ray_cluster.add_node(num_cpus=1, resources={"docker": 1, "engine_a": 1}, memory=4 * 2**30,
                                 env_vars={"DOCKER_HOST": os.environ["DOCKER_HOST"]})
        b = ray_cluster.add_node(num_cpus=1, resources={"docker": 1, "engine_b": 1}, memory=4 * 2**30,
                                 env_vars={"DOCKER_HOST": own.socket})
        ray_cluster.wait_for_nodes()
        try:
            yield a, b, own
        finally:
            for node in (a, b):
                ray_cluster.remove_node(node)
    assert subprocess.run(["ip", "link", "show", "docker0"], capture_output=True).returncode == 0, \
        "the shared engine's bridge must survive the own daemon"


def _nodes(ex) -> set[str]:
    """The nodes (id prefixes) an executor's tasks finished on."""
    return {name.rsplit("/", 1)[1] for name in ex.progress.nodes}


def test_each_node_uses_its_own_engine_and_images_travel_by_digest(
        examples_workspace, two_engines, on_ray, cluster_registry, docker_client, monkeypatch, tmp_path):
    from openswe_data.records import Environment
    from openswe_data.repair import build_with_loop
    from openswe_data.store import Workspace
    from openswe_data.validate import validate_environments
    from openswe_data.validate.evaluate import evaluate

    a, b, own = two_engines
    engine_b = own.client()
    assert engine_b.images.list() == []  # B starts with nothing: no image, no base
    monkeypatch.setenv("OPENSWE_CLUSTER_REGISTRY", cluster_registry)
    local = examples_workspace[0]
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("tasks").put(local.stage("tasks").get(IID))
    executors = capture_executors(monkeypatch)

    monkeypatch.setenv("OPENSWE_RAY_RESOURCES", '{"engine_a": 1}')
    assert build_with_loop(ws).built == 1
    monkeypatch.setenv("OPENSWE_RAY_RESOURCES", '{"engine_b": 1}')
    validate_environments(ws)
    assert_same_records(ws, local, [IID])

    gold = next(p for p in map(json.loads, ATTEMPTS.read_text().splitlines()) if p["instance_id"] == IID)
    predictions = [gold, {**gold, "model_name_or_path": "broken",  # the fix against the wrong context
                          "model_patch": gold["model_patch"].replace("\n ", "\n x", 1)}]
    records = {r.instance_id: r for r in ws.stage("records")}
    on_b = {r.model: (r.resolved, r.reason) for r in evaluate(records, predictions).results}
    monkeypatch.setenv("OPENSWE_EXECUTOR", "local")
    here = {r.model: (r.resolved, r.reason) for r in evaluate(records, predictions).results}
    assert on_b == here == {gold["model_name_or_path"]: (True, ""), "broken": (False, "patch_does_not_apply")}

    build_ex, validate_ex, grade_ex = executors[:3]
    assert _nodes(build_ex) == {a.node_id[:8]} and _nodes(validate_ex) == _nodes(grade_ex) == {b.node_id[:8]}
    env = ws.stage("environments", Environment).get(IID)
    assert docker_client.images.get(env.image_name).id == env.image_digest  # built on A, in A's engine
    (image,) = engine_b.images.list()  # the environment image alone: its base came as its layers
    assert image.id == env.image_digest and env.image_name in image.tags
    assert [d.split("@")[0] for d in image.attrs["RepoDigests"]] == [f"{cluster_registry}/openswe/cluster"]  # pulled
    assert leftovers(docker_client) == [] and engine_b.containers.list(all=True) == []

    # a build on B would need the base image: A offered its own to the registry, B pulls it instead of building
    from openswe_data.execute import get_executor
    from openswe_data.execute.images import BASE_REPOSITORY, registry_tags

    assert registry_tags(cluster_registry, BASE_REPOSITORY)  # pushed by A's build
    monkeypatch.setenv("OPENSWE_EXECUTOR", "ray")
    ((_, base),) = get_executor().map(base_on_this_node, [env.python_version])
    assert isinstance(base, tuple), base
    tag, base_id, built = base
    assert not built and docker_client.images.get(tag).id == base_id  # the very image A has
    assert engine_b.images.get(tag).attrs["RepoDigests"][0].startswith(f"{cluster_registry}/{BASE_REPOSITORY}@")


def base_on_this_node(python: str) -> tuple[str, str, bool]:
    """On a node: ensure the base image for ``python``; its tag, id, and whether it was built here."""
    from openswe_data.build.base_images import ensure_base_image
    from openswe_data.build.base_recipes import load_recipes

    image = ensure_base_image(load_recipes()[python])
    return image.tag, image.image_id, image.built
