"""A real Ray cluster on loopback for the session: a head with no CPUs (it only coordinates) and two
worker nodes of one CPU and one ``docker`` unit each, all processes of this test run (so the tests can
SIGKILL them by pid and shut them down without touching anyone else's Ray); and a real registry."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NODES = 2


def _ray():
    try:
        import ray
    except ImportError:
        if IN_CI:
            pytest.fail("CI=true and ray is not installed: install the `ray` extra", pytrace=False)
        pytest.skip("ray is not installed (pip install -e '.[ray]')")
    return ray


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[object]:
    """``ray.cluster_utils.Cluster`` with a head and two worker nodes; this process is its driver."""
    ray = _ray()
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    for _ in range(NODES):
        cluster.add_node(num_cpus=1, resources={"docker": 1}, memory=4 * 2**30)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False, logging_level="warning")
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture
def on_ray(ray_cluster, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> object:
    """Stages in this test run on the session's cluster (small requests: the nodes are small); the test
    module's own functions travel by value (the workers cannot import a test module)."""
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(request.module)
    monkeypatch.setenv("OPENSWE_EXECUTOR", "ray")
    monkeypatch.setenv("OPENSWE_RAY_ADDRESS", ray_cluster.address)
    monkeypatch.setenv("OPENSWE_RAY_MEMORY_GB", "1")
    monkeypatch.setenv("OPENSWE_PROGRESS_SECONDS", "0")
    return ray_cluster


@pytest.fixture(scope="session")
def cluster_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from registry_server import serve_registry

    with serve_registry(tmp_path_factory.mktemp("cluster-registry")) as address:
        yield address
