"""The bundled example input: examples/make_repos.py rebuilds the same git history on any machine, the committed
crawled-PR dump (examples/prs.jsonl) matches it, and examples/expected.json covers every pull request in it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MISMATCHED_BASE = "openswe-examples__headline-22"  # case j: the dump's base.sha is an older commit on purpose
GIT_ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}


def make_repos(*args: str, script: Path = EXAMPLES / "make_repos.py") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)


def git(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env={**GIT_ENV, **(env or {})})


def records(dump: Path) -> list[dict]:
    return [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]


def instance_id(record: dict) -> str:
    owner, name = record["repo"]["full_name"].split("/")
    return f"{owner}__{name}-{record['pull']['number']}"


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repositories and the dump, rebuilt from examples/projects into a fresh folder."""
    out = tmp_path_factory.mktemp("examples")
    done = make_repos("--out", str(out / "repos"), "--dump", str(out / "prs.jsonl"))
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))


def test_the_rebuilt_dump_is_byte_identical_to_the_committed_one(rebuilt: Path) -> None:
    assert (rebuilt / "prs.jsonl").read_text(encoding="utf-8") == (EXAMPLES / "prs.jsonl").read_text(encoding="utf-8")


def test_every_sha_in_the_dump_is_a_commit_of_its_rebuilt_repo(rebuilt: Path) -> None:
    for record in records(rebuilt / "prs.jsonl"):
        repo = rebuilt / record["repo"]["clone_url"]
        pull = record["pull"]
        shas = [pull["base"]["sha"], pull["head"]["sha"], pull["merge_commit_sha"], *(c["sha"] for c in record["commits"])]
        for sha in shas:
            assert git(repo, "cat-file", "-e", f"{sha}^{{commit}}").returncode == 0, (instance_id(record), sha)
        assert git(repo, "rev-parse", f"refs/pull/{pull['number']}/head").stdout.strip() == pull["head"]["sha"]
        assert record["commits"][-1]["sha"] == pull["head"]["sha"]


def test_every_history_has_a_commit_after_the_merge(rebuilt: Path) -> None:
    for record in records(rebuilt / "prs.jsonl"):
        repo = rebuilt / record["repo"]["clone_url"]
        merge = record["pull"]["merge_commit_sha"]
        assert git(repo, "merge-base", "--is-ancestor", merge, "main").returncode == 0
        later = git(repo, "rev-list", f"{merge}..main").stdout.split()
        assert later, f"{instance_id(record)}: nothing on main after the merge"
        assert git(repo, "merge-base", "--is-ancestor", record["pull"]["base"]["sha"], "main").returncode == 0


def _applies(repo: Path, base: str, diff: str, index: Path) -> subprocess.CompletedProcess:
    """``git apply --check`` of ``diff`` against the tree of ``base`` (in a scratch index, no checkout)."""
    env = {"GIT_INDEX_FILE": str(index)}
    assert git(repo, "read-tree", base, env=env).returncode == 0
    return subprocess.run(["git", "-C", str(repo), "apply", "--cached", "--check", "-"], input=diff,
                          capture_output=True, text=True, env={**GIT_ENV, **env})


def test_every_pr_diff_applies_to_its_base_commit_except_the_mismatched_base_case(rebuilt: Path, tmp_path: Path) -> None:
    for record in records(rebuilt / "prs.jsonl"):
        repo = rebuilt / record["repo"]["clone_url"]
        done = _applies(repo, record["pull"]["base"]["sha"], record["diff"], tmp_path / "index")
        if instance_id(record) == MISMATCHED_BASE:
            assert done.returncode != 0, "case j's diff must not apply to the dump's base commit"
            assert "patch does not apply" in done.stderr
        else:
            assert done.returncode == 0, (instance_id(record), done.stderr)


def test_the_mismatched_base_case_applies_to_the_commit_the_pr_was_really_made_against(rebuilt: Path, tmp_path: Path) -> None:
    record = next(r for r in records(rebuilt / "prs.jsonl") if instance_id(r) == MISMATCHED_BASE)
    repo = rebuilt / record["repo"]["clone_url"]
    real_base = git(repo, "rev-parse", f"{record['pull']['head']['sha']}~1").stdout.strip()
    assert real_base != record["pull"]["base"]["sha"]
    assert _applies(repo, real_base, record["diff"], tmp_path / "index").returncode == 0


def test_expected_results_list_exactly_the_instances_in_the_dump(expected: dict) -> None:
    assert sorted(expected) == sorted(instance_id(r) for r in records(EXAMPLES / "prs.jsonl"))


def test_expected_results_are_well_formed(expected: dict) -> None:
    by_id = {instance_id(r): r for r in records(EXAMPLES / "prs.jsonl")}
    reasons = {"no_fail_to_pass", "flaky", "patch_does_not_apply"}
    for iid, exp in expected.items():
        assert exp["verdict"] in ("valid", "invalid"), iid
        assert exp["python"] in ("3.9", "3.11", "3.13"), iid
        if exp["verdict"] == "valid":
            assert exp["reason"] == "" and exp["FAIL_TO_PASS"], iid
        else:
            assert exp["reason"] in reasons and not exp["FAIL_TO_PASS"], iid
        test_files = {line[len("+++ b/"):] for line in by_id[iid]["diff"].splitlines() if line.startswith("+++ b/tests/")}
        for node in exp["FAIL_TO_PASS"] + exp["PASS_TO_PASS"] + exp["flaky_tests"]:
            assert node.split("::")[0] in test_files, (iid, node)
        assert not set(exp["FAIL_TO_PASS"]) & set(exp["PASS_TO_PASS"]), iid
    assert sorted(e["reason"] for e in expected.values() if e["verdict"] == "invalid") == sorted(reasons)
    assert sum(e["verdict"] == "valid" for e in expected.values()) >= 6
    assert {e["python"] for e in expected.values()} == {"3.9", "3.11", "3.13"}


def test_every_pull_request_passes_the_crawl_filters() -> None:
    for record in records(EXAMPLES / "prs.jsonl"):
        assert record["repo"]["stargazers_count"] >= 5 and record["repo"]["language"] == "Python"
        assert record["linked_issues"] and all(issue["body"].strip() for issue in record["linked_issues"])
        touched = [line[len("diff --git a/"):].split(" b/")[0] for line in record["diff"].splitlines()
                   if line.startswith("diff --git ")]
        tests = [p for p in touched if p.startswith("tests/") and Path(p).name.startswith("test_")]
        assert tests and len(tests) < len(touched), (instance_id(record), touched)


def test_a_second_run_leaves_unchanged_repos_alone(rebuilt: Path) -> None:
    done = make_repos("--out", str(rebuilt / "repos"), "--dump", str(rebuilt / "prs.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "built:" not in done.stdout and done.stdout.count("up to date:") == len(records(rebuilt / "prs.jsonl"))


def test_check_passes_on_a_fresh_build_and_names_the_instance_when_the_dump_is_stale(rebuilt: Path) -> None:
    args = ["--out", str(rebuilt / "repos"), "--dump", str(rebuilt / "prs.jsonl")]
    assert make_repos("--check", *args).returncode == 0
    stale = rebuilt / "stale.jsonl"
    stale.write_text((rebuilt / "prs.jsonl").read_text().replace('"stargazers_count": 48', '"stargazers_count": 49'))
    done = make_repos("--check", "--out", str(rebuilt / "repos"), "--dump", str(stale))
    assert done.returncode == 1
    assert "openswe-examples__slugkit-12 differs" in done.stderr and "repo" in done.stderr


def test_an_edited_project_is_rebuilt_with_a_new_head_and_check_reports_it(tmp_path: Path) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns("repos", "__pycache__"))
    fixed = copy / "projects" / "wordstats" / "pr" / "wordstats" / "counting.py"
    fixed.write_text(fixed.read_text() + "\n# an edit\n")
    done = make_repos("--check", script=copy / "make_repos.py")
    assert done.returncode == 1
    assert "openswe-examples__wordstats-7 differs" in done.stderr
    assert "built: " in done.stdout
    assert make_repos(script=copy / "make_repos.py").returncode == 0
    assert make_repos("--check", script=copy / "make_repos.py").returncode == 0


def test_every_timeline_runs_forward_and_some_issue_comments_come_after_the_first_commit() -> None:
    later_comments = 0
    for record in records(EXAMPLES / "prs.jsonl"):
        pull, first = record["pull"], min(c["commit"]["author"]["date"] for c in record["commits"])
        for issue in record["linked_issues"]:
            assert issue["created_at"] < first <= pull["created_at"] < pull["merged_at"], instance_id(record)
            later_comments += sum(c["created_at"] >= first for c in issue["comments"])
    assert later_comments, "some comment must postdate the PR's first commit (it is not a hint)"


def test_a_hostile_user_git_configuration_does_not_change_a_single_sha(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        "[core]\n\tautocrlf = true\n[commit]\n\tgpgsign = true\n[init]\n\tdefaultBranch = trunk\n"
        "[diff]\n\tnoprefix = true\n\talgorithm = histogram\n"
    )
    env = {**os.environ, "HOME": str(home), "GIT_AUTHOR_NAME": "Somebody Else", "GIT_COMMITTER_DATE": "2001-01-01T00:00:00"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "make_repos.py"), "--quiet", "--out", str(tmp_path / "repos"),
         "--dump", str(tmp_path / "prs.jsonl")], capture_output=True, text=True, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "prs.jsonl").read_text(encoding="utf-8") == (EXAMPLES / "prs.jsonl").read_text(encoding="utf-8")
