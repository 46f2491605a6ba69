"""The Ray executor on a real local cluster (a head and two one-CPU worker nodes): results come back like the
local pool's, a task failure is a result and is not retried, a killed worker is an infrastructure failure
that is retried, concurrency follows the cluster's resources, and settings choose the executor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openswe_data.errors import ClusterUnavailable, ConfigError
from openswe_data.execute import LocalExecutor, get_executor
from openswe_data.execute.cluster import RayExecutor
from openswe_data.execute.cluster_resources import TaskRequest


def square_or_fail(x: int) -> int:
    if x == 3:
        raise ValueError("three is refused")
    return x * x


def test_the_ray_executor_returns_what_the_local_pool_returns(on_ray):
    ray_results = dict(get_executor().map(square_or_fail, range(8)))
    local_results = dict(LocalExecutor(2).map(square_or_fail, range(8)))
    assert {k: v for k, v in ray_results.items() if k != 3} == {k: v for k, v in local_results.items() if k != 3}
    assert isinstance(ray_results[3], ValueError) and str(ray_results[3]) == "three is refused"


def counted(args: tuple[str, int]) -> int:
    """Appends one line per call to a file, then fails (item 1) or dies like a SIGKILLed worker (item 2, once)."""
    folder, x = args
    calls = Path(folder) / f"calls-{x}"
    with calls.open("a") as fh:
        fh.write(f"{os.getpid()}\n")
    if x == 1:
        raise RuntimeError("a task failure")
    if x == 2 and len(calls.read_text().splitlines()) == 1:
        os.kill(os.getpid(), 9)
    return x


def test_a_task_failure_is_a_result_and_a_dead_worker_is_retried(on_ray, tmp_path):
    ex = get_executor()
    results = dict((x, r) for (_, x), r in ex.map(counted, [(str(tmp_path), x) for x in range(3)]))
    assert results[0] == 0 and results[2] == 2
    assert isinstance(results[1], RuntimeError)
    assert len((tmp_path / "calls-1").read_text().splitlines()) == 1  # a failure is not retried
    pids = (tmp_path / "calls-2").read_text().splitlines()
    assert len(pids) == 2 and pids[0] != pids[1]  # the killed worker's item ran again in another worker
    assert ex.progress.stages["counted"].retried == 1 and ex.progress.stages["counted"].done == 3


def test_tasks_spread_over_both_nodes_and_concurrency_follows_resources(on_ray):
    import ray

    cluster = ray.cluster_resources()
    assert TaskRequest(cpus=1, memory_gb=1).capacity(cluster) == 2  # one CPU and one docker unit per node
    assert TaskRequest(cpus=0.5, memory_gb=1).capacity(cluster) == 2  # still one docker unit per node
    assert TaskRequest(cpus=1, memory_gb=1).capacity_of_nodes(ray.nodes(), cluster) == 2
    lopsided = [{"Alive": True, "Resources": {"CPU": 4.0, "memory": 2**30, "docker": 4.0}},
                {"Alive": True, "Resources": {"CPU": 0.0, "memory": 8 * 2**30, "docker": 4.0}}]
    assert TaskRequest(cpus=1, memory_gb=1).capacity_of_nodes(lopsided, {}) == 1  # a task never spans nodes
    from openswe_data import progress

    ex = get_executor()
    shown: list[dict[str, str]] = []  # every per-node view the live tracker received, as it received it
    with progress.track("slow", 4) as tracker:
        tracker._listeners.append(lambda t: shown.append(dict(t.nodes)))
        for item, _ in ex.map(slow_identity, range(4)):
            tracker.finished(item)
        line = tracker.line()
    view = ex.progress.node_view("slow_identity")
    assert len(view) == 2 and sum(c.done for c in view.values()) == 4, view  # per stage, per node
    assert all(c.done >= 1 and c.running == 0 and c.failed == 0 for c in view.values()), view
    both = [v for v in shown if len(v) == 2 and all(" 1 running" in c for c in v.values())]
    assert both, shown  # at some moment the live progress showed a task running on each node
    assert line.count(" running, 0 failed") == 2 and line.startswith("slow: 4/4 done | "), line
    final = ex.progress.line("slow_identity")
    assert final.startswith("[ray] slow_identity: 4 done, 0 running, 0 queued, 0 failed") and final.count(" done") == 3


def slow_identity(x: int) -> int:
    import time

    time.sleep(1.2)
    return x


def test_a_request_no_node_can_meet_is_a_clear_error(on_ray, monkeypatch):
    monkeypatch.setenv("OPENSWE_RAY_CPUS", "4")
    with pytest.raises(ClusterUnavailable, match="no node of the Ray cluster can run"):
        list(get_executor().map(square_or_fail, [1]))


def test_settings_choose_the_executor_and_the_workers(monkeypatch):
    monkeypatch.setenv("OPENSWE_WORKERS", "3")
    monkeypatch.delenv("OPENSWE_EXECUTOR", raising=False)
    ex = get_executor()
    assert isinstance(ex, LocalExecutor) and ex.workers == 3
    monkeypatch.setenv("OPENSWE_EXECUTOR", "ray")
    monkeypatch.setenv("OPENSWE_RAY_ADDRESS", "10.0.0.1:6379")
    ex = get_executor()
    assert isinstance(ex, RayExecutor) and ex.address == "10.0.0.1:6379" and ex.workers == 3
    monkeypatch.setenv("OPENSWE_EXECUTOR", "spark")
    with pytest.raises(ConfigError, match="unknown executor 'spark'"):
        get_executor()


def test_tasks_get_the_drivers_settings_but_never_its_docker_engine_or_secrets(monkeypatch):
    from openswe_data.execute.cluster_tasks import forwarded_env
    from openswe_data.execute.images import SHARE_ENV

    monkeypatch.setenv("DOCKER_HOST", "unix:///driver/docker.sock")  # the driver's engine: each node has its own
    monkeypatch.setenv("DOCKER_CERT_PATH", "/driver/certs")
    monkeypatch.setenv("OPENSWE_INDEX_URL", "http://index.example/simple")
    monkeypatch.setenv("OPENSWE_REGISTRY_PASSWORD", "hunter2")
    env = forwarded_env()
    assert env["OPENSWE_INDEX_URL"] == "http://index.example/simple" and env[SHARE_ENV] == "1"
    assert not [k for k in env if k.startswith("DOCKER_")] and "OPENSWE_REGISTRY_PASSWORD" not in env


def test_ray_resources_pin_tasks_to_the_nodes_declaring_them_and_a_bad_value_is_a_clear_error(monkeypatch):
    from openswe_data.execute.cluster_resources import extra_resources

    monkeypatch.setenv("OPENSWE_RAY_RESOURCES", '{"engine_b": 1}')
    request = RayExecutor("10.0.0.1:6379").request()
    assert request.options({})["resources"] == {"docker": 1.0, "engine_b": 1.0}
    nodes = [{"Alive": True, "Resources": {"CPU": 4.0, "memory": 8 * 2**30, "docker": 4.0}},
             {"Alive": True, "Resources": {"CPU": 4.0, "memory": 8 * 2**30, "docker": 4.0, "engine_b": 2.0}}]
    assert request.capacity_of_nodes(nodes, {}) == 2  # only the node that declares engine_b, twice
    assert extra_resources("") == ()
    for bad, why in (("{", "is not JSON"), ('["engine_b"]', "positive amounts"), ('{"engine_b": 0}', "positive amounts"),
                     ('{"docker": 2}', "which other settings ask for")):
        with pytest.raises(ConfigError, match=why):
            extra_resources(bad)


def test_the_cli_refuses_an_unknown_executor_without_a_traceback(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "openswe_data", "validate", "-w", str(tmp_path), "--executor", "spark"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "error [bad_config]: unknown executor 'spark'" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.docker
def test_doctor_probes_every_node_for_docker_and_the_registry(on_ray, cluster_registry, monkeypatch):
    from openswe_data.execute.checks import check_cluster
    from openswe_data.settings import Settings
    from registry_server import free_port

    monkeypatch.setenv("OPENSWE_CLUSTER_REGISTRY", cluster_registry)
    checks = {c.name: c for c in check_cluster(Settings())}
    assert checks["ray cluster"].ok and "2 docker unit(s)" in checks["ray cluster"].detail
    nodes = [c for n, c in checks.items() if n.startswith("node ")]
    assert len(nodes) >= 3 and all(c.ok for c in nodes)
    assert sum("registry " + cluster_registry + " answers" in c.detail for c in nodes) >= 2
    assert sum("declares no docker resource" in c.detail for c in nodes) == len(nodes) - 2  # the head

    monkeypatch.setenv("OPENSWE_CLUSTER_REGISTRY", f"127.0.0.1:{free_port()}")  # nothing listens there
    bad = [c for c in check_cluster(Settings()) if c.name.startswith("node ")]
    assert bad and all(not c.ok and "unreachable" in c.detail for c in bad)


def test_doctor_says_when_the_cluster_cannot_be_reached(tmp_path):
    import subprocess
    import sys

    from registry_server import free_port

    proc = subprocess.run([sys.executable, "-m", "openswe_data", "doctor", "-w", str(tmp_path), "--executor", "ray",
                           "--ray-address", f"127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=120)
    assert "[FAIL] ray cluster: cannot join the Ray cluster" in proc.stdout and "nothing answers" in proc.stdout
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


@pytest.mark.docker
def test_an_image_travels_through_the_registry_and_is_pulled_by_digest(tiny_image, cluster_registry, docker_client,
                                                                        monkeypatch):
    from openswe_data.execute import images

    image_id = tiny_image("openswe-test/travel:one", content="travels")
    ref = images.push("openswe-test/travel:one", image_id, cluster_registry)
    assert ref == f"{cluster_registry}/{images.REPOSITORY}@{images.manifest_digest(cluster_registry, image_id)}"
    assert images.cluster_tag(image_id) in images.registry_tags(cluster_registry)
    docker_client.images.remove("openswe-test/travel:one", force=True)  # as on a node that never built it

    assert not images.ensure_local("openswe-test/travel:one", image_id)  # a local run never pulls
    monkeypatch.setenv(images.SHARE_ENV, "1")
    monkeypatch.setenv("OPENSWE_CLUSTER_REGISTRY", cluster_registry)
    try:
        assert images.ensure_local("openswe-test/travel:one", image_id)
        assert docker_client.images.get("openswe-test/travel:one").id == image_id  # exactly what was built
        assert not images.ensure_local("openswe-test/travel:one", image_id)  # already here: nothing pulled
        other = "sha256:" + "0" * 64
        assert not images.ensure_local("openswe-test/never-pushed:one", other)  # not shared: left to the caller
    finally:
        docker_client.images.remove("openswe-test/travel:one", force=True)
        for tag in docker_client.images.list(name=f"{cluster_registry}/{images.REPOSITORY}"):
            docker_client.images.remove(tag.id, force=True)


@pytest.mark.docker
def test_a_base_image_is_built_once_per_cluster_and_pulled_by_a_node_without_it(tiny_image, cluster_registry,
                                                                                docker_client, monkeypatch):
    from openswe_data.build.base_images import HASH_LABEL, SOURCE_LABEL, ensure_base_image, tag_for
    from openswe_data.build.base_recipes import load_recipes, recipe_hash
    from openswe_data.execute import images
    from openswe_data.settings import Settings

    monkeypatch.setenv("OPENSWE_BASE_PREFIX", "openswe-test/shared-base")
    monkeypatch.setenv("OPENSWE_BASE_SOURCE", "debian")
    monkeypatch.setenv("OPENSWE_DEBIAN_MIRROR", "http://127.0.0.1:9/debian")  # a build attempt fails at once
    settings = Settings()
    recipe = load_recipes()["3.11"]
    wanted = recipe_hash(recipe, "debian", mirror=settings.debian_mirror)
    tag = tag_for("3.11", settings)
    image_id = tiny_image(tag, content="a base", extra_labels={HASH_LABEL: wanted, SOURCE_LABEL: "debian"})
    try:
        assert not ensure_base_image(recipe, settings=settings).built  # a local run: current, nothing offered
        # the registry is shared by the session: other tests may have offered other bases, never this one
        assert wanted not in images.registry_tags(cluster_registry, images.BASE_REPOSITORY)
        monkeypatch.setenv(images.SHARE_ENV, "1")
        monkeypatch.setenv("OPENSWE_CLUSTER_REGISTRY", cluster_registry)
        first = ensure_base_image(recipe, settings=settings)  # the node that has it offers it
        assert (first.image_id, first.built) == (image_id, False)
        assert wanted in images.registry_tags(cluster_registry, images.BASE_REPOSITORY)
        docker_client.images.remove(tag, force=True)  # as on a node that never built it
        second = ensure_base_image(recipe, settings=settings)  # pulled by digest, not built from the archive
        assert (second.image_id, second.built) == (image_id, False)
        pulled = docker_client.images.get(tag)
        assert pulled.id == image_id and pulled.attrs["RepoDigests"][0].startswith(
            f"{cluster_registry}/{images.BASE_REPOSITORY}@sha256:")
    finally:
        docker_client.images.remove(image_id, force=True)


def test_ray_address_local_starts_a_one_node_cluster_with_docker_units(tmp_path):
    import subprocess
    import sys

    code = ("from openswe_data.execute import get_executor, default_workers\n"
            "ex = get_executor(kind='ray', address='local')\n"
            "print(sorted(r for _, r in ex.map(abs, [-2, -1, 3])))\n"
            "import ray; print(ray.cluster_resources()['docker'] == default_workers())\n")
    env = {**os.environ, "OPENSWE_RAY_MEMORY_GB": "0.5", "OPENSWE_PROGRESS_SECONDS": "0"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert proc.stdout.split("\n")[:2] == ["[1, 2, 3]", "True"], proc.stderr[-2000:]
