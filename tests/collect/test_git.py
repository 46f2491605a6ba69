"""`collect git`: tasks mined from a real repository's first-parent history (real git, no mocks)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.collect import GitQuery, collect_git
from openswe_data.collect.commits import GitError, repo_name
from openswe_data.collect.git import sha_number
from openswe_data.records import PullRequest, Task
from openswe_data.store import Workspace

BASE = {
    "README.md": "calc\n",
    "calc/__init__.py": "",
    "calc/ops.py": "def add(a, b):\n    return a - b\n\n\ndef div(a, b):\n    return a / b\n",
    "tests/test_ops.py": "from calc.ops import add\n\n\ndef test_add():\n    assert add(1, 1) == 2\n",
    "pyproject.toml": "[project]\nname = 'calc'\nversion = '0'\n",
}
ADD_FIXED = "def add(a, b):\n    return a + b\n\n\ndef div(a, b):\n    return a / b\n"
DIV_FIXED = "def add(a, b):\n    return a + b\n\n\ndef div(a, b):\n    return a / b if b else None\n"
TESTS_ADD = BASE["tests/test_ops.py"] + "\n\ndef test_add_more():\n    assert add(2, 3) == 5\n"
TESTS_DIV = TESTS_ADD + "\n\ndef test_div_zero():\n    from calc.ops import div\n    assert div(1, 0) is None\n"


class Repo:
    """A tiny real repository; each commit gets its own date (day ``n`` of March 2024)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.day = 0
        path.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        stamp = f"2024-03-{max(self.day, 1):02d}T12:00:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com",
               "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com",
               "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_CONFIG_GLOBAL": os.devnull}
        proc = subprocess.run(["git", "-C", str(self.path), *args], check=True, capture_output=True, env=env)
        return proc.stdout.decode().strip()

    def commit(self, message: str, files: dict[str, str | bytes]) -> str:
        self.day += 1
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.encode())
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def merge(self, branch: str, message: str) -> str:
        self.day += 1
        self.git("merge", "-q", "--no-ff", branch, "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """main: root, squash (#12), docs only, tests only, merge of PR #15, a direct fix naming no PR."""
    repo = Repo(tmp_path / "acme+calc")
    shas = {"root": repo.commit("Initial", BASE)}
    shas["squash"] = repo.commit("Fix add subtracting (#12)\n\nadd() returned a - b.\n\nCo-authored-by: Bob <b@x>",
                                 {"calc/ops.py": ADD_FIXED, "tests/test_ops.py": TESTS_ADD})
    shas["docs"] = repo.commit("Document calc (#13)", {"README.md": "calc: add and div\n"})
    shas["tests"] = repo.commit("More tests (#14)", {"tests/test_more.py": "def test_x():\n    assert True\n"})
    repo.git("checkout", "-q", "-b", "fix-div")
    repo.commit("div by zero returns None", {"calc/ops.py": DIV_FIXED})
    repo.commit("test div by zero", {"tests/test_ops.py": TESTS_DIV})
    repo.git("checkout", "-q", "main")
    shas["merge_base"] = shas["tests"]
    shas["merge"] = repo.merge("fix-div", "Merge pull request #15 from alice/fix-div\n\nReturn None on division by zero")
    shas["direct"] = repo.commit("Guard add against None", {
        "calc/ops.py": DIV_FIXED.replace("return a + b", "return (a or 0) + (b or 0)"),
        "tests/test_none.py": "from calc.ops import add\n\n\ndef test_none():\n    assert add(None, 1) == 1\n"})
    return repo, shas


def _collect(ws_path: Path, source: Path | str, **query) -> tuple[Workspace, object]:
    ws = Workspace(ws_path, create=True)
    return ws, collect_git(source, ws, query=GitQuery(**query))


def test_merge_and_squash_commits_become_tasks_against_their_first_parent(history, tmp_path):
    repo, shas = history
    ws, funnel = _collect(tmp_path / "ws", repo.path)
    tasks = {t.instance_id: t for t in ws.stage("tasks", Task)}
    direct_id = f"acme__calc-{sha_number(shas['direct'])}"
    assert set(tasks) == {"acme__calc-12", "acme__calc-15", direct_id}

    squash = tasks["acme__calc-12"]
    assert squash.repo == "acme/calc" and squash.pull_number == 12
    assert squash.base_commit == shas["root"]
    assert squash.patch.startswith("diff --git a/calc/ops.py b/calc/ops.py") and "tests/" not in squash.patch
    assert squash.test_files == ["tests/test_ops.py"] and "+    assert add(2, 3) == 5" in squash.test_patch
    assert squash.problem_statement == "Fix add subtracting (#12)\nadd() returned a - b.\n"
    assert squash.created_at == "2024-03-02T12:00:00Z" and squash.repo_url == str(repo.path.resolve())

    merge = tasks["acme__calc-15"]
    assert merge.base_commit == shas["merge_base"]  # the first parent, not the branch's own commits
    assert "return a / b if b else None" in merge.patch and "test_div_zero" in merge.test_patch
    assert merge.problem_statement == "Return None on division by zero\n\n"
    assert tasks[direct_id].pull_number == sha_number(shas["direct"]) > 1_000_000_000

    prs = {p.instance_id: p for p in ws.stage("prs", PullRequest)}
    assert prs["acme__calc-15"].head_commit == shas["merge"] and prs["acme__calc-15"].source == f"git:{shas['merge']}"
    assert prs["acme__calc-12"].language == "Python"
    assert funnel.seen == 5 and funnel.tasks == 3  # the root commit has no base: not a candidate


def test_patches_apply_to_the_base_and_reproduce_the_commit(history, tmp_path):
    repo, shas = history
    ws, _ = _collect(tmp_path / "ws", repo.path)
    task = next(t for t in ws.stage("tasks", Task) if t.instance_id == "acme__calc-15")
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "checkout", "-q", task.base_commit], check=True)
    for patch in (task.test_patch, task.patch):
        subprocess.run(["git", "-C", str(work), "apply", "-"], input=patch.encode(), check=True)
    diff = subprocess.run(["git", "-C", str(work), "diff", shas["merge"]], capture_output=True, check=True).stdout
    assert diff == b""


def test_docs_only_and_tests_only_commits_are_dropped_with_reasons(history, tmp_path):
    repo, shas = history
    ws, funnel = _collect(tmp_path / "ws", repo.path)
    rejects = {r.item_id: r for r in ws.stage("tasks").rejects}
    assert {k: r.reason for k, r in rejects.items()} == {"acme__calc-13": "no_test_changes",
                                                         "acme__calc-14": "tests_only"}
    assert "README.md" in rejects["acme__calc-13"].detail
    assert rejects["acme__calc-14"].source == f"git:{shas['tests']}" and rejects["acme__calc-14"].repo == "acme/calc"
    assert dict(funnel.drops) == {"no_test_changes": 1, "tests_only": 1}


def test_a_re_run_resumes_and_stores_nothing_twice(history, tmp_path):
    repo, _ = history
    ws, first = _collect(tmp_path / "ws", repo.path, limit=2)  # the direct fix and the merge
    assert first.seen == 2 and len(ws.stage("tasks").keys()) == 2
    ws, again = _collect(tmp_path / "ws", repo.path)
    assert again.already_done == 2 and again.tasks == 1
    ws, third = _collect(tmp_path / "ws", repo.path)
    assert third.already_done == 5 and third.tasks == 0
    assert len(list(ws.stage("tasks", Task))) == 3 and len(list(ws.stage("prs", PullRequest))) == 5


def test_since_until_limit_and_rev_choose_the_commits(history, tmp_path):
    repo, shas = history
    _, window = _collect(tmp_path / "a", repo.path, since="2024-03-03T00:00:00Z", until="2024-03-05T00:00:00Z")
    assert window.seen == 2  # docs (day 3) and tests (day 4)
    ws, older = _collect(tmp_path / "b", repo.path, rev=shas["squash"], limit=1)
    assert older.seen == 1 and ws.stage("tasks").keys() == {"acme__calc-12"}


def test_a_number_already_taken_goes_to_the_older_commit_whatever_the_window(history, tmp_path):
    repo, shas = history
    again = repo.commit("Fix add subtracting (#12)", {"calc/ops.py": ADD_FIXED.replace("a + b", "b + a"),
                                                      "tests/test_ops.py": TESTS_DIV + "\n# again\n"})
    later_id = f"acme__calc-{sha_number(again)}"
    ws, _ = _collect(tmp_path / "ws", repo.path, limit=1)  # only the newer commit naming #12
    assert ws.stage("tasks").keys() == {later_id}
    ws, _ = _collect(tmp_path / "ws", repo.path)
    prs = {p.instance_id: p.head_commit for p in ws.stage("prs", PullRequest)}
    assert prs["acme__calc-12"] == shas["squash"] and prs[later_id] == again


def test_a_commit_whose_diff_is_not_utf8_is_a_reject_and_the_walk_goes_on(history, tmp_path):
    repo, _ = history
    repo.commit("Latin-1 fix (#20)", {"calc/ops.py": b"# caf\xe9\n" + ADD_FIXED.encode(),
                                      "tests/test_ops.py": TESTS_DIV + "\n# x\n"})
    ws, funnel = _collect(tmp_path / "ws", repo.path)
    reasons = {r.item_id: r.reason for r in ws.stage("tasks").rejects}
    assert reasons["acme__calc-20"] == "non_utf8_diff"
    assert funnel.tasks == 3


def test_a_bad_source_or_revision_is_an_error_with_a_reason(tmp_path):
    with pytest.raises(GitError) as missing:
        _collect(tmp_path / "ws", tmp_path / "nowhere")
    assert missing.value.reason == "repo_not_found"
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError) as plain:
        _collect(tmp_path / "ws", tmp_path / "plain")
    assert plain.value.reason == "repo_not_found"
    repo = Repo(tmp_path / "r")
    repo.commit("Initial", BASE)
    with pytest.raises(GitError) as rev:
        _collect(tmp_path / "ws", repo.path, rev="no-such-branch")
    assert rev.value.reason == "git_error"


def test_a_bare_mirror_and_a_clone_url_are_sources_too(history, tmp_path):
    repo, _ = history
    bare = tmp_path / "mirrors" / "acme+calc" / "repo"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo.path), str(bare)], check=True)
    ws, funnel = _collect(tmp_path / "ws", bare)
    assert funnel.tasks == 3 and "acme__calc-15" in ws.stage("tasks").keys()
    ws2, funnel2 = _collect(tmp_path / "ws2", f"file://{repo.path}", repo="acme/calc")
    assert funnel2.tasks == 3
    assert {t.repo_url for t in ws2.stage("tasks", Task)} == {f"file://{repo.path}"}


def test_repo_names_come_from_urls_and_mirror_folders(tmp_path):
    assert repo_name("https://github.com/pallets/click.git") == "pallets/click"
    assert repo_name("git@github.com:jmespath/jmespath.py.git") == "jmespath/jmespath.py"
    assert repo_name(str(tmp_path / "pallets+click" / "repo")) == "pallets/click"
    assert repo_name(str(tmp_path / "kjd__idna.git")) == "kjd/idna"
    assert repo_name(str(tmp_path / "plain")) == "local/plain"
    assert repo_name("x", "own/name") == "own/name"


def test_cli_collect_git_prints_the_funnel_and_errors_without_traceback(history, tmp_path):
    repo, _ = history
    runner = CliRunner()
    ws = tmp_path / "ws"
    result = runner.invoke(make_app(), ["collect", "git", str(repo.path), "-w", str(ws), "--repo", "acme/calc", "-v"])
    assert result.exit_code == 0, result.output
    assert "collect (git): 5 seen" in result.output and "- tests_only" in result.output
    assert "acme__calc-15: task" in result.output
    bad = runner.invoke(make_app(), ["collect", "git", str(tmp_path / "nowhere"), "-w", str(ws)])
    assert bad.exit_code != 0 and "repo_not_found" in bad.output and "Traceback" not in bad.output
