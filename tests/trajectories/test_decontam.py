"""Decontamination: benchmark instances, PRs after a cutoff and near-duplicates are left out, each with a reason."""

from __future__ import annotations

import json

import pytest

from openswe_data.errors import ConfigError
from openswe_data.store import Workspace
from openswe_data.trajectories import STAGE, AgentTrajectory, TrajectoryOptions, build_trajectories
from openswe_data.trajectories.decontam import Decontaminator, load_benchmark, simhash

from traj_helpers import AFTER, BEFORE, pr_from_repo


def _workspace(tmp_path, make_repo):
    repo = make_repo("widgets", BEFORE, AFTER)
    ws = Workspace(tmp_path / "ws", create=True)
    prs = ws.stage("prs")
    prs.put(pr_from_repo(repo, 1, created_at="2024-01-10T00:00:00Z"))
    prs.put(pr_from_repo(repo, 2, created_at="2024-02-10T00:00:00Z"))  # the same change, collected twice
    prs.put(pr_from_repo(repo, 3, name="Other/Lib", created_at="2024-03-10T00:00:00Z"))
    prs.put(pr_from_repo(repo, 4, name="late/comer", created_at="2025-01-01T00:00:00Z"))
    return ws


def test_benchmark_instances_later_prs_and_near_duplicates_are_rejected_with_reasons(tmp_path, make_repo):
    ws = _workspace(tmp_path, make_repo)
    bench = tmp_path / "verified.txt"
    bench.write_text("# SWE-bench Verified ids\nother__lib-3\nastropy__astropy-12907\n")
    summary = build_trajectories(ws, TrajectoryOptions(kinds=("contextual",), benchmark=bench, cutoff="2024-12-31",
                                                       read_repos=False))
    kept = {t.trajectory_id for t in ws.stage(STAGE, AgentTrajectory)}
    rejects = {r.item_id: (r.reason, r.detail) for r in ws.stage(STAGE, AgentTrajectory).rejects}
    assert kept == {"acme__widgets-1.contextual"}
    assert rejects["Other__Lib-3.contextual"][0] == "benchmark_overlap", "repository names compare case-blind"
    assert rejects["late__comer-4.contextual"] == ("after_cutoff", "created 2025-01-01T00:00:00Z, after the cutoff 2024-12-31")
    assert rejects["acme__widgets-2.contextual"] == ("near_duplicate", "within 3 bits of acme__widgets-1.contextual")
    assert summary.rejected == {"benchmark_overlap": 1, "after_cutoff": 1, "near_duplicate": 1}


def test_a_benchmark_list_may_be_json_lines_and_a_bad_one_says_which_line(tmp_path):
    jsonl = tmp_path / "b.jsonl"
    jsonl.write_text(json.dumps({"instance_id": "django__django-11099", "repo": "django/django"}) + "\n")
    assert load_benchmark(jsonl) == {("django/django", 11099)}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instance_id": "a__b-1"}\n{"no_id": 1}\n')
    with pytest.raises(ConfigError, match="bad.jsonl:2"):
        load_benchmark(bad)
    with pytest.raises(ConfigError, match="cannot read the benchmark list"):
        load_benchmark(tmp_path / "missing.txt")


def test_near_duplicates_are_judged_within_a_kind_and_outcome_only():
    d = Decontaminator()
    fp = simhash("str_replace core.py return int(text) return int(text.strip())")
    assert d.judge("a.replay-a0", fp, "environmental:True") is None
    assert d.judge("a.replay-a1", fp, "environmental:False") is None, "a failed twin is a hard negative"
    assert d.judge("b.replay-a0", fp ^ 0b101, "environmental:True") == ("near_duplicate", "within 3 bits of a.replay-a0")
    assert d.judge("c.replay-a0", simhash("bash rm -rf build && make docs"), "environmental:True") is None


def test_a_later_run_remembers_the_trajectories_kept_before(tmp_path, make_repo):
    repo = make_repo("widgets", BEFORE, AFTER)
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("prs").put(pr_from_repo(repo, 1))
    options = TrajectoryOptions(kinds=("contextual",), read_repos=False)
    assert build_trajectories(ws, options).made == {"contextual": 1}
    ws.stage("prs").put(pr_from_repo(repo, 2))  # the same change arrives in a later crawl
    later = build_trajectories(ws, options)
    assert later.rejected == {"near_duplicate": 1} and later.already_done == 1
