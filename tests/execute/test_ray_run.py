"""`openswe run --executor ray --ray-address ADDR` end to end on the session's cluster (a head and two one-CPU
nodes): a two-PR slice of the examples' crawled dump and the attempts for them go through collect, build,
validate, grading and curation as Ray tasks, and end with the local run's records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from execute_helpers import assert_same_records, leftovers

pytestmark = [pytest.mark.docker, pytest.mark.slow]

IIDS = ["openswe-examples__wordstats-7", "openswe-examples__headline-22"]  # valid; patch_does_not_apply
ATTEMPTS = Path(__file__).resolve().parents[2] / "examples" / "attempts.jsonl"


def _lines_for(path: Path, wanted) -> str:
    return "".join(line + "\n" for line in path.read_text().splitlines() if wanted(json.loads(line)))


def test_openswe_run_on_a_ray_cluster_gives_the_local_records(examples_workspace, ray_cluster, cluster_registry,
                                                               docker_client, tmp_path):
    from openswe_data.store import Workspace

    local = examples_workspace[0]
    names = {f"openswe-examples/{i.split('__')[1].rsplit('-', 1)[0]}" for i in IIDS}
    dump = tmp_path / "prs.jsonl"  # the examples' own crawl (their repositories are the session's)
    dump.write_text(_lines_for(local.path.parent / "prs.jsonl", lambda pr: pr["repo"]["full_name"] in names))
    attempts = tmp_path / "attempts.jsonl"  # wordstats: three gold fixes and an empty patch
    attempts.write_text(_lines_for(ATTEMPTS, lambda a: a["instance_id"] in IIDS))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSWE_")}  # the flags alone choose Ray
    env.update(OPENSWE_RAY_MEMORY_GB="1", OPENSWE_PROGRESS_SECONDS="0", OPENSWE_CLUSTER_REGISTRY=cluster_registry)
    proc = subprocess.run([sys.executable, "-m", "openswe_data", "run", str(dump), "-w", str(tmp_path / "ws"),
                           "--no-release", "--no-trajectories", "--attempts", str(attempts),
                           "--executor", "ray", "--ray-address", ray_cluster.address],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "2 new task(s)" in proc.stdout and "valid 1, invalid 1" in proc.stdout
    assert "graded 4 attempt(s), 3 resolved" in proc.stdout
    for stage in ("build_with_loop", "validate_environments", "grade_attempts"):  # each stage ran as Ray tasks
        assert f"[ray] {stage}: " in proc.stderr and f"[ray] {stage}: 0 done" not in proc.stderr, stage
    assert_same_records(Workspace(tmp_path / "ws"), local, IIDS)
    assert leftovers(docker_client) == []
