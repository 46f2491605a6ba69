"""The trajectories step over a workspace: sampled runs, the optional summary through the ledger, the CLI."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.records import Attempt, LLMCall, Trajectory
from openswe_data.store import Workspace
from openswe_data.trajectories import STAGE, VERIFIER_STAGE, AgentTrajectory, TrajectoryOptions, VerifierExample
from openswe_data.trajectories import build_trajectories
from openswe_data.sample import ScriptedModel

from traj_helpers import AFTER, BEFORE, pr_from_repo

runner = CliRunner()


def _bash_run(command: str) -> list[dict]:
    return [{"role": "system", "content": "s"}, {"role": "user", "content": "fix it"},
            {"role": "assistant", "content": f"```bash\n{command}\n```"},
            {"role": "user", "content": "<returncode>0</returncode>"}]


def test_sampled_runs_become_structured_trajectories_and_verifier_pairs(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    attempts = ws.stage("attempts", Attempt)
    attempts.put(Attempt(instance_id="acme__w-1", attempt_index=0, messages=_bash_run("sed -i s/a/b/ x.py"), resolved=True))
    attempts.put(Attempt(instance_id="acme__w-1", attempt_index=1, messages=_bash_run("rm -rf tests"), resolved=False))
    attempts.put(Attempt(instance_id="acme__w-2", attempt_index=0, messages=_bash_run("true"), resolved=False))
    ws.stage("trajectories", Trajectory).put(Trajectory(instance_id="acme__w-1", attempt_index=0, policy="band",
                                                        messages=_bash_run("sed -i s/a/b/ x.py")))
    summary = build_trajectories(ws, TrajectoryOptions(kinds=("sampled",)))
    stage = {t.trajectory_id: t for t in ws.stage(STAGE, AgentTrajectory)}
    assert summary.made == {"sampled": 3}
    assert stage["acme__w-1.sampled-a0"].source == "curated:band" and stage["acme__w-1.sampled-a0"].resolved is True
    assert stage["acme__w-1.sampled-a1"].n_tool_calls == 1
    pairs = sorted((v.example_id, v.label) for v in ws.stage(VERIFIER_STAGE, VerifierExample))
    assert pairs == [("acme__w-1.p0.failure", False), ("acme__w-1.p0.success", True)], "w-2 has no success to pair"


def test_the_optional_summary_goes_through_the_model_and_lands_in_the_cost_ledger(tmp_path, make_repo):
    repo = make_repo("widgets", BEFORE, AFTER)
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("prs").put(pr_from_repo(repo))
    model = ScriptedModel([{"content": "Padded numbers failed to parse; parse() now strips them.",
                            "prompt_tokens": 120, "completion_tokens": 15, "cost_usd": 0.001}], name="scripted-sum")
    build_trajectories(ws, TrajectoryOptions(kinds=("contextual",), summary_model=model))
    t = ws.stage(STAGE, AgentTrajectory).get("acme__widgets-7.contextual")
    assert t.summary.startswith("Padded numbers") and "## Summary\n\nPadded numbers" in t.messages[1]["content"]
    [call] = list(ws.stage("llm_calls", LLMCall))
    assert (call.stage, call.agent, call.model, call.cost_usd, call.instance_id) == (
        "trajectories", "pr-summary", "scripted-sum", 0.001, "acme__widgets-7")


def test_the_cli_plans_builds_exports_and_renders_without_tracebacks(tmp_path, make_repo):
    repo = make_repo("widgets", BEFORE, AFTER)
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("prs").put(pr_from_repo(repo))
    app, w = make_app(), ["--workspace", str(ws.path)]
    script = tmp_path / "summary.yaml"
    script.write_text(yaml.safe_dump({"name": "s", "replies": ["A summary."]}))
    plan = runner.invoke(app, ["trajectories", "build", "--dry-run", "--summary-scripted", str(script), *w])
    assert plan.exit_code == 0 and "contextual: 1 to make" in plan.output and "summary: 1 model call(s)" in plan.output
    assert not list(ws.stage(STAGE, AgentTrajectory))
    built = runner.invoke(app, ["trajectories", "build", "--kind", "contextual", *w])
    assert built.exit_code == 0 and "made contextual 1" in built.output, built.output
    out = tmp_path / "sharegpt.jsonl"
    exported = runner.invoke(app, ["trajectories", "export", str(out), "--format", "sharegpt", *w])
    assert exported.exit_code == 0 and "wrote 1 row(s)" in exported.output
    row = json.loads(out.read_text())
    assert row["trajectory_id"] == "acme__widgets-7.contextual" and row["conversations"][0]["from"] == "human"
    shown = runner.invoke(app, ["trajectories", "template", "acme__widgets-7.contextual", *w])
    assert shown.exit_code == 0 and "<tool_call>" in shown.output
    missing = runner.invoke(app, ["trajectories", "template", "nope-1.contextual", *w])
    bad_kind = runner.invoke(app, ["trajectories", "build", "--kind", "imagined", *w])
    for result in (missing, bad_kind):
        assert result.exit_code == 2 and "Traceback" not in result.output
    assert "error [bad_config]: unknown trajectory kind(s): imagined" in bad_kind.output


def test_a_task_imported_without_its_pr_gets_a_contextual_trajectory_from_its_problem_statement(tmp_path, make_repo):
    from openswe_data.records import Task

    from traj_helpers import diff_of, sha

    repo = make_repo("widgets", BEFORE, AFTER)
    diff = diff_of(repo, "HEAD~1")
    fix = diff[: diff.index("diff --git a/tests/")] if diff.index("diff --git a/tests/") > 0 else diff
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("tasks", Task).put(Task(instance_id="acme__widgets-5", repo="acme/widgets", base_commit=sha(repo, "HEAD~1"),
                                     patch=fix, test_patch=diff[len(fix):], problem_statement="parse(' 1') fails",
                                     hints_text="Same with tabs.", repo_url=str(repo)))
    build_trajectories(ws, TrajectoryOptions(kinds=("contextual",)))
    t = ws.stage(STAGE, AgentTrajectory).get("acme__widgets-5.contextual")
    assert t.source == "task" and t.files_source == "repository"
    assert "parse(' 1') fails" in t.messages[1]["content"] and "Same with tabs." in t.messages[1]["content"]


def test_without_a_docker_engine_replays_wait_for_the_next_run_and_nothing_is_rejected(tmp_path, monkeypatch):
    from openswe_data import engine
    from openswe_data.records import ValidatedRecord

    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("records", ValidatedRecord).put(ValidatedRecord(
        instance_id="acme__w-1", repo="acme/w", base_commit="b" * 40, patch="p", test_patch="t",
        problem_statement="fix", image_name="openswe/env.acme__w-1:x"))
    monkeypatch.setattr(engine, "available", lambda: False)
    summary = build_trajectories(ws, TrajectoryOptions(kinds=("environmental",)))
    assert not summary.made and not summary.rejected
    assert "no Docker engine answers" in summary.describe()
