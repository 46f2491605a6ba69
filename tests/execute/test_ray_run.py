"""`openswe run --executor ray --ray-address ADDR` end to end on the session's cluster (a head and two one-CPU
nodes): a two-PR slice of the examples' crawled dump and the attempts for them go through collect, build,
validate (one rerun a side: the verdicts here are deterministic), grading and curation as Ray tasks, and end
with the local run's records."""

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


def _slice(path: Path, wanted, change=lambda row: row) -> str:
    """The rows of a JSONL file that ``wanted`` keeps, each passed through ``change``."""
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return "".join(json.dumps(change(row)) + "\n" for row in rows if wanted(row))


def _absolute_clone_url(pr: dict, base: Path) -> dict:
    """The examples' dump names its repositories relative to itself (``repos/<name>``)."""
    pr["repo"]["clone_url"] = str(base / pr["repo"]["clone_url"])
    return pr


def test_openswe_run_on_a_ray_cluster_gives_the_local_records(examples_workspace, ray_cluster, cluster_registry,
                                                               docker_client, tmp_path):
    from openswe_data.store import Workspace

    local = examples_workspace[0]
    names = {f"openswe-examples/{i.split('__')[1].rsplit('-', 1)[0]}" for i in IIDS}
    crawl = local.path.parent / "prs.jsonl"  # the examples' own crawl (their repositories are the session's)
    dump = tmp_path / "prs.jsonl"
    dump.write_text(_slice(crawl, lambda pr: pr["repo"]["full_name"] in names,
                           lambda pr: _absolute_clone_url(pr, crawl.parent)))
    attempts = tmp_path / "attempts.jsonl"  # wordstats: three gold fixes and an empty patch
    attempts.write_text(_slice(ATTEMPTS, lambda a: a["instance_id"] in IIDS))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSWE_")}  # the flags alone choose Ray
    env.update(OPENSWE_RAY_MEMORY_GB="1", OPENSWE_PROGRESS_SECONDS="0", OPENSWE_CLUSTER_REGISTRY=cluster_registry)
    proc = subprocess.run([sys.executable, "-m", "openswe_data", "run", str(dump), "-w", str(tmp_path / "ws"),
                           "--no-release", "--no-trajectories", "--reruns", "1", "--attempts", str(attempts),
                           "--executor", "ray", "--ray-address", ray_cluster.address],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = proc.stdout + proc.stderr
    assert "2 new task(s)" in proc.stdout and "valid 1, invalid 1" in proc.stdout, out
    assert "graded 4 attempt(s), 3 resolved" in proc.stdout, out
    for stage in ("build_with_loop", "validate_environments", "grade_attempts"):  # each stage ran as Ray tasks
        assert f"[ray] {stage}: " in proc.stderr and f"[ray] {stage}: 0 done" not in proc.stderr, stage
    assert_same_records(Workspace(tmp_path / "ws"), local, IIDS)
    assert leftovers(docker_client) == []
