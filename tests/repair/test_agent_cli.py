"""`openswe build --agents`: the dry run prints a plan and builds nothing; misuse is a clear error."""

from __future__ import annotations

from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.records import BuildAttempt, LLMCall, Task
from openswe_data.store import Workspace

runner = CliRunner()


def test_the_dry_run_estimates_spend_from_history_and_builds_nothing(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("tasks").put(Task(instance_id="o__r-1", repo="o/r", base_commit="a", patch="", test_patch="",
                               problem_statement=""))
    ws.stage("build_attempts").put(BuildAttempt(instance_id="o__r-0", attempt=1, tier="agents"))
    ws.stage("llm_calls").put(LLMCall(call_id="c", instance_id="o__r-0", stage="build", agent="dockerfile",
                                      cost_usd=0.2))
    cfg = tmp_path / "model.yaml"
    cfg.write_text("provider: scripted\nreplies: [never asked]\n")
    result = runner.invoke(make_app(), ["build", "--workspace", str(ws.path), "--agents", str(cfg), "--dry-run",
                                        "--agent-usd", "0.5"])
    assert result.exit_code == 0, result.output
    assert "1 instance(s) of 1 repositories" in result.output and "expected: $0.2000" in result.output
    assert "ceiling (the budgets): $0.5000" in result.output
    assert not list(ws.stage("environments")) and not list(ws.stage("build_attempts"))[1:]


def test_a_dry_run_without_a_model_config_is_a_clear_error(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    result = runner.invoke(make_app(), ["build", "--workspace", str(ws.path), "--dry-run"])
    assert result.exit_code != 0 and "needs --agents CONFIG" in result.output
    assert "Traceback" not in result.output
