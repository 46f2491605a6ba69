"""`sample`, `curate grade` and `evaluate` as Ray tasks on the session's real cluster (a head and two one-CPU
nodes) give the records the local executor gives: a scripted model's attempts (one per node) match the local
attempt turn by turn; `openswe curate grade --executor ray` and `evaluate` grade a fixed and a wrong patch as
the local executor does."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from execute_helpers import capture_executors, leftovers

pytestmark = [pytest.mark.docker, pytest.mark.slow]

WORDSTATS = "openswe-examples__wordstats-7"
FIX = [
    "Split on any whitespace.\n\n```bash\nsed -i 's/text.split(\" \")/text.split()/' wordstats/counting.py\n```",
    "Check it.\n\n```bash\npython -c 'from wordstats.counting import word_count; print(word_count(\"a\\tb\"))'\n```",
    "Done.\n\n```bash\necho COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n```",
]


def _workspace(examples_workspace, path):
    from openswe_data.store import Workspace

    ws = Workspace(path, create=True)
    ws.stage("records").put(examples_workspace[0].stage("records").get(WORDSTATS))
    return ws


def _same(a) -> tuple:
    return (a.patch, a.resolved, a.reason, a.tokens, a.model, a.source, [(m["role"], m["content"]) for m in a.messages])


def test_sample_and_grade_on_the_cluster_give_the_local_records(examples_workspace, on_ray, cluster_registry,
                                                                 docker_client, monkeypatch, tmp_path):
    from openswe_data.curate import grade_attempts
    from openswe_data.sample import ScriptedModel, sample
    from openswe_data.validate.evaluate import DockerGrader, evaluate

    monkeypatch.setenv("OPENSWE_CLUSTER_REGISTRY", cluster_registry)
    model = ScriptedModel(FIX, name="scripted-ray")
    executors = capture_executors(monkeypatch)
    ray_ws = _workspace(examples_workspace, tmp_path / "ray")
    summary = sample(ray_ws, model, k=2)  # the executor the settings name: Ray, one attempt per node
    assert (summary.ran, summary.resolved, summary.failed) == (2, 2, [])
    (ray_ex,) = executors
    assert type(ray_ex).__name__ == "RayExecutor"
    view = ray_ex.progress.node_view("sample")
    assert sum(c.done for c in view.values()) == 2 and all(c.failed == 0 for c in view.values()), view

    monkeypatch.setenv("OPENSWE_EXECUTOR", "local")
    local_ws = _workspace(examples_workspace, tmp_path / "local")
    assert sample(local_ws, model, k=1, workers=1).resolved == 1
    (want,) = list(local_ws.stage("attempts"))
    got = {a.attempt_index: a for a in ray_ws.stage("attempts")}
    assert want.resolved is True and set(got) == {0, 1}
    assert _same(got[0]) == _same(got[1]) == _same(want)  # the same attempt, turn by turn, wherever it ran
    assert len(list(ray_ws.stage("llm_calls"))) == 2 * len(FIX)  # every call in the ledger, from the workers
    assert (ray_ws.path / "logs" / "attempts" / f"{WORDSTATS}.a1" / "grade.log").is_file()

    # grading: attempt 1's patch made wrong (split on newlines); the cluster's CLI and the local API grade alike
    wrong = got[0].patch.replace("+    return len(text.split())", '+    return len(text.split("\\n"))')
    assert wrong != got[0].patch
    for ws in (ray_ws, local_ws):
        ws.stage("attempts").put(got[1].replace(patch=wrong, resolved=None, reason=""))
    local_ws.stage("attempts").put(got[0].replace(resolved=None, reason=""))
    assert grade_attempts(local_ws, DockerGrader()).graded == 2
    env = {**os.environ, "OPENSWE_PROGRESS_SECONDS": "0"}
    proc = subprocess.run([sys.executable, "-m", "openswe_data", "curate", "grade", "-w", str(ray_ws.path), "--regrade",
                           "--executor", "ray", "--ray-address", on_ray.address], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "graded 2 attempt(s): 1 resolved" in proc.stdout
    assert "[ray] grade_attempts: 2 done, 0 running, 0 queued, 0 failed" in proc.stderr  # it ran as Ray tasks

    def grades(ws) -> dict[int, tuple]:
        return {a.attempt_index: (a.resolved, a.reason) for a in ws.stage("attempts")}

    assert grades(ray_ws) == grades(local_ws) == {0: (True, ""), 1: (False, "tests_failed")}

    # evaluate: the same two patches as predictions, graded as Ray tasks
    monkeypatch.setenv("OPENSWE_EXECUTOR", "ray")
    records = {r.instance_id: r for r in ray_ws.stage("records")}
    report = evaluate(records, [{"instance_id": WORDSTATS, "model_name_or_path": m, "model_patch": p}
                                for m, p in (("fix", got[0].patch), ("wrong", wrong))])
    assert {r.model: (r.resolved, r.reason) for r in report.results} == {"fix": grades(local_ws)[0],
                                                                          "wrong": grades(local_ws)[1]}
    assert type(executors[-1]).__name__ == "RayExecutor" and executors[-1].progress.stages["evaluate"].done == 2
    assert leftovers(docker_client) == []
