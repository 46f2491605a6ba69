"""The repair seam: a failed heuristic build goes to a repairer, whose proposal is built and checked
like any other; the record says it was an agent build and what it cost."""

from __future__ import annotations

import subprocess

import pytest

from openswe_data.build.repair import FailedAttempt, Proposal
from openswe_data.records import Task

pytestmark = [pytest.mark.docker, pytest.mark.slow]


class ScriptedRepairer:
    """Stands in for the LLM agents: drops the requirement the failing log names."""

    def __init__(self) -> None:
        self.seen: list[FailedAttempt] = []

    def propose(self, task: Task, failed: FailedAttempt, *, budget_usd: float) -> Proposal | None:
        self.seen.append(failed)
        if "no-such-package" not in failed.log_excerpt:
            return None
        dockerfile = failed.dockerfile.replace("-r /openswe/requirements.txt", "pytest")
        return Proposal(dockerfile=dockerfile, cost_usd=0.25, tokens=1200, note="dropped a requirement that does not exist")


def test_a_failed_build_is_repaired_through_the_seam(make_repo, tmp_path):
    from openswe_data.build import BuildOptions, build_environments
    from openswe_data.store import Workspace
    from openswe_data.validate import ValidateOptions, validate_environments

    repo = make_repo("needy", {
        "requirements.txt": "openswe-no-such-package-xyz==1.0\n",
        "needy.py": "def inc(x):\n    return x\n",
        "tests/test_needy.py": "from needy import inc\n\ndef test_zero():\n    assert inc(0) == 0 or True\n",
        "conftest.py": "",
    })
    base = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    fix = "diff --git a/needy.py b/needy.py\n--- a/needy.py\n+++ b/needy.py\n@@ -1,2 +1,2 @@\n def inc(x):\n-    return x\n+    return x + 1\n"
    test = ("diff --git a/tests/test_needy.py b/tests/test_needy.py\n--- a/tests/test_needy.py\n+++ b/tests/test_needy.py\n"
            "@@ -3,2 +3,5 @@ from needy import inc\n def test_zero():\n     assert inc(0) == 0 or True\n+\n+def test_inc():\n+    assert inc(1) == 2\n")
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("tasks").put(Task(instance_id="o__needy-1", repo="o/needy", repo_url=str(repo), base_commit=base,
                               patch=fix, test_patch=test, problem_statement="inc does not increment"))
    repairer = ScriptedRepairer()
    summary = build_environments(ws, repairer=repairer, options=BuildOptions(max_attempts=3))
    env = ws.stage("environments").get("o__needy-1")
    assert summary.built == 1, env.build_log[-2000:]
    assert [f.reason for f in repairer.seen] == ["install_failed"]
    assert (env.build_method, env.attempts, env.cost_usd, env.tokens) == ("agent", 2, 0.25, 1200)
    assert "openswe-no-such-package" not in env.dockerfile
    validate_environments(ws, options=ValidateOptions(reruns=0))
    assert ws.stage("records").get("o__needy-1").FAIL_TO_PASS == ["tests/test_needy.py::test_inc"]


def test_without_a_repairer_the_failure_is_recorded_with_its_reason(make_repo, tmp_path):
    from openswe_data.build import build_environments
    from openswe_data.store import Workspace

    repo = make_repo("needy", {"requirements.txt": "openswe-no-such-package-xyz==1.0\n",
                               "tests/test_a.py": "def test_a():\n    assert True\n"})
    base = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    test = ("diff --git a/tests/test_a.py b/tests/test_a.py\n--- a/tests/test_a.py\n+++ b/tests/test_a.py\n"
            "@@ -1,2 +1,5 @@\n def test_a():\n     assert True\n+\n+def test_b():\n+    assert True\n")
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("tasks").put(Task(instance_id="o__needy-2", repo="o/needy", repo_url=str(repo), base_commit=base,
                               patch="", test_patch=test, problem_statement="x"))
    assert build_environments(ws).reasons == {"install_failed": 1}
    env = ws.stage("environments").get("o__needy-2")
    assert env.status == "failed" and "openswe-no-such-package-xyz" in env.build_log
    assert env.log_path.endswith("build.log")
